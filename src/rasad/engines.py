"""Engines: where the per-article stages run — in this process, in worker processes, or on a Dask cluster.

The run loop (:mod:`rasad.runner`) reads and cleans articles in input order in
its own process (cleaning learns each outlet's furniture lines from the
articles before, so it is sequential and cheap), then hands the clean articles
to an engine in batches.  The engine runs the per-article stages — pure
functions of (article, knowledge base) — and gives the batches back in the
order they went in, so that every engine stores the same records in the same
order.  At most ``window`` batches are in flight at once: memory stays flat
however long the input.

* ``inline``: in this process (debugging, small inputs, tests).
* ``process``: a pool of worker processes (``multiprocessing``, fork server or spawn), one
  per core unless told otherwise; each loads the knowledge base and models once,
  in its initializer.
* ``dask``: the workers of a Dask distributed cluster — an existing one
  (``scheduler="tcp://HOST:PORT"``) or a local one started for the run.  The
  knowledge base and pipeline are scattered to every worker once.

Records are frozen dataclasses and the pipeline's stages are module-level
functions or picklable objects, so both travel to workers by pickle.
"""

from __future__ import annotations

import logging
import multiprocessing
import multiprocessing.pool
import os
import signal
import threading
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass
from typing import Any, Protocol

from rasad.errors import RasadError
from rasad.kb.index import build_index
from rasad.kb.loader import KnowledgeBase
from rasad.model import Article, Entity, RawDoc, Skipped
from rasad.pipeline import Pipeline
from rasad.store.base import Store, is_postgres_url, open_store
from rasad.store.records import Prepared, article_rows
from rasad.text.clean import clean, why_unusable

ENGINE_KINDS: tuple[str, ...] = ("inline", "process", "dask")
# Exceptions that make one article fail (reported and skipped) rather than the run; as in process_stream.
ARTICLE_ERRORS = (RasadError, ValueError, KeyError, IndexError)

@dataclass(frozen=True, slots=True)
class ToClean:
    """A raw document and the furniture its outlet had shown before it (the run loop learns that in input
    order, so every engine cleans every document alike)."""

    doc: RawDoc
    learned: frozenset[str]

    @property
    def source(self) -> str:
        return self.doc.source


@dataclass(frozen=True, slots=True)
class Stored:
    """A clean article whose text the store already holds: only its source is new."""

    article: Article

    @property
    def source(self) -> str:
        return self.article.source


Batch = list[ToClean]


@dataclass(frozen=True, slots=True)
class Tally:
    """What a run's summary counts of one article, counted where the article was processed."""

    mentions: int
    events: int
    relations: int
    entity_types: tuple[str, ...]  # one per distinct entity the article names
    actors: tuple[str, ...]
    places: tuple[str, ...]


def place_label(entity: Entity) -> str:
    """A place's name with what kind of place it is: "Deir ez-Zor (town)" vs "(governorate)"."""
    return f"{entity.name_en} ({entity.feature})" if entity.feature else entity.name_en


def tally_of(article: Article, kb: KnowledgeBase) -> Tally:
    found = {e.id: e for e in article.discovered}
    entities = [found.get(i) or kb.entities[i] for i in dict.fromkeys(m.entity_id for m in article.mentions)]
    return Tally(
        mentions=len(article.mentions), events=len(article.events), relations=len(article.relations),
        entity_types=tuple(e.type for e in entities),
        actors=tuple(e.name_en for e in entities if e.type == "actor"),
        places=tuple(place_label(e) for e in entities if e.type == "place"),
    )


@dataclass(frozen=True, slots=True)
class Written:
    """An article a worker processed and stored itself (``added`` False: it was stored already)."""

    source: str
    article_id: str
    added: bool
    tally: Tally


Results = list[Prepared | Stored | Written | Skipped]


DEFAULT_BATCH = 64  # articles per task and per commit: commits of 64 write in about half the time of 16


@dataclass(frozen=True, slots=True)
class EngineOptions:
    """Which engine, how many workers, and how much work may be in flight."""

    kind: str = "inline"
    workers: int | None = None  # None: one per core (process), the cluster's own (dask)
    scheduler: str | None = None  # dask: address of an existing scheduler; None: a local cluster
    batch: int = DEFAULT_BATCH  # articles per task (and per commit when workers store)
    window: int = 3  # tasks in flight per worker


