"""Arabic numbers, counts and fatality figures.

:func:`find_counts` reads every count in a text: digits (ASCII, Arabic-Indic,
Persian), number words and compounds (ثلاثة وعشرين، ألف وخمسمئة), ranges
(بين 4 و6، من 4 إلى 6، 4-6، أربعة أو خمسة), duals (عنصرين = 2), one person
after an event noun (مقتل عنصر = 1) and vague quantities (عشرات، عدد من = no
figure, ``vague``).  :func:`fatalities_near` reads the figure attached to a
word of death in one sentence; the injured never count.  :func:`may_report_deaths`
tells from a sentence's normalised text, at the cost of one automaton pass, that
it holds no word of death, so most sentences need not be read at all.

The module also holds the scanning helpers that :mod:`rasad.text.dates`
shares: word lists become regex groups through :func:`word_group` (which
refuses an empty list), and a text is matched only in windows around anchor
words found by an Aho-Corasick automaton, so an article costs little more
than one pass of the automaton.  Offsets always point into the text given.
"""

from __future__ import annotations

import itertools
import json
import operator
import re
from bisect import bisect_right
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import cache, lru_cache
from importlib import resources
from typing import Any

import ahocorasick
import yaml

from rasad.errors import KnowledgeBaseError
from rasad.frozen import quick_init
from rasad.model import Span
from rasad.text.normalize import normalize_text

B = r"(?<![^\W_])"  # left word boundary
E = r"(?![^\W_])"  # right word boundary
SP = r"(?:[^\S\n]+)"  # spaces within a line
CLITIC = r"(?:[وف]?[بل]?)"

# Letters that normalisation folds together: patterns accept every raw form,
# so a text is matched as written, without building a normalised copy.
_FOLDS = {"ا": "اأإآٱ", "ي": "يىئی", "ه": "هةۀہھ", "و": "وؤ", "ك": "كک"}
_CLASSES = {c: "[" + forms + "]" for c, forms in _FOLDS.items()}

# -- data and pattern helpers ---------------------------------------------------------------------------


@cache
def load_data(name: str) -> dict[str, Any]:
    """One YAML data file of ``rasad/text/data`` (``dates`` or ``numbers``)."""
    raw = resources.files("rasad.text").joinpath(f"data/{name}.yaml").read_text(encoding="utf-8")
    loaded: dict[str, Any] = yaml.safe_load(raw)
    return loaded


@lru_cache(maxsize=8192)
def key(text: str) -> str:
    """Normalised form of a matched word or phrase, for table look-ups."""
    return normalize_text(text)


def words(values: Iterable[object], *, name: str) -> tuple[str, ...]:
    """Normalised, de-duplicated phrases of a word list; an empty list is a data error."""
    out = tuple(dict.fromkeys(w for w in (normalize_text(str(v)) for v in values or ()) if w))
    if not out:
        raise KnowledgeBaseError(f"word list {name!r} is missing or empty")
    return out


_PATTERN_TOKEN = re.compile(r"\\.|\[(?:\\.|[^\]])*\]|.", re.S)  # an escape, a class or one character


def fuzzy(pattern: str) -> str:
    """Let a pattern written in normalised letters match every raw spelling.

    Folded letters become classes ([اأإآ] for ا) and a space becomes a run of
    spaces; escapes and existing classes ``[...]`` are left alone.
    """
    return "".join(SP if t == " " else _CLASSES.get(t, t) for t in _PATTERN_TOKEN.findall(pattern))


def word_group(values: Iterable[str], *, name: str) -> str:
    """A non-capturing regex for a list of phrases, matching their raw spellings.

    The phrases are merged into a trie, so the regex tries one branch per
    letter instead of one per phrase; a longer phrase is preferred to its prefix.
    """
    trie: dict[str, Any] = {}
    for phrase in words(values, name=name):
        node = trie
        for c in phrase:
            node = node.setdefault(c, {})
        node[""] = {}
    return "(?:" + _trie_regex(trie) + ")"


def _trie_regex(node: dict[str, Any]) -> str:
    branches = [fuzzy(re.escape(c).replace("\\ ", " ")) + _trie_regex(child) for c, child in sorted(node.items()) if c]
    if not branches:
        return ""
    body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
    if "" in node:
        return body + "?" if len(branches) == 1 and len(branches[0]) == 1 else "(?:" + body + ")?"
    return body


