"""Gold annotation files (``shared/gold/FORMAT.md``) parsed into typed records.

A malformed file raises :class:`rasad.errors.RasadError` with one line naming
the file and the place inside it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from rasad.errors import RasadError
from rasad.model import ENTITY_TYPES
from rasad.text.normalize import name_key

PREDICATES = frozenset(
    {"backed_by", "allied_with", "opposes", "part_of", "leads", "member_of", "controls", "present_in",
     "located_in"}
)

# --------------------------------------------------------------------------- gold records


@dataclass(frozen=True, slots=True)
class GoldEntity:
    key: str
    type: str
    en: tuple[str, ...]
    ar: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class GoldRelation:
    """Accepted subjects, predicates and objects; ``label`` names it in misses."""

    subjects: tuple[str, ...]
    predicates: tuple[str, ...]
    objects: tuple[str, ...]
    core: bool
    label: str


@dataclass(frozen=True, slots=True)
class GoldEvent:
    event_type: str
    subs: tuple[str, ...]
    date: dt.date
    window: tuple[int, int]
    where: tuple[str, ...]
    actors: tuple[str, ...]
    core: bool

    @property
    def label(self) -> str:
        return f"{self.subs[0]}@{self.where[0]}"

    def accepts_date(self, day: dt.date | None) -> bool:
        """Whether ``day`` falls in the window, both ends included."""
        first, last = (self.date + dt.timedelta(days=offset) for offset in self.window)
        return day is not None and first <= day <= last


@dataclass(frozen=True, slots=True)
class GoldArticle:
    file: str
    published: dt.date
    core: frozenset[str]
    optional: frozenset[str]
    relations: tuple[GoldRelation, ...]
    events: tuple[GoldEvent, ...]

    @property
    def tag(self) -> str:
        """Short article tag used in misses (the file's numeric prefix)."""
        return self.file[:3]


@dataclass(frozen=True, slots=True)
class Gold:
    """A parsed gold file; ``by_name`` maps a name key to the entity keys using it."""

    entities: Mapping[str, GoldEntity]
    articles: tuple[GoldArticle, ...]
    stories: tuple[tuple[str, ...], ...]
    by_name: Mapping[str, frozenset[str]]


# --------------------------------------------------------------------------- gold parsing


def load_gold(path: Path) -> Gold:
    """Read and check a gold YAML file; a malformed file raises :class:`RasadError`."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise RasadError(f"{path}: cannot read gold file: {exc.strerror or exc}") from exc
    except yaml.YAMLError as exc:
        raise RasadError(f"{path}: invalid YAML{_yaml_position(exc)}") from exc
    return parse_gold(data, source=str(path))


def _yaml_position(exc: yaml.YAMLError) -> str:
    mark = getattr(exc, "problem_mark", None)
    problem = getattr(exc, "problem", None) or ""
    where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark is not None else ""
    return f"{where}: {problem}" if problem else where


def parse_gold(data: object, *, source: str = "gold") -> Gold:
    """Check already-loaded gold data and build the typed records."""
    try:
        return _parse_gold(data)
    except _GoldFormatError as exc:
        raise RasadError(f"{source}: {exc}") from None


class _GoldFormatError(Exception):
    """Internal: carries ``path: reason`` up to :func:`parse_gold`."""


def _parse_gold(data: object) -> Gold:
    top = _mapping(data, "top level")
    entities = _parse_entities(_list(_required(top, "entities", "top level"), "entities"))
    articles = tuple(
        _parse_article(raw, f"articles[{i}]", entities)
        for i, raw in enumerate(_list(_required(top, "articles", "top level"), "articles"))
    )
    stories = tuple(
        _strings(raw, f"stories[{i}]", scalar_ok=False)
        for i, raw in enumerate(_list(top.get("stories") or [], "stories"))
    )
    return Gold(entities, articles, stories, _index_names(entities.values()))


def _parse_entities(raws: list[Any]) -> dict[str, GoldEntity]:
    entities: dict[str, GoldEntity] = {}
    for i, raw in enumerate(raws):
        entity = _parse_entity(_mapping(raw, f"entities[{i}]"), f"entities[{i}]")
        if entity.key in entities:
            raise _GoldFormatError(f"entities[{i}]: duplicate key {entity.key!r}")
        entities[entity.key] = entity
    return entities


def _parse_entity(raw: Mapping[str, Any], where: str) -> GoldEntity:
    key = _text(_required(raw, "key", where), f"{where}.key")
    etype = _text(_required(raw, "type", where), f"{where}.type")
    if etype not in ENTITY_TYPES:
        raise _GoldFormatError(f"{where}.type: {etype!r} is not one of {', '.join(ENTITY_TYPES)}")
    en = _strings(raw.get("en", []), f"{where}.en", scalar_ok=False, empty_ok=True)
    ar = _strings(raw.get("ar", []), f"{where}.ar", scalar_ok=False, empty_ok=True)
    for name in en + ar:
        if not name_key(name):
            raise _GoldFormatError(f"{where}: name {name!r} is empty after normalisation")
    return GoldEntity(key, etype, en, ar)


def _index_names(entities: Iterable[GoldEntity]) -> dict[str, frozenset[str]]:
    index: dict[str, frozenset[str]] = {}
    for entity in entities:
        for name in entity.en + entity.ar:
            key = name_key(name)
            index[key] = index.get(key, frozenset()) | {entity.key}
    return index


def _parse_article(raw: object, where: str, entities: Mapping[str, GoldEntity]) -> GoldArticle:
    art = _mapping(raw, where)
    ents = _mapping(_required(art, "entities", where), f"{where}.entities")
    core = _keys(_required(ents, "core", f"{where}.entities"), f"{where}.entities.core", entities,
                 empty_ok=True)
    optional = _keys(ents.get("optional") or [], f"{where}.entities.optional", entities, empty_ok=True)
    relations = tuple(
        _parse_relation(_mapping(r, f"{where}.relations[{i}]"), f"{where}.relations[{i}]", entities)
        for i, r in enumerate(_list(art.get("relations") or [], f"{where}.relations"))
    )
    events = tuple(
        _parse_event(_mapping(e, f"{where}.events[{i}]"), f"{where}.events[{i}]", entities)
        for i, e in enumerate(_list(art.get("events") or [], f"{where}.events"))
    )
    return GoldArticle(
        file=_text(_required(art, "file", where), f"{where}.file"),
        published=_date(_required(art, "published", where), f"{where}.published"),
        core=frozenset(core), optional=frozenset(optional), relations=relations, events=events,
    )


def _parse_relation(raw: Mapping[str, Any], where: str, entities: Mapping[str, GoldEntity]) -> GoldRelation:
    s, p, o = (_required(raw, name, where) for name in ("s", "p", "o"))
    predicates = _strings(p, f"{where}.p")
    unknown = [name for name in predicates if name not in PREDICATES]
    if unknown:
        raise _GoldFormatError(f"{where}.p: unknown predicate {unknown[0]!r}")
    return GoldRelation(
        subjects=_keys(s, f"{where}.s", entities), predicates=predicates,
        objects=_keys(o, f"{where}.o", entities), core=_flag(raw, where),
        label=f"{s} {p} {o}",  # the reference scorer prints the raw values
    )


def _parse_event(raw: Mapping[str, Any], where: str, entities: Mapping[str, GoldEntity]) -> GoldEvent:
    return GoldEvent(
        event_type=_text(_required(raw, "type", where), f"{where}.type"),
        subs=_strings(_required(raw, "sub", where), f"{where}.sub"),
        date=_date(_required(raw, "date", where), f"{where}.date"),
        window=_window(raw.get("window") or [0, 0], f"{where}.window"),
        where=_keys(_required(raw, "where", where), f"{where}.where", entities),
        actors=_keys(raw.get("actors") or [], f"{where}.actors", entities, empty_ok=True),
        core=_flag(raw, where),
    )


def _required(raw: Mapping[str, Any], key: str, where: str) -> Any:
    if key not in raw:
        raise _GoldFormatError(f"{where}: missing {key!r}")
    return raw[key]


def _mapping(value: object, where: str) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        raise _GoldFormatError(f"{where}: expected a mapping, got {type(value).__name__}")
    return value


def _list(value: object, where: str) -> list[Any]:
    if not isinstance(value, list):
        raise _GoldFormatError(f"{where}: expected a list, got {type(value).__name__}")
    return value


def _text(value: object, where: str) -> str:
    # YAML turns some names into numbers (e.g. 24); they are still names.
    if isinstance(value, str | int | float) and not isinstance(value, bool) and str(value).strip():
        return str(value)
    raise _GoldFormatError(f"{where}: expected a non-empty string, got {value!r}")


def _strings(value: object, where: str, *, scalar_ok: bool = True, empty_ok: bool = False) -> tuple[str, ...]:
    """A list of strings; a single string too where the format allows one."""
    items = [value] if scalar_ok and not isinstance(value, list) else _list(value, where)
    if not items and not empty_ok:
        raise _GoldFormatError(f"{where}: empty list")
    return tuple(_text(item, f"{where}[{i}]") for i, item in enumerate(items))


def _keys(value: object, where: str, entities: Mapping[str, GoldEntity], *, empty_ok: bool = False
          ) -> tuple[str, ...]:
    keys = _strings(value, where, empty_ok=empty_ok)
    unknown = [key for key in keys if key not in entities]
    if unknown:
        raise _GoldFormatError(f"{where}: unknown entity key {unknown[0]!r}")
    return keys


def _date(value: object, where: str) -> dt.date:
    if isinstance(value, dt.datetime):
        raise _GoldFormatError(f"{where}: expected a date without time, got {value}")
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        raise _GoldFormatError(f"{where}: not an ISO date: {value!r}") from None


def _window(value: object, where: str) -> tuple[int, int]:
    items = _list(value, where)
    if len(items) != 2 or not all(isinstance(x, int) and not isinstance(x, bool) for x in items):
        raise _GoldFormatError(f"{where}: expected [first, last] day offsets, got {value!r}")
    if items[0] > items[1]:
        raise _GoldFormatError(f"{where}: first offset {items[0]} is after last {items[1]}")
    return items[0], items[1]


def _flag(raw: Mapping[str, Any], where: str) -> bool:
    value = raw.get("core", False)
    if not isinstance(value, bool):
        raise _GoldFormatError(f"{where}.core: expected true or false, got {value!r}")
    return value
