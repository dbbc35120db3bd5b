"""Events in the ACLED taxonomy from trigger lexicons (``data/events.yaml``).

Per sentence, the first event kind (in the data file's priority order) whose
trigger appears makes an event, unless a blocker (purpose, fear, prevention:
"لتفادي القصف") stands just before the trigger.  Its fields come from the
sentence and its neighbours: location (:mod:`rasad.extract.event_fields`),
date (:mod:`rasad.text.dates`), actors, fatalities (:mod:`rasad.text.numbers`),
attribution and certainty.  Events of the same kind at the same place in one
article are one event with several evidence sentences.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from collections.abc import Mapping
from dataclasses import dataclass, replace
from functools import cache
from importlib import resources
from typing import Any

import yaml

from rasad.errors import KnowledgeBaseError
from rasad.extract.event_fields import (
    EventContext,
    choose_actors,
    choose_date,
    choose_location,
    normalized_between,
    place_rank,
    write_notes,
)
from rasad.extract.patterns import CueIndex, phrase_regex
from rasad.extract.view import ArticleView
from rasad.frozen import quick_init
from rasad.model import Entity, Event, Evidence
from rasad.text.normalize import normalize_text
from rasad.text.numbers import FatalityReading, fatalities_near, may_report_deaths

BLOCK_WINDOW_WORDS = 8
# Where an event's place was read, most trustworthy first (a body sentence beats a headline).
GEO_SOURCE_ORDER = {"sentence": 0, "paragraph": 1, "heading": 2, "article": 3, "none": 4}
STATE_FEATURES = frozenset({"state", "armed_forces", "formation", "intelligence", "police"})
NO_DEATHS = FatalityReading(None, False, None)


@quick_init
@dataclass(frozen=True, slots=True)
class EventKind:
    name: str
    event_type: str
    sub_event_type: str
    tags: tuple[str, ...]
    roles: str
    triggers: tuple[str, ...]
    non_state_sub: str | None = None
    needs_date: bool = False
    not_purpose: bool = False


@quick_init
@dataclass(frozen=True, slots=True)
class EventLexicon:
    kinds: tuple[EventKind, ...]
    index: CueIndex
    blockers: re.Pattern[str]
    target_nouns: frozenset[str]
    civilian: re.Pattern[str]
    unknown: re.Pattern[str]
    allied: tuple[frozenset[str], ...] = ()


def _check_taxonomy(data: Mapping[str, Any]) -> None:
    allowed = {(t, s) for t, subs in data["acled_types"].items() for s in subs}
    if len(allowed) != 25:
        raise KnowledgeBaseError(f"events.yaml: ACLED has 25 sub-event types, the file lists {len(allowed)}")
    for kind in data["kinds"]:
        for sub in (kind["sub"], kind.get("non_state_sub") or kind["sub"]):
            if (kind["type"], sub) not in allowed:
                raise KnowledgeBaseError(f"events.yaml: {kind['name']}: {kind['type']} / {sub} is not ACLED")


@cache
def load_event_lexicon() -> EventLexicon:
    raw = resources.files("rasad.extract").joinpath("data/events.yaml").read_text(encoding="utf-8")
    data = yaml.safe_load(raw)
    _check_taxonomy(data)
    kinds = tuple(
        EventKind(
            name=k["name"], event_type=k["type"], sub_event_type=k["sub"], tags=tuple(k.get("tags", ())),
            roles=k.get("roles", "agent"), triggers=tuple(k["triggers"]),
            non_state_sub=k.get("non_state_sub"), needs_date=bool(k.get("needs_date", False)),
            not_purpose=bool(k.get("not_purpose", False)),
        )
        for k in data["kinds"]
    )
    return EventLexicon(
        kinds=kinds,
        index=CueIndex({str(i): k.triggers for i, k in enumerate(kinds)}),
        blockers=phrase_regex(data["blockers"], name="event blockers"),
        target_nouns=frozenset(normalize_text(w) for w in data["target_nouns"]),
        civilian=phrase_regex(data["civilian_words"], name="civilian words"),
        unknown=phrase_regex(data["unknown_perpetrator"], name="unknown perpetrator"),
        allied=tuple(frozenset(group) for group in data.get("allied_blocs", ())),
    )


@quick_init
@dataclass(frozen=True, slots=True)
class Trigger:
    kind: EventKind
    sentence: int
    start: int
    end: int


def _blocked(view: ArticleView, start: int, lexicon: EventLexicon) -> bool:
    sentence = view.sentence(view.sentence_of(start))
    window = normalized_between(view, sentence.start, start).split()[-BLOCK_WINDOW_WORDS:]
    return bool(lexicon.blockers.search(" ".join(window)))


def find_triggers(view: ArticleView, lexicon: EventLexicon, dated: frozenset[int]) -> list[Trigger]:
    """The event trigger of each sentence that has one (highest-priority kind first).

    ``dated`` holds the sentences with a date expression, which kinds marked
    ``needs_date`` require.
    """
    best: dict[int, tuple[int, Trigger]] = {}
    for cue in sorted(lexicon.index.find(view.norm), key=lambda c: (int(c.name), c.span.start)):
        rank, index = int(cue.name), view.sentence_of(cue.span.start)
        kind = lexicon.kinds[rank]
        if (index in best and best[index][0] <= rank) or (kind.needs_date and index not in dated):
            continue
        if kind.not_purpose and cue.prefix.endswith("ل"):
            continue  # "للاتفاق على": in order to agree, not an agreement
        if view.inside_mention(cue.span.start, cue.span.end) or _blocked(view, cue.word_start, lexicon):
            continue
        best[index] = (rank, Trigger(kind, index, cue.span.start, cue.span.end))
    return [best[i][1] for i in sorted(best)]


def event_id(article_id: str, key: str) -> str:
    return "e-" + hashlib.sha1(f"{article_id}|{key}".encode()).hexdigest()[:16]


def _is_state(entity_id: str | None, entities: Mapping[str, Entity]) -> bool:
    entity = entities.get(entity_id) if entity_id else None
    return entity is not None and entity.feature in STATE_FEATURES


def _tags(trigger: Trigger, ctx: EventContext, extra: list[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys([*trigger.kind.tags, *extra]))


def build_event(view: ArticleView, trigger: Trigger, ctx: EventContext) -> Event:
    """All fields of one event from its trigger sentence and the article around it."""
    lexicon = load_event_lexicon()
    sentence = view.sentence(trigger.sentence)
    sentence_text = view.text(sentence)
    place = choose_location(view, trigger.sentence, ctx, trigger.start)
    when = choose_date(view, trigger, ctx)
    actors = choose_actors(view, trigger, ctx, lexicon.target_nouns, attack=trigger.kind.roles == "attack")
    sentence_norm = normalized_between(view, sentence.start, sentence.end).strip()
    text = view.article.text
    deaths = fatalities_near(text, sentence.start, sentence.end) if may_report_deaths(
        text, sentence.start, sentence.end, sentence_norm) else NO_DEATHS
    extra: list[str] = []
    if trigger.kind.roles == "attack" and actors.actor1 is None and lexicon.unknown.search(sentence_norm):
        extra.append("unidentified perpetrator")
    if deaths.vague:
        extra.append("fatalities unknown")
    if when.historical:
        extra.append("historical")
    civilian = trigger.kind.event_type == "Violence against civilians" or (
        trigger.kind.roles == "attack" and bool(lexicon.civilian.search(sentence_norm))
    )
    said = view.attribution(trigger.sentence, view.article.outlet)
    evidence = Evidence(view.article.id, sentence.start, sentence.end, sentence_text, said.attributed_to,
                        said.certainty, view.article.outlet)
    sub = trigger.kind.sub_event_type
    if trigger.kind.non_state_sub and not _is_state(actors.actor1, view.entities):
        sub = trigger.kind.non_state_sub
    event = Event(
        id=event_id(view.article.id, f"{trigger.kind.name}|{place.entity_id}|{actors.actor1}"),
        event_type=trigger.kind.event_type,
        sub_event_type=sub,
        event_date=when.date.isoformat() if when.date else None,
        time_precision=when.precision,
        location=place.entity_id, latitude=place.lat, longitude=place.lon, geo_precision=place.precision,
        geo_source=place.source,
        actor1=actors.actor1, assoc_actor_1=actors.assoc1, actor2=actors.actor2, assoc_actor_2=actors.assoc2,
        fatalities=deaths.value, civilian_targeting=civilian,
        tags=_tags(trigger, ctx, extra), evidence=(evidence,),
    )
    return event


def _kind_key(event: Event) -> tuple[str, str, str]:
    return (event.event_type, event.sub_event_type, event.tags[0] if event.tags else "")


def _paragraphs(event: Event, paragraph_of: Mapping[int, int]) -> set[int]:
    return {paragraph_of.get(e.start, -9) for e in event.evidence}


def _near(first: set[int], second: set[int]) -> bool:
    """Evidence in the same or the next paragraph (a report goes on over line breaks)."""
    return any(abs(x - y) <= 1 for x in first for y in second)


def _same_event(a: Event, b: Event, entities: Mapping[str, Entity], near: bool) -> bool:
    """Two reports in one article of one kind (the caller compares kinds): ``near`` (in the same
    paragraph or the next), or at the same place or by the same actor; two different named actors
    must belong to one bloc (the IRGC and its militias, not the regime's intelligence and the militias)."""
    if a.actor1 and b.actor1 and a.actor1 != b.actor1 and not _allied(a.actor1, b.actor1, entities):
        return False
    if near:
        return True
    return (a.location is not None and a.location == b.location) or (
        a.actor1 is not None and a.actor1 == b.actor1)


def _bloc(entity_id: str, entities: Mapping[str, Entity]) -> str:
    entity = entities.get(entity_id)
    return (entity.affiliation or entity.id) if entity else entity_id


def _allied(a: str, b: str, entities: Mapping[str, Entity]) -> bool:
    first, second = _bloc(a, entities), _bloc(b, entities)
    return first == second or any(first in group and second in group for group in load_event_lexicon().allied)


def merge_same(events: list[Event], entities: Mapping[str, Entity],
               paragraph_of: Mapping[int, int] | None = None) -> list[Event]:
    """Reports of one event within an article become one event with all its evidence."""
    paragraphs = paragraph_of or {}
    merged: list[Event] = []
    kinds: list[tuple[str, str, str]] = []  # of each merged event, with the paragraphs of its evidence
    spread: list[set[int]] = []
    for event in events:
        kind, where = _kind_key(event), _paragraphs(event, paragraphs)
        index = next((i for i, m in enumerate(merged)
                      if kinds[i] == kind and _same_event(m, event, entities, _near(spread[i], where))), None)
        if index is None:
            merged.append(event)
            kinds.append(kind)
            spread.append(where)
            continue
        merged[index] = _combine(merged[index], event, entities)
        kinds[index] = _kind_key(merged[index])
        spread[index] |= where
    return [replace(e, notes=write_notes(e, entities)) for e in merged]


def _combine(first: Event, event: Event, entities: Mapping[str, Entity]) -> Event:
    """A later report of the same event fills what the first one left open."""
    place = _more_specific(first, event, entities)
    better_date = event.time_precision < first.time_precision and "historical" not in event.tags
    return replace(
        first,
        location=place.location, latitude=place.latitude, longitude=place.longitude,
        geo_precision=place.geo_precision, geo_source=place.geo_source,
        event_date=event.event_date if better_date else first.event_date,
        time_precision=event.time_precision if better_date else first.time_precision,
        actor1=first.actor1 or event.actor1,
        actor2=first.actor2 or event.actor2,
        assoc_actor_1=tuple(dict.fromkeys(first.assoc_actor_1 + event.assoc_actor_1)),
        assoc_actor_2=tuple(dict.fromkeys(first.assoc_actor_2 + event.assoc_actor_2)),
        fatalities=first.fatalities if first.fatalities is not None else event.fatalities,
        civilian_targeting=first.civilian_targeting or event.civilian_targeting,
        tags=tuple(dict.fromkeys(first.tags + event.tags)),
        evidence=first.evidence + event.evidence,
    )


def _more_specific(a: Event, b: Event, entities: Mapping[str, Entity]) -> Event:
    """Of two reports of one event, the one whose place is more precise."""
    def key(e: Event) -> tuple[int, int, int]:
        entity = entities.get(e.location) if e.location else None
        rank = place_rank(entity) if entity else 99
        return (GEO_SOURCE_ORDER.get(e.geo_source, 9), rank, e.geo_precision or 9)
    return b if key(b) < key(a) else a


def extract_events(view: ArticleView, kb_entities: Mapping[str, Entity]) -> tuple[Event, ...]:
    """Every event the article reports, merged within the article."""
    published = _published(view.article.published)
    ctx = EventContext.build(view, published, kb_entities)
    dated = frozenset(ctx.date_sentences)
    events = [build_event(view, t, ctx) for t in find_triggers(view, load_event_lexicon(), dated)]
    paragraph_of = {s.start: s.paragraph for s in view.article.sentences}
    return tuple(merge_same(events, view.entities, paragraph_of))


def _published(value: str | None) -> dt.date | None:
    try:
        return dt.date.fromisoformat(value) if value else None
    except ValueError:
        return None
