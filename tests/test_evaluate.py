"""Tests of rasad.evaluate on hand-made gold data, plus a cross-check with score.py."""

from __future__ import annotations

import copy
import datetime as dt
import importlib.util
import json
import random
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
import yaml

from rasad.errors import RasadError
from rasad.evaluate import Gold, Score, evaluate, gold_keys, load_gold, parse_gold
from rasad.text.normalize import name_key

from .conftest import SHARED

SCORE_PY = SHARED / "tools" / "score.py"
SEEDS_YAML = SHARED / "gold" / "seeds.yaml"

GOLD_DATA: dict[str, Any] = {
    "entities": [
        {"key": "hawks", "type": "actor", "en": ["Desert Hawks", "Hawks Brigade"], "ar": ["صقور الصحراء"]},
        {"key": "army", "type": "actor", "en": ["Syrian Army"], "ar": ["الجيش السوري"]},
        {"key": "mayadin", "type": "place", "en": ["Al-Mayadin", "Mayadin"], "ar": ["الميادين"]},
        {"key": "raqqa", "type": "place", "en": ["Raqqa"], "ar": ["الرقة"]},
        {"key": "turkey", "type": "actor", "en": ["Turkey", "Turkish forces"], "ar": ["تركيا"]},
        {"key": "turkey_place", "type": "place", "en": ["Turkey"], "ar": ["تركيا"]},
        {"key": "abu_ali", "type": "person", "en": ["Abu Ali"], "ar": ["أبو علي"]},
        {"key": "school", "type": "facility", "en": ["Al-Nour school"], "ar": ["مدرسة النور"]},
    ],
    "articles": [
        {
            "file": "100_alpha.txt",
            "published": dt.date(2021, 5, 10),
            "entities": {"core": ["hawks", "army", "mayadin"], "optional": ["raqqa"]},
            "relations": [
                {"s": ["hawks", "army"], "p": ["controls", "present_in"], "o": "mayadin", "core": True},
                {"s": "abu_ali", "p": "leads", "o": "hawks", "core": False},
            ],
            "events": [
                {"type": "Battles", "sub": ["Armed clash"], "date": dt.date(2021, 5, 10), "window": [-3, 1],
                 "where": ["mayadin"], "actors": ["hawks", "army"], "core": True},
            ],
        },
        {
            "file": "101_beta.txt",
            "published": dt.date(2021, 5, 11),
            "entities": {"core": ["hawks", "mayadin"]},
        },
        {
            "file": "102_gamma.txt",
            "published": dt.date(2021, 5, 12),
            "entities": {"core": ["raqqa"]},
        },
    ],
    "stories": [["100_alpha.txt", "101_beta.txt", "102_gamma.txt"]],
}


@pytest.fixture
def gold() -> Gold:
    return parse_gold(GOLD_DATA)


# --------------------------------------------------------------------------- export builders


def _entity(eid: str, etype: str, en: str | None, ar: str = "", aliases: tuple[str, ...] = ()
            ) -> dict[str, Any]:
    return {"id": eid, "type": etype, "name_en": en, "name_ar": ar, "aliases": list(aliases), "lat": None,
            "lon": None, "country": None, "admin1": None, "wikidata": None, "discovered": False}


def _article(aid: str, file: str, story: str | None = None) -> dict[str, Any]:
    return {"id": aid, "file": file, "source": f"corpus/{file}", "outlet": None, "published": None,
            "title": None, "url": None, "story_id": story}


def _mention(aid: str, eid: str) -> dict[str, Any]:
    return {"article_id": aid, "entity_id": eid, "start": 0, "end": 1, "text": "x"}


def _relation(rid: str, s: Any, p: str, o: Any, *articles: str) -> dict[str, Any]:
    return {"id": rid, "subject": s, "predicate": p, "object": o,
            "evidence": [{"article_id": a, "start": 0, "end": 1} for a in articles]}


