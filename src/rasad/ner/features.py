"""Token features for the NER sequence labeller.

Every token gets features of its own (normalised form, the form without
clitics and article, prefixes and suffixes, shape, cue-word kinds, what the
training data says about the word) plus the main features of its neighbours
two tokens either side (the clitic-free form three away), and marks from
gazetteers matched over the sentence: the knowledge base's alias keys (typed
by their entities), the multi-word names of the training data, and the word
lists of :mod:`rasad.ner.lists`.  Features that depend on the word
alone are computed once per distinct token and cached.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache

from rasad.extract.lexicon import Lexicon, load_lexicon
from rasad.kb.index import AliasIndex
from rasad.kb.loader import KnowledgeBase
from rasad.text.normalize import normalize_text

ARTICLE = "ال"
LIL = "لل"
MAX_GAZETTEER_WORDS = 6
CACHE_LIMIT = 200_000
_LATIN = re.compile(r"^[a-z]+$")
_DIGITS = re.compile(r"^[0-9][0-9.,/:-]*$")
_ARABIC = re.compile(r"^[\u0621-\u064a]+$")
_VOWELS = frozenset("اويه")


@dataclass(frozen=True, slots=True)
class Gazetteer:
    """Normalised multi-word keys with their labels, matched over token windows."""

    entries: Mapping[str, tuple[str, ...]]
    first_words: frozenset[str]
    max_words: int


def make_gazetteer(entries: Mapping[str, Iterable[str]], *, max_words: int = MAX_GAZETTEER_WORDS) -> Gazetteer:
    """A gazetteer of ``entries`` (key → labels); keys longer than ``max_words`` words are left out."""
    kept = {k: tuple(sorted(set(v))) for k, v in entries.items() if k and len(k.split()) <= max_words}
    firsts = frozenset(k.split(" ", 1)[0] for k in kept)
    longest = max((len(k.split()) for k in kept), default=1)
    return Gazetteer(kept, firsts, longest)


EMPTY_GAZETTEER = make_gazetteer({})


@dataclass(frozen=True, slots=True)
class TrainTables:
    """What the training split says about words: their usual tags, and multi-word names with their types.

    Built from training data only; while training, each sentence sees tables
    built from the other folds, so the features behave as they will on unseen text.
    """

    words: Mapping[str, tuple[str, ...]]
    bases: Mapping[str, tuple[str, ...]]
    names: Gazetteer


@dataclass(frozen=True, slots=True)
class FeatureTables:
    """Everything the features look words up in."""

    cues: Mapping[str, tuple[str, ...]]
    kb: Gazetteer
    train: TrainTables
    lists: Gazetteer = EMPTY_GAZETTEER
    topics: Mapping[str, str] = field(default_factory=dict)  # clitic-free word → document topic it marks


@dataclass(frozen=True, slots=True)
class _Word:
    norm: str
    variants: tuple[str, ...]
    own: tuple[str, ...]
    shared: tuple[str, ...]
    # the word's features as a neighbour, prefixed once here rather than for every occurrence
    left1: tuple[str, ...]
    right1: tuple[str, ...]
    left2: tuple[str, ...]
    right2: tuple[str, ...]
    left3: tuple[str, ...]
    right3: tuple[str, ...]


@cache
def _clitic_pattern() -> re.Pattern[str]:
    lexicon = load_lexicon()
    conj = "".join(sorted(lexicon.conjunctions))
    prep = "".join(sorted(p for p in lexicon.proclitics if len(p) == 1 and p not in lexicon.conjunctions))
    return re.compile(rf"^(?P<conj>[{conj}])?(?:(?P<prep>[{prep}])?{ARTICLE}|(?P<lil>{LIL}))(?P<stem>..+)$")


def base_form(norm: str) -> str:
    """A normalised word without conjunction, preposition and article (والصادرات → صادرات)."""
    match = _clitic_pattern().match(norm)
    return match.group("stem") if match else norm


def clitic_variants(norm: str, lexicon: Lexicon) -> tuple[str, ...]:
    """Forms a gazetteer key may take inside ``norm``: itself, without proclitics, لل → ال."""
    out = [norm]
    for clitic in lexicon.proclitics:
        if norm.startswith(clitic) and len(norm) - len(clitic) >= 2:
            rest = norm[len(clitic) :]
            out.append(rest)
            if clitic.endswith("ل") and rest.startswith("ل"):
                out.append(ARTICLE + rest[1:])
    return tuple(dict.fromkeys(out))


def shape(norm: str) -> str:
    if _ARABIC.match(norm):
        return "ar"
    if _LATIN.match(norm):
        return "latin"
    if _DIGITS.match(norm):
        return "digit"
    if not any(ch.isalnum() for ch in norm):
        return "punct"
    return "mixed"


def case_shape(token: str) -> str:
    """Letter case of a Latin token (CNN → XX, Apple → Xx); empty for other scripts."""
    if not token.isascii() or not token.isalpha():
        return ""
    if token.isupper():
        return "XX"
    return "Xx" if token[:1].isupper() else "x"


def char_ngrams(word: str, sizes: tuple[int, ...] = (2, 3)) -> list[str]:
    """Character n-grams of ``word`` with boundary marks."""
    padded = f"<{word}>"
    return [padded[i : i + n] for n in sizes for i in range(len(padded) - n + 1)]


def template(word: str) -> str:
    """The word's letters reduced to its long vowels and C for every other letter (كاتب → CاCC)."""
    return "".join(ch if ch in _VOWELS else "C" for ch in word)


