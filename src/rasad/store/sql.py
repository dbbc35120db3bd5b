"""What SQLite and PostgreSQL share: the store written once over a few dialect primitives.

Statements use ``?`` placeholders and SQL both databases accept (``ON CONFLICT``, ``NULLS FIRST``);
a backend supplies the connection, transactions, errors and the search-index statements.
"""

from __future__ import annotations

import json
import time
from abc import ABC, abstractmethod
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from itertools import groupby
from typing import Any, ClassVar, TypeVar

from rasad.errors import StoreError
from rasad.model import Article, Entity
from rasad.search import ArticleFilter, index_forms, index_version
from rasad.store.base import BOOKKEEPING_TABLES, CONTENT_TABLES, MERGE_PENDING, DateRange, Record
from rasad.store.migrate import latest_version, migrate
from rasad.store.records import (
    ArticleRows,
    EvidenceKey,
    Row,
    article_from_row,
    article_rows,
    article_values,
    dumps,
    entity_from_row,
    entity_texts,
    evidence_keys,
    mention_from_row,
    merged_by_id,
    now,
    with_evidence,
)

MERGED_KEY = "merged_layer"
# How raw_relations_by orders relations: by place, by unordered pair of actors, or by id (triple).
RELATION_ORDERS = {
    "object": "r.object, ",
    "pair": "CASE WHEN r.subject < r.object THEN r.subject ELSE r.object END, "
            "CASE WHEN r.subject < r.object THEN r.object ELSE r.subject END, ",
    "id": "",
}
SEARCH_KEY = "search_index"
REINDEX_BATCH = 500


@dataclass(frozen=True, slots=True)
class MatchSQL:
    """A search table joined to its records: ``FROM … WHERE …`` fragments and their parameters."""

    from_: str
    where: str
    params: list[Any]


