"""The NER tagger interface, its records, and loading: the built-in CRF or a local Hugging Face model.

Nothing is loaded at import time; :func:`load_ner` loads explicitly and caches
per process.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any, Protocol

from rasad.errors import RasadError
from rasad.kb.loader import KnowledgeBase

MANIFEST = "manifest.json"
NER_TYPES: tuple[str, ...] = ("PERS", "LOC", "ORG", "MISC")


class NerError(RasadError):
    """The NER model is missing, inconsistent with its manifest, or its backend is not installed."""


@dataclass(frozen=True, slots=True)
class TaggedTokens:
    """BIO tags for a token sequence and, per entity token, the model's probability of its tag.

    Backends may leave the probability of ``O`` tokens at 1.0 (the CRF does: only spans are scored).
    """

    tags: tuple[str, ...]
    confidence: tuple[float, ...]


class Tagger(Protocol):
    """What the pipeline and the evaluation need from a model."""

    @property
    def name(self) -> str: ...

    def tag(self, tokens: Sequence[str], *, confidence: bool = True) -> TaggedTokens:
        """Tag one sentence; with ``confidence=False`` the probabilities may be left at 1.0."""
        ...

    def tag_document(self, sentences: Sequence[Sequence[str]], *, confidence: bool = True,
                     window: int | None = None) -> list[TaggedTokens]:
        """Tag the sentences of one document (a backend may use the other sentences as context;
        ``window`` limits that context to so many sentences either side)."""
        ...


def data_dir() -> Path:
    """The folder that holds the shipped model, its tables and its manifest."""
    return Path(str(resources.files("rasad.ner").joinpath("data")))


def sha256_file(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def read_manifest(directory: Path | None = None) -> dict[str, Any]:
    path = (directory or data_dir()) / MANIFEST
    if not path.is_file():
        raise NerError(f"no NER model manifest at {path}; run tools/train_ner.py")
    manifest: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return manifest


def check_manifest(directory: Path | None = None) -> dict[str, Any]:
    """The manifest, after checking every file it lists against its sha256."""
    folder = directory or data_dir()
    manifest = read_manifest(folder)
    for name, digest in manifest["files"].items():
        path = folder / name
        if not path.is_file():
            raise NerError(f"NER model file {name} is missing from {folder}")
        if sha256_file(path) != digest:
            raise NerError(f"NER model file {name} does not match its manifest; rebuild with tools/train_ner.py")
    return manifest


_BUILTIN: dict[tuple[str, str], Tagger] = {}


def _builtin(kb: KnowledgeBase) -> Tagger:
    """The shipped CRF with gazetteer features from ``kb`` (one per knowledge-base name and version)."""
    from rasad.ner.crf import load_crf

    key = (kb.name, kb.version)
    if key not in _BUILTIN:
        _BUILTIN[key] = load_crf(data_dir(), kb=kb)
    return _BUILTIN[key]


@cache
def _hf(path: str) -> Tagger:
    from rasad.ner.hf import load_hf

    return load_hf(Path(path))


def load_ner(path: str | None = None, *, kb: KnowledgeBase | None = None) -> Tagger:
    """The built-in CRF (``path`` None) or the Hugging Face token-classification model in folder ``path``.

    Loaded once per process; the CRF's gazetteer features come from ``kb``
    (the default knowledge base when None).
    """
    if path:
        return _hf(str(Path(path).resolve()))
    if kb is None:
        from rasad.kb import load_kb

        kb = load_kb()
    return _builtin(kb)