def _event(eid: str, aid: str, **fields: Any) -> dict[str, Any]:
    row = {"id": eid, "event_type": "Battles", "sub_event_type": "Armed clash", "event_date": "2021-05-10",
           "location": "e_mayadin", "actor1": "e_hawks", "assoc_actor_1": None, "actor2": None,
           "assoc_actor_2": None, "evidence": [{"article_id": aid, "start": 0, "end": 1}]}
    row.update(fields)
    return row


def perfect_export() -> dict[str, Any]:
    """An export that finds every core and no optional item of GOLD_DATA."""
    return {
        "articles": [_article("a1", "100_alpha.txt", "s1"), _article("a2", "101_beta.txt", "s1"),
                     _article("a3", "102_gamma.txt", "s1")],
        "entities": [_entity("e_hawks", "actor", "Desert Hawks"),
                     _entity("e_army", "actor", None, "الجيش السوري"),
                     _entity("e_mayadin", "place", "Mayadin"), _entity("e_raqqa", "place", "Raqqa")],
        "mentions": [_mention("a1", "e_hawks"), _mention("a1", "e_army"), _mention("a1", "e_mayadin"),
                     _mention("a2", "e_hawks"), _mention("a2", "e_mayadin"), _mention("a3", "e_raqqa")],
        "relations": [_relation("r1", "e_army", "controls", "e_mayadin", "a1")],
        "events": [_event("v1", "a1")],
        "stories": [],
    }


def _with(export: dict[str, Any], **changes: list[dict[str, Any]]) -> dict[str, Any]:
    """A deep copy of ``export`` with the given rows appended per top-level key."""
    out = copy.deepcopy(export)
    for key, rows in changes.items():
        out[key].extend(rows)
    return out


# --------------------------------------------------------------------------- scores


def test_perfect_export_scores_one(gold: Gold) -> None:
    report = evaluate(perfect_export(), gold)
    for score in (report.entities, report.relations, report.events):
        assert (score.precision, score.recall, score.f1) == (1.0, 1.0, 1.0)
        assert score.fp == score.fn == 0
    assert report.entities.tp == 6
    assert (report.story_pairs_ok, report.story_pairs) == (3, 3)
    assert report.missing_articles == ()
    assert all(not v for v in report.misses.values())
    assert all(not v for v in report.false_positives.values())


def test_score_ratios_and_rounding() -> None:
    score = Score(tp=1, fp=2, fn=0)
    assert score.precision == pytest.approx(1 / 3)
    assert score.recall == 1.0
    assert score.f1 == pytest.approx(0.5)
    assert score.as_dict() == {"p": 0.333, "r": 1.0, "f1": 0.5, "tp": 1, "fp": 2, "fn": 0}
    assert Score().as_dict()["f1"] == 0.0
    assert Score(1, 2, 3) + Score(1, 1, 1) == Score(2, 3, 4)


def test_missing_core_entity_lowers_recall(gold: Gold) -> None:
    export = perfect_export()
    export["mentions"] = [m for m in export["mentions"] if m != _mention("a1", "e_army")]
    report = evaluate(export, gold)
    assert report.entities == Score(tp=5, fp=0, fn=1)
    assert report.entities.recall == pytest.approx(5 / 6)
    assert report.misses["entities"] == ("100:army",)


def test_optional_entity_predicted_is_not_a_false_positive(gold: Gold) -> None:
    report = evaluate(_with(perfect_export(), mentions=[_mention("a1", "e_raqqa")]), gold)
    assert report.entities == Score(tp=6, fp=0, fn=0)


def test_unknown_entity_is_a_false_positive(gold: Gold) -> None:
    export = _with(perfect_export(), entities=[_entity("e_x", "place", "Palmyra")],
                   mentions=[_mention("a2", "e_x"), _mention("a2", "ghost")])
    report = evaluate(export, gold)
    assert report.entities == Score(tp=6, fp=2, fn=0)
    assert report.false_positives["entities"] == ("101:Palmyra (place)", "101:ghost (no such entity)")


def test_gold_entity_not_listed_for_the_article_is_a_false_positive(gold: Gold) -> None:
    export = _with(perfect_export(), entities=[_entity("e_ali", "person", "Abu Ali")],
                   mentions=[_mention("a2", "e_ali"), _mention("a2", "e_raqqa")])
    report = evaluate(export, gold)
    assert report.entities.fp == 2
    assert report.false_positives["entities"][0].startswith("101:abu_ali")


