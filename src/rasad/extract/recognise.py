"""Recognise stage: knowledge-base mentions, linked, plus discovered names.

Matching runs on normalised text; every Mention keeps offsets into the clean
text, mapped back through the normaliser's offset map.
"""

from __future__ import annotations

import bisect
import dataclasses
import re

from rasad.extract.discover import Discovery, discovered_entity, find_discoveries
from rasad.extract.lexicon import Lexicon, load_lexicon
from rasad.extract.link import Linked, link_hits
from rasad.extract.mentions import Hit, accept_hit, find_hits, longest_non_overlapping, nested_hits
from rasad.kb.index import AliasEntry, AliasIndex, build_index
from rasad.kb.loader import KnowledgeBase
from rasad.model import Article, Entity, Mention, Sentence, Span
from rasad.text.clean import line_key, load_furniture
from rasad.text.normalize import Normalized, normalize, normalize_text

_BYLINE_SPLIT = re.compile(r"\s+(?:من|[-–—|])\s+|[:،,]\s*")
_ARABIC_WORD = re.compile(r"^[\u0621-\u064a]{2,}$")


_STARTS: dict[int, tuple[tuple[Sentence, ...], list[int]]] = {}


def _sentence_starts(sentences: tuple[Sentence, ...]) -> list[int]:
    cached = _STARTS.get(id(sentences))
    if cached is None or cached[0] is not sentences:
        _STARTS.clear()
        cached = (sentences, [s.start for s in sentences])
        _STARTS[id(sentences)] = cached
    return cached[1]


def sentence_index(sentences: tuple[Sentence, ...], start: int) -> int | None:
    """Index of the sentence that contains offset ``start``."""
    if not sentences:
        return None
    i = bisect.bisect_right(_sentence_starts(sentences), start) - 1
    return i if i >= 0 else None


def kb_mentions(article: Article, norm: Normalized, linked: list[Linked],
                adjectives: frozenset[tuple[str, str]]) -> list[Mention]:
    """Mentions of linked hits; "adjective" when the hit is one of the entity's adjectives (إسرائيلية).

    Offsets are mapped and sentences found inline (one call per hit was most of this stage's cost).
    """
    offsets, text, article_id = norm.offsets, article.text, article.id
    starts = _sentence_starts(article.sentences)
    out: list[Mention] = []
    for item in linked:
        hit, entity_id = item.hit, item.entity.id
        start = offsets[hit.start]
        end = offsets[hit.end - 1] + 1  # a hit is never empty
        method = "adjective" if (hit.key, entity_id) in adjectives else "kb"
        sentence = bisect.bisect_right(starts, start) - 1
        out.append(Mention(article_id, entity_id, start, end, text[start:end], method,
                           sentence if sentence >= 0 else None))
    return out


def _mention(article: Article, entity_id: str, span: Span, method: str) -> Mention:
    return Mention(
        article_id=article.id,
        entity_id=entity_id,
        start=span.start,
        end=span.end,
        text=article.text[span.start : span.end],
        method=method,
        sentence=sentence_index(article.sentences, span.start),
    )


def _overlaps(start: int, end: int, spans: list[tuple[int, int]]) -> bool:
    return any(start < e and s < end for s, e in spans)


def _evidence(article: Article, span: Span) -> dict[str, object]:
    idx = sentence_index(article.sentences, span.start)
    sent = article.sentences[idx] if idx is not None else Span(span.start, span.end)
    return {"article_id": article.id, "start": sent.start, "end": sent.end}


def _known_entity(entity: Entity, known_names: dict[str, tuple[str, ...]], kb: KnowledgeBase) -> Entity | None:
    """The knowledge-base entity of the same type that bears a cue-introduced name, if any."""
    ids = known_names.get(normalize_text(entity.name_ar), ())
    same = [kb.entities[i] for i in ids if kb.entities[i].type == entity.type]
    return same[0] if len(same) == 1 else None


def discovered_from_cues(article: Article, norm: Normalized, mentions: list[Mention], kb: KnowledgeBase,
                         lexicon: Lexicon, common: frozenset[str], known_names: dict[str, tuple[str, ...]],
                         ) -> tuple[list[tuple[Entity, Span]], list[Mention]]:
    """Discoveries that do not overlap a knowledge-base mention, and the mentions kept.

    A quoted group name (ميليشيا “أسود البادية”) wins over place mentions inside
    it: the quotes say the words are one name.
    """
    out: list[tuple[Entity, Span]] = []
    for found in find_discoveries(norm, article.text, lexicon, common):
        entity, span = _entity_for(article, norm, found)
        known = _known_entity(entity, known_names, kb)
        if known is not None:
            if not any(m.start < span.end and span.start < m.end for m in mentions):
                mentions.append(_mention(article, known.id, span, "cue"))
            continue
        inside = [m for m in mentions if m.start < span.end and span.start < m.end]
        if inside and found.type == "actor" and all(kb.entities[m.entity_id].type == "place" for m in inside):
            mentions = [m for m in mentions if m not in inside]
        elif inside:
            continue
        out.append((entity, span))
    return out, mentions


