"""Watch mode: only new items are ingested, one line per cycle, a clean stop on SIGTERM."""

from __future__ import annotations

import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from contextlib import closing
from pathlib import Path

import pytest

from rasad.engines import EngineOptions, open_engine
from rasad.errors import RasadError
from rasad.kb import load_kb
from rasad.pipeline import Pipeline
from rasad.store import open_store
from rasad.store.base import Store
from rasad.watch import MERGE_PENDING, CycleReport, StopFlag, Watcher, WatchOptions, parse_interval, watch

from .conftest import EXAMPLES, ROOT

FILES = sorted(EXAMPLES.glob("*.txt"))
TIMEOUT_S = 90


def test_parse_interval() -> None:
    assert parse_interval("30s") == 30 and parse_interval("10m") == 600 and parse_interval("1h") == 3600
    assert parse_interval("2.5") == 2.5 and parse_interval(" 1M ") == 60
    for bad in ("", "0s", "ten minutes", "5d", "-1m"):
        with pytest.raises(RasadError):
            parse_interval(bad)


def _age(path: Path, seconds: float = 5.0) -> None:
    """Make a file look written ``seconds`` ago (past the settle time)."""
    then = time.time() - seconds
    os.utime(path, (then, then))


def _copy(src: Path, folder: Path) -> Path:
    target = folder / src.name
    shutil.copyfile(src, target)
    _age(target)
    return target


def _inbox(tmp_path: Path, *files: Path) -> Path:
    """A folder holding copies of ``files``, written long enough ago to be read."""
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    for src in files:
        _copy(src, inbox)
    return inbox


def _watcher(folder: Path, store: Store, engine: object) -> Watcher:
    return Watcher([str(folder)], store, load_kb(), engine, WatchOptions(interval_s=0.01))  # type: ignore[arg-type]


def test_cycles_read_only_what_is_new(tmp_path: Path) -> None:
    inbox = _inbox(tmp_path, *FILES[:2])
    store = open_store(str(tmp_path / "kb.db"))
    try:
        with open_engine(EngineOptions(kind="inline"), kb=load_kb(), pipeline=Pipeline.build()) as engine:
            watcher = _watcher(inbox, store, engine)
            first = watcher.cycle()
            assert (first.inputs, first.summary.added) == (2, 2)
            assert 0 < first.events_new <= first.summary.events
            idle = watcher.cycle()
            assert (idle.inputs, idle.summary.added, idle.summary.read) == (0, 0, 0)
            _copy(FILES[2], inbox)
            fresh = inbox / "too_fresh.txt"
            shutil.copyfile(FILES[3], fresh)  # just written: left for a later cycle
            (inbox / "empty.txt").write_bytes(b"")
            _age(inbox / "empty.txt")
            third = watcher.cycle()
            assert (third.inputs, third.summary.added, len(third.summary.skipped)) == (2, 1, 1)
            assert "1 new article(s)" in third.line() and "1× empty file" in third.line()
            _age(fresh)
            assert watcher.cycle().summary.added == 1
            # A new process knows nothing of file times, but the database knows every article.
            restarted = _watcher(inbox, store, engine).cycle()
            assert (restarted.summary.added, restarted.summary.duplicates) == (0, 4)
            assert restarted.events_new == 0
        assert store.counts()["articles"] == 4
    finally:
        store.close()


def test_watch_loop_stops_when_told(tmp_path: Path) -> None:
    inbox = _inbox(tmp_path, FILES[0])
    store = open_store(str(tmp_path / "kb.db"))
    reports: list[CycleReport] = []
    stop = StopFlag()

    def log(report: CycleReport) -> None:
        reports.append(report)
        if len(reports) == 3:
            stop.set()

    try:
        with open_engine(EngineOptions(kind="inline"), kb=load_kb(), pipeline=Pipeline.build()) as engine:
            cycles = watch([str(inbox)], store=store, kb=load_kb(), engine=engine, log=log, stop=stop,
                           options=WatchOptions(interval_s=0.01), merge=lambda s, kb: None)
    finally:
        store.close()
    assert cycles == 3 and [r.summary.added for r in reports] == [1, 0, 0]
    assert reports[0].merged and not reports[1].merged