@dataclass(frozen=True, slots=True)
class WorkerState:
    """What a worker needs, shipped to it once: the knowledge base and the pipeline."""

    kb: KnowledgeBase
    pipeline: Pipeline
    store_url: str | None = None  # set: each worker opens this store and writes its own batches


class Engine(Protocol):
    @property
    def kind(self) -> str: ...

    @property
    def batch(self) -> int:
        """Articles per batch the run loop should hand over."""
        ...

    def map(self, batches: Iterable[Batch]) -> Iterator[Results]:
        """Each batch's articles through the stages (or a Skipped saying why not), batches in input order."""
        ...


def failure(source: str, exc: Exception) -> Skipped:
    return Skipped(source, f"processing failed: {type(exc).__name__}: {exc}".splitlines()[0])


def run_stages(state: WorkerState, article: Article) -> Prepared | Skipped:
    """The article through every stage, then turned into the rows the store writes (here, not in the run loop)."""
    try:
        for stage in state.pipeline.stages:
            article = stage.run(article, state.kb)
        return Prepared(article, article_rows(article, state.kb.entities, state.kb.version))
    except ARTICLE_ERRORS as exc:
        return failure(article.source, exc)


def run_one(state: WorkerState, item: ToClean, store: Store | None = None) -> Prepared | Stored | Skipped:
    """Clean a document; then, unless ``store`` already holds its text, run the stages on it."""
    try:
        article = clean(item.doc, learned=item.learned)
    except ARTICLE_ERRORS as exc:
        return failure(item.doc.source, exc)
    unusable = why_unusable(article.text)
    if unusable is not None:
        return Skipped(item.doc.source, unusable)
    if store is not None and store.has_article(article.id):
        return Stored(article)
    return run_stages(state, article)


def run_batch(state: WorkerState, items: Batch, store: Store | None = None) -> Results:
    return [run_one(state, item, store) for item in items]


def write_batch(store: Store, kb: KnowledgeBase, results: Results) -> Results:
    """Store a batch's processed articles in one transaction; what the run loop then only counts."""
    out: Results = []
    with store.transaction():
        for item in results:
            if isinstance(item, Prepared | Stored):
                rows = item.rows if isinstance(item, Prepared) else None
                added = store.add_article(item.article, kb_entities=kb.entities, kb_version=kb.version, rows=rows)
                out.append(Written(item.source, item.article.id, added, tally_of(item.article, kb)))
            else:
                out.append(item)
    return out


