"""Helpers shared by the storage, search and crash tests: backends, hand-built records, corpus databases."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from rasad.kb import load_kb
from rasad.model import Article, Entity, Event, Evidence, Mention, Relation, Sentence, Span, article_id
from rasad.runner import run_paths
from rasad.store import open_store

from .conftest import EXAMPLES, SEEDS
from .pg_server import database_url

KINDS = ("sqlite", "postgres")

KB: dict[str, Entity] = {
    "raqqa": Entity("raqqa", "place", "Raqqa", "الرقة", aliases=("الرقه", "Raqqah"), lat=35.9528, lon=39.0079),
    "sdf": Entity("sdf", "actor", "Syrian Democratic Forces", "قوات سوريا الديمقراطية", aliases=("قسد", "SDF")),
    "isis": Entity("isis", "actor", "Islamic State", "تنظيم الدولة", aliases=("داعش", "ISIS")),
    "coalition": Entity("coalition", "actor", "International coalition", "التحالف الدولي"),
}
KB_VERSION = "test-1"


def at(text: str, word: str) -> Span:
    start = text.index(word)
    return Span(start, start + len(word))


def make_article(
    text: str, *, file: str, outlet: str = "Test Outlet", published: str = "2024-03-14", title: str | None = None,
    source: str | None = None, kb: dict[str, Entity] | None = None,
) -> Article:
    """An article with its mentions of the test knowledge base (every alias found in the text)."""
    aid = article_id(text)
    mentions = []
    for entity in (kb or KB).values():
        for name in (entity.name_ar, *entity.aliases):
            if name in text:
                span = at(text, name)
                mentions.append(Mention(aid, entity.id, span.start, span.end, name))
    return Article(
        id=aid, source=source or f"/in/{file}", file=file, text=text, outlet=outlet, title=title,
        published=published, paragraphs=(Span(0, len(text)),), sentences=(Sentence(0, len(text), 0),),
        mentions=tuple(sorted(mentions, key=lambda m: (m.start, m.end, m.entity_id))),
    )


def evidence(article: Article, word: str) -> Evidence:
    span = at(article.text, word)
    return Evidence(article.id, span.start, span.end, word, attributed_to=article.outlet, outlet=article.outlet)


def with_records(article: Article, *, relation_word: str, event_word: str, co: tuple[str, ...] = ()) -> Article:
    """The article stating "sdf opposes isis" and a clash in Raqqa (plus a discovered commander)."""
    relation = Relation("r-sdf-opposes-isis", "sdf", "opposes", "isis", (evidence(article, relation_word),), co)
    event = Event(
        id=f"e-{article.id[:12]}", event_type="Battles", sub_event_type="Armed clash",
        event_date=article.published, time_precision=1, location="raqqa", latitude=35.9528, longitude=39.0079,
        geo_precision=1, actor1="sdf", actor2="isis", fatalities=2, tags=("clash",),
        evidence=(evidence(article, event_word),),
    )
    commander = Entity("d-abu-khalid", "person", "Abu Khalid", "أبو خالد", discovered=True,
                       extra={"cue": "المدعو", "evidence": [{"article_id": article.id, "start": 0, "end": 5}]})
    mentions = article.mentions
    if "أبو خالد" in article.text:
        span = at(article.text, "أبو خالد")
        mentions = (*mentions, Mention(article.id, commander.id, span.start, span.end, "أبو خالد", "discovered"))
    return dataclasses.replace(article, relations=(relation,), events=(event,), discovered=(commander,),
                               mentions=mentions)


TEXT_1 = "اشتبكت قسد مع خلايا داعش في ريف الرقة الشرقي، وقتل عنصران بحسب المدعو أبو خالد."
TEXT_2 = "قالت مصادر محلية إن قوات سوريا الديمقراطية هاجمت مواقع لتنظيم الدولة بالرقه وأن أبو خالد قاد الهجوم."


def two_articles() -> tuple[Article, Article]:
    a1 = with_records(make_article(TEXT_1, file="a1.txt", outlet="Outlet A", published="2024-03-14",
                                   title="اشتباكات في الرقة"), relation_word="اشتبكت", event_word="اشتبكت",
                      co=("coalition",))
    a2 = with_records(make_article(TEXT_2, file="b2.txt", outlet="Outlet B", published="2024-03-15"),
                      relation_word="هاجمت", event_word="هاجمت")
    return a1, a2


def fresh_url(kind: str, tmp: Path) -> str:
    return database_url(kind, tmp)


# -- the example corpus (and the seeds, when present) stored once per backend ---------------------------
_CORPUS: dict[str, str] = {}


def corpus_paths() -> list[Path]:
    return [SEEDS, EXAMPLES] if SEEDS.is_dir() else [EXAMPLES]


def corpus_url(kind: str, factory: pytest.TempPathFactory) -> str:
    """A database of ``kind`` holding the corpus (built on first use, then shared: do not write to it)."""
    if kind not in _CORPUS:
        url = database_url(kind, factory.mktemp(f"corpus-{kind}"))
        store = open_store(url)
        try:
            run_paths(corpus_paths(), store=store, kb=load_kb())
        finally:
            store.close()
        _CORPUS[kind] = url
    return _CORPUS[kind]
