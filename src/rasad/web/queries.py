"""Filters over a snapshot: which events, relations, articles and entities a request asks for.

Filters are typed records built by the API (and the report); every filter is optional and they
combine with AND.  Entity filters take an id or a name (English, Arabic or an alias, any case); a
place filter also matches events located in a place inside it (its parent chain).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from rasad.search import QueryError
from rasad.text.normalize import normalize_text
from rasad.web.snapshot import Record, Snapshot

T = TypeVar("T")


@dataclass(frozen=True, slots=True, kw_only=True)
class EventFilter:
    """Dates are YYYY-MM-DD, both ends included; ``actor`` and ``place`` are entity ids or names."""

    date_from: str | None = None
    date_to: str | None = None
    event_type: str | None = None
    actor: str | None = None
    place: str | None = None
    outlet: str | None = None
    min_corroboration: int = 1
    certainty: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class RelationFilter:
    predicate: str | None = None
    entity: str | None = None
    outlet: str | None = None
    min_corroboration: int = 1
    certainty: str | None = None
    date_from: str | None = None
    date_to: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class ArticleQuery:
    date_from: str | None = None
    date_to: str | None = None
    outlet: str | None = None
    entity: str | None = None
    story: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class EntityQuery:
    type: str | None = None
    bloc: str | None = None
    name: str | None = None
    discovered: bool | None = None


@dataclass(frozen=True, slots=True)
class Page:
    total: int
    offset: int
    limit: int
    items: list[Record]

    def as_dict(self) -> Record:
        return {"total": self.total, "offset": self.offset, "limit": self.limit, "items": self.items}


def page(items: Sequence[T], *, offset: int, limit: int) -> tuple[int, list[T]]:
    """The total and the slice ``[offset, offset + limit)``."""
    return len(items), list(items[offset : offset + limit])


# -- entities ---------------------------------------------------------------------------------------


def _key(text: str) -> str:
    return normalize_text(text).casefold().strip()


def entity_names(entity: Mapping[str, Any]) -> list[str]:
    return [str(n) for n in (entity.get("name_en"), entity.get("name_ar"), *entity.get("aliases", [])) if n]


def resolve_entity(snap: Snapshot, key: str) -> frozenset[str]:
    """Ids for ``key``: a stored entity id, else every entity one of whose names equals it (normalised)."""
    if key in snap.entities:
        return frozenset({key})
    wanted = _key(key)
    found = frozenset(i for i, e in snap.entities.items() if any(_key(n) == wanted for n in entity_names(e)))
    if not found:
        raise QueryError(f"{key!r}: no entity in the database has this id or name")
    return found


def select_entities(snap: Snapshot, query: EntityQuery) -> list[Record]:
    wanted = _key(query.name) if query.name else None
    found = []
    for entity_id, entity in snap.entities.items():
        if query.type and entity.get("type") != query.type:
            continue
        if query.bloc and snap.bloc(entity_id) != query.bloc:
            continue
        if query.discovered is not None and bool(entity.get("discovered")) != query.discovered:
            continue
        if wanted and not any(wanted in _key(n) for n in entity_names(entity)):
            continue
        found.append(entity)
    return sorted(found, key=lambda e: (-snap.mention_counts[e["id"]], str(e.get("name_en") or ""), e["id"]))


# -- evidence ---------------------------------------------------------------------------------------


def _outlets(record: Mapping[str, Any]) -> set[str]:
    sources = [*record.get("sources", []), *(e.get("outlet") for e in record.get("evidence", []))]
    return {str(s).casefold() for s in sources if s}


def _certainties(record: Mapping[str, Any]) -> set[str]:
    return {str(e.get("certainty")) for e in record.get("evidence", [])}


def corroboration(record: Mapping[str, Any]) -> int:
    value = record.get("corroboration")
    return int(value) if isinstance(value, int) else len(_outlets(record)) or 1


def _sourced_ok(record: Mapping[str, Any], *, outlet: str | None, certainty: str | None, minimum: int) -> bool:
    if outlet and outlet.casefold() not in _outlets(record):
        return False
    if certainty and certainty not in _certainties(record):
        return False
    return corroboration(record) >= minimum


def _in_range(day: str | None, first: str | None, last: str | None) -> bool:
    if not (first or last):
        return True
    if not day:
        return False
    return (not first or day[:10] >= first) and (not last or day[:10] <= last)


# -- events -----------------------------------------------------------------------------------------


def event_actors(event: Mapping[str, Any]) -> set[str]:
    ids = [event.get("actor1"), event.get("actor2"), *event.get("assoc_actor_1", []), *event.get("assoc_actor_2", [])]
    return {str(i) for i in ids if i}


def _event_places(snap: Snapshot, event: Mapping[str, Any]) -> set[str]:
    location = event.get("location")
    return {str(location), *snap.ancestors(str(location))} if location else set()


def select_events(snap: Snapshot, wanted: EventFilter) -> list[Record]:
    """Events matching every filter, by date then id."""
    actors = resolve_entity(snap, wanted.actor) if wanted.actor else None
    places = resolve_entity(snap, wanted.place) if wanted.place else None
    kind = wanted.event_type.casefold() if wanted.event_type else None
    found = []
    for event in snap.events:
        if not _in_range(event.get("event_date"), wanted.date_from, wanted.date_to):
            continue
        if kind and kind not in (str(event.get("event_type")).casefold(), str(event.get("sub_event_type")).casefold()):
            continue
        if actors is not None and not actors & event_actors(event):
            continue
        if places is not None and not places & _event_places(snap, event):
            continue
        if _sourced_ok(event, outlet=wanted.outlet, certainty=wanted.certainty, minimum=wanted.min_corroboration):
            found.append(event)
    return found


# -- relations --------------------------------------------------------------------------------------


def relation_entities(relation: Mapping[str, Any]) -> set[str]:
    return {str(relation["subject"]), str(relation["object"]), *(str(c) for c in relation.get("co_subjects", []))}


def _evidence_dates(snap: Snapshot, record: Mapping[str, Any]) -> list[str]:
    dates = (snap.articles.get(str(e.get("article_id")), {}).get("published") for e in record.get("evidence", []))
    return [str(d) for d in dates if d]


def select_relations(snap: Snapshot, wanted: RelationFilter) -> list[Record]:
    """Relations matching every filter (dates: an evidence article published in the range), by id."""
    ids = resolve_entity(snap, wanted.entity) if wanted.entity else None
    found = []
    for relation in snap.relations:
        if wanted.predicate and relation.get("predicate") != wanted.predicate:
            continue
        if ids is not None and not ids & relation_entities(relation):
            continue
        if (wanted.date_from or wanted.date_to) and not any(
            _in_range(d, wanted.date_from, wanted.date_to) for d in _evidence_dates(snap, relation)
        ):
            continue
        if _sourced_ok(relation, outlet=wanted.outlet, certainty=wanted.certainty, minimum=wanted.min_corroboration):
            found.append(relation)
    return sorted(found, key=lambda r: (-corroboration(r), str(r["id"])))


# -- articles ---------------------------------------------------------------------------------------


def select_articles(snap: Snapshot, wanted: ArticleQuery) -> list[Record]:
    """Articles newest first, narrowed by date, outlet, an entity they mention and a story."""
    mentioned: set[str] | None = None
    if wanted.entity:
        mentioned = {a for i in resolve_entity(snap, wanted.entity) for a in snap.entity_articles.get(i, [])}
    members: set[str] | None = None
    if wanted.story:
        story = snap.stories_by_id.get(wanted.story)
        members = set(story.get("article_ids", [])) if story else set()
    found = []
    for article in snap.articles.values():
        if not _in_range(article.get("published"), wanted.date_from, wanted.date_to):
            continue
        if wanted.outlet and str(article.get("outlet") or "").casefold() != wanted.outlet.casefold():
            continue
        if mentioned is not None and article["id"] not in mentioned:
            continue
        if members is not None and article["id"] not in members:
            continue
        found.append(article)
    return found


def find_article_id(snap: Snapshot, key: str) -> str | None:
    """The article whose id is ``key`` or starts with it (a prefix must name one article)."""
    if key in snap.articles:
        return key
    matches = [i for i in snap.articles if i.startswith(key)]
    return matches[0] if len(matches) == 1 else None


def facets(snap: Snapshot) -> Record:
    """Values the filters can take, as the data holds them."""
    def counted(values: Iterable[Any]) -> list[list[Any]]:
        counts: dict[str, int] = {}
        for v in values:
            if v:
                counts[str(v)] = counts.get(str(v), 0) + 1
        return [[k, n] for k, n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))]

    return {
        "event_types": counted(e.get("event_type") for e in snap.events),
        "predicates": counted(r.get("predicate") for r in snap.relations),
        "outlets": counted(a.get("outlet") for a in snap.articles.values()),
        "entity_types": counted(e.get("type") for e in snap.entities.values()),
        "blocs": counted(snap.bloc(i) for i in snap.entities),
    }
