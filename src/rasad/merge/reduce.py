"""The cross-article merge as a keyed reduce on the run's engine, never gathering the store in one process.

It gives exactly what :func:`rasad.merge.run.merge_all` gives on the whole store:

1. **Copies.**  Articles are cut into time chunks of about ``chunk_articles``
   (:func:`rasad.merge.partition.day_chunks`).  A chunk task reads its articles plus the
   ``window_days`` (14) before and the undated ones, and returns the copy pairs it owns (those
   with an article of its own): whether two articles are copies depends on those two only.
   The leader clustering then runs here over the pairs alone (:func:`rasad.merge.dedup.leader_clusters`).
   The same tasks count, over the leads of their own articles, the places and character n-grams
   that story detection needs corpus-wide (common places, TF-IDF document frequencies; the copies'
   counts are taken back here, reading the copies again), and embed the leads of their own articles
   that can be in a story pair, so that no later task embeds an article twice.
2. **Stories.**  A chunk task reads its articles not copied plus the 10 days before (with their
   vectors from the :class:`~rasad.merge.embed.VectorFile`), scores the candidate pairs whose later
   article is its own (a pair's candidacy only depends on the articles published between the two),
   with the corpus-wide idf and common places, and returns the pairs that can matter: those at or
   above the threshold and those whose both articles may have one.  Average linkage runs here,
   per component of the strong pairs, as soon as no later chunk can reach it (:mod:`rasad.merge.linker`).
3. **Events** stream from the store by date and are cut into independent groups by a sweep over
   type, nested place and overlapping date windows (:func:`rasad.merge.partition.event_partitions`);
   **relations** stream by the key their conflict rules compare (place of a control claim, pair of
   actors, triple), with the side links of the whole set.

Every phase runs on one :class:`rasad.engines.TaskRunner` (inline, worker processes or Dask);
results are spilled to temporary files and written by :meth:`Store.replace_merged` in one transaction.
Peak memory: a few chunks of articles, the open events and stories, n-gram and place counts (which
grow with the vocabulary, not the corpus), and ids: the copies, and the articles of multi-article stories.
"""

from __future__ import annotations

import datetime as dt
import pickle
import tempfile
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from itertools import groupby, islice
from typing import IO, Any, Protocol

import numpy as np

from rasad.engines import EngineOptions, TaskRunner, task_runner
from rasad.errors import RasadError
from rasad.merge.common import Entities, parse_date, stable_id
from rasad.merge.dedup import Edge, copy_edges, leader_clusters
from rasad.merge.embed import EmbeddingCache, Matrix, VectorFile, load_use_embedder
from rasad.merge.events import merge_events
from rasad.merge.linker import Linker, StoryIds, story_record
from rasad.merge.partition import Dated, day_chunks, event_partitions
from rasad.merge.relations import conflict_key, merge_relation_group, side_links
from rasad.merge.run import MergeOptions
from rasad.merge.stories import (
    PairScore,
    _embeddings,
    _pair_scores,
    article_features,
    block_keys,
    candidate_pairs,
    compute_signals,
    idf_weights,
    lead,
    lead_entities,
    lead_grams,
    specific_places,
)

Record = dict[str, Any]
RELATION_KINDS = ("controls", "pair", "other")
CACHE_KEY = "lead4"
KEY_PAGE = 1000  # article ids looked up at a time when singleton stories are written


@dataclass(frozen=True, slots=True)
class ReduceOptions:
    """chunk_articles: articles per time chunk; batch: events or relations per task;
    inline_below: stores with fewer articles are merged in this process (starting workers costs more)."""

    chunk_articles: int = 1000
    batch: int = 1000
    inline_below: int = 2000


class MergeSource(Protocol):
    """What the reduce reads; :class:`StoreSource` over a store, :class:`MemorySource` over lists."""

    def article_keys(self) -> Iterator[tuple[str, str | None]]:
        """Every article's (id, published), by id."""
        ...

    def articles_published(self, first: str, last: str) -> Iterator[Record]:
        """Merge inputs (:func:`rasad.merge.run.article_input`) of the articles published on days
        ``first``..``last`` (ISO, inclusive), in merge order."""
        ...

    def articles_by_id(self, ids: Sequence[str]) -> Iterator[Record]: ...

    def events_dated(self) -> Iterator[Dated]:
        """Raw events with their articles' publication dates, by event_date (undated first)."""
        ...

    def relations_dated(self, kind: str) -> Iterator[Dated]:
        """Raw relations of one kind of :data:`RELATION_KINDS`, ordered by :func:`conflict_key`."""
        ...

    def relations(self) -> Iterator[Record]:
        """Raw relations, one record per (subject, predicate, object)."""
        ...


