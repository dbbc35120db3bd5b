"""Bytes to text, with encoding detection for the files Arabic outlets and scrapers produce.

Order (first that fits wins): byte-order mark; UTF-16 without BOM (one byte
column looks like the high bytes of BMP text); binary check; strict UTF-8 (a
multibyte character cut off at the very end is dropped); an encoding the
document declares (HTML ``<meta charset>``); windows-1256, then ISO-8859-6,
when the result is mostly Arabic letters; charset_normalizer's best guess when
it reads as clean text.

UTF-16 is tested before UTF-8 on purpose: Arabic UTF-16-LE (``27 06 20 00``)
is pure ASCII bytes, so strict UTF-8 would "succeed" on it with garbage.
"""

from __future__ import annotations

import codecs
import re
from collections import Counter
from dataclasses import dataclass

from charset_normalizer import from_bytes

from rasad.errors import InputError
from rasad.frozen import quick_init

CANNOT_DECODE = "cannot decode text: not UTF-8, UTF-16 or windows-1256"
BINARY = "binary content, not text"

# UTF-32 first: its little-endian BOM starts with the UTF-16 LE one.
_BOMS: tuple[tuple[bytes, str], ...] = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
_SAMPLE = 64 * 1024
# C0 controls that never occur in text files (tab, newlines, form feed and ESC do).
_CONTROL_BYTES = bytes(b for b in range(32) if b not in b"\t\n\v\f\r\x1b") + b"\x7f"
_MAX_CONTROL_SHARE = 0.02
# UTF-16: the high-byte column is a few values, mostly one of these (00 ASCII/Latin-1, 01-05 other
# Latin/Greek/Cyrillic/Hebrew, 06 Arabic, 20 punctuation such as “”, FB-FE Arabic presentation forms).
_HIGH_COLUMN_SHARE = 0.9
_HIGH_BYTES = frozenset((0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x20, 0xFB, 0xFC, 0xFD, 0xFE))
# Arabic single-byte code pages, most common first: (codec, label).
_ARABIC_CODE_PAGES: tuple[tuple[str, str], ...] = (("cp1256", "windows-1256"), ("iso8859_6", "iso-8859-6"))
_ARABIC_LETTER = re.compile(r"[\u0621-\u064A\u066E-\u06D3\u06D5\u06FA-\u06FF\u0750-\u077F]")
# A Latin-1 letter glued to an Arabic one: text read with the wrong Arabic code page.
_MIXED_SCRIPT = re.compile(r"[\u0621-\u064A][\u00C0-\u00FF]|[\u00C0-\u00FF][\u0621-\u064A]")
_MAX_MIXED_SHARE = 0.01
_MIN_ARABIC_OF_LETTERS = 0.5
_MIN_ARABIC_OF_VISIBLE = 0.5
_MAX_GUESS_CHAOS = 0.2
_NEWLINES = re.compile(r"\r\n?")
_TEXT_CONTROLS = re.compile(r"[\x00-\x08\x0e-\x1a\x1c-\x1f\x7f]")


@quick_init
@dataclass(frozen=True, slots=True)
class Decoded:
    """Decoded text (newlines ``\\n``, no BOM) and the encoding it was read with."""

    text: str
    encoding: str


def decode_bytes(data: bytes, *, source: str, declared: str | None = None) -> Decoded:
    """Decode ``data``; raise :class:`InputError` naming ``source`` when it is not text."""
    codec = bom_codec(data)
    found = _decode_after_bom(data, codec) if codec else _decode(data, declared=declared)
    if found is not None:
        return Decoded(text=normalize_newlines(found.text), encoding=found.encoding)
    if codec:
        raise InputError(source, f"cannot decode text: invalid {codec} after its byte-order mark")
    raise InputError(source, BINARY if looks_binary(data) else CANNOT_DECODE)


def _decode(data: bytes, *, declared: str | None) -> Decoded | None:
    fast = _plain_utf8(data)
    if fast is not None:
        return fast
    utf16 = _decode_utf16_without_bom(data)
    if utf16 is not None:
        return utf16
    if looks_binary(data):
        return None
    return (
        decode_utf8(data, label="utf-8")
        or _decode_declared(data, declared)
        or _decode_arabic_code_page(data)
        or _decode_guess(data)
    )


def _plain_utf8(data: bytes) -> Decoded | None:
    """The common case first: valid UTF-8 with multi-byte characters and no NUL.

    UTF-16 text without a BOM cannot pass: its Arabic is all bytes below 0x80, and
    a byte of 0x80 or more beside a 0x06 byte is not valid UTF-8.
    """
    if b"\x00" in data or data[:_SAMPLE].isascii():
        return None
    try:
        return Decoded(data.decode("utf-8"), "utf-8")
    except UnicodeDecodeError:
        return None


