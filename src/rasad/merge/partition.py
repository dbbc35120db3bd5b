"""Exact partitions for the keyed merge: pieces that never merge with each other.

Events.  Two events can only end in one merged event when they have the same
type and sub-type, nested locations (one is the other or its ancestor) and
overlapping date windows: a group's window is the intersection of its members'
windows, so its members overlap pairwise.  The connected components of that
"may merge" graph are therefore independent, and grouping each one alone gives
what grouping everything at once gives (the greedy order compares pairs by their
own ids and dates, never by their neighbours).  :func:`event_partitions` finds
the components with a sweep over window starts, holding only the events whose
windows are still open.  Events without a location or a date are never merged:
each is a partition of its own.

Articles.  Time chunks (:func:`day_chunks`) of about ``size`` articles each, by
publication day; every pairwise test of the merge (copies within 14 days,
story candidates within 10) reads one chunk plus the days before it.
"""

from __future__ import annotations

import datetime as dt
import heapq
import itertools
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from rasad.errors import RasadError
from rasad.merge.common import Entities, UnionFind, ancestors, parse_date
from rasad.merge.events import Window, date_window

# An event's window starts at most this many days before its event_date (a month-precision window starts
# on the 1st), so events read in event_date order reach the sweep in window-start order after this delay.
WINDOW_LEAD_DAYS = 31

LEAD = dt.timedelta(days=WINDOW_LEAD_DAYS)
Dated = tuple[dict[str, Any], dict[str, str | None]]  # an event record and its articles' publication dates


@dataclass(slots=True)
class _Open:
    """An event inside the sweep: still able to overlap events that start later."""

    seq: int
    item: Dated
    window: Window
    keys: tuple[tuple[str, str, str], ...]  # (type, sub-type, place) for its place and each ancestor


@dataclass(slots=True)
class _Sweep:
    entities: Entities
    parts: UnionFind = field(default_factory=UnionFind)
    comps: dict[str, list[_Open]] = field(default_factory=dict)  # component root → its events
    ends: dict[str, dt.date] = field(default_factory=dict)  # component root → latest window end
    closing: list[tuple[dt.date, str]] = field(default_factory=list)  # heap of (end, root); stale entries skipped
    at: dict[tuple[str, str, str], set[int]] = field(default_factory=dict)  # open events at a place
    under: dict[tuple[str, str, str], set[int]] = field(default_factory=dict)  # open events at or below a place
    active: list[tuple[dt.date, int, _Open]] = field(default_factory=list)  # heap of (window end, seq, event)

    def add(self, event: _Open) -> None:
        own = event.keys[0]
        neighbours = set(self.under.get(own, ())) | {s for key in event.keys[1:] for s in self.at.get(key, ())}
        name = str(event.seq)
        self.parts.add(name)
        members, end = [event], event.window[1]
        for root in {self.parts.find(str(other)) for other in neighbours}:
            members += self.comps.pop(root)
            end = max(end, self.ends.pop(root))
            self.parts.union(name, root)
        root = self.parts.find(name)
        self.comps[root], self.ends[root] = members, end
        heapq.heappush(self.closing, (end, root))
        self.at.setdefault(own, set()).add(event.seq)
        for key in event.keys:
            self.under.setdefault(key, set()).add(event.seq)
        heapq.heappush(self.active, (event.window[1], event.seq, event))

    def expire(self, before: dt.date) -> None:
        """Events whose window ended before ``before`` can overlap nothing that starts from then on."""
        while self.active and self.active[0][0] < before:
            event = heapq.heappop(self.active)[2]
            self.at[event.keys[0]].discard(event.seq)
            for key in event.keys:
                self.under[key].discard(event.seq)

    def closed(self, before: dt.date | None) -> Iterator[list[Dated]]:
        """Components whose every window ended before ``before`` (all of them when None)."""
        while self.closing and (before is None or self.closing[0][0] < before):
            end, root = heapq.heappop(self.closing)
            if self.ends.get(root) != end:
                continue  # stale: the component grew or was merged since
            del self.ends[root]
            members = sorted(self.comps.pop(root), key=lambda e: e.seq)
            for event in members:
                self.parts.parent.pop(str(event.seq), None)
            yield [e.item for e in members]


def _keys(event: Mapping[str, Any], entities: Entities) -> tuple[tuple[str, str, str], ...]:
    kind = (str(event["event_type"]), str(event["sub_event_type"]))
    place = str(event["location"])
    return tuple((*kind, p) for p in (place, *ancestors(place, entities)))


def _published_day(item: Dated) -> dt.date | None:
    days = [parse_date(item[1].get(str(e["article_id"]))) for e in item[0].get("evidence") or ()]
    known = [d for d in days if d is not None]
    return min(known) if known else None


def event_partitions(events: Iterable[Dated], entities: Entities) -> Iterator[list[Dated]]:
    """Independent groups of events, from events read in ``event_date`` order (undated first).

    Each group can be merged alone (:func:`rasad.merge.events.merge_events`) with the same result as
    merging every event at once.  Memory: the events whose windows are open at the sweep line.
    """
    sweep = _Sweep(entities)
    waiting: list[tuple[dt.date, int, _Open]] = []  # heap by window start: events not swept yet
    seq = itertools.count()
    line: dt.date | None = None  # no event read from now on starts before this day
    for item in events:
        event = item[0]
        window = date_window(event, _published_day(item))
        if window is None or not event.get("location"):
            yield [item]
            continue
        if line is not None and window[0] < line:
            raise RasadError(f"merge: event {event.get('id')} starts more than {WINDOW_LEAD_DAYS} days "
                             "before its date, or was read out of date order")
        opened = _Open(next(seq), item, window, _keys(event, entities))
        heapq.heappush(waiting, (window[0], opened.seq, opened))
        day = parse_date(event.get("event_date"))
        if day is not None and (line is None or day - LEAD > line):
            line = day - LEAD
            yield from _advance(sweep, waiting, line)
    yield from _advance(sweep, waiting, None)
    yield from sweep.closed(None)


def _advance(sweep: _Sweep, waiting: list[tuple[dt.date, int, _Open]], limit: dt.date | None) -> Iterator[list[Dated]]:
    """Sweep every waiting event that starts before ``limit`` (all when None), closing finished components."""
    while waiting and (limit is None or waiting[0][0] < limit):
        start, _, event = heapq.heappop(waiting)
        sweep.expire(start)
        yield from sweep.closed(start)
        sweep.add(event)


def day_chunks(days: Mapping[str, int], size: int) -> list[tuple[str, str]]:
    """Consecutive runs of publication days (ISO) holding about ``size`` articles each: (first, last)."""
    chunks: list[tuple[str, str]] = []
    first: str | None = None
    count = 0
    for day in sorted(days):
        first = first or day
        count += days[day]
        if count >= size:
            chunks.append((first, day))
            first, count = None, 0
    if first is not None:
        chunks.append((first, max(days)))
    return chunks
