"""Where the keyed merge reads from: a store (a slice at a time), or lists in memory (tests, exports)."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from rasad.merge.common import parse_date
from rasad.merge.partition import Dated
from rasad.merge.relations import SUPPORT_PREDICATES, conflict_key, group_relations
from rasad.store.base import Store

Record = dict[str, Any]
# Relation kinds of the reduce: (predicates, exclude them, store order); see rasad.merge.relations.conflict_key.
_PAIR = sorted({*SUPPORT_PREDICATES, "opposes"})
RELATION_QUERIES: dict[str, tuple[list[str], bool, str]] = {
    "controls": (["controls"], False, "object"),
    "pair": (_PAIR, False, "pair"),
    "other": (["controls", *_PAIR], True, "id"),
}


@dataclass(frozen=True, slots=True)
class StoreSource:
    store: Store

    def article_keys(self) -> Iterator[tuple[str, str | None]]:
        return self.store.article_keys()

    def articles_published(self, first: str, last: str) -> Iterator[Record]:
        return self.store.merge_articles(first=first, last=last)

    def articles_by_id(self, ids: Sequence[str]) -> Iterator[Record]:
        return self.store.merge_articles(ids=ids)

    def events_dated(self) -> Iterator[Dated]:
        return self.store.raw_events_dated()

    def relations_dated(self, kind: str) -> Iterator[Dated]:
        predicates, exclude, order = RELATION_QUERIES[kind]
        return self.store.raw_relations_by(predicates, exclude=exclude, order=order)

    def relations(self) -> Iterator[Record]:
        return (record for kind in RELATION_QUERIES for record, _ in self.relations_dated(kind))


class MemorySource:
    """Export-shaped lists (as :func:`rasad.merge.run.merge_all` takes them); merge order: list order."""

    def __init__(self, articles: Sequence[Mapping[str, Any]], events: Sequence[Mapping[str, Any]],
                 relations: Sequence[Mapping[str, Any]]) -> None:
        self.articles = [dict(a) for a in articles]
        self.published = {str(a["id"]): a.get("published") for a in articles}
        self.events = [dict(e) for e in events]
        self.raw_relations = [dict(r) for r in relations]

    def article_keys(self) -> Iterator[tuple[str, str | None]]:
        return iter(sorted((str(a["id"]), a.get("published")) for a in self.articles))

    def articles_published(self, first: str, last: str) -> Iterator[Record]:
        return (a for a in self.articles if first <= str(a.get("published") or "")[:10] <= last)

    def articles_by_id(self, ids: Sequence[str]) -> Iterator[Record]:
        wanted = set(ids)
        return (a for a in self.articles if str(a["id"]) in wanted)

    def _dated(self, record: Record) -> Dated:
        ids = {str(e["article_id"]) for e in record.get("evidence") or ()}
        return record, {i: self.published.get(i) for i in ids}

    def events_dated(self) -> Iterator[Dated]:
        def key(e: Record) -> tuple[bool, str, str]:
            return (parse_date(e.get("event_date")) is not None, str(e.get("event_date") or ""), str(e["id"]))
        return (self._dated(e) for e in sorted(self.events, key=key))

    def relations_dated(self, kind: str) -> Iterator[Dated]:
        mine = [r for r in self.raw_relations if conflict_key(r)[0] == ("triple" if kind == "other" else kind)]
        return (self._dated(r) for r in sorted(mine, key=lambda r: (conflict_key(r), str(r["id"]))))

    def relations(self) -> Iterator[Record]:
        return iter(group_relations(self.raw_relations))  # one record per triple, as a store holds them
