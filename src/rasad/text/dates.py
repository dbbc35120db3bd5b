"""Arabic date expressions resolved against the publication date.

:func:`find_dates` returns every date expression of a text as a
:class:`DateMention` with the ACLED ``time_precision`` (1 day, 2 week or a few
days, 3 month) and the window the expression allows.  The vocabulary lives in
``text/data/dates.yaml`` (months in Levantine, Egyptian/Gulf and Maghrebi
forms, Hijri months, weekdays, relative words); day ordinals and number words
come from :mod:`rasad.text.numbers`.  Patterns (one per kind of expression,
built from the word lists) run only in windows around anchor words (month
and weekday names, units, digits), on the text with its diacritics removed;
letter variants are matched as written, so offsets map straight back.

Rules for the ambiguous cases (each is a decision, tested in tests/test_dates.py):

- A span's date is its midpoint, rounded to the later day: خلال اليومين
  الماضيين = [pub-2, pub-1] → pub-1; a calendar week (Sunday to Saturday) → its
  Wednesday.  A month is dated on the 15th, a year (``year_only``) on 15 June;
  a period still running at publication is clipped to it.
- A weekday with أمس/اليوم/غداً that contradicts it is trusted (the article was
  written earlier, or translated): the most recent such weekday on or before
  the day the relative word names, with a ``note``.  A bare weekday is the most
  recent one on or before publication; with الماضي strictly before it; with
  المقبل strictly after it.
- A month with الماضي is the most recent such month before the publication
  month; with المقبل the next one after it; with no qualifier the nearest one
  not more than 30 days after publication.
- "A few days" (قبل أيام، قبل عدة أيام) = [pub-5, pub-1]; "the past days"
  (خلال الأيام الماضية) = [pub-7, pub-1]; مؤخراً / الآونة الأخيرة = [pub-30, pub],
  precision 3.  قبل N أيام is precision 1 up to a week, 2 beyond.
- ``historical``: the window ends more than 60 days before publication, or a
  whole earlier year is named (العام الماضي، عام 2013).
"""

from __future__ import annotations

import datetime as dt
import re
from calendar import monthrange
from collections.abc import Callable
from dataclasses import dataclass, replace
from functools import cache
from typing import Any

from hijridate import Gregorian, Hijri

from rasad.frozen import quick_init
from rasad.text.numbers import (
    CLITIC,
    Anchors,
    B,
    E,
    Stripped,
    Window,
    day_ordinal_group,
    fill,
    fuzzy,
    key,
    load_data,
    next_word,
    number_group,
    number_words,
    prev_word,
    strip_marks,
    value_table,
    word_group,
    word_value,
    words,
)

HISTORICAL_DAYS = 60
FUTURE_GRACE_DAYS = 30
FEW_DAYS = 5
_DAY_NAMES = {-2: "the day before yesterday", -1: "yesterday", 0: "today", 1: "tomorrow", 2: "the day after tomorrow"}


@quick_init
@dataclass(frozen=True, slots=True)
class DateMention:
    """A date expression: where it is, what it says and how precisely."""

    start: int
    end: int
    text: str
    date: dt.date
    precision: int
    earliest: dt.date
    latest: dt.date
    historical: bool
    kind: str  # weekday, relative, absolute, month, year, hijri, span
    note: str = ""
    year_only: bool = False


@quick_init
@dataclass(frozen=True, slots=True)
class _When:
    """A resolution before it is placed in the text."""

    date: dt.date
    precision: int
    earliest: dt.date
    latest: dt.date
    kind: str
    note: str = ""
    year_only: bool = False


# -- vocabulary -------------------------------------------------------------------------------------------


