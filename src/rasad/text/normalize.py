"""Arabic normalisation for matching, with a map back to the original offsets.

Every normaliser maps one character to at most one character, so the map from
normalised positions to original positions is a simple index list.  The order
applied by :func:`normalize` is:

1. delete diacritics, tatweel and invisible format characters;
2. unify alef forms, hamza carriers, alef maqsura, ta marbuta, Persian letters;
3. Arabic-Indic and Persian digits to ASCII;
4. quote marks and exotic spaces to a plain space; Latin to lower case;
5. collapse runs of spaces (newlines are kept: a name never spans two lines).
"""

from __future__ import annotations

import json
import re
from array import array
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache, lru_cache
from importlib import resources

import numpy as np
from numpy.typing import NDArray

from rasad.frozen import quick_init
from rasad.model import Span

_DELETE = "\x00"
_MULTISPACE = re.compile(r" {2,}")
_PUNCT_FOR_KEYS = re.compile(r"[\"“”«»()\[\]\-_.,،:;؛!?؟/\\]")


@cache
def _charmap() -> dict[str, object]:
    data = resources.files("rasad.text").joinpath("data/charmap.json").read_text(encoding="utf-8")
    loaded: dict[str, object] = json.loads(data)
    return loaded


def _str_field(name: str) -> str:
    value = _charmap()[name]
    assert isinstance(value, str)
    return value


def _map_field(name: str) -> dict[str, str]:
    value = _charmap()[name]
    assert isinstance(value, dict)
    return {str(k): str(v) for k, v in value.items()}


@cache
def _table() -> dict[int, str]:
    """One ``str.translate`` table composing the 1→1 and 1→0 steps."""
    table: dict[int, str] = {}
    for name in ("diacritics", "tatweel", "invisible"):
        table.update({ord(c): _DELETE for c in _str_field(name)})
    for name in ("alef", "hamza_carriers", "alef_maqsura", "ta_marbuta", "persian_letters", "digits"):
        table.update({ord(k): v for k, v in _map_field(name).items()})
    for name in ("quotes", "spaces"):
        table.update({ord(c): " " for c in _str_field(name)})
    table.update({c: chr(c + 32) for c in range(ord("A"), ord("Z") + 1)})
    if any(code > 0xFFFF or ord(char) > 0xFFFF for code, char in table.items()):
        raise ValueError("charmap.json: every mapped character must be in the Basic Multilingual Plane")
    return table


@quick_init
@dataclass(frozen=True, slots=True)
class Normalized:
    """Normalised text plus, for each of its characters, the original offset."""

    text: str
    offsets: Sequence[int]
    original_length: int

    def to_original(self, start: int, end: int) -> Span:
        """Map a normalised ``[start, end)`` span back to the original text."""
        if end <= start:
            pos = self.offsets[start] if start < len(self.offsets) else self.original_length
            return Span(pos, pos)
        return Span(self.offsets[start], self.offsets[end - 1] + 1)


@cache
def _lookup() -> NDArray[np.uint16]:
    """The table as an array over UTF-16 code units (surrogates and unmapped characters map to themselves)."""
    lookup = np.arange(0x10000, dtype=np.uint16)
    for code, char in _table().items():
        lookup[code] = ord(char)
    return lookup


SHORT_TEXT = 24  # below this many characters str.translate is the faster way


def translate_chars(text: str) -> str:
    """Apply the per-character maps; deleted characters become NUL placeholders.

    Long texts go through a lookup array (about 25× faster than ``str.translate`` with a dict,
    which looks every character up one by one); every mapped character is in the Basic
    Multilingual Plane, so UTF-16 code units map one to one.
    """
    if len(text) < SHORT_TEXT:
        return text.translate(_table())
    units = np.frombuffer(text.encode("utf-16-le", "surrogatepass"), dtype=np.uint16)
    return _lookup()[units].tobytes().decode("utf-16-le", "surrogatepass")


_SPACE = ord(" ")


_LAST: list[tuple[str, Normalized]] = []


def normalize(text: str) -> Normalized:
    """Normalise ``text`` for matching and keep the offset map (the last result is reused)."""
    if _LAST and _LAST[0][0] is text:
        return _LAST[0][1]
    result = _normalize(text)
    _LAST[:] = [(text, result)]
    return result


def _normalize(text: str) -> Normalized:
    """Map every code point through the lookup array, then drop deleted characters and repeated spaces.

    Works on UTF-32 code points, so offsets count characters as Python does (astral characters
    included: they map to themselves); the kept positions are the offset map (an int array:
    building a tuple of Python ints cost more than the rest together).
    """
    points = np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
    if len(points) and points.max() >= 0x10000:
        mapped = np.where(points < 0x10000, _lookup()[points & 0xFFFF], points).astype(np.uint32)
    else:
        mapped = _lookup()[points].astype(np.uint32)
    kept = np.flatnonzero(mapped)
    compact = mapped[kept]
    spaces = compact == _SPACE
    repeated = np.zeros(len(compact), dtype=bool)
    repeated[1:] = spaces[1:] & spaces[:-1]
    if repeated.any():
        kept, compact = kept[~repeated], compact[~repeated]
    normalised = compact.tobytes().decode("utf-32-le", "surrogatepass")
    return Normalized(normalised, array("q", kept.astype(np.int64).tobytes()), len(text))


@lru_cache(maxsize=1 << 12)
def normalize_text(text: str) -> str:
    """Normalised text only (no offset map), for keys and lookups (the stages ask for the same sentences often)."""
    return _MULTISPACE.sub(" ", translate_chars(text).replace(_DELETE, "")).strip()


_KEY_MARKS = ("'", "’", "ʿ", "ʾ")


def name_key(name: str) -> str:
    """Comparison key for names: normalised, punctuation and apostrophes dropped."""
    for mark in _KEY_MARKS:
        name = name.replace(mark, "")
    text = normalize_text(name)
    return " ".join(_PUNCT_FOR_KEYS.sub(" ", text).split())


def name_keys(names: list[str]) -> list[str]:
    """``name_key`` of each name (none may hold a line break), in one pass over all of them."""
    joined = "\n".join(names)
    for mark in _KEY_MARKS:
        joined = joined.replace(mark, "")
    text = _PUNCT_FOR_KEYS.sub(" ", translate_chars(joined).replace(_DELETE, ""))
    return [" ".join(line.split()) for line in text.split("\n")]
