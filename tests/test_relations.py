"""Relation cue families on sentences written for the tests (hand-built knowledge base)."""

from __future__ import annotations

import itertools
import re

import pytest

from rasad.extract.recognise import recognise
from rasad.extract.relations import extract_relations, relation_cue_index
from rasad.extract.view import build_view, word_starts
from rasad.kb.loader import KnowledgeBase
from rasad.model import Article, Entity, Span, article_id
from rasad.text.normalize import normalize, normalize_text
from rasad.text.sentences import split_sentences

_n = itertools.count()

ENTITIES = {
    e.id: e
    for e in (
        Entity("guard", "actor", "Revolutionary Guard", "الحرس الثوري", feature="armed_forces"),
        Entity("qf", "actor", "Quds Force", "فيلق القدس", feature="formation", parent="guard"),
        Entity("baqir", "actor", "Liwa al-Baqir", "لواء الباقر", feature="militia"),
        Entity("ndf", "actor", "National Defence Forces", "الدفاع الوطني", ("قوات الدفاع الوطني",), feature="militia"),
        Entity("kh", "actor", "Kata'ib Hezbollah", "حزب الله العراقي", feature="militia"),
        Entity("nujaba", "actor", "Nujaba", "حركة النجباء", feature="militia"),
        Entity("russia", "actor", "Russia", "روسيا", feature="state"),
        Entity("regime", "actor", "Regime forces", "قوات النظام", feature="state"),
        Entity("sdf", "actor", "SDF", "قسد", feature="militia"),
        Entity("div4", "actor", "4th Division", "الفرقة الرابعة", feature="formation", parent="regime"),
        Entity("omar", "person", "Omar Saleh", "عمر الصالح", feature="commander"),
        Entity("hadi", "person", "Hadi Karim", "هادي الكريم", feature="commander"),
        Entity("mayadin", "place", "Al-Mayadin", "الميادين", feature="town", country="SY"),
        Entity("dez", "place", "Deir ez-Zor Governorate", "محافظة دير الزور", feature="governorate", country="SY"),
        Entity("bridge", "facility", "Al-Jisr crossing", "معبر الجسر", feature="crossing"),
        Entity("syria", "place", "Syria", "سوريا", feature="country", country="SY"),
    )
}


def _relations(text: str) -> set[tuple[str, str, str]]:
    kb = KnowledgeBase(name=f"rel-{next(_n)}", version="t", entities=ENTITIES)
    para = (Span(0, len(text)),)
    article = Article(id=article_id(text), source="t", file="t", text=text, paragraphs=para,
                      sentences=split_sentences(text, para), outlet="Test")
    article = recognise(article, kb=kb)
    found = extract_relations(build_view(article, kb.entities), kb.entities)
    return {(r.subject, r.predicate, r.object) for r in found}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("انتشر عناصر لواء الباقر الذي يدعمه الحرس الثوري قرب المدينة.", ("baqir", "backed_by", "guard")),
        ("هاجمت خلايا حركة النجباء المدعومة من روسيا نقطة عسكرية.", ("nujaba", "backed_by", "russia")),
        ("تعتبر ميليشيا الدفاع الوطني من الفصائل التي أسست بإشراف قيادة الحرس الثوري.", ("ndf", "backed_by", "guard")),
        ("وصل رتل لحركة النجباء المتحالفة مع حزب الله العراقي إلى المدينة.", ("nujaba", "allied_with", "kh")),
        ("قال إن عمر الصالح قائد لواء الباقر غادر المنطقة.", ("omar", "leads", "baqir")),
        ("التقى قائد ميليشيا الدفاع الوطني المدعو عمر الصالح بوجهاء العشائر.", ("omar", "leads", "ndf")),
        ("اعتقلت الدورية هادي الكريم القيادي في حركة النجباء.", ("hadi", "member_of", "nujaba")),
        ("باتت قوات النظام تسيطر على مدينة الميادين بالكامل.", ("regime", "controls", "mayadin")),
        ("أغلق معبر الجسر المسيطر عليه من قبل قسد أمام الشاحنات.", ("sdf", "controls", "bridge")),
        ("كلفت قيادة الحرس الثوري حزب الله العراقي بالإشراف على معبر الجسر.", ("kh", "controls", "bridge")),
        ("عناصر من حركة النجباء يتمركزون في الميادين منذ أشهر.", ("nujaba", "present_in", "mayadin")),
        ("استعرضت ميليشيا الدفاع الوطني قواتها في مدينة الميادين.", ("ndf", "present_in", "mayadin")),
        ("عادت الفرقة الرابعة التابعة لقوات النظام إلى مواقعها.", ("div4", "part_of", "regime")),
        ("انتشر عناصر لواء الباقر التابع للحرس الثوري في الأحياء.", ("baqir", "backed_by", "guard")),
        ("ظهر قائد فيلق القدس في الحرس الثوري خلال الزيارة.", ("qf", "part_of", "guard")),
        ("قامت حركة النجباء بطرد عناصر لواء الباقر من البلدة.", ("nujaba", "opposes", "baqir")),
        ("تقع الميادين في محافظة دير الزور شرق البلاد.", ("mayadin", "located_in", "dez")),
    ],
)
def test_cue_family(text: str, expected: tuple[str, str, str]) -> None:
    assert expected in _relations(text)


