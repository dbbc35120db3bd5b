"""JSON export, schema ``rasad.export/1``.

Top-level keys: schema, articles, entities, mentions, relations, events,
stories.  Each article and entity records the knowledge-base version it was
processed with.
"""

from __future__ import annotations

import json
from typing import IO, Any

from rasad.model import Article, Entity
from rasad.store.base import Store

SCHEMA = "rasad.export/1"


def article_record(article: Article, kb_version: str | None, sources: list[str]) -> dict[str, Any]:
    return {
        "id": article.id,
        "file": article.file,
        "source": article.source,
        "sources": sources,
        "outlet": article.outlet,
        "published": article.published,
        "title": article.title,
        "url": article.url,
        "byline": article.byline,
        "story_id": article.story_id,
        "kb_version": kb_version,
        "metadata": article.metadata,
    }


def entity_record(entity: Entity) -> dict[str, Any]:
    extra = dict(entity.extra)
    return {
        "id": entity.id,
        "type": entity.type,
        "name_en": entity.name_en,
        "name_ar": entity.name_ar,
        "aliases": list(entity.aliases),
        "lat": entity.lat,
        "lon": entity.lon,
        "country": entity.country,
        "admin1": entity.admin1,
        "wikidata": entity.wikidata,
        "discovered": entity.discovered,
        "feature": entity.feature,
        "parent": entity.parent,
        "affiliation": entity.affiliation,
        "kb_version": extra.pop("kb_version", None),
        "evidence": extra.pop("evidence", []) if entity.discovered else [],
        "pcode": extra.get("pcode"),
        "geonames": extra.get("geonames"),
    }


def with_sources(record: dict[str, Any]) -> dict[str, Any]:
    """Add ``sources`` (each outlet once) and ``corroboration`` (their number) from the evidence."""
    outlets = sorted({e.get("outlet") or e["article_id"] for e in record.get("evidence", [])})
    return {**record, "sources": outlets, "corroboration": len(outlets)}


def build_export(store: Store) -> dict[str, Any]:
    """The whole database as one ``rasad.export/1`` document (records sorted, deterministic).

    Relations and events come from the merged layer once the merge stage wrote one (their ``sources``
    and ``corroboration`` kept when it set them), else as the articles state them.
    """
    kb_versions = store.kb_versions()
    sources = store.article_sources()
    articles = list(store.articles())
    mentions = [
        {"article_id": m.article_id, "entity_id": m.entity_id, "start": m.start, "end": m.end, "text": m.text,
         "method": m.method, "sentence": m.sentence}
        for a in articles for m in a.mentions
    ]
    return {
        "schema": SCHEMA,
        "articles": [article_record(a, kb_versions.get(a.id), sources.get(a.id, [])) for a in articles],
        "entities": [entity_record(e) for e in store.entities()],
        "mentions": mentions,
        "relations": [_sourced(r) for r in store.relations()],
        "events": [_sourced(e) for e in store.events()],
        "stories": list(store.stories()),
    }


def _sourced(record: dict[str, Any]) -> dict[str, Any]:
    return record if "corroboration" in record and "sources" in record else with_sources(record)


def write_json(store: Store, out: IO[str]) -> None:
    json.dump(build_export(store), out, ensure_ascii=False, indent=1)
    out.write("\n")
