"""Stories: articles that report the same development.

Signals, each in [0, 1], for a pair of articles:

- ``semantic``: cosine of multilingual USE v3 embeddings of each article's lead
  (title + first sentences), the paraphrase-level signal (:mod:`rasad.merge.embed`);
- ``lexical``: cosine of TF-IDF character 2–4-grams (word-bounded) of the
  normalised lead, robust to clitics and spelling variants;
- ``entities``: weighted Jaccard of linked entity ids (actors and places
  weigh most, persons and facilities less, quoted sources little; countries
  and governorates a quarter, since nearly every article names them);
- ``dates``: 1 for the same publication day, falling linearly to 0 at the edge
  of the window.

Place agreement: when both leads name specific places (below a governorate,
rivers and regions excluded, and leaving out places that the leads of more
than 5 % of the articles name, such as a city used as a landmark) and none is
the same, nested or of the same name, the score is halved: the same wording
about another town is another development.

Blocking: only articles that share a specific place, facility or actor and
were published within ``window_days`` of each other are compared (a sorted
window per key, capped at ``max_neighbours`` per article and key), so the work
grows with the number of articles, not its square.  Pairs whose combined score
reaches ``threshold`` are linked by greedy average linkage: two groups join
when the mean score over their compared pairs reaches the threshold, which
stops a chain of weak links from gluing unrelated reports together.

Every article belongs to exactly one story (a report nobody else carried is a
story of one); a near-duplicate belongs to the story of the article kept for
it.  A story's id is a stable hash of its sorted member ids.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from typing import Any

import numpy as np
from numpy.typing import NDArray

from rasad.merge.common import Entities, UnionFind, ancestors, entity_field, parse_date, stable_id
from rasad.merge.embed import Embedder, EmbeddingCache, load_use_embedder
from rasad.text.normalize import normalize_text

TYPE_WEIGHTS: Mapping[str, float] = {"actor": 1.0, "place": 1.0, "facility": 0.8, "person": 0.7, "source": 0.2}
# Places too wide to say where a development happened (nearly every report names them).
BROAD_PLACES = frozenset({"country", "governorate", "province", "region", "admin1", "state", "river", "lake"})
BROAD_WEIGHT = 0.25
BLOCK_TYPES = frozenset({"actor", "place", "facility"})
_SENTENCE = re.compile(r"[^\n.!?؟]+(?:[.!?؟]+|$)", re.M)
MIN_SENTENCE_CHARS = 25
_NO_DATE = dt.date(1, 1, 1).toordinal()


@dataclass(frozen=True, slots=True)
class StoryOptions:
    """Weights of the signals (renormalised over those available) and the link thresholds.

    ``threshold`` applies with the sentence encoder, ``fallback_threshold``
    without it (lexical, entity and date signals only).  Both are tuned on the
    seed articles (000+001 one story; 002, 003, 004 alone), the example corpus
    (14 different developments) and hand-written paraphrases of example
    articles with a same-place, same-week report of another development as a
    hard negative (tests/data/merge).  With the encoder, same-story pairs score
    0.62–0.72, the in-window hard negatives at most 0.46, and the example
    articles, even when all are dated the same day, at most 0.53.  Without it,
    same-story pairs score 0.58–0.62 and those negatives at most 0.41 and 0.50.
    """

    threshold: float = 0.57
    fallback_threshold: float = 0.54
    window_days: int = 10
    lead_sentences: int = 4
    lead_chars: int = 1200
    max_neighbours: int = 30
    semantic_weight: float = 0.45
    lexical_weight: float = 0.25
    entity_weight: float = 0.2
    date_weight: float = 0.1
    place_penalty: float = 0.5
    common_place_share: float = 0.05
    common_place_floor: int = 20
    use_encoder: bool = True
    encoder_threads: int = 1


@dataclass(frozen=True, slots=True)
class PairScore:
    a: str
    b: str
    semantic: float | None
    lexical: float
    entities: float
    dates: float
    score: float


@dataclass(slots=True)
class StoryResult:
    stories: list[dict[str, Any]]
    story_of: dict[str, str]
    pairs: list[PairScore] = field(default_factory=list)
    messages: list[str] = field(default_factory=list)


# -- per-article features -------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Lead:
    text: str
    end: int  # offset in the article text where the lead stops


def lead(article: Mapping[str, Any], sentences: int = 4) -> Lead:
    """Title and the first ``sentences`` substantial sentences of the body (the title is not repeated)."""
    title = str(article.get("title") or "").strip()
    title_key = normalize_text(title)
    text = str(article.get("text") or "")
    body: list[str] = []
    end = 0
    for match in _SENTENCE.finditer(text):
        part = match.group().strip()
        if len(part) < MIN_SENTENCE_CHARS or (title_key and normalize_text(part) == title_key):
            continue
        body.append(part)
        end = match.end()
        if len(body) >= sentences:
            break
    return Lead("\n".join([title, *body]).strip(), end)


def lead_text(article: Mapping[str, Any], sentences: int = 4) -> str:
    return lead(article, sentences).text


def lead_entities(article: Mapping[str, Any], end: int) -> list[str]:
    """Entities named in the lead (``mentions``: [start, entity id] pairs), else all ``entity_ids``."""
    mentions = article.get("mentions")
    if mentions:
        found = sorted({str(entity) for start, entity in mentions if int(start) < end})
        if found:
            return found
    return sorted({str(e) for e in article.get("entity_ids") or ()})


def entity_weight(entity_id: str, entities: Entities) -> float:
    entity = entities.get(entity_id)
    kind = str(entity_field(entity, "type") or "")
    weight = TYPE_WEIGHTS.get(kind, 0.5)
    if kind == "place" and str(entity_field(entity, "feature") or "") in BROAD_PLACES:
        weight *= BROAD_WEIGHT
    return weight


def block_keys(entity_ids: Iterable[str], entities: Entities) -> list[str]:
    """Entity ids specific enough to propose candidates: actors, facilities, places below a governorate."""
    keys = []
    for entity_id in entity_ids:
        entity = entities.get(entity_id)
        kind = str(entity_field(entity, "type") or "")
        if kind in BLOCK_TYPES and not (kind == "place" and entity_field(entity, "feature") in BROAD_PLACES):
            keys.append(entity_id)
    return sorted(keys)


def _day(article: Mapping[str, Any]) -> int:
    published = parse_date(article.get("published"))
    return published.toordinal() if published else _NO_DATE


# -- blocking ---------------------------------------------------------------------------------------------


def candidate_pairs(days: Sequence[int], keys: Sequence[Sequence[str]], options: StoryOptions) -> set[tuple[int, int]]:
    """Index pairs (i < j) that share a blocking key and lie within the date window."""
    members: dict[str, list[tuple[int, int]]] = {}
    for index, article_keys in enumerate(keys):
        if days[index] == _NO_DATE:
            continue
        for key in article_keys:
            members.setdefault(key, []).append((days[index], index))
    pairs: set[tuple[int, int]] = set()
    for block in members.values():
        block.sort()
        for pos, (day, i) in enumerate(block):
            for other_day, j in block[pos + 1 : pos + 1 + options.max_neighbours]:
                if other_day - day > options.window_days:
                    break
                pairs.add((i, j) if i < j else (j, i))
    return pairs


# -- signals ---------------------------------------------------------------------------------------------

FloatArray = NDArray[np.float64]


def _row_dots(left: Any, right: Any) -> FloatArray:
    """Row-wise dot products of two equally long stacks of rows (dense or sparse)."""
    if not isinstance(left, np.ndarray):
        return np.asarray(left.multiply(right).sum(axis=1), dtype=np.float64).ravel()
    dots: FloatArray = np.einsum("ij,ij->i", left, right).astype(np.float64)
    return dots


def _chunked_dots(matrix: Any, first: NDArray[np.int64], second: NDArray[np.int64]) -> FloatArray:
    out = np.zeros(len(first), dtype=np.float64)
    step = 1_024  # rows hold thousands of n-grams: 4,096 pairs a slice peaked at 254 MiB on 1k leads, 1,024 at 141
    for s in range(0, len(first), step):
        out[s : s + step] = _row_dots(matrix[first[s : s + step]], matrix[second[s : s + step]])
    return out


def _vectorizer(vocabulary: Mapping[str, int] | None = None) -> Any:
    from sklearn.feature_extraction.text import TfidfVectorizer

    return TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 4), sublinear_tf=True, dtype=np.float32,
                           preprocessor=normalize_text, vocabulary=vocabulary)


@cache
def _analyser() -> Any:
    return _vectorizer().build_analyzer()


def lead_grams(text: str) -> set[str]:
    """The character n-grams :func:`tfidf_matrix` counts in one lead (for document frequencies)."""
    return set(_analyser()(text))


def idf_weights(document_frequency: Mapping[str, int], documents: int) -> dict[str, float]:
    """Smoothed idf per n-gram exactly as scikit-learn computes it (float32) for ``documents`` leads."""
    grams = sorted(document_frequency)
    df = np.array([document_frequency[g] for g in grams], dtype=np.float32)
    df += 1.0
    idf = np.full_like(df, fill_value=documents + 1, dtype=np.float32)
    idf /= df
    np.log(idf, out=idf)
    idf += 1.0
    return dict(zip(grams, idf.tolist(), strict=True))


_COLUMNS: list[tuple[Mapping[str, float], dict[str, int], NDArray[np.float32]]] = []


def _columns(idf: Mapping[str, float]) -> tuple[dict[str, int], NDArray[np.float32]]:
    """The corpus vocabulary, sorted, as column numbers, and its idf as an array (kept for the last ``idf``)."""
    if not _COLUMNS or _COLUMNS[0][0] is not idf:
        grams = sorted(idf)
        weights = np.array([idf[g] for g in grams], dtype=np.float32)
        _COLUMNS[:] = [(idf, {g: i for i, g in enumerate(grams)}, weights)]
    return _COLUMNS[0][1], _COLUMNS[0][2]


def tfidf_matrix(texts: Sequence[str], idf: Mapping[str, float] | None = None) -> Any:
    """L2-normalised TF-IDF rows of character 2–4-grams within words, over normalised text.

    ``idf``: weights learnt from a larger corpus (:func:`idf_weights`) for a slice of it; the rows are
    then those the whole corpus gives.  The columns are then the corpus vocabulary, sorted: each row
    lists its n-grams in the order the slice's own sorted vocabulary would, so the dot products are
    the same to the bit, and the texts are read once (fitting a slice vocabulary first read them twice;
    the reading is most of the cost of this step).
    """
    from scipy import sparse  # heavy imports only when stories are computed

    if not texts:
        return sparse.csr_matrix((0, 0), dtype=np.float32)
    if idf is None:
        return _vectorizer().fit_transform(texts).tocsr()
    vocabulary, weights = _columns(idf)
    if not vocabulary:  # not one n-gram in the corpus: every row is empty
        return sparse.csr_matrix((len(texts), 1), dtype=np.float32)
    vectorizer = _vectorizer(vocabulary)
    vectorizer.idf_ = weights
    return vectorizer.transform(texts).tocsr()


def entity_matrices(entity_sets: Sequence[Sequence[str]], entities: Entities) -> tuple[Any, Any, FloatArray]:
    """(weighted, binary, total weight per row) sparse matrices of each article's entities."""
    from scipy import sparse

    columns: dict[str, int] = {}
    rows: list[int] = []
    cols: list[int] = []
    weights: list[float] = []
    for row, ids in enumerate(entity_sets):
        for entity_id in sorted(set(ids)):
            rows.append(row)
            cols.append(columns.setdefault(entity_id, len(columns)))
            weights.append(entity_weight(entity_id, entities))
    shape = (len(entity_sets), max(1, len(columns)))
    weighted = sparse.csr_matrix((weights, (rows, cols)), shape=shape, dtype=np.float64)
    binary = sparse.csr_matrix((np.ones(len(rows)), (rows, cols)), shape=shape, dtype=np.float64)
    totals = np.asarray(weighted.sum(axis=1), dtype=np.float64).ravel()
    return weighted, binary, totals