class SQLStore(ABC):
    """The store over one database connection.  Build with ``open_store``; close with :meth:`close`."""

    backend: ClassVar[str]

    def __init__(self, where: str, *, pause_s: float = 0.0, url: str = "") -> None:
        self.where = where
        self.url = url or where
        # Knowledge-base entities known to be in the database (forgotten when a transaction rolls back).
        self._stored_kb: set[str] = set()
        self.pause_s = pause_s
        self._depth = 0

    # -- dialect primitives ------------------------------------------------------------------------
    @abstractmethod
    def _run(self, sql: str, params: Sequence[Any] = ()) -> int:
        """Execute one statement; returns the number of rows it changed."""

    @abstractmethod
    def _run_many(self, sql: str, rows: Sequence[Sequence[Any]]) -> None: ...

    @abstractmethod
    def _rows(self, sql: str, params: Sequence[Any] = ()) -> Iterator[Row]: ...

    @abstractmethod
    def _begin(self) -> None:
        """Start a write transaction holding the database's write lock (writers queue here)."""

    @abstractmethod
    def _commit(self) -> None: ...

    @abstractmethod
    def _rollback(self) -> None: ...

    @abstractmethod
    def _insert_run(self, started: str, kb_version: str) -> int: ...

    @abstractmethod
    def _put_search(self, table: str, key: str, forms: list[str]) -> None: ...

    @abstractmethod
    def _clear_search(self, table: str) -> None: ...

    @abstractmethod
    def _match(self, search_table: str, records: str, groups: Sequence[frozenset[str]]) -> MatchSQL:
        """``search_table`` joined to the records it indexes (``records``: "articles a" or "entities e")."""

    @abstractmethod
    def table_names(self) -> list[str]: ...

    @abstractmethod
    def _has_table(self, name: str) -> bool: ...

    @abstractmethod
    def run_script(self, sql: str) -> None:
        """Run a migration script inside the current transaction."""

    @abstractmethod
    def _integrity(self) -> list[str]: ...

    @abstractmethod
    def close(self) -> None: ...

    def _search_rows(self, sql: str, params: Sequence[Any]) -> list[Row]:
        """Rows of a search query (a backend may steer its planner to the search index)."""
        return list(self._rows(sql, params))

    def _one(self, sql: str, params: Sequence[Any] = ()) -> Row | None:
        return next(self._rows(sql, params), None)

    # -- transactions and schema ---------------------------------------------------------------------
    @contextmanager
    def transaction(self) -> Iterator[None]:
        if self._depth:
            self._depth += 1
            try:
                yield
            finally:
                self._depth -= 1
            return
        self._begin()
        self._depth = 1
        try:
            yield
        except BaseException:
            self._depth = 0
            self._stored_kb.clear()
            self._rollback()
            raise
        self._depth = 0
        try:
            self._commit()
        except StoreError:
            self._stored_kb.clear()
            self._rollback()
            raise

    def schema_version(self) -> int:
        if not self._has_table("meta"):
            return 0
        row = self._one("SELECT value FROM meta WHERE key = 'schema_version'")
        return int(row["value"]) if row else 0

    def foreign_tables(self) -> list[str]:
        return [t for t in self.table_names() if t not in CONTENT_TABLES + BOOKKEEPING_TABLES]

    def set_meta(self, key: str, value: str) -> None:
        self._run(
            "INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            (key, value),
        )

    def meta(self) -> dict[str, str]:
        return {r["key"]: r["value"] for r in self._rows("SELECT key, value FROM meta ORDER BY key")}

    def prepare(self, *, create: bool, target: int | None = None) -> None:
        """Migrate the schema (to ``target``, default the latest) and bring the search index up to date."""
        if migrate(self, create=create, target=target) < latest_version(self.backend):
            return  # an old schema on purpose (tests of migrations): no search tables to fill yet
        if self.meta().get(SEARCH_KEY) != index_version():
            with self.transaction():
                if self.meta().get(SEARCH_KEY) != index_version():
                    self.reindex()

    # -- runs ----------------------------------------------------------------------------------------
    def start_run(self, kb_version: str) -> int:
        with self.transaction():
            return self._insert_run(now(), kb_version)

    def finish_run(self, run_id: int, *, read: int, added: int, duplicates: int, skipped: int) -> None:
        with self.transaction():
            self._run(
                "UPDATE runs SET finished = ?, read = ?, added = ?, duplicates = ?, skipped = ? WHERE id = ?",
                (now(), read, added, duplicates, skipped, run_id),
            )

    def add_skipped(self, run_id: int, source: str, reason: str) -> None:
        with self.transaction():
            self._run("INSERT INTO skipped (run_id, source, reason) VALUES (?, ?, ?)", (run_id, source, reason))

    # -- writing articles ------------------------------------------------------------------------------
    def has_article(self, article_id: str) -> bool:
        return self._one("SELECT 1 AS x FROM articles WHERE id = ?", (article_id,)) is not None

    def add_article(self, article: Article, *, kb_entities: Mapping[str, Entity], kb_version: str,
                    rows: ArticleRows | None = None) -> bool:
        """Store an article and what it says (``rows``: made beforehand by :func:`article_rows`, else now)."""
        with self.transaction():
            added = self._run(
                "INSERT INTO articles VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?) ON CONFLICT (id) DO NOTHING",
                article_values(article, kb_version),
            ) > 0
            if added:
                self._write_contents(article.id, rows or article_rows(article, kb_entities, kb_version))
            self._run(
                "INSERT INTO article_sources (article_id, source, file, outlet, url) VALUES (?, ?, ?, ?, ?) "
                "ON CONFLICT (article_id, source) DO NOTHING",
                (article.id, article.source, article.file, article.outlet, article.url),
            )
            if added and self.pause_s:
                time.sleep(self.pause_s)  # test hook (RASAD_TEST_SLOW_MS): a kill now lands mid-transaction
        return added

    def _write_contents(self, article_id: str, rows: ArticleRows) -> None:
        for entity, values, forms in rows.entities:
            self._upsert_entity(entity, values, forms)
        self._run_many(
            'INSERT INTO mentions (article_id, entity_id, start, "end", text, method, sentence) '
            'VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (article_id, start, "end", entity_id) DO NOTHING',
            rows.mentions,
        )
        self._run_many(
            "INSERT INTO article_relations (id, article_id, subject, predicate, object, data) "
            "VALUES (?, ?, ?, ?, ?, ?)",
            rows.relations,
        )
        self._run_many("INSERT INTO article_events (id, article_id, event_date, data) VALUES (?, ?, ?, ?)", rows.events)
        self._put_search("article_search", article_id, rows.search)

    def _upsert_entity(self, e: Entity, values: tuple[Any, ...], forms: list[str]) -> None:
        if not e.discovered:  # a knowledge-base entity is stored once and never changes
            if e.id in self._stored_kb:
                return
            if self._run("INSERT INTO entities VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?) ON CONFLICT (id) DO NOTHING",
                         values) > 0:
                self._put_search("entity_search", e.id, forms)
            self._stored_kb.add(e.id)
            return
        keys = evidence_keys(e)
        row = self._one("SELECT name_en, name_ar, aliases FROM entities WHERE id = ?", (e.id,))
        if row is None:
            self._run("INSERT INTO entities VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)", values)
            self._put_search("entity_search", e.id, forms)
        elif keys and _earlier(keys[0], self._first_evidence(e.id)):
            # Found again in an earlier sentence: the entity as first seen in the earliest evidence speaks
            # for it, whichever article was stored first (workers store in no fixed order).
            columns = dict(zip(ENTITY_COLUMNS, values, strict=True))
            self._run(f"UPDATE entities SET {', '.join(f'{c} = ?' for c in ENTITY_COLUMNS[1:])} WHERE id = ?",
                      [*list(columns.values())[1:], e.id])
            if any(row[c] != columns[c] for c in ("name_en", "name_ar", "aliases")):
                # Only then do the search forms change (the search table is not indexed by id: a scan).
                self._run("DELETE FROM entity_search WHERE id = ?", (e.id,))
                self._put_search("entity_search", e.id, forms)
        self._run_many('INSERT INTO entity_evidence (entity_id, article_id, start, "end") VALUES (?, ?, ?, ?) '
                       'ON CONFLICT DO NOTHING', [(e.id, *k) for k in keys])

    def _first_evidence(self, entity_id: str) -> EvidenceKey | None:
        """The earliest evidence stored for an entity (an index seek)."""
        row = self._one('SELECT article_id, start, "end" FROM entity_evidence WHERE entity_id = ? '
                        'ORDER BY article_id, start, "end" LIMIT 1', (entity_id,))
        return None if row is None else (row["article_id"], int(row["start"]), int(row["end"]))

    def _evidence_of(self, entity_id: str | None = None) -> Iterator[tuple[str, list[EvidenceKey]]]:
        """(entity id, its evidence keys in order) for one entity or, by id, for all."""
        where, params = ("WHERE entity_id = ? ", (entity_id,)) if entity_id else ("", ())
        rows = self._rows(f'SELECT entity_id, article_id, start, "end" FROM entity_evidence {where}'
                          'ORDER BY entity_id, article_id, start, "end"', params)
        for key, group in groupby(rows, key=lambda r: str(r["entity_id"])):
            yield key, [(r["article_id"], int(r["start"]), int(r["end"])) for r in group]

    # -- reading articles and entities -------------------------------------------------------------------
    def _mentions(self, article_id: str) -> tuple[Any, ...]:
        rows = self._rows('SELECT * FROM mentions WHERE article_id = ? ORDER BY start, "end", entity_id', (article_id,))
        return tuple(mention_from_row(r) for r in rows)

    def articles(self) -> Iterator[Article]:
        for row in self._rows("SELECT * FROM articles ORDER BY file NULLS FIRST, id"):
            yield article_from_row(row, self._mentions(row["id"]))

    def find_article(self, key: str) -> Article | None:
        row = self._one("SELECT * FROM articles WHERE id = ?", (key,))
        if row is None and len(key) >= 6:
            prefix = _like_prefix(key)
            row = self._one("SELECT * FROM articles WHERE id LIKE ? ESCAPE '\\' ORDER BY id LIMIT 1", (prefix,))
        if row is None:
            name = key.replace("\\", "/").rsplit("/", 1)[-1]
            row = self._one(
                "SELECT a.* FROM articles a JOIN article_sources s ON s.article_id = a.id "
                "WHERE s.file = ? OR s.source = ? ORDER BY a.id LIMIT 1",
                (name, key),
            )
        return None if row is None else article_from_row(row, self._mentions(row["id"]))

    def article_sources(self) -> dict[str, list[str]]:
        out: dict[str, list[str]] = {}
        for row in self._rows("SELECT article_id, source FROM article_sources ORDER BY article_id, source"):
            out.setdefault(row["article_id"], []).append(row["source"])
        return out

    def kb_versions(self) -> dict[str, str | None]:
        return {r["id"]: r["kb_version"] for r in self._rows("SELECT id, kb_version FROM articles")}

    def entities(self) -> Iterator[Entity]:
        evidence = self._evidence_of()  # both ordered by id: merged as they come
        pending = next(evidence, None)
        for row in self._rows("SELECT * FROM entities ORDER BY id"):
            entity = entity_from_row(row)
            while pending is not None and pending[0] < entity.id:
                pending = next(evidence, None)
            if pending is not None and pending[0] == entity.id:
                entity = with_evidence(entity, pending[1])
                pending = next(evidence, None)
            yield entity

    def get_entity(self, entity_id: str) -> Entity | None:
        row = self._one("SELECT * FROM entities WHERE id = ?", (entity_id,))
        if row is None:
            return None
        return with_evidence(entity_from_row(row), next((k for _, k in self._evidence_of(entity_id)), []))

    # -- relations, events, stories ------------------------------------------------------------------------
    def raw_relations(self) -> Iterator[Record]:
        return merged_by_id(self._rows(
            "SELECT r.id, r.data FROM article_relations r JOIN articles a ON a.id = r.article_id "
            "ORDER BY r.id, a.file NULLS FIRST, r.article_id"
        ))

    def raw_events(self) -> Iterator[Record]:
        return merged_by_id(self._rows(
            "SELECT e.id, e.data FROM article_events e JOIN articles a ON a.id = e.article_id "
            "ORDER BY e.id, a.file NULLS FIRST, e.article_id"
        ))

    def has_merged(self) -> bool:
        return self._one("SELECT value FROM meta WHERE key = ?", (MERGED_KEY,)) is not None

    def relations(self) -> Iterator[Record]:
        if not self.has_merged():
            return self.raw_relations()
        return (json.loads(r["data"]) for r in self._rows("SELECT data FROM relations ORDER BY id"))

    def events(self) -> Iterator[Record]:
        if not self.has_merged():
            return self.raw_events()
        return (json.loads(r["data"]) for r in self._rows("SELECT data FROM events ORDER BY id"))

    def stories(self) -> Iterator[Record]:
        for row in self._rows("SELECT * FROM stories ORDER BY id"):
            record: Record = json.loads(row["data"]) if row["data"] else {}
            yield {"id": row["id"], "article_ids": json.loads(row["article_ids"])} | record

    def replace_merged(
        self, stories: Iterable[Record], events: Iterable[Record], relations: Iterable[Record], *,
        story_ids: Mapping[str, str] | Iterable[tuple[str, str]] | None = None,
    ) -> None:
        with self.transaction():
            for table in ("stories", "events", "relations"):
                self._run(f"DELETE FROM {table}")
            for rows in _batched(_checked(stories, "story")):
                self._run_many("INSERT INTO stories (id, article_ids, data) VALUES (?, ?, ?)",
                               [(s["id"], dumps(list(s.get("article_ids", []))), dumps(s)) for s in rows])
            for rows in _batched(_checked(events, "event")):
                self._run_many("INSERT INTO events (id, event_date, data) VALUES (?, ?, ?)",
                               [(e["id"], e.get("event_date"), dumps(e)) for e in rows])
            for rows in _batched(_checked(relations, "relation", ("subject", "predicate", "object"))):
                self._run_many(
                    "INSERT INTO relations (id, subject, predicate, object, data) VALUES (?, ?, ?, ?, ?)",
                    [(r["id"], r["subject"], r["predicate"], r["object"], dumps(r)) for r in rows],
                )
            if story_ids is not None:
                self._run("UPDATE articles SET story_id = NULL WHERE story_id IS NOT NULL")
                pairs = story_ids.items() if isinstance(story_ids, Mapping) else story_ids
                for rows in _batched(pairs):
                    self._run_many("UPDATE articles SET story_id = ? WHERE id = ?", [(s, a) for a, s in rows])
            self.set_meta(MERGED_KEY, "1")
            self.set_meta(MERGE_PENDING, "0")  # whatever waited for a merge is in this one

    def set_story_ids(self, mapping: Mapping[str, str]) -> None:
        with self.transaction():
            self._run_many("UPDATE articles SET story_id = ? WHERE id = ?", [(s, a) for a, s in mapping.items()])

    # -- reads for the keyed merge (rasad.merge.reduce): a slice at a time --------------------------------
    def _stream(self, sql: str, params: Sequence[Any] = ()) -> Iterator[Row]:
        """Rows of a long query, fetched as they are read (a backend without a lazy cursor overrides this)."""
        return self._rows(sql, params)

    def article_keys(self) -> Iterator[tuple[str, str | None]]:
        for row in self._batches("SELECT id, published FROM articles"):
            yield row["id"], row["published"]

    def merge_articles(self, *, first: str | None = None, last: str | None = None,
                       ids: Sequence[str] | None = None) -> Iterator[Record]:
        if ids is not None:
            for start in range(0, len(ids), REINDEX_BATCH):
                part = list(ids[start : start + REINDEX_BATCH])
                yield from self._merge_inputs(f"id IN ({', '.join('?' * len(part))})", part)
            return
        yield from self._merge_inputs("published >= ? AND substr(published, 1, 10) <= ?", [first or "", last or ""])

    def _merge_inputs(self, where: str, params: Sequence[Any]) -> Iterator[Record]:
        mentions: dict[str, list[list[Any]]] = {}
        for m in self._rows(
            f'SELECT article_id, start, entity_id FROM mentions WHERE article_id IN (SELECT id FROM articles '
            f'WHERE {where}) ORDER BY article_id, start, "end", entity_id', params,
        ):
            mentions.setdefault(m["article_id"], []).append([m["start"], m["entity_id"]])
        for row in self._rows(
            f"SELECT id, outlet, published, title, text FROM articles WHERE {where} ORDER BY file NULLS FIRST, id",
            params,
        ):
            found = mentions.get(row["id"], [])
            yield {**row, "sources": [], "entity_ids": sorted({m[1] for m in found}), "mentions": found}

    def raw_events_dated(self) -> Iterator[tuple[Record, dict[str, str | None]]]:
        return _dated(self._stream(
            "SELECT e.id, e.data, e.article_id, a.published, MIN(e.event_date) OVER (PARTITION BY e.id) AS first_date "
            "FROM article_events e JOIN articles a ON a.id = e.article_id "
            "ORDER BY first_date NULLS FIRST, e.id, a.file NULLS FIRST, e.article_id"
        ))

    def raw_relations_by(self, predicates: Sequence[str], *, exclude: bool = False,
                         order: str = "id") -> Iterator[tuple[Record, dict[str, str | None]]]:
        if order not in RELATION_ORDERS:
            raise StoreError(f"unknown relation order {order!r}")
        marks = ", ".join("?" * len(predicates)) or "NULL"
        return _dated(self._stream(
            "SELECT r.id, r.data, r.article_id, a.published FROM article_relations r "
            f"JOIN articles a ON a.id = r.article_id WHERE r.predicate {'NOT ' if exclude else ''}IN ({marks}) "
            f"ORDER BY {RELATION_ORDERS[order]}r.id, a.file NULLS FIRST, r.article_id",
            list(predicates),
        ))

    # -- search ----------------------------------------------------------------------------------------
    def search_articles(self, groups: Sequence[frozenset[str]], wanted: ArticleFilter) -> list[str]:
        match = self._match("article_search", "articles a", groups)
        where, params = [match.where], list(match.params)
        if wanted.date_from:
            where.append("substr(a.published, 1, 10) >= ?")
            params.append(wanted.date_from)
        if wanted.date_to:
            where.append("substr(a.published, 1, 10) <= ?")
            params.append(wanted.date_to)
        if wanted.outlet:
            where.append("lower(a.outlet) = lower(?)")
            params.append(wanted.outlet)
        if wanted.entity_ids is not None:
            marks = ", ".join("?" * len(wanted.entity_ids)) or "NULL"
            where.append(f"a.id IN (SELECT article_id FROM mentions WHERE entity_id IN ({marks}))")
            params.extend(wanted.entity_ids)
        sql = (
            f"SELECT a.id FROM {match.from_} WHERE {' AND '.join(where)} "
            "ORDER BY a.published DESC NULLS LAST, a.id LIMIT ?"
        )
        return [r["id"] for r in self._search_rows(sql, [*params, wanted.limit])]

    def search_entities(self, groups: Sequence[frozenset[str]], *, limit: int) -> list[Entity]:
        match = self._match("entity_search", "entities e", groups)
        sql = (
            f"SELECT e.* FROM {match.from_} WHERE {match.where} "
            "ORDER BY e.type, e.name_en NULLS FIRST, e.id LIMIT ?"
        )
        return [entity_from_row(r) for r in self._search_rows(sql, [*match.params, limit])]

    def reindex(self) -> None:
        with self.transaction():
            for table in ("article_search", "entity_search"):
                self._clear_search(table)
            for row in self._batches("SELECT id, title, text FROM articles"):
                self._put_search("article_search", row["id"], index_forms([row["title"], row["text"]]))
            for row in self._batches("SELECT id, name_en, name_ar, aliases FROM entities"):
                texts = entity_texts(row["name_en"], row["name_ar"], row["aliases"])
                self._put_search("entity_search", row["id"], index_forms(texts))
            self.set_meta(SEARCH_KEY, index_version())

    def _batches(self, select: str) -> Iterator[Row]:
        """All rows of ``select`` (over a table with an ``id`` key), fetched a batch at a time by id."""
        last = ""
        while True:
            rows = list(self._rows(f"{select} WHERE id > ? ORDER BY id LIMIT {REINDEX_BATCH}", (last,)))
            yield from rows
            if len(rows) < REINDEX_BATCH:
                return
            last = rows[-1]["id"]

    # -- tables and figures ------------------------------------------------------------------------------
    def table(self, name: str) -> list[Record]:
        if name not in self.table_names():
            raise StoreError(f"unknown table {name!r}")
        return [dict(r) for r in self._rows(f"SELECT * FROM {name}")]

    def counts(self, *, bookkeeping: bool = False) -> dict[str, int]:
        tables = CONTENT_TABLES + (BOOKKEEPING_TABLES if bookkeeping else ())
        return {t: _count(self._one(f"SELECT COUNT(*) AS n FROM {t}")) for t in tables}

    def entity_type_counts(self) -> dict[str, int]:
        rows = self._rows("SELECT type, COUNT(*) AS n FROM entities GROUP BY type ORDER BY type")
        return {r["type"]: int(r["n"]) for r in rows}

    def outlet_counts(self) -> dict[str, int]:
        rows = self._rows(
            "SELECT COALESCE(outlet, '') AS outlet, COUNT(*) AS n FROM articles "
            "GROUP BY COALESCE(outlet, '') ORDER BY n DESC, outlet"
        )
        return {r["outlet"]: int(r["n"]) for r in rows}

    def article_dates(self) -> DateRange:
        row = self._one(
            "SELECT MIN(substr(published, 1, 10)) AS first, MAX(substr(published, 1, 10)) AS last "
            "FROM articles WHERE published IS NOT NULL AND published <> ''"
        )
        return DateRange(row["first"], row["last"]) if row else DateRange()

    def check(self) -> list[str]:
        problems = self._integrity()
        counts = self.counts()
        if counts["articles"] != counts["article_search"]:
            problems.append(f"{counts['articles']} articles but {counts['article_search']} in the search index")
        orphans = self._one(
            "SELECT COUNT(*) AS n FROM mentions m LEFT JOIN entities e ON e.id = m.entity_id WHERE e.id IS NULL"
        )
        if _count(orphans):
            problems.append(f"{_count(orphans)} mentions of entities not stored")
        unsourced = self._one(
            "SELECT COUNT(*) AS n FROM articles a WHERE NOT EXISTS "
            "(SELECT 1 FROM article_sources s WHERE s.article_id = a.id)"
        )
        if _count(unsourced):
            problems.append(f"{_count(unsourced)} articles without a source")
        return problems


