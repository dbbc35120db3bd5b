"""Search over the store: the forms words are indexed and queried under, query parsing, snippets.

Matching is on normalised words (:func:`rasad.text.normalize.normalize_text`: alef and hamza forms, ta
marbuta, alef maqsura, diacritics, tatweel, digits, Latin case), with three Arabic-specific additions:

* **Clitics.**  A word in an article or a name is indexed under itself and under what remains after
  removing the proclitics ``[و|ف][ب|ل|ك]`` and the article ``ال`` (``لل`` = ل + ال), so that the query
  ``البوكمال`` finds ``بالبوكمال`` and ``وللبوكمال``.  A query word is looked up under itself and, when it
  carries the article, under its forms with and without it (``بالبوكمال`` → ``البوكمال``, ``بوكمال``);
  bare clitics are not stripped from a query word, where they cannot be told from root letters (وزارة).
* **Spacing.**  A query word may be matched by its pair with a neighbour joined (``دير الزور`` finds
  ``ديرالزور``), and a pair of adjacent words whose first word is the head of a compound name (``دير``،
  ``عبد``، ``أبو`` …) or whose second is a tail (``الله``، ``الدين``) is also indexed joined, so that
  ``ديرالزور`` finds ``دير الزور`` and ``البوكمال`` finds ``ألبو كمال`` (lists in the variants file).
* **Spelling variants** listed in ``store/data/search_variants.yaml`` (ميليشيا / مليشيا / ميلشيا).

A query matches a record when every query word matches (AND); articles come newest first.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import itertools
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from functools import cache, lru_cache
from importlib import resources
from typing import TYPE_CHECKING

import yaml
from rich.markup import escape

from rasad.errors import RasadError
from rasad.model import Article, Entity, Span
from rasad.text.normalize import normalize, normalize_text

if TYPE_CHECKING:
    from rasad.store.base import Store

# Bump when the way forms are computed changes: stored indexes are rebuilt when their version differs.
FORMS_VERSION = "2"
VARIANTS_FILE = "data/search_variants.yaml"
CONJUNCTIONS = ("", "و", "ف")
PREPOSITIONS = ("", "ب", "ل", "ك")
ARTICLE = "ال"
MIN_STEM = 3  # letters that must remain after a clitic or the article is removed
MAX_WORD = 40  # longer "words" (URLs, runs of letters) are indexed as they are, never split
SNIPPET_WIDTH = 160
HIGHLIGHT = "bold yellow"

_WORD = re.compile(r"\w+")
_PHRASE = re.compile(r"\w+(?: +\w+)*")  # words with only spaces between them
_SPACES = re.compile(r"\s+")
_LINE_BREAKS = str.maketrans("\n\r\t", "   ")  # one for one: highlight offsets stay valid


class QueryError(RasadError):
    """A search query or filter that cannot be used (no words, a bad date, an unknown entity)."""


# -- forms -------------------------------------------------------------------------------------------
@cache
def _variants() -> dict[str, str]:
    text = resources.files("rasad.store").joinpath(VARIANTS_FILE).read_text(encoding="utf-8")
    groups = yaml.safe_load(text).get("groups") or []
    table: dict[str, str] = {}
    for group in groups:
        keys = [_SPACES.sub("", normalize_text(str(word))) for word in group]
        for key in keys:
            table[key] = keys[0]
    return table


@cache
def index_version() -> str:
    """Version of the search forms: the algorithm and the variants file (a stored index records it)."""
    data = resources.files("rasad.store").joinpath(VARIANTS_FILE).read_bytes()
    return f"{FORMS_VERSION}-{hashlib.sha256(data).hexdigest()[:12]}"


def _decompositions(word: str) -> Iterator[tuple[bool, str]]:
    """(has_article, rest) for every way ``word`` splits into proclitics + rest; clitics first."""
    for conj in CONJUNCTIONS:
        if not word.startswith(conj):
            continue
        after_conj = word[len(conj) :]
        for prep in PREPOSITIONS:
            if not after_conj.startswith(prep):
                continue
            rest = after_conj[len(prep) :]
            if rest.startswith(ARTICLE):
                yield True, rest[len(ARTICLE) :]
            elif prep == "ل" and rest.startswith("ل"):  # لل: the article after ل loses its alef
                yield True, rest[1:]
            if conj or prep:
                yield False, rest


@lru_cache(maxsize=1 << 14)
def word_forms(word: str, *, bare: bool = True) -> frozenset[str]:
    """The forms a normalised word is indexed (``bare=True``) or queried (``bare=False``) under."""
    forms = {word}
    if len(word) <= MAX_WORD:
        for has_article, rest in _decompositions(word):
            if len(rest) < MIN_STEM:
                continue
            if has_article:
                forms.update((ARTICLE + rest, rest))
            elif bare:
                forms.add(rest)
    variants = _variants()
    forms.update(variants[f] for f in list(forms) if f in variants)
    return frozenset(forms)


def _tokens(normalised: str) -> list[re.Match[str]]:
    return list(_WORD.finditer(normalised))


def _joined(normalised: str, first: re.Match[str], second: re.Match[str]) -> str | None:
    """Two words separated only by spaces, joined; None when punctuation or a line break separates them."""
    gap = normalised[first.end() : second.start()]
    return first.group() + second.group() if gap and gap.strip(" ") == "" else None


@cache
def _join_words() -> tuple[frozenset[str], frozenset[str]]:
    """The words that make a pair indexed joined: (heads, tails), normalised."""
    data = yaml.safe_load(resources.files("rasad.store").joinpath(VARIANTS_FILE).read_text(encoding="utf-8"))
    spelled = [normalize_text(str(word)).split() for group in data.get("groups") or [] for word in group]
    heads = {normalize_text(str(w)) for w in data.get("join_first") or []} | {w[0] for w in spelled if len(w) > 1}
    tails = {normalize_text(str(w)) for w in data.get("join_second") or []}
    return frozenset(heads), frozenset(tails)


_WORDS: dict[str, tuple[frozenset[str], bool, bool]] = {}
MAX_WORDS = 1 << 15  # words remembered between articles (the table is emptied when full; about 10 MB)


def _word_table(words: Iterable[str]) -> dict[str, tuple[frozenset[str], bool, bool]]:
    """Each word's (index forms, head of a joined pair, tail of one), remembered across calls.

    A plain dict rather than ``lru_cache``: an article asks for hundreds of words, mostly known.
    """
    table = _WORDS
    new = [w for w in words if w not in table]
    if len(table) + len(new) > MAX_WORDS:
        table.clear()
        new = list(words)
    if new:
        heads, tails = _join_words()
        for word in new:
            forms = word_forms(word)
            table[word] = (forms, not heads.isdisjoint(forms), not tails.isdisjoint(forms))
    return table


def joined_pairs(phrases: list[list[str]], words: set[str]) -> set[str]:
    """Adjacent words indexed joined: compound-name heads with what follows, and words before a tail.

    ``phrases`` are runs of words with only spaces between them; ``words`` all their words.
    """
    table = _word_table(words)
    heads = {w for w in words if table[w][1]}
    tails = {w for w in words if table[w][2]}
    joined: set[str] = set()
    if not heads and not tails:
        return joined
    for parts in phrases:
        if heads.isdisjoint(parts) and tails.isdisjoint(parts):
            continue  # most runs of words hold no compound name
        joined.update(a + b for a, b in itertools.pairwise(parts) if a in heads or b in tails)
    return joined


def index_forms(texts: Iterable[str | None]) -> list[str]:
    """Every form the texts are indexed under (sorted, each once): words and joined compound names.

    Neighbours are joined only when spaces alone separate them (not punctuation or a line break).
    """
    words: set[str] = set()
    phrases: list[list[str]] = []
    for text in texts:
        if not text:
            continue
        for phrase in _PHRASE.findall(normalize_text(text)):
            parts = phrase.split()
            words.update(parts)
            phrases.append(parts)
    table = _word_table(words)
    forms = set().union(*[table[w][0] for w in words])
    joined = joined_pairs(phrases, words) - words  # each word looked up once (the table may be emptied between)
    if joined:
        table = _word_table(joined)
        forms.update(*[table[w][0] for w in joined])
    return sorted(forms)


# -- queries ----------------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class Query:
    """A parsed query: one group of alternative forms per word; a record matches when each group does."""

    text: str
    words: tuple[str, ...]
    groups: tuple[frozenset[str], ...]

    @property
    def terms(self) -> frozenset[str]:
        return frozenset().union(*self.groups)


def parse_query(text: str) -> Query:
    """Normalise ``text`` into words and give each the forms it may be matched under."""
    words = tuple(m.group() for m in _WORD.finditer(normalize_text(text)))
    if not words:
        raise QueryError(f"{text!r}: the query has no words to search for")
    groups: list[frozenset[str]] = []
    for i, word in enumerate(words):
        forms = set(word_forms(word, bare=False))
        if i > 0:
            forms |= word_forms(words[i - 1] + word, bare=False)
        if i + 1 < len(words):
            forms |= word_forms(word + words[i + 1], bare=False)
        if frozenset(forms) not in groups:
            groups.append(frozenset(forms))
    return Query(text=text, words=words, groups=tuple(groups))


@dataclass(frozen=True, slots=True)
class ArticleFilter:
    """What the store narrows article matches by; dates are YYYY-MM-DD, both ends included."""

    date_from: str | None = None
    date_to: str | None = None
    outlet: str | None = None
    entity_ids: tuple[str, ...] | None = None
    limit: int = 20


@dataclass(frozen=True, slots=True)
class SearchOptions:
    """Filters as the user gives them (the CLI and the web UI build one)."""

    date_from: str | None = None
    date_to: str | None = None
    outlet: str | None = None
    entity: str | None = None
    limit: int = 20


# -- snippets ---------------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class Snippet:
    """An excerpt of a text with the matched words; ``highlights`` are offsets into ``text``."""

    text: str
    highlights: tuple[Span, ...] = ()
    clipped_start: bool = False
    clipped_end: bool = False


def find_matches(text: str, query: Query) -> list[Span]:
    """Spans of ``text`` (original offsets) whose words match the query, in order, overlaps merged."""
    norm = normalize(text)
    tokens = _tokens(norm.text)
    terms = query.terms
    spans: list[tuple[int, int]] = []
    for i, token in enumerate(tokens):
        if word_forms(token.group()) & terms:
            spans.append((token.start(), token.end()))
        joined = _joined(norm.text, token, tokens[i + 1]) if i + 1 < len(tokens) else None
        if joined and word_forms(joined) & terms:
            spans.append((token.start(), tokens[i + 1].end()))
    merged: list[Span] = []
    for start, end in sorted(spans):
        span = norm.to_original(start, end)
        if merged and span.start <= merged[-1].end:
            merged[-1] = Span(merged[-1].start, max(merged[-1].end, span.end))
        else:
            merged.append(span)
    return merged


def _window(text: str, around: Span, width: int) -> tuple[int, int]:
    start = max(0, around.start - width // 3)
    end = min(len(text), max(around.end, start + width))
    while start > 0 and not text[start - 1].isspace():
        start -= 1
    while end < len(text) and not text[end].isspace():
        end += 1
    return start, end


def make_snippet(text: str, query: Query, *, width: int = SNIPPET_WIDTH) -> Snippet | None:
    """The excerpt of ``text`` around its first match, or None when nothing in it matches."""
    matches = find_matches(text, query)
    if not matches:
        return None
    start, end = _window(text, matches[0], width)
    excerpt = text[start:end]
    lead = len(excerpt) - len(excerpt.lstrip())
    body = excerpt.strip()
    inside = tuple(
        Span(m.start - start - lead, min(m.end, end) - start - lead) for m in matches if m.start < end
    )
    return Snippet(
        text=body.translate(_LINE_BREAKS),
        highlights=inside,
        clipped_start=start > 0,
        clipped_end=end < len(text),
    )


def snippet_markup(snippet: Snippet, *, style: str = HIGHLIGHT) -> str:
    """The snippet as rich console markup, matched words in ``style``."""
    parts: list[str] = ["… " if snippet.clipped_start else ""]
    pos = 0
    for span in snippet.highlights:
        parts.append(escape(snippet.text[pos : span.start]))
        parts.append(f"[{style}]{escape(snippet.text[span.start : span.end])}[/{style}]")
        pos = span.end
    parts.append(escape(snippet.text[pos:]))
    parts.append(" …" if snippet.clipped_end else "")
    return "".join(parts)


# -- search -----------------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class ArticleHit:
    id: str
    published: str | None
    outlet: str | None
    title: str | None
    snippet: Snippet | None


@dataclass(frozen=True, slots=True)
class SearchResult:
    query: Query
    articles: list[ArticleHit] = field(default_factory=list)
    entities: list[Entity] = field(default_factory=list)


def _date(value: str | None, flag: str) -> str | None:
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value).isoformat()
    except ValueError as exc:
        raise QueryError(f"{flag} {value!r}: not a date (use YYYY-MM-DD)") from exc


def resolve_entity(store: Store, key: str) -> tuple[str, ...]:
    """Entity ids for ``key``: an id stored in the database, else every entity whose names match it."""
    if store.get_entity(key) is not None:
        return (key,)
    found = store.search_entities(parse_query(key).groups, limit=100)
    if not found:
        raise QueryError(f"{key!r}: no entity in the database has this id or name")
    return tuple(e.id for e in found)


def article_hit(article: Article, query: Query) -> ArticleHit:
    snippet = make_snippet(article.text, query) or make_snippet(article.title or "", query)
    return ArticleHit(article.id, article.published, article.outlet, article.title, snippet)


def search(store: Store, text: str, *, options: SearchOptions | None = None) -> SearchResult:
    """Articles (newest first) and entities that match ``text``, narrowed by ``options``."""
    opts = options or SearchOptions()
    if opts.limit < 1:
        raise QueryError(f"--limit {opts.limit}: must be at least 1")
    query = parse_query(text)
    wanted = ArticleFilter(
        date_from=_date(opts.date_from, "--from"),
        date_to=_date(opts.date_to, "--to"),
        outlet=opts.outlet,
        entity_ids=resolve_entity(store, opts.entity) if opts.entity else None,
        limit=opts.limit,
    )
    hits = []
    for article_id in store.search_articles(query.groups, wanted):
        article = store.find_article(article_id)
        if article is not None:
            hits.append(article_hit(article, query))
    return SearchResult(query=query, articles=hits, entities=store.search_entities(query.groups, limit=opts.limit))
