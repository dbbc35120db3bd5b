"""NER stage: names the model finds and the knowledge base does not cover become discovered entities.

Knowledge-base mentions and cue discoveries come first: a model span that
overlaps any existing mention is dropped, so the model never overrides a link.
Kept spans are conservative: MISC is ignored, a span needs the model's
confidence (lowest per-token marginal probability) above a threshold, and a
one-word span must not be a common word, a cue or a stop word.  PERS becomes a
person, LOC a place, ORG an actor when an armed-group word introduces it and a
source otherwise.  A place whose name, without clitics, is a gazetteer entry
is linked to it; any other discovered place is anchored to the known place
that the words right after it locate it in ("X في ريف البوكمال", "X شرق دير
الزور") and takes its coordinates with ``geo_precision`` 2 (near a town) or 3
(somewhere in a larger area), recorded in ``extra`` with the anchor's id; else
it has no coordinates.
"""

from __future__ import annotations

import dataclasses
import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from typing import TYPE_CHECKING, Any

import yaml

from rasad.extract.discover import discovered_entity
from rasad.extract.lexicon import Lexicon, load_lexicon
from rasad.extract.link import LinkContext, rank
from rasad.extract.recognise import sentence_index
from rasad.kb.index import AliasIndex, build_index
from rasad.kb.loader import KnowledgeBase
from rasad.model import Article, Entity, Mention, Sentence
from rasad.ner.features import base_form, clitic_variants
from rasad.ner.model import NerError, Tagger, load_ner
from rasad.ner.score import bio_spans
from rasad.text.normalize import normalize_text

if TYPE_CHECKING:
    from rasad.pipeline import Stage

REQUIRES = frozenset({"text", "sentences", "mentions"})
PROVIDES = frozenset({"ner"})
ENTITY_TYPE = {"PERS": "person", "LOC": "place", "ORG": "source"}
TOWN_FEATURES = frozenset({"town", "neighbourhood"})
# Arabic letters with their diacritics and tatweel stay one token; digits and punctuation are tokens of their own.
_TOKEN = re.compile(r"(?:[^\W\d_]|[\u0610-\u061a\u064b-\u065f\u0670\u0640])+|\d+(?:[.,]\d+)*|[^\w\s]")
_LETTER = re.compile(r"[^\W\d_]")
_GAP_SPLIT = re.compile(r"[\s،,]+")
MAX_ANCHOR_WORDS = 4
_OPEN_QUOTES = "“«\""
_CLOSE_QUOTES = "”»\""


@dataclass(frozen=True, slots=True)
class NerOptions:
    """How cautious the stage is: spans below ``min_confidence`` never start an entity."""

    min_confidence: float = 0.85
    min_confidence_one_word: float = 0.95
    labels: frozenset[str] = frozenset({"PERS", "LOC", "ORG"})


@dataclass(frozen=True, slots=True)
class ModelSpan:
    """A model entity in the clean text, with the lowest per-token probability of its tags."""

    start: int
    end: int
    label: str
    confidence: float
    words: int


@dataclass(frozen=True, slots=True)
class Token:
    text: str
    start: int
    end: int


def tokenize(text: str, offset: int = 0) -> list[Token]:
    """Tokens as ANERcorp has them: words (clitics attached), numbers, single punctuation marks."""
    return [Token(m.group(), m.start() + offset, m.end() + offset) for m in _TOKEN.finditer(text)]


def model_spans(article: Article, tagger: Tagger) -> Iterator[ModelSpan]:
    """Every entity the tagger finds, sentence by sentence."""
    sentences = article.sentences or (Sentence(0, len(article.text), 0),)
    tokenized = [tokenize(article.text[s.start : s.end], s.start) for s in sentences]
    tagged_all = tagger.tag_document([[t.text for t in tokens] for tokens in tokenized])  # the article is the document
    for tokens, tagged in zip(tokenized, tagged_all, strict=True):
        for span in bio_spans(tagged.tags):
            yield ModelSpan(tokens[span.start].start, tokens[span.end - 1].end, span.type,
                            min(tagged.confidence[span.start : span.end]), span.end - span.start)


