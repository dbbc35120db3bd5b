"""Arabic counts and fatality figures (rasad.text.numbers); sentences written for this test."""

from __future__ import annotations

import itertools
import re

import pytest

from rasad.text.normalize import _table, normalize_text
from rasad.text.numbers import (
    _CUE_CLITICS,
    CLITIC,
    Count,
    FatalityReading,
    conservative,
    fatalities_near,
    find_counts,
    load_data,
    may_report_deaths,
    parse_count,
    word_value,
)

# (phrase, low, high, vague)
COUNTS: list[tuple[str, int | None, int | None, bool]] = [
    # digits in three scripts
    ("5 عناصر", 5, 5, False),
    ("٣ شاحنات", 3, 3, False),
    ("۱۲ صهريجاً", 12, 12, False),
    ("1,500 شخص", 1500, 1500, False),
    ("١٢٥ مقاتلاً", 125, 125, False),
    # number words, both genders, compounds
    ("واحد", 1, 1, False),
    ("إحدى", 1, 1, False),
    ("اثنان", 2, 2, False),
    ("اثنتين", 2, 2, False),
    ("ثلاثة عناصر", 3, 3, False),
    ("ثلاث نساء", 3, 3, False),
    ("أربعة", 4, 4, False),
    ("خمس سيارات", 5, 5, False),
    ("ستة", 6, 6, False),
    ("سبع", 7, 7, False),
    ("ثمانية", 8, 8, False),
    ("تسعة", 9, 9, False),
    ("عشرة أشخاص", 10, 10, False),
    ("أحد عشر عنصراً", 11, 11, False),
    ("إحدى عشرة امرأة", 11, 11, False),
    ("اثنا عشر", 12, 12, False),
    ("خمسة عشر مقاتلاً", 15, 15, False),
    ("عشرين", 20, 20, False),
    ("ثلاثة وعشرين شخصاً", 23, 23, False),
    ("خمسة و ثلاثون", 35, 35, False),
    ("تسعين", 90, 90, False),
    ("مئة", 100, 100, False),
    ("مائة وخمسون", 150, 150, False),
    ("مئتي عنصر", 200, 200, False),
    ("ثلاثمئة", 300, 300, False),
    ("ثلاث مئة", 300, 300, False),
    ("ألف", 1000, 1000, False),
    ("ألفين", 2000, 2000, False),
    ("ثلاثة آلاف", 3000, 3000, False),
    ("3 آلاف", 3000, 3000, False),
    ("ألف وخمسمئة", 1500, 1500, False),
    ("خمسة وعشرين ألفاً", 25000, 25000, False),
    # ranges and modifiers
    ("بين 4 و6 قتلى", 4, 6, False),
    ("ما بين أربعة إلى ستة", 4, 6, False),
    ("من 4 إلى 6", 4, 6, False),
    ("4-6 عناصر", 4, 6, False),
    ("أربعة أو خمسة", 4, 5, False),
    ("نحو 10", 10, 10, False),
    ("حوالي عشرين", 20, 20, False),
    ("ما لا يقل عن خمسة", 5, None, False),
    ("7 على الأقل", 7, None, False),
    ("أكثر من 10", 10, None, False),
    # duals and one person
    ("قتيلين", 2, 2, False),
    ("عنصرين", 2, 2, False),
    ("جنديان", 2, 2, False),
    ("مقتل عنصر", 1, 1, False),
    ("اغتيال القيادي", 1, 1, False),
    ("سقوط قتيل", 1, 1, False),
    # no figure
    ("عشرات", None, None, True),
    ("العشرات من العناصر", None, None, True),
    ("مئات المقاتلين", None, None, True),
    ("آلاف النازحين", None, None, True),
    ("عدد من العناصر", None, None, True),
    ("بضعة أشخاص", None, None, True),
    ("العديد من القتلى", None, None, True),
]


@pytest.mark.parametrize(("phrase", "low", "high", "vague"), COUNTS)
def test_count(phrase: str, low: int | None, high: int | None, vague: bool) -> None:
    found = parse_count(phrase)
    assert found is not None, phrase
    assert (found.low, found.high, found.vague) == (low, high, vague), found
    assert phrase[found.start : found.end] == found.text


def test_enough_rows() -> None:
    assert len(COUNTS) >= 40


@pytest.mark.parametrize(
    "text", ["عناصر من الفرقة 17", "مقر اللواء 313", "منذ عام 2013", "في الساعة 5 فجراً", "قاعدة T4", "2020-05-31"]
)
def test_not_a_count(text: str) -> None:
    assert find_counts(text) == []


def test_conservative_takes_the_lowest() -> None:
    assert conservative(Count(0, 1, "x", 4, 6, False, "range")) == 4
    found = parse_count("عشرات")
    assert found is not None and conservative(found) is None


def test_find_counts_offsets_with_marks() -> None:
    text = "أسفر القصفُ عن مقتلِ ثلاثةِ عناصرَ وإصابةِ ٧ آخرين، وتدمير عشراتِ المنازل."
    found = find_counts(text)
    assert [(c.text, c.low) for c in found] == [("ثلاثةِ", 3), ("٧", 7), ("عشراتِ", None)]
    assert all(text[c.start : c.end] == c.text for c in found)


def test_word_value() -> None:
    assert word_value("ثلاثة وعشرون") == 23
    assert word_value("ألف وخمسمئة") == 1500
    assert word_value("عناصر") is None


