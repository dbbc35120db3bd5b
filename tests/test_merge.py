"""Cross-article merging: duplicates, stories, events and relations (hand-made records, then the seeds)."""

from __future__ import annotations

import dataclasses
import itertools
import random
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from rasad.kb import load_kb
from rasad.merge import MergeOptions, article_input, merge_all
from rasad.merge import stories as stories_module
from rasad.merge.dedup import find_duplicates
from rasad.merge.embed import MISSING, EmbedderStatus, EmbeddingCache
from rasad.merge.events import candidate_pairs, date_window, merge_events
from rasad.merge.relations import merge_relations
from rasad.merge.stories import StoryOptions, find_stories
from rasad.model import Article, Entity
from rasad.pipeline import Pipeline, process_stream

from .conftest import EXAMPLES

DATA = Path(__file__).parent / "data" / "merge"

ENTITIES: dict[str, Entity] = {
    e.id: e
    for e in (
        Entity("iran", "actor", "Iran", "إيران"),
        Entity("irgc", "actor", "IRGC", "الحرس الثوري", parent="iran", affiliation="iran"),
        Entity("militias", "actor", "Iran-backed militias", "الميليشيات الإيرانية", affiliation="iran"),
        Entity("fatemiyoun", "actor", "Fatemiyoun", "فاطميون", affiliation="iran"),
        Entity("sdf", "actor", "SDF", "قسد", affiliation="sdf_side"),
        Entity("isis", "actor", "Islamic State", "داعش"),
        Entity("regime", "actor", "Regime forces", "قوات النظام", affiliation="syria_gov"),
        Entity("syria", "place", "Syria", "سوريا", feature="country"),
        Entity("dez", "place", "Deir ez-Zor", "دير الزور", feature="governorate", parent="syria"),
        Entity("abu_kamal", "place", "Abu Kamal", "البوكمال", feature="town", parent="dez"),
        Entity("mayadin", "place", "Al-Mayadin", "الميادين", feature="town", parent="dez"),
        Entity("crossing", "facility", "Al-Qaim crossing", "معبر القائم", parent="abu_kamal"),
    )
}
_ids = itertools.count()


def _evidence(article: str, outlet: str | None, certainty: str = "reported") -> dict[str, Any]:
    return {"article_id": article, "start": 0, "end": 10, "text": "…", "attributed_to": None,
            "certainty": certainty, "outlet": outlet}


def _event(article: str, outlet: str | None, **fields: Any) -> dict[str, Any]:
    record: dict[str, Any] = {
        "id": f"e-{next(_ids)}", "event_type": "Strategic developments",
        "sub_event_type": "Non-violent transfer of territory", "event_date": "2020-06-24", "time_precision": 1,
        "location": "abu_kamal", "latitude": None, "longitude": None, "geo_precision": 1,
        "actor1": "irgc", "assoc_actor_1": [], "actor2": None, "assoc_actor_2": [], "fatalities": None,
        "civilian_targeting": False, "tags": [], "notes": "", "evidence": [_evidence(article, outlet)],
    }
    record.update(fields)
    return record


def _relation(subject: str, predicate: str, obj: str, article: str, outlet: str | None,
              certainty: str = "reported") -> dict[str, Any]:
    return {"id": f"r-{subject}-{predicate}-{obj}", "subject": subject, "predicate": predicate, "object": obj,
            "co_subjects": [], "evidence": [_evidence(article, outlet, certainty)]}


# -- events ------------------------------------------------------------------------------------------------


def test_two_outlets_one_takeover_is_one_event_with_corroboration_two() -> None:
    events = [_event("a1", "Diyaruna", event_date="2020-06-27", time_precision=2),
              _event("a2", "Deir ez-Zor 24", event_date="2020-06-24", time_precision=2, actor1="militias")]
    merged = merge_events(events, ENTITIES, published={"a1": "2020-06-27", "a2": "2020-06-24"})
    assert len(merged) == 1
    event = merged[0]
    assert event["corroboration"] == 2
    assert event["sources"] == ["Deir ez-Zor 24", "Diyaruna"]
    assert {e["article_id"] for e in event["evidence"]} == {"a1", "a2"}
    assert event["merged_from"] == sorted(e["id"] for e in events)
    # Both windows allow 24 June (the later report cannot be about after its own publication).
    assert (event["event_date"], event["time_precision"]) == ("2020-06-24", 2)
    assert {event["actor1"], *event["assoc_actor_1"]} == {"irgc", "militias"}


