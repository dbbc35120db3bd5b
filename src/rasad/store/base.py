"""The store interface, and :func:`open_store`, which picks the backend from the database URL.

* ``rasad.db``, ``./data/kb.sqlite`` or ``sqlite:///PATH``: SQLite, the embedded default
  (:mod:`rasad.store.sqlite`);
* ``postgresql://user@host/dbname`` (or ``postgres://``): PostgreSQL through psycopg 3
  (:mod:`rasad.store.postgres`, the ``postgres`` extra).

Both hold the same logical schema, created and upgraded by the versioned migrations in
``store/migrations/<backend>/NNNN_name.sql`` (:mod:`rasad.store.migrate`).

Layers.  ``add_article`` writes an article with what it says: mentions, entities, and its own
relations and events (tables ``article_relations`` / ``article_events``).  The merge stage reads
those back (:meth:`Store.raw_relations`, :meth:`Store.raw_events`) and writes the merged layer
(stories, events, relations) with :meth:`Store.replace_merged`.  Readers (:meth:`Store.relations`,
:meth:`Store.events`) see the merged layer once one was written, the raw layer before.

Run bookkeeping lives in ``runs`` and ``skipped`` (:data:`BOOKKEEPING_TABLES`), which gain rows on
every run; every other table is content and is unchanged by re-running the same input.

Test hook: ``RASAD_TEST_SLOW_MS`` (milliseconds) makes ``add_article`` wait that long before it commits
a new article, inside its transaction, so that a test can kill a run in the middle of a write.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import Any, Protocol

from rasad.errors import StoreError
from rasad.model import Article, Entity
from rasad.search import ArticleFilter
from rasad.store.records import ArticleRows

Record = dict[str, Any]

# Every table of the schema: content (what re-running the same input must leave unchanged) and run bookkeeping.
CONTENT_TABLES: tuple[str, ...] = (
    "meta", "articles", "article_sources", "entities", "entity_evidence", "mentions", "article_relations",
    "article_events", "relations", "events", "stories", "article_search", "entity_search",
)
BOOKKEEPING_TABLES: tuple[str, ...] = ("runs", "skipped")
SLOW_ENV = "RASAD_TEST_SLOW_MS"
# meta key: "1" while stored articles wait for a merge that `rasad watch --merge-every` deferred; any full merge
# (``replace_merged``) clears it.
MERGE_PENDING = "merge_pending"


@dataclass(frozen=True, slots=True)
class DateRange:
    first: str | None = None
    last: str | None = None


class Store(Protocol):
    """What every backend provides.  Writes go through :meth:`transaction` (one per article)."""

    @property
    def backend(self) -> str:
        """"sqlite" or "postgres"."""
        ...

    @property
    def where(self) -> str:
        """The database, as messages name it (a path, or a URL without its password)."""
        ...

    @property
    def url(self) -> str:
        """What :func:`open_store` opens this database with again (worker processes do)."""
        ...

    def transaction(self) -> AbstractContextManager[None]:
        """Commit everything written inside on success, nothing on error; nested blocks join the outer one."""
        ...

    def close(self) -> None: ...

    def schema_version(self) -> int: ...

    # -- runs (bookkeeping) --
    def start_run(self, kb_version: str) -> int: ...

    def finish_run(self, run_id: int, *, read: int, added: int, duplicates: int, skipped: int) -> None: ...

    def add_skipped(self, run_id: int, source: str, reason: str) -> None: ...

    # -- articles and entities --
    def has_article(self, article_id: str) -> bool: ...

    def add_article(self, article: Article, *, kb_entities: Mapping[str, Entity], kb_version: str,
                    rows: ArticleRows | None = None) -> bool:
        """Store one article with its mentions, entities, relations and events in one transaction.

        ``rows`` are those contents already turned into rows (by the worker that processed the
        article: :func:`rasad.store.records.article_rows`); without them they are made here.
        Returns False when it was already stored (only its source is then recorded).
        """
        ...

    def articles(self) -> Iterator[Article]: ...

    def find_article(self, key: str) -> Article | None:
        """An article by id, id prefix (≥ 6 chars), file name or source path."""
        ...

    def article_sources(self) -> dict[str, list[str]]:
        """Article id → every source path it was read from (sorted)."""
        ...

    def kb_versions(self) -> dict[str, str | None]:
        """Article id → the knowledge-base version it was processed with."""
        ...

    def entities(self) -> Iterator[Entity]: ...

    def get_entity(self, entity_id: str) -> Entity | None: ...

    # -- relations, events, stories --
    def raw_relations(self) -> Iterator[Record]:
        """Relations as the articles state them, one record per id with every article's evidence."""
        ...

    def raw_events(self) -> Iterator[Record]:
        """Events as the articles state them (export-shaped records, by id)."""
        ...

    def relations(self) -> Iterator[Record]:
        """The merged relations once the merge stage wrote them, else :meth:`raw_relations`."""
        ...

    def events(self) -> Iterator[Record]:
        """The merged events once the merge stage wrote them, else :meth:`raw_events`."""
        ...

    def stories(self) -> Iterator[Record]: ...

    def has_merged(self) -> bool:
        """Whether :meth:`replace_merged` has written the merged layer."""
        ...

    def replace_merged(
        self, stories: Iterable[Record], events: Iterable[Record], relations: Iterable[Record], *,
        story_ids: Mapping[str, str] | Iterable[tuple[str, str]] | None = None,
    ) -> None:
        """Replace the whole merged layer in one transaction (and, given ``story_ids``, every article's story).

        The records are read one at a time, so they may come from generators.
        """
        ...

    # -- reads for the keyed merge (rasad.merge.reduce): a slice at a time --
    def article_keys(self) -> Iterator[tuple[str, str | None]]:
        """Every article's (id, published), by id, fetched a page at a time."""
        ...

    def merge_articles(self, *, first: str | None = None, last: str | None = None,
                       ids: Sequence[str] | None = None) -> Iterator[Record]:
        """What the merge reads of the articles published on days ``first``..``last`` (ISO, inclusive), or
        of ``ids``: id, outlet, published, title, text, entity_ids, mentions ([start, entity id]); by file, id."""
        ...

    def raw_events_dated(self) -> Iterator[tuple[Record, dict[str, str | None]]]:
        """:meth:`raw_events` by event date (undated first), each with its articles' publication dates."""
        ...

    def raw_relations_by(self, predicates: Sequence[str], *, exclude: bool = False,
                         order: str = "id") -> Iterator[tuple[Record, dict[str, str | None]]]:
        """:meth:`raw_relations` with (or, with ``exclude``, without) these predicates, each with its articles'
        publication dates, ordered by ``order``: "object", "pair" (the unordered subject and object) or "id"."""
        ...

    def set_story_ids(self, mapping: Mapping[str, str]) -> None:
        """Set ``articles.story_id`` for the articles named (article id → story id)."""
        ...

    # -- search --
    def search_articles(self, groups: Sequence[frozenset[str]], wanted: ArticleFilter) -> list[str]:
        """Ids of the articles matching every group (newest first, then by id), narrowed by ``wanted``."""
        ...

    def search_entities(self, groups: Sequence[frozenset[str]], *, limit: int) -> list[Entity]:
        """Entities whose names or aliases match every group (by type, English name, id)."""
        ...

    def reindex(self) -> None:
        """Rebuild the search index from the stored articles and entities."""
        ...

    # -- tables and figures --
    def table_names(self) -> list[str]: ...

    def table(self, name: str) -> list[Record]: ...

    def counts(self, *, bookkeeping: bool = False) -> dict[str, int]:
        """Rows per content table (and per bookkeeping table when asked)."""
        ...

    def entity_type_counts(self) -> dict[str, int]: ...

    def outlet_counts(self) -> dict[str, int]:
        """Articles per outlet, most first; articles without one count under ``""``."""
        ...

    def article_dates(self) -> DateRange: ...

    def meta(self) -> dict[str, str]: ...

    def set_meta(self, key: str, value: str) -> None:
        """Set one ``meta`` entry (inside :meth:`transaction`)."""
        ...

    def check(self) -> list[str]:
        """Consistency problems found (empty when the database is sound)."""
        ...


def _slow_seconds() -> float:
    value = os.environ.get(SLOW_ENV, "")
    try:
        return max(0.0, float(value) / 1000) if value else 0.0
    except ValueError as exc:
        raise StoreError(f"{SLOW_ENV}={value!r}: not a number of milliseconds") from exc


def is_postgres_url(url: str) -> bool:
    return url.startswith(("postgresql://", "postgres://"))


def open_store(url: str, *, create: bool = True) -> Store:
    """Open the store at ``url`` (creating and migrating it unless ``create`` is False: then it must exist)."""
    if is_postgres_url(url):
        try:
            from rasad.store.postgres import open_postgres
        except ImportError as exc:
            if not (exc.name or "").startswith("psycopg"):
                raise
            raise StoreError(
                "PostgreSQL databases need psycopg: pip install 'rasad[postgres]' (or 'psycopg[binary]')"
            ) from exc
        store: Store = open_postgres(url, create=create, pause_s=_slow_seconds())
        return store
    from rasad.store.sqlite import open_sqlite

    return open_sqlite(url, create=create, pause_s=_slow_seconds())
