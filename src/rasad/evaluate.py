"""Score a ``rasad.export/1`` JSON export against a gold file.

The gold format and its matching rules are in ``shared/gold/FORMAT.md``; the
numbers agree with the reference scorer ``shared/tools/score.py``:

* a predicted entity stands for the gold keys whose names equal its English or
  Arabic name (its aliases only when neither matches), keeping the keys of its
  own type when there are any;
* articles are found by the base name of their ``file``, ``source`` or ``url``;
* relations and events are matched greedily, core gold items first, each
  prediction used once; optional gold items count neither as misses nor, when
  predicted, as false positives;
* stories are scored as pairs of gold articles that share one story id.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from itertools import combinations
from pathlib import Path
from typing import Any, Protocol, TypeVar

import yaml

from rasad.errors import RasadError
from rasad.model import ENTITY_TYPES
from rasad.text.normalize import name_key

PREDICATES = frozenset(
    {"backed_by", "allied_with", "opposes", "part_of", "leads", "member_of", "controls", "present_in",
     "located_in"}
)
FIELDS: tuple[str, ...] = ("entities", "relations", "events")
_NO_KEYS: frozenset[str] = frozenset()


# --------------------------------------------------------------------------- scores and report


@dataclass(frozen=True, slots=True)
class Score:
    """True positives, false positives and misses of one field."""

    tp: int = 0
    fp: int = 0
    fn: int = 0

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 0.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 0.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    def __add__(self, other: Score) -> Score:
        return Score(self.tp + other.tp, self.fp + other.fp, self.fn + other.fn)

    def as_dict(self) -> dict[str, object]:
        """The reference scorer's shape: ratios rounded to three places."""
        return {"p": round(self.precision, 3), "r": round(self.recall, 3), "f1": round(self.f1, 3),
                "tp": self.tp, "fp": self.fp, "fn": self.fn}


@dataclass(frozen=True, slots=True)
class EvalReport:
    """Scores per field, story pairs, and readable misses and false positives."""

    entities: Score
    relations: Score
    events: Score
    story_pairs_ok: int
    story_pairs: int
    missing_articles: tuple[str, ...]
    misses: dict[str, tuple[str, ...]]
    false_positives: dict[str, tuple[str, ...]]

    def as_dict(self) -> dict[str, object]:
        """``score.py --json`` output plus ``false_positives``."""
        return {
            "entities": self.entities.as_dict(),
            "relations": self.relations.as_dict(),
            "events": self.events.as_dict(),
            "stories": {"pairs_ok": self.story_pairs_ok, "pairs": self.story_pairs},
            "missing_articles": list(self.missing_articles),
            "misses": {k: list(v) for k, v in self.misses.items()},
            "false_positives": {k: list(v) for k, v in self.false_positives.items()},
        }


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
            index[key] = index.get(key, _NO_KEYS) | {entity.key}
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


# --------------------------------------------------------------------------- export side

_Row = Mapping[str, Any]
_T = TypeVar("_T")


@dataclass(frozen=True, slots=True)
class PredictedRelation:
    """An exported relation with its ends resolved to gold keys."""

    subjects: frozenset[str]
    predicate: str
    objects: frozenset[str]
    label: str


@dataclass(frozen=True, slots=True)
class PredictedEvent:
    """An exported event with type keys, location and actors resolved to gold keys."""

    type_key: str
    sub_key: str
    where: frozenset[str]
    actors: frozenset[str]
    date: dt.date | None
    label: str


@dataclass(frozen=True, slots=True)
class _EntityTable:
    """Exported entities: the gold keys each stands for, and a readable label."""

    keys: Mapping[str, frozenset[str]]
    labels: Mapping[str, str]

    def keys_of(self, ids: Iterable[Any]) -> frozenset[str]:
        return _NO_KEYS.union(*(self.keys.get(i, _NO_KEYS) for i in ids))

    def name_of(self, ids: object) -> str:
        """Labels of one id or a list of ids, for messages."""
        names = [self.labels.get(i, f"{i} (no such entity)") for i in _as_ids(ids)]
        return " | ".join(names) or "?"


@dataclass(frozen=True, slots=True)
class _ExportIndex:
    entities: _EntityTable
    article_of_file: Mapping[str, str]
    mentions: Mapping[str, frozenset[str]]  # article id -> entity ids
    relations: Mapping[str, tuple[PredictedRelation, ...]]  # article id -> relations citing it
    events: Mapping[str, tuple[PredictedEvent, ...]]
    story_of: Mapping[str, object]


def _name_key(value: object) -> str:
    return name_key(str(value)) if value else ""


