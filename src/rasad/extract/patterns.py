"""Regexes built from named word lists, in one place.

Every cue lexicon (relations, events, attribution) is a list of Arabic phrases
in a data file; :func:`phrase_regex` turns one list into a compiled regex over
normalised text that allows attached proclitics on the first word and requires
word boundaries.  An empty list is refused: a cue family with no words is a
data error, not a silent no-op.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass

import ahocorasick

from rasad.errors import KnowledgeBaseError
from rasad.frozen import quick_init
from rasad.model import Span
from rasad.text.normalize import Normalized, normalize_text

_PROCLITICS = "(?:[وف]?[بلك]?)"


def phrase_regex(phrases: Iterable[str], *, name: str, clitics: bool = True) -> re.Pattern[str]:
    """One regex for a list of phrases (normalised; longest first; word-bounded)."""
    words = sorted({normalize_text(p) for p in phrases if normalize_text(p)}, key=lambda w: (-len(w), w))
    if not words:
        raise KnowledgeBaseError(f"cue list {name!r} is empty")
    alternation = "|".join(_phrase(w) for w in words)
    prefix = _PROCLITICS if clitics else ""
    return re.compile(rf"(?<![^\W_])(?:{prefix})({alternation})")


def _phrase(words: str) -> str:
    """A phrase ending in a lone clitic preposition ("التابعة ل") runs into the next word."""
    if re.search(r"\s[لبك]$", words):
        return re.escape(words)
    return re.escape(words) + r"(?![^\W_])"


@quick_init
@dataclass(frozen=True, slots=True)
class CueMatch:
    """A cue found in an article: its span in the clean text and the normalised phrase."""

    span: Span
    phrase: str


def find_cues(norm: Normalized, pattern: re.Pattern[str]) -> list[CueMatch]:
    """Every match of ``pattern`` in normalised text, mapped back to clean-text offsets."""
    return [CueMatch(norm.to_original(m.start(1), m.end(1)), m.group(1)) for m in pattern.finditer(norm.text)]


class CueIndex:
    """Many named cue lists in one Aho-Corasick automaton over normalised text.

    ``find`` returns every cue occurrence that starts a word (after optional
    proclitics) and ends one (unless the phrase ends in a lone clitic
    preposition, "التابعة ل", which runs into the next word), tagged with the
    names of the lists it belongs to.
    """

    def __init__(self, lists: Mapping[str, Iterable[str]]) -> None:
        table: dict[str, list[str]] = {}
        for name, phrases in lists.items():
            words = {normalize_text(p) for p in phrases if normalize_text(p)}
            if not words:
                raise KnowledgeBaseError(f"cue list {name!r} is empty")
            for word in words:
                table.setdefault(word, []).append(name)
        self._automaton = ahocorasick.Automaton()
        for phrase, names in table.items():
            open_end = bool(_OPEN_END.search(phrase))
            self._automaton.add_word(phrase, (len(phrase), phrase, tuple(names), open_end))
        self._automaton.make_automaton()

    def _hits(self, text: str) -> Iterator[tuple[int, int, int, str, tuple[str, ...]]]:
        """(word start, start, end, phrase, list names) of every cue in already-normalised ``text``."""
        size = len(text)
        for end_incl, (length, phrase, names, open_end) in self._automaton.iter(text):
            end = end_incl + 1
            if not open_end and end < size and (text[end].isalnum() or text[end] == "_"):
                continue
            start = end - length
            before = text[start - 1] if start else " "
            word = _word_start(text, start) if before.isalnum() or before == "_" else start
            if word >= 0:
                yield word, start, end, phrase, names

    def names_in(self, text: str) -> list[tuple[int, str]]:
        """(start, list name) of every cue in already-normalised ``text``."""
        return [(start, name) for _, start, _, _, names in self._hits(text) for name in names]

    def spans(self, norm: Normalized) -> list[tuple[str, int, int]]:
        """(list name, start, end in the clean text) of every cue, in the order of :meth:`find`."""
        offsets = norm.offsets
        return [(name, offsets[start], offsets[end - 1] + 1)
                for _, start, end, _, names in self._hits(norm.text) for name in names]

    def find(self, norm: Normalized) -> list[Cue]:
        text, offsets = norm.text, norm.offsets
        return [
            Cue(name, Span(offsets[start], offsets[end - 1] + 1), phrase, text[word:start], offsets[word])
            for word, start, end, phrase, names in self._hits(text) for name in names
        ]


@quick_init
@dataclass(frozen=True, slots=True)
class Cue:
    """A cue occurrence: its list, its span (clean text), the phrase, the clitics glued to it
    and where its whole word starts (clean text)."""

    name: str
    span: Span
    phrase: str
    prefix: str = ""
    word_start: int = 0


_OPEN_END = re.compile(r"\s[لبك]$")
_SHORT_PREFIXES = ("", "و", "ف", "ب", "ل", "ك", "وب", "ول", "وك", "فب", "فل", "فك")
# Clitics, and the article with them ("الاستعراض", "بالإشراف", "وللتطوع" …): cue nouns take both.
_CLITIC_PREFIXES = frozenset(_SHORT_PREFIXES) | {p + "ال" for p in _SHORT_PREFIXES if p[-1:] != "ل"} | {
    p + "لل" for p in ("", "و", "ف")
}
_MAX_PREFIX = max(len(p) for p in _CLITIC_PREFIXES)


def _letter(ch: str) -> bool:
    return ch.isalnum() or ch == "_"


def _word_start(text: str, start: int) -> int:
    """Where the word holding ``start`` begins when only proclitics precede it, else -1."""
    i, low = start, max(0, start - _MAX_PREFIX)
    while i > low and _letter(text[i - 1]):
        i -= 1
    if i == start:  # nothing glued before it
        return start
    if i > 0 and _letter(text[i - 1]):
        return -1
    return i if text[i:start] in _CLITIC_PREFIXES else -1