def value_table(table: dict[Any, Any], *, name: str) -> dict[str, int]:
    """``{value: [phrases]}`` from a data file as ``{normalised phrase: value}``."""
    if not table:
        raise KnowledgeBaseError(f"table {name!r} is missing or empty")
    return {w: int(k) for k, forms in table.items() for w in words(forms, name=f"{name}.{k}")}


def fill(template: str, parts: dict[str, str]) -> re.Pattern[str]:
    """Compile ``template`` (normalised letters) with each ``%NAME%`` replaced by ``parts[NAME]``."""
    return re.compile(re.sub(r"%(\w+)%", lambda m: parts[m.group(1)], fuzzy(template)))


# -- scanning: marks removed, anchors, windows -------------------------------------------------------------


@cache
def _mark_runs() -> re.Pattern[str]:
    raw = resources.files("rasad.text").joinpath("data/charmap.json").read_text(encoding="utf-8")
    charmap: dict[str, Any] = json.loads(raw)
    chars = "[" + re.escape("".join(str(charmap[k]) for k in ("diacritics", "tatweel", "invisible"))) + "]"
    return re.compile(f"({chars}{chars}*)")  # X X* rather than X+: the scan then skips ahead on the set


@quick_init
@dataclass(frozen=True, slots=True)
class Stripped:
    """``source`` without diacritics, tatweel and invisible marks (``text``), with the way back."""

    source: str
    text: str
    starts: tuple[int, ...] = ()  # where each kept run begins in ``text``
    shifts: tuple[int, ...] = ()  # original offset minus stripped offset inside that run

    def original(self, pos: int) -> int:
        if pos >= len(self.text):
            return len(self.source)
        if not self.starts:
            return pos
        return pos + self.shifts[bisect_right(self.starts, pos) - 1]

    def span(self, start: int, end: int) -> Span:
        """The original span; marks right after the last letter (ً in غداً) belong to it."""
        return Span(self.original(start), self.original(max(start, end)))


_LAST_STRIPPED: list[Stripped] = []


def strip_marks(text: str) -> Stripped:
    """Drop the marks normalisation deletes; every other character keeps its place.

    The last result is kept: find_dates and find_counts on one article strip it once.
    """
    if _LAST_STRIPPED and _LAST_STRIPPED[0].source is text:
        return _LAST_STRIPPED[0]
    result = _strip_marks(text)
    _LAST_STRIPPED[:] = [result]
    return result


def _strip_marks(text: str) -> Stripped:
    pieces = _mark_runs().split(text)
    if len(pieces) == 1:
        return Stripped(text, text)
    kept = pieces[0::2]
    original_starts = [0, *itertools.accumulate(map(len, pieces))][0::2]
    starts = [0, *itertools.accumulate(map(len, kept))][:-1]
    shifts = tuple(map(operator.sub, original_starts, starts))
    return Stripped(text, "".join(kept), tuple(starts), shifts)


_PROCLITIC_PREFIXES = frozenset(
    a + b for a in ("", "و", "ف") for b in ("", "ب", "ل", "ك", "ال", "بال", "كال", "لل")
)
_DIGIT = r"[0-9\u0660-\u0669\u06f0-\u06f9]"
_DIGITS = re.compile(_DIGIT + _DIGIT + "*")  # as _mark_runs: a pattern that opens on a set scans fast


def spelling_variants(word: str) -> set[str]:
    """Raw spellings that normalise to ``word`` (alef and hamza forms, ة/ه, ى/ي)."""
    options = [_FOLDS.get(c, c)[:4] for c in word]
    return {"".join(p) for p in itertools.product(*options)}


@quick_init
@dataclass(frozen=True, slots=True)
class Window:
    """A stretch of the stripped text where one kind of pattern may match."""

    start: int
    end: int
    kind: str