def entity_similarity(weighted: Any, binary: Any, totals: FloatArray,
                      first: NDArray[np.int64], second: NDArray[np.int64]) -> FloatArray:
    """Weighted Jaccard: weight of shared entities over the weight of their union."""
    shared = _row_dots(weighted[first], binary[second]) if len(first) else np.zeros(0)
    union = totals[first] + totals[second] - shared
    return np.divide(shared, union, out=np.zeros_like(shared), where=union > 0)


@dataclass(frozen=True, slots=True)
class Signals:
    """The signals of each candidate pair, as parallel arrays."""

    first: NDArray[np.int64]
    second: NDArray[np.int64]
    semantic: FloatArray | None
    lexical: FloatArray
    entities: FloatArray
    dates: FloatArray
    places: FloatArray

    def combined(self, options: StoryOptions) -> FloatArray:
        parts = [(options.lexical_weight, self.lexical), (options.entity_weight, self.entities),
                 (options.date_weight, self.dates)]
        if self.semantic is not None:
            parts.append((options.semantic_weight, np.clip(self.semantic, 0.0, 1.0)))
        total = sum(w for w, _ in parts)
        mixed = sum((w * values for w, values in parts), np.zeros(len(self.first))) / total
        return mixed * (1.0 - options.place_penalty * (1.0 - self.places))


