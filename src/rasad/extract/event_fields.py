"""The fields of an event: where, when, who, and a one-sentence English note.

Where: the most specific place in the trigger sentence (a facility, then a
town …), else one named earlier in the paragraph, else the article's main
town; coordinates come from the place or, failing that, from the place it lies
in (``geo_precision`` 2) or its governorate (3).  When: the date expression in
the sentence nearest the trigger, else the last one earlier in the paragraph,
else the publication date with ``time_precision`` 2.  Who: actors of the
sentence (persons become associated actors), else those of the paragraph, else
the article's main actor.
"""

from __future__ import annotations

import datetime as dt
import re
from bisect import bisect_left
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from typing import TYPE_CHECKING, Any

import yaml

from rasad.extract.view import ArticleView
from rasad.frozen import quick_init
from rasad.model import Entity, Event, Mention
from rasad.text.dates import DateMention, find_dates

if TYPE_CHECKING:
    from rasad.extract.events import Trigger

PLACE_RANK = {"facility": 0, "town": 1, "neighbourhood": 2, "subdistrict": 3, "district": 4, "region": 5,
              "river": 6, "mountain": 6, "lake": 6, "governorate": 7, "country": 9}
PRECISION_BY_FEATURE = {"governorate": 3, "region": 3, "country": 3, "district": 2, "subdistrict": 2, "river": 2}
TARGET_WINDOW_WORDS = 3
HEADING_WORDS = 9


@quick_init
@dataclass(frozen=True, slots=True)
class EventContext:
    """What every event of an article may fall back on, and what its events share: the size of
    each paragraph, each sentence's place and actor mentions, and each date's sentence."""

    published: dt.date | None
    dates: tuple[DateMention, ...]
    main_actor: str | None
    main_place: str | None
    kb_entities: Mapping[str, Entity]
    date_sentences: tuple[int, ...] = ()  # the sentence of each date (where it starts)
    paragraph_sizes: Mapping[int, int] = field(default_factory=dict)  # sentences in each paragraph
    places: Mapping[int, list[Mention]] = field(default_factory=dict)
    actors: Mapping[int, list[Mention]] = field(default_factory=dict)
    around: dict[int, list[int]] = field(default_factory=dict, compare=False, repr=False)  # _neighbourhood's
    headings: dict[int, bool] = field(default_factory=dict, compare=False, repr=False)  # _is_heading's

    @classmethod
    def build(cls, view: ArticleView, published: dt.date | None, kb_entities: Mapping[str, Entity]) -> EventContext:
        found = find_dates(view.article.text, published) if published else []
        dates = tuple(d for d in found if usable_for_events(d))
        entities = view.entities
        actors: Counter[str] = Counter()
        places: Counter[str] = Counter()
        for m in view.mentions:
            entity = entities[m.entity_id]
            if entity.type == "actor" and m.method != "adjective":
                actors[m.entity_id] += 1
            elif entity.type == "place" and entity.feature in ("town", "neighbourhood"):
                places[m.entity_id] += 1
        place_mentions, actor_mentions = _by_sentence(view)
        return cls(
            published=published, dates=dates,
            main_actor=actors.most_common(1)[0][0] if actors else None,
            main_place=places.most_common(1)[0][0] if places else None,
            kb_entities=kb_entities,
            date_sentences=tuple(view.sentence_of(d.start) for d in dates),
            paragraph_sizes=Counter(s.paragraph for s in view.article.sentences),
            places=place_mentions,
            actors=actor_mentions,
        )


def _by_sentence(view: ArticleView) -> tuple[dict[int, list[Mention]], dict[int, list[Mention]]]:
    """Each sentence's place (and facility) mentions and its actor (and person) mentions, where it
    has some; adjectives are left out."""
    entities = view.entities
    places: dict[int, list[Mention]] = {}
    actors: dict[int, list[Mention]] = {}
    for index, mentions in view.by_sentence.items():
        for m in mentions:
            if m.method == "adjective":
                continue
            kind = entities[m.entity_id].type
            if kind in ("place", "facility"):
                places.setdefault(index, []).append(m)
            elif kind in ("actor", "person"):
                actors.setdefault(index, []).append(m)
    return places, actors


def normalized_between(view: ArticleView, start: int, end: int) -> str:
    """The normalised text of the clean-text span ``[start, end)``, cut from the article's.

    Its words are those of ``normalize_text(text[start:end])``; it may keep a space at either end.
    """
    offsets = view.norm.offsets
    return view.norm.text[bisect_left(offsets, start) : bisect_left(offsets, end)]