class Anchors:
    """Words one of which every match contains; a text is matched only around them.

    ``table`` maps each pattern kind to its anchor words, ``digits(text, start,
    end)`` names the kinds that a run of digits calls for, and ``margins`` says
    how far each kind's matches may reach before and after an anchor.
    """

    def __init__(self, table: dict[str, Iterable[str]], *, digits: Callable[[str, int, int], tuple[str, ...]],
                 margins: dict[str, tuple[int, int]]) -> None:
        self.margins = margins
        self.digit_kinds = digits
        kinds: dict[str, set[str]] = {}
        for kind, anchor_words in table.items():
            for word in words(anchor_words, name=f"anchors.{kind}"):
                kinds.setdefault(word, set()).add(kind)
        self._automaton: Any = ahocorasick.Automaton()
        for word, word_kinds in kinds.items():
            for variant in spelling_variants(word):
                self._automaton.add_word(variant, (len(variant), tuple(sorted(word_kinds))))
        self._automaton.make_automaton()

    def _hits(self, text: str) -> list[tuple[int, int, tuple[str, ...]]]:
        kinds_of = self.digit_kinds
        hits = [(m.start(), m.end(), kinds_of(text, m.start(), m.end())) for m in _DIGITS.finditer(text)]
        size = len(text)
        for last, (length, kinds) in self._automaton.iter(text):
            end = last + 1
            if end < size and text[end].isalpha():
                continue  # inside a longer word
            if _is_word(text, end - length, end):
                hits.append((end - length, end, kinds))
        hits.sort()
        return hits

    def windows(self, text: str) -> list[Window]:
        """Merged stretches around the anchors of ``text`` (a stripped text), one kind each."""
        open_spans: dict[str, list[int]] = {}
        out: list[Window] = []
        for start, end, kinds in self._hits(text):
            for kind in kinds:
                before, after = self.margins[kind]
                lo, hi = max(0, start - before), min(len(text), end + after)
                span = open_spans.get(kind)
                if span and lo <= span[1]:
                    span[1] = max(span[1], hi)
                else:
                    if span:
                        out.append(_window(text, span, kind))
                    open_spans[kind] = [lo, hi]
        out.extend(_window(text, span, kind) for kind, span in open_spans.items())
        return out


def _window(text: str, span: list[int], kind: str) -> Window:
    """A window that ends at a word's end (patterns see the text before its start anyway)."""
    lo, hi = span
    while hi < len(text) and text[hi].isalnum():
        hi += 1
    return Window(lo, hi, kind)


def _is_word(text: str, start: int, end: int) -> bool:
    """The anchor starts a word, allowing proclitics and the article before it."""
    if start == 0 or not text[start - 1].isalpha():
        return True
    j = start
    while j > 0 and text[j - 1].isalpha():
        j -= 1
        if start - j > 4:
            return False
    return j == start or text[j:start] in _PROCLITIC_PREFIXES


_PUNCT = "،,.:؛()\"«»“”"


def prev_word(text: str, pos: int) -> str:
    """The normalised word before ``pos``, without punctuation."""
    head = text[max(0, pos - 40) : pos].split()
    return key(head[-1].strip(_PUNCT)) if head else ""


def next_word(text: str, pos: int) -> str:
    """The normalised word after ``pos``, without punctuation."""
    tail = text[pos : pos + 40].split()
    return key(tail[0].strip(_PUNCT)) if tail else ""


# -- counts -------------------------------------------------------------------------------------------------


@quick_init
@dataclass(frozen=True, slots=True)
class Count:
    """A quantity in the text: ``low``/``high`` bound it; vague words have neither."""

    start: int
    end: int
    text: str
    low: int | None
    high: int | None
    vague: bool
    qualifier: str = ""  # approx, at_least, more_than, range, dual, singular, or the vague kind


@quick_init
@dataclass(frozen=True, slots=True)
class NumberWords:
    values: dict[str, int]
    multipliers: dict[str, int]
    day_ordinals: dict[str, int]
    vague: dict[str, str]
    modifiers: dict[str, str]
    designators: frozenset[str]
    duals: frozenset[str]
    singular_casualties: frozenset[str]


