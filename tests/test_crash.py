"""Crash safety and concurrent runs, with real ``rasad run`` processes.

A run is killed with SIGKILL at several points (before its first article, then after more and more
articles), each time while it holds an open write transaction (``RASAD_TEST_SLOW_MS`` makes every
new article wait inside its transaction); after each kill the database must be sound and hold only
whole articles, and the run that finally completes must leave exactly what an uninterrupted run
leaves.  Two runs started together on one database must both finish with that same content.
"""

from __future__ import annotations

import os
import re
import signal
import sqlite3
import subprocess
import sys
import time
from contextlib import closing
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest

from rasad.export import build_export
from rasad.store import open_store
from rasad.store.base import SLOW_ENV

from .conftest import EXAMPLES, ROOT
from .pg_server import database_url

COPIES = 4  # the 14 examples and 3 variants of each: 56 articles (commits of 16: a kill after 40 lands mid-way)
SLOW_MS = 60
KILL_AFTER = (0, 4, 20, 40)  # stored articles at which a run is killed (0: before its first article; commits of 16)
TIMEOUT_S = 120


_LONG_PARAGRAPH = re.compile(r"^([^\n]{120,})$", flags=re.M)


def synthetic_corpus(folder: Path, copies: int = COPIES) -> int:
    """The examples, plus variants with another outlet, date and one more sentence: each a new article."""
    folder.mkdir(parents=True, exist_ok=True)
    n = 0
    for copy in range(copies):
        for src in sorted(EXAMPLES.glob("*.txt")):
            text = src.read_text(encoding="utf-8")
            if copy:
                text = re.sub(r"^outlet: (.*)$", rf"outlet: \1 {copy}", text, count=1, flags=re.M)
                day = re.search(r"^published: (\d{4}-\d{2}-\d{2})$", text, flags=re.M)
                if day:
                    moved = date.fromisoformat(day.group(1)) + timedelta(days=copy)
                    text = text.replace(day.group(0), f"published: {moved.isoformat()}")
                extra = f"وأفاد مراسل الشبكة بأن عدد القتلى بلغ {copy + 2} عناصر."
                text = _LONG_PARAGRAPH.sub(rf"\1 {extra}", text, count=1)
            (folder / f"{copy:02d}_{src.name}").write_text(text, encoding="utf-8")
            n += 1
    return n


def _env(slow_ms: int = 0) -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(ROOT / "src"), env.get("PYTHONPATH", "")) if p)
    env.pop(SLOW_ENV, None)
    if slow_ms:
        env[SLOW_ENV] = str(slow_ms)
    return env


def start_run(corpus: Path, db: str, *, slow_ms: int = 0) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "rasad.cli", "run", str(corpus), "--db", db, "--quiet", "--batch", "4"],
        env=_env(slow_ms), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
    )


def finish(proc: subprocess.Popen[bytes]) -> None:
    out, err = proc.communicate(timeout=TIMEOUT_S)
    assert proc.returncode == 0, (out + err).decode("utf-8", "replace")[-2000:]


def stored_articles(db: Path) -> int:
    """Committed articles, read the way another process would (0 while the database is being created)."""
    if not db.exists():
        return 0
    try:
        with closing(sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=5)) as conn:
            return int(conn.execute("SELECT COUNT(*) FROM articles").fetchone()[0])
    except sqlite3.OperationalError:
        return 0


def has_schema(db: Path) -> bool:
    """Whether a killed run got as far as creating the schema (read-write: a killed writer may need recovery)."""
    with closing(sqlite3.connect(db, timeout=5)) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        return conn.execute("SELECT 1 FROM sqlite_master WHERE name = 'meta'").fetchone() is not None