# -- where -------------------------------------------------------------------------------------------


@quick_init
@dataclass(frozen=True, slots=True)
class PlaceChoice:
    entity_id: str | None
    lat: float | None
    lon: float | None
    precision: int | None
    source: str = "sentence"  # where the place was read: sentence, paragraph, heading, article


def place_rank(entity: Entity) -> int:
    """How specific a place is: a facility, then a town … then a country."""
    return PLACE_RANK["facility"] if entity.type == "facility" else PLACE_RANK.get(entity.feature or "", 8)


def _is_heading(view: ArticleView, ctx: EventContext, index: int) -> bool:
    """A short line standing alone as a paragraph (a headline, a sub-heading)."""
    heading = ctx.headings.get(index)
    if heading is None:
        s = view.article.sentences[index]
        heading = ctx.headings[index] = (ctx.paragraph_sizes.get(s.paragraph) == 1
                                         and view.words_between(s.start, s.end) <= HEADING_WORDS)
    return heading


def _neighbourhood(view: ArticleView, ctx: EventContext, index: int) -> list[int]:
    """Sentences to read for a missing field: this one, earlier ones of its paragraph, and for a
    heading the paragraph that follows it (worked out once per sentence)."""
    order = ctx.around.get(index)
    if order is None:
        order = ctx.around[index] = _sentences_around(view, index, _is_heading(view, ctx, index))
    return order


def _sentences_around(view: ArticleView, index: int, heading: bool) -> list[int]:
    sentences = view.article.sentences
    paragraph = sentences[index].paragraph
    order = [index]
    i = index - 1
    while i >= 0 and sentences[i].paragraph == paragraph:
        order.append(i)
        i -= 1
    if heading:
        j = index + 1
        while j < len(sentences) and sentences[j].paragraph == paragraph + 1:
            order.append(j)
            j += 1
    return order


def _container(entity: Entity, kb: Mapping[str, Entity]) -> Entity | None:
    """The place an entity lies in: a facility's ``near`` place, else its parent if that is a place."""
    for key in (entity.extra.get("near"), entity.parent):
        if isinstance(key, str) and key in kb and kb[key].type in ("place", "facility"):
            return kb[key]
    return None


def _coordinates(entity: Entity, kb: Mapping[str, Entity]) -> tuple[float | None, float | None, int | None]:
    """The entity's own point, else its container's (precision 2 or coarser), else none."""
    if entity.lat is not None and entity.lon is not None:
        return entity.lat, entity.lon, PRECISION_BY_FEATURE.get(entity.feature or "", 1)
    seen = {entity.id}
    container = _container(entity, kb)
    while container is not None and container.id not in seen:
        seen.add(container.id)
        if container.lat is not None and container.lon is not None:
            return container.lat, container.lon, max(2, PRECISION_BY_FEATURE.get(container.feature or "", 2))
        container = _container(container, kb)
    return None, None, None


def choose_location(view: ArticleView, index: int, ctx: EventContext, trigger_start: int) -> PlaceChoice:
    for i in _neighbourhood(view, ctx, index):
        found = ctx.places.get(i)
        if found:
            best = min(found, key=lambda m: (place_rank(view.entity(m)), m.start < trigger_start,
                                             abs(m.start - trigger_start)))
            source = "heading" if _is_heading(view, ctx, i) else ("sentence" if i == index else "paragraph")
            return _choice(view.entity(best), ctx, source)
    if ctx.main_place:
        return _choice(view.entities[ctx.main_place], ctx, "article")
    return PlaceChoice(None, None, None, None, "none")


def _choice(entity: Entity, ctx: EventContext, source: str) -> PlaceChoice:
    lat, lon, precision = _coordinates(entity, ctx.kb_entities)
    return PlaceChoice(entity.id, lat, lon, precision if precision is not None else 3, source)


# -- when ----------------------------------------------------------------------------------------------


def usable_for_events(d: DateMention) -> bool:
    """Vague past periods ("خلال الفترة الماضية", "خلال الأشهر الماضية") describe background, not an event date."""
    return not (d.precision == 3 and d.kind in ("relative", "span"))


@quick_init
@dataclass(frozen=True, slots=True)
class DateChoice:
    date: dt.date | None
    precision: int
    historical: bool


