"""Figures about a database: records per type, entities per type, outlets, corroboration, date ranges."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from typing import Any

from rasad.export.json_export import with_sources
from rasad.store.base import DateRange, Store


@dataclass(frozen=True, slots=True)
class Stats:
    """``corroboration`` maps "events" / "relations" to {number of distinct outlets: records}."""

    counts: dict[str, int]
    entity_types: dict[str, int]
    outlets: dict[str, int]
    corroboration: dict[str, dict[int, int]]
    article_dates: DateRange
    event_dates: DateRange
    merged: bool


def corroboration(record: dict[str, Any]) -> int:
    """Distinct outlets behind a record: its own figure when the merge stage set one, else from the evidence."""
    value = record.get("corroboration")
    if isinstance(value, int):
        return value
    return int(with_sources(record)["corroboration"])


def _histogram(records: Iterable[dict[str, Any]]) -> tuple[int, dict[int, int]]:
    counts = Counter(corroboration(r) for r in records)
    return sum(counts.values()), dict(sorted(counts.items()))


def _dates(values: Iterable[str | None]) -> DateRange:
    days = sorted(v[:10] for v in values if v)
    return DateRange(days[0], days[-1]) if days else DateRange()


def compute_stats(store: Store) -> Stats:
    """Read the figures off ``store`` (relations and events as exported: merged when merged)."""
    tables = store.counts()
    n_relations, relations = _histogram(store.relations())
    events = list(store.events())
    n_events, event_hist = _histogram(events)
    counts = {
        "articles": tables["articles"],
        "article sources": tables["article_sources"],
        "entities": tables["entities"],
        "mentions": tables["mentions"],
        "relations": n_relations,
        "events": n_events,
        "stories": tables["stories"],
    }
    merged = store.has_merged()
    if merged:
        counts |= {"relations as stated": tables["article_relations"], "events as stated": tables["article_events"]}
    return Stats(
        counts=counts,
        entity_types=store.entity_type_counts(),
        outlets=store.outlet_counts(),
        corroboration={"events": event_hist, "relations": relations},
        article_dates=store.article_dates(),
        event_dates=_dates(e.get("event_date") for e in events),
        merged=merged,
    )


def stats_record(stats: Stats) -> dict[str, Any]:
    """The figures as plain JSON-ready data (histogram keys as strings)."""
    record = asdict(stats)
    record["corroboration"] = {k: {str(n): c for n, c in v.items()} for k, v in stats.corroboration.items()}
    return record
