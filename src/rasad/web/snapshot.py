"""A read model of the database for the API, the web UI and the report.

:func:`build_snapshot` reads the whole database once through :func:`rasad.export.build_export`
(relations and events merged when the merge stage ran) and indexes it: records by id, events by
date, entities' parent chains and affiliation blocs, mentions per entity.  A snapshot is never
changed after it is built, so request threads share it freely; :class:`rasad.web.access.StoreAccess`
builds a new one when the database changes.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from rasad.export.json_export import build_export
from rasad.model import Entity
from rasad.store.base import Store

Record = dict[str, Any]
MAX_PARENT_DEPTH = 12  # parent chains are short (town → district → governorate → country); guards a cycle


@dataclass(frozen=True, slots=True)
class Snapshot:
    """The export document with indexes.  ``parents`` may also hold knowledge-base entities no article names."""

    export: Record
    articles: dict[str, Record]
    entities: dict[str, Record]
    events: list[Record]
    relations: list[Record]
    stories: list[Record]
    events_by_id: dict[str, Record]
    relations_by_id: dict[str, Record]
    stories_by_id: dict[str, Record]
    parents: dict[str, str]
    affiliations: dict[str, str]
    mention_counts: Counter[str]
    entity_articles: dict[str, list[str]]
    stats: Record = field(default_factory=dict)

    def ancestors(self, entity_id: str) -> list[str]:
        """The entity's parent, its parent's parent … (nearest first)."""
        chain: list[str] = []
        current = self.parents.get(entity_id)
        while current and current not in chain and len(chain) < MAX_PARENT_DEPTH:
            chain.append(current)
            current = self.parents.get(current)
        return chain

    def bloc(self, entity_id: str | None) -> str | None:
        """The affiliation bloc of an entity: its own, else the nearest ancestor's."""
        if not entity_id:
            return None
        for candidate in (entity_id, *self.ancestors(entity_id)):
            if self.affiliations.get(candidate):
                return self.affiliations[candidate]
        return None


def _event_key(event: Mapping[str, Any]) -> tuple[str, str]:
    return (str(event.get("event_date") or ""), str(event["id"]))


def _entity_articles(mentions: Iterable[Mapping[str, Any]], order: Mapping[str, int]) -> dict[str, list[str]]:
    found: dict[str, set[str]] = defaultdict(set)
    for m in mentions:
        found[str(m["entity_id"])].add(str(m["article_id"]))
    return {e: sorted(ids, key=lambda a: order.get(a, 0)) for e, ids in found.items()}


def snapshot_from_export(
    export: Record, *, kb_entities: Iterable[Entity] = (), stats: Record | None = None,
) -> Snapshot:
    """Index an export document.  ``kb_entities`` (knowledge-base Entity records) complete parent chains."""
    articles = sorted(export.get("articles", []), key=lambda a: (str(a.get("published") or ""), a["id"]),
                      reverse=True)
    entities = {str(e["id"]): e for e in export.get("entities", [])}
    parents: dict[str, str] = {}
    affiliations: dict[str, str] = {}
    for kb_entity in kb_entities:
        if kb_entity.parent:
            parents[kb_entity.id] = kb_entity.parent
        if kb_entity.affiliation:
            affiliations[kb_entity.id] = kb_entity.affiliation
    for entity_id, entity in entities.items():
        if entity.get("parent"):
            parents[entity_id] = str(entity["parent"])
        if entity.get("affiliation"):
            affiliations[entity_id] = str(entity["affiliation"])
    events = sorted(export.get("events", []), key=_event_key)
    relations = list(export.get("relations", []))
    stories = list(export.get("stories", []))
    mentions = export.get("mentions", [])
    order = {a["id"]: i for i, a in enumerate(articles)}
    return Snapshot(
        export=export,
        articles={a["id"]: a for a in articles},
        entities=entities,
        events=events,
        relations=relations,
        stories=stories,
        events_by_id={str(e["id"]): e for e in events},
        relations_by_id={str(r["id"]): r for r in relations},
        stories_by_id={str(s["id"]): s for s in stories},
        parents=parents,
        affiliations=affiliations,
        mention_counts=Counter(str(m["entity_id"]) for m in mentions),
        entity_articles=_entity_articles(mentions, order),
        stats=stats or {},
    )


def build_snapshot(store: Store, *, kb_entities: Iterable[Entity] = ()) -> Snapshot:
    """Read the whole store into a snapshot (figures from :func:`rasad.stats.compute_stats`)."""
    from rasad.stats import compute_stats, stats_record

    return snapshot_from_export(build_export(store), kb_entities=kb_entities,
                                stats=stats_record(compute_stats(store)))
