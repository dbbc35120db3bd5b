"""The keyed merge (rasad.merge.reduce) gives exactly what merge_all gives on the whole store."""

from __future__ import annotations

import json
import random
import sys
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import pytest

from rasad.engines import EngineOptions
from rasad.kb import load_kb
from rasad.merge import MergeOptions, article_input, merge_all
from rasad.merge.events import merge_events
from rasad.merge.partition import event_partitions
from rasad.merge.reduce import KeyedMerge, ReduceOptions, merge_keyed
from rasad.merge.sources import MemorySource, StoreSource
from rasad.merge.stories import StoryOptions
from rasad.runner import run_paths
from rasad.store import open_store
from rasad.store.base import Store

from .conftest import EXAMPLES, SHARED
from .pg_server import database_url
from .test_merge import ENTITIES, _event

ROOT = Path(__file__).resolve().parents[1]
DATA = Path(__file__).parent / "data" / "merge"
NO_ENCODER = MergeOptions(stories=StoryOptions(use_encoder=False))


def _canon(records: Iterable[dict[str, Any]]) -> list[str]:
    return sorted(json.dumps(r, sort_keys=True, ensure_ascii=False) for r in records)


def _whole(store: Store, options: MergeOptions) -> Any:
    return merge_all([article_input(a) for a in store.articles()], list(store.raw_events()),
                     list(store.raw_relations()), load_kb().entities, options=options)


def _assert_same(old: Any, new: KeyedMerge) -> None:
    assert _canon(new.events) == _canon(old.events)
    assert _canon(new.relations) == _canon(old.relations)
    assert _canon(new.stories()) == _canon(old.stories)
    assert dict(new.story_ids()) == old.story_of
    assert new.duplicates == old.duplicates


def _stored(folder: Path, paths: list[Path]) -> Store:
    store = open_store(str(folder / "merge.db"))
    run_paths(paths, store=store, kb=load_kb())
    return store


@pytest.fixture(scope="module")
def synthetic(tmp_path_factory: pytest.TempPathFactory) -> Iterable[Store]:
    """300 generated reports, 10 a day: stories, copies and events reach across chunk edges."""
    sys.path.insert(0, str(ROOT / "bench"))
    from synth import generate

    folder = tmp_path_factory.mktemp("synthetic")
    generate(300, folder / "articles", per_day=10)
    store = _stored(folder, [folder / "articles"])
    yield store
    store.close()


@pytest.mark.parametrize("chunk", [25, 120, 10_000])
def test_keyed_merge_equals_merge_all_on_synthetic_articles(synthetic: Store, chunk: int) -> None:
    new = merge_keyed(StoreSource(synthetic), load_kb().entities, options=NO_ENCODER,
                      reduce=ReduceOptions(chunk_articles=chunk, batch=20, inline_below=0))
    old = _whole(synthetic, NO_ENCODER)
    assert sum(len(s["article_ids"]) > 1 for s in old.stories) > 20 and old.duplicates
    assert any(len(e["merged_from"]) > 1 for e in old.events)
    _assert_same(old, new)
    new.close()


def test_keyed_merge_on_worker_processes_equals_merge_all_on_examples_and_seeds(tmp_path: Path) -> None:
    """With the sentence encoder when it is installed (each worker loads it once)."""
    seeds = SHARED / "corpus" / "seeds"
    store = _stored(tmp_path, [EXAMPLES, DATA, *([seeds] if seeds.is_dir() else [])])
    try:
        options = MergeOptions()
        new = merge_keyed(StoreSource(store), load_kb().entities, options=options,
                          engine=EngineOptions(kind="process", workers=2),
                          reduce=ReduceOptions(chunk_articles=3, batch=4, inline_below=0))
        _assert_same(_whole(store, options), new)
        new.close()
    finally:
        store.close()


