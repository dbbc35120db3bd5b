"""Records as the store writes and reads them: JSON columns, export-shaped dicts, evidence merging."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import asdict
from datetime import UTC, datetime
from itertools import groupby
from typing import Any

from rasad.model import Article, Entity, Event, Evidence, Mention, Relation, Sentence, Span

Row = Mapping[str, Any]
Record = dict[str, Any]


def now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True)


def evidence_record(evidence: Evidence) -> Record:
    return asdict(evidence)


def _evidence_key(e: Mapping[str, Any]) -> tuple[str, int, int]:
    return (str(e["article_id"]), int(e["start"]), int(e["end"]))


def merge_evidence(existing: list[Record], new: Iterable[Mapping[str, Any]]) -> list[Record]:
    """Evidence of a record seen again: new sentences appended, none twice."""
    seen = {_evidence_key(e) for e in existing}
    out = list(existing)
    for e in new:
        if _evidence_key(e) not in seen:
            out.append(dict(e))
            seen.add(_evidence_key(e))
    return out


def relation_record(relation: Relation) -> Record:
    return {
        "id": relation.id, "subject": relation.subject, "predicate": relation.predicate, "object": relation.object,
        "co_subjects": list(relation.co_subjects),
        "evidence": [evidence_record(e) for e in relation.evidence],
    }


def event_record(event: Event) -> Record:
    record = asdict(event)
    record["assoc_actor_1"] = list(event.assoc_actor_1)
    record["assoc_actor_2"] = list(event.assoc_actor_2)
    record["tags"] = list(event.tags)
    record["evidence"] = [evidence_record(e) for e in event.evidence]
    return record


def merge_records(records: Iterable[Record]) -> Record:
    """Records with one id (one per article) as one: the first, with every article's evidence.

    ``co_subjects`` (relations) becomes the sorted union.
    """
    items = iter(records)
    merged = dict(next(items))
    for record in items:
        merged["evidence"] = merge_evidence(merged.get("evidence", []), record.get("evidence", []))
        if "co_subjects" in merged or "co_subjects" in record:
            merged["co_subjects"] = sorted(set(merged.get("co_subjects", [])) | set(record.get("co_subjects", [])))
    return merged


def merged_by_id(rows: Iterable[Row]) -> Iterator[Record]:
    """Rows ordered by id (then article), each with a JSON ``data`` column, merged per id."""
    for _, group in groupby(rows, key=lambda r: r["id"]):
        yield merge_records(json.loads(r["data"]) for r in group)


def per_id(records: Iterable[Record]) -> dict[str, Record]:
    """An article's records by id; the same id twice in one article is merged."""
    out: dict[str, Record] = {}
    for record in records:
        rid = record["id"]
        out[rid] = merge_records([out[rid], record]) if rid in out else record
    return out


def article_values(a: Article, kb_version: str) -> tuple[Any, ...]:
    return (
        a.id, a.file, a.source, a.outlet, a.title, a.published, a.url, a.byline, a.language, a.text,
        dumps([[p.start, p.end] for p in a.paragraphs]),
        dumps([[s.start, s.end, s.paragraph] for s in a.sentences]),
        dumps(list(a.removed)), dumps(a.metadata), a.story_id, kb_version, now(),
    )


def entity_values(e: Entity, kb_version: str) -> tuple[Any, ...]:
    return (
        e.id, e.type, e.name_en, e.name_ar, dumps(list(e.aliases)), e.lat, e.lon, e.country, e.admin1,
        e.wikidata, int(e.discovered), e.feature, e.parent, e.affiliation, dumps(e.extra),
        None if e.discovered else kb_version,
    )


def mention_from_row(r: Row) -> Mention:
    return Mention(r["article_id"], r["entity_id"], r["start"], r["end"], r["text"], r["method"], r["sentence"])


def article_from_row(row: Row, mentions: tuple[Mention, ...]) -> Article:
    return Article(
        id=row["id"], source=row["source"], file=row["file"], text=row["text"], outlet=row["outlet"],
        title=row["title"], published=row["published"], url=row["url"], byline=row["byline"],
        language=row["language"],
        paragraphs=tuple(Span(s, e) for s, e in json.loads(row["paragraphs"])),
        sentences=tuple(Sentence(s, e, p) for s, e, p in json.loads(row["sentences"])),
        removed=tuple(json.loads(row["removed"])), mentions=mentions,
        metadata=json.loads(row["metadata"]), story_id=row["story_id"],
    )


def entity_from_row(row: Row) -> Entity:
    return Entity(
        id=row["id"], type=row["type"], name_en=row["name_en"], name_ar=row["name_ar"],
        aliases=tuple(json.loads(row["aliases"])), lat=row["lat"], lon=row["lon"], country=row["country"],
        admin1=row["admin1"], wikidata=row["wikidata"], discovered=bool(row["discovered"]),
        feature=row["feature"], parent=row["parent"], affiliation=row["affiliation"],
        extra=json.loads(row["extra"]) | {"kb_version": row["kb_version"]},
    )


def entity_texts(name_en: str | None, name_ar: str | None, aliases: str) -> list[str | None]:
    """What an entity is found by: its names and aliases (``aliases`` as stored, a JSON list)."""
    return [name_en, name_ar, *json.loads(aliases)]