def _length_bucket(norm: str) -> str:
    n = len(norm)
    return str(n) if n < 7 else "7+" if n < 10 else "10+"


def cue_table(lexicon: Lexicon) -> dict[str, tuple[str, ...]]:
    """Cue words of the lexicon by kind: place features (مدينة، ريف …), group words, titles, prepositions."""
    kinds: dict[str, set[str]] = {}

    def add(words: Iterable[str], kind: str) -> None:
        for phrase in words:
            for word in phrase.split()[:1]:
                kinds.setdefault(word, set()).add(kind)

    for feature, words in lexicon.feature_cues.items():
        add(words, f"place-{feature}")
    add(lexicon.group_cues, "group")
    add(lexicon.so_called, "so-called")
    add(lexicon.person_titles, "title")
    add(lexicon.person_roles, "role")
    add(lexicon.rank_titles, "rank")
    add(lexicon.place_prepositions, "place-prep")
    add(lexicon.source_cues, "source")
    add(lexicon.name_particles, "particle")
    add(lexicon.name_stopwords, "stop")
    return {w: tuple(sorted(k)) for w, k in kinds.items()}


def kb_gazetteer(kb: KnowledgeBase, index: AliasIndex) -> Gazetteer:
    """The knowledge base's alias keys, each labelled with the types of the entities it names."""
    entries = {key: [kb.entities[i].type for i in ids if i in kb.entities] for key, ids in index.candidates.items()}
    return make_gazetteer(entries)