@cache
def number_words() -> NumberWords:
    data = load_data("numbers")
    values: dict[str, int] = {}
    for table in ("units", "teens", "tens", "hundreds", "thousands"):
        values.update(value_table(data[table], name=table))
    return NumberWords(
        values=values,
        multipliers=value_table(data["multipliers"], name="multipliers"),
        day_ordinals=value_table(data["day_ordinals"], name="day_ordinals"),
        vague={w: kind for kind, forms in data["vague"].items() for w in words(forms, name=f"vague.{kind}")},
        modifiers={w: kind for kind, forms in data["modifiers"].items() for w in words(forms, name=kind)},
        designators=frozenset(words(data["designators"], name="designators")),
        duals=frozenset(words(data["duals"], name="duals")),
        singular_casualties=frozenset(words(data["singular_casualties"], name="singular_casualties")),
    )


def number_group() -> str:
    """Regex for a number written in words, compounds included (ثلاثة وعشرين، ثلاث مئة)."""
    nw = number_words()
    one = word_group(nw.values, name="number words") + E
    mult = word_group(nw.multipliers, name="multipliers") + E
    return rf"{one}(?:{SP}{fuzzy('و')}{SP}?{one}|{SP}{mult})*"


def day_ordinal_group() -> str:
    return word_group(number_words().day_ordinals, name="day_ordinals") + E


def word_value(phrase: str) -> int | None:
    """The value of a number phrase in digits or words; None when it is not one."""
    nw = number_words()
    tokens = key(phrase).replace("٬", "").replace(",", "").split()
    total = current = 0
    i = 0
    while i < len(tokens):
        tok = tokens[i]
        pair = f"{tok} {tokens[i + 1]}" if i + 1 < len(tokens) else ""
        if tok == "و":
            pass
        elif tok.isdigit():
            current += int(tok)
        elif pair in nw.values:
            current += nw.values[pair]
            i += 1
        elif tok in nw.multipliers and (current or tok not in nw.values):
            current = max(current, 1) * nw.multipliers[tok]
            if nw.multipliers[tok] >= 1000:
                total, current = total + current, 0
        elif tok in nw.values or (tok[:1] == "و" and tok[1:] in nw.values):
            current += nw.values.get(tok, nw.values.get(tok[1:], 0))
        else:
            return None
        i += 1
    return total + current


_COUNT = (
    B + r"(?:[وفب])??(?P<m>(?:(?P<mod>%MOD%) )?(?:"
    r"%BETWEEN% (?P<a1>%NUM%) ?(?:و ?|%TO% |- ?)(?P<a2>%NUM%)"
    r"|%FROM% (?P<b1>%NUM%) %TO% (?P<b2>%NUM%)"
    r"|(?<![\d\-/.])(?P<c1>\d+) ?[-–] ?(?P<c2>\d+)(?![\-/.]?\d)"
    r"|(?P<n1>%NUM%)(?: %OR% (?P<n2>%NUM%))?"
    r"|(?P<vague>%VAGUE%)|(?P<dual>%DUAL%))(?: (?P<post>%POST%))?)" + E
)
_SINGLE = B + r"(?:[وفل])??(?P<ev>%EVENT%) (?P<m>(?:ال)?%PERSON%%E%(?P<and> و(?:ال)?%PERSON%)?)" + E
_CASUALTY = B + r"(?:[وفب])??(?P<m>%CAS%)" + E


@cache
def _count_patterns() -> dict[str, re.Pattern[str]]:
    data = load_data("numbers")
    nw = number_words()
    dig = r"(?<![\d.,٫/:\-])(?:\d{1,3}(?:[,٬]\d{3})+|\d+)(?!\d)(?![.,٫/:\-]\d)(?! ?%)"
    mult = word_group(nw.multipliers, name="multipliers") + E
    parts = {
        "NUM": rf"(?:{dig}(?:{SP}{mult})?|{number_group()})",
        "MOD": word_group(nw.modifiers, name="modifiers"),
        "POST": word_group(data["at_least_after"], name="at_least_after"),
        "VAGUE": word_group(nw.vague, name="vague"),
        "DUAL": word_group(nw.duals, name="duals"),
        "BETWEEN": word_group(data["range_between"], name="range_between"),
        "FROM": word_group(data["range_from"], name="range_from"),
        "TO": word_group(data["range_to"], name="range_to"),
        "OR": word_group(data["range_or"], name="range_or"),
        "EVENT": word_group(data["event_nouns"], name="event_nouns"),
        "PERSON": word_group(data["person_singular"], name="person_singular"),
        "CAS": word_group(nw.singular_casualties, name="singular_casualties"),
        "E": E,
    }
    return {"count": fill(_COUNT, parts), "single": fill(_SINGLE, parts), "casualty": fill(_CASUALTY, parts)}