@dataclass(slots=True)
class ArticleFeatures:
    ids: list[str]
    days: list[int]
    leads: list[str]
    entity_sets: list[list[str]]
    places: list[frozenset[str]] = field(default_factory=list)


def specific_places(entity_ids: Iterable[str], entities: Entities) -> frozenset[str]:
    """Places below a governorate (towns, villages, districts): where a development happened."""
    return frozenset(
        e for e in entity_ids
        if entity_field(entities.get(e), "type") == "place"
        and entity_field(entities.get(e), "feature") not in BROAD_PLACES
    )


def same_place(a: str, b: str, entities: Entities) -> bool:
    """One place: the same id, one inside the other, or the same Arabic name (a town and its district)."""
    if a == b or a in ancestors(b, entities) or b in ancestors(a, entities):
        return True
    name_a = normalize_text(str(entity_field(entities.get(a), "name_ar") or ""))
    return bool(name_a) and name_a == normalize_text(str(entity_field(entities.get(b), "name_ar") or ""))


def _place_agreement(features: ArticleFeatures, first: NDArray[np.int64], second: NDArray[np.int64],
                     entities: Entities) -> FloatArray:
    """1 when the leads name one place (or one names none); 0 when they name different places only."""
    known: dict[tuple[str, str], bool] = {}  # a few hundred places meet in thousands of pairs

    def same(a: str, b: str) -> bool:
        if (a, b) not in known:
            known[(a, b)] = same_place(a, b, entities)
        return known[(a, b)]

    out = []
    for i, j in zip(first.tolist(), second.tolist(), strict=True):
        left, right = features.places[i], features.places[j]
        agree = not left or not right or bool(left & right) or any(
            same(a, b) for a in sorted(left) for b in sorted(right))
        out.append(1.0 if agree else 0.0)
    return np.array(out, dtype=np.float64)