@quick_init
@dataclass(frozen=True, slots=True)
class _Vocab:
    months: dict[str, int]
    hijri: dict[str, int]
    weekdays: dict[str, int]
    relative: dict[str, int]
    qualifier: dict[str, str]
    parts: dict[str, str]
    units: dict[str, tuple[str, int | None]]  # ago units: word → (unit, count it says)
    unit_days: dict[str, int]
    calendar: dict[str, str]
    rolling: dict[str, tuple[str, int]]  # definite plural or dual unit → (span name, days back)
    leads: dict[str, str]
    few_before: frozenset[str]
    few_after: frozenset[str]
    today_not_before: frozenset[str]
    weekday_not_after: frozenset[str]
    weekday_not_before: frozenset[str]
    ago_not_before: frozenset[str]
    bare_context: frozenset[str]
    gregorian_markers: frozenset[str]
    min_year: int


def _kinds(table: dict[str, Any], name: str) -> dict[str, str]:
    return {w: kind for kind, forms in table.items() for w in words(forms, name=f"{name}.{kind}")}


@cache
def _vocab() -> _Vocab:
    d = load_data("dates")
    units: dict[str, tuple[str, int | None]] = {}
    for unit, spec in d["ago_units"].items():
        for form, n in (("singular", 1), ("dual", 2), ("plural", None)):
            units.update({w: (unit, n) for w in words(spec[form], name=f"ago_units.{unit}.{form}")})
    return _Vocab(
        months=value_table(d["gregorian_months"], name="gregorian_months"),
        hijri=value_table(d["hijri_months"], name="hijri_months"),
        weekdays=value_table(d["weekdays"], name="weekdays"),
        relative=value_table(d["relative_days"], name="relative_days"),
        qualifier=_kinds(d["qualifiers"], "qualifiers") | {w: "current" for w in words(d["this"], name="this")},
        parts=_kinds(d["parts"], "parts"),
        units=units,
        unit_days={unit: int(spec["days"]) for unit, spec in d["ago_units"].items()},
        calendar=_kinds(d["calendar_units"], "calendar_units"),
        rolling={w: (name, int(spec["days"])) for name, spec in d["rolling_spans"].items()
                 for w in words(spec["words"], name=f"rolling_spans.{name}")},
        leads=_kinds(d["leads"], "leads"),
        few_before=frozenset(words(d["few_before"], name="few_before")),
        few_after=frozenset(words(d["few_after"], name="few_after")),
        today_not_before=frozenset(words(d["today_not_before"], name="today_not_before")),
        weekday_not_after=frozenset(words(d["weekday_not_after"], name="weekday_not_after")),
        weekday_not_before=frozenset(words(d["weekday_not_before"], name="weekday_not_before")),
        ago_not_before=frozenset(words(d["ago_not_before"], name="ago_not_before")),
        bare_context=frozenset(words(d["bare_context"], name="bare_context")),
        gregorian_markers=frozenset(words(d["gregorian_markers"], name="gregorian_markers")),
        min_year=int(d["min_year"]),
    )


@cache
def _parts() -> dict[str, str]:
    """Regex fragments named after the word lists they come from."""
    d, v = load_data("dates"), _vocab()
    year_units = [w for w, u in v.calendar.items() if u == "year"]
    return {
        "GM": word_group(v.months, name="gregorian_months") + E,
        "HM": word_group(v.hijri, name="hijri_months") + E,
        "WD": word_group(v.weekdays, name="weekdays") + E,
        "REL": word_group(v.relative, name="relative_days") + E,
        "TOD": word_group(d["times_of_day"], name="times_of_day"),
        "Q": word_group(v.qualifier, name="qualifiers") + E,
        "THIS": word_group(d["this"], name="this"),
        "CAL": word_group(v.calendar, name="calendar_units") + E,
        "YU": word_group(year_units, name="calendar_units.year") + E,
        "ROLL": word_group(v.rolling, name="rolling_spans") + E,
        "FILL": word_group(d["rolling_fillers"], name="rolling_fillers"),
        "RECENT": word_group(d["recent_words"], name="recent_words") + E,
        "YW": word_group(d["year_words"], name="year_words"),
        "MW": word_group(d["month_word"], name="month_word"),
        "PART": word_group(v.parts, name="parts"),
        "LEAD": word_group(v.leads, name="leads"),
        "DAYLEAD": word_group([w for w, k in v.leads.items() if k in ("since", "until")], name="day leads"),
        "AGO": word_group([w for w, k in v.leads.items() if k in ("since", "ago")], name="ago leads"),
        "UNIT": word_group(v.units, name="ago_units") + E,
        "FEWB": word_group(v.few_before, name="few_before"),
        "FEWA": word_group(v.few_after, name="few_after") + E,
        "APPROX": word_group(d["approx"], name="approx"),
        "NUMW": number_group(),
        "HMARK": word_group(d["hijri_markers"], name="hijri_markers") + E,
        "GMARK": word_group(v.gregorian_markers, name="gregorian_markers") + E,
        "DAY": fuzzy(r"(?:(?:ال)?(?P<dn>\d{1,2})(?!\d)|(?P<do>") + day_ordinal_group() + "))",
    }


