"""Arabic date expressions resolved against the publication date (rasad.text.dates).

Every expression below was written for this test; publication dates are
chosen so that each rule (weekdays, qualifiers, spans, years) is exercised.
"""

from __future__ import annotations

import datetime as dt
import itertools

import pytest

from rasad.text.dates import DateMention, find_dates, resolve_date

THU = dt.date(2024, 3, 14)  # a Thursday
WED = dt.date(2023, 11, 8)  # a Wednesday
SUN = dt.date(2024, 6, 30)  # a Sunday, after Ramadan 1445


def d(iso: str) -> dt.date:
    return dt.date.fromisoformat(iso)


# (expression, publication date, expected date, precision, historical)
CASES: list[tuple[str, dt.date, str, int, bool]] = [
    # weekdays and relative days
    ("يوم أمس الأربعاء", THU, "2024-03-13", 1, False),
    ("أمس الأربعاء", THU, "2024-03-13", 1, False),
    ("مساء أمس", THU, "2024-03-13", 1, False),
    ("صباح أمس", THU, "2024-03-13", 1, False),
    ("ليل أمس", THU, "2024-03-13", 1, False),
    ("بالأمس", THU, "2024-03-13", 1, False),
    ("البارحة", THU, "2024-03-13", 1, False),
    ("الليلة الماضية", THU, "2024-03-13", 1, False),
    ("فجر اليوم الخميس", THU, "2024-03-14", 1, False),
    ("صباح اليوم", THU, "2024-03-14", 1, False),
    ("أول أمس", THU, "2024-03-12", 1, False),
    ("أمس الأول", THU, "2024-03-12", 1, False),
    ("يوم الاثنين الماضي", THU, "2024-03-11", 1, False),
    ("منذ الأحد الماضي", THU, "2024-03-10", 1, False),
    ("السبت الماضي", THU, "2024-03-09", 1, False),
    ("الخميس الماضي", THU, "2024-03-07", 1, False),
    ("فجر الجمعة الماضية", THU, "2024-03-08", 1, False),
    ("يوم الأربعاء", THU, "2024-03-13", 1, False),
    ("مساء الجمعة", THU, "2024-03-08", 1, False),
    ("يوم الخميس", THU, "2024-03-14", 1, False),
    ("الأحد المقبل", THU, "2024-03-17", 1, False),
    ("غداً الجمعة", THU, "2024-03-15", 1, False),
    ("صباح يوم غد", THU, "2024-03-15", 1, False),
    ("بعد غد", THU, "2024-03-16", 1, False),
    ("منذ فجر الثلاثاء الماضي", WED, "2023-11-07", 1, False),
    ("ظهر يوم الأحد الماضي", WED, "2023-11-05", 1, False),
    # spans counted back from publication
    ("خلال اليومين الماضيين", WED, "2023-11-07", 2, False),
    ("قبل عدة أيام", WED, "2023-11-05", 2, False),
    ("قبل أيام", WED, "2023-11-05", 2, False),
    ("منذ أيام", WED, "2023-11-05", 2, False),
    ("قبل بضعة أيام", WED, "2023-11-05", 2, False),
    ("قبل أيام قليلة", WED, "2023-11-05", 2, False),
    ("خلال الأيام الماضية", WED, "2023-11-04", 2, False),
    ("في الأيام القليلة الماضية", WED, "2023-11-04", 2, False),
    ("قبل يومين", WED, "2023-11-06", 1, False),
    ("قبل ثلاثة أيام", WED, "2023-11-05", 1, False),
    ("قبل 5 أيام", WED, "2023-11-03", 1, False),
    ("قبل ٤ أيام", WED, "2023-11-04", 1, False),
    ("منذ عشرة أيام", WED, "2023-10-29", 2, False),
    ("قبل أسبوع", WED, "2023-11-01", 2, False),
    ("منذ نحو أسبوعين", WED, "2023-10-25", 2, False),
    ("خلال الساعات الماضية", WED, "2023-11-08", 1, False),
    ("منذ ساعات", WED, "2023-11-08", 1, False),
    ("قبل شهرين", WED, "2023-09-09", 3, False),
    ("قبل عام", WED, "2022-11-08", 3, True),
    # calendar weeks (Sunday to Saturday), months and years
    ("الأسبوع الماضي", WED, "2023-11-01", 2, False),
    ("خلال الأسبوع الماضي", WED, "2023-11-01", 2, False),
    ("الأسبوع الجاري", WED, "2023-11-07", 2, False),
    ("الأسبوع المقبل", WED, "2023-11-15", 2, False),
    ("نهاية الأسبوع الماضي", WED, "2023-11-03", 2, False),
    ("الشهر الماضي", WED, "2023-10-15", 3, False),
    ("خلال الشهر الماضي", WED, "2023-10-15", 3, False),
    ("الشهر الجاري", WED, "2023-11-05", 3, False),
    ("هذا الشهر", WED, "2023-11-05", 3, False),
    ("الشهر المقبل", WED, "2023-12-15", 3, False),
    ("مطلع الشهر الجاري", WED, "2023-11-05", 2, False),
    ("أواخر الشهر الماضي", WED, "2023-10-26", 2, False),
    ("منتصف الشهر الماضي", WED, "2023-10-15", 2, False),
    ("مؤخراً", WED, "2023-10-24", 3, False),
    ("في الآونة الأخيرة", WED, "2023-10-24", 3, False),
    ("خلال الفترة الماضية", WED, "2023-10-24", 3, False),
    ("العام الماضي", WED, "2022-06-15", 3, True),
    ("السنة الماضية", WED, "2022-06-15", 3, True),
    ("مطلع العام الجاري", THU, "2024-02-15", 3, False),
    ("منتصف العام الماضي", THU, "2023-06-15", 3, True),
    # day and month, year from the qualifier and the publication date
    ("في 2 من شباط الماضي", THU, "2024-02-02", 1, False),
    ("13 أيار الماضي", THU, "2023-05-13", 1, True),
    ("31 من أيار الماضي", d("2020-06-24"), "2020-05-31", 1, False),
    ("12 من آذار الجاري", THU, "2024-03-12", 1, False),
    ("٢٠ آذار الجاري", THU, "2024-03-20", 1, False),
    ("الثامن من كانون الأول من العام الماضي", THU, "2023-12-08", 1, True),
    ("8 كانون الأول/ديسمبر الماضي", THU, "2023-12-08", 1, True),
    ("١٧ أكتوبر/تشرين الأول الماضي", THU, "2023-10-17", 1, True),
    ("الأول من شباط", THU, "2024-02-01", 1, False),
    ("5 نيسان", THU, "2024-04-05", 1, False),
    ("في 20 تموز", THU, "2023-07-20", 1, True),
    ("الحادي والثلاثين من كانون الثاني", THU, "2024-01-31", 1, False),
    ("الخامس من الشهر الجاري", THU, "2024-03-05", 1, False),
    ("العاشر من الشهر الماضي", THU, "2024-02-10", 1, False),
    ("يوم الجمعة 8 آذار", THU, "2024-03-08", 1, False),
    ("في الـ11 من حزيران المقبل", THU, "2024-06-11", 1, False),
    ("منتصف تشرين الأول الماضي", THU, "2023-10-15", 2, True),
    ("منتصف تشرين الأول/أكتوبر الماضي", WED, "2023-10-15", 2, False),
    ("أواخر شباط الماضي", THU, "2024-02-25", 2, False),
    ("مطلع آذار الجاري", THU, "2024-03-06", 2, False),
    ("بين 3 و5 آذار الجاري", THU, "2024-03-04", 2, False),
    # Egyptian, Gulf and Maghrebi month names
    ("5 يناير/كانون الثاني 2020", THU, "2020-01-05", 1, True),
    ("في 3 جانفي 2021", THU, "2021-01-03", 1, True),
    ("25 أفريل 2022", THU, "2022-04-25", 1, True),
    ("١ جويلية ٢٠٢٢", THU, "2022-07-01", 1, True),
    ("9 أوت 2019", THU, "2019-08-09", 1, True),
    ("12 يونيه 2018", THU, "2018-06-12", 1, True),
    ("14 فيفري الماضي", THU, "2024-02-14", 1, False),
    ("2 إبريل 2023", THU, "2023-04-02", 1, True),
    # explicit years and month-years
    ("في تشرين الثاني من العام 2017", THU, "2017-11-15", 3, True),
    ("تشرين الثاني 2017", THU, "2017-11-15", 3, True),
    ("نوفمبر 2017", THU, "2017-11-15", 3, True),
    ("تشرين الثاني/نوفمبر 2017", THU, "2017-11-15", 3, True),
    ("أيار الماضي", THU, "2023-05-15", 3, True),
    ("شهر شباط الماضي", THU, "2024-02-15", 3, False),
    ("في كانون الثاني", THU, "2024-01-15", 3, False),
    ("عام 2013", THU, "2013-06-15", 3, True),
    ("منذ العام 2013", THU, "2013-06-15", 3, True),
    ("عام ٢٠١٣", THU, "2013-06-15", 3, True),
    ("في 2016.", THU, "2016-06-15", 3, True),
    ("أواخر عام 2017", THU, "2017-11-15", 3, True),
    ("خلال عامي 2019 و2020", THU, "2020-01-01", 3, True),
    ("ليلة الخميس - الجمعة", WED, "2023-11-02", 1, False),
    ("31 أيار 2020", THU, "2020-05-31", 1, True),
    ("١٣ أيار ٢٠٢٠", THU, "2020-05-13", 1, True),
    ("2020-05-31", THU, "2020-05-31", 1, True),
    ("31/5/2020", THU, "2020-05-31", 1, True),
    ("٣١/٥/٢٠٢٠", THU, "2020-05-31", 1, True),
    ("۳۱/۵/۲۰۲۰", THU, "2020-05-31", 1, True),
    # Hijri
    ("15 رمضان 1445", SUN, "2024-03-25", 1, True),
    ("15 رمضان 1445 هـ", SUN, "2024-03-25", 1, True),
    ("العاشر من محرم 1446", SUN, "2024-07-16", 1, False),
    ("1 شوال 1444 هـ", SUN, "2023-04-21", 1, True),
    ("شهر رمضان 1445", SUN, "2024-03-25", 3, True),
]


