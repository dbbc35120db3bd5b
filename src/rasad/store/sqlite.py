"""SQLite store: one file, WAL mode, foreign keys, one transaction per article.

Articles are keyed by the sha256 of their clean text, so re-running the same
input adds nothing; an article read again from another file only records the
extra source.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import asdict
from datetime import UTC, datetime
from importlib import resources
from pathlib import Path
from typing import Any

from rasad.errors import StoreError
from rasad.model import Article, Entity, Event, Evidence, Mention, Relation, Sentence, Span

SCHEMA_VERSION = "1"


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def _dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True)


def db_path_from_url(url: str) -> Path:
    if url.startswith("sqlite:///"):
        return Path(url[len("sqlite:///") :])
    if "://" in url:
        raise StoreError(f"{url}: unsupported database URL (use a file path or sqlite:///PATH)")
    return Path(url)


class SQLiteStore:
    """The embedded store.  Open with :func:`open_store`; close with :meth:`close`."""

    def __init__(self, conn: sqlite3.Connection, path: Path) -> None:
        self.conn = conn
        self.path = path

    # -- setup -------------------------------------------------------------
    def init_schema(self) -> None:
        script = resources.files("rasad.store").joinpath("schema.sql").read_text(encoding="utf-8")
        self.conn.executescript(script)
        row = self.conn.execute("SELECT value FROM meta WHERE key='schema_version'").fetchone()
        if row is None:
            with self.transaction():
                self.conn.execute("INSERT INTO meta VALUES ('schema_version', ?)", (SCHEMA_VERSION,))
        elif row[0] != SCHEMA_VERSION:
            raise StoreError(
                f"{self.path}: database schema version {row[0]}, this rasad uses {SCHEMA_VERSION}; "
                "re-run into a new database"
            )

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        self.conn.execute("BEGIN IMMEDIATE")
        try:
            yield self.conn
        except BaseException:
            self.conn.execute("ROLLBACK")
            raise
        self.conn.execute("COMMIT")

    def close(self) -> None:
        self.conn.close()

    # -- runs ----------------------------------------------------------------
    def start_run(self, kb_version: str) -> int:
        with self.transaction():
            cur = self.conn.execute("INSERT INTO runs(started, kb_version) VALUES (?, ?)", (_now(), kb_version))
        return int(cur.lastrowid or 0)

    def finish_run(self, run_id: int, *, read: int, added: int, duplicates: int, skipped: int) -> None:
        with self.transaction():
            self.conn.execute(
                "UPDATE runs SET finished=?, read=?, added=?, duplicates=?, skipped=? WHERE id=?",
                (_now(), read, added, duplicates, skipped, run_id),
            )

    def add_skipped(self, run_id: int, source: str, reason: str) -> None:
        with self.transaction():
            self.conn.execute("INSERT INTO skipped VALUES (?, ?, ?)", (run_id, source, reason))

    # -- articles --------------------------------------------------------------
    def has_article(self, article_id: str) -> bool:
        return self.conn.execute("SELECT 1 FROM articles WHERE id=?", (article_id,)).fetchone() is not None

    def add_article(self, article: Article, *, kb_entities: Mapping[str, Entity], kb_version: str) -> bool:
        """Store one article with its mentions and entities in one transaction.

        Returns False when the article was already stored (only its source is recorded).
        """
        with self.transaction():
            exists = self.has_article(article.id)
            if not exists:
                self._insert_article(article, kb_version)
                for entity in self._entities_of(article, kb_entities):
                    self._upsert_entity(entity, kb_version)
                self.conn.executemany(
                    'INSERT OR IGNORE INTO mentions(article_id, entity_id, start, "end", text, method, sentence) '
                    "VALUES (?, ?, ?, ?, ?, ?, ?)",
                    [(m.article_id, m.entity_id, m.start, m.end, m.text, m.method, m.sentence)
                     for m in article.mentions],
                )
                for relation in article.relations:
                    self._upsert_relation(relation)
                for event in article.events:
                    self._upsert_event(event)
            self.conn.execute(
                "INSERT OR IGNORE INTO article_sources VALUES (?, ?, ?, ?, ?)",
                (article.id, article.source, article.file, article.outlet, article.url),
            )
        return not exists

    @staticmethod
    def _entities_of(article: Article, kb_entities: Mapping[str, Entity]) -> list[Entity]:
        discovered = {e.id: e for e in article.discovered}
        ids = dict.fromkeys(m.entity_id for m in article.mentions)
        return [discovered.get(i) or kb_entities[i] for i in ids]

    def _insert_article(self, a: Article, kb_version: str) -> None:
        self.conn.execute(
            "INSERT INTO articles VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
            (
                a.id, a.file, a.source, a.outlet, a.title, a.published, a.url, a.byline, a.language, a.text,
                _dumps([[p.start, p.end] for p in a.paragraphs]),
                _dumps([[s.start, s.end, s.paragraph] for s in a.sentences]),
                _dumps(list(a.removed)), _dumps(a.metadata), a.story_id, kb_version, _now(),
            ),
        )

    def _upsert_entity(self, e: Entity, kb_version: str) -> None:
        row = self.conn.execute("SELECT extra FROM entities WHERE id=?", (e.id,)).fetchone()
        if row is not None:
            if e.discovered:
                extra = json.loads(row[0])
                extra["evidence"] = extra.get("evidence", []) + list(e.extra.get("evidence", []))
                self.conn.execute("UPDATE entities SET extra=? WHERE id=?", (_dumps(extra), e.id))
            return
        self.conn.execute(
            "INSERT INTO entities VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
            (
                e.id, e.type, e.name_en, e.name_ar, _dumps(list(e.aliases)), e.lat, e.lon, e.country, e.admin1,
                e.wikidata, int(e.discovered), e.feature, e.parent, e.affiliation, _dumps(e.extra),
                None if e.discovered else kb_version,
            ),
        )

    def _upsert_relation(self, relation: Relation) -> None:
        row = self.conn.execute("SELECT data FROM relations WHERE id=?", (relation.id,)).fetchone()
        record = json.loads(row[0]) if row else relation_record(relation)
        if row:
            record["evidence"] = merge_evidence(record["evidence"], relation.evidence)
            record["co_subjects"] = sorted(set(record.get("co_subjects", [])) | set(relation.co_subjects))
        self.conn.execute(
            "INSERT OR REPLACE INTO relations(id, subject, predicate, object, data) VALUES (?, ?, ?, ?, ?)",
            (relation.id, relation.subject, relation.predicate, relation.object, _dumps(record)),
        )

    def _upsert_event(self, event: Event) -> None:
        record = _dumps(event_record(event))
        self.conn.execute("INSERT OR REPLACE INTO events(id, data) VALUES (?, ?)", (event.id, record))

    # -- reading ----------------------------------------------------------------
    def articles(self) -> Iterator[Article]:
        for row in self.conn.execute("SELECT * FROM articles ORDER BY file, id"):
            yield self._article_from_row(row)

    def find_article(self, key: str) -> Article | None:
        """An article by id, id prefix (≥ 6 chars), file name or source path."""
        row = self.conn.execute("SELECT * FROM articles WHERE id=?", (key,)).fetchone()
        if row is None and len(key) >= 6:
            row = self.conn.execute("SELECT * FROM articles WHERE id LIKE ? || '%'", (key,)).fetchone()
        if row is None:
            name = Path(key).name
            row = self.conn.execute(
                "SELECT a.* FROM articles a JOIN article_sources s ON s.article_id=a.id "
                "WHERE s.file=? OR s.source=? ORDER BY a.id LIMIT 1",
                (name, key),
            ).fetchone()
        return None if row is None else self._article_from_row(row)

    def _article_from_row(self, row: sqlite3.Row) -> Article:
        mentions = tuple(
            Mention(r["article_id"], r["entity_id"], r["start"], r["end"], r["text"], r["method"], r["sentence"])
            for r in self.conn.execute(
                'SELECT * FROM mentions WHERE article_id=? ORDER BY start, "end"', (row["id"],)
            )
        )
        return Article(
            id=row["id"], source=row["source"], file=row["file"], text=row["text"], outlet=row["outlet"],
            title=row["title"], published=row["published"], url=row["url"], byline=row["byline"],
            language=row["language"],
            paragraphs=tuple(Span(s, e) for s, e in json.loads(row["paragraphs"])),
            sentences=tuple(Sentence(s, e, p) for s, e, p in json.loads(row["sentences"])),
            removed=tuple(json.loads(row["removed"])), mentions=mentions,
            metadata=json.loads(row["metadata"]), story_id=row["story_id"],
        )

    def entities(self) -> Iterator[Entity]:
        for row in self.conn.execute("SELECT * FROM entities ORDER BY id"):
            yield self._entity_from_row(row)

    @staticmethod
    def _entity_from_row(row: sqlite3.Row) -> Entity:
        return Entity(
            id=row["id"], type=row["type"], name_en=row["name_en"], name_ar=row["name_ar"],
            aliases=tuple(json.loads(row["aliases"])), lat=row["lat"], lon=row["lon"], country=row["country"],
            admin1=row["admin1"], wikidata=row["wikidata"], discovered=bool(row["discovered"]),
            feature=row["feature"], parent=row["parent"], affiliation=row["affiliation"],
            extra=json.loads(row["extra"]) | {"kb_version": row["kb_version"]},
        )

    def table(self, name: str) -> list[dict[str, Any]]:
        if name not in {"relations", "events", "stories", "skipped", "runs", "article_sources"}:
            raise StoreError(f"unknown table {name!r}")
        return [dict(r) for r in self.conn.execute(f"SELECT * FROM {name}")]

    def counts(self) -> dict[str, int]:
        tables = ("articles", "article_sources", "entities", "mentions", "relations", "events", "stories")
        return {t: int(self.conn.execute(f"SELECT COUNT(*) FROM {t}").fetchone()[0]) for t in tables}

    def meta(self) -> dict[str, str]:
        return {r["key"]: r["value"] for r in self.conn.execute("SELECT * FROM meta")}


def evidence_record(evidence: Evidence) -> dict[str, Any]:
    return asdict(evidence)


def merge_evidence(existing: list[dict[str, Any]], new: tuple[Evidence, ...]) -> list[dict[str, Any]]:
    """Evidence of a record seen again: new sentences appended, none twice."""
    seen = {(e["article_id"], e["start"], e["end"]) for e in existing}
    out = list(existing)
    for e in new:
        if (e.article_id, e.start, e.end) not in seen:
            out.append(evidence_record(e))
            seen.add((e.article_id, e.start, e.end))
    return out


def relation_record(relation: Relation) -> dict[str, Any]:
    return {
        "id": relation.id, "subject": relation.subject, "predicate": relation.predicate, "object": relation.object,
        "co_subjects": list(relation.co_subjects),
        "evidence": [evidence_record(e) for e in relation.evidence],
    }


def event_record(event: Event) -> dict[str, Any]:
    record = asdict(event)
    record["assoc_actor_1"] = list(event.assoc_actor_1)
    record["assoc_actor_2"] = list(event.assoc_actor_2)
    record["tags"] = list(event.tags)
    record["evidence"] = [evidence_record(e) for e in event.evidence]
    return record


def open_store(url: str, *, create: bool = True) -> SQLiteStore:
    """Open (and create unless ``create`` is False) the store at ``url``."""
    path = db_path_from_url(url)
    if not create and not path.exists():
        raise StoreError(f"{path}: no such database (run `rasad run ... --db {path}` first)")
    try:
        if create:
            path.parent.mkdir(parents=True, exist_ok=True)
        conn = sqlite3.connect(str(path), isolation_level=None, timeout=30)
        conn.row_factory = sqlite3.Row
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA foreign_keys=ON")
        conn.execute("PRAGMA synchronous=NORMAL")
    except sqlite3.DatabaseError as exc:
        raise StoreError(f"{path}: cannot open database: {exc}") from exc
    store = SQLiteStore(conn, path)
    try:
        store.init_schema()
    except sqlite3.DatabaseError as exc:
        conn.close()
        raise StoreError(f"{path}: not a rasad database: {exc}") from exc
    return store