def test_coordinated_subjects_make_one_claim() -> None:
    kb = KnowledgeBase(name=f"rel-{next(_n)}", version="t", entities=ENTITIES)
    text = "كلفت القيادة حركة النجباء وحزب الله العراقي بالإشراف على معبر الجسر."
    para = (Span(0, len(text)),)
    article = recognise(Article(id=article_id(text), source="t", file="t", text=text, paragraphs=para,
                                sentences=split_sentences(text, para)), kb=kb)
    (relation,) = [r for r in extract_relations(build_view(article, kb.entities), kb.entities)
                   if r.predicate == "controls"]
    assert (relation.subject, relation.co_subjects, relation.object) == ("nujaba", ("kh",), "bridge")


@pytest.mark.parametrize(
    "text",
    [
        "انسحبت قوات النظام والميليشيات الموالية لروسيا من الحي.",  # the cue belongs to the unnamed militias
        "تنتشر حركة النجباء في سوريا منذ سنوات.",  # a country is not a presence worth a relation
        "قال إن عمر الصالح أمر جميع قادة الفصائل بالانسحاب.",  # plural commanders are not membership
    ],
)
def test_no_relation(text: str) -> None:
    assert not {r for r in _relations(text) if r[1] in ("backed_by", "present_in", "member_of")}


def test_evidence_carries_attribution() -> None:
    kb = KnowledgeBase(name=f"rel-{next(_n)}", version="t", entities=ENTITIES)
    text = "وقالت مصادر محلية إن قوات النظام تسيطر على الميادين. ويعتقد أن لواء الباقر يتمركز في الميادين."
    para = (Span(0, len(text)),)
    article = recognise(Article(id=article_id(text), source="t", file="t", text=text, paragraphs=para,
                                sentences=split_sentences(text, para), outlet="Test"), kb=kb)
    found = {r.predicate: r.evidence[0] for r in extract_relations(build_view(article, kb.entities), kb.entities)}
    assert (found["controls"].attributed_to, found["controls"].certainty) == ("local sources", "reported")
    assert found["present_in"].certainty == "believed"
    assert text[found["controls"].start : found["controls"].end] == found["controls"].text


# -- the shared article view's fast paths agree with the plain definitions ------------------------

_SAMPLES = (
    "",
    "قوات النظام",
    "  وقالت مصادر محلية:  إن «لواء الباقر» التابع للحرس الثوري\n\nيتمركز في الميادين…",
    "الحرسُ الثوريّ الإيرانيّ ـ قوّات ٢٠٢٤ و_underscore_ ABC def 12,5 😀 بعد",
    "x\u200cy\u200fz   \t  ؟!",
)


@pytest.mark.parametrize("text", _SAMPLES)
def test_word_starts_match_the_word_regex(text: str) -> None:
    assert word_starts(text) == tuple(m.start() for m in re.finditer(r"[^\W_]+", text))


@pytest.mark.parametrize("text", _SAMPLES)
def test_normalized_slice_matches_normalize_text(text: str) -> None:
    para = (Span(0, len(text)),)
    article = Article(id=article_id(text or "empty"), source="t", file="t", text=text, paragraphs=para,
                      sentences=split_sentences(text, para))
    view = build_view(article, {})
    for start in range(len(text) + 1):
        for end in range(start, len(text) + 1):
            assert view.normalized_between(start, end) == normalize_text(text[start:end])


def test_cue_spans_match_found_cues() -> None:
    index = relation_cue_index()
    norm = normalize("عادت الفرقة الرابعة التابعة لقوات النظام، وحركة النجباء المتحالفة مع حزب الله إلى المدينة.")
    found = [(c.name, c.span.start, c.span.end) for c in index.find(norm)]
    assert found and index.spans(norm) == found
