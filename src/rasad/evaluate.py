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
from typing import Any, Protocol, TypeVar

from rasad.gold import PREDICATES, Gold, GoldArticle, GoldEvent, GoldRelation, load_gold, parse_gold
from rasad.text.normalize import name_key

__all__ = ["PREDICATES", "EvalReport", "Score", "evaluate", "gold_keys", "load_gold", "parse_gold"]

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
    event_dates_in_window: int = 0
    events_matched_without_date: int = 0

    @property
    def event_date_share(self) -> float:
        """Of the gold events matched on everything but the date, the share whose date is in the window."""
        matched = self.events_matched_without_date
        return self.event_dates_in_window / matched if matched else 0.0

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
            "event_dates": {"in_window": self.event_dates_in_window,
                            "matched_without_date": self.events_matched_without_date,
                            "share": round(self.event_date_share, 3)},
        }

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
    return list(value) if isinstance(value, list | tuple) else [value]


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
    dated = [_date_check(article, index) for article in gold.articles]
    return EvalReport(
        entities=totals["entities"].score, relations=totals["relations"].score,
        events=totals["events"].score,
        story_pairs_ok=sum(_same_story(a, b, index) for a, b in pairs), story_pairs=len(pairs),
        missing_articles=tuple(missing),
        misses={name: totals[name].misses for name in FIELDS},
        false_positives={name: totals[name].false_positives for name in FIELDS},
        event_dates_in_window=sum(d[0] for d in dated), events_matched_without_date=sum(d[1] for d in dated),
    )


def _date_check(article: GoldArticle, index: _ExportIndex) -> tuple[int, int]:
    """(in window, matched) over gold events matched on type, sub-type, place and actors."""
    article_id = index.article_of_file.get(article.file)
    preds = index.events.get(article_id, ()) if article_id else ()
    in_window = matched = 0
    for gold_event in article.events:
        candidates = [p for p in preds if _event_matches_undated(gold_event, p)]
        if candidates:
            matched += 1
            in_window += any(gold_event.accepts_date(p.date) for p in candidates)
    return in_window, matched


def _event_matches_undated(gold: GoldEvent, pred: PredictedEvent) -> bool:
    return (
        pred.type_key == name_key(gold.event_type)
        and pred.sub_key in {name_key(s) for s in gold.subs}
        and not pred.where.isdisjoint(gold.where)
        and (not gold.actors or not pred.actors.isdisjoint(gold.actors))
    )
