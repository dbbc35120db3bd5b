"""The built-in backend: a linear-chain CRF (python-crfsuite) over :mod:`rasad.ner.features`.

An optional second CRF (``tools/train_ner.py --doc``) re-tags each document with
the features of :mod:`rasad.ner.document`; it is used when the manifest lists it.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

import pycrfsuite

from rasad.extract.lexicon import load_lexicon
from rasad.kb.index import build_index
from rasad.kb.loader import KnowledgeBase
from rasad.ner.conll import LabelledSentence
from rasad.ner.document import windowed_doc_features
from rasad.ner.features import FeatureTables, Featurizer, cue_table, kb_gazetteer
from rasad.ner.lists import load_lists, load_topics
from rasad.ner.model import NerError, TaggedTokens, check_manifest
from rasad.ner.train import cross_fold_features, folds, tables_from_json, tables_to_json, train_tables
from rasad.text.normalize import normalize_text

MODEL_FILE = "ner.crfsuite"
DOC_MODEL_FILE = "ner-doc.crfsuite"
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


@dataclass(frozen=True, slots=True)
class StackSpec:
    """How the second pass is trained: first-pass tags from ``blocks`` held-out blocks, table folds inside."""

    blocks: int = 5
    folds: int = 10


def train_crf(xseqs: Iterable[list[list[str]]], yseqs: Iterable[Sequence[str]], *, params: CrfParams,
              model_path: Path) -> None:
    """Train on feature and tag sequences, in the order given (L-BFGS is deterministic)."""
    trainer = pycrfsuite.Trainer(verbose=False)
    for xseq, yseq in zip(xseqs, yseqs, strict=True):
        trainer.append(xseq, list(yseq))
    trainer.set_params(params.as_dict())
    trainer.train(str(model_path))


class CrfTagger:
    """A trained CRF with the featurizer it was trained with, and the optional document-level second pass."""

    name = "crf"

    def __init__(self, tagger: pycrfsuite.Tagger, featurizer: Featurizer,
                 doc_tagger: pycrfsuite.Tagger | None = None) -> None:
        self._tagger = tagger
        self._doc_tagger = doc_tagger
        self.featurizer = featurizer

    def tag(self, tokens: Sequence[str], *, confidence: bool = True) -> TaggedTokens:
        """Tag one sentence as a document of its own."""
        if not tokens:
            return TaggedTokens((), ())
        return self.tag_document([tokens], confidence=confidence)[0]

    def tag_document(self, sentences: Sequence[Sequence[str]], *, confidence: bool = True,
                     window: int | None = None) -> list[TaggedTokens]:
        """Tag the sentences of one document; ``window`` limits the context to that many sentences either side."""
        feats = [self.featurizer.sentence(tokens) if tokens else [] for tokens in sentences]
        if self._doc_tagger is None:
            return [self._tagged(self._tagger, f, confidence=confidence) for f in feats]
        first = [tuple(self._tagger.tag(f)) if f else () for f in feats]
        norms = [[self.featurizer.word(t).norm for t in tokens] for tokens in sentences]
        extra = windowed_doc_features(norms, first, window=window, topic_of=self.featurizer.tables.topics)
        for sentence_feats, sentence_extra in zip(feats, extra, strict=True):
            for token_feats, token_extra in zip(sentence_feats, sentence_extra, strict=True):
                token_feats.extend(token_extra)  # the first pass is done with these lists
        return [self._tagged(self._doc_tagger, f, confidence=confidence) for f in feats]

    @staticmethod
    def _tagged(tagger: pycrfsuite.Tagger, feats: list[list[str]], *, confidence: bool) -> TaggedTokens:
        if not feats:
            return TaggedTokens((), ())
        tags = tuple(tagger.tag(feats))
        if not confidence:
            return TaggedTokens(tags, (1.0,) * len(tags))
        probs = tuple(1.0 if t == "O" else float(tagger.marginal(t, i)) for i, t in enumerate(tags))
        return TaggedTokens(tags, probs)


def base_tables(kb: KnowledgeBase, directory: Path) -> FeatureTables:
    """Cue words, the knowledge-base gazetteer and the word lists in ``directory``, with empty training tables."""
    return FeatureTables(cues=cue_table(load_lexicon()), kb=kb_gazetteer(kb, build_index(kb)), train=train_tables([]),
                         lists=load_lists(directory), topics=load_topics(directory))


def open_crf(model_path: Path, tables_path: Path, *, kb: KnowledgeBase, lists_dir: Path,
             doc_model_path: Path | None = None) -> CrfTagger:
    """A tagger for the model (and second-pass model, when given) and training tables at the given paths."""
    if not model_path.is_file() or not tables_path.is_file():
        raise NerError(f"NER model files missing: {model_path}, {tables_path}")
    tables = tables_from_json(json.loads(tables_path.read_text(encoding="utf-8")))
    base = base_tables(kb, lists_dir)
    tagger = pycrfsuite.Tagger()
    tagger.open(str(model_path))
    doc_tagger = None
    if doc_model_path is not None:
        if not doc_model_path.is_file():
            raise NerError(f"NER model file missing: {doc_model_path}")
        doc_tagger = pycrfsuite.Tagger()
        doc_tagger.open(str(doc_model_path))
    known = frozenset(attr for t in (tagger, doc_tagger) if t is not None for attr, _ in t.info().state_features)
    featurizer = Featurizer(replace(base, train=tables), known=known)
    return CrfTagger(tagger, featurizer, doc_tagger)


def load_crf(directory: Path, *, kb: KnowledgeBase) -> CrfTagger:
    """The model shipped in ``directory``, checked against its manifest."""
    manifest = check_manifest(directory)
    doc_model = directory / DOC_MODEL_FILE if DOC_MODEL_FILE in manifest["files"] else None
    return open_crf(directory / MODEL_FILE, directory / TABLES_FILE, kb=kb, lists_dir=directory,
                    doc_model_path=doc_model)


def write_tables(sentences: Sequence[LabelledSentence], path: Path) -> None:
    """The training tables of ``sentences`` as canonical JSON (sorted keys: the same bytes every time)."""
    text = json.dumps(tables_to_json(train_tables(sentences)), ensure_ascii=False, sort_keys=True,
                      separators=(",", ":"))
    path.write_text(text + "\n", encoding="utf-8")


def train_first_pass(sentences: Sequence[LabelledSentence], *, base: FeatureTables, folds: int,
                     params: CrfParams, out: Path) -> list[list[list[str]]]:
    """Train the first-pass model and its tables into ``out``; returns the training features."""
    xseqs = cross_fold_features(sentences, base=base, k=folds)
    train_crf(xseqs, [s.tags for s in sentences], params=params, model_path=out / MODEL_FILE)
    write_tables(sentences, out / TABLES_FILE)
    return xseqs


def held_out_first_pass(sentences: Sequence[LabelledSentence], *, base: FeatureTables, spec: StackSpec,
                        params: CrfParams, workdir: Path) -> list[tuple[str, ...]]:
    """First-pass tags of every sentence from a model trained without its block (``spec.blocks`` blocks),
    so the second pass learns how far to trust first-pass tags on unseen text."""
    out: list[tuple[str, ...]] = []
    for block in folds(len(sentences), spec.blocks):
        rest = [s for i, s in enumerate(sentences) if i not in block]
        train_first_pass(rest, base=base, folds=spec.folds, params=params, out=workdir)
        tagger = pycrfsuite.Tagger()
        tagger.open(str(workdir / MODEL_FILE))
        featurizer = Featurizer(replace(base, train=tables_from_json(
            json.loads((workdir / TABLES_FILE).read_text(encoding="utf-8")))))
        out.extend(tuple(tagger.tag(featurizer.sentence(sentences[i].tokens))) for i in block)
        tagger.close()
    return out


def train_second_pass(sentences: Sequence[LabelledSentence], xseqs: list[list[list[str]]], *,
                      first: Sequence[Sequence[str]], window: int, topics: Mapping[str, str], params: CrfParams,
                      out: Path) -> None:
    """Train the document-level model on the first-pass features ``xseqs`` plus the document features of the
    held-out first-pass tags ``first``."""
    norms = [[normalize_text(t) or t for t in s.tokens] for s in sentences]
    extra = windowed_doc_features(norms, first, window=window, topic_of=topics)
    doc_x = [[a + b for a, b in zip(f, e, strict=True)] for f, e in zip(xseqs, extra, strict=True)]
    train_crf(doc_x, [s.tags for s in sentences], params=params, model_path=out / DOC_MODEL_FILE)
