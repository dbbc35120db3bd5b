"""Attribution and certainty of one evidence sentence.

Who says so: a source entity mentioned in the sentence (an outlet or network
such as "دير الزور 24"), else a kind of source named by the sentence ("local
sources", "activist" …), else the outlet that published the article.  How sure:
``denied`` / ``believed`` / ``reported`` from cue words, ``asserted`` when the
outlet states it in its own voice.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache, lru_cache
from importlib import resources

import yaml

from rasad.extract.patterns import CueIndex
from rasad.frozen import quick_init
from rasad.model import Entity, Mention
from rasad.text.normalize import normalize_text

CERTAINTY_ORDER = ("denied", "believed", "reported")
UNNAMED_OUTLET = "the publishing outlet (unnamed)"


@quick_init
@dataclass(frozen=True, slots=True)
class Attribution:
    attributed_to: str | None
    certainty: str


@cache
def load_attribution_cues() -> CueIndex:
    """Certainty cues under "certainty:<level>", source kinds under "source:<kind>", in one automaton."""
    raw = resources.files("rasad.extract").joinpath("data/attribution.yaml").read_text(encoding="utf-8")
    data = yaml.safe_load(raw)
    lists = {f"certainty:{k}": data["certainty"][k] for k in CERTAINTY_ORDER}
    lists.update({f"source:{k}": v for k, v in data["sources"].items()})
    return CueIndex(lists)


def certainty_of(found: list[tuple[int, str]]) -> str:
    levels = {name.split(":", 1)[1] for _, name in found if name.startswith("certainty:")}
    return next((level for level in CERTAINTY_ORDER if level in levels), "asserted")


def source_kind(found: list[tuple[int, str]]) -> str | None:
    """The kind of source the sentence names, earliest in the sentence first."""
    kinds = sorted((start, name.split(":", 1)[1]) for start, name in found if name.startswith("source:"))
    return kinds[0][1] if kinds else None


def attribute(sentence: str, mentions: list[Mention], entities: Mapping[str, Entity],
              outlet: str | None) -> Attribution:
    """Attribution of one sentence given the mentions that fall inside it."""
    return attribute_normalized(normalize_text(sentence), mentions, entities, outlet)


def attribute_normalized(sentence: str, mentions: list[Mention], entities: Mapping[str, Entity],
                         outlet: str | None) -> Attribution:
    """:func:`attribute` of a sentence already normalised (``normalize_text``)."""
    found = load_attribution_cues().names_in(sentence)
    named = next((e for e in map(entities.get, [m.entity_id for m in mentions])
                  if e is not None and e.type == "source"), None)
    certainty = certainty_of(found) if found else "asserted"
    if named is not None:
        return _attribution(named.name_en, certainty)
    return _attribution((source_kind(found) if found else None) or outlet or UNNAMED_OUTLET, certainty)


@lru_cache(maxsize=1024)
def _attribution(attributed_to: str, certainty: str) -> Attribution:
    """One shared (immutable) record per pair."""
    return Attribution(attributed_to=attributed_to, certainty=certainty)