def cpu_count() -> int:
    """The cores this process may use."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on every platform
        return os.cpu_count() or 1


class Handle(Protocol):
    def ready(self) -> bool: ...

    def result(self) -> Results: ...


@dataclass(frozen=True, slots=True)
class _Ready:
    value: Results

    def ready(self) -> bool:
        return True

    def result(self) -> Results:
        return self.value


def ordered_map(submit: Callable[[Batch], Handle], batches: Iterable[Batch], *, window: int) -> Iterator[Results]:
    """Submit batches lazily, at most ``window`` unfinished at once, and yield their results in input order."""
    pending: deque[Handle] = deque()
    for batch in batches:
        pending.append(submit(batch) if batch else _Ready([]))
        while pending and (len(pending) >= window or pending[0].ready()):
            yield pending.popleft().result()
    while pending:
        yield pending.popleft().result()


class InlineEngine:
    """The stages in this process; with a store URL it stores its batches itself, as the workers do."""

    kind = "inline"

    def __init__(self, state: WorkerState, *, batch: int = 1) -> None:
        self.state = state
        self.batch = batch
        self._store = open_store(state.store_url, create=False) if state.store_url is not None else None

    def map(self, batches: Iterable[Batch]) -> Iterator[Results]:
        for items in batches:
            results = run_batch(self.state, items, self._store)
            yield results if self._store is None else write_batch(self._store, self.state.kb, results)

    def close(self) -> None:
        if self._store is not None:
            self._store.close()
            self._store = None


# -- worker processes -------------------------------------------------------------------------------------------

_STATE: WorkerState | None = None
_STORE: Store | None = None
# SQLite lets one writer in at a time and makes the others poll with growing sleeps; the workers take turns on
# this lock instead, which wakes the next one as soon as the last commits.
_WRITE_LOCK: Any = None


def _init_worker(state: WorkerState, write_lock: Any = None) -> None:
    """Pool initializer: keep the state, open the store, build the alias index, ignore Ctrl-C, die with the parent."""
    global _STATE, _STORE, _WRITE_LOCK
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent decides when to stop
    _WRITE_LOCK = write_lock
    _STATE = state
    if state.store_url is not None:
        _STORE = open_store(state.store_url, create=False)
    build_index(state.kb)
    parent = multiprocessing.parent_process()
    if parent is not None:
        threading.Thread(target=_exit_with, args=(parent,), name="rasad-parent-watch", daemon=True).start()


def _exit_with(parent: multiprocessing.process.BaseProcess) -> None:
    """A parent killed outright (SIGKILL) cannot stop its pool: the workers notice and leave."""
    parent.join()
    os._exit(1)


def _pool_batch(items: Batch) -> Results:
    if _STATE is None:
        raise RasadError("worker process started without its knowledge base")
    results = run_batch(_STATE, items, _STORE)
    if _STORE is None:
        return results
    with _WRITE_LOCK or nullcontext():
        return write_batch(_STORE, _STATE.kb, results)


@dataclass(frozen=True, slots=True)
class _PoolHandle:
    async_result: multiprocessing.pool.AsyncResult[Results]

    def ready(self) -> bool:
        return self.async_result.ready()

    def result(self) -> Results:
        return self.async_result.get()


def _context() -> multiprocessing.context.BaseContext:
    """Fresh worker processes, not forks of this one (which may hold threads and open databases).

    With a fork server (POSIX), the server imports rasad once and every worker is forked from it;
    elsewhere each worker is spawned and imports it itself.
    """
    if "forkserver" in multiprocessing.get_all_start_methods():
        context = multiprocessing.get_context("forkserver")
        context.set_forkserver_preload(["rasad.engines"])
        return context
    return multiprocessing.get_context("spawn")


class ProcessEngine:
    """A pool of spawned worker processes, started on the first batch (a run with nothing new starts none)."""

    kind = "process"

    def __init__(self, state: WorkerState, *, workers: int, batch: int, window: int) -> None:
        self.state = state
        self.workers = workers
        self.batch = batch
        self.window = window * workers
        self._pool: multiprocessing.pool.Pool | None = None

    def _submit(self, articles: Batch) -> Handle:
        if self._pool is None:
            context = _context()
            url = self.state.store_url
            lock = context.Lock() if url is not None and not is_postgres_url(url) else None
            self._pool = context.Pool(self.workers, initializer=_init_worker, initargs=(self.state, lock))
        return _PoolHandle(self._pool.apply_async(_pool_batch, (articles,)))

    def map(self, batches: Iterable[Batch]) -> Iterator[Results]:
        return ordered_map(self._submit, batches, window=self.window)

    def close(self, *, failed: bool = False) -> None:
        if self._pool is not None:
            stop_pool(self._pool, failed=failed)
            self._pool = None


def stop_pool(pool: multiprocessing.pool.Pool, *, failed: bool) -> None:
    """Let the workers finish (or, after a failure, stop them now) and wait for them."""
    if failed:
        pool.terminate()
    else:
        pool.close()
    pool.join()


# -- Dask -------------------------------------------------------------------------------------------------------


@contextmanager
def _sigint_ignored() -> Iterator[None]:
    """SIGINT ignored while the block starts processes (they keep ignoring it); only from the main thread."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)


_DASK_STORES: dict[str, Store] = {}


def _dask_batch(state: WorkerState, items: Batch) -> Results:
    build_index(state.kb)  # cached per worker process after the first batch
    if state.store_url is None:
        return run_batch(state, items)
    if state.store_url not in _DASK_STORES:  # opened once per worker process
        _DASK_STORES[state.store_url] = open_store(state.store_url, create=False)
    store = _DASK_STORES[state.store_url]
    results = run_batch(state, items, store)
    if is_postgres_url(state.store_url):
        return write_batch(store, state.kb, results)
    from distributed import Lock  # SQLite: the workers take turns, as the process engine's do

    with Lock(f"rasad-write-{state.store_url}"):
        return write_batch(store, state.kb, results)


