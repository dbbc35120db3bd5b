"""Regexes built from named word lists, in one place.

Every cue lexicon (relations, events, attribution) is a list of Arabic phrases
in a data file; :func:`phrase_regex` turns one list into a compiled regex over
normalised text that allows attached proclitics on the first word and requires
word boundaries.  An empty list is refused: a cue family with no words is a
data error, not a silent no-op.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache

from rasad.errors import KnowledgeBaseError
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


@dataclass(frozen=True, slots=True)
class CueMatch:
    """A cue found in an article: its span in the clean text and the normalised phrase."""

    span: Span
    phrase: str


def find_cues(norm: Normalized, pattern: re.Pattern[str]) -> list[CueMatch]:
    """Every match of ``pattern`` in normalised text, mapped back to clean-text offsets."""
    return [CueMatch(norm.to_original(m.start(1), m.end(1)), m.group(1)) for m in pattern.finditer(norm.text)]


@cache
def cached_regex(phrases: tuple[str, ...], name: str, clitics: bool = True) -> re.Pattern[str]:
    return phrase_regex(phrases, name=name, clitics=clitics)
