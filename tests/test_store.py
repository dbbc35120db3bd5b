"""The storage suite, run against SQLite and against a real PostgreSQL server (see tests/pg_server.py)."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from rasad.errors import StoreError
from rasad.export import build_export
from rasad.kb import load_kb
from rasad.runner import run_paths
from rasad.search import ArticleFilter, index_version, parse_query
from rasad.stats import compute_stats, stats_record
from rasad.store import BOOKKEEPING_TABLES, CONTENT_TABLES, Store, open_store
from rasad.store.migrate import latest_version
from rasad.store.postgres import safe_url
from rasad.store.records import article_values, dumps, entity_values, event_record, relation_record

from .backends import KB, KB_VERSION, KINDS, corpus_paths, corpus_url, fresh_url, two_articles


@pytest.fixture(params=KINDS)
def kind(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def url(kind: str, tmp_path: Path) -> str:
    return fresh_url(kind, tmp_path)


@pytest.fixture
def store(url: str) -> Iterator[Store]:
    opened = open_store(url)
    yield opened
    opened.close()


def _add_both(store: Store) -> None:
    for article in two_articles():
        assert store.add_article(article, kb_entities=KB, kb_version=KB_VERSION)


# -- schema ---------------------------------------------------------------------------------------------
def test_new_database_has_the_latest_schema(store: Store) -> None:
    assert store.schema_version() == latest_version(store.backend)
    assert set(store.table_names()) == set(CONTENT_TABLES) | set(BOOKKEEPING_TABLES)
    assert store.meta()["search_index"] == index_version()
    assert all(n == 0 for t, n in store.counts().items() if t != "meta")
    assert store.check() == []


def test_reopening_keeps_the_data(url: str) -> None:
    first = open_store(url)
    _add_both(first)
    first.close()
    again = open_store(url, create=False)
    try:
        assert again.counts()["articles"] == 2
    finally:
        again.close()


# -- articles, entities, mentions --------------------------------------------------------------------------
def test_articles_round_trip(store: Store) -> None:
    a1, a2 = two_articles()
    _add_both(store)
    stored = {a.id: a for a in store.articles()}
    assert [a.file for a in store.articles()] == ["a1.txt", "b2.txt"]
    for original in (a1, a2):
        back = stored[original.id]
        assert back.text == original.text and back.title == original.title and back.outlet == original.outlet
        assert back.paragraphs == original.paragraphs and back.sentences == original.sentences
        assert set(back.mentions) == set(original.mentions)
        for m in back.mentions:
            assert back.text[m.start : m.end] == m.text
    assert store.has_article(a1.id) and not store.has_article("0" * 64)
    assert store.kb_versions() == {a1.id: KB_VERSION, a2.id: KB_VERSION}


def test_find_article_by_id_prefix_file_or_source(store: Store) -> None:
    a1, _ = two_articles()
    _add_both(store)
    for key in (a1.id, a1.id[:8], "a1.txt", "/in/a1.txt", "some/folder/a1.txt"):
        found = store.find_article(key)
        assert found is not None and found.id == a1.id, key
    assert store.find_article("nothing") is None
    assert store.find_article("%%%%%%") is None


def test_entities_kb_and_discovered(store: Store) -> None:
    a1, a2 = two_articles()
    _add_both(store)
    entities = {e.id: e for e in store.entities()}
    assert set(entities) == {"sdf", "isis", "raqqa", "d-abu-khalid"}
    raqqa = entities["raqqa"]
    assert (raqqa.lat, raqqa.lon) == (35.9528, 39.0079)  # double precision on both backends
    assert raqqa.aliases == ("الرقه", "Raqqah") and raqqa.extra["kb_version"] == KB_VERSION
    found = entities["d-abu-khalid"]
    assert found.discovered and found.extra["kb_version"] is None
    assert [e["article_id"] for e in found.extra["evidence"]] == [a1.id, a2.id]
    assert store.get_entity("sdf") == entities["sdf"] and store.get_entity("nope") is None
    assert store.get_entity("d-abu-khalid") == found
    # Evidence is kept a row per sentence, not as a list rewritten inside the entity's row.
    assert [(r["entity_id"], r["article_id"]) for r in store.table("entity_evidence")] == [
        ("d-abu-khalid", a1.id), ("d-abu-khalid", a2.id)]
    assert all("evidence" not in json.loads(r["extra"]) for r in store.table("entities"))
    assert store.entity_type_counts() == {"actor": 2, "person": 1, "place": 1}


def test_discovered_entity_does_not_depend_on_the_storing_order(kind: str, tmp_path: Path) -> None:
    a1, a2 = two_articles()
    variant = dataclasses.replace(a2.discovered[0], name_en="Abu Khaled",
                                  extra={"cue": "القيادي", "evidence": [{"article_id": a2.id, "start": 0, "end": 5}]})
    a2 = dataclasses.replace(a2, discovered=(variant,))
    seen = []
    for name, order in (("first", (a1, a2)), ("second", (a2, a1))):
        (tmp_path / name).mkdir()
        store = open_store(fresh_url(kind, tmp_path / name))
        try:
            for article in order:
                assert store.add_article(article, kb_entities=KB, kb_version=KB_VERSION)
            seen.append(store.get_entity("d-abu-khalid"))
        finally:
            store.close()
    assert seen[0] == seen[1] and seen[0] is not None
    earliest = min((a1, a2), key=lambda a: a.id)  # the entity as the earliest evidence has it speaks for it
    assert seen[0].extra["cue"] == earliest.discovered[0].extra["cue"]
    assert seen[0].name_en == earliest.discovered[0].name_en
    assert [e["article_id"] for e in seen[0].extra["evidence"]] == sorted([a1.id, a2.id])


def test_same_article_again_adds_only_its_source(store: Store) -> None:
    a1, _ = two_articles()
    _add_both(store)
    before = store.counts()
    assert not store.add_article(a1, kb_entities=KB, kb_version=KB_VERSION)
    assert store.counts() == before
    copy = dataclasses.replace(a1, source="/elsewhere/copy.txt", file="copy.txt")
    assert not store.add_article(copy, kb_entities=KB, kb_version=KB_VERSION)
    assert store.article_sources()[a1.id] == ["/elsewhere/copy.txt", "/in/a1.txt"]
    after = store.counts()
    assert after["article_sources"] == before["article_sources"] + 1
    assert {k: v for k, v in after.items() if k != "article_sources"} == {
        k: v for k, v in before.items() if k != "article_sources"
    }


def test_failed_transaction_leaves_nothing(store: Store) -> None:
    a1, a2 = two_articles()
    store.add_article(a2, kb_entities=KB, kb_version=KB_VERSION)
    before = store.counts()
    with pytest.raises(RuntimeError), store.transaction():
        store.add_article(a1, kb_entities=KB, kb_version=KB_VERSION)  # joins the outer transaction
        assert store.has_article(a1.id)
        raise RuntimeError("crash in the middle")
    assert not store.has_article(a1.id)
    assert store.counts() == before
    assert store.check() == []


def test_unknown_entity_is_a_store_error(store: Store) -> None:
    a1, _ = two_articles()
    with pytest.raises(StoreError, match="neither in the knowledge base"):
        store.add_article(a1, kb_entities={}, kb_version=KB_VERSION)
    assert store.counts()["articles"] == 0


# -- relations and events: the raw layer, the merged layer --------------------------------------------------
def test_raw_relations_merge_evidence_across_articles(store: Store) -> None:
    a1, a2 = two_articles()
    _add_both(store)
    assert store.counts()["article_relations"] == 2
    [relation] = list(store.raw_relations())
    assert relation["id"] == "r-sdf-opposes-isis"
    assert [e["article_id"] for e in relation["evidence"]] == [a1.id, a2.id]
    assert relation["co_subjects"] == ["coalition"]
    events = list(store.raw_events())
    assert [e["id"] for e in events] == sorted([f"e-{a1.id[:12]}", f"e-{a2.id[:12]}"])
    assert events[0]["assoc_actor_1"] == [] and events[0]["tags"] == ["clash"]
    assert list(store.relations()) == [relation] and list(store.events()) == events
    assert not store.has_merged()


def test_replace_merged_layer(store: Store) -> None:
    a1, a2 = two_articles()
    _add_both(store)
    raw_event = next(store.raw_events())
    merged_event = {**raw_event, "id": "ev-1", "evidence": [*raw_event["evidence"]], "corroboration": 2,
                    "sources": ["Outlet A", "Outlet B"]}
    relation = next(store.raw_relations())
    story = {"id": "s-1", "article_ids": [a1.id, a2.id], "title": "Raqqa clashes"}
    store.replace_merged([story], [merged_event], [relation], story_ids={a1.id: "s-1", a2.id: "s-1"})
    assert store.has_merged()
    assert list(store.events()) == [merged_event]
    assert list(store.stories()) == [story]
    exported = build_export(store)
    assert exported["events"] == [merged_event]  # corroboration set by the merge stage is kept
    assert exported["relations"][0]["corroboration"] == 2  # computed from the evidence when absent
    assert {a["story_id"] for a in exported["articles"]} == {"s-1"}
    assert store.counts()["article_events"] == 2  # the raw layer stays
    store.replace_merged([], [], [], story_ids={})
    assert list(store.events()) == [] and list(store.stories()) == []
    assert {a.story_id for a in store.articles()} == {None}
    store.set_story_ids({a2.id: "s-9"})
    assert {a.id: a.story_id for a in store.articles()} == {a1.id: None, a2.id: "s-9"}


def test_replace_merged_refuses_incomplete_records(store: Store) -> None:
    _add_both(store)
    store.replace_merged([], [{"id": "ev-1", "event_date": None}], [])
    with pytest.raises(StoreError, match="merged relation without subject"):
        store.replace_merged([], [], [{"id": "r-1", "predicate": "controls", "object": "raqqa"}])
    assert [e["id"] for e in store.events()] == ["ev-1"]


# -- migrations --------------------------------------------------------------------------------------------
def _literal(value: object) -> str:
    if value is None:
        return "NULL"
    if isinstance(value, int | float):
        return repr(value)
    return "'" + str(value).replace("'", "''") + "'"


def _insert(table: str, values: tuple[object, ...]) -> str:
    return f"INSERT INTO {table} VALUES ({', '.join(_literal(v) for v in values)});\n"


def _version_1_rows() -> str:
    """What rasad with schema version 1 wrote for the two test articles (relations merged by id)."""
    a1, a2 = two_articles()
    sql = ""
    for a in (a1, a2):
        sql += _insert("articles", article_values(a, KB_VERSION))
        sql += _insert("article_sources", (a.id, a.source, a.file, a.outlet, a.url))
    for e in [KB["sdf"], KB["isis"], KB["raqqa"]]:
        sql += _insert("entities", entity_values(e, KB_VERSION))
    found = a1.discovered[0]  # before version 4 its evidence was a list inside ``extra``
    sql += _insert("entities", (*entity_values(found, KB_VERSION)[:14], dumps(found.extra), None))
    for a in (a1, a2):
        for m in a.mentions:
            sql += _insert("mentions", (m.article_id, m.entity_id, m.start, m.end, m.text, m.method, m.sentence))
        for ev in a.events:
            sql += _insert("events", (ev.id, dumps(event_record(ev))))
    relation = relation_record(a1.relations[0])
    relation["evidence"] += relation_record(a2.relations[0])["evidence"]
    sql += _insert("relations", (relation["id"], "sdf", "opposes", "isis", dumps(relation)))
    return sql


def _open_at(url: str, version: int) -> Store:
    if url.startswith("postgresql://"):
        from rasad.store.postgres import open_postgres

        return open_postgres(url, schema=version)
    from rasad.store.sqlite import open_sqlite

    return open_sqlite(url, schema=version)


def test_version_1_database_is_migrated(url: str) -> None:
    old = _open_at(url, 1)
    assert old.schema_version() == 1
    with old.transaction():
        old.run_script(_version_1_rows())
    old.close()
    store = open_store(url, create=False)
    try:
        assert store.schema_version() == latest_version(store.backend)
        a1, a2 = two_articles()
        [relation] = list(store.raw_relations())
        assert [e["article_id"] for e in relation["evidence"]] == [a1.id, a2.id]
        assert {e["id"] for e in store.raw_events()} == {a1.events[0].id, a2.events[0].id}
        counts = store.counts()
        assert (counts["article_relations"], counts["article_events"], counts["relations"], counts["events"]) == (
            2, 2, 0, 0)
        assert counts["article_search"] == 2 and counts["entity_search"] == 4  # the search index was built
        found = store.get_entity("d-abu-khalid")
        assert found is not None and found.extra["evidence"] == a1.discovered[0].extra["evidence"]
        assert counts["entity_evidence"] == 1
        assert all("evidence" not in json.loads(r["extra"]) for r in store.table("entities"))
        assert store.search_articles(parse_query("الرقة").groups, ArticleFilter()) == [a2.id, a1.id]
        assert store.check() == []
    finally:
        store.close()


def test_newer_database_is_refused_in_one_line(url: str) -> None:
    store = open_store(url)
    with store.transaction():
        store.run_script("UPDATE meta SET value = '99' WHERE key = 'schema_version'")
    store.close()
    with pytest.raises(StoreError, match="newer than this rasad") as caught:
        open_store(url)
    assert "\n" not in str(caught.value)


def test_stale_search_index_is_rebuilt_on_open(url: str) -> None:
    store = open_store(url)
    _add_both(store)
    with store.transaction():
        store.run_script("DELETE FROM article_search; UPDATE meta SET value = 'old' WHERE key = 'search_index';")
    store.close()
    store = open_store(url)
    try:
        assert store.meta()["search_index"] == index_version()
        assert len(store.search_articles(parse_query("داعش").groups, ArticleFilter())) == 1
    finally:
        store.close()


def test_missing_database_without_create(kind: str, tmp_path: Path) -> None:
    if kind == "sqlite":
        with pytest.raises(StoreError, match="no such database"):
            open_store(str(tmp_path / "none.db"), create=False)
        return
    url = fresh_url(kind, tmp_path)  # an empty PostgreSQL database: no rasad schema in it
    with pytest.raises(StoreError, match="no rasad database here"):
        open_store(url, create=False)


def test_foreign_or_broken_sqlite_files(tmp_path: Path) -> None:
    import sqlite3

    other = tmp_path / "other.db"
    with sqlite3.connect(other) as conn:
        conn.execute("CREATE TABLE users (id INTEGER)")
    with pytest.raises(StoreError, match="not a rasad database"):
        open_store(str(other))
    junk = tmp_path / "junk.db"
    junk.write_bytes(b"this is not a database at all" * 100)
    with pytest.raises(StoreError, match=r"junk\.db"):
        open_store(str(junk))
    with pytest.raises(StoreError, match="unsupported database URL"):
        open_store("mysql://localhost/x")


def test_postgres_url_password_is_masked() -> None:
    assert safe_url("postgresql://me:secret@db.example/kb") == "postgresql://me:***@db.example/kb"
    assert safe_url("postgresql://me@/kb?host=/tmp") == "postgresql://me@/kb?host=/tmp"


# -- whole runs: idempotence, identical backends, figures ----------------------------------------------------
def test_rerun_leaves_every_content_table_unchanged(kind: str, tmp_path: Path) -> None:
    """Re-running the seeds and the examples adds nothing; only run bookkeeping (runs, skipped) grows."""
    url = fresh_url(kind, tmp_path)
    store = open_store(url)
    try:
        kb = load_kb()
        run_paths(corpus_paths(), store=store, kb=kb)
        assert set(store.table_names()) == set(CONTENT_TABLES) | set(BOOKKEEPING_TABLES)
        before = store.counts(bookkeeping=True)
        summary = run_paths(corpus_paths(), store=store, kb=kb)
        after = store.counts(bookkeeping=True)
    finally:
        store.close()
    assert summary.added == 0 and summary.duplicates == before["articles"] >= 12
    assert {t: after[t] for t in CONTENT_TABLES} == {t: before[t] for t in CONTENT_TABLES}
    assert after["runs"] == before["runs"] + 1


def test_backends_store_the_same_corpus_identically(tmp_path_factory: pytest.TempPathFactory) -> None:
    exports = {}
    for kind in KINDS:
        store = open_store(corpus_url(kind, tmp_path_factory), create=False)
        try:
            exports[kind] = build_export(store)
            assert store.check() == []
        finally:
            store.close()
    assert exports["sqlite"]["articles"], "empty corpus"
    for key in exports["sqlite"]:
        assert exports["postgres"][key] == exports["sqlite"][key], key


def test_stats(kind: str, tmp_path_factory: pytest.TempPathFactory) -> None:
    store = open_store(corpus_url(kind, tmp_path_factory), create=False)
    try:
        stats = compute_stats(store)
        exported = build_export(store)
    finally:
        store.close()
    assert stats.counts["articles"] == len(exported["articles"]) >= 12
    assert stats.counts["events"] == len(exported["events"]) and stats.counts["relations"] == len(exported["relations"])
    assert sum(stats.entity_types.values()) == len(exported["entities"])
    assert sum(stats.outlets.values()) == stats.counts["articles"] and len(stats.outlets) >= 5
    assert sum(stats.corroboration["events"].values()) == len(exported["events"])
    assert sum(stats.corroboration["relations"].values()) == len(exported["relations"])
    assert min(stats.corroboration["relations"]) >= 1
    dates = sorted(a["published"][:10] for a in exported["articles"] if a["published"])
    assert (stats.article_dates.first, stats.article_dates.last) == (dates[0], dates[-1])
    assert stats.event_dates.first is not None and stats.event_dates.first <= str(stats.event_dates.last)
    assert stats_record(stats)["corroboration"]["events"]
