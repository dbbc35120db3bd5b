"""The server's one connection to the database, used from one thread, and the snapshot built from it.

Database connections (sqlite3's in particular) belong to the thread that opened them, while the web
server answers requests on many threads: every use of the store goes through :meth:`StoreAccess.call`,
which runs it on a single worker thread that owns the connection.  Reads go to an immutable
:class:`~rasad.web.snapshot.Snapshot`, rebuilt when the database changed (checked at most every
``refresh_s`` seconds, and at once after an ingest through this server).
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

from rasad.errors import KnowledgeBaseError
from rasad.kb.loader import KnowledgeBase
from rasad.store.base import Store, open_store
from rasad.web.snapshot import Snapshot, build_snapshot

T = TypeVar("T")


def fingerprint(store: Store) -> str:
    """Changes whenever the content does: rows per table, and the meta table (merged layer, index versions)."""
    return json.dumps([store.counts(), store.meta()], sort_keys=True)


class StoreAccess:
    """Owns the store on one worker thread.  Open lazily; :meth:`close` when the server stops."""

    def __init__(self, url: str, *, kb_name: str = "default", refresh_s: float = 2.0) -> None:
        self.url = url
        self.kb_name = kb_name
        self.refresh_s = refresh_s
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="rasad-store")
        self._store: Store | None = None
        self._kb: KnowledgeBase | None = None
        self._kb_failed = False
        self._snapshot: Snapshot | None = None
        self._fingerprint = ""
        self._checked = 0.0

    def call(self, fn: Callable[[Store], T]) -> T:
        """Run ``fn(store)`` on the store's thread and return its result (exceptions propagate)."""
        return self._executor.submit(self._with_store, fn).result()

    def _with_store(self, fn: Callable[[Store], T]) -> T:
        if self._store is None:
            self._store = open_store(self.url, create=False)
        return fn(self._store)

    def knowledge_base(self) -> KnowledgeBase:
        """The knowledge base (loaded once; raises KnowledgeBaseError when it cannot be)."""
        if self._kb is None:
            from rasad.kb import load_kb

            self._kb = load_kb(self.kb_name)
        return self._kb

    def _kb_or_none(self) -> KnowledgeBase | None:
        if self._kb is None and not self._kb_failed:
            try:
                self.knowledge_base()
            except KnowledgeBaseError:
                self._kb_failed = True  # parent chains then come from the stored entities only
        return self._kb

    def snapshot(self) -> Snapshot:
        """The current snapshot, rebuilt first when the database changed."""
        return self.call(self._current)

    def _current(self, store: Store) -> Snapshot:
        now = time.monotonic()
        if self._snapshot is not None and now - self._checked < self.refresh_s:
            return self._snapshot
        self._checked = now
        mark = fingerprint(store)
        if self._snapshot is None or mark != self._fingerprint:
            kb = self._kb_or_none()
            self._snapshot = build_snapshot(store, kb_entities=kb.entities.values() if kb else ())
            self._fingerprint = mark
        return self._snapshot

    def invalidate(self) -> None:
        """Check the database on the next read (after a write through this server)."""
        self._checked = 0.0

    def close(self) -> None:
        def _close(_: Store) -> None:
            if self._store is not None:
                self._store.close()
                self._store = None

        if self._store is not None:
            self._executor.submit(_close, self._store).result()
        self._executor.shutdown(wait=True)