_MONTHX = r"(?P<m1>%GM%)(?: ?[/(\-] ?(?P<m2>%GM%)\)?)?"
_YEAR_TAIL = (r"(?:[،,]? (?:من )?(?:%YW% )?(?P<y>\d{4})(?!\d)(?: ?%GMARK%)?"
              r"| (?:من )?(?:(?P<this>%THIS%) %YU%|%YU% (?P<yq>%Q%))| (?P<q>%Q%))?")
_TEMPLATES = {
    "numeric": r"(?<![\d/.\-])(?P<m>(?P<y1>\d{4})(?P<s1>[\-/.])(?P<m1>\d{1,2})(?P=s1)(?P<d1>\d{1,2})"
               r"|(?P<d2>\d{1,2})(?P<s2>[\-/.])(?P<m2>\d{1,2})(?P=s2)(?P<y2>\d{4}))(?!\d)(?![/.\-]\d)",
    "calendar": B + CLITIC + r"(?P<m>(?:(?:يوم )?(?P<wd>%WD%)[،,]? )?(?:(?P<part>%PART%) )?"
                r"(?:(?:(?:ما )?بين |من )?(?:ال)?(?P<a>\d{1,2}) ?(?:-|و|الي |حتي ) ?(?:ال)?(?P<b>\d{1,2}) (?:من )?"
                r"|%DAY% (?:من )?)?(?P<mw>%MW% )?" + _MONTHX + _YEAR_TAIL + ")",
    "month_day": B + CLITIC + r"(?P<m>%DAY% من (?:(?P<this>%THIS%) )?الشهر(?: (?P<q>%Q%))?)" + E,
    "hijri": B + CLITIC + r"(?P<m>(?:%DAY% (?:من )?)?(?P<mw>%MW% )?(?P<hm>%HM%)(?: (?:من )?(?:%YW% )?"
             r"(?P<y>\d{4})(?!\d))?(?: ?%HMARK%)?(?: (?P<q>%Q%))?)",
    "year": B + CLITIC + r"(?P<m>(?:(?P<lead>%LEAD%) )?(?:(?P<part>%PART%) )?(?:(?:من )?(?P<yw>%YW%) )?"
            r"(?P<y>\d{4})(?!\d)(?![/.\-]\d)(?: ?%GMARK%)?(?: و ?(?P<y2>\d{4})(?!\d)(?: ?%GMARK%)?)?)",
    "period": B + CLITIC + r"(?P<m>(?:(?P<lead>%LEAD%) )?(?:(?P<part>%PART%) )?(?:(?P<this>%THIS%) (?P<u0>%CAL%)"
              r"|(?P<u>%CAL%|%ROLL%)(?: %FILL%)? (?P<q>%Q%))|(?P<recent>%RECENT%))",
    "ago": B + CLITIC + r"(?P<m>(?P<lead>%AGO%) (?:%APPROX% )?(?:(?P<n>\d{1,4}|%NUMW%) (?P<u1>%UNIT%)"
           r"|(?P<few>%FEWB%) (?P<u2>%UNIT%)|(?P<u3>%UNIT%)(?: (?P<fewa>%FEWA%))?(?: واحده?)?)" + E + ")",
    "dayref": B + CLITIC + r"(?P<m>(?:(?P<lead>%DAYLEAD%) )?(?:(?P<tod>%TOD%) )?(?:يوم )?"
              r"(?:(?P<rel>%REL%)(?: يوم)?(?: (?P<wd>%WD%))?|(?P<wd2>%WD%)(?: ?[-/] ?%WD%)?)(?: (?P<q>%Q%))?)",
}


