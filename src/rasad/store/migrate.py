"""Versioned schema migrations: ``store/migrations/<backend>/NNNN_name.sql``, applied in order.

The version reached is recorded in the database (``meta.schema_version``).  Opening a database
applies the migrations it lacks, each with its version bump in one transaction, under the store's
write lock so that two processes opening one database at once migrate it once.  A database newer
than this rasad is refused with a one-line error.
"""

from __future__ import annotations

import re
import sqlite3
from contextlib import AbstractContextManager
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Protocol

from rasad.errors import StoreError

_NAME = re.compile(r"^(\d{4})_[a-z0-9_]+\.sql$")


@dataclass(frozen=True, slots=True)
class Migration:
    version: int
    name: str
    sql: str


class Migratable(Protocol):
    """What the runner needs from a backend."""

    @property
    def backend(self) -> str:
        """"sqlite" or "postgres"."""
        ...

    @property
    def where(self) -> str:
        """The database, as messages name it (a path, or a URL without its password)."""
        ...

    def schema_version(self) -> int: ...

    def foreign_tables(self) -> list[str]: ...

    def run_script(self, sql: str) -> None: ...

    def set_meta(self, key: str, value: str) -> None: ...

    def transaction(self) -> AbstractContextManager[None]: ...


@cache
def migrations(backend: str) -> tuple[Migration, ...]:
    """The backend's migrations in version order (numbered 1, 2, 3 … without gaps)."""
    folder = resources.files("rasad.store").joinpath("migrations", backend)
    found = []
    for entry in folder.iterdir():
        match = _NAME.match(entry.name)
        if match:
            found.append(Migration(int(match.group(1)), entry.name, entry.read_text(encoding="utf-8")))
    found.sort(key=lambda m: m.version)
    if [m.version for m in found] != list(range(1, len(found) + 1)):
        raise StoreError(f"{backend} migrations are not numbered 1..{len(found)}: {[m.name for m in found]}")
    return tuple(found)


def latest_version(backend: str) -> int:
    return len(migrations(backend))


def sqlite_statements(script: str) -> list[str]:
    """Split an SQLite script into statements (``sqlite3.complete_statement`` knows about triggers)."""
    statements: list[str] = []
    current = ""
    for piece in script.split(";"):
        current += piece + ";"
        if sqlite3.complete_statement(current):
            if _has_code(current):
                statements.append(current.strip())
            current = ""
    if _has_code(current[:-1]):
        raise StoreError(f"incomplete SQL statement at the end of a script: {current.strip()[:60]}")
    return statements


def _has_code(sql: str) -> bool:
    return any(line.split("--", 1)[0].strip(" ;\t") for line in sql.splitlines())


def check_version(store: Migratable, version: int, *, create: bool) -> None:
    latest = latest_version(store.backend)
    if version > latest:
        raise StoreError(
            f"{store.where}: database schema version {version} is newer than this rasad supports ({latest}); "
            "upgrade rasad to open it"
        )
    if version == 0 and not create:
        raise StoreError(f"{store.where}: no rasad database here (run `rasad run ... --db {store.where}` first)")
    if version == 0 and store.foreign_tables():
        raise StoreError(f"{store.where}: not a rasad database (it holds other tables and no rasad schema version)")


def migrate(store: Migratable, *, create: bool = True, target: int | None = None) -> int:
    """Bring the database to ``target`` (default: the latest version); returns the version reached."""
    goal = latest_version(store.backend) if target is None else target
    version = store.schema_version()
    check_version(store, version, create=create)
    if version >= goal:
        return version
    with store.transaction():
        version = store.schema_version()  # another process may have migrated it meanwhile
        check_version(store, version, create=create)
        for migration in migrations(store.backend)[version:goal]:
            store.run_script(migration.sql)
            store.set_meta("schema_version", str(migration.version))
            version = migration.version
    return version
