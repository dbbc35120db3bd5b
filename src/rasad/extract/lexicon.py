"""Load the Arabic word lists of ``extract/data/lexicon.yaml``, normalised."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

import yaml

from rasad.errors import KnowledgeBaseError
from rasad.frozen import quick_init
from rasad.text.normalize import normalize_text


@quick_init
@dataclass(frozen=True, slots=True)
class Lexicon:
    proclitics: frozenset[str]
    conjunctions: frozenset[str]
    min_alias_letters: int
    feature_cues: dict[str, frozenset[str]]
    place_prepositions: frozenset[str]
    place_clitics: frozenset[str]
    source_cues: frozenset[str]
    so_called: tuple[str, ...]
    person_titles: tuple[str, ...]
    person_roles: tuple[str, ...]
    group_cues: frozenset[str]
    group_cues_in_name: frozenset[str]
    group_cues_unquoted: frozenset[str]
    name_stopwords: frozenset[str]
    name_particles: frozenset[str]
    rank_titles: frozenset[str]


def _words(data: dict[str, Any], key: str) -> tuple[str, ...]:
    values = data.get(key)
    if not values:
        raise KnowledgeBaseError(f"lexicon.yaml: word list {key!r} is missing or empty")
    return tuple(dict.fromkeys(normalize_text(str(v)) for v in values))


def _proclitic_strings(conjunctions: tuple[str, ...], prepositions: tuple[str, ...]) -> frozenset[str]:
    """Every clitic string that may precede a name: (conj)? (prep)?, non-empty."""
    out = set(conjunctions) | set(prepositions)
    out |= {c + p for c in conjunctions for p in prepositions}
    return frozenset(out)


def _sort_longest_first(words: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(sorted(words, key=lambda w: (-len(w), w)))


@cache
def load_lexicon() -> Lexicon:
    raw = resources.files("rasad.extract").joinpath("data/lexicon.yaml").read_text(encoding="utf-8")
    data: dict[str, Any] = yaml.safe_load(raw)
    clitics = data["clitics"]
    conjunctions = _words(clitics, "conjunctions")
    persons = data["person_cues"]
    return Lexicon(
        proclitics=_proclitic_strings(conjunctions, _words(clitics, "prepositions")),
        conjunctions=frozenset(conjunctions),
        min_alias_letters=int(data.get("min_alias_letters", 3)),
        feature_cues={k: frozenset(_words(data["feature_cues"], k)) for k in data["feature_cues"]},
        place_prepositions=frozenset(_words(data, "place_prepositions")),
        place_clitics=frozenset(_words(data, "place_clitics")),
        source_cues=frozenset(_words(data, "source_cues")),
        so_called=_sort_longest_first(_words(persons, "so_called")),
        person_titles=_sort_longest_first(_words(persons, "titles")),
        person_roles=_sort_longest_first(_words(persons, "roles")),
        group_cues=frozenset(_words(data, "group_cues")),
        group_cues_in_name=frozenset(_words(data, "group_cues_in_name")),
        group_cues_unquoted=frozenset(_words(data, "group_cues_unquoted")),
        name_stopwords=frozenset(_words(data, "name_stopwords")),
        name_particles=frozenset(_words(data, "name_particles")),
        rank_titles=frozenset(_words(data, "rank_titles")),
    )
