"""Watch mode: poll folders, files and feeds; ingest only what is new; merge; one log line per cycle.

What has been seen lives in the database: an article is known by the hash of
its clean text, so an item read again (a feed's entries at every poll, a
folder after a restart) is cleaned, found stored and only its source recorded
— it never goes through the stages twice.  Within one process, files whose
size and modification time have not changed since they were read are not
read again, and a file changed less than ``settle_s`` ago is left for the next
cycle (it may still be being written; writing to a hidden name and renaming
avoids the wait).  Feed URLs are fetched at every cycle.

The merge runs after every cycle that stored new articles, or with
``merge_every_s`` at most that often: cycles in between only ingest, and a
merge left pending is recorded in the database (``meta``), so that the next
watch catches up even if this one is stopped first.

SIGINT and SIGTERM stop the watch between two articles: what is in flight is
stored, the run is closed, and the process exits normally; every article
committed before stays committed.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import signal
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from types import FrameType

from rasad.engines import Engine
from rasad.errors import RasadError
from rasad.ingest.feeds import is_url, iter_feed_url
from rasad.ingest.walk import IngestOptions, iter_files, read_file
from rasad.kb.loader import KnowledgeBase
from rasad.model import RawDoc, Skipped
from rasad.runner import RunControl, RunSummary, run_documents
from rasad.store.base import MERGE_PENDING, Store

MergeHook = Callable[[Store, KnowledgeBase], object]
_INTERVAL = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([smh]?)\s*$")
_UNIT_SECONDS = {"": 1.0, "s": 1.0, "m": 60.0, "h": 3600.0}
REASONS_SHOWN = 3


def parse_interval(text: str) -> float:
    """``30s``, ``10m``, ``1h`` (or a bare number of seconds) as seconds."""
    match = _INTERVAL.match(text.lower())
    if match is None or float(match.group(1)) <= 0:
        raise RasadError(f"interval {text!r}: give a positive number with s, m or h (30s, 10m, 1h)")
    return float(match.group(1)) * _UNIT_SECONDS[match.group(2)]


@dataclass(frozen=True, slots=True)
class WatchOptions:
    interval_s: float = 600.0
    settle_s: float = 1.0
    cycles: int | None = None  # stop after this many cycles; None: until a signal
    merge_every_s: float = 0.0  # at most one merge per this many seconds; 0: after every cycle that adds articles
    ingest: IngestOptions = field(default_factory=IngestOptions)


@dataclass(frozen=True, slots=True)
class CycleReport:
    cycle: int
    inputs: int
    summary: RunSummary
    events_new: int
    events_updated: int
    merged: bool
    seconds: float
    merge_due_s: float | None = None  # set when new articles wait for a deferred merge: seconds until it runs

    def line(self) -> str:
        """One log line: new articles, already stored, events, skipped with reasons."""
        s = self.summary
        stamp = dt.datetime.now().strftime("%Y-%m-%d %H:%M:%S")
        parts = [
            f"{stamp} cycle {self.cycle}: {self.inputs} input(s) read",
            f"{s.added} new article(s)",
            f"{s.duplicates} already stored",
            f"events {self.events_new} new, {self.events_updated} updated" + self._merge_note(),
            f"{len(s.skipped)} skipped" + _reasons(s),
            f"{self.seconds:.1f} s",
        ]
        return ", ".join(parts) + (" (stopping)" if s.stopped else "")

    def _merge_note(self) -> str:
        if self.merged:
            return " (merged)"
        if self.merge_due_s is not None:
            return f" (merge deferred: due in {max(1, round(self.merge_due_s / 60))} min)"
        return ""


def _reasons(summary: RunSummary) -> str:
    common = summary.skipped.reasons.most_common(REASONS_SHOWN)
    return f" ({'; '.join(f'{n}× {reason}' for reason, n in common)})" if common else ""


@dataclass(slots=True)
class SeenFiles:
    """Files read by this process, by (size, modification time in ns)."""

    stamps: dict[str, tuple[int, int]] = field(default_factory=dict)

    def take(self, path: str, *, settle_s: float, now: float) -> bool:
        """True (and remembered) when ``path`` is new or changed and has settled."""
        try:
            info = os.stat(path)
        except OSError:
            return True  # read_file reports why it cannot be read
        stamp = (info.st_size, info.st_mtime_ns)
        if self.stamps.get(path) == stamp or now - info.st_mtime < settle_s:
            return False
        self.stamps[path] = stamp
        return True


@dataclass(slots=True)
class CycleInputs:
    """The documents of one cycle's new inputs, counting the inputs as they are read."""

    sources: Sequence[str]
    seen: SeenFiles
    options: WatchOptions
    count: int = 0

    def documents(self) -> Iterator[RawDoc | Skipped]:
        now = time.time()
        for source in self.sources:
            if is_url(source):
                self.count += 1
                yield from iter_feed_url(source, options=self.options.ingest)
                continue
            for path in iter_files([source]):
                if isinstance(path, Skipped):
                    yield path
                elif self.seen.take(path, settle_s=self.options.settle_s, now=now):
                    self.count += 1
                    yield from read_file(path, options=self.options.ingest)


