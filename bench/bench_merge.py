"""Benchmark: ingest + merge of generated articles, and how merge time grows with the corpus.

usage: python bench/bench_merge.py [--count 10000] [--sizes 1000,5000,10000] [--dir DIR] [--no-store]
       python bench/bench_merge.py --rss [--sizes 1000,5000,10000] [--per-day 20] [--no-encoder]
                                   [--dir DIR] [--modes all,keyed,keyed2] [--trace]

``--rss``: for each size, a store of that many articles (20 a day, an archive growing with time),
then the merge in a fresh process twice, all at once (merge_all) and as the keyed reduce
(merge_store), reporting each one's time and peak resident memory; with ``--dir`` the stores are kept
there and reused by the next run.

1. Writes ``--count`` articles with bench/synth.py (deterministic) unless
   ``--dir`` already holds them.
2. Ingests them into a fresh SQLite store with rasad.runner.run_paths (or, with
   ``--no-store``, through the per-article pipeline in memory) and reports
   articles/s.
3. Runs the merge stage (duplicates, stories with the sentence encoder,
   events, relations) on the first N articles for each N of ``--sizes``, each
   with an empty embedding cache, and reports the time of each part, the
   candidate pairs blocking let through and the time per article: a merge
   that is not quadratic keeps that figure roughly flat.
4. Scores the stories against the generator's ground truth (pairs of reports
   of one development) and reports peak memory (maximum resident set size).
"""

from __future__ import annotations

import argparse
import resource
import sys
import tempfile
import time
from collections.abc import Iterator, Mapping, Sequence
from itertools import combinations
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))

from synth import generate, truth_file  # noqa: E402

from rasad.kb import KnowledgeBase, load_kb  # noqa: E402
from rasad.merge import article_input  # noqa: E402
from rasad.merge.dedup import find_duplicates  # noqa: E402
from rasad.merge.embed import EmbeddingCache  # noqa: E402
from rasad.merge.events import merge_events  # noqa: E402
from rasad.merge.relations import merge_relations  # noqa: E402
from rasad.merge.stories import StoryOptions, find_stories  # noqa: E402

Inputs = tuple[list[dict[str, Any]], list[dict[str, Any]], list[dict[str, Any]], dict[str, str]]


def peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _in_memory(folder: Path, kb: KnowledgeBase) -> Inputs:
    from dataclasses import asdict

    from rasad.ingest import IngestOptions, iter_documents
    from rasad.model import Article
    from rasad.pipeline import Pipeline, process_stream

    articles, events, relations, files = [], [], [], {}
    for item in process_stream(iter_documents([folder], options=IngestOptions()), kb, pipeline=Pipeline.build()):
        if not isinstance(item, Article):
            continue
        files[item.id] = item.file
        articles.append(article_input(item))
        for e in item.events:
            record = asdict(e)
            record.update(assoc_actor_1=list(e.assoc_actor_1), assoc_actor_2=list(e.assoc_actor_2), tags=list(e.tags))
            events.append(record)
        relations.extend({"id": r.id, "subject": r.subject, "predicate": r.predicate, "object": r.object,
                          "co_subjects": list(r.co_subjects), "evidence": [asdict(x) for x in r.evidence]}
                         for r in item.relations)
    return _unique(articles), events, relations, files


def _unique(articles: list[dict[str, Any]]) -> list[dict[str, Any]]:
    seen: dict[str, dict[str, Any]] = {}
    for a in articles:
        seen.setdefault(a["id"], a)
    return list(seen.values())


def _stored(folder: Path, kb: KnowledgeBase, db: Path) -> Inputs:
    from rasad.runner import run_paths
    from rasad.store import open_store

    store = open_store(str(db))
    try:
        run_paths([folder], store=store, kb=kb)
        files = {a.id: a.file for a in store.articles()}
        articles = [article_input(a) for a in store.articles()]
        events = list(store.raw_events())
        relations = list(store.raw_relations())
    finally:
        store.close()
    return articles, events, relations, files