def gold_keys(entity: Mapping[str, Any], gold: Gold) -> frozenset[str]:
    """Gold keys an exported entity stands for (see the module docstring)."""
    found = _keys_named((entity.get("name_en"), entity.get("name_ar")), gold)
    if not found:
        found = _keys_named(entity.get("aliases") or (), gold)
    same_type = frozenset(k for k in found if gold.entities[k].type == entity.get("type"))
    return same_type or found


def _keys_named(names: Iterable[object], gold: Gold) -> frozenset[str]:
    return _NO_KEYS.union(*(gold.by_name.get(_name_key(n), _NO_KEYS) for n in names))


def _entity_label(entity: Mapping[str, Any]) -> str:
    name = entity.get("name_en") or entity.get("name_ar") or entity["id"]
    return f"{name} ({entity.get('type')})"


def _as_ids(value: object) -> list[Any]:
    if value is None or value == "":
        return []
    return value if isinstance(value, list) else [value]


def _article_of_file(articles: Iterable[Mapping[str, Any]]) -> dict[str, str]:
    found: dict[str, str] = {}
    for article in articles:
        for ref in (article.get("file"), article.get("source"), article.get("url")):
            if ref:
                found[str(ref).split("/")[-1]] = article["id"]
    return found


def _mentions(rows: Iterable[Mapping[str, Any]]) -> dict[str, frozenset[str]]:
    found: dict[str, set[str]] = {}
    for row in rows:
        found.setdefault(row["article_id"], set()).add(row["entity_id"])
    return {aid: frozenset(ids) for aid, ids in found.items()}


def _by_article(rows: Iterable[_Row], convert: Callable[[_Row], _T]) -> dict[str, tuple[_T, ...]]:
    """Group rows under every article their evidence cites, each row once per article."""
    grouped: dict[str, dict[Any, _T]] = {}
    for row in rows:
        for evidence in row.get("evidence", []):
            seen = grouped.setdefault(evidence["article_id"], {})
            if row["id"] not in seen:
                seen[row["id"]] = convert(row)
    return {aid: tuple(items.values()) for aid, items in grouped.items()}


def _event_date(value: object) -> dt.date | None:
    try:
        return dt.date.fromisoformat(str(value)[:10])
    except ValueError:
        return None


def _predicted_relation(row: _Row, table: _EntityTable) -> PredictedRelation:
    subject, obj = row["subject"], row["object"]
    return PredictedRelation(
        subjects=table.keys_of(_as_ids(subject)), predicate=row["predicate"],
        objects=table.keys_of(_as_ids(obj)),
        label=f"{table.name_of(subject)} {row['predicate']} {table.name_of(obj)}",
    )


_ACTOR_FIELDS = ("actor1", "actor2", "assoc_actor_1", "assoc_actor_2")


def _predicted_event(row: _Row, table: _EntityTable) -> PredictedEvent:
    date = _event_date(row.get("event_date"))
    return PredictedEvent(
        type_key=_name_key(row.get("event_type")), sub_key=_name_key(row.get("sub_event_type")),
        where=table.keys_of(_as_ids(row.get("location"))),
        actors=table.keys_of(i for name in _ACTOR_FIELDS for i in _as_ids(row.get(name))),
        date=date, label=f"{row.get('sub_event_type')}@{table.name_of(row.get('location'))} {date}",
    )


def _entity_table(rows: Iterable[_Row], gold: Gold) -> _EntityTable:
    entities = {row["id"]: row for row in rows}
    return _EntityTable(
        keys={i: gold_keys(row, gold) for i, row in entities.items()},
        labels={i: _entity_label(row) for i, row in entities.items()},
    )


def _index_export(export: Mapping[str, Any], gold: Gold) -> _ExportIndex:
    table = _entity_table(export.get("entities", []), gold)
    articles = export.get("articles", [])
    return _ExportIndex(
        entities=table, article_of_file=_article_of_file(articles),
        mentions=_mentions(export.get("mentions", [])),
        relations=_by_article(export.get("relations", []), lambda row: _predicted_relation(row, table)),
        events=_by_article(export.get("events", []), lambda row: _predicted_event(row, table)),
        story_of={a["id"]: a.get("story_id") for a in articles},
    )


# --------------------------------------------------------------------------- matching


@dataclass(frozen=True, slots=True)
class _FieldResult:
    score: Score
    misses: tuple[str, ...] = ()
    false_positives: tuple[str, ...] = ()

    def __add__(self, other: _FieldResult) -> _FieldResult:
        return _FieldResult(self.score + other.score, self.misses + other.misses,
                            self.false_positives + other.false_positives)


