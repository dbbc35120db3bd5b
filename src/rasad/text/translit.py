"""Romanise Arabic names letter by letter (for discovered entities' English names)."""

from __future__ import annotations

import json
from functools import cache
from importlib import resources
from typing import Any


@cache
def _table() -> dict[str, Any]:
    raw = resources.files("rasad.text").joinpath("data/translit.json").read_text(encoding="utf-8")
    table: dict[str, Any] = json.loads(raw)
    return table


def romanize_word(word: str) -> str:
    table = _table()
    prefix = ""
    if word.startswith("ال") and len(word) > 3:
        prefix, word = table["article"], word[2:]
    out: list[str] = []
    for i, ch in enumerate(word):
        if ch in table["initial"]:
            out.append(table["initial" if i == 0 else "medial"][ch])
        elif ch in table["letters"]:
            out.append(table["letters"][ch])
        elif ch.isascii():
            out.append(ch)
    body = "".join(out)
    return prefix + body[:1].upper() + body[1:] if body else prefix


def romanize(name: str) -> str:
    """``حسن الغضبان`` → ``Hsn al-Ghdban``: readable, reversible enough to search."""
    words = [romanize_word(w) for w in name.split()]
    text = " ".join(w for w in words if w)
    return text[:1].upper() + text[1:]
