"""Exporters, chosen from one table by name."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from rasad.export.json_export import build_export, write_json
from rasad.store.sqlite import SQLiteStore

Exporter = Callable[[SQLiteStore, Any], None]
EXPORTERS: dict[str, Exporter] = {"json": write_json}

__all__ = ["EXPORTERS", "build_export", "write_json"]
