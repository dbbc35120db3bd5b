"""Exporters, chosen from one table by name."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from rasad.export.acled import write_acled_csv
from rasad.export.geojson import write_geojson
from rasad.export.graph import write_graph_json, write_graphml
from rasad.export.json_export import build_export, write_json
from rasad.store.base import Store

Exporter = Callable[[Store, Any], None]
EXPORTERS: dict[str, Exporter] = {
    "json": write_json,
    "acled-csv": write_acled_csv,
    "geojson": write_geojson,
    "graphml": write_graphml,
    "graph-json": write_graph_json,
}

__all__ = ["EXPORTERS", "build_export", "write_json"]
