"""Clean stage on hand-built pages (our own text) and on the real seed articles."""

from __future__ import annotations

import pytest

from rasad.model import RawDoc
from rasad.text.clean import MAX_KEYS, MAX_TOTAL_KEYS, LineStats, clean, observed_lines, split_lines, why_unusable
from rasad.text.sentences import split_sentences

PAGE = """Facebook
Twitter
سياسة
تعزيزات جديدة لقوات النظام في الميادين

خاص - موقع المثال

وصلت تعزيزات عسكرية جديدة إلى مدينة الميادين صباح اليوم، وفق ما أفاد به مراسلنا.

صورة لعناصر من قوات النظام على مدخل المدينة.

صورة لعناصر من قوات النظام على مدخل المدينة.

وقال مصدر محلي إن الرتل ضم عشرات الآليات. وأضاف أن الانتشار شمل الأحياء الشرقية!

اقرأ أيضاً
عنوان خبر آخر
عنوان ثالث

جميع الحقوق محفوظة © 2024
"""


def _doc(text: str, title: str | None = "تعزيزات جديدة لقوات النظام في الميادين", outlet: str = "x") -> RawDoc:
    return RawDoc(source="page.txt", file="page.txt", text=text, title=title, outlet=outlet)


def test_furniture_removed_and_content_kept() -> None:
    article = clean(_doc(PAGE))
    assert "Facebook" not in article.text and "سياسة" not in article.text
    assert "اقرأ" not in article.text and "عنوان خبر آخر" not in article.text
    assert "جميع الحقوق" not in article.text
    assert "وصلت تعزيزات عسكرية جديدة" in article.text
    assert article.text.count("صورة لعناصر من قوات النظام") == 1
    assert article.text.startswith("تعزيزات جديدة لقوات النظام في الميادين")
    assert article.byline == "خاص - موقع المثال"


def test_paragraph_spans_match_text() -> None:
    article = clean(_doc(PAGE))
    pieces = [article.text[p.start : p.end] for p in article.paragraphs]
    assert "\n\n".join(pieces) == article.text


def test_title_prepended_when_body_lacks_it() -> None:
    article = clean(_doc("وصلت تعزيزات إلى المدينة.", title="عنوان الخبر"))
    assert article.text.split("\n\n")[0] == "عنوان الخبر"


def test_learned_line_statistics() -> None:
    stats = LineStats()
    for i in range(3):
        stats.observe("x", split_lines(f"قائمة الأقسام\nخبر رقم {i} عن موضوع مختلف تماما."))
    learned = stats.furniture("x")
    article = clean(_doc("قائمة الأقسام\nوصلت تعزيزات إلى المدينة.", title=None), learned=learned)
    assert "قائمة الأقسام" not in article.text
    assert stats.furniture("other outlet") == frozenset()


def test_sentences_split_on_arabic_punctuation() -> None:
    article = clean(_doc("الجملة الأولى هنا. هل هذه الثانية؟ نعم! وهذه 3.5 كيلومتر فقط.", title=None))
    sentences = split_sentences(article.text, article.paragraphs)
    texts = [article.text[s.start : s.end] for s in sentences]
    assert texts == ["الجملة الأولى هنا.", "هل هذه الثانية؟", "نعم!", "وهذه 3.5 كيلومتر فقط."]


@pytest.mark.parametrize(("text", "expected"), [
    ("قتل 3. وجرح آخرون.", ["قتل 3.", "وجرح آخرون."]),  # after a figure, a word follows: a new sentence
    ("المسافة 3. 5 كيلومترات.", ["المسافة 3. 5 كيلومترات."]),  # a figure follows: not an end
    ("انتظروا... ثم عادوا.", ["انتظروا...", "ثم عادوا."]),  # a run of marks ends once
    ("قال: «انتهى الأمر.» ثم غادر.", ["قال: «انتهى الأمر.»", "ثم غادر."]),  # the closing quote stays
    ("بلغ العدد 12.. ثم توقف", ["بلغ العدد 12..", "ثم توقف"]),
])
def test_sentence_ends_around_figures_runs_and_quotes(text: str, expected: list[str]) -> None:
    article = clean(_doc(text, title=None))
    assert [article.text[s.start : s.end] for s in split_sentences(article.text, article.paragraphs)] == expected


from .conftest import SEEDS  # noqa: E402


@pytest.mark.skipif(not SEEDS.is_dir(), reason="../shared/corpus/seeds is not present")
def test_seed_furniture_removed() -> None:
    from rasad.ingest import iter_documents
    from rasad.model import Skipped

    for doc in iter_documents([SEEDS]):
        assert not isinstance(doc, Skipped)
        article = clean(doc)
        lines = article.text.split("\n\n")
        assert len(lines) == len(set(lines)), f"{doc.file}: repeated paragraph left"
        for furniture in ("Facebook", "WhatsApp", "هل أعجبك", "اترك تعليق", "مقالات ذات صلة", "زر الذهاب"):
            assert furniture not in article.text, f"{doc.file}: {furniture!r} left"
        assert len(article.paragraphs) >= 8


def test_line_statistics_stay_bounded_and_keep_the_furniture() -> None:
    """Thousands of one-off lines from one outlet: the counts stay under the bound, the menu line is still known."""
    stats = LineStats()
    for i in range(MAX_KEYS * 3):
        stats.observe("Outlet", ["الرئيسية", f"سطر قصير رقم {i}", f"عنوان آخر {i}"])
        assert len(stats.counts["Outlet"]) <= MAX_KEYS
    assert "الرئيسية" in stats.furniture("Outlet")


def test_line_statistics_stay_bounded_over_many_outlets() -> None:
    stats = LineStats()
    for i in range(MAX_TOTAL_KEYS // 2):
        outlet = f"Outlet {i % 400}"
        stats.observe(outlet, ["اتصل بنا", f"سطر {i}", f"سطر آخر {i}", f"عنوان {i}"])
        assert stats.total == sum(len(c) for c in stats.counts.values()) <= MAX_TOTAL_KEYS
    assert all("اتصل بنا" in stats.furniture(f"Outlet {k}") for k in range(400))


def test_observed_lines_are_the_short_lines_and_the_title() -> None:
    raw = RawDoc(source="x", file="x.txt", text="الرئيسية  |  أخبار\n\n" + "كلمة " * 30 + "\n\tسطر قصير", title="عنوان")
    assert observed_lines(raw) == ["الرئيسية | أخبار", "سطر قصير", "عنوان"]


def test_why_unusable_tells_empty_and_non_arabic_text_apart() -> None:
    assert why_unusable(" \n\n ") == "no article text left after cleaning"
    assert why_unusable("Fighting resumed near the dam.") == "not Arabic text: 0% of its 25 letters are Arabic script"
    # A report that quotes an agency and a unit in Latin letters is still Arabic.
    assert why_unusable("قالت وكالة Reuters إن لواء Fatemiyoun انسحب من البلدة.") is None
    no_letter = "not Arabic text: no letter in Arabic script"
    assert why_unusable("2024-05-01 12:00") == why_unusable("北京市 新闻") == no_letter
    mixed = "Press release: the ministry said " + "قصف"
    assert why_unusable(mixed).startswith("not Arabic text: 10% of its 30 letters")  # type: ignore[union-attr]
