"""Run the pipeline over inputs into a store, with a summary of what happened.

The loop, in this process and in input order: read a document, clean it
(cleaning learns each outlet's furniture lines from the documents before, so
it is sequential), and if its clean text is already stored, only record the
new source; otherwise hand it to the engine (:mod:`rasad.engines`), which runs
the per-article stages in batches, here or on workers, and store each batch as
it comes back in one transaction (a few articles: a commit per article costs
the single writing process a third of its time): a run killed at any point
leaves only whole articles, and the next run adds the rest.  Nothing here
grows with the number of articles: the engine keeps a bounded number of
batches in flight and the summary keeps counts, tallies of names and the
first :data:`SKIPS_KEPT` skipped inputs.
"""

from __future__ import annotations

import re
from collections import Counter, deque
from collections.abc import Callable, Iterable, Iterator
from contextlib import nullcontext
from dataclasses import dataclass, field
from pathlib import Path

from rasad.engines import (
    Engine,
    EngineOptions,
    Stored,
    Tally,
    ToClean,
    Written,
    open_engine,
    tally_of,
)
from rasad.ingest import IngestOptions, iter_documents
from rasad.kb.loader import KnowledgeBase
from rasad.model import RawDoc, Skipped
from rasad.pipeline import Pipeline, RunState
from rasad.store.base import Store
from rasad.store.records import Prepared
from rasad.text.clean import observed_lines

Progress = Callable[[str], None]
StopCheck = Callable[[], bool]
SKIPS_KEPT = 1000
REASONS_KEPT = 100
_LINE_PREFIX = re.compile(r"^line \d+: ")


@dataclass(slots=True)
class SkipLog:
    """Skipped inputs: all counted, the first ``keep`` kept with their reasons, reasons tallied.

    Iterating gives the kept ones; ``len`` is the count of all of them.
    """

    keep: int = SKIPS_KEPT
    count: int = 0
    first: list[Skipped] = field(default_factory=list)
    reasons: Counter[str] = field(default_factory=Counter)

    def append(self, item: Skipped) -> None:
        self.count += 1
        if len(self.first) < self.keep:
            self.first.append(item)
        kind = _LINE_PREFIX.sub("", item.reason)
        if kind in self.reasons or len(self.reasons) < REASONS_KEPT:
            self.reasons[kind] += 1
        else:
            self.reasons["other reasons"] += 1

    def __len__(self) -> int:
        return self.count

    def __iter__(self) -> Iterator[Skipped]:
        return iter(self.first)


@dataclass(slots=True)
class RunSummary:
    read: int = 0
    added: int = 0
    duplicates: int = 0
    skipped: SkipLog = field(default_factory=SkipLog)
    mentions: int = 0
    events: int = 0
    relations: int = 0
    entity_types: Counter[str] = field(default_factory=Counter)
    actors: Counter[str] = field(default_factory=Counter)
    places: Counter[str] = field(default_factory=Counter)
    stopped: bool = False


def _count(summary: RunSummary, tally: Tally) -> None:
    summary.mentions += tally.mentions
    summary.events += tally.events
    summary.relations += tally.relations
    summary.entity_types.update(tally.entity_types)
    summary.actors.update(tally.actors)
    summary.places.update(tally.places)


Done = Prepared | Stored | Written | Skipped  # what comes back from an engine (and skips passed along)
Item = ToClean | Done


def prepare(docs: Iterable[RawDoc | Skipped], *, state: RunState, stop: StopCheck | None = None) -> Iterator[Item]:
    """Each document with its outlet's furniture so far, learning from it in input order (the engine cleans it)."""
    for doc in docs:
        if stop is not None and stop():
            return
        if isinstance(doc, Skipped):
            yield doc
            continue
        learned = state.line_stats.snapshot(doc.outlet)
        state.line_stats.observe(doc.outlet, observed_lines(doc))
        yield ToClean(doc, learned)