def test_memory_source_equals_merge_all() -> None:
    events = sorted((_event(f"a{i}", f"o{i % 3}", event_date=f"2020-06-{10 + i % 9:02d}",
                            location=["abu_kamal", "dez", "mayadin"][i % 3]) for i in range(30)),
                    key=lambda e: e["id"])
    text = "تقرير عن الأحداث في المنطقة الشرقية رقم {}."
    articles = [{"id": f"a{i}", "published": f"2020-06-{10 + i % 9:02d}", "title": "", "text": text.format(i)}
                for i in range(30)]
    old = merge_all(articles, events, [], ENTITIES, options=NO_ENCODER)
    new = merge_keyed(MemorySource(articles, events, []), ENTITIES, options=NO_ENCODER,
                      reduce=ReduceOptions(chunk_articles=4, batch=3, inline_below=0))
    _assert_same(old, new)


def _random_events(rng: random.Random, n: int) -> list[dict[str, Any]]:
    places = ["abu_kamal", "mayadin", "dez", "syria", "crossing", None]
    types = [("Strategic developments", "Non-violent transfer of territory"), ("Battles", "Armed clash")]
    out = []
    for i in range(n):
        kind = rng.choice(types)
        out.append(_event(f"a{i % 17}", f"o{i % 5}", event_type=kind[0], sub_event_type=kind[1],
                          location=rng.choice(places), time_precision=rng.choice([1, 1, 2, 3]),
                          event_date=(None if rng.random() < 0.05 else f"2020-{rng.randint(5, 8):02d}-"
                                      f"{rng.randint(1, 28):02d}"),
                          actor1=rng.choice(["irgc", "sdf", "isis", None])))
    return out


@pytest.mark.parametrize("seed", range(8))
def test_event_partitions_are_independent(seed: int) -> None:
    """Merging the partitions in any order, each alone, gives what merging every event at once gives."""
    rng = random.Random(seed)
    events = sorted(_random_events(rng, 120), key=lambda e: e["id"])
    published = {f"a{i}": f"2020-{rng.randint(5, 9):02d}-{rng.randint(1, 28):02d}" for i in range(17)}
    whole = merge_events(events, ENTITIES, published=published)
    by_date = sorted(events, key=lambda e: (e["event_date"] is not None, e["event_date"] or ""))
    parts = list(event_partitions(((e, published) for e in by_date), ENTITIES))
    assert sum(len(p) for p in parts) == len(events) and len(parts) > 1
    rng.shuffle(parts)
    pieces = [r for part in parts for r in merge_events(sorted((e for e, _ in part), key=lambda e: e["id"]),
                                                        ENTITIES, published=published)]
    assert _canon(pieces) == _canon(whole)


def test_merge_store_streams_the_merged_layer_into_the_store(synthetic: Store, tmp_path: Path) -> None:
    from rasad.merge.apply import merge_store

    summary = merge_store(synthetic, load_kb(), options=NO_ENCODER,
                          reduce=ReduceOptions(chunk_articles=50, inline_below=0))
    old = _whole(synthetic, NO_ENCODER)
    assert _canon(synthetic.events()) == _canon(old.events)
    assert _canon(synthetic.relations()) == _canon(old.relations)
    stored = {s["id"]: s for s in synthetic.stories()}
    assert _canon(stored.values()) == _canon(old.stories)
    assert {a.id: a.story_id for a in synthetic.articles()} == old.story_of
    assert summary.duplicates == len(old.duplicates)


def test_vector_file_keeps_rows_on_disk_and_reads_those_asked(tmp_path: Path) -> None:
    import numpy as np

    from rasad.merge.embed import DIMENSION, VectorFile

    rows = np.random.default_rng(0).random((5, DIMENSION), dtype=np.float32)
    vectors = VectorFile.open(tmp_path / "vectors", key="t")
    vectors.add(["c", "a", "eee"], rows[:3])
    vectors.save()
    vectors.add(["b", "a"], rows[3:])  # "a" has a row already: it keeps it
    vectors.save()
    vectors.close()
    again = VectorFile.open(tmp_path / "vectors", key="t")
    got = again.get(["a", "b", "zz", "eee", "e"])
    assert len(again) == 4 and set(got) == {"a", "b", "eee"} == again.known(["a", "b", "zz", "eee", "e"])
    assert np.array_equal(got["a"], rows[1]) and np.array_equal(got["b"], rows[3])
    assert np.array_equal(got["eee"], rows[2])
    assert VectorFile.open(tmp_path / "vectors", key="other").get(["a"]) == {}


