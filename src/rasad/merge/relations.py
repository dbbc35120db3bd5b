"""Cross-article relation merging, with contested claims kept and flagged.

Relations merge by (subject, predicate, object): the merged record keeps the
id (already a hash of the triple), lists every evidence sentence, each outlet
once in ``sources`` and their number in ``corroboration``.

Conflicting claims are never resolved by dropping one: every record carries
``contested`` (bool), ``contested_with`` (ids of the relations it conflicts
with) and ``contested_reasons``.  The rules:

1. **Control.** Two relations ``A controls P`` and ``B controls P`` conflict
   when A and B are not on one side and the articles reporting them were
   published within ``control_window_days`` of each other.  A and B are on
   one side when they are the same, coordinated subjects of one claim
   (``co_subjects``), one is the other's ancestor (``parent``), they share a
   non-empty ``affiliation`` (or one is the other's affiliation), or any
   relation in the set links them by ``backed_by``, ``part_of``,
   ``member_of``, ``allied_with`` or ``leads``.  So "Fatemiyoun controls the
   town" and "the IRGC controls the town" agree, while "the SDF controls the
   town" contests both.
2. **Support against opposition.** ``X backed_by Y`` or ``X allied_with Y``
   (either direction) conflicts with ``X opposes Y`` (either direction) when
   reported within ``alliance_window_days`` of each other.
3. **Denial.** A relation whose evidence mixes ``denied`` with any other
   certainty is contested by itself (one source asserts what another denies).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from itertools import combinations
from typing import Any

from rasad.merge.common import Entities, merge_evidence, parse_date, same_side, sources_of

SIDE_PREDICATES = frozenset({"backed_by", "part_of", "member_of", "allied_with", "leads"})
SUPPORT_PREDICATES = frozenset({"backed_by", "allied_with"})

Span = tuple[dt.date, dt.date]


@dataclass(frozen=True, slots=True)
class RelationOptions:
    control_window_days: int = 30
    alliance_window_days: int = 365


def _triple(record: Mapping[str, Any]) -> tuple[str, str, str]:
    return (str(record["subject"]), str(record["predicate"]), str(record["object"]))


def group_relations(relations: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """One record per (subject, predicate, object) with all evidence, sources and corroboration."""
    groups: dict[tuple[str, str, str], list[Mapping[str, Any]]] = {}
    for relation in relations:
        groups.setdefault(_triple(relation), []).append(relation)
    merged = []
    for triple, members in sorted(groups.items()):
        evidence = merge_evidence(m.get("evidence") or () for m in members)
        sources = sources_of(evidence)
        record = {k: v for k, v in members[0].items() if k not in ("sources", "corroboration")}
        record.update(
            id=min(str(m["id"]) for m in members), subject=triple[0], predicate=triple[1], object=triple[2],
            co_subjects=sorted({str(c) for m in members for c in m.get("co_subjects") or ()}),
            evidence=evidence, sources=sources, corroboration=len(sources),
            contested=False, contested_with=[], contested_reasons=[],
        )
        merged.append(record)
    return merged


def _span(record: Mapping[str, Any], published: Mapping[str, str | None]) -> Span | None:
    days = [parse_date(published.get(str(e["article_id"]))) for e in record.get("evidence") or ()]
    known = [d for d in days if d is not None]
    return (min(known), max(known)) if known else None


def _close(a: Span | None, b: Span | None, days: int) -> bool:
    """Reported within ``days`` of each other (unknown dates count as close)."""
    if a is None or b is None:
        return True
    gap = max(a[0], b[0]) - min(a[1], b[1])
    return gap.days <= days


def side_links(records: Iterable[Mapping[str, Any]]) -> set[frozenset[str]]:
    """Pairs of actors that merged relations put on one side (side predicates, coordinated subjects)."""
    links: set[frozenset[str]] = set()
    for r in records:
        if r["predicate"] in SIDE_PREDICATES:
            links.add(frozenset((str(r["subject"]), str(r["object"]))))
        group = [str(r["subject"]), *(str(c) for c in r.get("co_subjects") or ())]
        links.update(frozenset(p) for p in combinations(group, 2))
    return links


def conflict_key(record: Mapping[str, Any]) -> tuple[str, ...]:
    """Relations with different keys never contest each other: control claims by place, support and
    opposition by the (unordered) pair of actors, anything else by its own triple."""
    subject, predicate, obj = _triple(record)
    if predicate == "controls":
        return ("controls", obj)
    if predicate in SUPPORT_PREDICATES or predicate == "opposes":
        return ("pair", *sorted((subject, obj)))
    return ("triple", subject, predicate, obj)


class Sides:
    """Which actors are on one side, from the knowledge base and the relations themselves."""

    def __init__(self, records: Sequence[Mapping[str, Any]], entities: Entities, *,
                 links: Iterable[frozenset[str]] | None = None) -> None:
        self.entities = entities
        self.links: set[frozenset[str]] = side_links(records) if links is None else set(links)

    def same(self, a: str, b: str) -> bool:
        return frozenset((a, b)) in self.links or same_side(a, b, self.entities)


def _flag(a: dict[str, Any], b: dict[str, Any], reason: str) -> None:
    for this, other in ((a, b), (b, a)):
        this["contested"] = True
        this["contested_with"] = sorted({*this["contested_with"], str(other["id"])})
        this["contested_reasons"] = sorted({*this["contested_reasons"], reason})


def _control_conflicts(records: Sequence[dict[str, Any]], sides: Sides, spans: Mapping[str, Span | None],
                       options: RelationOptions) -> None:
    by_place: dict[str, list[dict[str, Any]]] = {}
    for r in records:
        if r["predicate"] == "controls":
            by_place.setdefault(str(r["object"]), []).append(r)
    for claims in by_place.values():
        for a, b in combinations(claims, 2):
            if (not sides.same(str(a["subject"]), str(b["subject"]))
                    and _close(spans[a["id"]], spans[b["id"]], options.control_window_days)):
                _flag(a, b, "another actor is reported to control the same place")


def _alliance_conflicts(records: Sequence[dict[str, Any]], spans: Mapping[str, Span | None],
                        options: RelationOptions) -> None:
    by_pair: dict[frozenset[str], list[dict[str, Any]]] = {}
    for r in records:
        if r["predicate"] in SUPPORT_PREDICATES or r["predicate"] == "opposes":
            by_pair.setdefault(frozenset((str(r["subject"]), str(r["object"]))), []).append(r)
    for claims in by_pair.values():
        support = [r for r in claims if r["predicate"] in SUPPORT_PREDICATES]
        opposition = [r for r in claims if r["predicate"] == "opposes"]
        for a in support:
            for b in opposition:
                if _close(spans[a["id"]], spans[b["id"]], options.alliance_window_days):
                    _flag(a, b, "reported both as support and as opposition")


def _denials(records: Sequence[dict[str, Any]]) -> None:
    for r in records:
        certainties = {str(e.get("certainty") or "reported") for e in r["evidence"]}
        if "denied" in certainties and len(certainties) > 1:
            r["contested"] = True
            r["contested_reasons"] = sorted({*r["contested_reasons"], "denied by some sources"})


def merge_relations(relations: Iterable[Mapping[str, Any]], entities: Entities, *,
                    published: Mapping[str, str | None] | None = None,
                    options: RelationOptions | None = None) -> list[dict[str, Any]]:
    """Relations merged across articles, conflicting claims flagged (rules in the module docstring)."""
    return merge_relation_group(relations, entities, published=published, options=options)


def merge_relation_group(relations: Iterable[Mapping[str, Any]], entities: Entities, *,
                         published: Mapping[str, str | None] | None = None, options: RelationOptions | None = None,
                         links: Iterable[frozenset[str]] | None = None) -> list[dict[str, Any]]:
    """:func:`merge_relations` over one group of relations; ``links``: the side links of the whole set
    (:func:`side_links`) when the group is part of it (default: the group's own)."""
    opts = options or RelationOptions()
    records = group_relations(relations)
    spans = {str(r["id"]): _span(r, published or {}) for r in records}
    _control_conflicts(records, Sides(records, entities, links=links), spans, opts)
    _alliance_conflicts(records, spans, opts)
    _denials(records)
    return sorted(records, key=lambda r: str(r["id"]))
