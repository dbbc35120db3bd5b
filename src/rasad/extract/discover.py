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
import re
from dataclasses import dataclass

from rasad.extract.lexicon import Lexicon
from rasad.model import Entity
from rasad.text.normalize import Normalized, name_key
from rasad.text.translit import romanize

_TOKEN = re.compile(r"[^\W\d_]+|\d+|[^\w\s]", re.UNICODE)
_OPEN_QUOTES = "“\"«„‘'"
_CLOSE_QUOTES = "”\"»’'“"
MAX_NAME_TOKENS = 4
MIN_TOKEN_LETTERS = 2


@dataclass(frozen=True, slots=True)
class Token:
    text: str
    start: int
    end: int


@dataclass(frozen=True, slots=True)
class Discovery:
    """A discovered name: normalised span, the type it gets and the cue that found it."""

    start: int
    end: int
    type: str
    cue: str
    group_word: str = ""


def tokenize(text: str) -> list[Token]:
    return [Token(m.group(), m.start(), m.end()) for m in _TOKEN.finditer(text)]


def _bare(word: str, lexicon: Lexicon) -> str:
    for size in (2, 1):
        if len(word) > size + 2 and word[:size] in lexicon.proclitics:
            return word[size:]
    return word


def match_cue(tokens: list[Token], i: int, cues: tuple[str, ...], lexicon: Lexicon) -> int:
    """Number of tokens of the longest cue starting at token ``i`` (0 if none)."""
    for cue in cues:
        parts = cue.split()
        window = [t.text for t in tokens[i : i + len(parts)]]
        if len(window) == len(parts) and window[1:] == parts[1:] and parts[0] in (window[0], _bare(window[0], lexicon)):
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
    tokens = tokenize(norm.text)
    found: list[Discovery] = []
    for i in range(len(tokens)):
        here = _person_at(tokens, i, norm, clean, lexicon, common) or _group_at(tokens, i, norm, clean, lexicon)
        if here is not None:
            found.append(here)
    return found


def _drop_ranks(name: list[Token], lexicon: Lexicon) -> list[Token]:
    while len(name) > 1 and name[0].text in lexicon.rank_titles:
        name = name[1:]
    return name


def _person_at(tokens: list[Token], i: int, norm: Normalized, clean: str, lexicon: Lexicon,
               common: frozenset[str]) -> Discovery | None:
    for cues, min_tokens, cue_kind in (
        (lexicon.so_called, 1, "so-called"),
        (lexicon.person_titles, 2, "title"),
    ):
        size = match_cue(tokens, i, cues, lexicon)
        if not size:
            continue
        name = _drop_ranks(name_tokens(tokens, i + size, norm, clean, lexicon), lexicon)
        if cue_kind == "title" and any(t.text in common for t in name if t.text not in lexicon.name_particles):
            continue
        if name and _valid_person(name, min_tokens=min_tokens, lexicon=lexicon):
            return Discovery(name[0].start, name[-1].end, "person", cue_kind)
    return None


def _group_at(tokens: list[Token], i: int, norm: Normalized, clean: str, lexicon: Lexicon) -> Discovery | None:
    word = _bare(tokens[i].text, lexicon)
    if word not in lexicon.group_cues or i + 1 >= len(tokens):
        return None
    if not _quote_before(clean, norm.offsets[tokens[i + 1].start]):
        return None
    name = name_tokens(tokens, i + 1, norm, clean, lexicon)
    if not name:
        return None
    group_word = word if word in lexicon.group_cues_in_name else ""
    return Discovery(name[0].start, name[-1].end, "actor", "group word", group_word)


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