def article_features(articles: Sequence[Mapping[str, Any]], entities: Entities,
                     options: StoryOptions) -> ArticleFeatures:
    leads = [lead(a, options.lead_sentences) for a in articles]
    entity_sets = [lead_entities(a, first.end) for a, first in zip(articles, leads, strict=True)]
    return ArticleFeatures(
        ids=[str(a["id"]) for a in articles],
        days=[_day(a) for a in articles],
        leads=[first.text for first in leads],
        entity_sets=entity_sets,
        places=[specific_places(s, entities) for s in entity_sets],
    )


def drop_common_places(features: ArticleFeatures, options: StoryOptions) -> ArticleFeatures:
    """Forget, for place agreement, places named in the leads of many articles (a city used as a landmark)."""
    counts = Counter(p for places in features.places for p in places)
    limit = max(options.common_place_floor, options.common_place_share * len(features.ids))
    common = {p for p, n in counts.items() if n > limit}
    if common:
        features.places = [places - common for places in features.places]
    return features


def compute_signals(features: ArticleFeatures, pairs: Iterable[tuple[int, int]], entities: Entities, *,
                    options: StoryOptions, embeddings: NDArray[np.float32] | None,
                    idf: Mapping[str, float] | None = None) -> Signals:
    ordered = sorted(pairs)
    first = np.array([p[0] for p in ordered], dtype=np.int64)
    second = np.array([p[1] for p in ordered], dtype=np.int64)
    lexical = _chunked_dots(tfidf_matrix([t[: options.lead_chars] for t in features.leads], idf), first, second)
    weighted, binary, totals = entity_matrices(features.entity_sets, entities)
    days = np.array(features.days, dtype=np.int64)
    gaps = np.abs(days[first] - days[second]) if len(first) else np.zeros(0)
    dates = np.clip(1.0 - gaps / max(1, options.window_days + 1), 0.0, 1.0)
    semantic = _chunked_dots(embeddings, first, second) if embeddings is not None else None
    return Signals(first, second, semantic, lexical, entity_similarity(weighted, binary, totals, first, second),
                   dates.astype(np.float64), _place_agreement(features, first, second, entities))