def event_digests(store: Store) -> dict[str, int]:
    """Event id → a digest of its record (merged layer when there is one), to tell new and updated events."""
    return {str(r["id"]): hash(json.dumps(r, sort_keys=True, default=str)) for r in store.events()}


@dataclass(slots=True)
class Watcher:
    """The state of a watch between cycles."""

    sources: Sequence[str]
    store: Store
    kb: KnowledgeBase
    engine: Engine
    options: WatchOptions
    merge: MergeHook | None = None
    seen: SeenFiles = field(default_factory=SeenFiles)
    control: RunControl = field(default_factory=RunControl)
    events: dict[str, int] | None = None
    cycles: int = 0
    last_merge: float | None = None  # time.monotonic() of this watcher's last merge

    def cycle(self) -> CycleReport:
        started = time.perf_counter()
        self.cycles += 1
        if self.events is None:
            self.events = event_digests(self.store)
        inputs = CycleInputs(self.sources, self.seen, self.options)
        summary = run_documents(inputs.documents(), store=self.store, kb=self.kb, engine=self.engine,
                                control=self.control)
        merged, due = self._merge(added=summary.added > 0)
        new = updated = 0
        if merged or (summary.added and self.merge is None):
            after = event_digests(self.store)
            new = sum(1 for key in after if key not in self.events)
            updated = sum(1 for key, digest in after.items() if key in self.events and self.events[key] != digest)
            self.events = after
        return CycleReport(self.cycles, inputs.count, summary, new, updated, merged, time.perf_counter() - started,
                           merge_due_s=due)

    def _merge(self, *, added: bool) -> tuple[bool, float | None]:
        """Merge when articles wait for it (this cycle's, or a deferred merge's) and one is due:
        (merged, seconds until the deferred merge when it is not due yet)."""
        if self.merge is None:
            return False, None
        recorded = self.store.meta().get(MERGE_PENDING) == "1"
        if not (added or recorded):
            return False, None
        wait = 0.0 if self.last_merge is None else self.options.merge_every_s - (time.monotonic() - self.last_merge)
        if wait > 0:
            if not recorded:
                self._record_pending("1")
            return False, wait
        self.merge(self.store, self.kb)
        self.last_merge = time.monotonic()
        if recorded:
            self._record_pending("0")
        return True, None

    def _record_pending(self, value: str) -> None:
        with self.store.transaction():
            self.store.set_meta(MERGE_PENDING, value)


def watch(
    sources: Iterable[str], *, store: Store, kb: KnowledgeBase, engine: Engine, options: WatchOptions,
    log: Callable[[CycleReport], None], stop: StopFlag, merge: MergeHook | None = None,
) -> int:
    """Run cycles until ``stop`` is set (or ``options.cycles`` are done); the number of cycles run."""
    watcher = Watcher(list(sources), store, kb, engine, options, merge=merge,
                      control=RunControl(stop=stop.is_set))
    while not stop.is_set():
        log(watcher.cycle())
        if options.cycles is not None and watcher.cycles >= options.cycles:
            break
        stop.wait(options.interval_s)
    return watcher.cycles


class StopFlag:
    """Set from a signal handler, read by the run loop; waiting sleeps in short steps.

    (A ``threading.Event`` set from a handler can deadlock when the signal lands while the main thread
    holds the event's own lock.)
    """

    STEP_S = 0.2

    def __init__(self) -> None:
        self._set = False

    def set(self) -> None:
        self._set = True

    def is_set(self) -> bool:
        return self._set

    def wait(self, seconds: float) -> bool:
        """Sleep up to ``seconds`` or until set; whether it is set."""
        end = time.monotonic() + seconds
        while not self._set and (left := end - time.monotonic()) > 0:
            time.sleep(min(self.STEP_S, left))
        return self._set


@contextmanager
def stop_on_signals() -> Iterator[StopFlag]:
    """A flag set by SIGINT or SIGTERM while the block runs (the previous handlers come back after)."""
    stop = StopFlag()

    def handle(signum: int, frame: FrameType | None) -> None:
        stop.set()

    previous = {sig: signal.signal(sig, handle) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield stop
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
