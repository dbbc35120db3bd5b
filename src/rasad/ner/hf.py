"""Optional backend: a local Hugging Face token-classification model (``pip install rasad[ml]``).

The model folder is read with ``local_files_only``: nothing is downloaded.
Each word is labelled by its first sub-word; long sentences are tagged in
windows of whole words.  Label names such as ``B-PER`` are mapped to the
built-in model's (``B-PERS``).
"""

from __future__ import annotations

import importlib
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from rasad.ner.model import NerError, TaggedTokens

WINDOW_WORDS = 120
MAX_SUBWORDS = 512
_TYPE_ALIASES = {"PER": "PERS", "PERSON": "PERS", "LOCATION": "LOC", "GPE": "LOC", "ORGANIZATION": "ORG"}


def canonical_label(label: str) -> str:
    """``B-PER`` → ``B-PERS``; anything that is not ``B-``/``I-`` becomes ``O``."""
    if "-" not in label:
        return "O"
    prefix, kind = label.split("-", 1)
    if prefix not in ("B", "I"):
        return "O"
    return f"{prefix}-{_TYPE_ALIASES.get(kind.upper(), kind.upper())}"


class HfTagger:
    """A token-classification model and its tokenizer, on the CPU."""

    def __init__(self, model: Any, tokenizer: Any, *, path: Path) -> None:
        self._model = model
        self._tokenizer = tokenizer
        self._labels = {int(i): canonical_label(str(v)) for i, v in model.config.id2label.items()}
        limits = (MAX_SUBWORDS, getattr(model.config, "max_position_embeddings", MAX_SUBWORDS),
                  getattr(tokenizer, "model_max_length", MAX_SUBWORDS))
        self._max_length = int(min(limits))
        self.path = path

    @property
    def name(self) -> str:
        return f"hf:{self.path.name}"

    def tag(self, tokens: Sequence[str], *, confidence: bool = True) -> TaggedTokens:
        tags: list[str] = []
        probs: list[float] = []
        while len(tags) < len(tokens):
            window_tags, window_probs = self._tag_window(list(tokens[len(tags) : len(tags) + WINDOW_WORDS]))
            tags.extend(window_tags)
            probs.extend(window_probs)
        return TaggedTokens(_repair(tags), tuple(probs))

    def tag_document(self, sentences: Sequence[Sequence[str]], *, confidence: bool = True,
                     window: int | None = None) -> list[TaggedTokens]:
        """Sentence by sentence: the transformer sees no document context."""
        return [self.tag(tokens, confidence=confidence) if tokens else TaggedTokens((), ()) for tokens in sentences]

    def _tag_window(self, words: list[str]) -> tuple[list[str], list[float]]:
        """Tags for the leading words of ``words`` that fit in one model input (at least one word)."""
        import torch

        encoded = self._tokenizer(words, is_split_into_words=True, truncation=True, max_length=self._max_length,
                                  return_tensors="pt")
        with torch.no_grad():
            logits = self._model(**encoded).logits[0]
        best = torch.softmax(logits, dim=-1).max(dim=-1)
        tags: dict[int, str] = {}
        probs: dict[int, float] = {}
        for position, word in enumerate(encoded.word_ids(0)):
            if word is None or word in tags:
                continue
            tags[word] = self._labels.get(int(best.indices[position]), "O")
            probs[word] = float(best.values[position])
        covered = max(tags) + 1 if tags else 1
        return [tags.get(i, "O") for i in range(covered)], [probs.get(i, 0.0) for i in range(covered)]


def _repair(tags: list[str]) -> tuple[str, ...]:
    """An ``I-X`` that follows neither ``B-X`` nor ``I-X`` opens the entity: ``B-X``."""
    out: list[str] = []
    for tag in tags:
        if tag.startswith("I-") and (not out or out[-1][2:] != tag[2:]):
            tag = "B-" + tag[2:]
        out.append(tag)
    return tuple(out)


def load_hf(path: Path) -> HfTagger:
    """Load the model folder ``path``; a clear error when ``rasad[ml]`` is not installed or the folder is wrong."""
    try:
        importlib.import_module("torch")
        from transformers import AutoModelForTokenClassification, AutoTokenizer
    except ImportError as exc:
        raise NerError(f"--ner-model needs the ml extra (pip install 'rasad[ml]'): {exc}") from exc
    if not (path / "config.json").is_file():
        raise NerError(f"{path}: not a Hugging Face model folder (no config.json)")
    try:
        tokenizer = AutoTokenizer.from_pretrained(str(path), local_files_only=True)
        model = AutoModelForTokenClassification.from_pretrained(str(path), local_files_only=True)
    except (OSError, ValueError) as exc:
        raise NerError(f"{path}: cannot load the model: {exc}".splitlines()[0]) from exc
    if not getattr(tokenizer, "is_fast", False):
        raise NerError(f"{path}: a fast tokenizer (tokenizer.json) is needed to align words and sub-words")
    model.eval()
    return HfTagger(model, tokenizer, path=path)
