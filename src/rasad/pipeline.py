"""Wiring: the per-article stages, checked when the pipeline is built, and the run loop.

A stage declares the Article fields it needs and the ones it provides; the
pipeline refuses a chain where a stage needs something no earlier stage gives.
Per-article stages are pure functions of (article, knowledge base).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable, Iterator
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field

from rasad.errors import RasadError
from rasad.extract.events import extract_events
from rasad.extract.recognise import recognise
from rasad.extract.relations import extract_relations
from rasad.extract.view import cached_view
from rasad.kb.index import build_index
from rasad.kb.loader import KnowledgeBase
from rasad.model import Article, RawDoc, Skipped
from rasad.text.clean import LineStats, clean, observed_lines, why_unusable
from rasad.text.sentences import split_sentences

StageFn = Callable[[Article, KnowledgeBase], Article]


@dataclass(frozen=True, slots=True)
class Stage:
    name: str
    run: StageFn
    requires: frozenset[str]
    provides: frozenset[str]


def _sentences(article: Article, kb: KnowledgeBase) -> Article:
    return dataclasses.replace(article, sentences=split_sentences(article.text, article.paragraphs))


def _recognise(article: Article, kb: KnowledgeBase) -> Article:
    return recognise(article, kb=kb, index=build_index(kb))


def _relations(article: Article, kb: KnowledgeBase) -> Article:
    view = cached_view(article, kb.entities)
    return dataclasses.replace(article, relations=extract_relations(view, kb.entities))


def _events(article: Article, kb: KnowledgeBase) -> Article:
    view = cached_view(article, kb.entities)
    return dataclasses.replace(article, events=extract_events(view, kb.entities))


CLEAN_PROVIDES = frozenset({"text", "paragraphs", "title", "byline"})
SENTENCES = Stage("sentences", _sentences, frozenset({"text", "paragraphs"}), frozenset({"sentences"}))
RECOGNISE = Stage(
    "recognise", _recognise, frozenset({"text", "sentences"}), frozenset({"mentions", "discovered"})
)
RELATIONS = Stage("relations", _relations, frozenset({"text", "sentences", "mentions"}), frozenset({"relations"}))
EVENTS = Stage("events", _events, frozenset({"text", "sentences", "mentions"}), frozenset({"events"}))
DEFAULT_STAGES = (SENTENCES, RECOGNISE, RELATIONS, EVENTS)


def stages_with_ner(model_path: str | None = None) -> tuple[Stage, ...]:
    """The default stages plus the statistical NER stage right after recognition.

    The NER stage finds names no gazetteer knows; it costs about four times the
    rest of the pipeline on CPU (``bench/bench_ner.py``), so it is opt-in
    (``rasad run --ner``).
    """
    from rasad.ner.integrate import ner_stage

    return (SENTENCES, RECOGNISE, ner_stage(model_path), RELATIONS, EVENTS)


@dataclass(frozen=True, slots=True)
class Pipeline:
    stages: tuple[Stage, ...]

    @classmethod
    def build(cls, stages: Iterable[Stage] = DEFAULT_STAGES) -> Pipeline:
        available = set(CLEAN_PROVIDES)
        chain = tuple(stages)
        for stage in chain:
            missing = stage.requires - available
            if missing:
                raise RasadError(f"stage {stage.name!r} needs {sorted(missing)}, which no earlier stage provides")
            available |= stage.provides
        return cls(chain)

    def process(self, raw: RawDoc, kb: KnowledgeBase, *, learned: AbstractSet[str] = frozenset()) -> Article:
        article = clean(raw, learned=learned)
        for stage in self.stages:
            article = stage.run(article, kb)
        return article


@dataclass(frozen=True, slots=True)
class Failed:
    """An article whose processing raised; reported and skipped."""

    source: str
    reason: str


@dataclass(slots=True)
class RunState:
    line_stats: LineStats = field(default_factory=LineStats)


def process_stream(
    docs: Iterable[RawDoc | Skipped], kb: KnowledgeBase, *, pipeline: Pipeline | None = None,
    state: RunState | None = None,
) -> Iterator[Article | Skipped]:
    """Run the per-article stages over a stream; a failing article becomes a Skipped."""
    pipe = pipeline or Pipeline.build()
    run_state = state or RunState()
    for doc in docs:
        if isinstance(doc, Skipped):
            yield doc
            continue
        learned = run_state.line_stats.snapshot(doc.outlet)
        run_state.line_stats.observe(doc.outlet, observed_lines(doc))
        try:
            article = pipe.process(doc, kb, learned=learned)
        except (RasadError, ValueError, KeyError, IndexError) as exc:
            yield Skipped(doc.source, f"processing failed: {type(exc).__name__}: {exc}".splitlines()[0])
            continue
        unusable = why_unusable(article.text)
        if unusable is not None:
            yield Skipped(doc.source, unusable)
            continue
        yield article
