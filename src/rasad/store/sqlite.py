"""SQLite store: one file, WAL mode, foreign keys, FTS5 search, one write transaction per article.

Writers take the database's write lock when their transaction begins (``BEGIN IMMEDIATE``) and wait
up to :data:`BUSY_TIMEOUT_S` for it, so two runs against one file interleave article by article; the
one that stores an article first adds it, the other counts it as already stored.  A run killed at any
point leaves every article either fully stored or absent (SQLite's journal undoes the open
transaction), and the next run stores the rest.
"""

from __future__ import annotations

import sqlite3
import unicodedata
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any, ClassVar

from rasad.errors import StoreError
from rasad.store.migrate import sqlite_statements
from rasad.store.records import Row, event_record, evidence_record, merge_evidence, relation_record
from rasad.store.sql import MatchSQL, SQLStore, prepared

BUSY_TIMEOUT_S = 60.0
# The record helpers lived here before the store was split by backend; kept importable from here.
__all__ = [
    "BUSY_TIMEOUT_S", "SQLiteStore", "event_record", "evidence_record", "merge_evidence", "open_sqlite",
    "relation_record",
]


def db_path_from_url(url: str) -> Path:
    if url.startswith("sqlite:///"):
        return Path(url[len("sqlite:///") :])
    if "://" in url:
        raise StoreError(f"{url}: unsupported database URL (use a file path, sqlite:///PATH or postgresql://…)")
    return Path(url)


def _message(exc: sqlite3.Error) -> str:
    text = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    if "locked" in text or "busy" in text:
        text += f" (another process kept it locked for over {BUSY_TIMEOUT_S:.0f} s)"
    return text


def fts_tokens(form: str) -> list[str]:
    """The tokens SQLite's ``unicode61`` tokenizer makes of ``form``: runs of letters, numbers and
    private-use characters (a query word may hold others, e.g. ``_`` or control characters)."""
    tokens: list[str] = []
    current: list[str] = []
    for char in form:
        category = unicodedata.category(char)
        if category[0] in "LN" or category == "Co":
            current.append(char)
        elif current:
            tokens.append("".join(current))
            current = []
    if current:
        tokens.append("".join(current))
    return tokens


def _fts_term(form: str) -> str | None:
    """One form as an FTS5 term: a token in quotes, or its tokens all required (phrases need detail=full)."""
    tokens = fts_tokens(form)
    if not tokens:
        return None
    quoted = ['"' + t.replace('"', '""') + '"' for t in tokens]
    return quoted[0] if len(quoted) == 1 else "(" + " AND ".join(quoted) + ")"


def fts_query(groups: Sequence[frozenset[str]]) -> str | None:
    """An FTS5 query: every group, each one of its forms ("a" OR "b") AND (…); None when a group has no term."""
    parts = []
    for group in groups:
        terms = sorted({t for t in map(_fts_term, group) if t is not None})
        if not terms:
            return None
        parts.append("(" + " OR ".join(terms) + ")")
    return " AND ".join(parts)


