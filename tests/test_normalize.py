"""Normaliser: each small normaliser, and the offset map back to the clean text."""

from __future__ import annotations

import pytest

from rasad.text.normalize import SHORT_TEXT, _table, name_key, normalize, normalize_text, translate_chars


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("أحمد إبراهيم آمنة ٱلله", "احمد ابراهيم امنه الله"),
        ("مؤتمر رئيس", "موتمر رييس"),
        ("مستشفى", "مستشفي"),
        ("مدينةٌ", "مدينه"),
        ("الحرسِ الثوريّ", "الحرس الثوري"),
        ("ميليشيـــا", "ميليشيا"),
        ("١٢ ۳٤", "12 34"),
        ("“فاطميون”", "فاطميون"),
        ("«القاطرجي»", "القاطرجي"),
        ("SY24 ISIS", "sy24 isis"),
        ("دير\u00a0 الزور", "دير الزور"),
        ("ی ک", "ي ك"),
    ],
)
def test_normalize_text(raw: str, expected: str) -> None:
    assert normalize_text(raw) == expected


def test_offsets_point_back_into_original() -> None:
    raw = "قالت شبكة “دير الزورِ 24”  إنّ ميليشيا “حزب الله” العراقي"
    norm = normalize(raw)
    for needle in ("دير الزور 24", "حزب الله العراقي", "ميليشيا"):
        start = norm.text.index(needle)
        span = norm.to_original(start, start + len(needle))
        assert normalize_text(raw[span.start : span.end]) == needle
    start = norm.text.index("حزب الله العراقي")
    span = norm.to_original(start, start + len("حزب الله العراقي"))
    assert raw[span.start : span.end] == "حزب الله” العراقي"


def test_identity_fast_path_keeps_length() -> None:
    raw = "البوكمال شرق دير الزور"
    norm = normalize(raw)
    assert norm.text == raw and list(norm.offsets) == list(range(len(raw)))


def test_newlines_are_kept() -> None:
    assert normalize("دير\n\nالزور").text == "دير\n\nالزور"


def test_name_key_drops_apostrophes_and_punctuation() -> None:
    assert name_key("Kata'ib Hezbollah") == "kataib hezbollah"
    assert name_key("Deir ez-Zor") == "deir ez zor"
    assert name_key("الحرس الثوري الإيراني") == name_key("الحرس الثوري الايراني")


def test_fast_translation_equals_str_translate_on_every_mapped_character() -> None:
    """Long texts take the lookup-array path: it must agree with str.translate character for character,
    astral characters and lone surrogates included."""
    import random

    table = _table()
    pool = [*table, ord("ب"), ord(" "), ord("\n"), 0x1F600, 0xD800, ord("Z")]
    rng = random.Random(3)
    for _ in range(500):
        text = "".join(chr(rng.choice(pool)) for _ in range(rng.randint(SHORT_TEXT, 200)))
        assert translate_chars(text) == text.translate(table)
    assert translate_chars("أإآ" * 20) == "ا" * 60