def test_two_predicted_entities_for_one_gold_key_count_once(gold: Gold) -> None:
    export = _with(perfect_export(), entities=[_entity("e_hawks2", "actor", "Hawks Brigade")],
                   mentions=[_mention("a1", "e_hawks2")])
    assert evaluate(export, gold).entities == Score(tp=6, fp=0, fn=0)


@pytest.mark.parametrize(
    ("en", "ar", "key"),
    [
        (None, "ابو علي", "abu_ali"),  # hamza on alef
        (None, "مدرسه النور", "school"),  # ta marbuta written as ha
        (None, "الجَيْشُ السّوري", "army"),  # diacritics
        (None, "الجيـــش السوري", "army"),  # tatweel
        ("DESERT HAWKS", "", "hawks"),  # case
        ("al mayadin", "", "mayadin"),  # hyphen
        ("«Al-Nour» school.", "", "school"),  # quotes and punctuation
        ("Hawks   Brigade", "", "hawks"),  # spaces
    ],
)
def test_name_matching_is_normalised(gold: Gold, en: str | None, ar: str, key: str) -> None:
    etype = gold.entities[key].type
    assert gold_keys(_entity("e", etype, en, ar), gold) == {key}


def test_same_type_is_preferred(gold: Gold) -> None:
    assert gold_keys(_entity("e", "place", "Turkey"), gold) == {"turkey_place"}
    assert gold_keys(_entity("e", "actor", None, "تركيا"), gold) == {"turkey"}
    # no key of the entity's own type: every key of that name is kept
    assert gold_keys(_entity("e", "person", "Turkey"), gold) == {"turkey", "turkey_place"}


def test_aliases_are_a_fallback_only(gold: Gold) -> None:
    assert gold_keys(_entity("e", "actor", "Hawks", aliases=("Desert Hawks",)), gold) == {"hawks"}
    assert gold_keys(_entity("e", "actor", "Syrian Army", aliases=("Desert Hawks",)), gold) == {"army"}
    assert gold_keys(_entity("e", "actor", "Nobody"), gold) == frozenset()


def test_entity_type_mismatch_still_matches_a_core_entity(gold: Gold) -> None:
    export = perfect_export()
    export["entities"][2]["type"] = "facility"  # Mayadin as a facility still stands for `mayadin`
    assert evaluate(export, gold).entities == Score(tp=6, fp=0, fn=0)


# --------------------------------------------------------------------------- relations


@pytest.mark.parametrize(("subject", "predicate"), [("e_hawks", "present_in"), ("e_army", "controls"),
                                                    ("e_hawks", "controls")])
def test_relation_with_list_valued_gold(gold: Gold, subject: str, predicate: str) -> None:
    export = perfect_export()
    export["relations"] = [_relation("r1", subject, predicate, "e_mayadin", "a1")]
    assert evaluate(export, gold).relations == Score(tp=1, fp=0, fn=0)


def test_relation_with_wrong_predicate_or_direction(gold: Gold) -> None:
    export = perfect_export()
    export["relations"] = [_relation("r1", "e_army", "opposes", "e_mayadin", "a1"),
                           _relation("r2", "e_mayadin", "controls", "e_army", "a1")]
    report = evaluate(export, gold)
    assert report.relations == Score(tp=0, fp=2, fn=1)
    assert report.misses["relations"] == ("100:['hawks', 'army'] ['controls', 'present_in'] mayadin",)
    assert report.false_positives["relations"][0] == "100:الجيش السوري (actor) opposes Mayadin (place)"


def test_optional_relation_is_neither_tp_nor_fp(gold: Gold) -> None:
    export = perfect_export()
    export["entities"].append(_entity("e_ali", "person", "Abu Ali"))
    export["relations"].append(_relation("r2", "e_ali", "leads", "e_hawks", "a1"))
    assert evaluate(export, gold).relations == Score(tp=1, fp=0, fn=0)