def choose_date(view: ArticleView, trigger: Trigger, ctx: EventContext) -> DateChoice:
    sentence = view.sentence(trigger.sentence)
    inside = [d for d in ctx.dates if sentence.start <= d.start and d.end <= sentence.end]
    if inside:
        best = min(inside, key=lambda d: abs(d.start - trigger.start))
        return DateChoice(best.date, best.precision, best.historical)
    for i in _neighbourhood(view, ctx, trigger.sentence)[1:]:
        near = [d for d, at in zip(ctx.dates, ctx.date_sentences, strict=True) if at == i and not d.historical]
        if near:
            return DateChoice(near[-1].date, near[-1].precision, False)
    earlier = [d for d in ctx.dates if d.end <= sentence.start and not d.historical]
    if earlier:  # a report usually dates its development once, near the top
        return DateChoice(earlier[0].date, earlier[0].precision, False)
    return DateChoice(ctx.published, 2, False)


# -- who -------------------------------------------------------------------------------------------------


@quick_init
@dataclass(frozen=True, slots=True)
class Actors:
    actor1: str | None
    assoc1: tuple[str, ...]
    actor2: str | None
    assoc2: tuple[str, ...]


def _is_target(view: ArticleView, m: Mention, target_nouns: frozenset[str]) -> bool:
    """An actor named right after a target noun ("مواقع الميليشيات", "ضد قسد") was attacked."""
    before = normalized_between(view, max(0, m.start - 60), m.start).split()[-TARGET_WINDOW_WORDS:]
    return any(w in target_nouns or w.lstrip("ول") in target_nouns for w in before)


def choose_actors(view: ArticleView, trigger: Trigger, ctx: EventContext, target_nouns: frozenset[str], *,
                  attack: bool) -> Actors:
    mentions: list[Mention] = []
    for i in _neighbourhood(view, ctx, trigger.sentence):
        mentions = ctx.actors.get(i, [])
        if mentions:
            break
    targets = [m for m in mentions if _is_target(view, m, target_nouns)] if attack else []
    agents = [m for m in mentions if m not in targets] if targets else mentions
    groups, persons = _ids(view, agents)
    target_ids = _ids(view, targets)[0] if targets else []
    if not groups and not target_ids and not attack and ctx.main_actor:
        groups = [ctx.main_actor]
    actor1 = groups[0] if groups else None
    assoc1 = tuple(i for i in [*groups[1:], *persons] if i not in target_ids)
    return Actors(actor1, assoc1, target_ids[0] if target_ids else None, tuple(target_ids[1:]))


def _ids(view: ArticleView, mentions: list[Mention]) -> tuple[list[str], list[str]]:
    """The actors and the persons that ``mentions`` name, in order, each once."""
    entities = view.entities
    actors: dict[str, None] = {}
    persons: dict[str, None] = {}
    for m in mentions:
        kind = entities[m.entity_id].type
        if kind == "actor":
            actors[m.entity_id] = None
        elif kind == "person":
            persons[m.entity_id] = None
    return list(actors), list(persons)


# -- notes ------------------------------------------------------------------------------------------------

_SPACES = re.compile(r"\s+")


@cache
def _templates() -> dict[str, Any]:
    raw = resources.files("rasad.extract").joinpath("data/event_notes.yaml").read_text(encoding="utf-8")
    loaded: dict[str, Any] = yaml.safe_load(raw)
    return loaded


def _name(entity_id: str | None, entities: Mapping[str, Entity]) -> str:
    entity = entities.get(entity_id) if entity_id else None
    return entity.name_en if entity else ""


def write_notes(event: Event, entities: Mapping[str, Entity]) -> str:
    """A one-sentence English summary generated from the event's fields."""
    templates = _templates()
    template = templates["templates"].get(event.sub_event_type, templates["default"])
    actor1, actor2 = _name(event.actor1, entities), _name(event.actor2, entities)
    location = _name(event.location, entities)
    fields = {
        "actor1": actor1 or "An unidentified actor",
        "actor1_or_unknown": actor1 or "An unidentified armed group",
        "actor2_plain": f" {actor2}" if actor2 else "",
        "on_actor2": f" on {actor2}" if actor2 else "",
        "hit_actor2": f" hit {actor2}" if actor2 else " went off",
        "by_actor1": f" by {actor1}" if actor1 else "",
        "in_location": f" in {location}" if location else "",
        "on_date": f" on {event.event_date}" if event.event_date and event.time_precision == 1 else (
            f" around {event.event_date}" if event.event_date else ""),
        "sub": event.sub_event_type.lower(),
        "tags": ", ".join(t for t in event.tags if t != "historical") or "other development",
    }
    text = template.format(**fields)
    if event.fatalities:
        text = text.rstrip(".") + f"; {event.fatalities} reported killed."
    return _SPACES.sub(" ", text).strip()
