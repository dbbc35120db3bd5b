"""Cross-article event merging: the same event told by several articles becomes one record.

Two events (or groups of events) are the same event when all of these hold:

- the same ACLED ``event_type`` and ``sub_event_type``;
- the same location, or one location is an ancestor of the other through the
  entities' ``parent`` links (a town inside its district or governorate); an
  event without a location is never merged;
- their date windows overlap.  An event's window: precision 1 → that day;
  2 → ±3 days; 3 → its calendar month; explicit ``date_earliest`` /
  ``date_latest`` fields win when present.  A report cannot describe what has
  not happened yet, so a window is clipped at the publication date of the
  article that reports it (when the window starts on or before it);
- compatible actors: one side names no actor, or some actor of one side
  (actor1, actor2, associated actors) is an actor of the other, its ancestor
  or descendant through ``parent``, or shares its non-empty ``affiliation``
  ("Iran-backed militias" and the IRGC, both affiliated with Iran).

Groups are built greedily, and a group takes a new member only when the whole
group stays consistent (one common date window, locations on one
ancestor chain, compatible actors), so pairwise links cannot chain two
incompatible reports together.  Candidates come from blocks keyed by (type,
sub-type, location, month): each event looks up its own location and its
ancestors in the months its window touches, so the work is linear in the
number of events times the ancestry depth, not quadratic.

The merged record lists every evidence sentence, each outlet once in
``sources``, ``corroboration`` (the number of distinct outlets), the tightest
date and precision consistent with every member, the most specific location,
the lowest reported fatality figure with ``fatalities_range`` = [low, high],
and ``merged_from`` (the member event ids).  Its id is the member id for a
lone event, else a stable hash of the sorted member ids.
"""

from __future__ import annotations

import datetime as dt
from calendar import monthrange
from collections import Counter
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from rasad.merge.common import (
    Entities,
    ancestors,
    describe_sources,
    merge_evidence,
    parse_date,
    same_side,
    sources_of,
    stable_id,
)

WEEK_HALF_WIDTH = 3
ACTOR_FIELDS = ("actor1", "actor2")
ASSOC_FIELDS = ("assoc_actor_1", "assoc_actor_2")

Window = tuple[dt.date, dt.date]


def date_window(event: Mapping[str, Any], published: dt.date | None = None) -> Window | None:
    """The days an event may have happened on, from its date and precision (None without a date)."""
    earliest, latest = parse_date(event.get("date_earliest")), parse_date(event.get("date_latest"))
    day = parse_date(event.get("event_date"))
    if earliest and latest and earliest <= latest:
        window: Window = (earliest, latest)
    elif day is None:
        return None
    elif int(event.get("time_precision") or 1) <= 1:
        window = (day, day)
    elif int(event.get("time_precision") or 1) == 2:
        window = (day - dt.timedelta(days=WEEK_HALF_WIDTH), day + dt.timedelta(days=WEEK_HALF_WIDTH))
    else:
        window = (day.replace(day=1), day.replace(day=monthrange(day.year, day.month)[1]))
    if published is not None and window[0] <= published < window[1]:
        window = (window[0], published)
    return window


def months(window: Window) -> list[tuple[int, int]]:
    out = []
    year, month = window[0].year, window[0].month
    while (year, month) <= (window[1].year, window[1].month):
        out.append((year, month))
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return out


def actors_of(event: Mapping[str, Any]) -> frozenset[str]:
    found = {str(event[f]) for f in ACTOR_FIELDS if event.get(f)}
    for f in ASSOC_FIELDS:
        found |= {str(a) for a in event.get(f) or ()}
    return frozenset(found)


def compatible_actors(left: frozenset[str], right: frozenset[str], entities: Entities) -> bool:
    if not left or not right or left & right:
        return True
    return any(same_side(a, b, entities) for a in sorted(left) for b in sorted(right))


def nested(a: str, b: str, entities: Entities) -> bool:
    """Same place, or one is an ancestor of the other."""
    return a == b or a in ancestors(b, entities) or b in ancestors(a, entities)


