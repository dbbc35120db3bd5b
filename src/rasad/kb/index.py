"""Alias index: every normalised alias of the knowledge base in one automaton.

The automaton (Aho-Corasick, pyahocorasick) finds all alias occurrences in a
normalised text in one pass; :mod:`rasad.extract.mentions` then checks word
boundaries and attached clitics.  Aliases that begin with the article ``ال``
are also indexed in their ``لل`` form (ل + ال), which Arabic spells without the
alef.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from importlib import resources

import ahocorasick

from rasad.extract.lexicon import load_lexicon
from rasad.frozen import quick_init
from rasad.kb.loader import KnowledgeBase
from rasad.model import Entity
from rasad.text.normalize import normalize_text

_ARABIC_LETTER = re.compile(r"[\u0621-\u064a\u0671-\u06d3]")
_LATIN_OR_DIGIT = re.compile(r"[a-z0-9]")
LIL = "لل"


@quick_init
@dataclass(frozen=True, slots=True)
class AliasEntry:
    """What the automaton stores for one indexed string."""

    key: str
    length: int
    lil: bool


@quick_init
@dataclass(frozen=True, slots=True)
class AliasIndex:
    automaton: ahocorasick.Automaton
    candidates: dict[str, tuple[str, ...]]
    kb_version: str
    common_words: frozenset[str] = frozenset()
    nested_keys: frozenset[str] = frozenset()
    gazetteer_keys: frozenset[str] = frozenset()
    known_names: dict[str, tuple[str, ...]] | None = None
    adjectives: frozenset[tuple[str, str]] = frozenset()


def _word_file(name: str) -> frozenset[str]:
    raw = resources.files("rasad.kb").joinpath(f"data/{name}").read_text(encoding="utf-8")
    words = (line.split("#", 1)[0].strip() for line in raw.splitlines())
    return frozenset(normalize_text(w) for w in words if w)


@cache
def alias_stoplist() -> frozenset[str]:
    """Strings never indexed as aliases (``alias_stoplist.txt``)."""
    return _word_file("alias_stoplist.txt")


@cache
def common_words() -> frozenset[str]:
    """Whole words that are never names (``common_words.txt``, built from ANERcorp)."""
    return _word_file("common_words.txt")


def usable_alias(key: str, *, min_letters: int, stoplist: frozenset[str]) -> bool:
    """An alias is indexed unless it is too short to be a name or a common word."""
    if not key or key in stoplist:
        return False
    if _LATIN_OR_DIGIT.search(key) and not _ARABIC_LETTER.search(key):
        return len(key) >= 3
    return len(_ARABIC_LETTER.findall(key)) >= min_letters


def entity_names(entity: Entity) -> tuple[str, ...]:
    """Every string that names the entity, adjectives included (إسرائيلية names Israel)."""
    adjectives = entity.extra.get("adjectives_ar") or ()
    return (entity.name_ar, entity.name_en, *entity.aliases, *(str(a) for a in adjectives))


def alias_keys(entity: Entity, *, min_letters: int, stoplist: frozenset[str]) -> set[str]:
    keys = {normalize_text(n) for n in entity_names(entity)}
    return {k for k in keys if usable_alias(k, min_letters=min_letters, stoplist=stoplist)}


NESTED_FEATURES = frozenset({"state"})


def build_nested_keys(kb: KnowledgeBase) -> frozenset[str]:
    """Names of states, which also count as mentions inside a longer name.

    "الميليشيات المتحالفة مع إيران" names the Iran-backed militias *and* Iran;
    adjectives (الإيرانية) are left out: they describe, they do not name.
    """
    keys: set[str] = set()
    for entity in kb.entities.values():
        if entity.type == "actor" and entity.feature in NESTED_FEATURES:
            keys |= {normalize_text(n) for n in (entity.name_ar, *entity.aliases)}
    return frozenset(keys)


def build_known_names(kb: KnowledgeBase) -> dict[str, tuple[str, ...]]:
    """Every name of a person or actor, even those too ambiguous for free-text matching.

    A name introduced by a cue (المدعو “سبحان”) is looked up here before it
    becomes a discovered entity.
    """
    table: dict[str, list[str]] = {}
    for entity in kb.entities.values():
        if entity.type in ("person", "actor"):
            for name in {normalize_text(n) for n in (entity.name_ar, *entity.aliases)}:
                table.setdefault(name, []).append(entity.id)
    return {k: tuple(v) for k, v in table.items()}


def _is_place(kb: KnowledgeBase, entity_id: str) -> bool:
    return kb.entities[entity_id].type == "place"


def build_candidates(kb: KnowledgeBase) -> dict[str, tuple[str, ...]]:
    lexicon = load_lexicon()
    stoplist = alias_stoplist()
    table: dict[str, list[str]] = {}
    for entity in kb.entities.values():
        for key in alias_keys(entity, min_letters=lexicon.min_alias_letters, stoplist=stoplist):
            table.setdefault(key, []).append(entity.id)
    return {k: tuple(v) for k, v in table.items()}


def build_automaton(keys: list[str]) -> ahocorasick.Automaton:
    automaton = ahocorasick.Automaton()
    for key in keys:
        automaton.add_word(key, AliasEntry(key, len(key), lil=False))
        if key.startswith("ال") and len(key) > 3:
            lil_form = LIL + key[2:]
            automaton.add_word(lil_form, AliasEntry(key, len(lil_form), lil=True))
    automaton.make_automaton()
    return automaton


_CACHE: dict[tuple[str, str], AliasIndex] = {}


def build_index(kb: KnowledgeBase) -> AliasIndex:
    """Alias index of ``kb`` (cached per knowledge-base name and version)."""
    cache_key = (kb.name, kb.version)
    if cache_key not in _CACHE:
        candidates = build_candidates(kb)
        _CACHE[cache_key] = AliasIndex(
            build_automaton(sorted(candidates)), candidates, kb.version, common_words(), build_nested_keys(kb),
            gazetteer_keys=frozenset(k for k, ids in candidates.items() if all(_is_place(kb, i) for i in ids)),
            known_names=build_known_names(kb),
            adjectives=frozenset(
                (normalize_text(str(a)), e.id) for e in kb.entities.values() for a in e.extra.get("adjectives_ar") or ()
            ),
        )
    return _CACHE[cache_key]
