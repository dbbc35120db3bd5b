"""Relations between entities from Arabic cue phrases (one data file per predicate).

A pattern names its cue phrases and where the subject and object mentions sit
around the cue (before, after, after the object, around it, anywhere in the
sentence), their entity types and how many words may separate them.  Subjects
coordinated with و or a comma ("ميليشيات فاطميون وحزب الله العراقي") all get the
relation.  "X التابعة لـ Y" is ``part_of`` when the knowledge base lists Y as
X's parent, ``backed_by`` otherwise.  Cues inside a mention (an alias such as
"الميليشيات المتحالفة مع إيران") are not relations.
"""

from __future__ import annotations

import bisect
import hashlib
import itertools
import operator
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from functools import cache, lru_cache
from importlib import resources
from typing import Any

import yaml

from rasad.errors import KnowledgeBaseError
from rasad.extract.patterns import CueIndex
from rasad.extract.view import ArticleView
from rasad.frozen import quick_init
from rasad.model import PREDICATES, Entity, Evidence, Mention, Relation
from rasad.text.normalize import normalize_text

# Coordinated subjects ("ميليشيات فاطميون وحزب الله العراقي") make one claim: the first
# is the relation's subject, the others its ``co_subjects``.
_COORDINATION = re.compile(r"^[\s\"“”«»'’‘()]*(?:و|،|,)[\s\"“”«»'’‘()]*$")


@quick_init
@dataclass(frozen=True, slots=True)
class Slot:
    """Where a relation's subject or object sits around the cue.

    side: before | after | either | after_object | around_object | after_subject | sentence;
    types: entity types accepted (in order of preference when ``prefer``);
    gap: words allowed between the mention and the cue (or its partner);
    exclude: place features never accepted (a country is not "controlled").
    """

    side: str
    types: tuple[str, ...]
    gap: int
    anaphora: bool = False
    last: bool = False
    features: frozenset[str] = frozenset()
    exclude: frozenset[str] = frozenset()
    prefer: bool = False


@quick_init
@dataclass(frozen=True, slots=True)
class RelationPattern:
    predicate: str
    name: str
    cues: tuple[str, ...]
    subject: Slot
    object: Slot
    part_of_when_parent: bool = False
    require_parent: bool = False
    adjacent: bool = False


def _slot(raw: Mapping[str, Any]) -> Slot:
    return Slot(
        side=str(raw["side"]), types=tuple(raw["types"]), gap=int(raw.get("gap", 3)),
        anaphora=bool(raw.get("anaphora", False)), last=bool(raw.get("last", False)),
        features=frozenset(raw.get("features", ())), exclude=frozenset(raw.get("exclude", ())),
        prefer=bool(raw.get("prefer", False)),
    )


@cache
def load_relation_patterns() -> tuple[RelationPattern, ...]:
    folder = resources.files("rasad.extract").joinpath("data/relations")
    patterns: list[RelationPattern] = []
    for predicate in PREDICATES:
        data = yaml.safe_load(folder.joinpath(f"{predicate}.yaml").read_text(encoding="utf-8"))
        if data.get("predicate") != predicate:
            raise KnowledgeBaseError(f"relations/{predicate}.yaml: predicate must be {predicate!r}")
        for raw in data["patterns"]:
            patterns.append(RelationPattern(
                predicate=predicate, name=str(raw["name"]), cues=tuple(raw["cue"]),
                subject=_slot(raw["subject"]), object=_slot(raw["object"]),
                part_of_when_parent=bool(raw.get("part_of_when_parent", False)),
                require_parent=bool(raw.get("require_parent", False)),
                adjacent=bool(raw.get("adjacent", False)),
            ))
    return tuple(patterns)


@cache
def relation_cue_index() -> CueIndex:
    """One automaton for the cues of every relation pattern (keyed by the pattern's position)."""
    return CueIndex({str(i): p.cues for i, p in enumerate(load_relation_patterns()) if not p.adjacent})


@cache
def anaphora_heads() -> frozenset[str]:
    raw = resources.files("rasad.extract").joinpath("data/lexicon.yaml").read_text(encoding="utf-8")
    return frozenset(normalize_text(w) for w in yaml.safe_load(raw)["anaphora_heads"])


