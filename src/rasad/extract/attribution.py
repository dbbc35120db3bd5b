"""Attribution and certainty of one evidence sentence.

Who says so: a source entity mentioned in the sentence (an outlet or network
such as "دير الزور 24"), else a kind of source named by the sentence ("local
sources", "activist" …), else the outlet that published the article.  How sure:
``denied`` / ``believed`` / ``reported`` from cue words, ``asserted`` when the
outlet states it in its own voice.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from importlib import resources

import yaml

from rasad.extract.patterns import phrase_regex
from rasad.model import Entity, Mention
from rasad.text.normalize import normalize_text

CERTAINTY_ORDER = ("denied", "believed", "reported")


@dataclass(frozen=True, slots=True)
class Attribution:
    attributed_to: str | None
    certainty: str


@dataclass(frozen=True, slots=True)
class AttributionCues:
    certainty: tuple[tuple[str, re.Pattern[str]], ...]
    sources: tuple[tuple[str, re.Pattern[str]], ...]


@cache
def load_attribution_cues() -> AttributionCues:
    raw = resources.files("rasad.extract").joinpath("data/attribution.yaml").read_text(encoding="utf-8")
    data = yaml.safe_load(raw)
    certainty = tuple((k, phrase_regex(data["certainty"][k], name=f"certainty {k}")) for k in CERTAINTY_ORDER)
    sources = tuple((k, phrase_regex(v, name=f"source {k}")) for k, v in data["sources"].items())
    return AttributionCues(certainty, sources)


def certainty_of(sentence_norm: str, cues: AttributionCues) -> str:
    for name, pattern in cues.certainty:
        if pattern.search(sentence_norm):
            return name
    return "asserted"


def source_kind(sentence_norm: str, cues: AttributionCues) -> str | None:
    """The kind of source the sentence names, earliest in the sentence first."""
    found = [(m.start(), name) for name, pattern in cues.sources if (m := pattern.search(sentence_norm))]
    return min(found)[1] if found else None


def attribute(sentence: str, mentions: list[Mention], entities: dict[str, Entity],
              outlet: str | None) -> Attribution:
    """Attribution of one sentence given the mentions that fall inside it."""
    cues = load_attribution_cues()
    norm = normalize_text(sentence)
    named = [entities[m.entity_id] for m in mentions if m.entity_id in entities
             and entities[m.entity_id].type == "source"]
    who = named[0].name_en if named else source_kind(norm, cues) or outlet
    return Attribution(attributed_to=who, certainty=certainty_of(norm, cues))