def _count(row: Row | None) -> int:
    return int(row["n"]) if row else 0


def _like_prefix(key: str) -> str:
    return key.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


S = TypeVar("S", bound=SQLStore)


def prepared(store: S, *, create: bool, target: int | None) -> S:
    """``store`` with its schema migrated (to ``target``, default the latest); closed if that fails."""
    try:
        store.prepare(create=create, target=target)
    except BaseException:
        store.close()
        raise
    return store


def _earlier(key: EvidenceKey, first: EvidenceKey | None) -> bool:
    return first is None or key < first


ENTITY_COLUMNS = (
    "id", "type", "name_en", "name_ar", "aliases", "lat", "lon", "country", "admin1", "wikidata", "discovered",
    "feature", "parent", "affiliation", "extra", "kb_version",
)


def _checked(records: Iterable[Record], kind: str, keys: tuple[str, ...] = ()) -> Iterator[Record]:
    for record in records:
        missing = [k for k in ("id", *keys) if not record.get(k)]
        if missing:
            raise StoreError(f"merged {kind} without {', '.join(missing)}: {str(record)[:80]}")
        yield record


def _batched(items: Iterable[Any], size: int = REINDEX_BATCH) -> Iterator[list[Any]]:
    batch: list[Any] = []
    for item in items:
        batch.append(item)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def _dated(rows: Iterable[Row]) -> Iterator[tuple[Record, dict[str, str | None]]]:
    """Rows ordered by id, one per article, as one record per id with its articles' publication dates."""
    from rasad.store.records import merge_records  # beside the write path's imports, which change separately

    for _, group in groupby(rows, key=lambda r: r["id"]):
        items = list(group)
        yield merge_records(json.loads(r["data"]) for r in items), {r["article_id"]: r["published"] for r in items}
