"""Ingest over HTTP: one article's text and metadata through the pipeline into the store.

The request body is validated by the API (``IngestRequest``); here it becomes a RawDoc exactly as a
JSONL line would (:func:`rasad.ingest.frontmatter.build_doc`), runs through the default pipeline and
is stored in one transaction; then the merged layer is rebuilt, as ``rasad run`` does.  Only a
server started with ``--allow-ingest`` and a token accepts it.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass
from typing import Any

from rasad.errors import RasadError
from rasad.ingest.decode import normalize_newlines
from rasad.ingest.frontmatter import Origin, build_doc
from rasad.ingest.walk import IngestOptions
from rasad.pipeline import Pipeline
from rasad.store.base import Store
from rasad.text.clean import why_unusable
from rasad.web.access import StoreAccess

MAX_TEXT = 1_000_000  # characters; the file readers' limit is 10 MB of bytes


class IngestRejected(RasadError):
    """The article cannot be processed (e.g. nothing is left after cleaning)."""


@dataclass(frozen=True, slots=True, kw_only=True)
class IngestInput:
    text: str
    title: str | None = None
    outlet: str | None = None
    published: dt.date | None = None
    url: str | None = None
    byline: str | None = None
    language: str | None = None


@dataclass(frozen=True, slots=True)
class IngestResult:
    id: str
    added: bool
    mentions: int
    relations: int
    events: int

    def as_dict(self) -> dict[str, Any]:
        return {"id": self.id, "added": self.added, "mentions": self.mentions, "relations": self.relations,
                "events": self.events, "article": f"/api/articles/{self.id}", "page": f"/#/article/{self.id}"}


def _source(item: IngestInput) -> str:
    digest = hashlib.sha256(item.text.encode("utf-8")).hexdigest()[:16]
    return f"http-ingest-{digest}"


def ingest(access: StoreAccess, item: IngestInput) -> IngestResult:
    """Process and store one article; ``added`` is False when the same clean text was already stored."""
    mapping = {key: value for key, value in (
        ("title", item.title), ("outlet", item.outlet), ("url", item.url), ("byline", item.byline),
        ("language", item.language), ("published", item.published.isoformat() if item.published else None),
    ) if value is not None}
    source = _source(item)
    origin = Origin(source=source, file=source, encoding="utf-8", fmt="http")
    raw = build_doc(mapping, text=normalize_newlines(item.text), origin=origin, options=IngestOptions())

    def run(store: Store) -> IngestResult:
        kb = access.knowledge_base()
        try:
            article = Pipeline.build().process(raw, kb)
        except (ValueError, KeyError, IndexError) as exc:
            raise IngestRejected(f"processing failed: {type(exc).__name__}: {exc}".splitlines()[0]) from exc
        unusable = why_unusable(article.text)
        if unusable is not None:
            raise IngestRejected(unusable)
        added = store.add_article(article, kb_entities=kb.entities, kb_version=kb.version)
        if added and store.has_merged():  # keep the merged layer (what readers see) in step, as `rasad run` does
            from rasad.merge.apply import embedding_cache_path, merge_store

            merge_store(store, kb, cache_path=embedding_cache_path(access.url))
        access.invalidate()
        return IngestResult(article.id, added, len(article.mentions), len(article.relations), len(article.events))

    return access.call(run)
