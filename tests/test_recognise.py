"""Recognition and linking on a hand-built knowledge base."""

from __future__ import annotations

import itertools

from rasad.extract.recognise import recognise
from rasad.kb.loader import KnowledgeBase
from rasad.model import Article, Entity, Span, article_id
from rasad.text.sentences import split_sentences

_counter = itertools.count()


def _kb(*entities: Entity) -> KnowledgeBase:
    return KnowledgeBase(name=f"test-{next(_counter)}", version="t", entities={e.id: e for e in entities})


ENTITIES = (
    Entity("abu_kamal_town", "place", "Abu Kamal", "البوكمال", ("ألبو كمال", "Al-Bukamal"), feature="town",
           admin1="Deir ez-Zor", country="SY"),
    Entity("dez_gov", "place", "Deir ez-Zor Governorate", "دير الزور", ("ديرالزور",), feature="governorate",
           admin1="Deir ez-Zor", country="SY"),
    Entity("dez_city", "place", "Deir ez-Zor", "دير الزور", ("ديرالزور",), feature="town", admin1="Deir ez-Zor",
           country="SY"),
    Entity("hezbollah", "actor", "Hezbollah", "حزب الله", ("حزب الله اللبناني",)),
    Entity("kh", "actor", "Kata'ib Hezbollah", "كتائب حزب الله", ("حزب الله العراقي",)),
    Entity("quds_force", "actor", "Quds Force", "فيلق القدس", ()),
    Entity("liwa_quds", "actor", "Liwa al-Quds", "لواء القدس", ()),
    Entity("iran", "actor", "Iran", "إيران", ("طهران",)),
    Entity("iran_place", "place", "Iran", "إيران", (), feature="country", country="IR"),
    Entity("russia", "actor", "Russia", "روسيا", ()),
    Entity("dez24", "source", "Deir ez-Zor 24", "دير الزور 24", ()),
    Entity("kafr", "place", "Kafr", "كفر", (), feature="town"),
    Entity("badia", "place", "Syrian Desert", "البادية السورية", ("البادية",), feature="region"),
    Entity("sur", "place", "Sur", "صور", (), feature="subdistrict"),
    Entity("raqqa", "place", "Raqqa", "الرقة", ("رقة",), feature="town"),
)


def _article(text: str) -> Article:
    para = (Span(0, len(text)),)
    return Article(id=article_id(text), source="t", file="t", text=text, paragraphs=para,
                   sentences=split_sentences(text, para))


def _links(text: str) -> list[tuple[str, str]]:
    article = recognise(_article(text), kb=_kb(*ENTITIES))
    for m in article.mentions:
        assert article.text[m.start : m.end] == m.text
    return [(m.text, m.entity_id) for m in article.mentions]


def test_clitics_attached_to_names() -> None:
    links = _links("انتشرت القوات بالبوكمال وللبوكمال ولروسيا وحزب الله")
    assert ("البوكمال", "abu_kamal_town") in links
    assert ("للبوكمال", "abu_kamal_town") in links
    assert ("روسيا", "russia") in links
    assert ("حزب الله", "hezbollah") in links


def test_no_match_inside_a_word() -> None:
    assert _links("كفرنبل والكفرة") == []


def test_longest_match_and_quotes_between_words() -> None:
    links = _links("طردت ميليشيات “فاطميون” و”حزب الله” العراقي وفدا")
    assert links[1] == ("حزب الله” العراقي", "kh")
    assert links[0][0] == "فاطميون" and links[0][1].startswith("d-actor-")


def test_quds_force_vs_liwa_al_quds() -> None:
    links = dict(_links("قائد فيلق القدس التقى عناصر من لواء القدس"))
    assert links == {"فيلق القدس": "quds_force", "لواء القدس": "liwa_quds"}


def test_governorate_vs_city_by_cue() -> None:
    links = _links("في محافظة دير الزور وفي مدينة ديرالزور وريف دير الزور")
    assert [e for _, e in links] == ["dez_gov", "dez_city", "dez_gov"]


def test_state_actor_vs_country_place() -> None:
    links = _links("الميليشيات المتحالفة مع إيران نقلت حجاجا من إيران وحليف طهران")
    assert [e for _, e in links] == ["iran", "iran_place", "iran"]


def test_spelling_variants_and_hamza() -> None:
    links = _links("عند ألبو كمال وفي ألبوكمال")
    assert [e for _, e in links] == ["abu_kamal_town", "abu_kamal_town"]


def test_outlet_with_number() -> None:
    assert _links("حسب شبكة دير الزور 24 الإخبارية") == [("دير الزور 24", "dez24")]


