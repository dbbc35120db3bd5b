"""Entity-level scoring of BIO sequences: a predicted entity counts when span and type are exact.

Spans are read as conlleval reads them: ``I-X`` after ``O`` or after another
type opens a new entity.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from rasad.evaluate import Score

if TYPE_CHECKING:
    from rasad.ner.conll import LabelledSentence
    from rasad.ner.model import Tagger


@dataclass(frozen=True, slots=True, order=True)
class TokenSpan:
    """Entity over tokens ``[start, end)`` of one sentence."""

    start: int
    end: int
    type: str


def split_tag(tag: str) -> tuple[str, str]:
    """``B-PERS`` → (``B``, ``PERS``); ``O`` → (``O``, ``""``)."""
    if tag == "O" or "-" not in tag:
        return "O", ""
    prefix, kind = tag.split("-", 1)
    return prefix, kind


def bio_spans(tags: Sequence[str]) -> list[TokenSpan]:
    """The entities of one BIO tag sequence."""
    spans: list[TokenSpan] = []
    start, kind = -1, ""
    for i, tag in enumerate(tags):
        prefix, tag_type = split_tag(tag)
        if kind and (prefix != "I" or tag_type != kind):
            spans.append(TokenSpan(start, i, kind))
            kind = ""
        if prefix in ("B", "I") and not kind:
            start, kind = i, tag_type
    if kind:
        spans.append(TokenSpan(start, len(tags), kind))
    return spans


Counts = Score  # true positives, false positives and misses: the same record as the gold evaluation


def counts_dict(counts: Score) -> dict[str, float | int]:
    """P/R/F1 to four decimals with the raw counts (the NER report's shape)."""
    return {"precision": round(counts.precision, 4), "recall": round(counts.recall, 4), "f1": round(counts.f1, 4),
            "tp": counts.tp, "fp": counts.fp, "fn": counts.fn}


@dataclass(frozen=True, slots=True)
class NerReport:
    """Counts per entity type and their micro-average; macro-F1 is the mean of the per-type F1."""

    per_type: dict[str, Counts] = field(default_factory=dict)

    @property
    def micro(self) -> Counts:
        return sum(self.per_type.values(), Counts())

    @property
    def macro_f1(self) -> float:
        return sum(c.f1 for c in self.per_type.values()) / len(self.per_type) if self.per_type else 0.0

    def as_dict(self) -> dict[str, object]:
        return {"per_type": {k: counts_dict(v) for k, v in sorted(self.per_type.items())},
                "micro": counts_dict(self.micro), "macro_f1": round(self.macro_f1, 4)}


def score_sequences(gold: Iterable[Sequence[str]], predicted: Iterable[Sequence[str]]) -> NerReport:
    """Entity-level precision, recall and F1 of ``predicted`` against ``gold``, sentence by sentence."""
    tp: dict[str, int] = {}
    fp: dict[str, int] = {}
    fn: dict[str, int] = {}
    for gold_tags, pred_tags in zip(gold, predicted, strict=True):
        if len(gold_tags) != len(pred_tags):
            raise ValueError(f"sequence lengths differ: {len(gold_tags)} gold, {len(pred_tags)} predicted")
        gold_spans = set(bio_spans(gold_tags))
        pred_spans = set(bio_spans(pred_tags))
        for span in gold_spans & pred_spans:
            tp[span.type] = tp.get(span.type, 0) + 1
        for span in pred_spans - gold_spans:
            fp[span.type] = fp.get(span.type, 0) + 1
        for span in gold_spans - pred_spans:
            fn[span.type] = fn.get(span.type, 0) + 1
    kinds = sorted(set(tp) | set(fp) | set(fn))
    return NerReport({k: Counts(tp.get(k, 0), fp.get(k, 0), fn.get(k, 0)) for k in kinds})


CORPUS_WINDOW = 8  # ANERcorp marks no documents: each sentence's context is the sentences this close


def evaluate_tagger(tagger: Tagger, sentences: Sequence[LabelledSentence], *,
                    window: int = CORPUS_WINDOW) -> NerReport:
    """Tag every sentence (with its neighbours as document context) and score it against its gold tags."""
    tagged = tagger.tag_document([s.tokens for s in sentences], confidence=False, window=window)
    predicted = [t.tags for t in tagged]
    return score_sequences([s.tags for s in sentences], predicted)