@pytest.mark.parametrize(("expression", "published", "expected", "precision", "historical"), CASES)
def test_expression(expression: str, published: dt.date, expected: str, precision: int, historical: bool) -> None:
    found = resolve_date(expression, published)
    assert found is not None, expression
    assert (found.date.isoformat(), found.precision, found.historical) == (expected, precision, historical), found
    assert found.earliest <= found.date <= found.latest
    assert expression[found.start : found.end] == found.text


def test_enough_cases() -> None:
    assert len(CASES) >= 70


@pytest.mark.parametrize(
    "text",
    [
        "نقلت شبكة دير الزور 24 عن مصادرها",
        "عناصر من الفرقة 11 انتشروا في المنطقة",
        "قائد في الفرقة 17 وصل إلى المدينة",
        "مقر اللواء 313 في البادية",
        "طائرات انطلقت من قاعدة T4 الجوية",
        "قتل 24 عنصراً من الميليشيا",
        "معلومات ضرورية 1500 / 1500",
        "مارس ضغوطاً كبيرة على الأهالي",
        "صادرت سيارة نيسان بيضاء",
        "بعد صلاة الجمعة في الجامع الكبير",
        "وفي اليوم التالي انسحبت القوات",
        "وصل عدد الإصابات إلى صفر",
        "يديره المدعو مهند الرمضان",
        "وقعت قبل يومين من الهجوم",
        "بموجب القرار 2254 الصادر عن مجلس الأمن",
        "غدا الوضع أسوأ مما كان",
        "دمرت في 2000 منزل",
        "نشرت صحيفة الغد تقريراً",
    ],
)
def test_not_a_date(text: str) -> None:
    assert find_dates(text, THU) == []