def _batches(items: Iterable[Item], size: int, held: deque[list[Item]]) -> Iterator[list[ToClean]]:
    """The documents to process, ``size`` items at a time; each batch's items wait in ``held``, in order."""
    batch: list[Item] = []
    for item in items:
        batch.append(item)
        if len(batch) >= size:
            held.append(batch)
            yield [x for x in batch if isinstance(x, ToClean)]
            batch = []
    if batch:
        held.append(batch)
        yield [x for x in batch if isinstance(x, ToClean)]


def process_batches(items: Iterable[Item], engine: Engine) -> Iterator[list[Done]]:
    """The items in batches, in input order, the documents among them through the engine's stages."""
    held: deque[list[Item]] = deque()
    for results in engine.map(_batches(items, max(1, engine.batch), held)):
        done = iter(results)
        yield [next(done) if isinstance(item, ToClean) else item for item in held.popleft()]


def process_items(items: Iterable[Item], engine: Engine) -> Iterator[Done]:
    """Every item in input order, the documents among them through the engine's stages."""
    for batch in process_batches(items, engine):
        yield from batch


@dataclass(slots=True)
class RunControl:
    """How a run reports and stops, and what it learns that outlives one run (a watch keeps it across cycles)."""

    progress: Progress | None = None
    stop: StopCheck | None = None
    state: RunState = field(default_factory=RunState)


def run_paths(
    paths: Iterable[str | Path], *, store: Store, kb: KnowledgeBase,
    options: IngestOptions | None = None, progress: Progress | None = None, pipeline: Pipeline | None = None,
    engine: EngineOptions | None = None, stop: StopCheck | None = None,
) -> RunSummary:
    """Ingest, process and store every input (files, folders, feed URLs); one transaction per batch of articles.

    ``engine`` picks where the per-article stages run (default: inline, in this process).  ``stop`` is
    asked before each input document; once it says True the run stores what is in flight and ends
    (``summary.stopped``).
    """
    docs = iter_documents(paths, options=options or IngestOptions())
    control = RunControl(progress=progress, stop=stop)
    with open_engine(engine or EngineOptions(), kb=kb, pipeline=pipeline or Pipeline.build(),
                     store_url=store.url) as opened:
        return run_documents(docs, store=store, kb=kb, engine=opened, control=control)


def run_documents(
    docs: Iterable[RawDoc | Skipped], *, store: Store, kb: KnowledgeBase, engine: Engine,
    control: RunControl | None = None,
) -> RunSummary:
    """Process and store documents already being read, on an open engine (which holds the pipeline)."""
    ctl = control or RunControl()
    summary = RunSummary()
    run_id = store.start_run(kb.version)
    items = prepare(docs, state=ctl.state, stop=ctl.stop)
    for batch in process_batches(items, engine):
        # One commit per batch (each add_article's own transaction joins it); none when the workers stored it all.
        writes = any(not isinstance(item, Written) for item in batch)
        with store.transaction() if writes else nullcontext():
            for item in batch:
                _store_one(item, summary=summary, store=store, kb=kb, run_id=run_id)
        if ctl.progress is not None:
            for item in batch:
                ctl.progress(item.source)
    summary.stopped = ctl.stop is not None and ctl.stop()
    store.finish_run(run_id, read=summary.read, added=summary.added, duplicates=summary.duplicates,
                     skipped=len(summary.skipped))
    return summary


def _store_one(item: Done, *, summary: RunSummary, store: Store, kb: KnowledgeBase, run_id: int) -> None:
    if isinstance(item, Skipped):
        summary.skipped.append(item)
        store.add_skipped(run_id, item.source, item.reason)
        return
    summary.read += 1
    if isinstance(item, Written):
        added, tally = item.added, item.tally
    else:
        rows = item.rows if isinstance(item, Prepared) else None
        added = store.add_article(item.article, kb_entities=kb.entities, kb_version=kb.version, rows=rows)
        tally = tally_of(item.article, kb)
    if added:
        summary.added += 1
        _count(summary, tally)
    else:
        summary.duplicates += 1