def trim_words(text: str, span: ModelSpan, blocked: frozenset[str], lexicon: Lexicon) -> ModelSpan:
    """Drop leading words of a multi-word span that are stop words, or common words with a glued
    conjunction: "وزار صفري" ("and visited Safari") → صفري."""
    tokens = tokenize(text[span.start : span.end], span.start)

    def leading_junk(token: Token) -> bool:
        key = normalize_text(token.text)
        if key in lexicon.name_stopwords:
            return True
        return key[:1] in lexicon.conjunctions and key[1:] in blocked

    while len(tokens) > 1 and leading_junk(tokens[0]):
        tokens = tokens[1:]
    return dataclasses.replace(span, start=tokens[0].start, end=tokens[-1].end, words=len(tokens))


def partly_quoted(text: str, start: int, end: int) -> bool:
    """The span sits inside quotation marks that hold more than the span: “نهر ميديا” is one name."""
    line_start = text.rfind("\n", 0, start) + 1
    opening = max(text.rfind(q, line_start, start) for q in _OPEN_QUOTES)
    if opening < 0 or any(q in text[opening + 1 : start] for q in _CLOSE_QUOTES):
        return False
    closing = min((i for i in (text.find(q, end) for q in _CLOSE_QUOTES) if i >= 0), default=-1)
    if closing < 0 or "\n" in text[end:closing]:
        return False
    return text[opening + 1 : closing].strip() != text[start:end]


def trim_clitics(text: str, span: ModelSpan, lexicon: Lexicon) -> ModelSpan:
    """Leave a proclitic glued to the first word out of the span: وبغداد → بغداد, للحرس → الحرس."""
    word = text[span.start : span.end].split(" ", 1)[0]
    for clitic in sorted(lexicon.proclitics, key=len, reverse=True):
        rest = word[len(clitic) :]
        if not word.startswith(clitic) or len(rest) < 3:
            continue
        if rest.startswith("ال") or (clitic.endswith("ل") and rest.startswith("ل")):
            cut = len(clitic) - 1 if clitic.endswith("ل") and rest.startswith("ل") else len(clitic)
            return dataclasses.replace(span, start=span.start + cut)
        if clitic == "و" and len(rest) >= 4:
            return dataclasses.replace(span, start=span.start + 1)
    return span


@dataclass(slots=True)
class _State:
    """What one article's pass has so far: mentions (to check overlaps) and entities by id."""

    mentions: list[Mention]
    entities: dict[str, Entity]
    added: list[Mention] = field(default_factory=list)

    def free(self, start: int, end: int) -> bool:
        return not any(m.start < end and start < m.end for m in self.mentions)


def _mention(article: Article, entity_id: str, start: int, end: int) -> Mention:
    return Mention(article_id=article.id, entity_id=entity_id, start=start, end=end,
                   text=article.text[start:end], method="ner", sentence=sentence_index(article.sentences, start))


def _not_names(index: AliasIndex, lexicon: Lexicon) -> frozenset[str]:
    """Words that never make a one-word name: common words, group and rank words, stop words, particles."""
    return (index.common_words | lexicon.group_cues | lexicon.name_stopwords | lexicon.rank_titles
            | lexicon.name_particles)


def _blocked_word(key: str, not_names: frozenset[str], lexicon: Lexicon) -> bool:
    """A one-word span that is a common word, a cue or a stop word (clitics aside) is not a name."""
    words = {key, base_form(key), *clitic_variants(key, lexicon)}
    return bool(words & not_names) or len(_LETTER.findall(key)) < 3


def _kb_places(key: str, index: AliasIndex, kb: KnowledgeBase, lexicon: Lexicon) -> tuple[list[Entity], bool]:
    """Gazetteer places whose alias the key is (after clitic stripping), and whether the KB knows the key at all."""
    known = False
    for variant in clitic_variants(key, lexicon):
        ids = index.candidates.get(variant, ())
        known = known or bool(ids)
        places = [kb.entities[i] for i in ids if i in kb.entities and kb.entities[i].type == "place"]
        if places:
            return places, True
    return [], known


