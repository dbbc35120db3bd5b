"""Benchmark: instructions per article through the whole per-article pipeline (valgrind's callgrind).

usage: python bench/bench_instructions.py [--articles 60] [--corpus DIR ...]

Timings on a shared machine swing by a third from one hour to the next; instruction counts do
not, so two versions of the code can be compared run against run.  The script runs itself under
``valgrind --tool=callgrind`` twice over the same articles held in memory: once through the
pipeline once, once three times.  The difference is two passes in the steady state (patterns
compiled, lexicons loaded), divided by the articles in them.  Reading the files, loading the
knowledge base and the first pass cancel out.  Needs valgrind (Debian package ``valgrind``);
a few minutes.  The default corpus is the seeds plus the bundled examples (the examples alone
when ../shared is absent).  Counts still move by up to 5% between runs of the same code on a
handful of articles (memory addresses differ, and with them some dict and set orders; hashing
is fixed with PYTHONHASHSEED=0), so compare on tens of articles and more than one run.
"""

from __future__ import annotations

import argparse
import os
import platform
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SEEDS = ROOT.parent / "shared" / "corpus" / "seeds"
EXAMPLES = ROOT / "examples" / "corpus"
_COLLECTED = re.compile(r"Collected : (\d+)")


def run_passes(folders: list[Path], articles: int, passes: int) -> None:
    """What runs under callgrind: read ``articles`` documents, then ``passes`` passes of the pipeline."""
    from itertools import islice

    from rasad.ingest import iter_documents
    from rasad.kb import load_kb
    from rasad.kb.index import build_index
    from rasad.pipeline import DEFAULT_STAGES, Pipeline, RunState, process_stream

    kb = load_kb()
    build_index(kb)
    docs = list(islice(iter_documents(folders), articles))
    pipeline = Pipeline.build(DEFAULT_STAGES)
    for _ in range(passes):
        list(process_stream(docs, kb, pipeline=pipeline, state=RunState()))


def documents(folders: list[Path], articles: int) -> int:
    """How many of the first ``articles`` inputs are documents (not skipped files)."""
    from itertools import islice

    from rasad.ingest import iter_documents
    from rasad.model import RawDoc

    return sum(isinstance(d, RawDoc) for d in islice(iter_documents(folders), articles))


def instructions(folders: list[Path], articles: int, passes: int) -> int:
    """Instructions callgrind counts for one run of :func:`run_passes`."""
    with tempfile.TemporaryDirectory() as tmp:
        command = ["valgrind", "--tool=callgrind", f"--callgrind-out-file={tmp}/callgrind.out",
                   sys.executable, __file__, "--inner", str(passes), "--articles", str(articles),
                   "--corpus", *map(str, folders)]
        env = {**os.environ, "PYTHONHASHSEED": "0"}  # the same set and dict orders in every run
        result = subprocess.run(command, capture_output=True, text=True, check=False, env=env)
    found = _COLLECTED.search(result.stderr)
    if result.returncode != 0 or found is None:
        tail = result.stderr.strip().splitlines()[-1:] or ["no output"]
        raise SystemExit(f"bench_instructions: callgrind run failed ({result.returncode}): {tail[0]}")
    return int(found.group(1))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--articles", type=int, default=60)
    parser.add_argument("--corpus", type=Path, nargs="+",
                        default=[SEEDS, EXAMPLES] if SEEDS.is_dir() else [EXAMPLES])
    parser.add_argument("--inner", type=int, help=argparse.SUPPRESS)  # the run under callgrind
    args = parser.parse_args()
    if args.inner is not None:
        run_passes(args.corpus, args.articles, args.inner)
        return
    if shutil.which("valgrind") is None:
        raise SystemExit("bench_instructions: valgrind is not installed (Debian package valgrind)")
    count = documents(args.corpus, args.articles)
    once = instructions(args.corpus, args.articles, 1)
    thrice = instructions(args.corpus, args.articles, 3)
    per_article = (thrice - once) / (2 * count)
    print(f"machine: {platform.machine()} {os.cpu_count()} cores, Python {platform.python_version()}")
    print(f"corpus: {', '.join(map(str, args.corpus))}: {count} articles")
    print(f"whole per-article pipeline, steady state: {per_article / 1e6:.2f} million instructions per article")


if __name__ == "__main__":
    main()
