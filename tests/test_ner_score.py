"""Entity-level scoring and CoNLL reading on hand-made sequences."""

from __future__ import annotations

from pathlib import Path

import pytest

from rasad.errors import RasadError
from rasad.ner.conll import read_conll
from rasad.ner.score import Counts, TokenSpan, bio_spans, score_sequences


def test_bio_spans_reads_like_conlleval() -> None:
    tags = ["B-PERS", "I-PERS", "O", "I-LOC", "I-LOC", "B-ORG", "B-ORG", "I-MISC", "I-ORG"]
    assert bio_spans(tags) == [
        TokenSpan(0, 2, "PERS"), TokenSpan(3, 5, "LOC"), TokenSpan(5, 6, "ORG"), TokenSpan(6, 7, "ORG"),
        TokenSpan(7, 8, "MISC"), TokenSpan(8, 9, "ORG"),
    ]
    assert bio_spans(["O", "O"]) == []
    assert bio_spans(["B-LOC"]) == [TokenSpan(0, 1, "LOC")]


def test_exact_span_and_type() -> None:
    gold = [["B-PERS", "I-PERS", "O", "B-LOC"], ["B-ORG", "I-ORG", "I-ORG", "O"]]
    pred = [["B-PERS", "I-PERS", "O", "B-ORG"], ["B-ORG", "I-ORG", "O", "O"]]
    report = score_sequences(gold, pred)
    assert report.per_type["PERS"] == Counts(tp=1, fp=0, fn=0)
    assert report.per_type["LOC"] == Counts(tp=0, fp=0, fn=1)
    assert report.per_type["ORG"] == Counts(tp=0, fp=2, fn=1)  # wrong type, then a span one token short
    micro = report.micro
    assert (micro.tp, micro.fp, micro.fn) == (1, 2, 2)
    assert micro.precision == pytest.approx(1 / 3)
    assert micro.recall == pytest.approx(1 / 3)
    assert micro.f1 == pytest.approx(1 / 3)
    assert report.macro_f1 == pytest.approx((1.0 + 0.0 + 0.0) / 3)


def test_perfect_and_empty() -> None:
    gold = [["B-MISC", "I-MISC", "O"]]
    assert score_sequences(gold, gold).micro.f1 == 1.0
    assert score_sequences([["O"]], [["O"]]).micro == Counts()
    with pytest.raises(ValueError):
        score_sequences([["O", "O"]], [["O"]])


def test_read_conll(tmp_path: Path) -> None:
    path = tmp_path / "x.txt"
    path.write_text("فرانكفورت B-LOC\nأعلن O\n\n\nاتحاد B-ORG\n", encoding="utf-8")
    sentences = read_conll(path)
    assert [s.tokens for s in sentences] == [("فرانكفورت", "أعلن"), ("اتحاد",)]
    assert sentences[0].tags == ("B-LOC", "O")
    path.write_text("a b c\n", encoding="utf-8")
    with pytest.raises(RasadError, match=r"x\.txt:1"):
        read_conll(path)
    with pytest.raises(RasadError):
        read_conll(tmp_path / "missing.txt")