class Featurizer:
    """Feature lists for token sequences; caches the per-word part."""

    def __init__(self, tables: FeatureTables, lexicon: Lexicon | None = None, *,
                 known: frozenset[str] | None = None) -> None:
        self.tables = tables
        self.lexicon = lexicon or load_lexicon()
        # When tagging, the attributes the models have weights for: the CRF ignores all others, so the
        # per-word parts are cut down to these once per word (tags are unchanged, tagging is faster).
        self.known = known
        self._cache: dict[str, _Word] = {}

    def clear_cache(self) -> None:
        self._cache.clear()

    def word(self, token: str) -> _Word:
        found = self._cache.get(token)
        if found is None:
            if len(self._cache) >= CACHE_LIMIT:
                self._cache.clear()
            found = self._cache[token] = self._make_word(token)
        return found

    def _make_word(self, token: str) -> _Word:
        norm = normalize_text(token) or token
        base = base_form(norm)
        cues = self.tables.cues.get(norm) or self.tables.cues.get(base) or ()
        train = self.tables.train
        seen = train.words.get(norm, ("unseen",))
        seen_base = train.bases.get(base, ("unseen",))
        shared = (
            "w=" + norm, "b=" + base, "s2=" + norm[-2:], "sh=" + shape(norm),
            *("c=" + c for c in cues), *("d=" + d for d in seen),
        )
        own = (
            "bias", *shared, "p1=" + norm[:1], "p2=" + norm[:2], "p3=" + norm[:3], "s1=" + norm[-1:],
            "s3=" + norm[-3:], "bp2=" + base[:2], "bs2=" + base[-2:], "len=" + _length_bucket(norm),
            "al" if base != norm else "noal", *("db=" + d for d in seen_base),
            "bp3=" + base[:3], "bs3=" + base[-3:], "s4=" + norm[-4:], "case=" + case_shape(token),
            "bp4=" + base[:4], "bs4=" + base[-4:],
            *("g=" + g for g in char_ngrams(base)), "t=" + template(base),
        )
        keep = self._keep
        return _Word(
            norm, clitic_variants(norm, self.lexicon), keep(own), shared,
            left1=keep("-1" + f for f in shared), right1=keep("+1" + f for f in shared),
            left2=keep(("-2w=" + norm, *("-2" + f for f in shared[4:]))),
            right2=keep(("+2w=" + norm, *("+2" + f for f in shared[4:]))),
            left3=keep(("-3b=" + base,)), right3=keep(("+3b=" + base,)),
        )

    def _keep(self, feats: Iterable[str]) -> tuple[str, ...]:
        known = self.known
        return tuple(feats) if known is None else tuple(f for f in feats if f in known)

    def sentence(self, tokens: Sequence[str]) -> list[list[str]]:
        """One feature list per token."""
        words = [self.word(t) for t in tokens]
        marks = gazetteer_marks(words, self.tables.kb, "kb=")
        for gazetteer, prefix in ((self.tables.train.names, "tn="), (self.tables.lists, "lx=")):
            for i, extra in enumerate(gazetteer_marks(words, gazetteer, prefix)):
                marks[i].extend(extra)
        return [self._token(words, marks, i) for i in range(len(words))]

    @staticmethod
    def _token(words: list[_Word], marks: list[list[str]], i: int) -> list[str]:
        word = words[i]
        feats = [*word.own, *marks[i]]
        n = len(words)
        if i == 0:
            feats.append("BOS")
        else:
            prev = words[i - 1]
            feats.extend(prev.left1)
            feats.extend(["-1" + f for f in marks[i - 1]])
            feats.append("-1w|w=" + prev.norm + "|" + word.norm)
            if i > 1:
                feats.extend(words[i - 2].left2)
                if i > 2:
                    feats.extend(words[i - 3].left3)
        if i == n - 1:
            feats.append("EOS")
        else:
            nxt = words[i + 1]
            feats.extend(nxt.right1)
            feats.extend(["+1" + f for f in marks[i + 1]])
            feats.append("w|+1w=" + word.norm + "|" + nxt.norm)
            if i < n - 2:
                feats.extend(words[i + 2].right2)
                if i < n - 3:
                    feats.extend(words[i + 3].right3)
        return feats


def gazetteer_marks(words: Sequence[_Word], gazetteer: Gazetteer, prefix: str) -> list[list[str]]:
    """``B-label`` / ``I-label`` marks for every gazetteer key found over the tokens."""
    marks: list[list[str]] = [[] for _ in words]
    entries = gazetteer.entries
    n = len(words)
    for i, word in enumerate(words):
        for first in word.variants:
            if first not in gazetteer.first_words:
                continue
            key = first
            for j in range(i, min(n, i + gazetteer.max_words)):
                if j > i:
                    key = key + " " + words[j].norm
                labels = entries.get(key)
                if labels:
                    _mark(marks, i, j + 1, labels, prefix)
    return marks


def _mark(marks: list[list[str]], start: int, end: int, labels: tuple[str, ...], prefix: str) -> None:
    for label in labels:
        begin = f"{prefix}B-{label}"
        if begin not in marks[start]:
            marks[start].append(begin)
        inside = f"{prefix}I-{label}"
        for k in range(start + 1, end):
            if inside not in marks[k]:
                marks[k].append(inside)
