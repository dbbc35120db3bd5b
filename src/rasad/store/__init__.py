"""Storage behind one interface, chosen by URL: SQLite (the embedded default) or PostgreSQL."""

from rasad.store.base import BOOKKEEPING_TABLES, CONTENT_TABLES, DateRange, Store, open_store

__all__ = ["BOOKKEEPING_TABLES", "CONTENT_TABLES", "DateRange", "Store", "open_store"]
