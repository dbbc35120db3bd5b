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
    stories = list(store.stories())
    return {
        "schema": SCHEMA,
        "articles": fold_duplicates(
            [article_record(a, kb_versions.get(a.id), sources.get(a.id, [])) for a in articles], stories
        ),
        "entities": [entity_record(e) for e in store.entities()],
        "mentions": mentions,
        "relations": [_sourced(r) for r in store.relations()],
        "events": [_sourced(e) for e in store.events()],
        "stories": stories,
    }


def fold_duplicates(articles: list[dict[str, Any]], stories: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """A near-duplicate copy points at the article it copies (``duplicate_of``), whose ``sources``
    then list every copy's sources too: one article, several sources."""
    copy_of: dict[str, str] = {}
    for story in stories:
        copy_of.update(story.get("duplicates") or {})
    by_id = {a["id"]: a for a in articles}
    for copy, kept in copy_of.items():
        if copy in by_id and kept in by_id:
            by_id[copy]["duplicate_of"] = kept
            merged = by_id[kept]["sources"] + [s for s in by_id[copy]["sources"] if s not in by_id[kept]["sources"]]
            by_id[kept]["sources"] = merged
    return articles


def _sourced(record: dict[str, Any]) -> dict[str, Any]:
    return record if "corroboration" in record and "sources" in record else with_sources(record)


def write_json(store: Store, out: IO[str]) -> None:
    json.dump(build_export(store), out, ensure_ascii=False, indent=1)
    out.write("\n")
