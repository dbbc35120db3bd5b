"""PostgreSQL store through psycopg 3: the logical schema of the SQLite store, for many users.

* Keys and sort columns use the "C" collation, so rows come back in the order SQLite gives.
* Search: each article's and entity's search forms (the ones SQLite keeps in FTS5) are a ``text[]``
  column with a GIN index; a query group matches when the arrays overlap (``forms && group``).
* Writers serialise on a transaction-scoped advisory lock taken when their transaction begins, as
  SQLite writers do on ``BEGIN IMMEDIATE``; readers never wait.

URLs: ``postgresql://user:password@host:port/dbname``, or a Unix socket with
``postgresql://user@/dbname?host=/run/postgresql``.  Needs the ``postgres`` extra (psycopg).
"""

from __future__ import annotations

import contextlib
import itertools
import re
from collections.abc import Iterator, Sequence
from functools import lru_cache
from typing import Any, ClassVar

import psycopg
from psycopg.pq import TransactionStatus
from psycopg.rows import dict_row

from rasad.errors import StoreError
from rasad.store.records import Row
from rasad.store.sql import MatchSQL, SQLStore, prepared

WRITE_LOCK = 0x7261736164  # "rasad": the advisory lock every write transaction holds
CONNECT_TIMEOUT_S = 10
_STREAMS = itertools.count()


@lru_cache(maxsize=512)
def _pg(sql: str) -> str:
    """``?`` placeholders as psycopg's ``%s`` (a literal ``%`` doubled)."""
    return sql.replace("%", "%%").replace("?", "%s")


def safe_url(url: str) -> str:
    """The URL with any password masked, for messages."""
    return re.sub(r"(://[^:/@?]*):[^@/?]*@", r"\1:***@", url)


def _message(exc: psycopg.Error) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


class PostgresStore(SQLStore):
    """The multi-user store.  Open with :func:`rasad.store.open_store`."""

    backend: ClassVar[str] = "postgres"

    def __init__(self, conn: psycopg.Connection[dict[str, Any]], url: str, *, pause_s: float = 0.0) -> None:
        super().__init__(safe_url(url), pause_s=pause_s, url=url)
        self.conn = conn

    def _fail(self, exc: psycopg.Error) -> StoreError:
        return StoreError(f"{self.where}: {_message(exc)}")

    def _run(self, sql: str, params: Sequence[Any] = ()) -> int:
        try:
            return self.conn.execute(_pg(sql), tuple(params)).rowcount
        except psycopg.Error as exc:
            raise self._fail(exc) from exc

    def _run_many(self, sql: str, rows: Sequence[Sequence[Any]]) -> None:
        if not rows:
            return
        try:
            with self.conn.cursor() as cursor:
                cursor.executemany(_pg(sql), rows)
        except psycopg.Error as exc:
            raise self._fail(exc) from exc

    def _rows(self, sql: str, params: Sequence[Any] = ()) -> Iterator[Row]:
        try:
            rows = self.conn.execute(_pg(sql), tuple(params)).fetchall()
        except psycopg.Error as exc:
            raise self._fail(exc) from exc
        return iter(rows)

    def _stream(self, sql: str, params: Sequence[Any] = ()) -> Iterator[Row]:
        """A server-side cursor (it lives in a transaction): rows come a thousand at a time."""
        try:
            with self.conn.transaction(), self.conn.cursor(name=f"rasad_stream_{next(_STREAMS)}") as cursor:
                cursor.itersize = 1000
                cursor.execute(_pg(sql), tuple(params))
                yield from cursor
        except psycopg.Error as exc:
            raise self._fail(exc) from exc

    def _search_rows(self, sql: str, params: Sequence[Any]) -> list[Row]:
        """Search queries use the GIN index: the planner does not count the cost of reading every row's
        (TOASTed) forms array, and would otherwise scan the whole table on small and mid-sized databases."""
        if self._depth:
            return list(self._rows(sql, params))
        try:
            with self.conn.transaction():
                self.conn.execute("SET LOCAL enable_seqscan = off")
                return list(self._rows(sql, params))
        except psycopg.Error as exc:
            raise self._fail(exc) from exc

    def _begin(self) -> None:
        self._run("BEGIN")
        self._run("SELECT pg_advisory_xact_lock(?)", (WRITE_LOCK,))

    def _commit(self) -> None:
        self._run("COMMIT")

    def _rollback(self) -> None:
        if self.conn.closed or self.conn.info.transaction_status == TransactionStatus.IDLE:
            return
        with contextlib.suppress(psycopg.Error):  # a lost connection: the server has rolled back already
            self.conn.execute("ROLLBACK")

    def _insert_run(self, started: str, kb_version: str) -> int:
        row = self._one("INSERT INTO runs (started, kb_version) VALUES (?, ?) RETURNING id", (started, kb_version))
        return int(row["id"]) if row else 0

    def _put_search(self, table: str, key: str, forms: list[str]) -> None:
        self._run(f"INSERT INTO {table} (id, forms) VALUES (?, ?)", (key, forms))

    def _clear_search(self, table: str) -> None:
        self._run(f"DELETE FROM {table}")

    def _match(self, search_table: str, records: str, groups: Sequence[frozenset[str]]) -> MatchSQL:
        alias = records.split()[1]
        return MatchSQL(
            from_=f"{search_table} s JOIN {records} ON {alias}.id = s.id",
            where=" AND ".join("s.forms && ?::text[]" for _ in groups) or "TRUE",
            params=[sorted(group) for group in groups],
        )

    def table_names(self) -> list[str]:
        rows = self._rows(
            "SELECT table_name AS name FROM information_schema.tables "
            "WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' ORDER BY table_name"
        )
        return [str(r["name"]) for r in rows]

    def _has_table(self, name: str) -> bool:
        row = self._one(
            "SELECT 1 AS x FROM information_schema.tables WHERE table_schema = current_schema() AND table_name = ?",
            (name,),
        )
        return row is not None

    def run_script(self, sql: str) -> None:
        try:
            self.conn.execute(sql.encode("utf-8"))  # no parameters: several statements in one go
        except psycopg.Error as exc:
            raise self._fail(exc) from exc

    def _integrity(self) -> list[str]:
        return []  # the server enforces keys and constraints as it writes

    def close(self) -> None:
        self.conn.close()


def open_postgres(
    url: str, *, create: bool = True, pause_s: float = 0.0, schema: int | None = None
) -> PostgresStore:
    """Connect to the database at ``url`` and migrate its schema (it must exist when ``create`` is False)."""
    try:
        conn = psycopg.connect(url, autocommit=True, row_factory=dict_row, connect_timeout=CONNECT_TIMEOUT_S)
    except psycopg.Error as exc:
        raise StoreError(f"{safe_url(url)}: cannot connect: {_message(exc)}") from exc
    return prepared(PostgresStore(conn, url, pause_s=pause_s), create=create, target=schema)
