"""Records that flow through the pipeline.

All records are frozen dataclasses: a stage returns a new record built with
``dataclasses.replace`` so any stage's output can be cached, compared and
shipped to another process.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import Any, Literal

from rasad.frozen import quick_init

EntityType = Literal["actor", "person", "place", "facility", "source"]
ENTITY_TYPES: tuple[str, ...] = ("actor", "person", "place", "facility", "source")


@quick_init
@dataclass(frozen=True, slots=True)
class Span:
    """A half-open character range ``[start, end)`` into an article's clean text."""

    start: int
    end: int


@quick_init
@dataclass(frozen=True, slots=True)
class Sentence:
    start: int
    end: int
    paragraph: int


@quick_init
@dataclass(frozen=True, slots=True)
class RawDoc:
    """One input document as read from disk, before cleaning.

    ``metadata`` holds every front-matter / JSON / HTML metadata key that is not
    one of the named fields.
    """

    source: str
    file: str
    text: str
    outlet: str | None = None
    title: str | None = None
    published: str | None = None
    url: str | None = None
    byline: str | None = None
    language: str | None = None
    encoding: str = "utf-8"
    fmt: str = "text"
    metadata: dict[str, Any] = field(default_factory=dict)


@quick_init
@dataclass(frozen=True, slots=True)
class Skipped:
    """An input that could not be read, with a one-line reason."""

    source: str
    reason: str


@quick_init
@dataclass(frozen=True, slots=True)
class Entity:
    id: str
    type: str
    name_en: str
    name_ar: str
    aliases: tuple[str, ...] = ()
    lat: float | None = None
    lon: float | None = None
    country: str | None = None
    admin1: str | None = None
    wikidata: str | None = None
    discovered: bool = False
    feature: str | None = None
    parent: str | None = None
    affiliation: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)


@quick_init
@dataclass(frozen=True, slots=True)
class Mention:
    article_id: str
    entity_id: str
    start: int
    end: int
    text: str
    method: str = "kb"
    sentence: int | None = None


@quick_init
@dataclass(frozen=True, slots=True)
class Evidence:
    """Why we believe a relation or event: a sentence, who says so, how sure."""

    article_id: str
    start: int
    end: int
    text: str = ""
    attributed_to: str | None = None
    certainty: str = "reported"
    outlet: str | None = None


CERTAINTIES: tuple[str, ...] = ("asserted", "reported", "believed", "denied")
PREDICATES: tuple[str, ...] = (
    "backed_by", "allied_with", "opposes", "part_of", "leads", "member_of", "controls", "present_in", "located_in",
)


@quick_init
@dataclass(frozen=True, slots=True)
class Relation:
    id: str
    subject: str
    predicate: str
    object: str
    evidence: tuple[Evidence, ...] = ()
    co_subjects: tuple[str, ...] = ()


@quick_init
@dataclass(frozen=True, slots=True)
class Event:
    """One event in the ACLED taxonomy; actors and location are entity ids."""

    id: str
    event_type: str
    sub_event_type: str
    event_date: str | None
    time_precision: int
    location: str | None = None
    latitude: float | None = None
    longitude: float | None = None
    geo_precision: int | None = None
    geo_source: str = "sentence"
    actor1: str | None = None
    assoc_actor_1: tuple[str, ...] = ()
    actor2: str | None = None
    assoc_actor_2: tuple[str, ...] = ()
    fatalities: int | None = None
    civilian_targeting: bool = False
    tags: tuple[str, ...] = ()
    notes: str = ""
    evidence: tuple[Evidence, ...] = ()


@quick_init
@dataclass(frozen=True, slots=True)
class Article:
    id: str
    source: str
    file: str
    text: str
    outlet: str | None = None
    title: str | None = None
    published: str | None = None
    url: str | None = None
    byline: str | None = None
    language: str | None = None
    paragraphs: tuple[Span, ...] = ()
    sentences: tuple[Sentence, ...] = ()
    removed: tuple[str, ...] = ()
    mentions: tuple[Mention, ...] = ()
    discovered: tuple[Entity, ...] = ()
    relations: tuple[Relation, ...] = ()
    events: tuple[Event, ...] = ()
    metadata: dict[str, Any] = field(default_factory=dict)
    story_id: str | None = None


def article_id(clean_text: str) -> str:
    """Article id: sha256 of the clean text."""
    return hashlib.sha256(clean_text.encode("utf-8")).hexdigest()