@cache
def _count_anchors() -> Anchors:
    data = load_data("numbers")
    nw = number_words()
    return Anchors(
        {
            "count": [w.split()[0] for w in [*nw.values, *nw.multipliers, *nw.vague, *nw.duals]],
            "single": words(data["event_nouns"], name="event_nouns"),
            "casualty": nw.singular_casualties,
        },
        digits=lambda text, start, end: ("count",), margins={"count": (16, 24), "single": (2, 20), "casualty": (2, 2)},
    )


def _count_from(m: re.Match[str], text: str) -> Count:
    """The Count of one match of the count pattern (offsets into the matched text)."""
    nw = number_words()
    g = m.group
    start, end = m.start("m"), m.end("m")
    if g("vague"):
        return Count(start, end, text[start:end], None, None, True, nw.vague[key(g("vague"))])
    if g("dual"):
        return Count(start, end, text[start:end], 2, 2, False, "dual")
    values = [word_value(g(a)) for a in ("a1", "a2", "b1", "b2", "c1", "c2", "n1", "n2") if g(a)]
    nums = [v for v in values if v is not None]
    if not nums or len(nums) != len(values):
        return Count(start, end, text[start:end], None, None, True)
    if len(nums) == 2:
        return Count(start, end, text[start:end], min(nums), max(nums), False, "range")
    kind = nw.modifiers.get(key(g("mod") or ""), "at_least" if g("post") else "")
    high = None if kind in ("at_least", "more_than") else nums[0]
    return Count(start, end, text[start:end], nums[0], high, False, kind)


def counts_in(text: str, kinds: Iterable[str] = ("count", "single", "casualty"), start: int = 0,
              end: int | None = None) -> list[Count]:
    """Counts in ``text[start:end]`` (a text without marks), offsets into ``text``, in order."""
    end = len(text) if end is None else end
    found: list[Count] = []
    events: set[int] = set()
    for kind in ("count", "single", "casualty"):
        if kind in kinds:
            found.extend(_counts_of_kind(text, kind, start, end, events))
    return _without_overlaps(found)


def _counts_of_kind(text: str, kind: str, start: int, end: int, events: set[int]) -> Iterable[Count]:
    nw = number_words()
    for m in _count_patterns()[kind].finditer(text, start, end):
        if kind == "count":
            if m.group("vague") or prev_word(text, m.start()) not in nw.designators:  # الفرقة 17
                yield _count_from(m, text)
        elif kind == "single":
            events.add(m.start("ev"))
            n = 2 if m.group("and") else 1
            yield Count(m.start("m"), m.end("m"), m.group("m"), n, n, False, "singular")
        elif _lone_casualty(text, m, events):
            yield Count(m.start("m"), m.end("m"), m.group("m"), 1, 1, False, "singular")


def _lone_casualty(text: str, m: re.Match[str], events: set[int]) -> bool:
    """"سقوط قتيل" counts one unless a figure or a person noun already counts it."""
    before = text[max(0, m.start() - 12) : m.start()].rstrip()
    return m.start() not in events and not before[-1:].isdigit() and next_word(text, m.end()) not in ("واحد", "واحده")


def _without_overlaps(found: list[Count]) -> list[Count]:
    kept: list[Count] = []
    for item in sorted(found, key=lambda c: (c.start, -c.end)):
        if not kept or item.start >= kept[-1].end:
            kept.append(item)
    return kept


def find_counts(text: str) -> list[Count]:
    """Every count in ``text``, in order, with offsets into ``text``."""
    stripped = strip_marks(text)
    found: list[Count] = []
    events: set[int] = set()
    order = ("count", "single", "casualty")  # person nouns after event nouns are seen before lone casualty nouns
    for window in sorted(_count_anchors().windows(stripped.text), key=lambda w: order.index(w.kind)):
        found.extend(_counts_of_kind(stripped.text, window.kind, window.start, window.end, events))
    out = []
    for c in _without_overlaps(found):
        a, b = stripped.original(c.start), stripped.original(c.end)
        out.append(Count(a, b, text[a:b], c.low, c.high, c.vague, c.qualifier))
    return out