def test_two_vector_files_saving_at_once_each_keep_their_rows(tmp_path: Path) -> None:
    """Two runs on one database: the second saves while the first is halfway through writing its file."""
    import numpy as np

    from rasad.merge.embed import DIMENSION, VectorFile

    rows = np.random.default_rng(1).random((4, DIMENSION), dtype=np.float32)
    first, second = VectorFile.open(tmp_path / "v", key="t"), VectorFile.open(tmp_path / "v", key="t")
    first.add(["a", "b"], rows[:2])
    second.add(["c", "d"], rows[2:])
    write_rows = first._rows

    def interleaved(*args: Any) -> Any:
        second.save()  # the other run renames its file into place while this one writes
        return write_rows(*args)

    first._rows = interleaved  # type: ignore[method-assign]
    first.save()
    assert np.array_equal(first.get(["a"])["a"], rows[0]) and first.known(["a", "b", "c"]) == {"a", "b"}
    assert np.array_equal(second.get(["d"])["d"], rows[3]) and second.known(["a", "c", "d"]) == {"c", "d"}
    on_disk = VectorFile.open(tmp_path / "v", key="t")
    assert on_disk.known(["a", "b", "c", "d"]) == {"a", "b"}  # the last rename stays
    assert [p.name for p in (tmp_path / "v").iterdir()] == [first.path.name]
    probe = tmp_path / "probe"
    probe.touch()  # the file is created with the umask's permissions, as any other file
    assert first.path.stat().st_mode == probe.stat().st_mode


def test_files_left_by_a_killed_save_are_removed_when_no_run_owns_them(tmp_path: Path) -> None:
    import os
    import subprocess

    from rasad.merge.embed import VectorFile

    folder = tmp_path / "v"
    path = VectorFile.open(folder, key="t").path
    gone = subprocess.Popen(["true"])
    gone.wait()  # its pid no longer runs
    stale = folder / f"{path.stem}.{gone.pid}.x1.tmp.npy"
    live = folder / f"{path.stem}.{os.getpid()}.x2.tmp.npy"
    other = folder / f"other.{gone.pid}.x3.tmp.npy"
    for leftover in (stale, live, other):
        leftover.write_bytes(b"half")
    VectorFile.open(folder, key="t")
    assert not stale.exists() and live.exists() and other.exists()


@pytest.mark.parametrize("kind", ["sqlite", "postgres"])
def test_merge_store_streams_from_each_backend_as_merge_all_merges(kind: str, tmp_path: Path) -> None:
    """PostgreSQL reads through server-side cursors (rasad.store.postgres._stream) while the merge runs."""
    from rasad.merge.apply import merge_store

    store = open_store(database_url(kind, tmp_path))
    try:
        run_paths([EXAMPLES, DATA], store=store, kb=load_kb())
        options = MergeOptions()
        old = _whole(store, options)
        summary = merge_store(store, load_kb(), options=options,
                              reduce=ReduceOptions(chunk_articles=3, batch=4, inline_below=0))
        assert _canon(store.events()) == _canon(old.events)
        assert _canon(store.relations()) == _canon(old.relations)
        assert _canon(store.stories()) == _canon(old.stories)
        assert {a.id: a.story_id for a in store.articles()} == old.story_of
        assert summary.multi_article_stories == sum(len(s["article_ids"]) > 1 for s in old.stories) > 0
    finally:
        store.close()