# -- choosing mentions around a cue --------------------------------------------------------------

@quick_init
@dataclass(frozen=True, slots=True)
class SyntaxCues:
    relative: re.Pattern[str]
    fillers: re.Pattern[str]
    new_head: re.Pattern[str]


@cache
def syntax_cues() -> SyntaxCues:
    """Regexes over the clean text from the word lists of lexicon.yaml (surface forms, any clitic و)."""
    raw = resources.files("rasad.extract").joinpath("data/lexicon.yaml").read_text(encoding="utf-8")
    data = yaml.safe_load(raw)

    def words(key: str, prefix: str) -> re.Pattern[str]:
        if not data.get(key):
            raise KnowledgeBaseError(f"lexicon.yaml: word list {key!r} is missing or empty")
        alternation = "|".join(re.escape(w) for w in sorted(data[key], key=len, reverse=True))
        return re.compile(rf"(?<![^\W_]){prefix}(?:{alternation})(?![^\W_])")

    return SyntaxCues(words("relative_pronouns", "و?"), words("coordination_fillers", "و?"), words("new_heads", "و"))


def _fits(view: ArticleView, m: Mention, slot: Slot) -> bool:
    if m.method == "adjective":
        return False  # "ميليشيا إيرانية" describes a militia; it does not name Iran as a party
    entity = view.entities[m.entity_id]
    if entity.type not in slot.types or entity.feature in slot.exclude:
        return False
    return not slot.features or entity.feature in slot.features


def _keep_conjunction(match: re.Match[str]) -> str:
    """Drop a filler word ("وباقي", "ميليشيا") but keep the و it carried."""
    return "و" if match.group(0).startswith("و") else ""


def _within_gap(view: ArticleView, start: int, end: int, limit: int) -> bool:
    """At most ``limit`` words between two offsets, not counting group fillers (ميليشيا، قوات …).

    Every filler starts a word, so when the words alone are few enough the fillers need no counting.
    """
    words = view.words_between(start, end)
    return words <= limit or words - len(syntax_cues().fillers.findall(view.article.text, start, end)) <= limit


def _end(m: Mention) -> int:
    return m.end


def _ending_by(mentions: Sequence[Mention], pos: int) -> Sequence[Mention]:
    """The mentions that end by ``pos`` (top-level mentions in order end in order too)."""
    return mentions[: bisect.bisect_right(mentions, pos, key=_end)]


def _coordinated(view: ArticleView, chosen: Mention, pool: list[Mention], slot: Slot) -> list[Mention]:
    """The chosen mention and those coordinated before it with و or a comma, first one first."""
    group = [chosen]
    for m in reversed(_ending_by(pool, chosen.start)):
        if not _fits(view, m, slot):
            break
        between = syntax_cues().fillers.sub(_keep_conjunction, view.article.text[m.end : group[-1].start])
        if not _COORDINATION.match(between):
            break
        group.append(m)
    return list(reversed(group))


def _skip_relative_clause(view: ArticleView, nearest: Mention, candidates: list[Mention]) -> Mention:
    """"لواء فاطميون الذي يدعمه الحرس الثوري يتمركزون": the subject is the head, not the clause's agent."""
    earlier = _ending_by(candidates, nearest.start)
    if not earlier:
        return nearest
    relatives = list(syntax_cues().relative.finditer(view.article.text, earlier[-1].end, nearest.start))
    if relatives and view.words_between(relatives[-1].end(), nearest.start) <= 1:
        return earlier[-1]
    return nearest


def before(view: ArticleView, pool: list[Mention], pos: int, slot: Slot) -> list[Mention]:
    candidates = [m for m in _ending_by(pool, pos) if _fits(view, m, slot)]
    if not candidates:
        return []
    nearest = candidates[-1]
    if syntax_cues().new_head.search(view.article.text, nearest.end, pos):
        return []  # "قوات الأسد والميليشيات الموالية لروسيا": the cue belongs to the unnamed militias
    if slot.prefer:
        for kind in slot.types:
            typed = next((m for m in reversed(candidates)
                          if view.entity(m).type == kind and _within_gap(view, m.end, pos, slot.gap)), None)
            if typed:
                nearest = typed
                break
    if not _within_gap(view, nearest.end, pos, slot.gap):
        return []
    return _coordinated(view, _skip_relative_clause(view, nearest, candidates), pool, slot)


