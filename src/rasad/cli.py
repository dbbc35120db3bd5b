"""Command line: ``rasad run | export | show | eval | kb``.

The only module that prints.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, TypeVar

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from rich.table import Table
from rich.text import Text

from rasad.engines import DEFAULT_BATCH, EngineOptions, open_engine
from rasad.errors import RasadError
from rasad.export import EXPORTERS, build_export
from rasad.ingest import IngestOptions
from rasad.kb import load_kb
from rasad.merge.apply import embedding_cache_path, merge_store
from rasad.model import Article
from rasad.ner.cli import eval_ner
from rasad.pipeline import Pipeline, stages_with_ner
from rasad.runner import RunSummary, run_paths
from rasad.store import open_store
from rasad.store.base import Store

app = typer.Typer(
    help="rasad: Arabic conflict news into a sourced, geolocated knowledge base.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
console = Console(stderr=True, soft_wrap=True)
out = Console()

DbOption = Annotated[str, typer.Option(
    "--db", help="Database: a SQLite file (or sqlite:///PATH) or postgresql://USER@HOST/DB.")]
KbOption = Annotated[str, typer.Option("--kb", help="Knowledge base name.")]
EngineOption = Annotated[str, typer.Option(
    "--engine", help="Where the per-article stages run: process (all cores), dask (rasad\\[dask]) or inline.")]
WorkersOption = Annotated[int | None, typer.Option(
    "--workers", min=1, help="Worker processes (process engine; default: one per core) or local Dask workers.")]
BatchOption = Annotated[int, typer.Option(
    "--batch", min=1, help="Articles per task and per database commit (larger commits write faster).")]
SchedulerOption = Annotated[str | None, typer.Option(
    "--scheduler", help="Dask engine: an existing scheduler, tcp://HOST:PORT (default: a local cluster).")]
TYPE_STYLE = {"actor": "bold red", "person": "bold magenta", "place": "bold green", "facility": "bold yellow",
              "source": "bold cyan"}


T = TypeVar("T")


def _fail(exc: RasadError) -> typer.Exit:
    console.print(f"[red]error:[/red] {exc}")
    return typer.Exit(2)


def _read_store(db: str, read: Callable[[Store], T]) -> T:
    """``read`` on the existing database ``db``, closed afterwards; an error ends the command with its message."""
    try:
        store = open_store(db, create=False)
        try:
            return read(store)
        finally:
            store.close()
    except RasadError as exc:
        raise _fail(exc) from exc


def _summary_tables(summary: RunSummary) -> list[Table]:
    head = Table(title="rasad run", show_header=False)
    head.add_row("articles read", str(summary.read))
    head.add_row("new articles stored", str(summary.added))
    head.add_row("already in the database", str(summary.duplicates))
    head.add_row("skipped", str(len(summary.skipped)))
    head.add_row("mentions (new articles)", str(summary.mentions))
    for kind, n in sorted(summary.entity_types.items()):
        head.add_row(f"entities: {kind}", str(n))
    tables = [head]
    if summary.skipped:
        skipped = Table(title="skipped inputs")
        skipped.add_column("input")
        skipped.add_column("reason")
        for item in summary.skipped:
            skipped.add_row(item.source, item.reason)
        tables.append(skipped)
    for title, counter in (("top actors", summary.actors), ("top places", summary.places)):
        if counter:
            table = Table(title=title)
            table.add_column("name")
            table.add_column("articles", justify="right")
            for name, n in counter.most_common(10):
                table.add_row(name, str(n))
            tables.append(table)
    return tables


@app.command()
def run(
    paths: Annotated[list[str], typer.Argument(help="Files, folders (walked recursively) or RSS/Atom feed URLs.")],
    db: DbOption = "rasad.db",
    kb: KbOption = "default",
    outlet: Annotated[str | None, typer.Option(help="Outlet for inputs that do not name one.")] = None,
    published: Annotated[str | None, typer.Option(help="Publication date (YYYY-MM-DD) for inputs without one.")] = None,
    title: Annotated[str | None, typer.Option(help="Title for inputs without one.")] = None,
    url: Annotated[str | None, typer.Option(help="URL for inputs without one.")] = None,
    strict: Annotated[bool, typer.Option(help="Exit with status 1 when any input was skipped.")] = False,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress bar or summary.")] = False,
    ner: Annotated[bool, typer.Option("--ner", help="Also run the statistical NER model (slower).")] = False,
    ner_model: Annotated[str | None, typer.Option(
        "--ner-model", help="Local Hugging Face token-classification model folder (needs rasad\\[ml]); implies --ner.",
    )] = None,
    engine: EngineOption = "process",
    workers: WorkersOption = None,
    scheduler: SchedulerOption = None,
    batch: BatchOption = DEFAULT_BATCH,
) -> None:
    """Ingest files and folders: clean, recognise and link entities, extract relations and events."""
    options = IngestOptions(outlet=outlet, published=published, title=title, url=url)
    try:
        knowledge = load_kb(kb)
        pipeline = Pipeline.build(stages_with_ner(ner_model)) if (ner or ner_model) else Pipeline.build()
        if ner or ner_model:
            from rasad.ner.model import load_ner

            load_ner(ner_model, kb=knowledge)
        store = open_store(db)
    except RasadError as exc:
        raise _fail(exc) from exc
    try:
        with Progress(SpinnerColumn(), TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                      TimeElapsedColumn(), console=console, disable=quiet, transient=True) as bar:
            task = bar.add_task("processing", total=None)
            engine_options = EngineOptions(kind=engine, workers=workers, scheduler=scheduler, batch=batch)
            summary = run_paths([str(p) for p in paths], store=store, kb=knowledge, options=options, pipeline=pipeline,
                                progress=lambda src: bar.update(task, advance=1, description=Path(src).name[:40]),
                                engine=engine_options)
            bar.update(task, description="merging stories, events and relations across articles")
            merged = merge_store(store, knowledge, cache_path=embedding_cache_path(db), engine=engine_options)
    except RasadError as exc:
        raise _fail(exc) from exc
    finally:
        store.close()
    for item in summary.skipped:
        console.print(f"[yellow]skipped[/yellow] {item.source}: {item.reason}", highlight=False)
    for message in merged.messages:
        console.print(f"[dim]{message}[/dim]", highlight=False)
    if len(summary.skipped) > len(summary.skipped.first):
        console.print(f"[yellow]… and {len(summary.skipped) - len(summary.skipped.first)} more skipped[/yellow]")
    if not quiet:
        for table in _summary_tables(summary):
            out.print(table)
    if strict and summary.skipped:
        raise typer.Exit(1)


@app.command()
def export(
    db: DbOption = "rasad.db",
    fmt: Annotated[str, typer.Option("--format", help=f"One of: {', '.join(EXPORTERS)}.")] = "json",
    output: Annotated[str, typer.Option("--output", "-o", help="Output file, or - for stdout.")] = "-",
) -> None:
    """Export the database (JSON schema rasad.export/1)."""
    if fmt not in EXPORTERS:
        console.print(f"[red]error:[/red] unknown format {fmt!r}; choose one of {', '.join(EXPORTERS)}")
        raise typer.Exit(2)
    try:
        store = open_store(db, create=False)
    except RasadError as exc:
        raise _fail(exc) from exc
    try:
        if output == "-":
            EXPORTERS[fmt](store, sys.stdout)
        else:
            with open(output, "w", encoding="utf-8") as handle:
                EXPORTERS[fmt](store, handle)
            console.print(f"wrote {output}")
    except RasadError as exc:
        raise _fail(exc) from exc
    except OSError as exc:
        console.print(f"[red]error:[/red] {output}: cannot write: {exc.strerror}")
        raise typer.Exit(2) from exc
    finally:
        store.close()


def highlighted(article: Article, entity_types: dict[str, str]) -> Text:
    text = Text(article.text, justify="right")
    for m in article.mentions:
        text.stylize(TYPE_STYLE.get(entity_types.get(m.entity_id, ""), "bold"), m.start, m.end)
    return text


@app.command()
def show(
    article: Annotated[str, typer.Argument(help="Article id (or a prefix), input file name or path.")],
    db: DbOption = "rasad.db",
) -> None:
    """Show a clean article with its entity mentions highlighted, and the entities found."""
    try:
        store = open_store(db, create=False)
    except RasadError as exc:
        raise _fail(exc) from exc
    try:
        found = store.find_article(article)
        if found is None:
            console.print(f"[red]error:[/red] {article}: no such article in {db}")
            raise typer.Exit(2)
        ids = {m.entity_id for m in found.mentions}
        entities = {e.id: e for e in store.entities() if e.id in ids}
    finally:
        store.close()
    out.rule(found.title or found.id)
    out.print(f"[dim]{found.outlet or '?'} · {found.published or 'no date'} · {found.file} · {found.id[:12]}[/dim]")
    out.print(highlighted(found, {i: e.type for i, e in entities.items()}))
    table = Table(title="entities")
    for col in ("type", "English", "Arabic", "mentions", "coordinates", "id"):
        table.add_column(col)
    counts: dict[str, int] = {}
    for m in found.mentions:
        counts[m.entity_id] = counts.get(m.entity_id, 0) + 1
    for e in sorted(entities.values(), key=lambda e: (e.type, e.name_en)):
        coords = f"{e.lat:.4f}, {e.lon:.4f}" if e.lat is not None and e.lon is not None else ""
        name = e.name_en + (" (discovered)" if e.discovered else "")
        table.add_row(Text(e.type, style=TYPE_STYLE.get(e.type, "")), name, e.name_ar, str(counts[e.id]), coords, e.id)
    out.print(table)


@app.command("eval")
def evaluate_cmd(
    gold: Annotated[Path, typer.Option("--gold", help="Gold file (shared/gold/FORMAT.md).")],
    db: DbOption = "rasad.db",
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
) -> None:
    """Score the database against a gold file: precision, recall and F1 per field."""
    from rasad.evaluate import evaluate, load_gold

    report = _read_store(db, lambda store: evaluate(build_export(store), load_gold(gold)))
    if as_json:
        out.print_json(json.dumps(report.as_dict(), ensure_ascii=False))
        return
    table = Table(title=f"rasad eval against {gold.name}")
    for col in ("field", "precision", "recall", "F1", "tp", "fp", "fn"):
        table.add_column(col, justify="right")
    for name in ("entities", "relations", "events"):
        s = getattr(report, name)
        table.add_row(name, f"{s.precision:.3f}", f"{s.recall:.3f}", f"{s.f1:.3f}", str(s.tp), str(s.fp), str(s.fn))
    out.print(table)
    out.print(f"stories: {report.story_pairs_ok}/{report.story_pairs} gold pairs in one story")
    out.print(f"event dates: {report.event_dates_in_window}/{report.events_matched_without_date} of the events "
              f"matched on type, place and actors fall in the gold window ({report.event_date_share:.0%})")
    for field, items in report.misses.items():
        if items:
            out.print(f"[yellow]missed {field}:[/yellow] " + "; ".join(items[:40]), highlight=False)
    for field, items in report.false_positives.items():
        if items:
            out.print(f"[yellow]false positives {field}:[/yellow] " + "; ".join(items[:40]), highlight=False)


@app.command("kb")
def kb_info(kb: KbOption = "default") -> None:
    """Describe the knowledge base: version, entity counts by type, sources."""
    try:
        knowledge = load_kb(kb)
    except RasadError as exc:
        raise _fail(exc) from exc
    table = Table(title=f"knowledge base {knowledge.name} {knowledge.version}")
    table.add_column("type")
    table.add_column("entities", justify="right")
    counts: dict[str, int] = {}
    for e in knowledge.entities.values():
        counts[e.type] = counts.get(e.type, 0) + 1
    for kind, n in sorted(counts.items()):
        table.add_row(kind, str(n))
    out.print(table)
    for line in knowledge.attribution:
        out.print(f"[dim]· {line}[/dim]")


@app.command("search")
def search_cmd(
    query: Annotated[str, typer.Argument(help="Arabic or English words; an article must contain every one.")],
    db: DbOption = "rasad.db",
    date_from: Annotated[str | None, typer.Option("--from", help="Published on or after YYYY-MM-DD.")] = None,
    date_to: Annotated[str | None, typer.Option("--to", help="Published on or before YYYY-MM-DD.")] = None,
    outlet: Annotated[str | None, typer.Option(help="Only articles of this outlet (any case).")] = None,
    entity: Annotated[str | None, typer.Option(help="Only articles mentioning this entity (id or name).")] = None,
    limit: Annotated[int, typer.Option(help="At most this many articles (and entities).")] = 20,
) -> None:
    """Find articles (newest first) and entities; hamza, ta marbuta, diacritics and attached clitics do not matter."""
    from rich.markup import escape

    from rasad.search import SearchOptions, search, snippet_markup

    options = SearchOptions(date_from=date_from, date_to=date_to, outlet=outlet, entity=entity, limit=limit)
    result = _read_store(db, lambda store: search(store, query, options=options))
    out.rule(f"{len(result.articles)} article(s) for {escape(query)}")
    for hit in result.articles:
        head = " · ".join(escape(part) for part in (hit.published or "no date", hit.outlet or "?", hit.title or ""))
        out.print(f"[bold]{hit.id[:12]}[/bold]  [dim]{head}[/dim]")
        if hit.snippet is not None:
            out.print("    " + snippet_markup(hit.snippet))
    if result.entities:
        table = Table(title="entities")
        for col in ("type", "English", "Arabic", "id"):
            table.add_column(col)
        for e in result.entities:
            name = e.name_en + (" (discovered)" if e.discovered else "")
            table.add_row(Text(e.type, style=TYPE_STYLE.get(e.type, "")), name, e.name_ar, e.id)
        out.print(table)


@app.command("stats")
def stats_cmd(
    db: DbOption = "rasad.db",
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
) -> None:
    """Figures: records per type, entities per type, outlets, corroboration, date ranges."""
    from rasad.stats import compute_stats, stats_record

    stats = _read_store(db, compute_stats)
    if as_json:
        out.print_json(json.dumps(stats_record(stats), ensure_ascii=False))
        return
    layer = "merged across articles" if stats.merged else "as the articles state them"
    tables = [
        _pairs_table(f"records (relations and events {layer})", "records", stats.counts),
        _pairs_table("entities by type", "entities", stats.entity_types),
        _pairs_table("articles by outlet", "articles", {k or "(none)": v for k, v in stats.outlets.items()}),
    ]
    corroboration = Table(title="corroboration (distinct outlets per record)")
    for col in ("outlets", "events", "relations"):
        corroboration.add_column(col, justify="right")
    hist = stats.corroboration
    for n in sorted(set(hist["events"]) | set(hist["relations"])):
        corroboration.add_row(str(n), str(hist["events"].get(n, 0)), str(hist["relations"].get(n, 0)))
    dates = Table(title="date range")
    for col in ("records", "first", "last"):
        dates.add_column(col)
    for label, span in (("articles (published)", stats.article_dates), ("events", stats.event_dates)):
        dates.add_row(label, span.first or "-", span.last or "-")
    for table in [*tables, corroboration, dates]:
        out.print(table)


def _pairs_table(title: str, column: str, values: dict[str, int]) -> Table:
    table = Table(title=title)
    table.add_column("")
    table.add_column(column, justify="right")
    for key, n in values.items():
        table.add_row(key, str(n))
    return table


@app.command("watch")
def watch_cmd(
    sources: Annotated[list[str], typer.Argument(help="Folders, files or RSS/Atom feed URLs to poll.")],
    db: DbOption = "rasad.db",
    kb: KbOption = "default",
    interval: Annotated[str, typer.Option(help="Time between cycles: 30s, 10m, 1h.")] = "10m",
    outlet: Annotated[str | None, typer.Option(help="Outlet for inputs that do not name one.")] = None,
    once: Annotated[bool, typer.Option("--once", help="Run one cycle and exit.")] = False,
    engine: EngineOption = "process",
    workers: WorkersOption = None,
    scheduler: SchedulerOption = None,
    batch: BatchOption = DEFAULT_BATCH,
    merge_every: Annotated[str | None, typer.Option(
        help="Merge at most this often (30m, 6h): cycles in between only ingest, and the merge catches up "
             "(default: after every cycle that adds articles).")] = None,
) -> None:
    """Poll inputs: ingest only new items, run the pipeline and the merge, log one line per cycle.

    SIGINT (Ctrl-C) or SIGTERM stops it cleanly after the article in hand.
    """
    from rasad.watch import WatchOptions, parse_interval, stop_on_signals, watch

    try:
        options = WatchOptions(interval_s=parse_interval(interval), cycles=1 if once else None,
                               ingest=IngestOptions(outlet=outlet),
                               merge_every_s=parse_interval(merge_every) if merge_every else 0.0)
        knowledge = load_kb(kb)
        store = open_store(db)
    except RasadError as exc:
        raise _fail(exc) from exc
    engine_options = EngineOptions(kind=engine, workers=workers, scheduler=scheduler, batch=batch)
    try:
        with stop_on_signals() as stop, open_engine(engine_options, kb=knowledge, pipeline=Pipeline.build(),
                                                    store_url=store.url) as eng:
            console.print(f"watching {len(sources)} input(s) every {interval} into {store.where} (Ctrl-C stops)")
            watch(sources, store=store, kb=knowledge, engine=eng, options=options, stop=stop,
                  merge=lambda st, k: merge_store(st, k, cache_path=embedding_cache_path(db), engine=engine_options),
                  log=lambda report: console.print(report.line(), highlight=False, markup=False))
    except RasadError as exc:
        raise _fail(exc) from exc
    finally:
        store.close()
    console.print("watch stopped")


@app.command("serve")
def serve_cmd(
    db: DbOption = "rasad.db",
    host: Annotated[str, typer.Option(help="Address to listen on (127.0.0.1: this machine only).")] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=1, max=65535, help="Port to listen on.")] = 8000,
    kb: KbOption = "default",
    allow_ingest: Annotated[bool, typer.Option(
        "--allow-ingest", help="Accept POST /api/ingest (with the bearer token); read-only otherwise.")] = False,
    token: Annotated[str | None, typer.Option(
        envvar="RASAD_INGEST_TOKEN", help="Bearer token for ingest (16+ characters; made up and printed if absent).",
    )] = None,
    tiles: Annotated[str | None, typer.Option(
        help="Online map tiles, an https URL template with {z}/{x}/{y} (off by default: the UI works offline).",
    )] = None,
    tiles_attribution: Annotated[str, typer.Option(help="Attribution shown for --tiles.")] = "",
) -> None:
    """Serve the HTTP API (/api, schema at /api/openapi.json) and the web UI (/)."""
    import secrets

    try:
        from rasad.web.options import WebOptions
        from rasad.web.serve import serve
    except ImportError as exc:
        console.print(f"[red]error:[/red] the web server needs the web extra: pip install 'rasad\\[web]' ({exc.name})")
        raise typer.Exit(2) from exc
    if allow_ingest and not token:
        token = secrets.token_urlsafe(24)
        console.print(f"ingest token (send as 'Authorization: Bearer …'): {token}", highlight=False)
    options = WebOptions(db=db, allow_ingest=allow_ingest, token=token if allow_ingest else None, kb=kb, tiles=tiles,
                         tiles_attribution=tiles_attribution)
    try:
        options.check()
        open_store(db, create=False).close()
    except RasadError as exc:
        raise _fail(exc) from exc
    console.print(f"rasad: http://{host}:{port}/  (API schema: /api/openapi.json; Ctrl-C stops)", highlight=False)
    serve(options, host=host, port=port)


@app.command("report")
def report_cmd(
    db: DbOption = "rasad.db",
    output: Annotated[Path, typer.Option("--output", "-o", help="The HTML file to write.")] = Path("report.html"),
    title: Annotated[str | None, typer.Option(help="Title shown at the top of the report.")] = None,
    kb: KbOption = "default",
) -> None:
    """Write a one-file HTML report (map, timeline, network, top tables) that opens with no network."""
    from rasad.report import build_report

    page = _read_store(db, lambda store: build_report(store, title=title, kb=kb))
    try:
        output.write_text(page, encoding="utf-8")
    except OSError as exc:
        console.print(f"[red]error:[/red] {output}: cannot write: {exc.strerror}")
        raise typer.Exit(2) from exc
    console.print(f"wrote {output} ({len(page.encode('utf-8')) // 1024} KiB)")


app.command("eval-ner")(eval_ner)


if __name__ == "__main__":  # pragma: no cover
    app()