@dataclass(slots=True)
class Group:
    """Members of one merged event and what they have in common so far."""

    members: list[int]
    window: Window
    location: str  # the most specific location of the members
    actors: frozenset[str]

    def accepts(self, other: Group, entities: Entities) -> bool:
        low, high = max(self.window[0], other.window[0]), min(self.window[1], other.window[1])
        return (low <= high and nested(self.location, other.location, entities)
                and compatible_actors(self.actors, other.actors, entities))

    def absorb(self, other: Group, entities: Entities) -> None:
        self.members += other.members
        self.window = (max(self.window[0], other.window[0]), min(self.window[1], other.window[1]))
        if self.location in ancestors(other.location, entities):
            self.location = other.location
        self.actors |= other.actors


def _published_of(event: Mapping[str, Any], published: Mapping[str, str | None]) -> dt.date | None:
    days = [parse_date(published.get(str(e["article_id"]))) for e in event.get("evidence") or ()]
    known = [d for d in days if d is not None]
    return min(known) if known else None


def _blocks(events: Sequence[Mapping[str, Any]],
            windows: Sequence[Window | None]) -> dict[tuple[str, str, str, tuple[int, int]], list[int]]:
    blocks: dict[tuple[str, str, str, tuple[int, int]], list[int]] = {}
    for index, (event, window) in enumerate(zip(events, windows, strict=True)):
        if window is None or not event.get("location"):
            continue
        for month in months(window):
            key = (str(event["event_type"]), str(event["sub_event_type"]), str(event["location"]), month)
            blocks.setdefault(key, []).append(index)
    return blocks


def candidate_pairs(events: Sequence[Mapping[str, Any]], windows: Sequence[Window | None],
                    entities: Entities) -> list[tuple[int, int]]:
    """Pairs (i < j) of the same type at the same or nested places in a shared month."""
    blocks = _blocks(events, windows)
    pairs: set[tuple[int, int]] = set()
    for index, (event, window) in enumerate(zip(events, windows, strict=True)):
        if window is None or not event.get("location"):
            continue
        places = [str(event["location"]), *ancestors(str(event["location"]), entities)]
        for month in months(window):
            for place in places:
                key = (str(event["event_type"]), str(event["sub_event_type"]), place, month)
                pairs.update((min(index, j), max(index, j)) for j in blocks.get(key, ()) if j != index)
    return sorted(pairs)


def _pair_order(events: Sequence[Mapping[str, Any]], windows: Sequence[Window | None]) -> Any:
    def key(pair: tuple[int, int]) -> tuple[int, int, str, str]:
        wa, wb = windows[pair[0]], windows[pair[1]]
        gap = abs((wa[0] - wb[0]).days) if wa and wb else 0
        same_place = events[pair[0]].get("location") == events[pair[1]].get("location")
        return (0 if same_place else 1, gap, str(events[pair[0]]["id"]), str(events[pair[1]]["id"]))
    return key


def group_events(events: Sequence[Mapping[str, Any]], entities: Entities,
                 published: Mapping[str, str | None]) -> list[list[int]]:
    """Indices of the events that are one event, each group in input order."""
    windows = [date_window(e, _published_of(e, published)) for e in events]
    groups: dict[int, Group] = {}
    owner = list(range(len(events)))
    for i, (event, window) in enumerate(zip(events, windows, strict=True)):
        if window is not None and event.get("location"):
            groups[i] = Group([i], window, str(event["location"]), actors_of(event))
    for a, b in sorted(candidate_pairs(events, windows, entities), key=_pair_order(events, windows)):
        ga, gb = owner[a], owner[b]
        if ga == gb or not groups[ga].accepts(groups[gb], entities):
            continue
        keep, drop = min(ga, gb), max(ga, gb)
        groups[keep].absorb(groups.pop(drop), entities)
        for member in groups[keep].members:
            owner[member] = keep
    singles = [[i] for i in range(len(events)) if i not in groups and owner[i] == i]
    return sorted([sorted(g.members) for g in groups.values()] + singles)


# -- the merged record ---------------------------------------------------------------------------------------


def _most_common(values: Sequence[str | None]) -> str | None:
    present = [v for v in values if v]
    if not present:
        return None
    counts = Counter(present)
    return max(present, key=lambda v: (counts[v], -present.index(v)))