def parse_count(phrase: str) -> Count | None:
    """The first count in one phrase, or None."""
    found = find_counts(phrase)
    return found[0] if found else None


def conservative(count: Count) -> int | None:
    """The figure ACLED records: the lowest of a range, the stated figure of "more than N"; None when vague."""
    return count.low


# -- fatalities -----------------------------------------------------------------------------------------------


@quick_init
@dataclass(frozen=True, slots=True)
class FatalityReading:
    """Deaths reported in a sentence: ``value`` is None when no figure is given.

    ``vague`` is True when words of death appear without a figure (قتلى، عشرات
    القتلى); no death word at all gives ``(None, False, None)``.  ``span`` covers
    the death word and its figure, in the offsets of the text given.
    """

    value: int | None
    vague: bool
    span: Span | None


@quick_init
@dataclass(frozen=True, slots=True)
class _Cues:
    death: re.Pattern[str]
    injury: re.Pattern[str]
    negation: re.Pattern[str]
    before: frozenset[str]
    after: frozenset[str]
    alone: dict[str, int]  # nouns that are a figure themselves (قتيل = 1, قتيلين = 2)
    vague: frozenset[str]  # death words that count without a figure
    time: frozenset[str]  # a figure before these is not a number of people
    gap_ignore: frozenset[str]
    max_gap: int
    first_words: Any  # Aho-Corasick automaton of the first word of every death cue (normalised)


@cache
def _cues() -> _Cues:
    f = load_data("numbers")["fatalities"]
    death = [*f["before_count"], *f["after_count"], *f["one_death"], *f["two_deaths"], *f["vague"]]
    return _Cues(
        death=re.compile(B + CLITIC + "(" + word_group(death, name="death cues") + ")" + E),
        injury=re.compile(B + CLITIC + word_group(f["injury"], name="injury") + E),
        negation=re.compile(B + CLITIC + word_group(f["negation"], name="negation") + E),
        before=frozenset(words(f["before_count"], name="before_count")),
        after=frozenset(words(f["after_count"], name="after_count")),
        alone={w: n for n, name in ((1, "one_death"), (2, "two_deaths")) for w in words(f[name], name=name)},
        vague=frozenset(words(f["vague"], name="vague")),
        time=_time_words(f["time_nouns"]),
        gap_ignore=frozenset(words(f["gap_ignore"], name="gap_ignore")),
        max_gap=int(f["max_gap_words"]),
        first_words=_automaton(w.split()[0] for w in words(death, name="death cues")),
    )


def _automaton(phrases: Iterable[str]) -> Any:
    automaton: Any = ahocorasick.Automaton()
    for phrase in phrases:
        automaton.add_word(phrase, phrase)
    automaton.make_automaton()
    return automaton


_CUE_CLITICS = ("", "و", "ف", "ب", "ل", "وب", "ول", "فب", "فل")  # what CLITIC lets stand before a death cue


def may_report_deaths(text: str, start: int, end: int, normalized: str) -> bool:
    """A quick test: False means :func:`fatalities_near` finds no death word in ``text[start:end]``.

    ``normalized`` is ``normalize_text(text[start:end])``.  Every spelling a death cue matches
    normalises to the cue, and normalisation keeps letters letters and other characters not, so
    a death cue shows in ``normalized`` as the first word of a cue standing alone or after
    clitics.  Only a NUL character, which normalisation deletes, could join two words: such a
    sentence is always read.
    """
    if text.find("\x00", start, end) >= 0:
        return True
    size = len(normalized)
    for last, word in _cues().first_words.iter(normalized):
        if last + 1 < size and normalized[last + 1].isalnum():
            continue
        first = last + 1 - len(word)
        if any(_starts_word(normalized, first, clitic) for clitic in _CUE_CLITICS):
            return True
    return False


def _starts_word(text: str, pos: int, clitic: str) -> bool:
    """``clitic`` stands right before ``pos`` at the start of a word."""
    begin = pos - len(clitic)
    return begin >= 0 and text.startswith(clitic, begin) and (begin == 0 or not text[begin - 1].isalnum())


