"""Benchmark: ingest → clean → recognise/link, articles per second on one core.

usage: python bench/bench_pipeline.py [--copies N] [--corpus DIR]

Writes N copies of the corpus (seed articles when ../shared is present,
otherwise the bundled examples) to a temporary folder, each copy with a
distinct line so that no two texts are equal and its own outlet name (so that
the learned per-outlet furniture lines do not strip the repeated copies), then
times the whole per-article
path in one process: reading and decoding the files, front matter, cleaning,
sentence splitting, alias matching, linking and discovery, then relations and
events.  What a process does once is timed apart: the knowledge-base load and
index build, and the first article, which compiles the date, number and cue
patterns (about 0.4 s; on 1,000 articles it would otherwise read as a tenth
slower per article).  Peak memory is the process's maximum resident set size.
"""

from __future__ import annotations

import argparse
import os
import platform
import resource
import tempfile
import time
from itertools import islice
from pathlib import Path

from rasad.ingest import iter_documents
from rasad.kb import KnowledgeBase, load_kb
from rasad.kb.index import build_index
from rasad.model import Article
from rasad.pipeline import DEFAULT_STAGES, RECOGNISE, SENTENCES, Pipeline, process_stream

ROOT = Path(__file__).resolve().parents[1]
SEEDS = ROOT.parent / "shared" / "corpus" / "seeds"


def write_copies(corpus: Path, target: Path, copies: int) -> int:
    files = sorted(corpus.glob("*.txt"))
    for i in range(copies):
        for f in files:
            text = f.read_text(encoding="utf-8").replace("\noutlet: ", f"\noutlet: copy{i} ", 1)
            (target / f"{i:05d}_{f.name}").write_text(f"{text}\n\nنسخة رقم {i}\n", encoding="utf-8")
    return len(files) * copies


def _timed(folder: Path, kb: KnowledgeBase, pipeline: Pipeline, n: int) -> tuple[float, int]:
    """Articles per CPU second through ``pipeline`` (ingest included) and the mentions found."""
    cpu0 = time.process_time()
    articles = process_stream(iter_documents([folder]), kb, pipeline=pipeline)
    mentions = sum(len(a.mentions) for a in articles if isinstance(a, Article))
    return n / (time.process_time() - cpu0), mentions


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--copies", type=int, default=200)
    parser.add_argument("--corpus", type=Path, default=SEEDS if SEEDS.is_dir() else ROOT / "examples" / "corpus")
    args = parser.parse_args()
    t0 = time.perf_counter()
    kb = load_kb()
    build_index(kb)
    kb_seconds = time.perf_counter() - t0
    with tempfile.TemporaryDirectory() as tmp:
        n = write_copies(args.corpus, Path(tmp), args.copies)
        cpu0 = time.process_time()
        list(process_stream(islice(iter_documents([Path(tmp)]), 1), kb, pipeline=Pipeline.build(DEFAULT_STAGES)))
        first_seconds = time.process_time() - cpu0
        size = sum(p.stat().st_size for p in Path(tmp).iterdir()) / n
        link_rate, mentions = _timed(Path(tmp), kb, Pipeline.build((SENTENCES, RECOGNISE)), n)
        full_rate, _ = _timed(Path(tmp), kb, Pipeline.build(DEFAULT_STAGES), n)
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"machine: {platform.machine()} {platform.processor() or ''} {os.cpu_count()} cores, "
          f"Python {platform.python_version()}")
    print(f"corpus: {args.corpus} x {args.copies} = {n} articles, {size / 1024:.1f} KiB each on average")
    print(f"knowledge base: {len(kb)} entities, load + index {kb_seconds:.2f} s (once per process)")
    print(f"first article: {first_seconds:.2f} s (compiles the patterns; once per process)")
    print(f"ingest → link: {link_rate:.0f} articles/s per core (CPU time), {mentions / n:.1f} mentions/article")
    print(f"ingest → relations and events (whole per-article pipeline): {full_rate:.0f} articles/s per core")
    print(f"peak RSS: {peak_mb:.0f} MB")


if __name__ == "__main__":
    main()