def test_same_outlet_twice_counts_once() -> None:
    merged = merge_events([_event("a1", "SY24"), _event("a2", "SY24")], ENTITIES)
    assert [(e["corroboration"], e["sources"]) for e in merged] == [(1, ["SY24"])]


def test_unknown_outlet_counts_as_its_article() -> None:
    merged = merge_events([_event("a1", "unknown"), _event("a2", None), _event("a3", "SY24")], ENTITIES)
    assert merged[0]["corroboration"] == 3


def test_different_places_stay_two_events() -> None:
    merged = merge_events([_event("a1", "A"), _event("a2", "B", location="mayadin")], ENTITIES)
    assert len(merged) == 2
    assert all(e["corroboration"] == 1 for e in merged)


def test_town_inside_its_governorate_merges_to_the_town() -> None:
    events = [_event("a1", "A", location="dez"), _event("a2", "B", location="abu_kamal", latitude=34.45)]
    merged = merge_events(events, ENTITIES)
    assert len(merged) == 1
    assert merged[0]["location"] == "abu_kamal" and merged[0]["latitude"] == 34.45


def test_two_towns_under_one_governorate_do_not_chain() -> None:
    events = [_event("a1", "A", location="abu_kamal"), _event("a2", "B", location="dez"),
              _event("a3", "C", location="mayadin")]
    merged = merge_events(events, ENTITIES)
    assert sorted(e["corroboration"] for e in merged) == [1, 2]


def test_date_windows() -> None:
    day = {"time_precision": 1}
    assert len(merge_events([_event("a1", "A", event_date="2020-06-20", **day),
                             _event("a2", "B", event_date="2020-06-21", **day)], ENTITIES)) == 2
    week = {"time_precision": 2}
    assert len(merge_events([_event("a1", "A", event_date="2020-06-20", **week),
                             _event("a2", "B", event_date="2020-06-25", **week)], ENTITIES)) == 1
    assert len(merge_events([_event("a1", "A", event_date="2020-06-20", **week),
                             _event("a2", "B", event_date="2020-06-28", **week)], ENTITIES)) == 2
    month = merge_events([_event("a1", "A", event_date="2020-06-15", time_precision=3),
                          _event("a2", "B", event_date="2020-06-03", time_precision=1)], ENTITIES)
    assert [(e["event_date"], e["time_precision"]) for e in month] == [("2020-06-03", 1)]


def test_explicit_window_and_publication_clip() -> None:
    explicit = _event("a1", "A", date_earliest="2020-06-01", date_latest="2020-06-05", time_precision=2)
    assert date_window(explicit) == (dt_(2020, 6, 1), dt_(2020, 6, 5))
    reported = _event("a1", "A", event_date="2020-06-24", time_precision=2)
    assert date_window(reported, dt_(2020, 6, 24)) == (dt_(2020, 6, 21), dt_(2020, 6, 24))


def dt_(year: int, month: int, day: int) -> Any:
    import datetime

    return datetime.date(year, month, day)


def test_a_group_keeps_one_common_window() -> None:
    # B's week overlaps A's day and C's day, but A and C are different days: B joins one of them only.
    events = [_event("a1", "A", event_date="2020-06-20"), _event("a2", "B", event_date="2020-06-22", time_precision=2),
              _event("a3", "C", event_date="2020-06-24")]
    assert sorted(e["corroboration"] for e in merge_events(events, ENTITIES)) == [1, 2]