def test_relation_duplicates_and_other_articles(gold: Gold) -> None:
    export = perfect_export()
    export["relations"] = [
        _relation("r1", "e_army", "controls", "e_mayadin", "a1", "a1", "a2"),  # cited twice in a1, once in a2
        _relation("r2", "e_hawks", "controls", "e_mayadin", "a1"),  # a second match: one gold item, one FP
    ]
    report = evaluate(export, gold)
    assert report.relations == Score(tp=1, fp=2, fn=0)  # r2 in a1, r1 in a2 (gold has no relation there)


# --------------------------------------------------------------------------- events


@pytest.mark.parametrize(
    ("date", "ok"),
    [("2021-05-07", True), ("2021-05-11", True), ("2021-05-06", False), ("2021-05-12", False),
     ("2021-05-11T23:00:00", True), (None, False), ("last week", False)],
)
def test_event_date_window_is_inclusive(gold: Gold, date: str | None, ok: bool) -> None:
    export = perfect_export()
    export["events"] = [_event("v1", "a1", event_date=date)]
    expected = Score(tp=1, fp=0, fn=0) if ok else Score(tp=0, fp=1, fn=1)
    assert evaluate(export, gold).events == expected


def test_event_with_wrong_sub_type_or_type(gold: Gold) -> None:
    export = perfect_export()
    export["events"] = [_event("v1", "a1", sub_event_type="Shelling/artillery/missile attack"),
                        _event("v2", "a1", event_type="Riots")]
    report = evaluate(export, gold)
    assert report.events == Score(tp=0, fp=2, fn=1)
    assert report.misses["events"] == ("100:Armed clash@mayadin",)
    assert report.false_positives["events"][0] == (
        "100:Shelling/artillery/missile attack@Mayadin (place) 2021-05-10")


def test_event_type_matching_is_normalised(gold: Gold) -> None:
    export = perfect_export()
    export["events"] = [_event("v1", "a1", event_type="battles", sub_event_type="ARMED CLASH")]
    assert evaluate(export, gold).events.tp == 1


def test_event_without_actor_overlap(gold: Gold) -> None:
    export = _with(perfect_export(), entities=[_entity("e_turk", "actor", "Turkish forces")])
    export["events"] = [_event("v1", "a1", actor1="e_turk", actor2=None)]
    assert evaluate(export, gold).events == Score(tp=0, fp=1, fn=1)


@pytest.mark.parametrize("field", ["actor2", "assoc_actor_1", "assoc_actor_2"])
@pytest.mark.parametrize("as_list", [False, True])
def test_event_actor_found_in_any_actor_field(gold: Gold, field: str, as_list: bool) -> None:
    export = _with(perfect_export(), entities=[_entity("e_turk", "actor", "Turkish forces")])
    value: Any = ["e_turk", "e_army"] if as_list else "e_army"
    export["events"] = [_event("v1", "a1", actor1="e_turk", **{field: value})]
    assert evaluate(export, gold).events == Score(tp=1, fp=0, fn=0)


def test_event_in_wrong_place(gold: Gold) -> None:
    export = perfect_export()
    export["events"] = [_event("v1", "a1", location="e_raqqa")]
    assert evaluate(export, gold).events == Score(tp=0, fp=1, fn=1)


def test_gold_event_without_actors_accepts_any_actor() -> None:
    data = copy.deepcopy(GOLD_DATA)
    data["articles"][0]["events"][0]["actors"] = []
    export = _with(perfect_export(), entities=[_entity("e_turk", "actor", "Turkish forces")])
    export["events"] = [_event("v1", "a1", actor1="e_turk")]
    assert evaluate(export, parse_gold(data)).events.tp == 1


def test_event_matching_is_greedy_with_core_items_first() -> None:
    data = copy.deepcopy(GOLD_DATA)
    events = data["articles"][0]["events"]
    optional = dict(events[0], core=False, window=[-30, 30])
    data["articles"][0]["events"] = [optional, events[0]]
    export = perfect_export()
    export["events"] = [_event("v1", "a1")]  # fits both: the core item gets it
    assert evaluate(export, parse_gold(data)).events == Score(tp=1, fp=0, fn=0)


