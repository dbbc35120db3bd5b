"""Linking: alias candidates proposed by the index, ranked by context.

A candidate's score combines a prior by type and place feature with context
cues from the words before the mention (``محافظة``/``مدينة``/``ناحية``,
prepositions that favour the place reading of a state name, outlet words) and
coherence with the unambiguous places of the same article (same governorate,
same country).  Every rule is testable without a model.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

from rasad.extract.lexicon import Lexicon
from rasad.extract.mentions import Hit
from rasad.frozen import quick_init
from rasad.kb.loader import KnowledgeBase
from rasad.model import Entity

_WORD = re.compile(r"[^\s.,،:;؛!?؟()\[\]\-–—]+")

TYPE_PRIOR = {"actor": 3.1, "person": 3.0, "facility": 3.0, "source": 2.8, "place": 2.0}
FEATURE_PRIOR = {
    "town": 1.0, "country": 0.95, "governorate": 0.9, "region": 0.8, "river": 0.8,
    "neighbourhood": 0.6, "district": 0.5, "subdistrict": 0.4,
}
CUE_BONUS = 2.0
PLACE_PREPOSITION_BONUS = 1.5
SOURCE_CUE_BONUS = 2.0
SAME_ADMIN1_BONUS = 0.5
SAME_COUNTRY_BONUS = 0.2


@quick_init
@dataclass(frozen=True, slots=True)
class LinkContext:
    """What the ranker may look at around one hit."""

    prev_words: tuple[str, ...]
    prefix: str
    admin1: Counter[str]
    countries: Counter[str]
    features: frozenset[str] = frozenset()
    place_preposition: bool = False


def previous_words(text: str, start: int, count: int = 2) -> tuple[str, ...]:
    """The ``count`` words before ``start`` in normalised text, nearest first."""
    window = text[max(0, start - 60) : start]
    if "\n" in window:
        window = window.rsplit("\n", 1)[1]
    words = _WORD.findall(window)
    return tuple(reversed(words[-count:]))


def strip_proclitic(word: str, lexicon: Lexicon) -> str:
    for size in (2, 1):
        if len(word) > size + 2 and word[:size] in lexicon.proclitics:
            return word[size:]
    return word


def cue_features(words: tuple[str, ...], lexicon: Lexicon) -> set[str]:
    if not words:
        return set()
    first = {words[0], strip_proclitic(words[0], lexicon)}
    return {feat for feat, cues in lexicon.feature_cues.items() if first & cues}


def has_place_preposition(ctx: LinkContext, lexicon: Lexicon) -> bool:
    if ctx.prefix and ctx.prefix[-1:] in lexicon.place_clitics:
        return True
    return bool(ctx.prev_words) and ctx.prev_words[0] in lexicon.place_prepositions


def score_candidate(entity: Entity, ctx: LinkContext, lexicon: Lexicon) -> float:
    score = TYPE_PRIOR.get(entity.type, 1.0)
    if entity.type == "place":
        score += FEATURE_PRIOR.get(entity.feature or "", 0.3)
        if entity.feature in ctx.features:
            score += CUE_BONUS
        if ctx.place_preposition:
            score += PLACE_PREPOSITION_BONUS
        if entity.admin1 and ctx.admin1.get(entity.admin1):
            score += SAME_ADMIN1_BONUS
        if entity.country and ctx.countries.get(entity.country):
            score += SAME_COUNTRY_BONUS
    elif entity.type == "source" and ctx.prev_words and (
        set(ctx.prev_words) & lexicon.source_cues
    ):
        score += SOURCE_CUE_BONUS
    return score


def _population(entity: Entity) -> int:
    value = entity.extra.get("population")
    return int(value) if isinstance(value, int | float) else 0


def rank(candidates: list[Entity], ctx: LinkContext, lexicon: Lexicon) -> Entity:
    """The best candidate: highest score, then larger population, then id."""
    return max(candidates, key=lambda e: (score_candidate(e, ctx, lexicon), _population(e), e.id))


def article_geography(entities: list[Entity]) -> tuple[Counter[str], Counter[str]]:
    admin1 = Counter(e.admin1 for e in entities if e.type == "place" and e.admin1)
    countries = Counter(e.country for e in entities if e.type == "place" and e.country)
    return admin1, countries


def link_context(text: str, hit: Hit, admin1: Counter[str], countries: Counter[str], lexicon: Lexicon) -> LinkContext:
    words = previous_words(text, hit.start - len(hit.prefix))
    bare = LinkContext(words, hit.prefix, admin1, countries)
    return LinkContext(words, hit.prefix, admin1, countries, frozenset(cue_features(words, lexicon)),
                       has_place_preposition(bare, lexicon))


@quick_init
@dataclass(frozen=True, slots=True)
class Linked:
    hit: Hit
    entity: Entity


def link_hits(text: str, hits: list[Hit], candidates: dict[str, tuple[str, ...]], kb: KnowledgeBase,
              lexicon: Lexicon) -> list[Linked]:
    """Link every hit: unambiguous ones first, then the rest with article coherence."""
    entities = kb.entities
    options = [[entities[i] for i in candidates.get(h.key, ()) if i in entities] for h in hits]
    sure = [opts[0] for opts in options if len(opts) == 1]
    admin1, countries = article_geography(sure)
    linked: list[Linked] = []
    for hit, opts in zip(hits, options, strict=True):
        if len(opts) == 1:
            linked.append(Linked(hit, opts[0]))
        elif opts:
            linked.append(Linked(hit, rank(opts, link_context(text, hit, admin1, countries, lexicon), lexicon)))
    return linked
