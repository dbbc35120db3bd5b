"""Discovery of names the knowledge base does not know, from general cues.

Persons: a "so-called" cue (المدعو، يدعى، الملقب …) or a title (الناشط،
القيادي، العميد …) followed by a name; the author in a byline.  Armed groups:
a group word (ميليشيا، لواء، كتائب …) followed by a quoted name.  A name is
the run of words after the cue, up to a closing quote, punctuation or a word
that cannot belong to a name.  Each discovery is an entity flagged
``discovered`` with the sentence that introduced it.
"""

from __future__ import annotations

import hashlib
import itertools
import re
from dataclasses import dataclass
from functools import cache

import ahocorasick

from rasad.extract.lexicon import Lexicon
from rasad.frozen import quick_init
from rasad.model import Entity
from rasad.text.normalize import Normalized, name_key
from rasad.text.translit import romanize

_TOKEN = re.compile(r"[^\W\d_]+|\d+|[^\w\s]", re.UNICODE)
_OPEN_QUOTES = "“\"«„‘'"
_CLOSE_QUOTES = "”\"»’'“"
MAX_NAME_TOKENS = 4
MAX_CUE_TOKENS = 3
MAX_UNQUOTED_GROUP_TOKENS = 2
PERSON, GROUP, GROUP_UNQUOTED = "person", "group", "group-unquoted"
WINDOW = 160  # characters after a cue that can hold the cue and the name
MIN_TOKEN_LETTERS = 2


@quick_init
@dataclass(frozen=True, slots=True)
class Token:
    text: str
    start: int
    end: int


@quick_init
@dataclass(frozen=True, slots=True)
class Discovery:
    """A discovered name: normalised span, the type it gets and the cue that found it."""

    start: int
    end: int
    type: str
    cue: str
    group_word: str = ""


def tokenize(text: str, offset: int = 0, limit: int | None = None) -> list[Token]:
    """Word, number and punctuation tokens of ``text`` (at most ``limit``), offsets shifted by ``offset``."""
    matches = itertools.islice(_TOKEN.finditer(text), limit)
    return [Token(m.group(), m.start() + offset, m.end() + offset) for m in matches]


def _bare(word: str, lexicon: Lexicon) -> str:
    for size in (2, 1):
        if len(word) > size + 2 and word[:size] in lexicon.proclitics:
            return word[size:]
    return word


def cue_index(cues: tuple[str, ...]) -> dict[str, tuple[tuple[str, ...], ...]]:
    """Cues keyed by their first word, longest first, for one dictionary lookup per token."""
    index: dict[str, list[tuple[str, ...]]] = {}
    for cue in cues:
        parts = tuple(cue.split())
        index.setdefault(parts[0], []).append(parts)
    return {k: tuple(sorted(v, key=len, reverse=True)) for k, v in index.items()}


@cache
def _cue_index_for(cues: tuple[str, ...]) -> dict[str, tuple[tuple[str, ...], ...]]:
    return cue_index(cues)


def match_cue(tokens: list[Token], i: int, cues: tuple[str, ...], lexicon: Lexicon) -> int:
    """Number of tokens of the longest cue starting at token ``i`` (0 if none)."""
    index = _cue_index_for(cues)
    first = tokens[i].text
    options = index.get(first) or index.get(_bare(first, lexicon)) or ()
    for parts in options:
        window = tuple(t.text for t in tokens[i + 1 : i + len(parts)])
        if window == parts[1:]:
            return len(parts)
    return 0


def _quote_before(clean: str, pos: int) -> bool:
    i = pos - 1
    while i >= 0 and clean[i] == " ":
        i -= 1
    return i >= 0 and clean[i] in _OPEN_QUOTES


def _quote_after(clean: str, pos: int) -> bool:
    return pos < len(clean) and clean[pos] in _CLOSE_QUOTES


def _is_name_token(token: Token, lexicon: Lexicon) -> bool:
    return (
        token.text.isalpha()
        and len(token.text) >= MIN_TOKEN_LETTERS
        and token.text not in lexicon.name_stopwords
        and _bare(token.text, lexicon) not in lexicon.name_stopwords
    )


def name_tokens(tokens: list[Token], j: int, norm: Normalized, clean: str, lexicon: Lexicon) -> list[Token]:
    """The tokens of the name that starts at token ``j`` (quoted or not)."""
    quoted = j < len(tokens) and _quote_before(clean, norm.offsets[tokens[j].start])
    out: list[Token] = []
    for token in tokens[j : j + MAX_NAME_TOKENS + 1]:
        if not token.text.isalpha() or (not quoted and not _is_name_token(token, lexicon)):
            break
        out.append(token)
        if quoted and _quote_after(clean, norm.to_original(token.start, token.end).end):
            return out if len(out) <= MAX_NAME_TOKENS else []
    if quoted:
        return []
    while out and out[-1].text in lexicon.name_particles:
        out.pop()
    return out[:MAX_NAME_TOKENS]


def _valid_person(tokens: list[Token], *, min_tokens: int, lexicon: Lexicon) -> bool:
    real = [t for t in tokens if t.text not in lexicon.name_particles]
    return len(tokens) >= min_tokens and bool(real) and all(len(t.text) >= MIN_TOKEN_LETTERS for t in real)