def test_weekday_that_contradicts_yesterday_is_kept() -> None:
    found = resolve_date("أمس الاثنين", THU)
    assert found is not None
    assert found.date == d("2024-03-11") and found.precision == 1
    assert "yesterday" in found.note


def test_today_with_a_wrong_weekday() -> None:
    found = resolve_date("اليوم الثلاثاء", THU)
    assert found is not None and found.date == d("2024-03-12") and found.note


def test_year_alone_is_flagged() -> None:
    found = resolve_date("منذ عام 2013", THU)
    assert found is not None and found.year_only and found.kind == "year"
    assert (found.earliest, found.latest) == (d("2013-01-01"), d("2013-12-31"))


def test_spans_give_their_window() -> None:
    two_days = resolve_date("خلال اليومين الماضيين", WED)
    assert two_days is not None and (two_days.earliest, two_days.latest) == (d("2023-11-06"), d("2023-11-07"))
    week = resolve_date("الأسبوع الماضي", WED)
    assert week is not None and (week.earliest, week.latest) == (d("2023-10-29"), d("2023-11-04"))
    month = resolve_date("الشهر الماضي", WED)
    assert month is not None and (month.earliest, month.latest) == (d("2023-10-01"), d("2023-10-31"))
    assert month.kind == "month"


def test_running_month_is_clipped_to_publication() -> None:
    found = resolve_date("الشهر الجاري", WED)
    assert found is not None and found.latest == WED and found.date <= WED