# -- tasks and what workers do ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Shared:
    """Sent to every worker once per phase."""

    entities: Entities
    options: MergeOptions
    idf: Mapping[str, float] | None = None
    common: frozenset[str] = frozenset()


@dataclass(frozen=True, slots=True)
class CopyTask:
    own: list[Record]
    others: list[Record]  # the days before, and the undated articles
    embedded: frozenset[str] = frozenset()  # own articles whose lead has a vector already


@dataclass(slots=True)
class CopyOut:
    edges: list[Edge]
    places: Counter[str]
    grams: Counter[str]
    leads: int
    vector_ids: list[str] = field(default_factory=list)
    vectors: Matrix | None = None
    messages: list[str] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class StoryTask:
    articles: list[Record]  # the days before, then the chunk's own
    first: int  # own days (ordinals)
    last: int
    settled_last: int  # own articles up to this day have every candidate pair in this task
    vectors: dict[str, Matrix]


@dataclass(slots=True)
class StoryOut:
    pairs: list[PairScore]
    days: dict[str, int]  # publication day (ordinal) of the articles of those pairs
    semantic: bool | None  # None: no pairs to score
    vectors: dict[str, Matrix]
    messages: list[str]


@dataclass(frozen=True, slots=True)
class EventTask:
    parts: list[list[Dated]]


@dataclass(frozen=True, slots=True)
class RelationTask:
    groups: list[tuple[list[Dated], frozenset[frozenset[str]]]]


@dataclass(frozen=True, slots=True)
class EventOut:
    records: list[Record]


@dataclass(frozen=True, slots=True)
class RelationOut:
    records: list[Record]


def run_task(shared: Shared, task: Any) -> Any:
    """One task of the reduce (module level: it travels to worker processes by name)."""
    if isinstance(task, CopyTask):
        return _copies(shared, task)
    if isinstance(task, StoryTask):
        return _stories(shared, task)
    if isinstance(task, EventTask):
        return EventOut([r for part in task.parts for r in merge_events(  # by id: the order the store reads
            sorted((item[0] for item in part), key=lambda e: str(e["id"])), shared.entities,
            published=_published(part))])
    if isinstance(task, RelationTask):
        return RelationOut([r for items, links in task.groups for r in merge_relation_group(
            [item[0] for item in items], shared.entities, published=_published(items),
            options=shared.options.relations, links=links)])
    raise RasadError(f"merge: unknown task {type(task).__name__}")


def _published(items: Iterable[Dated]) -> dict[str, str | None]:
    out: dict[str, str | None] = {}
    for _, published in items:
        out.update(published)
    return out


def _lead_features(article: Mapping[str, Any], shared: Shared) -> tuple[frozenset[str], frozenset[str], bool]:
    """The lead's specific places and character n-grams, and whether it has a blocking key (can be in a pair)."""
    opts = shared.options.stories
    first = lead(article, opts.lead_sentences)
    found = lead_entities(article, first.end)
    places = specific_places(found, shared.entities)
    grams = frozenset(lead_grams(first.text[: opts.lead_chars]))
    return frozenset(places), grams, bool(block_keys(found, shared.entities))


def _copies(shared: Shared, task: CopyTask) -> CopyOut:
    own = {str(a["id"]) for a in task.own}
    edges = [e for e in copy_edges([*task.others, *task.own], shared.options.dedup)
             if e[0][1] in own or e[1][1] in own]
    maybe_copies = {e[1][1] for e in edges}
    out = CopyOut(edges, Counter(), Counter(), len(task.own))
    to_embed: list[Record] = []
    for article in task.own:
        places, grams, keyed = _lead_features(article, shared)
        out.places.update(places)
        out.grams.update(grams)
        article_id = str(article["id"])
        if (keyed and article_id not in maybe_copies and article_id not in task.embedded
                and parse_date(article.get("published")) is not None):
            to_embed.append(article)
    if to_embed and shared.options.stories.use_encoder:
        _embed_leads(shared, to_embed, out)
    return out


