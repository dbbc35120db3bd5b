"""The merge stage in one call: duplicates, stories, merged events and relations.

:func:`merge_all` works on export-shaped dicts (``rasad.export/1``): events and
relations as :func:`rasad.store.sqlite.event_record` /
:func:`~rasad.store.sqlite.relation_record` give them, articles as
:func:`rasad.export.json_export.article_record` plus the two fields story
detection reads, ``text`` (the clean text), ``entity_ids`` (linked entity
ids) and, optionally, ``mentions`` ([start, entity id] pairs, so the entities
of the lead can be told from background ones); :func:`article_input` builds such a dict from an
:class:`~rasad.model.Article`.  Entities may be knowledge-base
:class:`~rasad.model.Entity` records or export dicts (``type``, ``feature``,
``parent``, ``affiliation`` are read); pass the whole knowledge base so
``parent`` chains reach governorates that no article names.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from rasad.merge.common import Entities
from rasad.merge.dedup import DedupOptions, find_duplicates
from rasad.merge.embed import EmbeddingCache
from rasad.merge.events import merge_events
from rasad.merge.relations import RelationOptions, merge_relations
from rasad.merge.stories import StoryOptions, find_stories
from rasad.model import Article


@dataclass(frozen=True, slots=True)
class MergeOptions:
    dedup: DedupOptions = field(default_factory=DedupOptions)
    stories: StoryOptions = field(default_factory=StoryOptions)
    relations: RelationOptions = field(default_factory=RelationOptions)


@dataclass(slots=True)
class MergeResult:
    """stories: [{id, article_ids[, duplicates]}]; story_of: article id → story id; duplicates: copy id → kept id.

    ``messages`` are one-line notes for the user (e.g. the sentence encoder is missing).
    """

    stories: list[dict[str, Any]]
    story_of: dict[str, str]
    duplicates: dict[str, str]
    events: list[dict[str, Any]]
    relations: list[dict[str, Any]]
    messages: list[str] = field(default_factory=list)


def article_input(article: Article, sources: Sequence[str] = ()) -> dict[str, Any]:
    """What the merge stage reads of an article."""
    return {
        "id": article.id, "outlet": article.outlet, "published": article.published, "title": article.title,
        "text": article.text, "sources": list(sources),
        "entity_ids": sorted({m.entity_id for m in article.mentions}),
        "mentions": [[m.start, m.entity_id] for m in article.mentions],
    }


def _with_mentions(articles: Sequence[Mapping[str, Any]],
                   mentions: Iterable[Mapping[str, Any]]) -> list[Mapping[str, Any]]:
    """Articles with ``entity_ids`` filled from export mentions where they lack them."""
    found: dict[str, set[str]] = {}
    for m in mentions:
        found.setdefault(str(m["article_id"]), set()).add(str(m["entity_id"]))
    return [a if a.get("entity_ids") else {**a, "entity_ids": sorted(found.get(str(a["id"]), ()))}
            for a in articles]


def _with_duplicates(story: dict[str, Any], duplicates: Mapping[str, str]) -> dict[str, Any]:
    """A story record with ``duplicates`` (copy id → kept id) for the copies among its articles."""
    copies = {a: duplicates[a] for a in story["article_ids"] if a in duplicates}
    return {**story, "duplicates": copies} if copies else story


def merge_all(articles: Sequence[Mapping[str, Any]], events: Sequence[Mapping[str, Any]],
              relations: Sequence[Mapping[str, Any]], entities: Entities, *,
              mentions: Iterable[Mapping[str, Any]] = (), options: MergeOptions | None = None,
              cache: EmbeddingCache | None = None) -> MergeResult:
    """Duplicates, stories, and events and relations merged across articles (pure: nothing is written)."""
    opts = options or MergeOptions()
    inputs = _with_mentions(articles, mentions)
    published = {str(a["id"]): a.get("published") for a in inputs}
    duplicates = find_duplicates(inputs, opts.dedup)
    stories = find_stories(inputs, entities, duplicates=duplicates, options=opts.stories, cache=cache)
    return MergeResult(
        stories=[_with_duplicates(s, duplicates) for s in stories.stories],
        story_of=stories.story_of,
        duplicates=duplicates,
        events=merge_events(events, entities, published=published),
        relations=merge_relations(relations, entities, published=published, options=opts.relations),
        messages=stories.messages,
    )