def after(view: ArticleView, pool: list[Mention], cue_start: int, pos: int, slot: Slot) -> list[Mention]:
    """Mentions after ``pos`` within the gap (one that overlaps the cue's end counts: قائد ميليشيا X)."""
    later = pool[bisect.bisect_right(pool, pos, key=_end) :]
    for m in reversed(later) if slot.last else later:
        if m.start >= cue_start and _fits(view, m, slot) and _within_gap(view, pos, m.start, slot.gap):
            return [m]
    return []


def _names_head(view: ArticleView, m: Mention, head: str) -> bool:
    """Does the mention, or the two words before it, carry the anaphor's head noun (ميليشيا …)?"""
    before_words = view.normalized_between(max(0, m.start - 40), m.start).split()[-2:]
    return head in view.normalized(m) or any(head in w for w in before_words)


def anaphor(view: ArticleView, pos: int, slot: Slot) -> list[Mention]:
    """"القيادي في الميليشيا ذاتها": the most recent actor introduced with the same head noun."""
    following = view.normalized_between(pos, pos + 40).split()
    if not following or following[0] not in anaphora_heads():
        return []
    head = following[0].removeprefix("ال")
    named = next((m for m in reversed(_ending_by(view.mentions, pos))
                  if _fits(view, m, slot) and _names_head(view, m, head)), None)
    return [named] if named else []


_NEXT_WORD = re.compile(r"\s*[^\s]+")


def _word_end(text: str, pos: int) -> int:
    """End of the word that follows ``pos``."""
    match = _NEXT_WORD.match(text, pos)
    return match.end() if match else pos


@cache
def _next_to(types: tuple[str, ...]) -> Slot:
    """A slot right before the cue (at most one word between) for these types."""
    return Slot("before", types, 1)


def place_slot(view: ArticleView, pool: list[Mention], start: int, end: int, slot: Slot,
               partner: list[Mention]) -> list[Mention]:
    """The mentions that fill ``slot`` for the cue at ``[start, end)`` in the sentence whose mentions are ``pool``."""
    side = slot.side
    if side == "before":
        return before(view, pool, start, slot)
    if side == "after":
        found = after(view, pool, start, end, slot)
        return found or (anaphor(view, end, slot) if slot.anaphora else [])
    if side == "either":
        return before(view, pool, start, slot) or after(view, pool, start, end, slot)
    if side in ("after_object", "after_subject", "around_object"):
        found = before(view, pool, start, _next_to(slot.types)) if side == "around_object" else []
        anchor = max((m.end for m in partner), default=end)
        if anchor < start:  # the partner was an anaphor resolved to an earlier sentence
            anchor = _word_end(view.article.text, end)
        return found or after(view, pool, anchor, anchor, slot)
    if side == "sentence":
        first = next((m for m in pool if _fits(view, m, slot)), None)
        return [first] if first else []
    raise KnowledgeBaseError(f"unknown slot side {side!r}")


# -- relations -------------------------------------------------------------------------------------


def ancestors(entity: Entity, entities: Mapping[str, Entity]) -> set[str]:
    found: set[str] = set()
    current = entity.parent
    while current and current not in found:
        found.add(current)
        parent = entities.get(current)
        current = parent.parent if parent else None
    return found


@lru_cache(maxsize=1 << 14)
def relation_id(subject: str, predicate: str, obj: str) -> str:
    return "r-" + hashlib.sha1(f"{subject}|{predicate}|{obj}".encode()).hexdigest()[:16]


def _worth_trying(view: ArticleView, pattern: RelationPattern, start: int) -> bool:
    """Cheap filter: a subject slot right before the cue needs a mention ending right there."""
    if pattern.subject.side == "before" and pattern.subject.gap == 0:
        ends = view.ends
        return start in ends or start - 1 in ends or start - 2 in ends or start - 3 in ends
    return True