def _embed_leads(shared: Shared, articles: Sequence[Record], out: CopyOut) -> None:
    """Vectors of the leads of ``articles`` (the text :func:`rasad.merge.stories.find_stories` embeds)."""
    opts = shared.options.stories
    status = load_use_embedder(opts.encoder_threads)
    if status.embedder is None:
        out.messages.append(status.message or "stories: no sentence encoder")
        return
    out.vector_ids = [str(a["id"]) for a in articles]
    out.vectors = status.embedder.embed([lead(a, opts.lead_sentences).text for a in articles])


def _stories(shared: Shared, task: StoryTask) -> StoryOut:
    opts, entities = shared.options.stories, shared.entities
    features = article_features(task.articles, entities, opts)
    if shared.common:
        features.places = [p - shared.common for p in features.places]
    keys = [block_keys(s, entities) for s in features.entity_sets]
    days = features.days
    pairs = {p for p in candidate_pairs(days, keys, opts) if task.first <= max(days[p[0]], days[p[1]]) <= task.last}
    messages: list[str] = []
    cache = EmbeddingCache(key=f"lead{opts.lead_sentences}", vectors=dict(task.vectors))
    needed = sorted({i for pair in pairs for i in pair})
    embeddings = _embeddings(features, needed, opts, cache, None, messages) if pairs else None
    signals = compute_signals(features, pairs, entities, options=opts, embeddings=embeddings, idf=shared.idf)
    scored = _pair_scores(features.ids, signals, signals.combined(opts))
    semantic = (signals.semantic is not None) if pairs else None
    threshold = opts.threshold if semantic or not pairs else opts.fallback_threshold
    strong = {i for p in scored if p.score >= threshold for i in (p.a, p.b)}
    day_of = dict(zip(features.ids, days, strict=True))

    def may_link(article_id: str) -> bool:
        settled = task.first <= day_of[article_id] <= task.settled_last
        return article_id in strong or not settled

    kept = [p for p in scored if p.score >= threshold or (may_link(p.a) and may_link(p.b))]
    fresh = {k: v for k, v in cache.vectors.items() if k not in task.vectors}
    return StoryOut(kept, {i: day_of[i] for p in kept for i in (p.a, p.b)}, semantic, fresh, messages)


# -- spilling results --------------------------------------------------------------------------------------


class Spill:
    """Records written to a temporary file one by one and read back in order (any number of times)."""

    def __init__(self) -> None:
        self.file: IO[bytes] = tempfile.TemporaryFile(prefix="rasad-merge-")  # noqa: SIM115 (closed by close())
        self.count = 0

    def add(self, record: Any) -> None:
        pickle.dump(record, self.file, protocol=pickle.HIGHEST_PROTOCOL)
        self.count += 1

    def __iter__(self) -> Iterator[Any]:
        self.file.seek(0)
        for _ in range(self.count):
            yield pickle.load(self.file)  # our own temporary file

    def close(self) -> None:
        self.file.close()


# -- the driver --------------------------------------------------------------------------------------------


@dataclass(slots=True)
class KeyedMerge:
    """The merged layer, streamed: :meth:`stories`, :meth:`story_ids`, :attr:`events`, :attr:`relations`."""

    source: MergeSource
    multi: Spill  # stories of more than one article
    in_multi: StoryIds  # the ids of their articles
    duplicates: dict[str, str]
    events: Spill
    relations: Spill
    messages: list[str] = field(default_factory=list)

    def stories(self) -> Iterator[Record]:
        yield from self.multi
        for article_id in self._singletons():
            yield {"id": stable_id("s-", [article_id]), "article_ids": [article_id]}

    def story_ids(self) -> Iterator[tuple[str, str]]:
        """(article id, story id) for every article, multi-article stories first."""
        for story in self.multi:
            for article_id in story["article_ids"]:
                yield article_id, story["id"]
        for article_id in self._singletons():
            yield article_id, stable_id("s-", [article_id])

    def _singletons(self) -> Iterator[str]:
        keys = (article_id for article_id, _ in self.source.article_keys())
        while page := list(islice(keys, KEY_PAGE)):
            yield from self.in_multi.missing(page)

    def close(self) -> None:
        for spill in (self.multi, self.events, self.relations):
            spill.close()