def test_actors() -> None:
    incompatible = [_event("a1", "A", actor1="sdf"), _event("a2", "B", actor1="isis")]
    assert len(merge_events(incompatible, ENTITIES)) == 2
    one_side_silent = [_event("a1", "A", actor1="sdf"), _event("a2", "B", actor1=None)]
    assert len(merge_events(one_side_silent, ENTITIES)) == 1
    same_side = [_event("a1", "A", actor1="fatemiyoun"), _event("a2", "B", actor1="irgc")]
    assert len(merge_events(same_side, ENTITIES)) == 1


def test_type_must_match_and_no_location_never_merges() -> None:
    other_kind = [_event("a1", "A"), _event("a2", "B", sub_event_type="Other")]
    assert len(merge_events(other_kind, ENTITIES)) == 2
    nowhere = [_event("a1", "A", location=None), _event("a2", "B", location=None)]
    assert len(merge_events(nowhere, ENTITIES)) == 2


def test_fatalities_lowest_with_range() -> None:
    events = [_event("a1", "A", fatalities=7), _event("a2", "B", fatalities=5), _event("a3", "C", fatalities=None)]
    [merged] = merge_events(events, ENTITIES)
    assert merged["fatalities"] == 5
    assert merged["fatalities_range"] == [5, 7]
    assert "5 to 7" in merged["notes"]


def test_merged_id_is_stable_and_a_lone_event_keeps_its_id() -> None:
    events = [_event("a1", "A"), _event("a2", "B"), _event("a3", "C", location="mayadin")]
    forward = merge_events(events, ENTITIES)
    backward = merge_events(list(reversed(events)), ENTITIES)
    assert [e["id"] for e in forward] == [e["id"] for e in backward]
    assert events[2]["id"] in {e["id"] for e in forward}


def test_event_blocking_is_not_quadratic() -> None:
    rng = random.Random(5)
    places = [f"town{i}" for i in range(200)]
    entities: dict[str, Entity] = dict(ENTITIES)
    entities.update({p: Entity(p, "place", p, p, feature="town", parent="dez") for p in places})
    events = [_event(f"a{i}", f"outlet{i % 7}", location=rng.choice(places),
                     event_date=f"2021-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}") for i in range(4000)]
    windows = [date_window(e) for e in events]
    pairs = candidate_pairs(events, windows, entities)
    assert len(pairs) < 20 * len(events)  # all pairs would be 8 million
    started = time.perf_counter()
    merge_events(events, entities)
    assert time.perf_counter() - started < 20


# -- relations ---------------------------------------------------------------------------------------------


def test_relations_merge_by_triple_with_corroboration() -> None:
    relations = [_relation("fatemiyoun", "backed_by", "irgc", "a1", "Diyaruna"),
                 _relation("fatemiyoun", "backed_by", "irgc", "a2", "SY24"),
                 _relation("fatemiyoun", "present_in", "abu_kamal", "a2", "SY24")]
    merged = {r["predicate"]: r for r in merge_relations(relations, ENTITIES)}
    assert merged["backed_by"]["corroboration"] == 2
    assert merged["backed_by"]["sources"] == ["Diyaruna", "SY24"]
    assert merged["present_in"]["corroboration"] == 1
    assert not any(r["contested"] for r in merged.values())


def test_contested_control() -> None:
    published = {"a1": "2020-06-24", "a2": "2020-06-27", "a3": "2021-03-10"}
    relations = [_relation("irgc", "controls", "abu_kamal", "a1", "A"),
                 _relation("sdf", "controls", "abu_kamal", "a2", "B")]
    merged = {r["subject"]: r for r in merge_relations(relations, ENTITIES, published=published)}
    assert merged["irgc"]["contested"] and merged["sdf"]["contested"]
    assert merged["irgc"]["contested_with"] == [merged["sdf"]["id"]]
    later = [relations[0], _relation("sdf", "controls", "abu_kamal", "a3", "B")]
    assert not any(r["contested"] for r in merge_relations(later, ENTITIES, published=published))