def _time_words(time_nouns: list[str]) -> frozenset[str]:
    """Time nouns, plus the first word of every month name of ``dates.yaml``."""
    months = load_data("dates")
    names = [w for table in ("gregorian_months", "hijri_months") for forms in months[table].values() for w in forms]
    return frozenset(words(time_nouns, name="time_nouns")) | {w.split()[0] for w in words(names, name="months")}


_HARD_STOP = re.compile(r"[.!?؟؛:\n]")


def _gap_ok(text: str, start: int, end: int, cues: _Cues) -> bool:
    gap = text[start:end]
    if _HARD_STOP.search(gap) or cues.injury.search(gap) or cues.death.search(gap):
        return False
    skip = cues.time | cues.gap_ignore
    return sum(1 for w in gap.split() if not w.isdigit() and key(w) not in skip) <= cues.max_gap


def _attached(text: str, cue: re.Match[str], counts: list[Count], cues: _Cues) -> Count | None:
    """The count a death cue governs: before it for nouns (5 قتلى), after it for verbs (مقتل 5)."""
    word = key(cue.group(1))
    counts = [c for c in counts if next_word(text, c.end) not in cues.time]
    if word in cues.after:
        before = [c for c in counts if c.end <= cue.start()]
        if before and _gap_ok(text, before[-1].end, cue.start(), cues):
            c = before[-1]
            if not cues.injury.search(prev_word(text, c.start)) and not _injured_too(text, cue.end(), cues):
                return c
    if word in cues.before:
        after = [c for c in counts if c.start >= cue.end()]
        if after and _gap_ok(text, cue.end(), after[0].start, cues):
            c = after[0]
            if not cues.injury.search(next_word(text, c.end)):
                return c
    return None


def _injured_too(text: str, pos: int, cues: _Cues) -> bool:
    """"12 قتيلاً وجريحاً": the figure counts both, so it is not a death toll."""
    following = next_word(text, pos)
    return following.startswith("و") and bool(cues.injury.fullmatch(following[1:]))


def _negated(text: str, pos: int, cues: _Cues) -> bool:
    head = " ".join(text[max(0, pos - 60) : pos].split()[-5:])
    return bool(cues.negation.search(head))


def fatalities_near(text: str, start: int, end: int) -> FatalityReading:
    """Deaths reported in ``text[start:end]`` (one sentence).

    The largest figure attached to a death word wins; death words without a
    figure give ``value=None, vague=True``; death words under a negation
    (دون وقوع قتلى) give 0.
    """
    stripped = strip_marks(text[start:end])
    t = stripped.text
    cues = _cues()
    if cues.death.search(t) is None:
        return FatalityReading(None, False, None)
    counts = counts_in(t)
    figures: list[tuple[int, int, int]] = []  # value, start, end in the stripped sentence
    vague: list[tuple[int, int]] = []
    zero: list[tuple[int, int]] = []
    for cue in cues.death.finditer(t):
        c = _attached(t, cue, counts, cues)
        lo, hi = (min(cue.start(1), c.start), max(cue.end(), c.end)) if c else (cue.start(1), cue.end())
        if c and c.low is not None:
            figures.append((c.low, lo, hi))
        elif not c and key(cue.group(1)) in cues.alone:
            figures.append((cues.alone[key(cue.group(1))], lo, hi))
        elif not c and _negated(t, cue.start(), cues):
            zero.append((lo, hi))
        elif c or key(cue.group(1)) in cues.vague:
            vague.append((lo, hi))
    if figures:
        value, lo, hi = max(figures, key=lambda f: (f[0], -f[1]))
        return _reading(stripped, start, value, lo, hi)
    if vague:
        return _reading(stripped, start, None, *vague[0])
    if zero:
        return _reading(stripped, start, 0, *zero[0])
    return FatalityReading(None, False, None)


def _reading(stripped: Stripped, offset: int, value: int | None, lo: int, hi: int) -> FatalityReading:
    span = stripped.span(lo, hi)
    return FatalityReading(value, value is None, Span(span.start + offset, span.end + offset))
