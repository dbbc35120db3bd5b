"""Helpers shared by the merge stages: stable ids, union-find, outlets, entity ancestry, dates."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterable, Mapping
from typing import Any

from rasad.model import Entity

# An entity as the knowledge base holds it (Entity) or as an export record (dict).
EntityLike = Mapping[str, Any] | Entity
Entities = Mapping[str, EntityLike]

# Outlet names that say nothing about who published: the article itself then counts as the source.
_NO_OUTLET = frozenset({"", "unknown", "none", "null", "n/a"})
MAX_ANCESTRY = 12


def stable_id(prefix: str, member_ids: Iterable[str]) -> str:
    """``prefix`` + the first 16 hex digits of sha1 over the sorted member ids."""
    joined = "|".join(sorted(set(member_ids)))
    return prefix + hashlib.sha1(joined.encode("utf-8")).hexdigest()[:16]


class UnionFind:
    """Disjoint sets over string keys; the representative of a set is its smallest key."""

    def __init__(self) -> None:
        self.parent: dict[str, str] = {}

    def add(self, key: str) -> None:
        self.parent.setdefault(key, key)

    def find(self, key: str) -> str:
        self.add(key)
        root = key
        while self.parent[root] != root:
            root = self.parent[root]
        while self.parent[key] != root:
            self.parent[key], key = root, self.parent[key]
        return root

    def union(self, a: str, b: str) -> str:
        ra, rb = self.find(a), self.find(b)
        keep, drop = (ra, rb) if ra <= rb else (rb, ra)
        self.parent[drop] = keep
        return keep

    def groups(self) -> list[list[str]]:
        out: dict[str, list[str]] = {}
        for key in self.parent:
            out.setdefault(self.find(key), []).append(key)
        return sorted(sorted(members) for members in out.values())


def outlet_key(outlet: str | None, article_id: str) -> str:
    """Who published a piece of evidence: the outlet, or the article id when the outlet is unknown."""
    if outlet is None or outlet.strip().lower() in _NO_OUTLET:
        return article_id
    return outlet.strip()


def sources_of(evidence: Iterable[Mapping[str, Any]]) -> list[str]:
    """Each outlet behind the evidence once, sorted."""
    return sorted({outlet_key(e.get("outlet"), str(e["article_id"])) for e in evidence})


def describe_sources(sources: Iterable[str], evidence: Iterable[Mapping[str, Any]]) -> str:
    """Sources for a note: outlet names, and "article 45d638e1 (outlet unknown)" for the unnamed."""
    articles = {str(e["article_id"]) for e in evidence}
    return ", ".join(f"article {s[:8]} (outlet unknown)" if s in articles else s for s in sources)


def merge_evidence(groups: Iterable[Iterable[Mapping[str, Any]]]) -> list[dict[str, Any]]:
    """All evidence of several records, each sentence once, ordered by article and offset."""
    seen: dict[tuple[str, int, int], dict[str, Any]] = {}
    for evidence in groups:
        for e in evidence:
            seen.setdefault((str(e["article_id"]), int(e["start"]), int(e["end"])), dict(e))
    return [seen[k] for k in sorted(seen)]


def entity_field(entity: EntityLike | None, name: str) -> Any:
    if entity is None:
        return None
    if isinstance(entity, Entity):
        return getattr(entity, name, None)
    return entity.get(name)


def ancestors(entity_id: str, entities: Entities) -> list[str]:
    """The entity's ``parent`` chain, nearest first (cycles and unknown parents end it)."""
    chain: list[str] = []
    current = entity_field(entities.get(entity_id), "parent")
    while isinstance(current, str) and current and current not in chain and current != entity_id:
        chain.append(current)
        if len(chain) >= MAX_ANCESTRY:
            break
        current = entity_field(entities.get(current), "parent")
    return chain


def parse_date(value: object) -> dt.date | None:
    """An ISO date (or the date part of an ISO timestamp); None when absent or malformed."""
    if not isinstance(value, str) or len(value) < 10:
        return None
    try:
        return dt.date.fromisoformat(value[:10])
    except ValueError:
        return None


def same_side(a: str, b: str, entities: Entities) -> bool:
    """Same entity, one the ancestor of the other, or a shared affiliation (or one is the other's)."""
    if a == b or a in ancestors(b, entities) or b in ancestors(a, entities):
        return True
    side_a = entity_field(entities.get(a), "affiliation")
    side_b = entity_field(entities.get(b), "affiliation")
    return (bool(side_a) and side_a in (side_b, b)) or (bool(side_b) and side_b == a)
