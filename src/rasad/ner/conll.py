"""CoNLL files of the NER corpus: one ``token TAG`` pair a line, a blank line between sentences."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from rasad.errors import RasadError


@dataclass(frozen=True, slots=True)
class LabelledSentence:
    tokens: tuple[str, ...]
    tags: tuple[str, ...]


def _sentences(lines: Iterator[str], name: str) -> Iterator[LabelledSentence]:
    tokens: list[str] = []
    tags: list[str] = []
    for number, line in enumerate(lines, 1):
        parts = line.split()
        if not parts:
            if tokens:
                yield LabelledSentence(tuple(tokens), tuple(tags))
            tokens, tags = [], []
            continue
        if len(parts) != 2:
            raise RasadError(f"{name}:{number}: expected 'token TAG', got {line.strip()!r}")
        tokens.append(parts[0])
        tags.append(parts[1])
    if tokens:
        yield LabelledSentence(tuple(tokens), tuple(tags))


def read_conll(path: Path) -> list[LabelledSentence]:
    """Every sentence of a CoNLL file."""
    if not path.is_file():
        raise RasadError(f"no CoNLL file at {path}")
    with path.open(encoding="utf-8") as handle:
        return list(_sentences(iter(handle), path.name))
