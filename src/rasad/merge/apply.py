"""The cross-article stage run after ingestion: read the raw layer, merge, write the merged layer.

It is a keyed reduce over the store (:mod:`rasad.merge.reduce`): articles in time chunks, events
blocked by type, nested place and date window, relations by the keys their conflict rules compare,
each slice merged on the run's engine, so no process holds the whole store; a new article merges
into existing stories, events and relations, and re-running gives the same merged layer.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from rasad.engines import EngineOptions
from rasad.kb.loader import KnowledgeBase
from rasad.merge.embed import VectorFile
from rasad.merge.reduce import CACHE_KEY, ReduceOptions, merge_keyed
from rasad.merge.run import MergeOptions
from rasad.merge.sources import StoreSource
from rasad.store.base import Store


@dataclass(frozen=True, slots=True)
class MergeSummary:
    """What the merge wrote: merged events and relations, near-duplicates, and notes for the user."""

    events: int
    relations: int
    duplicates: int
    multi_article_stories: int
    messages: list[str] = field(default_factory=list)


def embedding_cache_path(db_url: str) -> Path | None:
    """Sentence embeddings are kept in a folder beside an SQLite file (``news.db`` → ``news.embeddings/``),
    memory-mapped (:class:`rasad.merge.embed.VectorFile`)."""
    if "://" in db_url and not db_url.startswith("sqlite:///"):
        return None
    path = Path(db_url.removeprefix("sqlite:///"))
    return path.with_suffix(".embeddings")


def merge_store(store: Store, kb: KnowledgeBase, *, cache_path: Path | None = None,
                engine: EngineOptions | None = None, options: MergeOptions | None = None,
                reduce: ReduceOptions | None = None) -> MergeSummary:
    """Merge every stored article, event and relation on ``engine`` and replace the merged layer in one transaction.

    ``cache_path``: a folder where sentence embeddings are kept between merges (none are kept when None).
    """
    vectors = VectorFile.open(cache_path, key=CACHE_KEY)
    try:
        merged = merge_keyed(StoreSource(store), kb.entities, engine=engine, options=options, reduce=reduce,
                             vectors=vectors)
    finally:
        vectors.close()
    try:
        store.replace_merged(merged.stories(), merged.events, merged.relations, story_ids=merged.story_ids())
        return MergeSummary(merged.events.count, merged.relations.count, len(merged.duplicates),
                            merged.multi.count, merged.messages)
    finally:
        merged.close()