@cache
def _patterns() -> dict[str, re.Pattern[str]]:
    parts = _parts()
    return {name: fill(template, parts) for name, template in _TEMPLATES.items()}


# How far (characters before, after) an expression may reach from its anchor word.
_MARGINS = {"numeric": (1, 1), "year": (24, 10), "calendar": (36, 28), "month_day": (24, 12),
            "hijri": (32, 28), "period": (24, 20), "ago": (24, 10), "dayref": (28, 12)}


@cache
def _anchors() -> Anchors:
    """For each pattern, words one of which its matches contain; digits call the numeric ones."""
    d, v = load_data("dates"), _vocab()
    stop = {"من", "بعد", "اول", "ذو", "ذي", "يوم"}

    def first(phrases: list[str]) -> list[str]:
        return [next((w for w in p.split() if w not in stop), p) for p in phrases]

    months = first(list(v.months))
    return Anchors(
        {
            "calendar": months, "month_day": ["الشهر"], "hijri": first(list(v.hijri)),
            "period": [*v.calendar, *v.rolling, *words(d["recent_words"], name="recent_words")],
            "ago": list(v.units), "dayref": [*v.weekdays, *first(list(v.relative))],
        },
        digits=_digit_kinds, margins=_MARGINS,
    )


def _digit_kinds(text: str, start: int, end: int) -> tuple[str, ...]:
    """A run of four digits may be a year; digits next to / . - may be a numeric date."""
    kinds: tuple[str, ...] = ("year",) if end - start == 4 else ()
    if text[end : end + 1] in ("/", ".", "-") or text[start - 1 : start] in ("/", ".", "-"):
        kinds += ("numeric",)
    return kinds


# -- calendar arithmetic ------------------------------------------------------------------------------------


def _days(n: int) -> dt.timedelta:
    return dt.timedelta(days=n)