def _subset(inputs: Inputs, n: int) -> Inputs:
    articles, events, relations, files = inputs
    chosen = sorted(articles, key=lambda a: files[a["id"]])[:n]
    ids = {a["id"] for a in chosen}

    def keep(records: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
        return [dict(r, evidence=[e for e in r["evidence"] if e["article_id"] in ids])
                for r in records if any(e["article_id"] in ids for e in r["evidence"])]

    return chosen, keep(events), keep(relations), files


def _timed(label: str, timings: dict[str, float], fn: Any, *args: Any, **kwargs: Any) -> Any:
    started = time.perf_counter()
    out = fn(*args, **kwargs)
    timings[label] = time.perf_counter() - started
    return out


def merge_once(inputs: Inputs, kb: KnowledgeBase) -> dict[str, Any]:
    articles, events, relations, _ = inputs
    published = {a["id"]: a.get("published") for a in articles}
    t: dict[str, float] = {}
    duplicates = _timed("duplicates", t, find_duplicates, articles)
    stories = _timed("stories", t, find_stories, articles, kb.entities, duplicates=duplicates,
                     options=StoryOptions(), cache=EmbeddingCache())
    merged_events = _timed("events", t, merge_events, events, kb.entities, published=published)
    merged_relations = _timed("relations", t, merge_relations, relations, kb.entities, published=published)
    return {"t": t, "duplicates": duplicates, "stories": stories, "events_in": len(events),
            "events_out": len(merged_events), "relations_in": len(relations), "relations_out": len(merged_relations),
            "pairs": len(stories.pairs), "messages": stories.messages}


def _truth(folder: Path) -> dict[str, str]:
    rows = (line.split("\t") for line in truth_file(folder).read_text(encoding="utf-8").splitlines()[1:])
    return {r[0]: r[1] for r in rows}


def _pairs(groups: Iterator[list[str]]) -> set[tuple[str, str]]:
    return {p for g in groups for p in combinations(sorted(g), 2)}


def story_quality(result: dict[str, Any], files: Mapping[str, str], truth: Mapping[str, str]) -> str:
    predicted = _pairs(iter([[files[i] for i in s["article_ids"]] for s in result["stories"].stories]))
    by_dev: dict[str, list[str]] = {}
    for file in {files[i] for i in result["stories"].story_of}:
        by_dev.setdefault(truth[file], []).append(file)
    gold = _pairs(iter(by_dev.values()))
    hit = len(predicted & gold)
    precision = hit / len(predicted) if predicted else 1.0
    recall = hit / len(gold) if gold else 1.0
    return f"story pairs: precision {precision:.3f}, recall {recall:.3f} ({len(gold)} true pairs)"


MODES = {"all": "merge_all", "keyed": "keyed reduce", "keyed2": "keyed, 2 worker processes"}


def _rss_child(db: str, mode: str, encoder: bool, trace: bool) -> None:
    """One merge of the store at ``db`` in this (fresh) process; prints seconds, peak RSS of this process
    (MiB; worker processes come from a fork server, so they are not counted) and with ``trace`` the peak
    of Python and numpy allocations (MiB)."""
    import tracemalloc

    from rasad.engines import EngineOptions
    from rasad.merge import MergeOptions, merge_all
    from rasad.merge.apply import merge_store
    from rasad.store import open_store

    kb = load_kb()
    options = MergeOptions(stories=StoryOptions(use_encoder=encoder))
    store = open_store(db)
    if trace:
        tracemalloc.start()
    started = time.perf_counter()
    if mode == "all":
        merge_all([article_input(a) for a in store.articles()], list(store.raw_events()),
                  list(store.raw_relations()), kb.entities, options=options)
    else:  # as `rasad run` does: embeddings kept in a folder (empty here: a first merge)
        engine = EngineOptions(kind="process", workers=2) if mode == "keyed2" else EngineOptions()
        merge_store(store, kb, options=options, engine=engine,
                    cache_path=Path(tempfile.mkdtemp(prefix="rasad-bench-vectors-")) / "embeddings")
    elapsed = time.perf_counter() - started
    traced = tracemalloc.get_traced_memory()[1] / 2**20 if trace else 0.0
    store.close()
    print(f"{elapsed:.1f} {peak_mib():.0f} {traced:.0f}")


def rss(sizes: list[int], per_day: float, encoder: bool, work: Path | None, modes: list[str], trace: bool) -> None:
    """``work``: where the stores are kept; a store already there (same size) is merged again, not rebuilt."""
    import subprocess

    from rasad.runner import run_paths
    from rasad.store import open_store

    work = work or Path(tempfile.mkdtemp(prefix="rasad-bench-rss-"))
    for size in sizes:
        folder, db = work / f"a{size}", work / f"m{size}.db"
        if not db.is_file():
            generate(size, folder, per_day=per_day)
            store = open_store(str(db))
            run_paths([folder], store=store, kb=load_kb())
            store.close()
        line = [f"merge {size:>6} articles:"]
        for mode in modes:
            command = [sys.executable, __file__, "--child", str(db), mode, str(int(encoder)), str(int(trace))]
            out = subprocess.run(command, capture_output=True, text=True, check=True).stdout.split()
            traced = f", traced peak {out[2]} MiB" if trace else ""
            line.append(f"{MODES[mode]} {out[0]} s, peak RSS {out[1]} MiB{traced};")
        print(" ".join(line), flush=True)


def main() -> None:
    if sys.argv[1:2] == ["--child"]:
        _rss_child(sys.argv[2], sys.argv[3], sys.argv[4] == "1", sys.argv[5] == "1")
        return
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--count", type=int, default=10_000)
    parser.add_argument("--sizes", default="1000,5000,10000")
    parser.add_argument("--dir", type=Path, default=None)
    parser.add_argument("--no-store", action="store_true", help="process in memory instead of into SQLite")
    parser.add_argument("--rss", action="store_true", help="peak memory of merge_all against the keyed merge")
    parser.add_argument("--per-day", type=float, default=20.0)
    parser.add_argument("--no-encoder", action="store_true")
    parser.add_argument("--modes", default="all,keyed",
                        help="--rss: which merges to run: all (merge_all), keyed (inline), keyed2 (2 worker processes)")
    parser.add_argument("--trace", action="store_true", help="--rss: also the tracemalloc peak (slower)")
    args = parser.parse_args()
    if args.rss:
        rss([int(s) for s in args.sizes.split(",")], args.per_day, not args.no_encoder, args.dir,
            args.modes.split(","), args.trace)
        return
    work = Path(tempfile.mkdtemp(prefix="rasad-bench-merge-"))
    folder = args.dir or work / "articles"
    if not truth_file(folder).is_file():
        started = time.perf_counter()
        generate(args.count, folder)
        print(f"generated {args.count} articles in {time.perf_counter() - started:.1f} s -> {folder}")
    kb = load_kb()
    started = time.perf_counter()
    inputs = _in_memory(folder, kb) if args.no_store else _stored(folder, kb, work / "bench.db")
    elapsed = time.perf_counter() - started
    where = "in memory" if args.no_store else "into SQLite"
    print(f"ingest {where}: {len(inputs[0])} articles in {elapsed:.1f} s = {len(inputs[0]) / elapsed:.0f} articles/s; "
          f"{len(inputs[1])} events, {len(inputs[2])} relations; peak memory {peak_mib():.0f} MiB")
    truth = _truth(folder)
    for size in (int(s) for s in args.sizes.split(",")):
        result = merge_once(_subset(inputs, size), kb)
        t = result["t"]
        total = sum(t.values())
        stories = result["stories"].stories
        print(f"merge {size:>6} articles: {total:6.1f} s ({1000 * total / size:.2f} ms/article) = "
              + ", ".join(f"{k} {v:.1f} s" for k, v in t.items())
              + f"; {result['pairs']} story candidate pairs, {len(result['duplicates'])} duplicates, "
              f"{sum(len(s['article_ids']) > 1 for s in stories)} multi-article stories, "
              f"events {result['events_in']} -> {result['events_out']}, "
              f"relations {result['relations_in']} -> {result['relations_out']}; "
              f"peak memory {peak_mib():.0f} MiB")
        print("   ", story_quality(result, inputs[3], truth), *result["messages"])


if __name__ == "__main__":
    main()