@dataclass(slots=True)
class _Plan:
    total: int
    chunks: list[tuple[str, str]]
    undated: list[str]


def _plan(source: MergeSource, size: int) -> _Plan:
    days: Counter[str] = Counter()
    undated: list[str] = []
    total = 0
    for article_id, published in source.article_keys():
        total += 1
        day = parse_date(published)
        if day is None:
            undated.append(article_id)
        else:
            days[day.isoformat()] += 1
    return _Plan(total, day_chunks(days, size), undated)


def _shift(day: str, days: int) -> str:
    return (dt.date.fromisoformat(day) + dt.timedelta(days=days)).isoformat()


def _dated(articles: Iterable[Record], skip: Mapping[str, str] | None = None) -> list[Record]:
    return [a for a in articles if parse_date(a.get("published")) is not None and str(a["id"]) not in (skip or {})]


def _copy_tasks(source: MergeSource, plan: _Plan, undated: list[Record], window: int,
                vectors: VectorFile) -> Iterator[CopyTask]:
    for first, last in plan.chunks:
        before = _dated(source.articles_published(_shift(first, -window), _shift(first, -1)))
        own = _dated(source.articles_published(first, last))
        yield CopyTask(own, before + undated, frozenset(vectors.known([str(a["id"]) for a in own])))
    if undated:
        yield CopyTask(undated, [])


def _story_tasks(source: MergeSource, plan: _Plan, duplicates: Mapping[str, str], window: int,
                 vectors: VectorFile) -> Iterator[StoryTask]:
    for n, (first, last) in enumerate(plan.chunks):
        before = _dated(source.articles_published(_shift(first, -window), _shift(first, -1)), duplicates)
        own = _dated(source.articles_published(first, last), duplicates)
        final = n == len(plan.chunks) - 1
        settled = dt.date.max if final else dt.date.fromisoformat(last) - dt.timedelta(days=window)
        yield StoryTask(before + own, dt.date.fromisoformat(first).toordinal(),
                        dt.date.fromisoformat(last).toordinal(), settled.toordinal(),
                        vectors.get([str(a["id"]) for a in before + own]))


def _batched(parts: Iterable[list[Any]], size: int) -> Iterator[list[list[Any]]]:
    batch: list[list[Any]] = []
    count = 0
    for part in parts:
        batch.append(part)
        count += len(part)
        if count >= size:
            yield batch
            batch, count = [], 0
    if batch:
        yield batch


def _relation_groups(source: MergeSource, links: set[frozenset[str]]) -> Iterator[list[Any]]:
    by_member: dict[str, list[frozenset[str]]] = {}
    for link in links:
        for member in link:
            by_member.setdefault(member, []).append(link)
    for kind in RELATION_KINDS:
        for _, group in groupby(source.relations_dated(kind), key=lambda item: conflict_key(item[0])):
            items = list(group)
            subjects = {str(item[0]["subject"]) for item in items}
            mine = frozenset(x for s in subjects for x in by_member.get(s, ()) if x <= subjects)
            yield [(items, mine)]


@dataclass(slots=True)
class _Corpus:
    """What the copy phase finds over the whole corpus."""

    duplicates: dict[str, str]
    idf: dict[str, float]
    common: frozenset[str]
    messages: list[str]


def _copy_phase(runner: TaskRunner, source: MergeSource, plan: _Plan, shared: Shared,
                vectors: VectorFile) -> _Corpus:
    opts = shared.options
    undated = list(source.articles_by_id(plan.undated)) if plan.undated else []
    found = CopyOut([], Counter(), Counter(), 0)
    messages: list[str] = []
    for out in runner.map(run_task, shared, _copy_tasks(source, plan, undated, opts.dedup.window_days, vectors)):
        found.edges += out.edges
        found.places.update(out.places)
        found.grams.update(out.grams)
        found.leads += out.leads
        messages += [m for m in out.messages if m not in messages]
        if out.vectors is not None:
            vectors.add(out.vector_ids, out.vectors)
    vectors.save()
    duplicates = leader_clusters(found.edges)
    for copy in source.articles_by_id(sorted(duplicates)):  # story detection counts the articles kept only
        places, grams, _ = _lead_features(copy, shared)
        found.places.subtract(places)
        found.grams.subtract(grams)
    kept = found.leads - len(duplicates)
    limit = max(opts.stories.common_place_floor, opts.stories.common_place_share * kept)
    common = frozenset(p for p, n in found.places.items() if n > limit)
    idf = idf_weights({g: n for g, n in found.grams.items() if n > 0}, kept)
    return _Corpus(duplicates, idf, common, messages)