def _entity_for(article: Article, norm: Normalized, found: Discovery) -> tuple[Entity, Span]:
    span = norm.to_original(found.start, found.end)
    surface = article.text[span.start : span.end]
    name = f"{found.group_word} {surface}" if found.group_word else surface
    entity = discovered_entity(entity_type=found.type, name_ar=name, cue=found.cue,
                               evidence=_evidence(article, span))
    return entity, span


def byline_person(article: Article, taken: list[tuple[int, int]],
                  common: frozenset[str]) -> tuple[Entity, Span] | None:
    """The author named in a byline such as "NAME من CITY" or "NAME - CITY"."""
    if not article.byline:
        return None
    pos = article.text.find(article.byline)
    if pos < 0:
        return None
    head = _BYLINE_SPLIT.split(article.byline, maxsplit=1)[0].strip()
    words = head.split()
    non_names = load_furniture().byline_non_names | load_furniture().byline_starts
    if not 2 <= len(words) <= 4 or line_key(head) in non_names or line_key(words[0]) in non_names:
        return None
    if not all(_ARABIC_WORD.match(w) for w in words) or _overlaps(pos, pos + len(head), taken):
        return None
    if any(normalize_text(w) in common for w in words):
        return None
    span = Span(pos, pos + len(head))
    entity = discovered_entity(entity_type="person", name_ar=head, cue="byline", evidence=_evidence(article, span))
    return entity, span


def drop_author_location(mentions: list[Mention], article: Article, kb: KnowledgeBase) -> list[Mention]:
    """Places in a "NAME من CITY" byline say where the author writes from, not what happened."""
    if article.byline is None or " من " not in article.byline:
        return mentions
    start = article.text.find(article.byline)
    if start < 0:
        return mentions
    split = start + article.byline.index(" من ")
    end = start + len(article.byline)

    def entity_type(m: Mention) -> str:
        entity = kb.entities.get(m.entity_id)
        return entity.type if entity else "person"

    if not any(m.start == start and entity_type(m) == "person" for m in mentions):
        return mentions
    return [m for m in mentions if not (split <= m.start < end and entity_type(m) == "place")]


def repeat_mentions(article: Article, norm: Normalized, entity: Entity, taken: list[tuple[int, int]],
                    lexicon: Lexicon) -> list[Mention]:
    """Other places in the article where a discovered name occurs."""
    key = normalize_text(entity.name_ar)
    out: list[Mention] = []
    start = norm.text.find(key)
    while start >= 0:
        hit = accept_hit(norm.text, start + len(key) - 1, AliasEntry(key, len(key), lil=False), lexicon)
        if hit is not None:
            span = norm.to_original(hit.start, hit.end)
            if not _overlaps(span.start, span.end, taken):
                out.append(_mention(article, entity.id, span, "discovered"))
                taken.append((span.start, span.end))
        start = norm.text.find(key, start + 1)
    return out


def recognise(article: Article, *, kb: KnowledgeBase, index: AliasIndex | None = None) -> Article:
    """Add knowledge-base mentions and discovered entities to ``article``."""
    lexicon = load_lexicon()
    index = index or build_index(kb)
    norm = normalize(article.text)
    all_hits = find_hits(norm.text, index, lexicon)
    hits: list[Hit] = longest_non_overlapping(all_hits)
    nested = nested_hits(all_hits, hits, index.nested_keys)
    linked = link_hits(norm.text, hits + nested, index.candidates, kb, lexicon)
    nested_ids = {id(h) for h in nested}  # by identity: hashing a Hit hashes all its fields
    linked = [x for x in linked if id(x.hit) not in nested_ids or x.entity.type == "actor"]
    mentions = kb_mentions(article, norm, linked, index.adjectives)
    found, mentions = discovered_from_cues(
        article, norm, mentions, kb, lexicon, index.common_words, index.known_names or {}
    )
    taken = [(m.start, m.end) for m in mentions]
    author = byline_person(article, taken, index.common_words)
    if author is not None:
        found.append(author)
    entities: dict[str, Entity] = {}
    for entity, span in found:
        if _overlaps(span.start, span.end, taken):
            continue
        entities.setdefault(entity.id, entity)
        mentions.append(_mention(article, entity.id, span, "discovered"))
        taken.append((span.start, span.end))
    for entity in entities.values():
        mentions.extend(repeat_mentions(article, norm, entity, taken, lexicon))
    mentions = drop_author_location(mentions, article, kb)
    mentions.sort(key=lambda m: (m.start, m.end))
    return dataclasses.replace(article, mentions=tuple(mentions), discovered=tuple(entities.values()))