def _armed(article: Article, span: ModelSpan, lexicon: Lexicon) -> bool:
    """An armed-group word in the name or right before it (ميليشيا، لواء، قوات …)."""
    before = article.text[max(0, span.start - 30) : span.start].split()[-2:]
    words = [normalize_text(w) for w in (*before, *article.text[span.start : span.end].split())]
    return any(w in lexicon.group_cues or base_form(w) in lexicon.group_cues for w in words)


@cache
def anchor_words() -> frozenset[str]:
    """Words that may separate a place from the known place that locates it (``data/anchors.yaml``)."""
    raw = resources.files("rasad.ner").joinpath("data/anchors.yaml").read_text(encoding="utf-8")
    words = yaml.safe_load(raw).get("anchor_words") or []
    if not words:
        raise NerError("ner/data/anchors.yaml: the anchor_words list is missing or empty")
    return frozenset(normalize_text(str(w)) for w in words)


def _locating_gap(gap: str, lexicon: Lexicon) -> bool:
    """Is every word between a place and a known place an anchor word (شرق، في ريف، التابعة لناحية)?"""
    words = [normalize_text(w) for w in _GAP_SPLIT.split(gap) if w]
    allowed = anchor_words()
    return len(words) <= MAX_ANCHOR_WORDS and all(allowed & set(clitic_variants(w, lexicon)) for w in words)


def anchor(article: Article, span: ModelSpan, kb: KnowledgeBase, lexicon: Lexicon) -> dict[str, Any] | None:
    """The known place with coordinates that the words right after the span locate it in, if any."""
    following = min((m for m in article.mentions if m.start >= span.end), key=lambda m: m.start, default=None)
    entity = kb.entities.get(following.entity_id) if following is not None else None
    if following is None or entity is None or entity.type != "place" or entity.lat is None or entity.lon is None:
        return None
    if not _locating_gap(article.text[span.end : following.start], lexicon):
        return None
    return {"lat": entity.lat, "lon": entity.lon, "anchor": entity.id, "anchor_name": entity.name_en,
            "geo_precision": 2 if entity.feature in TOWN_FEATURES else 3}


def entity_name(surface: str) -> str:
    """The name a span gives an entity: للحرس الثوري (ل + ال, alef unwritten) names الحرس الثوري."""
    return "ال" + surface[2:] if surface.startswith("لل") and len(surface) > 4 else surface


def _new_entity(article: Article, span: ModelSpan, kb: KnowledgeBase, lexicon: Lexicon, tagger: Tagger) -> Entity:
    name = entity_name(article.text[span.start : span.end])
    kind = "actor" if span.label == "ORG" and _armed(article, span, lexicon) else ENTITY_TYPE[span.label]
    sentence = sentence_index(article.sentences, span.start)
    sent = article.sentences[sentence] if sentence is not None else Sentence(span.start, span.end, 0)
    entity = discovered_entity(entity_type=kind, name_ar=name, cue="ner",
                               evidence={"article_id": article.id, "start": sent.start, "end": sent.end})
    extra = {**entity.extra, "ner_label": span.label, "confidence": round(span.confidence, 3), "model": tagger.name}
    place = anchor(article, span, kb, lexicon) if kind == "place" else None
    if place is None:
        return dataclasses.replace(entity, extra=extra)
    lat, lon = place.pop("lat"), place.pop("lon")
    return dataclasses.replace(entity, lat=lat, lon=lon, extra={**extra, **place})


def _person_named(key: str, span: ModelSpan, state: _State, kb: KnowledgeBase) -> Entity | None:
    """The one person of the article whose name has ``key`` as a word (صفري → جواد صفري)."""
    if span.label != "PERS":
        return None
    found: dict[str, Entity] = {}
    for m in state.mentions:
        entity = state.entities.get(m.entity_id) or kb.entities.get(m.entity_id)
        if entity is not None and entity.type == "person" and key in normalize_text(entity.name_ar).split():
            found[entity.id] = entity
    return next(iter(found.values())) if len(found) == 1 else None


def _byline_span(article: Article) -> tuple[int, int]:
    """Where the byline sits in the text ((0, 0) when none): its places say where the author writes from."""
    if not article.byline:
        return 0, 0
    pos = article.text.find(article.byline)
    return (pos, pos + len(article.byline)) if pos >= 0 else (0, 0)