def test_merge_every_defers_merges_and_a_restart_catches_up(tmp_path: Path) -> None:
    inbox = _inbox(tmp_path, FILES[0])
    store = open_store(str(tmp_path / "kb.db"))
    merges: list[int] = []

    def merge(st: Store, kb: object) -> None:
        merges.append(st.counts()["articles"])

    options = WatchOptions(interval_s=0.01, merge_every_s=3600)
    try:
        with open_engine(EngineOptions(kind="inline"), kb=load_kb(), pipeline=Pipeline.build()) as engine:
            watcher = Watcher([str(inbox)], store, load_kb(), engine, options, merge=merge)  # type: ignore[arg-type]
            first = watcher.cycle()
            assert first.merged and merges == [1]  # a new watcher merges at once
            _copy(FILES[1], inbox)
            second = watcher.cycle()
            assert second.summary.added == 1 and not second.merged and merges == [1]
            assert "(merge deferred: due in 60 min)" in second.line()
            assert store.meta()[MERGE_PENDING] == "1"
            idle = watcher.cycle()  # nothing new, and the merge is still not due
            assert not idle.merged and idle.merge_due_s is not None and merges == [1]
            # Stopped before the merge was due: the next watch merges the waiting article first.
            restarted = Watcher([str(inbox)], store, load_kb(), engine, options, merge=merge)  # type: ignore[arg-type]
            caught_up = restarted.cycle()
            assert caught_up.summary.added == 0 and caught_up.merged and merges == [1, 2]
            assert store.meta()[MERGE_PENDING] == "0"
            assert not restarted.cycle().merged and merges == [1, 2]
        with store.transaction():
            store.set_meta(MERGE_PENDING, "1")
        store.replace_merged([], [], [])  # any full merge (`rasad run` too) takes in what waited
        assert store.meta()[MERGE_PENDING] == "0"
    finally:
        store.close()


def _articles(db: Path) -> int:
    if not db.exists():
        return 0
    try:
        with closing(sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=5)) as conn:
            return int(conn.execute("SELECT count(*) FROM articles").fetchone()[0])
    except sqlite3.OperationalError:  # not created yet
        return 0


def _wait_for(db: Path, n: int, proc: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + TIMEOUT_S
    while _articles(db) < n:
        assert proc.poll() is None, proc.communicate()
        assert time.monotonic() < deadline, f"no {n} articles in {db} after {TIMEOUT_S} s"
        time.sleep(0.2)


def test_watch_command_picks_up_a_new_file_and_stops_on_sigterm(tmp_path: Path) -> None:
    inbox = _inbox(tmp_path, FILES[0])
    db = tmp_path / "kb.db"
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(ROOT / "src"), env.get("PYTHONPATH", "")) if p)
    proc = subprocess.Popen(
        [sys.executable, "-m", "rasad.cli", "watch", str(inbox), "--db", str(db), "--interval", "1s",
         "--workers", "1"],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
    )
    try:
        _wait_for(db, 1, proc)
        hidden = inbox / ".incoming.txt"  # written under a hidden name, then renamed: never read half-written
        shutil.copyfile(FILES[1], hidden)
        hidden.rename(inbox / FILES[1].name)
        _wait_for(db, 2, proc)
        proc.send_signal(signal.SIGTERM)
        _, err = proc.communicate(timeout=TIMEOUT_S)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
    log = err.decode("utf-8", "replace")
    assert proc.returncode == 0, log[-3000:]
    assert "1 new article(s)" in log and "watch stopped" in log
    store = open_store(str(db), create=False)
    try:
        assert store.counts()["articles"] == 2 and not store.check()
        files = {Path(s).name for sources in store.article_sources().values() for s in sources}
        assert files == {FILES[0].name, FILES[1].name}
    finally:
        store.close()
