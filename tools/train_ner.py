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
import time
from importlib import metadata
from pathlib import Path

from rasad.kb import load_kb
from rasad.ner.conll import LabelledSentence, read_conll
from rasad.ner.crf import MODEL_FILE, TABLES_FILE, CrfParams, base_tables, open_crf, train_crf
from rasad.ner.model import MANIFEST, sha256_file
from rasad.ner.score import NerReport, evaluate_tagger
from rasad.ner.train import cross_fold_features, tables_to_json, train_tables

ROOT = Path(__file__).resolve().parents[1]
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


def _train(sentences: list[LabelledSentence], *, folds: int, params: CrfParams, out: Path) -> None:
    kb = load_kb()
    xseqs = cross_fold_features(sentences, base=base_tables(kb), k=folds)
    train_crf(xseqs, [s.tags for s in sentences], params=params, model_path=out / MODEL_FILE)
    tables = json.dumps(tables_to_json(train_tables(sentences)), ensure_ascii=False, sort_keys=True,
                        separators=(",", ":"))
    (out / TABLES_FILE).write_text(tables + "\n", encoding="utf-8")


def _score(out: Path, sentences: list[LabelledSentence]) -> NerReport:
    return evaluate_tagger(open_crf(out / MODEL_FILE, out / TABLES_FILE, kb=load_kb()), sentences)


def _print(title: str, report: NerReport) -> None:
    print(title)
    for kind, counts in sorted(report.per_type.items()):
        print(f"  {kind:5} P {counts.precision:.4f}  R {counts.recall:.4f}  F1 {counts.f1:.4f}")
    micro = report.micro
    print(f"  micro P {micro.precision:.4f}  R {micro.recall:.4f}  F1 {micro.f1:.4f}   macro-F1 {report.macro_f1:.4f}")


def _manifest(args: argparse.Namespace, params: CrfParams, report: NerReport, data: Path) -> dict[str, object]:
    return {
        "name": "rasad-ner-crf",
        "backend": "crf",
        "labels": sorted({"O", *(f"{p}-{t}" for p in "BI" for t in ("PERS", "LOC", "ORG", "MISC"))}),
        "files": {name: sha256_file(args.output / name) for name in (MODEL_FILE, TABLES_FILE)},
        "training_data": {**DATA, "files": {f: sha256_file(data / f) for f in (TRAIN_FILE, TEST_FILE)},
                          "used": {"train": TRAIN_FILE, "evaluation": TEST_FILE}},
        "licence": "CC BY-SA 4.0 (the model and its word tables are derived from ANERcorp)",
        "command": "python tools/train_ner.py " + " ".join(args.argv),
        "params": {**params.as_dict(), "folds": args.folds},
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
    parser.add_argument("--dev", action="store_true", help="score on the last tenth of train; write nothing")
    args = parser.parse_args(argv)
    args.argv = [a for a in (argv if argv is not None else sys.argv[1:]) if a]
    params = CrfParams(c1=args.c1, c2=args.c2, max_iterations=args.iterations)
    train = read_conll(args.data / TRAIN_FILE)
    started = time.perf_counter()
    if args.dev:
        cut = len(train) * 9 // 10
        args.output = Path("/tmp") / "rasad-ner-dev"
        args.output.mkdir(exist_ok=True)
        _train(train[:cut], folds=args.folds, params=params, out=args.output)
        _print("dev (last tenth of train)", _score(args.output, train[cut:]))
        return 0
    args.output.mkdir(parents=True, exist_ok=True)
    _train(train, folds=args.folds, params=params, out=args.output)
    report = _score(args.output, read_conll(args.data / TEST_FILE))
    _print("ANERcorp test split (entity level, exact span and type)", report)
    manifest = _manifest(args, params, report, args.data)
    (args.output / MANIFEST).write_text(json.dumps(manifest, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    size = (args.output / MODEL_FILE).stat().st_size + (args.output / TABLES_FILE).stat().st_size
    print(f"wrote {args.output} ({size / 1e6:.1f} MB) in {time.perf_counter() - started:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