def test_allies_controlling_one_town_are_not_contested() -> None:
    relations = [_relation("irgc", "controls", "abu_kamal", "a1", "A"),
                 _relation("fatemiyoun", "controls", "abu_kamal", "a2", "B"),
                 _relation("isis", "controls", "mayadin", "a2", "B")]
    assert not any(r["contested"] for r in merge_relations(relations, ENTITIES))
    linked = [_relation("isis", "controls", "abu_kamal", "a1", "A"),
              _relation("regime", "controls", "abu_kamal", "a2", "B"),
              _relation("isis", "allied_with", "regime", "a3", "C")]
    contested = [r for r in merge_relations(linked, ENTITIES) if r["contested"]]
    assert {r["predicate"] for r in contested} == set()


def test_support_against_opposition_is_contested() -> None:
    relations = [_relation("fatemiyoun", "backed_by", "irgc", "a1", "A"),
                 _relation("irgc", "opposes", "fatemiyoun", "a2", "B"),
                 _relation("sdf", "opposes", "isis", "a2", "B")]
    flagged = {r["predicate"]: r["contested"] for r in merge_relations(relations, ENTITIES) if r["subject"] != "sdf"}
    assert flagged == {"backed_by": True, "opposes": True}


def test_denied_claim_is_contested() -> None:
    relations = [_relation("irgc", "present_in", "mayadin", "a1", "A"),
                 _relation("irgc", "present_in", "mayadin", "a2", "B", certainty="denied")]
    [merged] = merge_relations(relations, ENTITIES)
    assert merged["contested"] and merged["contested_reasons"] == ["denied by some sources"]


# -- duplicates --------------------------------------------------------------------------------------------


def _example_text(name: str) -> str:
    return (EXAMPLES / name).read_text(encoding="utf-8").split("---", 2)[2]


def test_near_copy_is_a_duplicate_of_the_earlier_article() -> None:
    text = _example_text("01_airstrike_abu_kamal.txt")
    copy = "موقع آخر ينقل الخبر\n\n" + text.replace("الرئيسية", "الصفحة الأولى") + "\nتابعونا على تلغرام"
    articles = [{"id": "copy", "text": copy, "published": "2024-09-27"},
                {"id": "original", "text": text, "published": "2024-09-26"},
                {"id": "other", "text": _example_text("06_kataib_hezbollah_weapons_shipment.txt")}]
    assert find_duplicates(articles) == {"copy": "original"}


def test_examples_have_no_duplicates() -> None:
    articles = [{"id": p.name, "text": p.read_text(encoding="utf-8")} for p in sorted(EXAMPLES.glob("*.txt"))]
    assert find_duplicates(articles) == {}


# -- stories -----------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def processed() -> dict[str, dict[str, Any]]:
    """Examples and the hand-written paraphrases, through the per-article pipeline, by file name."""
    from rasad.ingest import IngestOptions, iter_documents

    kb = load_kb()
    docs = iter_documents([EXAMPLES, DATA], options=IngestOptions())
    out = {}
    for item in process_stream(docs, kb, pipeline=Pipeline.build()):
        assert isinstance(item, Article), item
        out[item.file] = article_input(item)
    return out


def _story_groups(articles: Sequence[dict[str, Any]], options: StoryOptions | None = None,
                  **kwargs: Any) -> list[list[str]]:
    names = {a["id"]: a["file"] for a in articles}
    result = find_stories(articles, load_kb().entities, options=options, **kwargs)
    assert not result.messages
    return sorted(sorted(names[i] for i in s["article_ids"]) for s in result.stories if len(s["article_ids"]) > 1)


def _named(processed: dict[str, dict[str, Any]], *files: str) -> list[dict[str, Any]]:
    return [{**processed[f], "file": f} for f in files]


def test_paraphrases_join_their_original_and_the_hard_negative_stays_alone(
        processed: dict[str, dict[str, Any]]) -> None:
    articles = _named(processed, *sorted(processed))
    assert _story_groups(articles) == [
        ["01_airstrike_abu_kamal.txt", "p01_airstrike_abu_kamal_ein_al_furat.txt"],
        ["06_kataib_hezbollah_weapons_shipment.txt", "p06_weapons_shipment_sy24.txt"],
        ["13_rocket_attack_omar_field.txt", "p13_rocket_attack_omar_dez24.txt"],
    ]