def test_copies_form_a_story_when_no_pair_is_scored() -> None:
    text = "قالت مصادر محلية إن دورية عسكرية مرت في المنطقة صباح اليوم دون أن تسجل أي حوادث تذكر هناك."
    articles = [{"id": f"c{i}", "published": f"2020-06-1{i}", "title": "", "text": text} for i in range(3)]
    articles.append({"id": "other", "published": "2020-06-11", "title": "", "text": "خبر آخر لا علاقة له بما سبق."})
    old = merge_all(articles, [], [], ENTITIES, options=NO_ENCODER)
    new = merge_keyed(MemorySource(articles, [], []), ENTITIES, options=NO_ENCODER,
                      reduce=ReduceOptions(chunk_articles=1, inline_below=0))
    assert old.duplicates == {"c1": "c0", "c2": "c0"}
    _assert_same(old, new)


def test_keyed_merge_on_a_dask_cluster_equals_merge_all(tmp_path: Path) -> None:
    """Both phases on one local Dask cluster (2 worker processes), what each phase shares scattered once."""
    pytest.importorskip("distributed")
    store = _stored(tmp_path, [EXAMPLES, DATA])
    try:
        new = merge_keyed(StoreSource(store), load_kb().entities, options=NO_ENCODER,
                          engine=EngineOptions(kind="dask", workers=2),
                          reduce=ReduceOptions(chunk_articles=3, batch=4, inline_below=0))
        _assert_same(_whole(store, NO_ENCODER), new)
        new.close()
    finally:
        store.close()


_LEADS = [
    "قصفت طائرات مسيرة مواقع قرب بلدة الباغوز شرقي دير الزور صباح اليوم",
    "اشتباكات بين مجموعات مسلحة في ريف حلب الشمالي أسفرت عن قتلى",
    "وصلت تعزيزات عسكرية إلى مدينة البوكمال على الحدود مع العراق",
    "أعلنت قوات سوريا الديمقراطية اعتقال خلية في ريف الحسكة",
    "",
    "انفجار عبوة ناسفة في سيارة عسكرية على طريق الميادين",
    "x",
    "قصف مدفعي على قرى جبل الزاوية جنوبي إدلب",
]


def test_tfidf_rows_of_a_slice_are_those_the_corpus_idf_gives() -> None:
    """A slice read against the corpus idf: the same rows, to the bit, as fitting the slice and
    overriding its idf (what scikit-learn does), and the same dot products."""
    import numpy as np
    from sklearn.feature_extraction.text import TfidfVectorizer

    from rasad.merge.stories import _chunked_dots, idf_weights, lead_grams, tfidf_matrix
    from rasad.text.normalize import normalize_text

    df: dict[str, int] = {}
    for text in _LEADS:
        for gram in lead_grams(text):
            df[gram] = df.get(gram, 0) + 1
    idf = idf_weights(df, len(_LEADS))
    part = _LEADS[1:7]
    fitted = TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 4), sublinear_tf=True, dtype=np.float32,
                             preprocessor=normalize_text).fit(part)
    fitted.idf_ = np.array([idf[str(n)] for n in fitted.get_feature_names_out()], dtype=np.float32)
    expected = fitted.transform(part).tocsr()
    got = tfidf_matrix(part, idf)
    columns = sorted(idf)
    names = [str(n) for n in fitted.get_feature_names_out()]
    for row in range(len(part)):
        want = {names[c]: v for c, v in zip(expected[row].indices, expected[row].data, strict=True)}
        have = {columns[c]: v for c, v in zip(got[row].indices, got[row].data, strict=True)}
        assert have == want
    first, second = np.array([0, 0, 1, 2, 3, 4]), np.array([1, 5, 2, 3, 5, 4])
    assert np.array_equal(_chunked_dots(got, first, second), _chunked_dots(expected, first, second))
    assert _chunked_dots(got, first, second)[0] > 0  # two leads about fighting share n-grams
