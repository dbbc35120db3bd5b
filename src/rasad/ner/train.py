"""Training tables and cross-fold features for the CRF (used by ``tools/train_ner.py``).

The word tables say how the training split tags each word.  A sentence of the
training split must not see its own tags through them, or the model learns to
trust them blindly: its features come from tables built on the other folds
(contiguous blocks of sentences, so a document's names stay in one fold).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from typing import Any

from rasad.ner.conll import LabelledSentence
from rasad.ner.features import FeatureTables, Featurizer, TrainTables, base_form, make_gazetteer
from rasad.ner.score import bio_spans
from rasad.text.normalize import normalize_text

TAG_SHARE = 0.2  # a word gets a table tag when at least this share of its occurrences bear it
NAME_SHARE = 0.5  # a one-word name enters the name gazetteer when it is a name this often


@dataclass(frozen=True, slots=True)
class TableCounts:
    """Raw counts behind the training tables."""

    words: dict[str, Counter[str]]
    bases: dict[str, Counter[str]]
    names: dict[str, Counter[str]]


def _norm(token: str) -> str:
    return normalize_text(token) or token


def count_tables(sentences: Iterable[LabelledSentence]) -> TableCounts:
    words: dict[str, Counter[str]] = {}
    bases: dict[str, Counter[str]] = {}
    names: dict[str, Counter[str]] = {}
    for sentence in sentences:
        norms = [_norm(t) for t in sentence.tokens]
        for norm, tag in zip(norms, sentence.tags, strict=True):
            words.setdefault(norm, Counter())[tag] += 1
            bases.setdefault(base_form(norm), Counter())[tag] += 1
        for span in bio_spans(sentence.tags):
            key = " ".join(norms[span.start : span.end])
            names.setdefault(key, Counter())[span.type] += 1
    return TableCounts(words, bases, names)


def _usual_tags(counts: dict[str, Counter[str]]) -> dict[str, tuple[str, ...]]:
    out: dict[str, tuple[str, ...]] = {}
    for word, tags in counts.items():
        total = sum(tags.values())
        out[word] = tuple(sorted(t for t, n in tags.items() if n / total >= TAG_SHARE))
    return out


def tables_from_counts(counts: TableCounts) -> TrainTables:
    names: dict[str, list[str]] = {}
    for key, types in counts.names.items():
        if " " not in key:
            word_tags = counts.words.get(key, Counter())
            if word_tags["O"] / max(1, sum(word_tags.values())) > 1 - NAME_SHARE:
                continue
        names[key] = sorted(types)
    return TrainTables(_usual_tags(counts.words), _usual_tags(counts.bases), make_gazetteer(names))


def train_tables(sentences: Iterable[LabelledSentence]) -> TrainTables:
    return tables_from_counts(count_tables(sentences))


def folds(count: int, k: int) -> list[range]:
    """``k`` contiguous blocks of ``count`` items."""
    edges = [count * i // k for i in range(k + 1)]
    return [range(edges[i], edges[i + 1]) for i in range(k)]


def cross_fold_features(sentences: Sequence[LabelledSentence], *, base: FeatureTables,
                        k: int) -> list[list[list[str]]]:
    """Features of every training sentence, each computed with tables from the other folds."""
    out: list[list[list[str]]] = []
    for block in folds(len(sentences), k):
        held_out = set(block)
        others = (s for i, s in enumerate(sentences) if i not in held_out)
        tables = replace(base, train=train_tables(others))
        featurizer = Featurizer(tables)
        out.extend(featurizer.sentence(sentences[i].tokens) for i in block)
    return out


def tables_to_json(tables: TrainTables) -> dict[str, Any]:
    return {
        "words": {k: list(v) for k, v in sorted(tables.words.items())},
        "bases": {k: list(v) for k, v in sorted(tables.bases.items())},
        "names": {k: list(v) for k, v in sorted(tables.names.entries.items())},
    }


def tables_from_json(data: dict[str, Any]) -> TrainTables:
    return TrainTables(
        words={str(k): tuple(v) for k, v in data["words"].items()},
        bases={str(k): tuple(v) for k, v in data["bases"].items()},
        names=make_gazetteer({str(k): v for k, v in data["names"].items()}),
    )