class _Labelled(Protocol):
    @property
    def label(self) -> str: ...


class _GoldItem(_Labelled, Protocol):
    @property
    def core(self) -> bool: ...


_G = TypeVar("_G", bound=_GoldItem)
_P = TypeVar("_P", bound=_Labelled)


def _match_greedy(golds: Sequence[_G], preds: Sequence[_P], accepts: Callable[[_G, _P], bool], tag: str
                  ) -> _FieldResult:
    """Give each gold item, core ones first, the first unused prediction it accepts."""
    used: set[int] = set()
    tp = 0
    misses: list[str] = []
    for item in sorted(golds, key=lambda g: not g.core):
        hit = next((i for i, p in enumerate(preds) if i not in used and accepts(item, p)), None)
        if hit is not None:
            used.add(hit)
            tp += item.core
        elif item.core:
            misses.append(f"{tag}:{item.label}")
    fps = tuple(f"{tag}:{p.label}" for i, p in enumerate(preds) if i not in used)
    return _FieldResult(Score(tp, len(fps), len(misses)), tuple(misses), fps)


def _relation_matches(gold: GoldRelation, pred: PredictedRelation) -> bool:
    return (pred.predicate in gold.predicates and not pred.subjects.isdisjoint(gold.subjects)
            and not pred.objects.isdisjoint(gold.objects))


def _event_matches(gold: GoldEvent, pred: PredictedEvent) -> bool:
    return (
        pred.type_key == name_key(gold.event_type)
        and pred.sub_key in {name_key(s) for s in gold.subs}
        and not pred.where.isdisjoint(gold.where)
        and gold.accepts_date(pred.date)
        and (not gold.actors or not pred.actors.isdisjoint(gold.actors))
    )


def _score_entities(article: GoldArticle, entity_ids: frozenset[str], index: _ExportIndex) -> _FieldResult:
    table = index.entities
    unknown = sorted(table.name_of(i) for i in entity_ids if not table.keys.get(i))
    predicted = table.keys_of(entity_ids)
    extra = sorted(predicted - article.core - article.optional)
    missed = sorted(article.core - predicted)
    fps = tuple(f"{article.tag}:{name}" for name in unknown) + tuple(
        f"{article.tag}:{key} (gold key not listed for the article)" for key in extra)
    score = Score(len(article.core & predicted), len(fps), len(missed))
    return _FieldResult(score, tuple(f"{article.tag}:{key}" for key in missed), fps)


def _score_article(article: GoldArticle, article_id: str | None, index: _ExportIndex
                   ) -> dict[str, _FieldResult]:
    """Scores of one gold article; an article missing from the export has no predictions."""
    if article_id is None:
        mentions: frozenset[str] = _NO_KEYS
        relations: tuple[PredictedRelation, ...] = ()
        events: tuple[PredictedEvent, ...] = ()
    else:
        mentions = index.mentions.get(article_id, _NO_KEYS)
        relations = index.relations.get(article_id, ())
        events = index.events.get(article_id, ())
    return {
        "entities": _score_entities(article, mentions, index),
        "relations": _match_greedy(article.relations, relations, _relation_matches, article.tag),
        "events": _match_greedy(article.events, events, _event_matches, article.tag),
    }


def _story_of_file(file: str, index: _ExportIndex) -> object:
    article_id = index.article_of_file.get(file)
    return None if article_id is None else index.story_of.get(article_id)


def _same_story(file_a: str, file_b: str, index: _ExportIndex) -> bool:
    story = _story_of_file(file_a, index)
    return bool(story) and story == _story_of_file(file_b, index)


def evaluate(export: Mapping[str, Any], gold: Gold) -> EvalReport:
    """Score ``export`` (a loaded ``rasad.export/1`` document) against ``gold``."""
    index = _index_export(export, gold)
    totals = dict.fromkeys(FIELDS, _FieldResult(Score()))
    missing: list[str] = []
    for article in gold.articles:
        article_id = index.article_of_file.get(article.file)
        if article_id is None:
            missing.append(article.file)
        for name, result in _score_article(article, article_id, index).items():
            totals[name] += result
    pairs = [pair for group in gold.stories for pair in combinations(group, 2)]
    return EvalReport(
        entities=totals["entities"].score, relations=totals["relations"].score,
        events=totals["events"].score,
        story_pairs_ok=sum(_same_story(a, b, index) for a, b in pairs), story_pairs=len(pairs),
        missing_articles=tuple(missing),
        misses={name: totals[name].misses for name in FIELDS},
        false_positives={name: totals[name].false_positives for name in FIELDS},
    )
