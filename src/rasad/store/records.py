"""Records as the store writes and reads them: JSON columns, export-shaped dicts, evidence merging."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, fields, replace
from datetime import UTC, datetime
from functools import lru_cache
from itertools import groupby
from typing import Any

from rasad.errors import StoreError
from rasad.model import Article, Entity, Event, Evidence, Mention, Relation, Sentence, Span
from rasad.search import index_forms

Row = Mapping[str, Any]
Record = dict[str, Any]


def now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True)


_EVIDENCE_FIELDS = tuple(f.name for f in fields(Evidence))
_EVENT_FIELDS = tuple(f.name for f in fields(Event))


def evidence_record(evidence: Evidence) -> Record:
    return {name: getattr(evidence, name) for name in _EVIDENCE_FIELDS}


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
    record = {name: getattr(event, name) for name in _EVENT_FIELDS}
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
    """An entity's row; a discovered entity's evidence goes to ``entity_evidence`` (:func:`evidence_keys`)."""
    extra = {k: v for k, v in e.extra.items() if k != "evidence"}
    return (
        e.id, e.type, e.name_en, e.name_ar, dumps(list(e.aliases)), e.lat, e.lon, e.country, e.admin1,
        e.wikidata, int(e.discovered), e.feature, e.parent, e.affiliation, dumps(extra),
        None if e.discovered else kb_version,
    )


EvidenceKey = tuple[str, int, int]


def evidence_key(e: Mapping[str, Any]) -> EvidenceKey:
    """(article, start, end) of an evidence sentence: the order evidence is kept and exported in."""
    return (str(e.get("article_id", "")), int(e.get("start", 0)), int(e.get("end", 0)))


def evidence_keys(e: Entity) -> list[EvidenceKey]:
    """The evidence sentences of a discovered entity, each once, in order."""
    return sorted({evidence_key(x) for x in e.extra.get("evidence", ())})


def with_evidence(e: Entity, keys: Iterable[EvidenceKey]) -> Entity:
    """The entity with its stored evidence back in ``extra`` (as extraction made it)."""
    evidence = [{"article_id": a, "start": s, "end": end} for a, s, end in keys]
    return replace(e, extra=e.extra | {"evidence": evidence}) if evidence else e


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


# -- an article's rows, made where the article was processed -------------------------------------------------


@dataclass(frozen=True, slots=True)
class ArticleRows:
    """Everything ``add_article`` writes besides the article row, ready to insert.

    Built by :func:`article_rows` in the worker that ran the stages, so the process that owns the
    database only executes statements: ``entities`` pairs each entity's row with its search forms,
    ``relations`` are (id, subject, predicate, object, JSON), ``events`` (id, event date, JSON).
    """

    entities: tuple[tuple[Entity, tuple[Any, ...], list[str]], ...]
    mentions: list[tuple[Any, ...]]
    relations: list[tuple[Any, ...]]
    events: list[tuple[Any, ...]]
    search: list[str]


@dataclass(frozen=True, slots=True)
class Prepared:
    """A processed article with its rows: what an engine hands back to the run loop."""

    article: Article
    rows: ArticleRows

    @property
    def source(self) -> str:
        return self.article.source


@lru_cache(maxsize=1 << 12)
def _entity_forms(name_en: str | None, name_ar: str | None, aliases: tuple[str, ...]) -> list[str]:
    return index_forms([name_en, name_ar, *aliases])


_KB_ROWS: dict[tuple[str, str], tuple[Entity, tuple[Any, ...], list[str]]] = {}


def entity_rows(entity: Entity, kb_version: str) -> tuple[Entity, tuple[Any, ...], list[str]]:
    """An entity, its row and its search forms (made once per knowledge-base entity and version)."""
    if not entity.discovered and (entity.id, kb_version) in _KB_ROWS:
        return _KB_ROWS[entity.id, kb_version]
    made = entity, entity_values(entity, kb_version), _entity_forms(entity.name_en, entity.name_ar, entity.aliases)
    if not entity.discovered:
        _KB_ROWS[entity.id, kb_version] = made
    return made


def entities_of(article: Article, kb_entities: Mapping[str, Entity]) -> list[Entity]:
    """The entities an article's mentions name, in order of first mention; unknown ids are an error."""
    discovered = {e.id: e for e in article.discovered}
    ids = dict.fromkeys(m.entity_id for m in article.mentions)
    missing = [i for i in ids if i not in discovered and i not in kb_entities]
    if missing:
        raise StoreError(f"{article.source}: mentions entities that are neither in the knowledge base nor discovered: "
                         f"{', '.join(missing[:5])}")
    return [discovered.get(i) or kb_entities[i] for i in ids]


def article_rows(article: Article, kb_entities: Mapping[str, Entity], kb_version: str) -> ArticleRows:
    """The rows of an article's contents: entities, mentions, its own relations and events, search forms."""
    relations = per_id(relation_record(r) for r in article.relations)
    events = per_id(event_record(e) for e in article.events)
    return ArticleRows(
        entities=tuple(entity_rows(e, kb_version) for e in entities_of(article, kb_entities)),
        mentions=[(m.article_id, m.entity_id, m.start, m.end, m.text, m.method, m.sentence) for m in article.mentions],
        relations=[(r["id"], article.id, r["subject"], r["predicate"], r["object"], dumps(r))
                   for r in relations.values()],
        events=[(e["id"], article.id, e["event_date"], dumps(e)) for e in events.values()],
        search=index_forms([article.title, article.text]),
    )