def test_discovered_persons_and_groups() -> None:
    text = ("وقال الناشط الإعلامي سامر الحمدان إن المدعو “أبو جعفر الشمري” قائد ميليشيا “أسود البادية” "
            "زار البوكمال. وأضاف أن أبو جعفر الشمري غادر.")
    article = recognise(_article(text), kb=_kb(*ENTITIES))
    found = {e.name_ar: e.type for e in article.discovered}
    assert found == {"سامر الحمدان": "person", "أبو جعفر الشمري": "person", "أسود البادية": "actor"}
    shamri = next(e for e in article.discovered if e.name_ar == "أبو جعفر الشمري")
    assert sum(m.entity_id == shamri.id for m in article.mentions) == 2
    assert all(e.discovered and e.name_en for e in article.discovered)


def test_discovery_ignores_common_words_after_cues() -> None:
    article = recognise(_article("وقال القيادي في الميليشيا ذاتها إن الوضع هادئ."), kb=_kb(*ENTITIES))
    assert article.discovered == ()


def test_quoted_group_name_wins_over_a_place_inside_it() -> None:
    article = recognise(_article("هاجمت ميليشيا “أسود البادية” مواقع في البادية"), kb=_kb(*ENTITIES))
    assert [e.name_ar for e in article.discovered] == ["أسود البادية"]
    assert [m.text for m in article.mentions] == ["أسود البادية", "البادية"]


def test_common_words_are_not_places() -> None:
    assert _links("نشرت صور جديدة وسلم ورقة للمراجع في الرقة") == [("الرقة", "raqqa")]


def test_byline_author_discovered_and_author_location_dropped() -> None:
    text = "عنوان الخبر\n\nسامي المحمد من البوكمال\n\nانتشرت القوات في البوكمال."
    paras = (Span(0, 11), Span(13, 36), Span(38, len(text)))
    article = Article(id=article_id(text), source="t", file="t", text=text, paragraphs=paras,
                      sentences=split_sentences(text, paras), byline="سامي المحمد من البوكمال")
    out = recognise(article, kb=_kb(*ENTITIES))
    assert [e.name_ar for e in out.discovered] == ["سامي المحمد"]
    places = [m for m in out.mentions if m.entity_id == "abu_kamal_town"]
    assert len(places) == 1 and places[0].start > 36


def test_unquoted_unit_word_names_a_group() -> None:
    article = recognise(_article("انتشر عناصر من فوج المغاوير قرب البوكمال"), kb=_kb(*ENTITIES))
    assert [(e.name_ar, e.type) for e in article.discovered] == [("فوج المغاوير", "actor")]


def test_unquoted_unit_word_followed_by_common_words_is_not_a_name() -> None:
    article = recognise(_article("وصلت كتيبة من القوات إلى المدينة"), kb=_kb(*ENTITIES))
    assert article.discovered == ()


def test_cue_name_that_the_knowledge_base_knows_links_to_it() -> None:
    subhan = Entity("subhan", "person", "Subhan the Afghan", "سبحان الأفغاني", ("سبحان",))
    kb = _kb(*ENTITIES, subhan)
    article = recognise(_article("وقيادي من الميليشيا يدعى سبحان أثناء الزيارة"), kb=kb)
    assert article.discovered == ()
    assert [(m.text, m.entity_id, m.method) for m in article.mentions] == [("سبحان", "subhan", "cue")]


def test_find_hits_keeps_exactly_what_accept_hit_accepts() -> None:
    """find_hits inlines accept_hit's checks for speed; both must agree on every automaton match."""
    from pathlib import Path

    from rasad.extract.lexicon import load_lexicon
    from rasad.extract.mentions import accept_hit, find_hits
    from rasad.kb import load_kb
    from rasad.kb.index import build_index
    from rasad.text.normalize import normalize_text

    kb = load_kb()
    index, lexicon = build_index(kb), load_lexicon()
    corpus = Path(__file__).resolve().parents[1] / "examples" / "corpus"
    texts = [normalize_text(p.read_text(encoding="utf-8")) for p in sorted(corpus.glob("*.txt"))]
    texts += ["وبالبوكمال", "لالبوكمال", "صور", "ورقه", "البوكمالي", "كالبوكمال في", "فلبوكمال"]
    for text in texts:
        expected = []
        for end_incl, entry in index.automaton.iter(text):
            common = index.common_words if entry.key in index.gazetteer_keys else frozenset()
            hit = accept_hit(text, end_incl, entry, lexicon, common)
            if hit is not None:
                expected.append(hit)
        assert find_hits(text, index, lexicon) == expected
    assert any(find_hits(t, index, lexicon) for t in texts)
