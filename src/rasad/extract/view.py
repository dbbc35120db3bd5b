"""A read-only view of a recognised article for the relation and event extractors.

It holds the normalised text, the top-level mentions (nested ones dropped)
with their entities, and quick lookups from offsets to sentences.
"""

from __future__ import annotations

import bisect
import operator
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache

import numpy as np
from numpy.typing import NDArray

from rasad.extract.attribution import Attribution, attribute_normalized
from rasad.frozen import quick_init
from rasad.model import Article, Entity, Mention, Sentence, Span
from rasad.text.normalize import Normalized, normalize

_WORD = re.compile(r"[^\W_]+")


@quick_init
@dataclass(frozen=True, slots=True)
class ArticleView:
    article: Article
    norm: Normalized
    mentions: tuple[Mention, ...]
    entities: Mapping[str, Entity]
    sentence_starts: tuple[int, ...]
    by_sentence: dict[int, list[Mention]]
    all_sorted: tuple[Mention, ...]
    all_starts: tuple[int, ...]
    ends: frozenset[int]
    word_starts: tuple[int, ...] = ()
    said: dict[int, Attribution] = field(default_factory=dict)
    # reach[i]: the furthest end among all_sorted[i - 3 : i] (-1 when none), for ``inside_mention``.
    reach: tuple[int, ...] = ()

    def entity(self, mention: Mention) -> Entity:
        return self.entities[mention.entity_id]

    def sentence_of(self, offset: int) -> int:
        return max(0, bisect.bisect_right(self.sentence_starts, offset) - 1)

    def sentence(self, index: int) -> Sentence:
        return self.article.sentences[index]

    def mentions_in(self, index: int) -> list[Mention]:
        return self.by_sentence.get(index, [])

    def inside_mention(self, start: int, end: int) -> bool:
        """Does ``[start, end)`` fall inside one mention (nested ones included)?"""
        i = bisect.bisect_right(self.all_starts, start)
        if self.reach:
            return self.reach[i] >= end
        return any(m.end >= end for m in self.all_sorted[max(0, i - 3) : i])

    def words_between(self, start: int, end: int) -> int:
        """Number of words that start in the clean text between two offsets (0 when they touch)."""
        if end <= start:
            return 0
        return bisect.bisect_left(self.word_starts, end) - bisect.bisect_left(self.word_starts, start)

    def attribution(self, index: int, outlet: str | None) -> Attribution:
        """Who says sentence ``index`` and how sure (computed once per sentence)."""
        if index not in self.said:
            sentence = self.normalized(self.article.sentences[index])
            self.said[index] = attribute_normalized(sentence, self.mentions_in(index), self.entities, outlet)
        return self.said[index]

    def normalized(self, span: Span | Sentence | Mention) -> str:
        """``normalize_text(self.text(span))``, cut from the normalised article."""
        return self.normalized_between(span.start, span.end)

    def normalized_between(self, start: int, end: int) -> str:
        """``normalize_text`` of the clean text ``[start, end)``, cut from the normalised article."""
        offsets = self.norm.offsets
        return self.norm.text[bisect.bisect_left(offsets, start) : bisect.bisect_left(offsets, end)].strip()

    def text(self, span: Span | Sentence | Mention) -> str:
        return self.article.text[span.start : span.end]


@cache
def _word_units() -> NDArray[np.bool_]:
    """For each UTF-16 code unit: is it a character of ``_WORD`` (surrogates are not)?"""
    chars = "".join(" " if 0xD800 <= c < 0xE000 else chr(c) for c in range(0x10000))
    flags = np.zeros(0x10000, dtype=np.bool_)
    for m in _WORD.finditer(chars):
        flags[m.start() : m.end()] = True
    return flags


def word_starts(text: str) -> tuple[int, ...]:
    """Offsets where a word of ``_WORD`` starts, in order (one vectorised pass over the text)."""
    units = np.frombuffer(text.encode("utf-16-le", "surrogatepass"), dtype=np.uint16)
    if units.size != len(text):  # characters outside the BMP take two code units
        return tuple([m.start() for m in _WORD.finditer(text)])
    word = _word_units().take(units)
    following = (word[1:] > word[:-1]).nonzero()[0]
    following += 1
    starts: list[int] = following.tolist()
    return (0, *starts) if word.size and word[0] else tuple(starts)


_START = operator.attrgetter("start")
_END = operator.attrgetter("end")


def top_level(mentions: tuple[Mention, ...]) -> tuple[Mention, ...]:
    """Mentions not contained in a longer mention (nested state names are dropped)."""
    # By start, the longest first: two stable sorts give the order of the key (start, -length).
    ordered = sorted(sorted(mentions, key=_END, reverse=True), key=_START)
    out: list[Mention] = []
    reach = -1
    for m in ordered:
        if m.end > reach:
            out.append(m)
            reach = m.end
    return tuple(out)


def _by_sentence(mentions: tuple[Mention, ...], sentences: tuple[Sentence, ...],
                 starts: tuple[int, ...]) -> dict[int, list[Mention]]:
    """The mentions that lie wholly inside each sentence, keyed by the sentence's index."""
    by_sentence: dict[int, list[Mention]] = {}
    if not sentences:
        return by_sentence
    for m in mentions:
        index = bisect.bisect_right(starts, m.start) - 1
        if index < 0:
            index = 0
        if m.end <= sentences[index].end:
            group = by_sentence.get(index)
            if group is None:
                by_sentence[index] = [m]
            else:
                group.append(m)
    return by_sentence


def build_view(article: Article, kb_entities: Mapping[str, Entity]) -> ArticleView:
    found = {e.id: e for e in article.discovered}
    ids = dict.fromkeys([m.entity_id for m in article.mentions])
    entities = {i: found.get(i) or kb_entities[i] for i in ids}
    mentions = top_level(article.mentions)
    starts = tuple(map(_START, article.sentences))
    every = tuple(sorted(article.mentions, key=_START))
    ends = (-1, -1, -1, *map(_END, every))
    return ArticleView(
        article=article, norm=normalize(article.text), mentions=mentions, entities=entities,
        sentence_starts=starts, by_sentence=_by_sentence(mentions, article.sentences, starts), all_sorted=every,
        all_starts=tuple(map(_START, every)), ends=frozenset(map(_END, mentions)),
        word_starts=word_starts(article.text), reach=tuple(map(max, ends, ends[1:], ends[2:])),
    )


_LAST: list[tuple[Article, ArticleView]] = []


def cached_view(article: Article, kb_entities: Mapping[str, Entity]) -> ArticleView:
    """The view of ``article``, built once for the stages that follow each other on it."""
    if _LAST and _LAST[0][0].id == article.id and _LAST[0][0].mentions is article.mentions:
        return _LAST[0][1]
    view = build_view(article, kb_entities)
    _LAST[:] = [(article, view)]
    return view
