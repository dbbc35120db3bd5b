"""The cross-article stage run after ingestion: read the raw layer, merge, write the merged layer.

It is a keyed reduce over the whole store (blocked by place, date window and
type inside :func:`merge_all`), so a new article merges into existing stories,
events and relations; re-running gives the same merged layer.
"""

from __future__ import annotations

from pathlib import Path

from rasad.kb.loader import KnowledgeBase
from rasad.merge.embed import EmbeddingCache
from rasad.merge.run import MergeResult, article_input, merge_all
from rasad.store.base import Store

CACHE_KEY = "lead4"


def embedding_cache_path(db_url: str) -> Path | None:
    """Sentence embeddings are kept beside an SQLite file (``news.db`` → ``news.embeddings.npz``)."""
    if "://" in db_url and not db_url.startswith("sqlite:///"):
        return None
    path = Path(db_url.removeprefix("sqlite:///"))
    return path.with_suffix(".embeddings.npz")


def merge_store(store: Store, kb: KnowledgeBase, *, cache_path: Path | None = None) -> MergeResult:
    """Merge every stored article, event and relation and replace the merged layer in one transaction."""
    cache = EmbeddingCache.load(cache_path, key=CACHE_KEY) if cache_path is not None else None
    result = merge_all(
        [article_input(a) for a in store.articles()], list(store.raw_events()), list(store.raw_relations()),
        kb.entities, cache=cache,
    )
    store.replace_merged(result.stories, result.events, result.relations, story_ids=result.story_of)
    if cache is not None and cache_path is not None and cache.vectors:
        cache.save(cache_path)
    return result
