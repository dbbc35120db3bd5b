"""Run the pipeline over inputs into a store, with a summary of what happened."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from rasad.ingest import IngestOptions, iter_documents
from rasad.kb.loader import KnowledgeBase
from rasad.model import Article, Entity, Skipped
from rasad.pipeline import Pipeline, process_stream
from rasad.store.base import Store

Progress = Callable[[str], None]


@dataclass(slots=True)
class RunSummary:
    read: int = 0
    added: int = 0
    duplicates: int = 0
    skipped: list[Skipped] = field(default_factory=list)
    mentions: int = 0
    entity_types: Counter[str] = field(default_factory=Counter)
    actors: Counter[str] = field(default_factory=Counter)
    places: Counter[str] = field(default_factory=Counter)


def place_label(entity: Entity) -> str:
    """A place's name with what kind of place it is: "Deir ez-Zor (town)" vs "(governorate)"."""
    return f"{entity.name_en} ({entity.feature})" if entity.feature else entity.name_en


def _count(summary: RunSummary, article: Article, kb: KnowledgeBase) -> None:
    summary.mentions += len(article.mentions)
    found = {e.id: e for e in article.discovered}
    for entity_id in {m.entity_id for m in article.mentions}:
        entity = found.get(entity_id) or kb.entities[entity_id]
        summary.entity_types[entity.type] += 1
        if entity.type == "actor":
            summary.actors[entity.name_en] += 1
        elif entity.type == "place":
            summary.places[place_label(entity)] += 1


def run_paths(
    paths: Iterable[str | Path], *, store: Store, kb: KnowledgeBase,
    options: IngestOptions | None = None, progress: Progress | None = None, pipeline: Pipeline | None = None,
) -> RunSummary:
    """Ingest, process and store every input; one transaction per article."""
    summary = RunSummary()
    run_id = store.start_run(kb.version)
    docs = iter_documents(paths, options=options or IngestOptions())
    for item in process_stream(docs, kb, pipeline=pipeline or Pipeline.build()):
        if isinstance(item, Skipped):
            summary.skipped.append(item)
            store.add_skipped(run_id, item.source, item.reason)
        else:
            summary.read += 1
            if store.add_article(item, kb_entities=kb.entities, kb_version=kb.version):
                summary.added += 1
                _count(summary, item, kb)
            else:
                summary.duplicates += 1
        if progress is not None:
            progress(item.source)
    store.finish_run(run_id, read=summary.read, added=summary.added, duplicates=summary.duplicates,
                     skipped=len(summary.skipped))
    return summary
