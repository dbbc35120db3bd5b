"""``rasad eval-ner``: entity-level precision, recall and F1 of the NER model on the ANERcorp test split.

The lead's ``rasad/cli.py`` registers :func:`eval_ner`; it is the only function here that prints.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from rasad.errors import RasadError
from rasad.ner.conll import read_conll
from rasad.ner.model import load_ner
from rasad.ner.score import NerReport, evaluate_tagger

TEST_FILE = "ANERCorp_CamelLab_test.txt"
# ../shared beside the checkout (src/rasad/ner/cli.py → repository root → ..), or $RASAD_SHARED.
SHARED = Path(os.environ.get("RASAD_SHARED", Path(__file__).resolve().parents[3].parent / "shared"))
DEFAULT_DATA = SHARED / "datasets" / "anercorp-camel"


def report_table(report: NerReport, title: str) -> Table:
    table = Table(title=title)
    for column in ("type", "precision", "recall", "F1", "tp", "fp", "fn"):
        table.add_column(column, justify="right")
    rows = [*sorted(report.per_type.items()), ("micro", report.micro)]
    for kind, c in rows:
        table.add_row(kind, f"{c.precision:.4f}", f"{c.recall:.4f}", f"{c.f1:.4f}", str(c.tp), str(c.fp), str(c.fn))
    table.caption = f"macro-F1 {report.macro_f1:.4f} (entity level: exact span and type)"
    return table


def eval_ner(
    data: Annotated[Path, typer.Option("--data", help="Folder with the ANERcorp CAMeL split.")] = DEFAULT_DATA,
    ner_model: Annotated[
        str | None, typer.Option("--ner-model", help="Local Hugging Face token-classification model folder.")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
) -> None:
    """Score the NER model on the ANERcorp test split: P/R/F1 per type and micro-averaged."""
    console = Console(stderr=True)
    try:
        sentences = read_conll(data / TEST_FILE)
        tagger = load_ner(ner_model)
        report = evaluate_tagger(tagger, sentences)
    except RasadError as exc:
        console.print(f"[red]error:[/red] {exc}")
        raise typer.Exit(2) from exc
    if as_json:
        print(json.dumps({"model": tagger.name, **report.as_dict()}, ensure_ascii=False))
        return
    Console().print(report_table(report, f"NER ({tagger.name}) on {data.name}/{TEST_FILE}"))