@dataclass(frozen=True, slots=True)
class _DaskHandle:
    future: Any  # distributed.Future

    def ready(self) -> bool:
        return bool(self.future.done())

    def result(self) -> Results:
        found: Results = self.future.result()
        return found


def dask_connect(options: EngineOptions) -> tuple[Any, Any]:
    """(client, local cluster or None): the cluster at ``options.scheduler``, else one started here."""
    try:
        from distributed import Client, LocalCluster
    except ImportError as exc:
        raise RasadError("the dask engine needs Dask distributed: pip install 'rasad[dask]'") from exc
    if options.scheduler:
        try:
            return Client(options.scheduler, timeout="30s"), None
        except OSError as exc:  # no scheduler at that address, or it timed out
            raise RasadError(f"cannot reach the Dask scheduler {options.scheduler}: {exc}") from exc
    with _sigint_ignored():  # its worker processes inherit that: Ctrl-C is for this process to handle
        cluster = LocalCluster(n_workers=options.workers or cpu_count(), threads_per_worker=1, processes=True,
                               dashboard_address=":0", silence_logs=logging.ERROR)
    return Client(cluster), cluster


class DaskEngine:
    """Batches as tasks on a Dask distributed cluster; the state is scattered once to every worker."""

    kind = "dask"

    def __init__(self, state: WorkerState, *, options: EngineOptions) -> None:
        self.batch = options.batch
        self._client, self._cluster = dask_connect(options)
        self.workers = max(1, len(self._client.scheduler_info().get("workers", {})))
        self.window = options.window * self.workers
        self._state = self._client.scatter(state, broadcast=True, hash=False)

    def _submit(self, articles: Batch) -> Handle:
        return _DaskHandle(self._client.submit(_dask_batch, self._state, articles, pure=False))

    def map(self, batches: Iterable[Batch]) -> Iterator[Results]:
        return ordered_map(self._submit, batches, window=self.window)

    def close(self, *, failed: bool = False) -> None:
        if getattr(self, "_client", None) is not None:
            self._client.close()
        if self._cluster is not None:
            self._cluster.close()


@contextmanager
def open_engine(options: EngineOptions, *, kb: KnowledgeBase, pipeline: Pipeline,
                store_url: str | None = None) -> Iterator[Engine]:
    """The engine ``options`` name, closed (its workers stopped) when the block ends.

    With ``store_url`` the process engine's workers store what they process themselves (the
    database's work is then spread over the cores too) and hand back only what the run counts;
    the other engines hand back rows for the run loop to store.
    """
    if options.kind not in ENGINE_KINDS:
        raise RasadError(f"unknown engine {options.kind!r}; choose one of {', '.join(ENGINE_KINDS)}")
    if options.workers is not None and options.workers < 1:
        raise RasadError(f"--workers must be at least 1, not {options.workers}")
    # Workers of a cluster this run does not start may not see the database: those hand rows back.
    remote = options.kind == "dask" and options.scheduler is not None
    state = WorkerState(kb=kb, pipeline=pipeline, store_url=None if remote else store_url)
    if options.kind == "inline":
        inline = InlineEngine(state, batch=options.batch)
        try:
            yield inline
        finally:
            inline.close()
        return
    engine: ProcessEngine | DaskEngine
    if options.kind == "process":
        engine = ProcessEngine(state, workers=options.workers or cpu_count(), batch=options.batch,
                               window=options.window)
    else:
        engine = DaskEngine(state, options=options)
    try:
        yield engine
    except BaseException:
        engine.close(failed=True)
        raise
    engine.close()



# -- keyed reduce: any picklable task on the run's engine (the cross-article merge) --------------------------------

_SHARED: tuple[str, Any] | None = None  # in a worker: (file, what it holds) of the phase running now


