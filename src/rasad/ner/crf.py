"""The built-in backend: a linear-chain CRF (python-crfsuite) over :mod:`rasad.ner.features`."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import pycrfsuite

from rasad.extract.lexicon import load_lexicon
from rasad.kb.index import build_index
from rasad.kb.loader import KnowledgeBase
from rasad.ner.features import FeatureTables, Featurizer, cue_table, kb_gazetteer
from rasad.ner.model import NerError, TaggedTokens, check_manifest
from rasad.ner.train import tables_from_json, train_tables

MODEL_FILE = "ner.crfsuite"
TABLES_FILE = "ner-tables.json"


@dataclass(frozen=True, slots=True)
class CrfParams:
    """L-BFGS training with elastic-net regularisation."""

    c1: float = 0.05
    c2: float = 0.01
    max_iterations: int = 100

    def as_dict(self) -> dict[str, float | int | bool]:
        return {"c1": self.c1, "c2": self.c2, "max_iterations": self.max_iterations,
                "feature.possible_transitions": True}


def train_crf(xseqs: Iterable[list[list[str]]], yseqs: Iterable[Sequence[str]], *, params: CrfParams,
              model_path: Path) -> None:
    """Train on feature and tag sequences, in the order given (L-BFGS is deterministic)."""
    trainer = pycrfsuite.Trainer(verbose=False)
    for xseq, yseq in zip(xseqs, yseqs, strict=True):
        trainer.append(xseq, list(yseq))
    trainer.set_params(params.as_dict())
    trainer.train(str(model_path))


class CrfTagger:
    """A trained CRF with the featurizer it was trained with."""

    name = "crf"

    def __init__(self, tagger: pycrfsuite.Tagger, featurizer: Featurizer) -> None:
        self._tagger = tagger
        self.featurizer = featurizer

    def tag(self, tokens: Sequence[str], *, confidence: bool = True) -> TaggedTokens:
        if not tokens:
            return TaggedTokens((), ())
        tags = tuple(self._tagger.tag(self.featurizer.sentence(tokens)))
        if not confidence:
            return TaggedTokens(tags, (1.0,) * len(tags))
        probs = tuple(1.0 if t == "O" else float(self._tagger.marginal(t, i)) for i, t in enumerate(tags))
        return TaggedTokens(tags, probs)


def base_tables(kb: KnowledgeBase) -> FeatureTables:
    """Cue words and the knowledge-base gazetteer, with empty training tables."""
    return FeatureTables(cues=cue_table(load_lexicon()), kb=kb_gazetteer(kb, build_index(kb)), train=train_tables([]))


def open_crf(model_path: Path, tables_path: Path, *, kb: KnowledgeBase) -> CrfTagger:
    """A tagger for the model and training tables at the given paths."""
    if not model_path.is_file() or not tables_path.is_file():
        raise NerError(f"NER model files missing: {model_path}, {tables_path}")
    tables = tables_from_json(json.loads(tables_path.read_text(encoding="utf-8")))
    base = base_tables(kb)
    tagger = pycrfsuite.Tagger()
    tagger.open(str(model_path))
    return CrfTagger(tagger, Featurizer(FeatureTables(cues=base.cues, kb=base.kb, train=tables)))


def load_crf(directory: Path, *, kb: KnowledgeBase) -> CrfTagger:
    """The model shipped in ``directory``, checked against its manifest."""
    check_manifest(directory)
    return open_crf(directory / MODEL_FILE, directory / TABLES_FILE, kb=kb)
