"""Engines: inline, worker processes and a real Dask LocalCluster store the same thing; bounded work in flight."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from rasad.engines import EngineOptions, open_engine, ordered_map
from rasad.errors import RasadError
from rasad.export import build_export
from rasad.kb import KnowledgeBase, load_kb
from rasad.model import Article, RawDoc, Skipped
from rasad.pipeline import DEFAULT_STAGES, Pipeline, Stage
from rasad.runner import SkipLog, run_paths
from rasad.store import open_store

from .conftest import EXAMPLES, SEEDS

dd = pytest.importorskip("distributed")


def _sorted_export(export: dict[str, Any]) -> dict[str, Any]:
    """Every list of records sorted, so that exports compare whatever order they were written in."""
    return {key: sorted(value, key=lambda r: json.dumps(r, sort_keys=True, ensure_ascii=False))
            if isinstance(value, list) else value for key, value in export.items()}


def run_export(paths: list[Path], db: Path, engine: EngineOptions, pipeline: Pipeline | None = None) -> dict[str, Any]:
    store = open_store(str(db))
    try:
        run_paths(paths, store=store, kb=load_kb(), engine=engine, pipeline=pipeline)
        return _sorted_export(build_export(store))
    finally:
        store.close()


@pytest.fixture(scope="module")
def cluster() -> Iterator[str]:
    """A real Dask distributed cluster on this machine: 2 worker processes, one thread each."""
    import logging

    with dd.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=":0",
                         silence_logs=logging.ERROR) as local:
        yield str(local.scheduler_address)


def _corpus(name: str) -> list[Path]:
    if name == "seeds":
        if not SEEDS.is_dir():
            pytest.skip(f"shared seed corpus not present at {SEEDS}")
        return [SEEDS]
    return [EXAMPLES]


@pytest.mark.parametrize("corpus", ["examples", "seeds"])
def test_engines_store_the_same(tmp_path: Path, cluster: str, corpus: str) -> None:
    paths = _corpus(corpus)
    inline = run_export(paths, tmp_path / "inline.db", EngineOptions(kind="inline"))
    assert inline["articles"] and inline["events"] and inline["relations"] and inline["entities"]
    process = run_export(paths, tmp_path / "process.db", EngineOptions(kind="process", workers=2, batch=2))
    dask = run_export(paths, tmp_path / "dask.db", EngineOptions(kind="dask", scheduler=cluster, batch=3))
    for key in ("articles", "entities", "mentions", "relations", "events", "stories"):
        assert process[key] == inline[key], key
        assert dask[key] == inline[key], key


def test_dask_engine_starts_its_own_local_cluster(tmp_path: Path) -> None:
    files = sorted(EXAMPLES.glob("*.txt"))[:3]
    inline = run_export(files, tmp_path / "inline.db", EngineOptions(kind="inline"))
    dask = run_export(files, tmp_path / "dask.db", EngineOptions(kind="dask", workers=1))
    assert dask == inline and len(inline["articles"]) == 3


# A stage that fails on one article: module-level, so that worker processes can unpickle it.
def _fail_on_recruitment(article: Article, kb: KnowledgeBase) -> Article:
    if "04_recruitment" in article.source:
        raise ValueError("no recruits today")
    return article


FAILING = Stage("fail", _fail_on_recruitment, frozenset({"text"}), frozenset())


@pytest.mark.parametrize("kind", ["inline", "process"])
def test_failing_article_is_skipped_by_every_engine(tmp_path: Path, kind: str) -> None:
    store = open_store(str(tmp_path / "kb.db"))
    try:
        summary = run_paths([EXAMPLES], store=store, kb=load_kb(), pipeline=Pipeline.build((*DEFAULT_STAGES, FAILING)),
                            engine=EngineOptions(kind=kind, workers=1))
        (skip,) = list(summary.skipped)
        assert "04_recruitment" in skip.source
        assert skip.reason == "processing failed: ValueError: no recruits today"
        assert summary.added == len(list(EXAMPLES.glob("*.txt"))) - 1
    finally:
        store.close()


def test_in_flight_work_is_bounded(tmp_path: Path) -> None:
    """Documents are read only a bounded number ahead of what is stored (memory stays flat)."""
    from rasad.ingest import iter_documents
    from rasad.runner import RunControl, run_documents

    pulled = 0
    ahead: list[int] = []

    def counted() -> Iterator[RawDoc | Skipped]:
        nonlocal pulled
        for doc in iter_documents([EXAMPLES]):
            pulled += 1
            yield doc

    stored = 0

    def progress(source: str) -> None:
        nonlocal stored
        stored += 1
        ahead.append(pulled - stored)

    store = open_store(str(tmp_path / "kb.db"))
    options = EngineOptions(kind="process", workers=1, batch=2, window=2)
    try:
        with open_engine(options, kb=load_kb(), pipeline=Pipeline.build()) as engine:
            summary = run_documents(counted(), store=store, kb=load_kb(), engine=engine,
                                    control=RunControl(progress=progress))
    finally:
        store.close()
    assert summary.added == 14 and stored == 14
    assert max(ahead) <= options.batch * (options.window + 1)


def test_stop_ends_the_run_with_whole_articles(tmp_path: Path) -> None:
    store = open_store(str(tmp_path / "kb.db"))
    seen: list[str] = []
    try:
        summary = run_paths([EXAMPLES], store=store, kb=load_kb(), progress=seen.append, stop=lambda: len(seen) >= 3,
                            engine=EngineOptions(kind="process", workers=1, batch=1, window=1))
        assert summary.stopped and 3 <= summary.added < 14
        assert store.counts()["articles"] == summary.added and not store.check()
        again = run_paths([EXAMPLES], store=store, kb=load_kb())
        assert again.added == 14 - summary.added
    finally:
        store.close()


def test_ordered_map_keeps_order_and_window() -> None:
    @dataclasses.dataclass
    class Slow:
        value: list[Article | Skipped]
        polls: int = 0

        def ready(self) -> bool:
            self.polls += 1
            return self.polls > 2

        def result(self) -> list[Article | Skipped]:
            return self.value

    submitted: list[int] = []
    outstanding: list[int] = []
    done = 0

    def submit(batch: list[Article]) -> Slow:
        submitted.append(len(batch))
        outstanding.append(len(submitted) - done)
        return Slow([Skipped(a.source, "") for a in batch])

    batches = [[Article(id=str(i), source=f"s{i}", file="", text="")] for i in range(10)]
    out = []
    for result in ordered_map(submit, iter(batches), window=3):
        done += 1
        out.append(result[0].source)
    assert out == [f"s{i}" for i in range(10)]
    assert max(outstanding) <= 3


def test_engine_options_are_checked() -> None:
    kb, pipeline = load_kb(), Pipeline.build()
    with pytest.raises(RasadError, match="unknown engine"), open_engine(EngineOptions(kind="spark"), kb=kb,
                                                                         pipeline=pipeline):
        pass
    with pytest.raises(RasadError, match="at least 1"), open_engine(EngineOptions(kind="process", workers=0), kb=kb,
                                                                     pipeline=pipeline):
        pass


def test_skip_log_is_bounded() -> None:
    log = SkipLog(keep=5)
    for i in range(10_000):
        log.append(Skipped(f"f{i}#L{i}", f"line {i}: not valid JSON" if i % 2 else f"reason {i % 500}"))
    assert len(log) == 10_000 and len(list(log)) == 5 and bool(log)
    assert log.reasons["not valid JSON"] == 5000
    assert len(log.reasons) <= 101 and log.reasons["other reasons"] > 0


@pytest.mark.parametrize("backend", ["sqlite", "postgres"])
def test_process_workers_store_their_own_batches(tmp_path: Path, backend: str) -> None:
    """With a store, each worker writes what it processed (the run loop only counts): same content as inline."""
    from rasad.engines import Written
    from rasad.ingest import IngestOptions, iter_documents
    from rasad.pipeline import RunState
    from rasad.runner import prepare, process_batches

    from .pg_server import database_url

    inline = run_export([EXAMPLES], tmp_path / "inline.db", EngineOptions(kind="inline"))
    url = database_url(backend, tmp_path)
    kb = load_kb()
    store = open_store(url)
    try:
        with open_engine(EngineOptions(kind="process", workers=2, batch=2), kb=kb, pipeline=Pipeline.build(),
                         store_url=store.url) as engine:
            docs = iter_documents([EXAMPLES], options=IngestOptions())
            items = [item for batch in process_batches(prepare(docs, state=RunState()), engine)
                     for item in batch]
        assert items and all(isinstance(item, Written) and item.added for item in items)
        assert len(items) == len(inline["articles"])
        stored = _sorted_export(build_export(store))
        for key in ("articles", "entities", "mentions", "relations", "events"):
            assert stored[key] == inline[key], key
    finally:
        store.close()