def find_discoveries(norm: Normalized, clean: str, lexicon: Lexicon,
                     common: frozenset[str] = frozenset()) -> list[Discovery]:
    """Every cue-introduced name in the text; ``common`` words never make a titled name."""
    found: list[Discovery] = []
    text = norm.text
    for end, (length, kind) in cue_automaton(lexicon).iter(text):
        start = end - length + 1
        if (start > 0 and _is_letter(text[start - 1])) or (end + 1 < len(text) and _is_letter(text[end + 1])):
            continue
        if kind == GROUP and not _quoted_next(text, end + 1, norm, clean):
            continue
        window = text[start : start + WINDOW].split("\n", 1)[0]
        tokens = tokenize(window, start, limit=MAX_NAME_TOKENS + MAX_CUE_TOKENS + 1)
        here = _person_at(tokens, 0, norm, clean, lexicon, common) or _group_at(
            tokens, 0, norm, clean, lexicon, common
        )
        if here is not None:
            found.append(here)
    return found


_CUE_AUTOMATA: dict[int, ahocorasick.Automaton] = {}


def cue_automaton(lexicon: Lexicon) -> ahocorasick.Automaton:
    """Every word that can open a cue, with and without proclitics, in one automaton (cached per lexicon)."""
    key = id(lexicon)
    if key not in _CUE_AUTOMATA:
        person = {c.split()[0] for c in (*lexicon.so_called, *lexicon.person_titles, *lexicon.person_roles)}
        kinds = dict.fromkeys(lexicon.group_cues, GROUP)
        kinds.update(dict.fromkeys(lexicon.group_cues_unquoted, GROUP_UNQUOTED))
        kinds.update(dict.fromkeys(person, PERSON))
        automaton = ahocorasick.Automaton()
        for word, kind in kinds.items():
            for form in (word, *(p + word for p in lexicon.proclitics)):
                automaton.add_word(form, (len(form), kind))
        automaton.make_automaton()
        _CUE_AUTOMATA[key] = automaton
    return _CUE_AUTOMATA[key]


def _is_letter(ch: str) -> bool:
    return ch.isalpha()


def _quoted_next(text: str, pos: int, norm: Normalized, clean: str) -> bool:
    """Does the word after ``pos`` open with a quote mark in the clean text?"""
    while pos < len(text) and text[pos] == " ":
        pos += 1
    return pos < len(text) and _quote_before(clean, norm.offsets[pos])


def _drop_ranks(name: list[Token], lexicon: Lexicon) -> list[Token]:
    while len(name) > 1 and name[0].text in lexicon.rank_titles:
        name = name[1:]
    return name


def _person_at(tokens: list[Token], i: int, norm: Normalized, clean: str, lexicon: Lexicon,
               common: frozenset[str]) -> Discovery | None:
    for cues, min_tokens, cue_kind in (
        (lexicon.so_called, 1, "so-called"),
        (lexicon.person_titles, 2, "title"),
        (lexicon.person_roles, 2, "role"),
    ):
        size = match_cue(tokens, i, cues, lexicon)
        if not size:
            continue
        name = _drop_ranks(name_tokens(tokens, i + size, norm, clean, lexicon), lexicon)
        if cue_kind != "so-called" and _has_common_word(name, common, lexicon):
            continue
        if name and _valid_person(name, min_tokens=min_tokens, lexicon=lexicon):
            return Discovery(name[0].start, name[-1].end, "person", cue_kind)
    return None


def _has_common_word(name: list[Token], common: frozenset[str], lexicon: Lexicon) -> bool:
    return any(t.text in common for t in name if t.text not in lexicon.name_particles)


def _group_at(tokens: list[Token], i: int, norm: Normalized, clean: str, lexicon: Lexicon,
              common: frozenset[str]) -> Discovery | None:
    """A group word and its name: quoted (ميليشيا “…”), or for unit words (لواء، فوج …) up to
    two words that are not common words (لواء الباقر)."""
    word = _bare(tokens[i].text, lexicon)
    if word not in lexicon.group_cues or i + 1 >= len(tokens):
        return None
    group_word = word if word in lexicon.group_cues_in_name else ""
    if _quote_before(clean, norm.offsets[tokens[i + 1].start]):
        name = name_tokens(tokens, i + 1, norm, clean, lexicon)
        return Discovery(name[0].start, name[-1].end, "actor", "group word", group_word) if name else None
    if word not in lexicon.group_cues_unquoted:
        return None
    name = name_tokens(tokens, i + 1, norm, clean, lexicon)[:MAX_UNQUOTED_GROUP_TOKENS]
    if not name or _has_common_word(name, common, lexicon) or any(t.text in lexicon.group_cues for t in name):
        return None
    return Discovery(name[0].start, name[-1].end, "actor", "unit word", group_word)


def discovered_id(entity_type: str, name: str) -> str:
    digest = hashlib.sha1(name_key(name).encode("utf-8")).hexdigest()[:12]
    return f"d-{entity_type}-{digest}"


def discovered_entity(*, entity_type: str, name_ar: str, cue: str, evidence: dict[str, object]) -> Entity:
    return Entity(
        id=discovered_id(entity_type, name_ar),
        type=entity_type,
        name_en=romanize(name_ar),
        name_ar=name_ar,
        discovered=True,
        feature="discovered",
        extra={"cue": cue, "evidence": [evidence]},
    )