def _init_task_worker() -> None:
    """Pool initializer for :class:`TaskRunner`: Ctrl-C is the parent's."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def _shared_from(path: str) -> Any:
    """What every task of a phase shares, read from its file once per worker and phase."""
    import pickle

    global _SHARED
    if _SHARED is None or _SHARED[0] != path:
        _SHARED = None  # the last phase's is dropped before the next one is read
        with open(path, "rb") as file:
            _SHARED = (path, pickle.load(file))  # written by this run's parent process
    return _SHARED[1]


def _pool_task(fn: Callable[[Any, Any], Any], path: str, task: Any) -> Any:
    return fn(_shared_from(path), task)


def _in_order(submit: Callable[[Any], Any], tasks: Iterable[Any], *, window: int) -> Iterator[Any]:
    """Submit lazily, at most ``window`` unfinished; yield results in task order (handles: ``.result()``)."""
    pending: deque[Any] = deque()
    for task in tasks:
        pending.append(submit(task))
        while len(pending) >= window:
            yield pending.popleft().result()
    while pending:
        yield pending.popleft().result()


@dataclass(frozen=True, slots=True)
class _PoolResult:
    pending: multiprocessing.pool.AsyncResult[Any]

    def result(self) -> Any:
        return self.pending.get()


class TaskRunner:
    """Workers for several :meth:`map` calls (the phases of a reduce), started on the first one.

    Build with :func:`task_runner`, which closes them.  Worker processes keep what they load between
    phases (the sentence encoder), and the pool or Dask cluster starts once, not once per phase.
    """

    def __init__(self, options: EngineOptions) -> None:
        self.options = options
        self._pool: multiprocessing.pool.Pool | None = None
        self._client: Any = None
        self._cluster: Any = None

    def map(self, fn: Callable[[Any, Any], Any], shared: Any, tasks: Iterable[Any]) -> Iterator[Any]:
        """``fn(shared, task)`` for each task, results in task order.

        ``fn`` is a module-level function; ``shared`` goes to each worker once per call (process pool:
        through a temporary file).  Tasks are submitted lazily, at most ``window`` per worker
        unfinished, so memory stays bounded however many there are.  ``inline`` runs them here.
        """
        if self.options.kind == "inline":
            return (fn(shared, task) for task in tasks)
        if self.options.kind == "process":
            return self._pool_map(fn, shared, tasks)
        return self._dask_map(fn, shared, tasks)

    def _pool_map(self, fn: Callable[[Any, Any], Any], shared: Any, tasks: Iterable[Any]) -> Iterator[Any]:
        import pickle
        import tempfile

        workers = self.options.workers or cpu_count()
        if self._pool is None:
            self._pool = _context().Pool(workers, initializer=_init_task_worker)
        pool = self._pool
        with tempfile.NamedTemporaryFile(prefix="rasad-shared-", suffix=".pickle") as file:
            pickle.dump(shared, file, protocol=pickle.HIGHEST_PROTOCOL)
            file.flush()
            yield from _in_order(lambda task: _PoolResult(pool.apply_async(_pool_task, (fn, file.name, task))),
                                 tasks, window=self.options.window * workers)

    def _dask_map(self, fn: Callable[[Any, Any], Any], shared: Any, tasks: Iterable[Any]) -> Iterator[Any]:
        client = self._dask_client()
        workers = max(1, len(client.scheduler_info().get("workers", {})))
        remote = client.scatter(shared, broadcast=True, hash=False)
        try:
            yield from _in_order(lambda task: client.submit(fn, remote, task, pure=False), tasks,
                                 window=self.options.window * workers)
        finally:
            client.cancel(remote)

    def _dask_client(self) -> Any:
        """The cluster at ``options.scheduler``, or a local one for this runner."""
        if self._client is not None:
            return self._client
        self._client, self._cluster = dask_connect(self.options)
        return self._client

    def close(self, *, failed: bool = False) -> None:
        if self._pool is not None:
            stop_pool(self._pool, failed=failed)
            self._pool = None
        if self._client is not None:
            self._client.close()
            self._client = None
        if self._cluster is not None:
            self._cluster.close()
            self._cluster = None


@contextmanager
def task_runner(options: EngineOptions) -> Iterator[TaskRunner]:
    """A :class:`TaskRunner` on the engine ``options`` names, closed (workers stopped) on leaving."""
    if options.kind not in ENGINE_KINDS:
        raise RasadError(f"unknown engine {options.kind!r}; choose one of {', '.join(ENGINE_KINDS)}")
    runner = TaskRunner(options)
    try:
        yield runner
    except BaseException:
        runner.close(failed=True)
        raise
    runner.close()


def map_tasks(options: EngineOptions, fn: Callable[[Any, Any], Any], shared: Any,
              tasks: Iterable[Any]) -> Iterator[Any]:
    """:meth:`TaskRunner.map` on workers started for this one call."""
    with task_runner(options) as runner:
        yield from runner.map(fn, shared, tasks)
