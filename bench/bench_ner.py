"""Tagging speed of the built-in NER model: tokens per second of CPU time, one process.

    python bench/bench_ner.py [--data ../shared/datasets/anercorp-camel] [--repeat 3]

Tags the ANERcorp test split (25,008 tokens; the example corpus when the split
is absent) in documents of 16 sentences (both CRF passes when the model has the
document-level pass) with features, CRF
and per-token probabilities, as the pipeline stage does for an article, and
without probabilities, as ``rasad eval-ner`` does.  The model
load is timed apart.  Prints the median of ``--repeat`` passes.
"""

from __future__ import annotations

import argparse
import platform
import statistics
import time
from pathlib import Path

from rasad.kb import load_kb
from rasad.ner.conll import read_conll
from rasad.ner.crf import CrfTagger
from rasad.ner.integrate import tokenize
from rasad.ner.model import load_ner

ROOT = Path(__file__).resolve().parents[1]
TEST_FILE = "ANERCorp_CamelLab_test.txt"


def _sentences(data: Path) -> tuple[list[list[str]], str]:
    path = data / TEST_FILE
    if path.is_file():
        return [list(s.tokens) for s in read_conll(path)], f"ANERcorp test split ({path})"
    lines = [line for f in sorted((ROOT / "examples" / "corpus").glob("*.txt"))
             for line in f.read_text(encoding="utf-8").splitlines() if line.strip()]
    return [[t.text for t in tokenize(line)] for line in lines], "examples/corpus lines"


DOC_SENTENCES = 16  # the split has no article boundaries: blocks of 16 sentences (~500 tokens) stand in


def _pass(sentences: list[list[str]], *, confidence: bool) -> float:
    tagger = load_ner()
    started = time.process_time()
    for i in range(0, len(sentences), DOC_SENTENCES):
        tagger.tag_document(sentences[i : i + DOC_SENTENCES], confidence=confidence)
    return time.process_time() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "datasets" / "anercorp-camel")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    sentences, source = _sentences(args.data)
    tokens = sum(len(s) for s in sentences)
    started = time.process_time()
    load_ner(kb=load_kb())
    load_s = time.process_time() - started
    print(f"input: {source}: {len(sentences)} sentences, {tokens} tokens")
    print(f"machine: {platform.processor() or platform.machine()}, Python {platform.python_version()}")
    print(f"model load (knowledge base gazetteer, tables, CRF): {load_s:.2f} s CPU")
    for confidence in (True, False):
        # The first pass fills the per-word feature cache, as a long run does; the median is over later passes.
        times = [_pass(sentences, confidence=confidence) for _ in range(args.repeat + 1)][1:]
        label = "tags + probabilities (pipeline stage)" if confidence else "tags only (eval-ner)"
        rate = tokens / statistics.median(times)
        print(f"{label}: {rate:,.0f} tokens/s per core (median of {len(times)} passes)")
    cold = load_ner()
    if isinstance(cold, CrfTagger):
        cold.featurizer.clear_cache()
    started = time.process_time()
    for i in range(0, len(sentences), DOC_SENTENCES):
        cold.tag_document(sentences[i : i + DOC_SENTENCES])
    print(f"first pass, empty feature cache, with probabilities: {tokens / (time.process_time() - started):,.0f} "
          "tokens/s per core")


if __name__ == "__main__":
    main()