class SQLiteStore(SQLStore):
    """The embedded store.  Open with :func:`rasad.store.open_store`."""

    backend: ClassVar[str] = "sqlite"

    def __init__(self, conn: sqlite3.Connection, path: Path, *, pause_s: float = 0.0) -> None:
        super().__init__(str(path), pause_s=pause_s)
        self.conn = conn
        self.path = path

    def _run(self, sql: str, params: Sequence[Any] = ()) -> int:
        try:
            return self.conn.execute(sql, params).rowcount
        except sqlite3.Error as exc:
            raise StoreError(f"{self.where}: {_message(exc)}") from exc

    def _run_many(self, sql: str, rows: Sequence[Sequence[Any]]) -> None:
        if not rows:
            return
        try:
            self.conn.executemany(sql, rows)
        except sqlite3.Error as exc:
            raise StoreError(f"{self.where}: {_message(exc)}") from exc

    def _rows(self, sql: str, params: Sequence[Any] = ()) -> Iterator[Row]:
        try:
            cursor = self.conn.execute(sql, params)
        except sqlite3.Error as exc:
            raise StoreError(f"{self.where}: {_message(exc)}") from exc
        return iter(cursor)

    def _begin(self) -> None:
        self._run("BEGIN IMMEDIATE")

    def _commit(self) -> None:
        self._run("COMMIT")

    def _rollback(self) -> None:
        if self.conn.in_transaction:
            self.conn.execute("ROLLBACK")

    def _insert_run(self, started: str, kb_version: str) -> int:
        try:
            cursor = self.conn.execute("INSERT INTO runs (started, kb_version) VALUES (?, ?)", (started, kb_version))
        except sqlite3.Error as exc:
            raise StoreError(f"{self.where}: {_message(exc)}") from exc
        return int(cursor.lastrowid or 0)

    def _put_search(self, table: str, key: str, forms: list[str]) -> None:
        self._run(f"INSERT INTO {table} (id, forms) VALUES (?, ?)", (key, " ".join(forms)))

    def _clear_search(self, table: str) -> None:
        self._run(f"DELETE FROM {table}")

    def _match(self, search_table: str, records: str, groups: Sequence[frozenset[str]]) -> MatchSQL:
        alias = records.split()[1]
        query = fts_query(groups)
        return MatchSQL(
            from_=f"{search_table} JOIN {records} ON {alias}.id = {search_table}.id",
            where=f"{search_table} MATCH ?" if query is not None else "0",  # a word with nothing to look up
            params=[query] if query is not None else [],
        )

    def table_names(self) -> list[str]:
        rows = list(self._rows("SELECT name, sql FROM sqlite_master WHERE type = 'table' ORDER BY name"))
        virtual = [r["name"] for r in rows if (r["sql"] or "").upper().startswith("CREATE VIRTUAL TABLE")]
        return [
            r["name"] for r in rows
            if not r["name"].startswith("sqlite_") and not any(r["name"].startswith(v + "_") for v in virtual)
        ]

    def _has_table(self, name: str) -> bool:
        return self._one("SELECT 1 AS x FROM sqlite_master WHERE type = 'table' AND name = ?", (name,)) is not None

    def run_script(self, sql: str) -> None:
        for statement in sqlite_statements(sql):
            self._run(statement)

    def _integrity(self) -> list[str]:
        problems = [str(v) for r in self._rows("PRAGMA integrity_check") for v in r.values() if v != "ok"]
        problems += [f"foreign key: {dict(r)}" for r in self._rows("PRAGMA foreign_key_check")]
        return problems

    def close(self) -> None:
        self.conn.close()


def _dict_row(cursor: sqlite3.Cursor, row: tuple[Any, ...]) -> dict[str, Any]:
    return {column[0]: value for column, value in zip(cursor.description, row, strict=True)}


WAL_CHECKPOINT_PAGES = 10_000


def _connect(path: Path) -> sqlite3.Connection:
    conn = sqlite3.connect(str(path), isolation_level=None, timeout=BUSY_TIMEOUT_S)
    conn.row_factory = _dict_row
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA foreign_keys=ON")
    conn.execute("PRAGMA synchronous=NORMAL")  # with WAL: a killed process loses nothing committed
    # Checkpoint every ~40 MB of WAL rather than every 4 MB: pages rewritten between checkpoints are copied once
    # (halves the commit cost of a long run; readers are unaffected, the WAL file is reused).
    conn.execute(f"PRAGMA wal_autocheckpoint={WAL_CHECKPOINT_PAGES}")
    return conn


def open_sqlite(
    url: str, *, create: bool = True, pause_s: float = 0.0, schema: int | None = None
) -> SQLiteStore:
    """Open (and create unless ``create`` is False) the SQLite store at ``url`` (a path or sqlite:///PATH).

    ``schema`` stops the migrations at that version (for tests of migrations); default: the latest.
    """
    path = db_path_from_url(url)
    if not create and not path.exists():
        raise StoreError(f"{path}: no such database (run `rasad run ... --db {path}` first)")
    try:
        if create:
            path.parent.mkdir(parents=True, exist_ok=True)
        conn = _connect(path)
    except (sqlite3.Error, OSError) as exc:
        reason = _message(exc) if isinstance(exc, sqlite3.Error) else exc.strerror
        raise StoreError(f"{path}: cannot open database: {reason}") from exc
    return prepared(SQLiteStore(conn, path, pause_s=pause_s), create=create, target=schema)