Match = tuple[str, Mention, Mention, tuple[str, ...], int]


def _cues(view: ArticleView) -> list[tuple[int, int, int]]:
    """(pattern position, start, end) of every relation cue, by pattern then place in the text."""
    return sorted([(int(name), start, end) for name, start, end in relation_cue_index().spans(view.norm)],
                  key=_PATTERN_THEN_START)


_PATTERN_THEN_START = operator.itemgetter(0, 1)


def _matches(view: ArticleView, kb_entities: Mapping[str, Entity]) -> Iterator[Match]:
    patterns = load_relation_patterns()
    for position, start, end in _cues(view):
        pattern = patterns[position]
        if _worth_trying(view, pattern, start) and not view.inside_mention(start, end):
            match = _apply(view, pattern, start, end, kb_entities)
            if match:
                yield match
    for position, pattern in enumerate(patterns):
        if pattern.adjacent:
            yield from _adjacent(view, pattern, _adjacent_cues(position), kb_entities)


@cache
def _adjacent_cues(position: int) -> frozenset[str]:
    """The normalised cues of the adjacent pattern at ``position``."""
    return frozenset(normalize_text(c) for c in load_relation_patterns()[position].cues)


def _adjacent(view: ArticleView, pattern: RelationPattern, cues: frozenset[str],
              kb_entities: Mapping[str, Entity]) -> Iterator[Match]:
    """Patterns whose cue is all that stands between two neighbouring mentions ("X في Y")."""
    longest = max(len(c) for c in cues) + 4
    for index, pool in view.by_sentence.items():
        for first, second in itertools.pairwise(pool):
            if second.start - first.end > longest:
                continue
            between = normalize_text(view.article.text[first.end : second.start])
            if between not in cues or not (_fits(view, first, pattern.subject) and _fits(view, second, pattern.object)):
                continue
            predicate = _predicate(pattern, view.entity(first), view.entity(second), kb_entities)
            if predicate:
                yield predicate, first, second, (), index


def _apply(view: ArticleView, pattern: RelationPattern, start: int, end: int,
           kb_entities: Mapping[str, Entity]) -> Match | None:
    """The relation the pattern's cue at ``[start, end)`` states, if its slots are filled."""
    index = view.sentence_of(start)
    pool = view.mentions_in(index)
    subject_first = pattern.object.side == "after_subject"
    first_slot, second_slot = (pattern.subject, pattern.object) if subject_first else (pattern.object, pattern.subject)
    first = place_slot(view, pool, start, end, first_slot, [])
    second = place_slot(view, pool, start, end, second_slot, first) if first else []
    if not second:
        return None
    subjects, objects = (first, second) if subject_first else (second, first)
    head, *others = subjects
    obj = objects[0]
    predicate = _predicate(pattern, view.entity(head), view.entity(obj), kb_entities)
    if predicate and head.entity_id != obj.entity_id:
        return predicate, head, obj, tuple(m.entity_id for m in others if m.entity_id != obj.entity_id), index
    return None


def _predicate(pattern: RelationPattern, subject: Entity, obj: Entity,
               kb_entities: Mapping[str, Entity]) -> str | None:
    is_parent = obj.id in ancestors(subject, kb_entities)
    if pattern.require_parent:
        return pattern.predicate if is_parent else None
    if pattern.part_of_when_parent and is_parent:
        return "part_of"
    return pattern.predicate


def extract_relations(view: ArticleView, kb_entities: Mapping[str, Entity]) -> tuple[Relation, ...]:
    """Every relation the article's sentences state, one record per (subject, predicate, object)."""
    found: dict[str, Relation] = {}
    for predicate, s, o, others, index in _matches(view, kb_entities):
        rid = relation_id(s.entity_id, predicate, o.entity_id)
        if rid in found:
            continue
        sentence = view.sentence(index)
        said = view.attribution(index, view.article.outlet)
        evidence = Evidence(view.article.id, sentence.start, sentence.end, view.text(sentence),
                            said.attributed_to, said.certainty, view.article.outlet)
        found[rid] = Relation(rid, s.entity_id, predicate, o.entity_id, (evidence,), others)
    return tuple(found.values())
