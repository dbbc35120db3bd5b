"""A read-only view of a recognised article for the relation and event extractors.

It holds the normalised text, the top-level mentions (nested ones dropped)
with their entities, and quick lookups from offsets to sentences.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Mapping
from dataclasses import dataclass, field

from rasad.extract.attribution import Attribution, attribute
from rasad.model import Article, Entity, Mention, Sentence, Span
from rasad.text.normalize import Normalized, normalize

_WORD = re.compile(r"[^\W_]+")


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
        return any(m.end >= end for m in self.all_sorted[max(0, i - 3) : i])

    def words_between(self, start: int, end: int) -> int:
        """Number of words that start in the clean text between two offsets (0 when they touch)."""
        if end <= start:
            return 0
        return bisect.bisect_left(self.word_starts, end) - bisect.bisect_left(self.word_starts, start)

    def attribution(self, index: int, outlet: str | None) -> Attribution:
        """Who says sentence ``index`` and how sure (computed once per sentence)."""
        if index not in self.said:
            sentence = self.article.sentences[index]
            self.said[index] = attribute(self.text(sentence), self.mentions_in(index), self.entities, outlet)
        return self.said[index]

    def text(self, span: Span | Sentence | Mention) -> str:
        return self.article.text[span.start : span.end]


def top_level(mentions: tuple[Mention, ...]) -> tuple[Mention, ...]:
    """Mentions not contained in a longer mention (nested state names are dropped)."""
    ordered = sorted(mentions, key=lambda m: (m.start, -(m.end - m.start)))
    out: list[Mention] = []
    reach = -1
    for m in ordered:
        if m.end <= reach:
            continue
        out.append(m)
        reach = max(reach, m.end)
    return tuple(out)


def build_view(article: Article, kb_entities: Mapping[str, Entity]) -> ArticleView:
    found = {e.id: e for e in article.discovered}
    entities = {m.entity_id: found.get(m.entity_id) or kb_entities[m.entity_id] for m in article.mentions}
    mentions = top_level(article.mentions)
    starts = tuple(s.start for s in article.sentences)
    by_sentence: dict[int, list[Mention]] = {}
    for m in mentions:
        index = max(0, bisect.bisect_right(starts, m.start) - 1)
        sent = article.sentences[index] if article.sentences else None
        if sent is not None and m.end <= sent.end:
            by_sentence.setdefault(index, []).append(m)
    every = tuple(sorted(article.mentions, key=lambda m: m.start))
    return ArticleView(
        article=article, norm=normalize(article.text), mentions=mentions, entities=entities,
        sentence_starts=starts, by_sentence=by_sentence, all_sorted=every,
        all_starts=tuple(m.start for m in every), ends=frozenset(m.end for m in mentions),
        word_starts=tuple([m.start() for m in _WORD.finditer(article.text)]),
    )


_LAST: list[tuple[Article, ArticleView]] = []


def cached_view(article: Article, kb_entities: Mapping[str, Entity]) -> ArticleView:
    """The view of ``article``, built once for the stages that follow each other on it."""
    if _LAST and _LAST[0][0].id == article.id and _LAST[0][0].mentions is article.mentions:
        return _LAST[0][1]
    view = build_view(article, kb_entities)
    _LAST[:] = [(article, view)]
    return view
