"""The shipped NER model: manifest, size, the pinned test-split floor, the eval-ner command."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from rasad.ner.cli import eval_ner
from rasad.ner.conll import read_conll
from rasad.ner.model import NerError, check_manifest, data_dir, load_ner, read_manifest, sha256_file
from rasad.ner.score import evaluate_tagger

from .conftest import SHARED

ANERCORP = SHARED / "datasets" / "anercorp-camel"
TEST_FILE = ANERCORP / "ANERCorp_CamelLab_test.txt"
# Pinned floors on the ANERcorp test split (the shipped model scores micro-F1 0.694; see the manifest).
MICRO_F1_FLOOR = 0.685
TYPE_F1_FLOORS = {"LOC": 0.85, "PERS": 0.64, "ORG": 0.53, "MISC": 0.56}
MAX_MODEL_BYTES = 25 * 1024 * 1024


@pytest.fixture(scope="module")
def test_split() -> Path:
    if not TEST_FILE.is_file():
        pytest.skip(f"ANERcorp test split not present at {TEST_FILE}")
    return TEST_FILE


def test_manifest_matches_files() -> None:
    manifest = check_manifest()
    folder = data_dir()
    assert {"ner.crfsuite", "ner-tables.json", "lists/world_places.txt"} <= set(manifest["files"])
    for name, digest in manifest["files"].items():
        assert sha256_file(folder / name) == digest
    assert sum((folder / n).stat().st_size for n in manifest["files"]) <= MAX_MODEL_BYTES
    assert manifest["training_data"]["licence"] == "CC BY-SA 4.0"
    assert "CC BY-SA 4.0" in manifest["licence"]
    assert manifest["command"].startswith("python tools/train_ner.py")
    assert manifest["test_scores"]["micro"]["f1"] >= MICRO_F1_FLOOR


def test_manifest_mismatch_is_reported(tmp_path: Path) -> None:
    for name in ("manifest.json", "ner-tables.json"):
        (tmp_path / name).write_bytes((data_dir() / name).read_bytes())
    (tmp_path / "ner.crfsuite").write_bytes(b"not the model")
    with pytest.raises(NerError, match="does not match its manifest"):
        check_manifest(tmp_path)
    with pytest.raises(NerError, match="no NER model manifest"):
        read_manifest(tmp_path / "nowhere")


def test_shipped_model_meets_the_floor(test_split: Path) -> None:
    report = evaluate_tagger(load_ner(), read_conll(test_split))
    assert report.micro.f1 >= MICRO_F1_FLOOR, report.as_dict()
    for kind, floor in TYPE_F1_FLOORS.items():
        assert report.per_type[kind].f1 >= floor, (kind, report.per_type[kind])
    recorded = read_manifest()["test_scores"]["micro"]["f1"]
    assert report.micro.f1 == pytest.approx(recorded, abs=0.02)  # the knowledge base may have grown since


def test_tagging_gives_tags_and_probabilities() -> None:
    tagger = load_ner()
    tagged = tagger.tag(["قال", "الرئيس", "جورج", "بوش", "في", "واشنطن", "."])
    assert len(tagged.tags) == len(tagged.confidence) == 7
    assert tagged.tags[5] == "B-LOC"
    assert all(0.0 <= p <= 1.0 for p in tagged.confidence)
    assert tagger.tag([]).tags == ()


def test_eval_ner_command(test_split: Path) -> None:
    app = typer.Typer()
    app.command("eval-ner")(eval_ner)
    app.command("noop")(lambda: None)  # two commands, so typer keeps the sub-command name
    runner = CliRunner()
    result = runner.invoke(app, ["eval-ner", "--data", str(test_split.parent), "--json"])
    assert result.exit_code == 0, result.output
    scores = json.loads(result.stdout)
    assert scores["micro"]["f1"] >= MICRO_F1_FLOOR
    assert set(scores["per_type"]) == {"PERS", "LOC", "ORG", "MISC"}
    table = runner.invoke(app, ["eval-ner", "--data", str(test_split.parent)])
    assert table.exit_code == 0 and "micro" in table.stdout
    missing = runner.invoke(app, ["eval-ner", "--data", str(test_split.parent / "nowhere")])
    assert missing.exit_code == 2
