"""The NER stage in the pipeline: new names become discovered entities, knowledge-base links stay as they were."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from pathlib import Path

from rasad.evaluate import evaluate, load_gold
from rasad.export import build_export
from rasad.ingest import IngestOptions, iter_documents
from rasad.kb import load_kb
from rasad.kb.index import build_index
from rasad.model import Article, RawDoc, Skipped
from rasad.ner.integrate import (
    NerOptions,
    add_model_entities,
    entity_name,
    ner_stage,
    partly_quoted,
    tokenize,
    trim_clitics,
)
from rasad.ner.model import TaggedTokens
from rasad.pipeline import DEFAULT_STAGES, Pipeline, Stage, process_stream
from rasad.store import open_store
from rasad.text.normalize import normalize_text

from .conftest import EXAMPLES

# Written for this test; the names are not in the knowledge base (checked below).
TEXT = (
    "وزار وزير الزراعة العراقي حسين الكعبي محافظة الأنبار أمس الثلاثاء، والتقى عددا من المزارعين.\n\n"
    "وأعلنت جبهة الخلاص الوطني سيطرتها على التلال المحيطة بالطريق الدولي.\n\n"
    "وتحدثت التقارير عن انفجار في منطقة بيلاوا شرق البوكمال، فيما هاجم مسلحون بلدة كفرنبودة في ريف حماة.\n\n"
    "ووصل الوفد إلى مدينة بيشاور الباكستانية قادما من دير الزور.\n"
)
NEW_NAMES = {"حسين الكعبي": "person", "جبهة الخلاص الوطني": "actor", "بيلاوا": "place", "كفرنبودة": "place",
             "بيشاور": "place"}
ENTITY_PRECISION_FLOOR = 0.90
ENTITY_RECALL_FLOOR = 0.95


def _stages() -> tuple[Stage, ...]:
    base = [s for s in DEFAULT_STAGES if s.name != "ner"]
    at = next(i for i, s in enumerate(base) if s.name == "recognise") + 1
    return (*base[:at], ner_stage(), *base[at:])


def _process(text: str, stages: Sequence[Stage]) -> Article:
    raw = RawDoc(source="ner-test.txt", file="ner-test.txt", text=text, outlet="Test", published="2024-05-01")
    return Pipeline.build(stages).process(raw, load_kb())


def test_new_names_become_discovered_entities() -> None:
    kb = load_kb()
    candidates = build_index(kb).candidates
    assert not any(normalize_text(n) in candidates for n in NEW_NAMES)
    article = _process(TEXT, _stages())
    found = {e.name_ar: e for e in article.discovered}
    for name, kind in NEW_NAMES.items():
        assert name in found, sorted(found)
        assert found[name].type == kind and found[name].discovered
        assert found[name].extra["cue"] == "ner"
    for m in article.mentions:
        assert article.text[m.start : m.end] == m.text
    ner_ids = {m.entity_id for m in article.mentions if m.method == "ner"}
    assert {found[n].id for n in NEW_NAMES} <= ner_ids


def test_places_are_anchored_to_the_place_that_locates_them() -> None:
    kb = load_kb()
    found = {e.name_ar: e for e in _process(TEXT, _stages()).discovered}
    near_town = found["بيلاوا"]  # شرق البوكمال: a town
    assert near_town.extra["geo_precision"] == 2
    anchor = kb.entities[near_town.extra["anchor"]]
    assert anchor.name_en == "Abu Kamal" and (near_town.lat, near_town.lon) == (anchor.lat, anchor.lon)
    in_region = found["كفرنبودة"]  # في ريف حماة: a governorate
    assert in_region.extra["geo_precision"] == 3
    assert kb.entities[in_region.extra["anchor"]].feature == "governorate"
    far = found["بيشاور"]  # "قادما من دير الزور" does not say where Peshawar is
    assert far.lat is None and "anchor" not in far.extra


def test_knowledge_base_links_are_untouched() -> None:
    without = _process(TEXT, [s for s in DEFAULT_STAGES if s.name != "ner"])
    with_ner = _process(TEXT, _stages())
    kb_before = [(m.start, m.end, m.entity_id) for m in without.mentions]
    kb_after = [(m.start, m.end, m.entity_id) for m in with_ner.mentions if m.method != "ner"]
    assert kb_before == kb_after and kb_before


class FakeTagger:
    """Tags given words with fixed labels and probabilities."""

    name = "fake"

    def __init__(self, labels: dict[str, tuple[str, float]]) -> None:
        self.labels = labels

    def tag(self, tokens: Sequence[str], *, confidence: bool = True) -> TaggedTokens:
        tags: list[str] = []
        probs: list[float] = []
        for token in tokens:
            label, prob = self.labels.get(token, ("O", 1.0))
            inside = label != "O" and bool(tags) and tags[-1] != "O" and tags[-1][2:] == label
            tags.append("O" if label == "O" else ("I-" if inside else "B-") + label)
            probs.append(prob)
        return TaggedTokens(tuple(tags), tuple(probs))

    def tag_document(self, sentences: Sequence[Sequence[str]], *, confidence: bool = True,
                     window: int | None = None) -> list[TaggedTokens]:
        return [self.tag(tokens, confidence=confidence) for tokens in sentences]


def _article(text: str) -> Article:
    return _process(text, [s for s in DEFAULT_STAGES if s.name != "ner"])


def test_conservative_choices() -> None:
    kb = load_kb()
    article = _article("وقالت منظمة نسيم الخير إن الطبيب مازن دعبول زار تدمر والتقى سكان الحي. وصل كتاب جديد.\n")
    tagger = FakeTagger({
        "نسيم": ("ORG", 0.99), "الخير": ("ORG", 0.99),  # an organisation with no armed-group word: a source
        "مازن": ("PERS", 0.6), "دعبول": ("PERS", 0.6),  # below the confidence threshold
        "تدمر": ("PERS", 0.99),  # a knowledge-base place: the kb mention wins
        "الحي": ("LOC", 0.99),  # a common word
        "كتاب": ("MISC", 0.99),  # MISC is not an entity type of the knowledge base
    })
    out = add_model_entities(article, kb=kb, tagger=tagger, options=NerOptions())
    names = {e.name_ar: e.type for e in out.discovered if e.extra.get("cue") == "ner"}
    assert names == {"نسيم الخير": "source"}
    assert [m.entity_id for m in out.mentions if m.text == "تدمر"] == [
        m.entity_id for m in article.mentions if m.text == "تدمر"
    ]
    lowered = add_model_entities(article, kb=kb, tagger=tagger, options=NerOptions(min_confidence=0.5))
    assert "مازن دعبول" in {e.name_ar for e in lowered.discovered}


def test_armed_group_words_make_an_actor() -> None:
    article = _article("وهاجمت ميليشيا الفجر الجديد مواقع في المنطقة.\n")
    tagger = FakeTagger({"الفجر": ("ORG", 0.99), "الجديد": ("ORG", 0.99)})
    out = add_model_entities(article, kb=load_kb(), tagger=tagger)
    kinds = {e.name_ar: e.type for e in out.discovered}
    assert kinds.get("الفجر الجديد") == "actor", kinds


def test_span_helpers() -> None:
    from rasad.extract.lexicon import load_lexicon
    from rasad.ner.integrate import ModelSpan

    text = "ووصل وفد إلى بيشاور وللحرس وبالميادين ووليد “نهر ميديا” المحلية"
    assert [t.text for t in tokenize("قال: “سمير”، 12.5")] == ["قال", ":", "“", "سمير", "”", "،", "12.5"]

    def trimmed(word: str) -> str:
        start = text.index(word)
        span = trim_clitics(text, ModelSpan(start, start + len(word), "ORG", 1.0, 1), load_lexicon())
        return text[span.start : span.end]

    assert trimmed("وللحرس") == "للحرس"  # ل + ال with the alef unwritten: the name is الحرس
    assert entity_name("للحرس الثوري") == "الحرس الثوري"
    assert trimmed("وبالميادين") == "الميادين"
    assert trimmed("ووليد") == "وليد"
    inner = text.index("ميديا")
    assert partly_quoted(text, inner, inner + 5)
    whole = text.index("نهر")
    assert not partly_quoted(text, whole, inner + 5)


def _run(paths: list[Path], db: Path, stages: Sequence[Stage]) -> tuple[dict[str, object], list[Article]]:
    kb = load_kb()
    store = open_store(str(db))
    articles: list[Article] = []
    try:
        store.start_run(kb.version)
        docs = iter_documents(paths, options=IngestOptions())
        for item in process_stream(docs, kb, pipeline=Pipeline.build(stages)):
            if not isinstance(item, Skipped):
                store.add_article(item, kb_entities=kb.entities, kb_version=kb.version)
                articles.append(item)
        return build_export(store), articles
    finally:
        store.close()


def _ner_entities(articles: list[Article]) -> set[str]:
    return {e.id for a in articles for e in a.discovered if e.extra.get("cue") == "ner"}


def test_seed_entity_gate_holds_with_the_ner_stage(tmp_path: Path, seeds_dir: Path, gold_file: Path) -> None:
    export, articles = _run([seeds_dir], tmp_path / "seeds.db", _stages())
    report = evaluate(export, load_gold(gold_file))
    assert report.entities.precision >= ENTITY_PRECISION_FLOOR, report.false_positives["entities"]
    assert report.entities.recall >= ENTITY_RECALL_FLOOR, report.misses["entities"]
    assert len(_ner_entities(articles)) <= 3


def test_examples_gain_persons_from_the_model(tmp_path: Path) -> None:
    _, articles = _run([EXAMPLES], tmp_path / "examples.db", _stages())
    found = {e.name_ar: e.type for a in articles for e in a.discovered if e.extra.get("cue") == "ner"}
    assert found.get("فارس سلمان الراوي") == "person", found
    for article in articles:
        for m in article.mentions:
            assert article.text[m.start : m.end] == m.text
    assert all(dataclasses.is_dataclass(a) for a in articles)