def _link_place(places: list[Entity], lexicon: Lexicon) -> Entity:
    return rank(places, LinkContext((), "", Counter(), Counter()), lexicon)


@dataclass(frozen=True, slots=True)
class _Context:
    """What deciding on one span needs to look at."""

    article: Article
    kb: KnowledgeBase
    index: AliasIndex
    lexicon: Lexicon
    tagger: Tagger
    options: NerOptions
    not_names: frozenset[str]


def _entity_for(span: ModelSpan, ctx: _Context, state: _State, accepted: dict[str, Entity]) -> Entity | None:
    """The entity a free span names: one accepted earlier, a person of the article, a gazetteer place, a new one."""
    text = ctx.article.text
    key = normalize_text(text[span.start : span.end])
    if key in accepted:
        return accepted[key]
    if span.words == 1:
        if _blocked_word(key, ctx.not_names, ctx.lexicon):
            return None
        person = _person_named(key, span, state, ctx.kb)
        if person is not None:
            return person
    threshold = ctx.options.min_confidence_one_word if span.words == 1 else ctx.options.min_confidence
    places, known = _kb_places(key, ctx.index, ctx.kb, ctx.lexicon)
    if span.confidence < threshold or (known and not (places and span.label == "LOC")):
        return None  # unsure, or a name the knowledge base has and the recogniser chose not to link
    entity = _link_place(places, ctx.lexicon) if places else _new_entity(ctx.article, span, ctx.kb, ctx.lexicon,
                                                                          ctx.tagger)
    accepted[key] = entity
    return entity


def _free_spans(ctx: _Context) -> list[ModelSpan]:
    """Model spans of the wanted labels, trimmed of clitics and leading verbs, outside bylines and partial quotes."""
    article, lexicon = ctx.article, ctx.lexicon
    blocked = ctx.index.common_words | lexicon.name_stopwords
    byline = _byline_span(article)
    out: list[ModelSpan] = []
    for raw in model_spans(article, ctx.tagger):
        if raw.label not in ctx.options.labels:
            continue
        span = trim_clitics(article.text, trim_words(article.text, raw, blocked, lexicon), lexicon)
        if span.end > span.start and not byline[0] <= span.start < byline[1] and not partly_quoted(
            article.text, span.start, span.end
        ):
            out.append(span)
    return out


def add_model_entities(article: Article, *, kb: KnowledgeBase, tagger: Tagger, index: AliasIndex | None = None,
                       options: NerOptions | None = None) -> Article:
    """Add the model's names that no existing mention covers, as discovered entities or gazetteer links."""
    lexicon = load_lexicon()
    idx = index or build_index(kb)
    ctx = _Context(article, kb, idx, lexicon, tagger, options or NerOptions(), _not_names(idx, lexicon))
    state = _State(list(article.mentions), {e.id: e for e in article.discovered})
    accepted: dict[str, Entity] = {}
    for span in _free_spans(ctx):
        if not state.free(span.start, span.end):
            continue
        entity = _entity_for(span, ctx, state, accepted)
        if entity is None:
            continue
        if entity.discovered:
            state.entities.setdefault(entity.id, entity)
        mention = _mention(article, entity.id, span.start, span.end)
        state.mentions.append(mention)
        state.added.append(mention)
    if not state.added:
        return article
    mentions = sorted(state.mentions, key=lambda m: (m.start, m.end))
    return dataclasses.replace(article, mentions=tuple(mentions), discovered=tuple(state.entities.values()))


@dataclass(frozen=True, slots=True)
class NerStep:
    """The stage function: picklable, loads its tagger once per process (``model_path`` None: built-in CRF)."""

    model_path: str | None = None
    options: NerOptions = field(default_factory=NerOptions)

    def __call__(self, article: Article, kb: KnowledgeBase) -> Article:
        return add_model_entities(article, kb=kb, tagger=load_ner(self.model_path, kb=kb), options=self.options)


def ner_stage(model_path: str | None = None, options: NerOptions | None = None) -> Stage:
    """The pipeline stage; ``model_path`` names a local Hugging Face model folder instead of the built-in CRF."""
    from rasad.pipeline import Stage

    return Stage("ner", NerStep(model_path, options or NerOptions()), requires=REQUIRES, provides=PROVIDES)