# -- linking ---------------------------------------------------------------------------------------------


def average_linkage(ids: Sequence[str], scored: Sequence[PairScore], threshold: float) -> UnionFind:
    """Greedy average linkage over the compared pairs, strongest pair first."""
    groups = UnionFind()
    for article_id in ids:
        groups.add(article_id)
    members: dict[str, list[str]] = {i: [i] for i in ids}
    score_of: dict[tuple[str, str], float] = {}
    for pair in scored:
        score_of[(pair.a, pair.b)] = score_of[(pair.b, pair.a)] = pair.score
    for pair in sorted(scored, key=lambda p: (-p.score, p.a, p.b)):
        if pair.score < threshold:
            break
        ra, rb = groups.find(pair.a), groups.find(pair.b)
        if ra == rb:
            continue
        cross = [score_of[(x, y)] for x in members[ra] for y in members[rb] if (x, y) in score_of]
        if sum(cross) / len(cross) >= threshold:
            keep = groups.union(ra, rb)
            members[keep] = members.pop(ra if keep == rb else rb) + members[keep]
    return groups


def _embeddings(features: ArticleFeatures, needed: Sequence[int], options: StoryOptions,
                cache: EmbeddingCache | None, embedder: Embedder | None,
                messages: list[str]) -> NDArray[np.float32] | None:
    """Embeddings of the articles in some candidate pair (other rows stay zero); None without an encoder."""
    if not options.use_encoder:
        return None
    if embedder is None:
        status = load_use_embedder(options.encoder_threads)
        if status.embedder is None:
            messages.append(status.message or "stories: no sentence encoder")
            return None
        embedder = status.embedder
    store = cache if cache is not None else EmbeddingCache(key=f"lead{options.lead_sentences}")
    rows = store.embed([features.ids[i] for i in needed], [features.leads[i] for i in needed], embedder)
    matrix = np.zeros((len(features.ids), rows.shape[1] if len(needed) else 1), dtype=np.float32)
    matrix[list(needed)] = rows
    return matrix


def find_stories(articles: Sequence[Mapping[str, Any]], entities: Entities, *,
                 duplicates: Mapping[str, str] | None = None, options: StoryOptions | None = None,
                 cache: EmbeddingCache | None = None, embedder: Embedder | None = None) -> StoryResult:
    """Group articles into stories.  ``articles`` carry id, published, title, text and entity_ids."""
    opts = options or StoryOptions()
    dups = dict(duplicates or {})
    kept = [a for a in articles if str(a["id"]) not in dups]
    features = drop_common_places(article_features(kept, entities, opts), opts)
    messages: list[str] = []
    keys = [block_keys(s, entities) for s in features.entity_sets]
    pairs = candidate_pairs(features.days, keys, opts)
    needed = sorted({i for pair in pairs for i in pair})
    embeddings = _embeddings(features, needed, opts, cache, embedder, messages) if pairs else None
    signals = compute_signals(features, pairs, entities, options=opts, embeddings=embeddings)
    scored = _pair_scores(features.ids, signals, signals.combined(opts))
    threshold = opts.threshold if signals.semantic is not None or not pairs else opts.fallback_threshold
    groups = average_linkage(features.ids, scored, threshold)
    return _result(groups, dups, scored, messages)


def _pair_scores(ids: Sequence[str], signals: Signals, combined: FloatArray) -> list[PairScore]:
    return [
        PairScore(ids[i], ids[j], None if signals.semantic is None else round(float(signals.semantic[k]), 4),
                  round(float(signals.lexical[k]), 4), round(float(signals.entities[k]), 4),
                  round(float(signals.dates[k]), 4), round(float(combined[k]), 4))
        for k, (i, j) in enumerate(zip(signals.first.tolist(), signals.second.tolist(), strict=True))
    ]


def _result(groups: UnionFind, duplicates: dict[str, str], scored: list[PairScore],
            messages: list[str]) -> StoryResult:
    for duplicate, kept in duplicates.items():
        groups.union(duplicate, kept)
    members_of = {stable_id("s-", members): members for members in groups.groups()}
    stories: list[dict[str, Any]] = [{"id": sid, "article_ids": members_of[sid]} for sid in sorted(members_of)]
    story_of = {article_id: sid for sid, members in members_of.items() for article_id in members}
    return StoryResult(stories, dict(sorted(story_of.items())), scored, messages)