# (sentence, value, vague)
FATALITIES: list[tuple[str, int | None, bool]] = [
    ("أسفر القصف عن مقتل 5 عناصر وإصابة 3 آخرين.", 5, False),
    ("قُتل خمسة مدنيين بينهم طفلان في الغارة.", 5, False),
    ("قتلت قوات النظام ثلاثة رعاة في البادية.", 3, False),
    ("سقط 7 قتلى و12 جريحاً في الانفجار.", 7, False),
    ("لقي ٤ عناصر حتفهم في الكمين.", 4, False),
    ("لقي عنصر حتفه بانفجار لغم.", 1, False),
    ("ارتفعت حصيلة القتلى إلى 9 أشخاص.", 9, False),
    ("قتل ما لا يقل عن عشرة عناصر.", 10, False),
    ("أدى الهجوم إلى مقتل بين 4 و6 مسلحين.", 4, False),
    ("أدى الانفجار إلى مقتل عنصرين من الميليشيا.", 2, False),
    ("أسفر الاشتباك عن سقوط قتيلين.", 2, False),
    ("عُثر على جثة شاب قرب النهر.", 1, False),
    ("عثر الأهالي على جثث 3 رعاة.", 3, False),
    ("مقتل عنصر من الفرقة 17 برصاص مجهولين.", 1, False),
    ("مقتل أحد عناصر الدفاع الوطني.", 1, False),
    ("قُتلت امرأة وطفل جراء سقوط قذيفة.", 2, False),
    ("ولقي عنصر في الميليشيا يدعى خالد حتفه بهجوم مسلح.", 1, False),
    ("أشرف عليه قيادي في كتائب سيد الشهداء.", None, False),
    ("اغتيل قيادي وقتل مرافقه، فيما أصيب 6 آخرون.", None, True),
    ("أسفرت الغارات عن سقوط قتلى وجرحى.", None, True),
    ("خلف القصف عشرات القتلى.", None, True),
    ("سقط 12 قتيلاً وجريحاً في الاشتباكات.", None, True),
    ("أسفر الهجوم عن مقتل وجرح 10 عناصر.", None, True),
    ("قُتل في 12 آذار الماضي 5 عناصر من الميليشيا.", 5, False),
    ("قتل قبل 3 أيام خمسة عناصر من الدفاع الوطني.", 5, False),
    ("قضى 5 سنوات في السجن قبل أن يفرج عنه.", None, False),
    ("انتهى الاشتباك دون وقوع قتلى.", 0, False),
    ("لم يسفر القصف عن قتلى.", 0, False),
    # injured only: never fatalities
    ("أصيب 4 مدنيين بجروح.", None, False),
    ("أسفر القصف عن إصابة 8 أشخاص.", None, False),
    ("نقل 3 جرحى إلى المشفى.", None, False),
    ("وصل عدد المصابين إلى 15.", None, False),
    ("دخلت 5 شاحنات إلى المدينة.", None, False),
]


@pytest.mark.parametrize(("sentence", "value", "vague"), FATALITIES)
def test_fatalities(sentence: str, value: int | None, vague: bool) -> None:
    reading = fatalities_near(sentence, 0, len(sentence))
    assert (reading.value, reading.vague) == (value, vague), reading
    if reading.span is not None:
        assert 0 <= reading.span.start < reading.span.end <= len(sentence)


def test_fatalities_in_a_sentence_of_a_longer_text() -> None:
    first = "أصيب 6 عناصر بجروح. "
    second = "وقُتل ثلاثةُ مدنيين في القصف."
    text = first + second + " ونزح عشرات الأهالي."
    reading = fatalities_near(text, len(first), len(first) + len(second))
    assert reading.value == 3 and not reading.vague
    assert reading.span is not None and "ثلاثةُ" in text[reading.span.start : reading.span.end]
    assert fatalities_near(text, 0, len(first)).value is None


@pytest.mark.parametrize(("sentence", "value", "vague"), FATALITIES)
def test_quick_death_test_never_misses(sentence: str, value: int | None, vague: bool) -> None:
    if not may_report_deaths(sentence, 0, len(sentence), normalize_text(sentence)):
        assert fatalities_near(sentence, 0, len(sentence)) == FatalityReading(None, False, None)


def test_quick_death_test_sees_every_cue_in_any_spelling() -> None:
    cues = load_data("numbers")["fatalities"]
    for table in ("before_count", "after_count", "one_death", "two_deaths", "vague"):
        for cue in cues[table]:
            raw = "وَ" + cue.replace("ا", "أ").replace("ي", "ى").replace("ه", "ة") + "ً هناك"
            assert may_report_deaths(raw, 0, len(raw), normalize_text(raw)), cue
    for sentence in ("دخلت 5 شاحنات إلى المدينة.", "أرسلت القوات تعزيزات إلى القيادي في البادية."):
        assert not may_report_deaths(sentence, 0, len(sentence), normalize_text(sentence))
    joined = "وصل\x00قتلى"
    assert may_report_deaths(joined, 0, len(joined), normalize_text(joined))


def test_quick_death_test_knows_the_clitics() -> None:
    """The clitics :func:`may_report_deaths` allows before a cue are those ``CLITIC`` matches."""
    letters = [chr(c) for c in range(0x621, 0x64B)]
    candidates = ["", *letters, *(a + b for a in letters for b in letters)]
    assert {c for c in candidates if re.fullmatch(CLITIC, c)} == set(_CUE_CLITICS)
    used = sorted(set("".join(_CUE_CLITICS)))
    assert not any(re.fullmatch(CLITIC, "".join(three)) for three in itertools.product(used, repeat=3))


def test_normalisation_keeps_letters_letters() -> None:
    """What :func:`may_report_deaths` relies on: a folded character is a letter or digit exactly when
    the original is."""
    for code, char in _table().items():
        if char != "\x00":
            assert chr(code).isalnum() == char.isalnum(), hex(code)