def normalize_newlines(text: str) -> str:
    """``\\r\\n`` and ``\\r`` to ``\\n``; drop a leading BOM character."""
    return _NEWLINES.sub("\n", text).removeprefix("\ufeff")


def looks_binary(data: bytes) -> bool:
    """NUL bytes anywhere, or more than a trace of control bytes in the first 64 KiB."""
    if b"\x00" in data:
        return True
    sample = data[:_SAMPLE]
    controls = len(sample) - len(sample.translate(None, _CONTROL_BYTES))
    return controls > _MAX_CONTROL_SHARE * len(sample)


def decode_utf8(data: bytes, *, label: str) -> Decoded | None:
    """Strict UTF-8; a character cut off in the last 1–3 bytes is dropped and noted."""
    try:
        return Decoded(data.decode("utf-8"), label)
    except UnicodeDecodeError as exc:
        cut = exc.start
        if exc.reason != "unexpected end of data" or len(data) - cut > 3 or cut == 0:
            return None
    return Decoded(data[:cut].decode("utf-8"), f"{label} (truncated tail dropped)")


def bom_codec(data: bytes) -> str | None:
    """The codec a byte-order mark at the start of ``data`` names, if any."""
    for bom, codec in _BOMS:
        if data.startswith(bom):
            return codec
    return None


def _decode_after_bom(data: bytes, codec: str) -> Decoded | None:
    if codec == "utf-8-sig":
        return decode_utf8(data.removeprefix(codecs.BOM_UTF8), label=codec)
    # the utf-16/utf-32 codecs with explicit byte order keep the BOM as U+FEFF; normalize drops it
    return _strict(data, codec)


def _strict(data: bytes, codec: str, label: str | None = None) -> Decoded | None:
    try:
        return Decoded(data.decode(codec), label or codec)
    except (UnicodeDecodeError, LookupError):
        return None


def _decode_utf16_without_bom(data: bytes) -> Decoded | None:
    codec = _utf16_byte_order(data)
    if codec is None:
        return None
    found = _strict(data, codec)
    if found is None or _TEXT_CONTROLS.search(found.text[:_SAMPLE]):
        return None
    return found


def _utf16_byte_order(data: bytes) -> str | None:
    """'utf-16-le'/'utf-16-be' when exactly one byte column looks like high bytes."""
    sample = data[:_SAMPLE]
    if len(data) % 2 or len(sample) < 4:
        return None
    even_high = _is_high_byte_column(sample[0::2])
    odd_high = _is_high_byte_column(sample[1::2])
    if odd_high and not even_high:
        return "utf-16-le"
    if even_high and not odd_high:
        return "utf-16-be"
    return None


def _is_high_byte_column(column: bytes) -> bool:
    top = Counter(column).most_common(3)
    if top[0][0] not in _HIGH_BYTES:
        return False
    return sum(count for _, count in top) >= _HIGH_COLUMN_SHARE * len(column)


def _decode_declared(data: bytes, declared: str | None) -> Decoded | None:
    if not declared:
        return None
    return _strict(data, declared, declared.lower())


def _decode_arabic_code_page(data: bytes) -> Decoded | None:
    """windows-1256, else ISO-8859-6, when the result is mostly Arabic letters."""
    for codec, label in _ARABIC_CODE_PAGES:
        found = _strict(data, codec, label)
        if found is not None and _mostly_arabic(found.text[:_SAMPLE]):
            return found
    return None


def _mostly_arabic(text: str) -> bool:
    arabic = len(_ARABIC_LETTER.findall(text))
    letters = sum(ch.isalpha() for ch in text)
    visible = sum(not ch.isspace() for ch in text)
    return (
        arabic > 0
        and arabic >= _MIN_ARABIC_OF_LETTERS * letters
        and arabic >= _MIN_ARABIC_OF_VISIBLE * visible
        and len(_MIXED_SCRIPT.findall(text)) <= _MAX_MIXED_SHARE * arabic
    )


def _decode_guess(data: bytes) -> Decoded | None:
    best = from_bytes(data).best()
    if best is None or best.chaos > _MAX_GUESS_CHAOS:
        return None
    found = _strict(data, best.encoding, f"{best.encoding} (guessed)")
    if found is None or _TEXT_CONTROLS.search(found.text[:_SAMPLE]):
        return None
    return found
