"""Find knowledge-base aliases in an article: word boundaries, clitics, overlaps.

Works on the normalised text; every hit is mapped back to the clean text the
user sees through the normaliser's offset map.
"""

from __future__ import annotations

from dataclasses import dataclass

from rasad.extract.lexicon import Lexicon
from rasad.frozen import quick_init
from rasad.kb.index import AliasEntry, AliasIndex


@quick_init
@dataclass(frozen=True, slots=True)
class Hit:
    """One alias occurrence in normalised text; ``prefix`` is the clitic string glued before it."""

    start: int
    end: int
    key: str
    prefix: str


MAX_PREFIX = 2  # the longest clitic string: conjunction + preposition (وب، فل …)


def is_word_char(ch: str) -> bool:
    """Letters and digits of any script (Arabic included) continue a word."""
    return ch.isalnum()


def _word_start(text: str, pos: int) -> int:
    while pos > 0 and is_word_char(text[pos - 1]):
        pos -= 1
    return pos


def accept_hit(text: str, end_incl: int, entry: AliasEntry, lexicon: Lexicon,
               common: frozenset[str] = frozenset()) -> Hit | None:
    """Check the boundaries of one automaton match; return the hit or None.

    A one-word gazetteer hit whose whole word (clitics included) is in ``common``
    is rejected: ``صور`` is "pictures", ``ورقه`` is "a paper", not و + Raqqa.
    """
    start = end_incl - entry.length + 1
    end = end_incl + 1
    if end < len(text) and is_word_char(text[end]):
        return None
    word_start = _word_start(text, start) if start > 0 and is_word_char(text[start - 1]) else start
    prefix = text[word_start:start]
    if entry.lil:
        if prefix and prefix not in lexicon.conjunctions:
            return None
    elif prefix and prefix not in lexicon.proclitics:
        return None
    if common and " " not in entry.key and text[word_start:end] in common:
        return None
    return Hit(start=start, end=end, key=entry.key, prefix=prefix)


def find_hits(text: str, index: AliasIndex, lexicon: Lexicon) -> list[Hit]:
    """All boundary-respecting alias hits in ``text`` (possibly overlapping).

    The checks of :func:`accept_hit`, inlined: this loop sees every automaton match of an article.
    """
    hits: list[Hit] = []
    size = len(text)
    proclitics, conjunctions = lexicon.proclitics, lexicon.conjunctions
    gazetteer, common = index.gazetteer_keys, index.common_words
    for end_incl, entry in index.automaton.iter(text):
        end = end_incl + 1
        if end < size and text[end].isalnum():
            continue
        start = end - entry.length
        word_start = start
        while word_start > 0 and text[word_start - 1].isalnum():
            word_start -= 1
            if start - word_start > MAX_PREFIX:
                break  # glued to more letters than any clitic string has
        else:
            prefix = text[word_start:start]
            if prefix and prefix not in (conjunctions if entry.lil else proclitics):
                continue
            key = entry.key
            if key in gazetteer and " " not in key and text[word_start:end] in common:
                continue
            hits.append(Hit(start, end, key, prefix))
    return hits


def longest_non_overlapping(hits: list[Hit]) -> list[Hit]:
    """Keep the longest hit where hits overlap (leftmost on ties)."""
    if not hits:
        return []
    occupied = bytearray(max(h.end for h in hits))
    chosen: list[Hit] = []
    for hit in sorted(hits, key=lambda h: (h.start - h.end, h.start)):
        if 1 in occupied[hit.start : hit.end]:
            continue
        occupied[hit.start : hit.end] = b"\x01" * (hit.end - hit.start)
        chosen.append(hit)
    return sorted(chosen, key=lambda h: h.start)


def nested_hits(hits: list[Hit], chosen: list[Hit], nested_keys: frozenset[str]) -> list[Hit]:
    """Hits of state names inside a longer chosen hit (``مع إيران`` inside a militia name)."""
    outers = [h for h in chosen if " " in h.key]
    if not outers:
        return []
    taken = {id(h) for h in chosen}  # ``chosen`` holds objects of ``hits``
    return [
        h for h in hits
        if h.key in nested_keys and id(h) not in taken
        and any(o.start <= h.start and h.end <= o.end for o in outers)
    ]