def test_weekday_and_date_disagree() -> None:
    found = resolve_date("يوم السبت 8 آذار", THU)  # 8 March 2024 was a Friday
    assert found is not None and found.date == d("2024-03-08") and found.note


PARAGRAPH = (
    "قُتل ثلاثةُ عناصر من الفرقة 17، مساءَ أمسِ الأربعاء، في هجومٍ استهدف حاجزاً قرب البوكمال، "
    "بعد أيام من غارات مماثلة وقعت قبل عدة أيام. وكانت الميليشيا قد سيطرت على المنطقة في "
    "تشرين الثاني/نوفمبر ٢٠١٧، ثم وسّعت نفوذها مطلع الشهر الجاري، وفق ما نقلته شبكة دير الزور 24 "
    "يوم ١٢ آذار، وفي الخامس من الشهر الماضي وصلت تعزيزات، وغداً الجمعة يُنتظر وصول قافلة."
)


def test_find_dates_in_a_paragraph() -> None:
    found = find_dates(PARAGRAPH, THU)
    for mention in found:
        assert PARAGRAPH[mention.start : mention.end] == mention.text
    got = [(m.text, m.date.isoformat(), m.precision) for m in found]
    assert got == [
        ("مساءَ أمسِ الأربعاء", "2024-03-13", 1),
        ("قبل عدة أيام", "2024-03-11", 2),
        ("تشرين الثاني/نوفمبر ٢٠١٧", "2017-11-15", 3),
        ("مطلع الشهر الجاري", "2024-03-06", 2),
        ("١٢ آذار", "2024-03-12", 1),
        ("الخامس من الشهر الماضي", "2024-02-05", 1),
        ("غداً الجمعة", "2024-03-15", 1),
    ]
    assert [m.historical for m in found] == [False, False, True, False, False, False, False]
    assert all(isinstance(m, DateMention) for m in found)


def test_offsets_survive_tatweel_and_marks() -> None:
    text = "وصلت القافلة يومَ أمسِ الثلاثـاء إلى الميادين"
    (found,) = find_dates(text, dt.date(2024, 3, 13))
    assert text[found.start : found.end] == found.text == "يومَ أمسِ الثلاثـاء"
    assert found.date == dt.date(2024, 3, 12)


def test_sorted_and_not_overlapping() -> None:
    text = "منذ يوم أمس الثلاثاء، وخلال الأسبوع الماضي، وفي 31 أيار 2020، وعام 2013."
    found = find_dates(text, WED)
    assert [m.start for m in found] == sorted(m.start for m in found)
    assert all(a.end <= b.start for a, b in itertools.pairwise(found))
    assert len(found) == 4