def kill_after(proc: subprocess.Popen[bytes], db: Path, articles: int) -> None:
    """SIGKILL ``proc`` once ``db`` holds ``articles`` articles (or, for 0, once the database exists)."""
    deadline = time.monotonic() + TIMEOUT_S
    while time.monotonic() < deadline and proc.poll() is None:
        if (articles == 0 and db.exists()) or (articles and stored_articles(db) >= articles):
            break
        time.sleep(0.005)
    assert proc.poll() is None, "the run ended before it could be killed: make the corpus larger"
    os.kill(proc.pid, signal.SIGKILL)
    proc.communicate(timeout=TIMEOUT_S)
    assert proc.returncode == -signal.SIGKILL


def export_of(db: str) -> dict[str, Any]:
    store = open_store(db, create=False)
    try:
        assert store.check() == []
        return build_export(store)
    finally:
        store.close()


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("synthetic") / "in"
    assert synthetic_corpus(folder) >= 40
    return folder


@pytest.fixture(scope="module")
def reference(corpus: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """What one uninterrupted run stores."""
    db = str(tmp_path_factory.mktemp("reference") / "ref.db")
    finish(start_run(corpus, db))
    exported = export_of(db)
    assert len(exported["articles"]) >= 40
    return exported


def _by_id(records: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {r["id"]: r for r in records}


# Fields the cross-article merge sets at the end of a run; a killed run never got there.
MERGE_FIELDS = ("story_id", "duplicate_of", "sources")


def _own(article: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in article.items() if k not in MERGE_FIELDS}


def assert_whole_articles(partial: dict[str, Any], reference: dict[str, Any]) -> None:
    """Every article a killed run left is stored completely: the same record, mentions and entities."""
    ref_articles = _by_id(reference["articles"])
    for article in partial["articles"]:
        assert _own(article) == _own(ref_articles[article["id"]])
        assert set(article["sources"]) <= set(ref_articles[article["id"]]["sources"])
    ids = {a["id"] for a in partial["articles"]}
    ref_mentions = [m for m in reference["mentions"] if m["article_id"] in ids]
    assert sorted(map(repr, partial["mentions"])) == sorted(map(repr, ref_mentions))
    mentioned = {m["entity_id"] for m in partial["mentions"]}
    assert {e["id"] for e in partial["entities"]} == mentioned


def test_sigkill_at_several_points_then_resume(
    corpus: Path, reference: dict[str, Any], tmp_path: Path
) -> None:
    db = tmp_path / "killed.db"
    seen = []
    for articles in KILL_AFTER:
        kill_after(start_run(corpus, str(db), slow_ms=SLOW_MS), db, articles)
        if not has_schema(db):  # killed while creating the database: nothing to find yet
            assert articles == 0
            continue
        partial = export_of(str(db))
        assert_whole_articles(partial, reference)
        seen.append(len(partial["articles"]))
    assert seen == sorted(seen) and seen[-1] < len(reference["articles"]), seen  # killed mid-way each time
    finish(start_run(corpus, str(db)))
    assert export_of(str(db)) == reference
    with closing(sqlite3.connect(db)) as conn:
        runs = conn.execute("SELECT finished, added FROM runs ORDER BY id").fetchall()
    assert len(runs) >= len(KILL_AFTER) and runs[-1][0] is not None  # the run killed at 0 may have left none
    assert all(finished is None for finished, _ in runs[:-1])
    assert runs[-1][1] == len(reference["articles"]) - seen[-1]


@pytest.mark.parametrize("kind", ["sqlite", "postgres"])
def test_two_runs_at_once(kind: str, corpus: Path, reference: dict[str, Any], tmp_path: Path) -> None:
    """Both runs finish; each article is stored once (by one of them) and the content is the reference."""
    db = database_url(kind, tmp_path)
    first, second = start_run(corpus, db), start_run(corpus, db)
    finish(first)
    finish(second)
    assert export_of(db) == reference
    store = open_store(db, create=False)
    try:
        runs = store.table("runs")
    finally:
        store.close()
    assert len(runs) == 2 and all(r["finished"] for r in runs)
    assert sum(r["added"] for r in runs) == len(reference["articles"])
    assert all(r["added"] + r["duplicates"] == r["read"] for r in runs)