# --------------------------------------------------------------------------- articles and stories


def test_story_pairs(gold: Gold) -> None:
    export = perfect_export()
    export["articles"][2]["story_id"] = "s2"
    report = evaluate(export, gold)
    assert (report.story_pairs_ok, report.story_pairs) == (1, 3)
    for article in export["articles"]:
        article["story_id"] = None  # no story at all is never "the same story"
    assert evaluate(export, gold).story_pairs_ok == 0


def test_articles_found_by_source_or_url_base_name(gold: Gold) -> None:
    export = perfect_export()
    export["articles"][0].update(file=None, source=None, url="https://example.org/x/100_alpha.txt")
    export["articles"][1].update(file=None)  # source is corpus/101_beta.txt
    report = evaluate(export, gold)
    assert report.missing_articles == ()
    assert report.entities.tp == 6


def test_missing_article_counts_its_core_items_as_misses(gold: Gold) -> None:
    export = perfect_export()
    export["articles"] = export["articles"][1:]
    report = evaluate(export, gold)
    assert report.missing_articles == ("100_alpha.txt",)
    assert report.entities == Score(tp=3, fp=0, fn=3)
    assert report.relations == Score(tp=0, fp=0, fn=1)
    assert report.events == Score(tp=0, fp=0, fn=1)
    assert report.story_pairs_ok == 1


def test_as_dict_has_the_reference_shape(gold: Gold) -> None:
    data = evaluate(perfect_export(), gold).as_dict()
    assert set(data) == {"entities", "relations", "events", "stories", "missing_articles", "misses",
                         "false_positives", "event_dates"}
    assert data["event_dates"] == {"in_window": 1, "matched_without_date": 1, "share": 1.0}
    assert data["stories"] == {"pairs_ok": 3, "pairs": 3}
    assert data["entities"] == {"p": 1.0, "r": 1.0, "f1": 1.0, "tp": 6, "fp": 0, "fn": 0}
    json.dumps(data, ensure_ascii=False)


# --------------------------------------------------------------------------- gold parsing


def test_load_gold_from_yaml(tmp_path: Path) -> None:
    path = tmp_path / "gold.yaml"
    path.write_text(yaml.safe_dump(GOLD_DATA, allow_unicode=True), encoding="utf-8")
    gold = load_gold(path)
    assert [a.file for a in gold.articles] == ["100_alpha.txt", "101_beta.txt", "102_gamma.txt"]
    first = gold.articles[0]
    assert first.core == {"hawks", "army", "mayadin"} and first.optional == {"raqqa"}
    assert first.relations[0].subjects == ("hawks", "army")
    assert first.relations[0].objects == ("mayadin",)
    assert first.events[0].window == (-3, 1) and first.events[0].date == dt.date(2021, 5, 10)
    assert gold.articles[1].relations == () and gold.articles[1].optional == frozenset()
    assert gold.by_name[name_key("تركيا")] == {"turkey", "turkey_place"}


def _broken(path: tuple[Any, ...], value: Any) -> dict[str, Any]:
    """GOLD_DATA with the item at ``path`` replaced (or deleted when ``value`` is ...)."""
    data = copy.deepcopy(GOLD_DATA)
    node: Any = data
    for step in path[:-1]:
        node = node[step]
    if value is ...:
        del node[path[-1]]
    else:
        node[path[-1]] = value
    return data


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (["not", "a", "mapping"], "top level: expected a mapping"),
        (_broken(("articles",), ...), "missing 'articles'"),
        (_broken(("entities", 0, "type"), "organisation"), "entities[0].type"),
        (_broken(("entities", 1, "key"), "hawks"), "duplicate key 'hawks'"),
        (_broken(("entities", 0, "en"), "Desert Hawks"), "entities[0].en: expected a list"),
        (_broken(("entities", 0, "en"), ["--"]), "empty after normalisation"),
        (_broken(("articles", 0, "published"), "10/05/2021"), "articles[0].published: not an ISO date"),
        (_broken(("articles", 0, "entities", "core"), ...), "missing 'core'"),
        (_broken(("articles", 0, "entities", "core", 0), "hawkz"), "unknown entity key 'hawkz'"),
        (_broken(("articles", 0, "relations", 0, "p"), "commands"), "unknown predicate 'commands'"),
        (_broken(("articles", 0, "relations", 0, "s"), []), "relations[0].s: empty list"),
        (_broken(("articles", 0, "relations", 0, "core"), "yes"), "core: expected true or false"),
        (_broken(("articles", 0, "events", 0, "window"), [3]), "window: expected [first, last]"),
        (_broken(("articles", 0, "events", 0, "window"), [2, -2]), "is after last"),
        (_broken(("articles", 0, "events", 0, "where"), ["nowhere"]), "unknown entity key 'nowhere'"),
        (_broken(("articles", 0, "events", 0, "date"), ...), "events[0]: missing 'date'"),
        (_broken(("stories",), [["100_alpha.txt", None]]), "stories[0][1]"),
    ],
)
def test_malformed_gold_raises(data: object, message: str) -> None:
    with pytest.raises(RasadError) as info:
        parse_gold(data, source="g.yaml")
    text = str(info.value)
    assert message in text and text.startswith("g.yaml: ") and "\n" not in text