def _mid(earliest: dt.date, latest: dt.date) -> dt.date:
    """Midpoint of a window, rounded to the later day."""
    return earliest + _days(((latest - earliest).days + 1) // 2)


def _precision(earliest: dt.date, latest: dt.date) -> int:
    width = (latest - earliest).days + 1
    return 1 if width <= 1 else 2 if width <= 8 else 3


def _span(earliest: dt.date, latest: dt.date, kind: str, nominal: dt.date | None = None, *,
          precision: int | None = None, year_only: bool = False) -> _When:
    """A window dated on ``nominal`` when it lies inside, else on the midpoint."""
    date = nominal if nominal is not None and earliest <= nominal <= latest else _mid(earliest, latest)
    return _When(date, precision or _precision(earliest, latest), earliest, latest, kind, year_only=year_only)


def _day(date: dt.date, kind: str, note: str = "") -> _When:
    return _When(date, 1, date, date, kind, note)


def _safe_date(year: int, month: int, day: int) -> dt.date | None:
    if not (1 <= month <= 12 and dt.MINYEAR <= year <= dt.MAXYEAR):
        return None
    return dt.date(year, month, day) if 1 <= day <= monthrange(year, month)[1] else None


def _clip(latest: dt.date, pub: dt.date, running: bool) -> dt.date:
    return min(latest, pub) if running else latest


def _month_part(year: int, month: int, part: str | None, pub: dt.date) -> _When:
    """A whole month (precision 3, the 15th) or its early/middle/late part (precision 2)."""
    last = monthrange(year, month)[1]
    running = (year, month) == (pub.year, pub.month)
    if part is None:
        first, end = dt.date(year, month, 1), dt.date(year, month, last)
        return _span(first, _clip(end, pub, running), "month", dt.date(year, month, 15), precision=3)
    lo, hi = {"early": (1, 10), "middle": (11, 20), "late": (21, last)}[part]
    first, end = dt.date(year, month, lo), _clip(dt.date(year, month, hi), pub, running)
    nominal = dt.date(year, month, 15) if part == "middle" else None
    return _span(first, max(first, end), "month", nominal, precision=2)


def _year_part(year: int, part: str | None, pub: dt.date) -> _When:
    months = {None: (1, 12, 6), "early": (1, 3, 2), "middle": (4, 9, 6), "late": (10, 12, 11)}[part]
    first, end = dt.date(year, months[0], 1), dt.date(year, months[1], monthrange(year, months[1])[1])
    end = _clip(end, pub, year == pub.year)
    return _span(first, max(first, end), "year", dt.date(year, months[2], 15), precision=3, year_only=part is None)


def _week_part(sunday: dt.date, part: str | None, pub: dt.date) -> _When:
    lo, hi = {None: (0, 6), "early": (0, 2), "middle": (2, 4), "late": (4, 6)}[part]
    first, end = sunday + _days(lo), sunday + _days(hi)
    end = _clip(end, pub, first <= pub <= sunday + _days(6))
    return _span(first, max(first, end), "span", precision=2)


def _shift_month(year: int, month: int, by: int) -> tuple[int, int]:
    index = year * 12 + month - 1 + by
    return index // 12, index % 12 + 1


def _year_of(month: int, day: int | None, pub: dt.date, qualifier: str | None) -> int:
    """The year of a month named without one, from the qualifier and the publication date."""
    if qualifier == "past":
        return pub.year if month < pub.month else pub.year - 1
    if qualifier == "next":
        return pub.year if month > pub.month else pub.year + 1
    if qualifier == "current":
        return pub.year
    candidate = _safe_date(pub.year, month, min(day or 1, monthrange(pub.year, month)[1]))
    return pub.year if candidate and candidate <= pub + _days(FUTURE_GRACE_DAYS) else pub.year - 1


def _last_weekday(on_or_before: dt.date, weekday: int) -> dt.date:
    return on_or_before - _days((on_or_before.weekday() - weekday) % 7)


def _next_weekday(on_or_after: dt.date, weekday: int) -> dt.date:
    return on_or_after + _days((weekday - on_or_after.weekday()) % 7)


def _week_start(day: dt.date) -> dt.date:
    """The Sunday that opens the week of ``day`` (the working week in Syria, Iraq and the Gulf)."""
    return day - _days((day.weekday() + 1) % 7)


# -- resolvers, one per pattern ------------------------------------------------------------------------------


def _qual(m: re.Match[str], group: str = "q") -> str | None:
    word = m.group(group)
    return _vocab().qualifier.get(key(word)) if word else None


def _day_of(m: re.Match[str]) -> int | None:
    if m.group("dn"):
        return int(m.group("dn"))
    return number_words().day_ordinals.get(key(m.group("do"))) if m.group("do") else None


def _explicit_year(m: re.Match[str], pub: dt.date) -> int | None:
    """The year named after a month: written, or العام الماضي / هذا العام."""
    if m.group("y"):
        return int(m.group("y"))
    if m.group("this"):
        return pub.year
    shift = {"past": -1, "next": 1, "current": 0}.get(_qual(m, "yq") or "")
    return None if shift is None else pub.year + shift


def _month_of(m: re.Match[str]) -> tuple[int, str]:
    months = _vocab().months
    first = months[key(m.group("m1"))]
    other = months.get(key(m.group("m2") or ""), first)
    return first, "" if other == first else "two month names disagree: kept the first"


def _calendar(m: re.Match[str], t: str, pub: dt.date) -> _When | None:
    if m.group("a"):
        return _range(m, pub)
    month, note = _month_of(m)
    day, part, qualifier = _day_of(m), m.group("part"), _qual(m)
    year = _explicit_year(m, pub)
    bare = day is None and part is None and year is None and qualifier is None and not m.group("mw")
    if bare and prev_word(t, m.start("m")) not in _vocab().bare_context:
        return None  # "مارس" the verb, "نيسان" the car maker
    if year is not None and not _vocab().min_year <= year <= pub.year + 1:
        return None
    year = year if year is not None else _year_of(month, day, pub, qualifier)
    if day is None:
        return replace(_month_part(year, month, _vocab().parts.get(key(part or "")), pub), note=note)
    date = _safe_date(year, month, day)
    if date is None:
        return None
    if m.group("wd") and date.weekday() != _vocab().weekdays[key(m.group("wd"))]:
        note = "weekday does not match the date: kept the date"
    return _day(date, "absolute", note)


def _range(m: re.Match[str], pub: dt.date) -> _When | None:
    """Days of one month: "بين 3 و5 آذار"، "من 10 إلى 12 أيار 2020"."""
    month, _ = _month_of(m)
    a, b = sorted((int(m.group("a")), int(m.group("b"))))
    year = _explicit_year(m, pub)
    year = year if year is not None else _year_of(month, a, pub, _qual(m))
    first, last = _safe_date(year, month, a), _safe_date(year, month, b)
    return _span(first, last, "span") if first and last and first < last else None


def _month_day(m: re.Match[str], t: str, pub: dt.date) -> _When | None:
    qualifier = "current" if m.group("this") else _qual(m)
    day = _day_of(m)
    if qualifier is None or day is None:
        return None
    year, month = _shift_month(pub.year, pub.month, {"past": -1, "next": 1}.get(qualifier, 0))
    date = _safe_date(year, month, day)
    return _day(date, "absolute") if date else None


def _numeric(m: re.Match[str], t: str, pub: dt.date) -> _When | None:
    g = m.group
    year, month, day = (int(g("y1")), int(g("m1")), int(g("d1"))) if g("y1") else (
        int(g("y2")), int(g("m2")), int(g("d2")))
    if month > 12 >= day:
        month, day = day, month
    date = _safe_date(year, month, day)
    ok = date is not None and _vocab().min_year <= year <= pub.year + 1
    return _day(date, "absolute") if ok and date else None


def _hijri_date(year: int, month: int, day: int) -> dt.date | None:
    try:
        g = Hijri(year, month, day).to_gregorian()
    except (ValueError, OverflowError):
        return None
    return dt.date(g.year, g.month, g.day)


def _hijri(m: re.Match[str], t: str, pub: dt.date) -> _When | None:
    month, day = _vocab().hijri[key(m.group("hm"))], _day_of(m)
    if day is None and not m.group("y") and not m.group("mw"):
        return None  # صفر "zero", رمضان a name
    try:
        today = Gregorian(pub.year, pub.month, pub.day).to_hijri()
    except (ValueError, OverflowError):
        return None
    qualifier = _qual(m)
    if m.group("y"):
        year = int(m.group("y"))
        if not 1343 <= year <= 1500:
            return None
    elif qualifier == "past":
        year = today.year if month < today.month else today.year - 1
    elif qualifier == "next":
        year = today.year if month > today.month else today.year + 1
    else:
        start = _hijri_date(today.year, month, day or 1)
        year = today.year if start and (qualifier or start <= pub + _days(FUTURE_GRACE_DAYS)) else today.year - 1
    if day is not None:
        date = _hijri_date(year, month, day)
        return _day(date, "hijri") if date else None
    first = _hijri_date(year, month, 1)
    if first is None:
        return None
    last = first + _days(Hijri(year, month, 1).month_length() - 1)
    return _span(first, _clip(last, pub, first <= pub <= last), "hijri", first + _days(14), precision=3)


def _year(m: re.Match[str], t: str, pub: dt.date) -> _When | None:
    year, v = int(m.group("y")), _vocab()
    if not v.min_year <= year <= pub.year + 1:
        return None
    bare = not (m.group("yw") or m.group("part") or m.group("lead"))
    if bare and (prev_word(t, m.start("m")) not in v.bare_context or not _ends_clause(t, m.end("m"))):
        return None  # a figure, not a year
    last = int(m.group("y2") or year)
    if last > year and last <= pub.year + 1:  # عامي 2019 و2020
        return _span(dt.date(year, 1, 1), _clip(dt.date(last, 12, 31), pub, last == pub.year), "year", precision=3)
    return _year_part(year, v.parts.get(key(m.group("part") or "")), pub)


def _ends_clause(t: str, pos: int) -> bool:
    """A bare year is followed by punctuation, the end, another year or a calendar marker."""
    following = next_word(t, pos)
    return (not following or not following[0].isalpha() or following in _vocab().gregorian_markers
            or (following[0] == "و" and following[1:2].isdigit()) or t[pos : pos + 1] in "،,.:؛)\n")


def _period(m: re.Match[str], t: str, pub: dt.date) -> _When | None:
    v = _vocab()
    if m.group("recent"):
        return _span(pub - _days(int(load_data("dates")["recent_days"])), pub, "relative", precision=3)
    unit = key(m.group("u0") or m.group("u"))
    qualifier = "current" if m.group("this") else _qual(m) or "past"
    part = v.parts.get(key(m.group("part") or ""))
    if unit in v.calendar:
        shift = {"past": -1, "next": 1}.get(qualifier, 0)
        if v.calendar[unit] == "week":
            return _week_part(_week_start(pub) + _days(7 * shift), part, pub)
        if v.calendar[unit] == "month":
            return _month_part(*_shift_month(pub.year, pub.month, shift), part, pub)
        return _year_part(pub.year + shift, part, pub)
    name, days = v.rolling[unit]
    if name == "hours":  # خلال الساعات الماضية: today, or late yesterday
        return _When(pub, 1, pub - _days(1), pub, "span")
    if qualifier == "next":
        return _span(pub + _days(1), pub + _days(days), "span")
    if name == "period":  # الفترة الماضية، الآونة الأخيرة: as vague as "recently"
        return _span(pub - _days(days), pub, "relative", precision=3)
    return _span(pub - _days(days), pub - _days(1), "span")


def _ago(m: re.Match[str], t: str, pub: dt.date) -> _When | None:
    v = _vocab()
    if next_word(t, m.end("m")) in v.ago_not_before:
        return None  # "قبل يومين من الهجوم" counts from the attack, not from publication
    word = m.group("u1") or m.group("u2") or m.group("u3")
    unit, said = v.units[key(word)]
    n = word_value(m.group("n")) if m.group("n") else None if m.group("few") or m.group("fewa") else said
    per = v.unit_days[unit]
    if n is None:  # a few days / weeks / months / years ago
        lo, hi = {"hour": (0, 0), "day": (FEW_DAYS, 1), "week": (35, 14), "month": (180, 60)}.get(
            unit, (5 * 365, 2 * 365))
        return _span(pub - _days(lo), pub - _days(hi), "relative")
    if unit == "hour":
        return _day(pub - _days(n // 24), "relative")
    date = pub - _days(n * per)
    if unit == "day" and n <= 7:
        return _day(date, "relative")
    half = {"day": 2, "week": 3, "month": 15}.get(unit, 182)
    return _When(date, 2 if half <= 3 else 3, date - _days(half), date + _days(half), "relative")


def _dayref(m: re.Match[str], t: str, pub: dt.date) -> _When | None:
    v = _vocab()
    rel, wd_word = m.group("rel"), m.group("wd") or m.group("wd2")
    weekday = v.weekdays[key(wd_word)] if wd_word else None
    if rel is not None:
        return _relative_day(m, t, pub, key(rel), weekday)
    assert weekday is not None
    before, after = prev_word(t, m.start("m")), next_word(t, m.end("m"))
    bare = not (m.group("lead") or m.group("tod") or m.group("q") or "يوم" in m.group(0))
    if bare and (before in v.weekday_not_after or after in v.weekday_not_before):
        return None  # صلاة الجمعة، كلا الاثنين
    qualifier = _qual(m)
    if qualifier == "past":
        return _day(_last_weekday(pub - _days(1), weekday), "weekday")
    if qualifier == "next":
        return _day(_next_weekday(pub + _days(1), weekday), "weekday")
    return _day(_last_weekday(pub, weekday), "weekday")


def _relative_day(m: re.Match[str], t: str, pub: dt.date, rel: str, weekday: int | None) -> _When | None:
    v = _vocab()
    offset = v.relative[rel]
    if weekday is None and offset == 0 and next_word(t, m.end("m")) in v.today_not_before:
        return None  # اليوم التالي، اليوم الأول
    if weekday is None and offset > 0 and not (m.group("tod") or "يوم" in m.group(0) or rel.startswith("بعد")):
        return None  # "غدا" the verb, "الغد" the newspaper
    named = pub + _days(offset)
    if weekday is None or named.weekday() == weekday:
        return _day(named, "weekday" if weekday is not None else "relative")
    note = f"weekday contradicts {_DAY_NAMES.get(offset, rel)}: kept the weekday"
    if offset > 0:
        return _day(_next_weekday(named, weekday), "weekday", note)
    return _day(_last_weekday(named, weekday), "weekday", note)


_Resolver = Callable[[re.Match[str], str, dt.date], _When | None]
_RESOLVERS: dict[str, _Resolver] = {
    "numeric": _numeric, "calendar": _calendar, "month_day": _month_day, "hijri": _hijri,
    "year": _year, "period": _period, "ago": _ago, "dayref": _dayref,
}


# -- finding ---------------------------------------------------------------------------------------------------


def _historical(when: _When, pub: dt.date) -> bool:
    return when.latest < pub - _days(HISTORICAL_DAYS) or (when.year_only and when.earliest.year < pub.year)


def _matches(stripped: Stripped, window: Window, pub: dt.date) -> list[tuple[int, int, _When]]:
    t = stripped.text
    found = []
    for m in _patterns()[window.kind].finditer(t, window.start, window.end):
        when = _RESOLVERS[window.kind](m, t, pub)
        if when is not None:
            found.append((m.start("m"), m.end("m"), when))
    return found


def find_dates(text: str, published: dt.date) -> list[DateMention]:
    """Every date expression in ``text``, resolved against ``published``, in order."""
    stripped = strip_marks(text)
    found = [f for window in _anchors().windows(stripped.text) for f in _matches(stripped, window, published)]
    kept: list[tuple[int, int, _When]] = []
    for start, end, when in sorted(found, key=lambda f: (f[0] - f[1], f[0])):  # longest first
        if all(end <= s or start >= e for s, e, _ in kept):
            kept.append((start, end, when))
    out = []
    for start, end, w in sorted(kept, key=lambda k: k[0]):
        span = stripped.span(start, end)
        out.append(DateMention(span.start, span.end, text[span.start : span.end], w.date, w.precision,
                               w.earliest, w.latest, _historical(w, published), w.kind, w.note, w.year_only))
    return out


def resolve_date(expression: str, published: dt.date) -> DateMention | None:
    """The longest date expression in ``expression``, or None."""
    found = find_dates(expression, published)
    return max(found, key=lambda d: (d.end - d.start, -d.start)) if found else None
