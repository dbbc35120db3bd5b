"""Event kinds, fields and merging on sentences written for the tests."""

from __future__ import annotations

import itertools

import pytest
import yaml

from rasad.extract.event_fields import normalized_between
from rasad.extract.events import extract_events, load_event_lexicon
from rasad.extract.recognise import recognise
from rasad.extract.view import build_view
from rasad.kb.loader import KnowledgeBase
from rasad.model import Article, Entity, Event, Span, article_id
from rasad.text.normalize import normalize_text
from rasad.text.sentences import split_sentences

_n = itertools.count()

ENTITIES = {
    e.id: e
    for e in (
        Entity("guard", "actor", "Revolutionary Guard", "الحرس الثوري", feature="armed_forces"),
        Entity("baqir", "actor", "Liwa al-Baqir", "لواء الباقر", feature="militia"),
        Entity("sdf", "actor", "SDF", "قسد", ("قوات سوريا الديمقراطية",), feature="militia"),
        Entity("isis", "actor", "Islamic State", "تنظيم داعش", ("داعش",), feature="jihadist_group"),
        Entity("regime", "actor", "Regime forces", "قوات النظام", feature="state"),
        Entity("coalition", "actor", "Coalition", "التحالف الدولي", feature="coalition"),
        Entity("omar", "person", "Omar Saleh", "عمر الصالح", feature="commander"),
        Entity("mayadin", "place", "Al-Mayadin", "الميادين", feature="town", country="SY", lat=35.02, lon=40.45),
        Entity("dhiban", "place", "Dhiban", "ذيبان", feature="town", country="SY", lat=35.0, lon=40.5),
        Entity("dez", "place", "Deir ez-Zor Governorate", "محافظة دير الزور", feature="governorate", country="SY",
               lat=35.1, lon=40.2),
        Entity("field", "facility", "Al-Omar field", "حقل العمر", feature="oil_field", extra={"near": "dez"}),
    )
}


def _events(text: str, published: str = "2024-03-14") -> list[Event]:
    kb = KnowledgeBase(name=f"ev-{next(_n)}", version="t", entities=ENTITIES)
    paras = []
    pos = 0
    for para in text.split("\n\n"):
        paras.append(Span(pos, pos + len(para)))
        pos += len(para) + 2
    article = Article(id=article_id(text), source="t", file="t", text=text, paragraphs=tuple(paras),
                      sentences=split_sentences(text, tuple(paras)), outlet="Test", published=published)
    article = recognise(article, kb=kb)
    return list(extract_events(build_view(article, kb.entities), kb.entities))


def test_taxonomy_has_all_acled_types() -> None:
    lexicon = load_event_lexicon()
    assert {k.event_type for k in lexicon.kinds} == {
        "Battles", "Explosions/Remote violence", "Violence against civilians", "Protests", "Riots",
        "Strategic developments"}
    from importlib import resources
    data = yaml.safe_load(resources.files("rasad.extract").joinpath("data/events.yaml").read_text(encoding="utf-8"))
    assert sum(len(v) for v in data["acled_types"].values()) == 25


@pytest.mark.parametrize(
    ("text", "event_type", "sub"),
    [
        ("استهدفت طائرات مسيرة مواقع لواء الباقر في الميادين.", "Explosions/Remote violence", "Air/drone strike"),
        ("سقطت قذائف على أطراف ذيبان مصدرها مناطق قوات النظام.", "Explosions/Remote violence",
         "Shelling/artillery/missile attack"),
        ("انفجرت عبوة ناسفة بسيارة تابعة لقسد في ذيبان.", "Explosions/Remote violence",
         "Remote explosive/landmine/IED"),
        ("اندلعت اشتباكات بين قسد وخلايا داعش في ذيبان.", "Battles", "Armed clash"),
        ("شنت قسد حملة اعتقالات في ذيبان طالت عشرة أشخاص.", "Strategic developments", "Arrests"),
        ("صادرت عناصر لواء الباقر منازل المهجرين في الميادين.", "Strategic developments",
         "Looting/property destruction"),
        ("زار عمر الصالح مقرات لواء الباقر في الميادين.", "Strategic developments", "Other"),
        ("أجرت قوات التحالف الدولي مناورات عسكرية قرب حقل العمر.", "Strategic developments", "Other"),
        ("خرج العشرات في مظاهرة وسط الميادين للمطالبة بالإفراج عن المعتقلين.", "Protests", "Peaceful protest"),
        ("اختطف مسلحون مدنيا من أهالي ذيبان.", "Violence against civilians", "Abduction/forced disappearance"),
        ("أعادت قوات النظام انتشارها في ريف الميادين ضمن إعادة نشر جديدة.", "Strategic developments",
         "Change to group/activity"),
    ],
)
def test_kinds(text: str, event_type: str, sub: str) -> None:
    events = _events(text)
    assert [(e.event_type, e.sub_event_type) for e in events] == [(event_type, sub)]


def test_attack_roles_location_and_fatalities() -> None:
    (event,) = _events("استهدفت غارة جوية مواقع لواء الباقر في الميادين، ما أدى إلى مقتل خمسة عناصر.")
    assert event.actor1 is None and event.actor2 == "baqir"
    assert (event.location, event.geo_precision, event.latitude) == ("mayadin", 1, 35.02)
    assert event.fatalities == 5
    assert "Liwa al-Baqir" in event.notes and "Al-Mayadin" in event.notes


def test_blocked_trigger_is_not_an_event() -> None:
    assert _events("تلجأ الميليشيات إلى الحافلات المدنية لتفادي الغارات الجوية على طريق الميادين.") == []


def test_facility_without_coordinates_takes_its_container() -> None:
    (event,) = _events("أجرت قوات التحالف الدولي مناورات عسكرية في حقل العمر.")
    assert (event.location, event.latitude, event.geo_precision) == ("field", 35.1, 3)
    assert event.actor1 == "coalition" and "exercise" in event.tags


def test_same_event_in_two_sentences_is_merged() -> None:
    text = "استعرضت ميليشيا لواء الباقر قواتها في الميادين. وشارك في الاستعراض عمر الصالح."
    (event,) = _events(text)
    assert len(event.evidence) == 2 and event.actor1 == "baqir" and "omar" in event.assoc_actor_1


def test_no_date_cue_takes_publication_date_with_week_precision() -> None:
    (event,) = _events("شنت قسد حملة اعتقالات في ذيبان.", published="2024-03-14")
    assert (event.event_date, event.time_precision) == ("2024-03-14", 2)


def test_date_in_sentence() -> None:
    (event,) = _events("شنت قسد يوم أمس الأربعاء حملة اعتقالات في ذيبان.", published="2024-03-14")
    assert (event.event_date, event.time_precision) == ("2024-03-13", 1)


def test_evidence_certainty() -> None:
    (event,) = _events("ويعتقد ناشطون أن طائرات مجهولة الهوية قصفت مواقع لواء الباقر في الميادين.")
    assert event.evidence[0].certainty == "believed" and event.evidence[0].attributed_to == "activist"
    assert "unidentified perpetrator" in event.tags


def test_normalized_between_is_the_normalised_slice() -> None:
    text = "قُتِلَ  «خمسةُ»\tعناصرَ في إدلب  ـــ أمس.\n\nوأُصيبَ  آخرون\u200f في  الميادين. "
    article = Article(id="n", source="t", file="t", text=text)
    view = build_view(article, {})
    for start in range(len(text) + 1):
        for end in range(start, len(text) + 1):
            assert normalized_between(view, start, end).strip() == normalize_text(text[start:end]), (start, end)