def test_malformed_gold_file_raises(tmp_path: Path) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text("entities: [\n  {key: a, type: actor\narticles: []\n", encoding="utf-8")
    with pytest.raises(RasadError, match="invalid YAML at line") as info:
        load_gold(path)
    assert "\n" not in str(info.value)
    with pytest.raises(RasadError, match="cannot read gold file"):
        load_gold(tmp_path / "absent.yaml")


# --------------------------------------------------------------------------- cross-check with score.py


def _reference_scorer() -> ModuleType:
    if not SCORE_PY.exists() or not SEEDS_YAML.exists():
        pytest.skip(f"reference scorer or seed gold absent ({SCORE_PY}, {SEEDS_YAML})")
    spec = importlib.util.spec_from_file_location("rasad_reference_score", SCORE_PY)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _variant(name: str, rng: random.Random) -> str:
    """Spell ``name`` differently in ways both normalisers ignore."""
    choice = rng.randrange(5)
    if choice == 0:
        return name.upper()
    if choice == 1:
        return name.replace("-", " ").replace("ا", "أ", 1)
    if choice == 2:
        return name.replace("ي", "ى").replace("ل", "لْ", 1)
    return name


class _SyntheticExport:
    """A random export over the seed gold: right, wrong and optional predictions."""

    def __init__(self, gold: dict[str, Any], rng: random.Random) -> None:
        self.gold, self.rng = gold, rng
        self.ids: dict[str, list[str]] = {}
        self.export: dict[str, Any] = {"articles": [], "entities": [], "mentions": [], "relations": [],
                                       "events": [], "stories": []}

    def build(self) -> dict[str, Any]:
        self._entities()
        for n, article in enumerate(self.gold["articles"]):
            if self.rng.random() < 0.15:
                continue  # an article the pipeline lost
            aid = f"a{n}"
            self.export["articles"].append(self._article(aid, article["file"]))
            self._mentions(aid)
            self._relations(aid, article)
            self._events(aid, article)
        return self.export

    def _entities(self) -> None:
        rng = self.rng
        for n, entity in enumerate(self.gold["entities"]):
            if rng.random() < 0.15:
                continue
            etype = entity["type"] if rng.random() < 0.8 else rng.choice(["actor", "place", "org"])
            en = _variant(rng.choice(entity["en"]), rng) if rng.random() < 0.7 else None
            ar = _variant(rng.choice(entity["ar"]), rng) if en is None or rng.random() < 0.5 else ""
            row = _entity(f"g{n}", etype, en, ar)
            if rng.random() < 0.1:
                row.update(name_en="Unrecorded name", name_ar="", aliases=[entity["en"][0]])
            self.export["entities"].append(row)
            self.ids.setdefault(entity["key"], []).append(row["id"])
        for n, name in enumerate(["Palmyra Museum", "Iran", "إيران", "Nowhere", "Abu Kamal"]):
            self.export["entities"].append(_entity(f"x{n}", rng.choice(["actor", "place"]), name))
            self.ids.setdefault(f"wrong{n}", []).append(f"x{n}")

    def _article(self, aid: str, file: str) -> dict[str, Any]:
        row = _article(aid, file, self.rng.choice(["s1", "s1", "s2", None]))
        if self.rng.random() < 0.3:
            row.update(file=None, url=f"https://example.org/news/{file}")
        return row

    def _some_id(self, keys: list[str] | str) -> str:
        key = self.rng.choice(keys if isinstance(keys, list) else [keys])
        return self.rng.choice(self.ids.get(key) or ["ghost"])

    def _mentions(self, aid: str) -> None:
        entities = self.export["entities"]
        for row in self.rng.sample(entities, k=len(entities) // 2):
            self.export["mentions"].append(_mention(aid, row["id"]))
        self.export["mentions"].append(_mention(aid, "ghost"))

    def _relations(self, aid: str, article: dict[str, Any]) -> None:
        rng, predicates = self.rng, ["controls", "backed_by", "present_in", "opposes"]
        for n, rel in enumerate(article.get("relations", [])):
            if rng.random() < 0.7:
                p = rng.choice(rel["p"] if isinstance(rel["p"], list) else [rel["p"]])
                if rng.random() < 0.15:
                    p = rng.choice(predicates)
                cited = [aid, aid] if rng.random() < 0.2 else [aid]
                row = _relation(f"r{aid}_{n}", self._some_id(rel["s"]), p, self._some_id(rel["o"]), *cited)
                self.export["relations"].append(row)
        keys = [k for k in self.ids if not k.startswith("wrong")]
        self.export["relations"].append(
            _relation(f"r{aid}_x", self._some_id(keys), rng.choice(predicates), self._some_id(keys), aid))

    def _events(self, aid: str, article: dict[str, Any]) -> None:
        rng = self.rng
        for n, ev in enumerate(article.get("events", [])):
            if rng.random() < 0.3:
                continue
            lo, hi = ev.get("window") or [0, 0]
            day = ev["date"] + dt.timedelta(days=rng.randint(lo - 2, hi + 2))
            actors = ev.get("actors") or ["wrong0"]
            self.export["events"].append(_event(
                f"v{aid}_{n}", aid,
                event_type=ev["type"] if rng.random() < 0.9 else "Battles",
                sub_event_type=rng.choice(ev["sub"]) if rng.random() < 0.85 else "Armed clash",
                event_date=day.isoformat() if rng.random() < 0.95 else None,
                location=self._some_id(ev["where"] if rng.random() < 0.9 else "wrong3"),
                actor1=self._some_id(actors if rng.random() < 0.7 else "wrong1"),
                assoc_actor_1=[self._some_id(actors)] if rng.random() < 0.3 else None,
            ))


def _sorted_misses(misses: Any) -> dict[str, list[str]]:
    return {k: sorted(v) for k, v in dict(misses).items()}


def test_name_key_agrees_with_reference_norm_on_seed_names() -> None:
    reference = _reference_scorer()
    data = yaml.safe_load(SEEDS_YAML.read_text(encoding="utf-8"))
    names = [n for e in data["entities"] for n in e.get("en", []) + e.get("ar", [])]
    assert [n for n in names if name_key(n) != reference.norm(n)] == []


@pytest.mark.parametrize("seed", range(25))
def test_agrees_with_reference_scorer_on_seed_gold(seed: int) -> None:
    reference = _reference_scorer()
    raw = yaml.safe_load(SEEDS_YAML.read_text(encoding="utf-8"))
    export = _SyntheticExport(raw, random.Random(seed)).build()
    expected = reference.score(copy.deepcopy(export), reference.Gold(copy.deepcopy(raw)))
    report = evaluate(export, load_gold(SEEDS_YAML))
    got = report.as_dict()
    for name in ("entities", "relations", "events"):
        assert got[name] == expected[name]  # tp, fp, fn and the rounded ratios
    assert got["stories"] == expected["stories"]
    assert got["missing_articles"] == expected["missing_articles"]
    assert _sorted_misses(got["misses"]) == _sorted_misses(expected["misses"])