def _merged_date(members: Sequence[Mapping[str, Any]], window: Window) -> tuple[str, int]:
    """The tightest date and precision consistent with every member's window."""
    width = (window[1] - window[0]).days
    floor = min(int(m.get("time_precision") or 3) for m in members)
    precision = max(floor, 1 if width == 0 else 2 if width <= 2 * WEEK_HALF_WIDTH else 3)
    inside = sorted(
        (int(m.get("time_precision") or 3), str(m["event_date"]))
        for m in members
        if (d := parse_date(m.get("event_date"))) is not None and window[0] <= d <= window[1]
    )
    if inside:
        return inside[0][1], precision
    middle = window[0] + dt.timedelta(days=width // 2)
    return middle.isoformat(), precision


def _fatalities(members: Sequence[Mapping[str, Any]]) -> tuple[int | None, list[int] | None]:
    figures = [int(m["fatalities"]) for m in members if m.get("fatalities") is not None]
    if not figures:
        return None, None
    return min(figures), [min(figures), max(figures)]


def _actor_fields(members: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    actor1 = _most_common([m.get("actor1") for m in members])
    actor2 = _most_common([m.get("actor2") for m in members if m.get("actor2") != actor1])
    main = {actor1, actor2}
    assoc1 = [str(a) for m in members for a in [m.get("actor1"), *(m.get("assoc_actor_1") or ())] if a]
    assoc2 = [str(a) for m in members for a in [m.get("actor2"), *(m.get("assoc_actor_2") or ())] if a]
    first = list(dict.fromkeys(a for a in assoc1 if a not in main))
    second = list(dict.fromkeys(a for a in assoc2 if a not in main and a not in first))
    return {"actor1": actor1, "actor2": actor2, "assoc_actor_1": first, "assoc_actor_2": second}


def _notes(base: str, sources: Sequence[str], evidence: Sequence[Mapping[str, Any]],
           fatalities_range: list[int] | None) -> str:
    parts = [base.strip()] if base.strip() else []
    if len(sources) > 1:
        parts.append(f"Reported by {len(sources)} outlets: {describe_sources(sources, evidence)}.")
    if fatalities_range and fatalities_range[0] != fatalities_range[1]:
        parts.append(f"Fatalities reported range from {fatalities_range[0]} to {fatalities_range[1]}; "
                     "the lowest figure is kept.")
    return " ".join(parts)


def merged_record(members: Sequence[Mapping[str, Any]], entities: Entities,
                  published: Mapping[str, str | None]) -> dict[str, Any]:
    """One event record from its members (already known to be the same event)."""
    lead = min(members, key=lambda m: (int(m.get("time_precision") or 3), str(m["id"])))
    windows = [w for m in members if (w := date_window(m, _published_of(m, published))) is not None]
    record = {k: v for k, v in lead.items() if k not in ("sources", "corroboration")}
    if windows and len(members) > 1:
        window = (max(w[0] for w in windows), min(w[1] for w in windows))
        record["event_date"], record["time_precision"] = _merged_date(members, window)
    places = [m for m in members if m.get("location")]
    if places:
        deepest = max(places, key=lambda m: len(ancestors(str(m["location"]), entities)))
        for key in ("location", "latitude", "longitude", "geo_precision"):
            record[key] = deepest.get(key)
    record.update(_actor_fields(members))
    evidence = merge_evidence(m.get("evidence") or () for m in members)
    sources = sources_of(evidence)
    fatalities, fatalities_range = _fatalities(members)
    record.update(
        id=str(lead["id"]) if len(members) == 1 else stable_id("ev-", (str(m["id"]) for m in members)),
        fatalities=fatalities, fatalities_range=fatalities_range,
        civilian_targeting=any(bool(m.get("civilian_targeting")) for m in members),
        tags=list(dict.fromkeys(str(t) for m in members for t in m.get("tags") or ())),
        evidence=evidence, sources=sources, corroboration=len(sources),
        merged_from=sorted(str(m["id"]) for m in members),
    )
    record["notes"] = _notes(str(lead.get("notes") or ""), sources, evidence, fatalities_range)
    return record


def merge_events(events: Sequence[Mapping[str, Any]], entities: Entities, *,
                 published: Mapping[str, str | None] | None = None) -> list[dict[str, Any]]:
    """Events of every article merged across articles; ``published`` maps article id → publication date."""
    dates = published or {}
    unique = list(_unique(events))
    records = [merged_record([unique[i] for i in g], entities, dates) for g in group_events(unique, entities, dates)]
    return sorted(records, key=lambda r: str(r["id"]))


def _unique(events: Sequence[Mapping[str, Any]]) -> Iterator[Mapping[str, Any]]:
    """Each input event once (a store may hand the same per-article event twice)."""
    seen: set[str] = set()
    for event in events:
        if str(event["id"]) not in seen:
            seen.add(str(event["id"]))
            yield event
