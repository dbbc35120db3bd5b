"""Storage behind one interface, chosen by URL (SQLite is the embedded default)."""

from rasad.store.sqlite import SQLiteStore, open_store

__all__ = ["SQLiteStore", "open_store"]