@pytest.mark.parametrize("encoder", [True, False])
def test_examples_published_the_same_day_form_no_story(processed: dict[str, dict[str, Any]], encoder: bool) -> None:
    examples = [f for f in sorted(processed) if f[0].isdigit()]
    articles = [{**a, "published": "2024-01-10"} for a in _named(processed, *examples)]
    assert _story_groups(articles, StoryOptions(use_encoder=encoder)) == []


def test_without_the_encoder_stories_fall_back_with_a_message(
        processed: dict[str, dict[str, Any]], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(stories_module, "load_use_embedder", lambda threads=1: EmbedderStatus(None, MISSING))
    articles = _named(processed, "01_airstrike_abu_kamal.txt", "p01_airstrike_abu_kamal_ein_al_furat.txt",
                      "n01_fatemiyoun_recruitment_abu_kamal.txt")
    result = find_stories(articles, load_kb().entities)
    assert result.messages == [MISSING]
    groups = [s["article_ids"] for s in result.stories if len(s["article_ids"]) > 1]
    assert groups == [sorted([articles[0]["id"], articles[1]["id"]])]


class CountingEmbedder:
    name = "fake"

    def __init__(self) -> None:
        self.calls = 0

    def embed(self, texts: Sequence[str]) -> Any:
        self.calls += len(texts)
        rows = np.array([[1.0, float(len(t) % 7)] for t in texts], dtype=np.float32)
        return rows / np.linalg.norm(rows, axis=1, keepdims=True)


def test_embeddings_are_cached_per_article(processed: dict[str, dict[str, Any]]) -> None:
    articles = _named(processed, "06_kataib_hezbollah_weapons_shipment.txt", "p06_weapons_shipment_sy24.txt")
    cache, embedder = EmbeddingCache(key="t"), CountingEmbedder()
    find_stories(articles, load_kb().entities, cache=cache, embedder=embedder)
    find_stories(articles, load_kb().entities, cache=cache, embedder=embedder)
    assert embedder.calls == 2 and set(cache.vectors) == {a["id"] for a in articles}


def test_embedding_cache_round_trip(tmp_path: Path) -> None:
    cache = EmbeddingCache(key="lead4")
    cache.embed(["a", "b"], ["x", "yy"], CountingEmbedder())
    cache.save(tmp_path / "cache.npz")
    again = EmbeddingCache.load(tmp_path / "cache.npz", key="lead4")
    assert set(again.vectors) == {"a", "b"}
    assert EmbeddingCache.load(tmp_path / "cache.npz", key="other").vectors == {}


def test_story_ids_are_stable_and_every_article_has_one(processed: dict[str, dict[str, Any]]) -> None:
    articles = _named(processed, *sorted(processed))
    first = find_stories(articles, load_kb().entities)
    second = find_stories(list(reversed(articles)), load_kb().entities)
    assert first.story_of == second.story_of
    assert set(first.story_of) == {a["id"] for a in articles}


def test_a_duplicate_shares_the_story_of_its_kept_article(processed: dict[str, dict[str, Any]]) -> None:
    original = processed["01_airstrike_abu_kamal.txt"]
    copy = {**original, "id": "copy-of-01", "text": "نقلاً عن موقع آخر\n\n" + original["text"]}
    result = merge_all([original, copy], [], [], load_kb().entities)
    assert result.duplicates == {"copy-of-01": original["id"]}
    assert result.story_of["copy-of-01"] == result.story_of[original["id"]]
    [story] = [s for s in result.stories if "copy-of-01" in s["article_ids"]]
    assert story["duplicates"] == {"copy-of-01": original["id"]}


def test_merge_all_reads_entities_from_export_mentions(processed: dict[str, dict[str, Any]]) -> None:
    files = ("01_airstrike_abu_kamal.txt", "p01_airstrike_abu_kamal_ein_al_furat.txt")
    articles = [{k: v for k, v in processed[f].items() if k not in ("entity_ids", "mentions")} for f in files]
    mentions = [{"article_id": processed[f]["id"], "entity_id": e} for f in files for e in processed[f]["entity_ids"]]
    result = merge_all(articles, [], [], load_kb().entities, mentions=mentions)
    assert len({result.story_of[a["id"]] for a in articles}) == 1


def test_story_candidates_need_a_shared_entity_in_the_window() -> None:
    options = StoryOptions(window_days=10, max_neighbours=30)
    days = [100, 105, 120, 101]
    keys = [["abu_kamal"], ["abu_kamal", "irgc"], ["abu_kamal"], ["mayadin"]]
    assert stories_module.candidate_pairs(days, keys, options) == {(0, 1)}


# -- end to end on the seeds ---------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def seeds_merged(tmp_path_factory: pytest.TempPathFactory) -> tuple[Any, dict[str, str]]:
    from rasad.export import build_export
    from rasad.runner import run_paths
    from rasad.store import open_store

    from .conftest import SEEDS

    if not SEEDS.is_dir():
        pytest.skip(f"shared seed corpus not present at {SEEDS}")
    kb = load_kb()
    store = open_store(str(tmp_path_factory.mktemp("merge") / "seeds.db"))
    try:
        run_paths([SEEDS], store=store, kb=kb)
        export = build_export(store)
        articles = [article_input(a) for a in store.articles()]
        files = {a.id: a.file for a in store.articles()}
    finally:
        store.close()
    result = merge_all(articles, export["events"], export["relations"], kb.entities, options=MergeOptions())
    return result, files


def test_seed_stories(seeds_merged: tuple[Any, dict[str, str]]) -> None:
    result, files = seeds_merged
    by_file = {files[a]: s for a, s in result.story_of.items()}
    first, second = (f for f in sorted(by_file) if f.startswith(("000", "001")))
    assert by_file[first] == by_file[second]
    others = [f for f in by_file if not f.startswith(("000", "001"))]
    assert len(others) == 3
    assert len({by_file[f] for f in others} | {by_file[first]}) == 4


def test_seed_takeover_of_abu_kamal_is_one_event_with_corroboration_two(
        seeds_merged: tuple[Any, dict[str, str]]) -> None:
    result, files = seeds_merged
    kb = load_kb()
    takeovers = [
        e for e in result.events
        if e["sub_event_type"] == "Non-violent transfer of territory"
        and kb.entities[e["location"]].name_en == "Abu Kamal"
        and {e["actor1"], *e["assoc_actor_1"]} & {"irgc", "iran_backed_militias"}
    ]
    if not any(e["evidence"] for e in result.events):
        pytest.skip("the events stage produced no events")
    assert len(takeovers) == 1, takeovers
    [event] = takeovers
    assert event["corroboration"] == 2
    assert {files[e["article_id"]][:3] for e in event["evidence"]} == {"000", "001"}


def test_merge_result_shapes(seeds_merged: tuple[Any, dict[str, str]]) -> None:
    result, _ = seeds_merged
    assert all({"id", "article_ids"} <= set(s) for s in result.stories)
    for record in [*result.events, *result.relations]:
        assert record["corroboration"] == len(record["sources"]) >= 1
    assert all("contested" in r for r in result.relations)
    assert dataclasses.is_dataclass(result)


def test_export_folds_near_duplicates_into_one_article_with_several_sources() -> None:
    from rasad.export.json_export import fold_duplicates

    articles = [{"id": "a", "sources": ["x/a.txt"]}, {"id": "b", "sources": ["y/b.txt"]}, {"id": "c", "sources": []}]
    folded = fold_duplicates(articles, [{"id": "s-1", "article_ids": ["a", "b"], "duplicates": {"b": "a"}}])
    assert folded[0]["sources"] == ["x/a.txt", "y/b.txt"] and folded[1]["duplicate_of"] == "a"
    assert "duplicate_of" not in folded[2]