@dataclass(slots=True)
class _Outputs:
    """Where the second phase's results go."""

    result: KeyedMerge
    linker: Linker
    vectors: VectorFile
    closing: list[int]  # for each story chunk, the first day (ordinal) a later chunk can still pair
    semantic: set[bool] = field(default_factory=set)
    stories_seen: int = 0

    def take(self, out: Any, options: MergeOptions) -> None:
        if isinstance(out, StoryOut):
            self._story(out, options)
        else:
            spill = self.result.relations if isinstance(out, RelationOut) else self.result.events
            for record in out.records:
                spill.add(record)

    def _story(self, out: StoryOut, options: MergeOptions) -> None:
        if out.semantic is not None:
            self.semantic.add(out.semantic)
            if len(self.semantic) > 1:
                raise RasadError("merge: the sentence encoder loaded in some workers and not in others")
            stories = options.stories
            self.linker.threshold = stories.threshold if out.semantic else stories.fallback_threshold
            self.linker.add(out.pairs, out.days)
        if out.vectors:
            ids = sorted(out.vectors)
            self.vectors.add(ids, np.vstack([out.vectors[i] for i in ids]))
        self.result.messages += [m for m in out.messages if m not in self.result.messages]
        self.write(self.linker.close(self.closing[self.stories_seen]))
        self.stories_seen += 1

    def write(self, stories: Iterable[list[str]]) -> None:
        for members in stories:
            self.result.multi.add(story_record(members, self.result.duplicates))
            self.result.in_multi.add(members)


def merge_keyed(source: MergeSource, entities: Entities, *, engine: EngineOptions | None = None,
                options: MergeOptions | None = None, reduce: ReduceOptions | None = None,
                vectors: VectorFile | None = None) -> KeyedMerge:
    """The merged layer of everything ``source`` holds, computed partition by partition on ``engine``.

    ``vectors``: sentence embeddings kept between runs (new ones are added and saved); a temporary
    file for this call when None.
    """
    opts, plan_opts = options or MergeOptions(), reduce or ReduceOptions()
    plan = _plan(source, plan_opts.chunk_articles)
    run_on = engine or EngineOptions()
    if plan.total < plan_opts.inline_below:
        run_on = replace(run_on, kind="inline")
    store = vectors if vectors is not None else VectorFile.open(None, key=CACHE_KEY)
    try:
        with task_runner(run_on) as runner:
            return _merge(runner, source, plan, Shared(entities, opts), plan_opts, store)
    finally:
        if vectors is None:
            store.close()


def _merge(runner: TaskRunner, source: MergeSource, plan: _Plan, shared: Shared, plan_opts: ReduceOptions,
           vectors: VectorFile) -> KeyedMerge:
    opts, entities = shared.options, shared.entities
    corpus = _copy_phase(runner, source, plan, shared, vectors)
    result = KeyedMerge(source, Spill(), StoryIds(), corpus.duplicates, Spill(), Spill(), list(corpus.messages))
    window = opts.stories.window_days
    closing = [dt.date.fromisoformat(first).toordinal() - window for first, _ in plan.chunks[1:]]
    closing.append(dt.date.max.toordinal())
    outputs = _Outputs(result, Linker(corpus.duplicates), vectors, closing)

    def tasks() -> Iterator[Any]:
        yield from _story_tasks(source, plan, corpus.duplicates, window, vectors)
        for batch in _batched(event_partitions(source.events_dated(), entities), plan_opts.batch):
            yield EventTask(batch)
        links = side_links(source.relations())
        for batch in _batched(_relation_groups(source, links), plan_opts.batch):
            yield RelationTask([g for part in batch for g in part])

    try:
        for out in runner.map(run_task, Shared(entities, opts, corpus.idf, corpus.common), tasks()):
            outputs.take(out, opts)
        outputs.write(outputs.linker.close(None))
        vectors.save()
    except BaseException:
        result.close()
        raise
    result.in_multi.freeze()
    return result
