"""Load the knowledge base from the data files named by a manifest.

A manifest (``data/<name>.manifest.json``) lists the data files with their
sha256, the knowledge-base version and the attribution of each source.  The
loader checks the hashes, so an edited data file without a rebuilt manifest is
reported instead of silently changing results (``tools/kb_manifest.py``
rebuilds it).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from rasad.errors import KnowledgeBaseError
from rasad.frozen import quick_init
from rasad.model import ENTITY_TYPES, Entity

_NAMED_KEYS = frozenset(
    {
        "id", "type", "name_en", "name_ar", "aliases_en", "aliases_ar", "lat", "lon", "country",
        "admin1", "wikidata", "feature", "parent", "affiliation",
    }
)


@quick_init
@dataclass(frozen=True, slots=True)
class KnowledgeBase:
    name: str
    version: str
    entities: Mapping[str, Entity]
    files: tuple[str, ...] = ()
    attribution: tuple[str, ...] = field(default=())

    def get(self, entity_id: str) -> Entity | None:
        return self.entities.get(entity_id)

    def __len__(self) -> int:
        return len(self.entities)


def _data_dir() -> Path:
    return Path(str(resources.files("rasad.kb").joinpath("data")))


def sha256_file(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def read_manifest(name: str, data_dir: Path | None = None) -> dict[str, Any]:
    directory = data_dir or _data_dir()
    path = directory / f"{name}.manifest.json"
    if not path.is_file():
        raise KnowledgeBaseError(f"knowledge base {name!r}: no manifest at {path}")
    manifest: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return manifest


def _records_from_file(path: Path) -> Iterator[dict[str, Any]]:
    if path.suffix == ".jsonl":
        with path.open(encoding="utf-8") as handle:
            for line in handle:
                if line.strip():
                    yield json.loads(line)
        return
    data = yaml.load(path.read_text(encoding="utf-8"), Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    if not isinstance(data, dict) or not isinstance(data.get("entities"), list):
        raise KnowledgeBaseError(f"{path.name}: expected a mapping with an 'entities' list")
    yield from data["entities"]


def _aliases(record: Mapping[str, Any]) -> tuple[str, ...]:
    seen: dict[str, None] = {}
    for key in ("aliases_ar", "aliases_en"):
        for alias in record.get(key) or ():
            text = str(alias).strip()
            if text and text not in (record.get("name_en"), record.get("name_ar")):
                seen.setdefault(text, None)
    return tuple(seen)


def _float_or_none(value: Any) -> float | None:
    return None if value in (None, "") else float(value)


def entity_from_record(record: Mapping[str, Any], *, source_file: str) -> Entity:
    """Build an :class:`Entity` from one data-file record, checking required keys."""
    for key in ("id", "type", "name_en", "name_ar"):
        if not record.get(key):
            raise KnowledgeBaseError(f"{source_file}: record {record.get('id')!r} has no {key!r}")
    if record["type"] not in ENTITY_TYPES:
        raise KnowledgeBaseError(f"{source_file}: {record['id']}: unknown type {record['type']!r}")
    extra = {k: v for k, v in record.items() if k not in _NAMED_KEYS and v not in (None, "", [])}
    extra["aliases_ar"] = list(record.get("aliases_ar") or ())
    extra["aliases_en"] = list(record.get("aliases_en") or ())
    return Entity(
        id=str(record["id"]),
        type=str(record["type"]),
        name_en=str(record["name_en"]),
        name_ar=str(record["name_ar"]),
        aliases=_aliases(record),
        lat=_float_or_none(record.get("lat")),
        lon=_float_or_none(record.get("lon")),
        country=record.get("country") or None,
        admin1=record.get("admin1") or None,
        wikidata=record.get("wikidata") or None,
        feature=record.get("feature") or None,
        parent=record.get("parent") or None,
        affiliation=record.get("affiliation") or None,
        extra=extra,
    )


def _check_hashes(manifest: Mapping[str, Any], directory: Path, name: str) -> None:
    for file_name, digest in manifest["files"].items():
        path = directory / file_name
        if not path.is_file():
            raise KnowledgeBaseError(f"knowledge base {name!r}: data file {file_name} is missing")
        if sha256_file(path) != digest:
            raise KnowledgeBaseError(
                f"knowledge base {name!r}: {file_name} changed since its manifest was built; "
                "run `python tools/kb_manifest.py` to record the new version"
            )


def entities_from_files(paths: Iterable[Path]) -> dict[str, Entity]:
    entities: dict[str, Entity] = {}
    for path in paths:
        for record in _records_from_file(path):
            entity = entity_from_record(record, source_file=path.name)
            if entity.id in entities:
                raise KnowledgeBaseError(f"{path.name}: duplicate entity id {entity.id!r}")
            entities[entity.id] = entity
    return entities


@cache
def load_kb(name: str = "default", data_dir: str | None = None) -> KnowledgeBase:
    """Load the knowledge base ``name`` (cached per process)."""
    directory = Path(data_dir) if data_dir else _data_dir()
    manifest = read_manifest(name, directory)
    _check_hashes(manifest, directory, name)
    files = tuple(f for f in manifest["files"] if f.endswith((".yaml", ".jsonl")))
    entities = entities_from_files(directory / f for f in files)
    return KnowledgeBase(
        name=name,
        version=str(manifest["version"]),
        entities=entities,
        files=files,
        attribution=tuple(manifest.get("attribution", ())),
    )
