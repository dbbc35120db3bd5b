"""Ingest: formats, encodings and every way an input can fail, one folder at a time."""

from __future__ import annotations

import gzip
import json
import random
import re
from pathlib import Path

import pytest

from rasad.errors import InputError
from rasad.ingest import (
    IngestOptions,
    decode_bytes,
    iter_documents,
    normalize_date,
    parse_text_document,
    sniff_format,
)
from rasad.model import RawDoc, Skipped

MIB = 1024 * 1024
from .conftest import SEEDS  # noqa: E402

# Test texts written for these tests (not taken from any outlet).
ARABIC = (
    "قصفت طائرات مسيّرة مواقع لفصيل مسلح قرب مدينة الميادين شرقي دير الزور، "
    "وأفاد ناشطون محليون بسقوط قتلى وجرحى في صفوف العناصر.\n\n"
    "وقال مصدر ميداني إن القصف استهدف مستودعاً للأسلحة عند أطراف المدينة."
)
ARABIC_SHORT = "أعلنت الفصائل المحلية عن هدنة مؤقتة في ريف درعا الغربي."

FRONT_MATTER = """---
outlet: شبكة الفرات
published: 2021-05-31
title: "قصف على مواقع قرب الميادين"
url: ""
author: مراسل الشبكة
language: ar
tags: [قصف, دير الزور]
event_day: 2021-05-30
region:
  governorate: دير الزور
---
"""

HTML_PAGE = """<!DOCTYPE html>
<html lang="ar" dir="rtl">
<head>
<meta charset="{charset}">
<title>اشتباكات في ريف حلب الشمالي | شبكة الشمال الإخبارية</title>
<meta property="og:title" content="اشتباكات بين فصيلين مسلحين في ريف حلب الشمالي">
<meta property="og:site_name" content="شبكة الشمال الإخبارية">
<meta property="article:published_time" content="2022-03-14T09:30:00+03:00">
<meta name="author" content="سامر الحسن">
<link rel="canonical" href="https://example.org/news/2022/03/14/clashes">
</head>
<body>
<header><nav><ul>
<li><a href="/">الرئيسية</a></li><li><a href="/syria">أخبار سوريا</a></li>
<li><a href="/reports">تقارير</a></li><li><a href="/contact">اتصل بنا</a></li>
</ul></nav></header>
<div class="share-bar"><a href="#">شارك على فيسبوك</a> <a href="#">شارك على تويتر</a>
<a href="#">أرسل عبر واتساب</a></div>
<main><article>
<h1>اشتباكات بين فصيلين مسلحين في ريف حلب الشمالي</h1>
<p>اندلعت اشتباكات عنيفة صباح اليوم الاثنين بين فصيلين مسلحين في قرية كفر جنة بريف حلب
الشمالي، ما أدى إلى مقتل ثلاثة عناصر وإصابة آخرين، وفق ما أفاد به مراسل الشبكة في المنطقة.</p>
<p>وقال مصدر محلي إن الاشتباكات بدأت بعد خلاف على إدارة حاجز عسكري عند مدخل القرية،
واستُخدمت فيها الأسلحة الرشاشة المتوسطة وقذائف الهاون، وسط حالة من الذعر بين الأهالي.</p>
<p>وأضاف المصدر أن وفداً من وجهاء المنطقة تدخل للتهدئة بعد ساعات من الاشتباكات، دون أن يتم
التوصل إلى اتفاق نهائي بين الطرفين حتى لحظة إعداد هذا الخبر.</p>
</article>
<section class="comments" id="comments"><h3>التعليقات</h3>
<div class="comment"><p>تعليق من قارئ: الله يحمي أهلنا في الشمال ويفرج عنهم قريباً جداً.</p></div>
</section></main>
<footer><p>جميع الحقوق محفوظة لشبكة الشمال الإخبارية 2022</p><a href="/privacy">سياسة الخصوصية</a></footer>
</body>
</html>
"""
FURNITURE = ("الرئيسية", "اتصل بنا", "شارك على فيسبوك", "واتساب", "تعليق من قارئ", "جميع الحقوق محفوظة")


# --- helpers ------------------------------------------------------------------------------


def ingest(*paths: Path, options: IngestOptions | None = None) -> list[RawDoc | Skipped]:
    return list(iter_documents(paths, options=options or IngestOptions()))


def only_doc(path: Path, options: IngestOptions | None = None) -> RawDoc:
    results = ingest(path, options=options)
    assert len(results) == 1, results
    assert isinstance(results[0], RawDoc), results[0]
    return results[0]


def only_skip(path: Path, options: IngestOptions | None = None) -> Skipped:
    results = ingest(path, options=options)
    assert len(results) == 1, results
    assert isinstance(results[0], Skipped), results[0]
    return results[0]


def write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


def jsonl_bytes(*records: object | str) -> bytes:
    lines = [r if isinstance(r, str) else json.dumps(r, ensure_ascii=False) for r in records]
    return ("\n".join(lines) + "\n").encode("utf-8")


def utf8_cut_in_char() -> bytes:
    """ARABIC without its final full stop, as UTF-8, cut after the first byte of its last letter."""
    data = ARABIC.removesuffix(".").encode("utf-8")
    assert data[-2] & 0xE0 == 0xC0  # the last letter is a 2-byte sequence
    return data[:-1]


def binary_bytes() -> bytes:
    data = bytearray(random.Random(20240531).randbytes(4096))
    data[100:104] = b"\x00\x00\x00\x00"
    return bytes(data)


def make_sparse(path: Path, size: int) -> Path:
    with path.open("wb") as stream:
        stream.truncate(size)
    return path


# --- text and front matter --------------------------------------------------------------------


def test_front_matter_fields_and_metadata(tmp_path: Path) -> None:
    doc = only_doc(write(tmp_path / "a.txt", (FRONT_MATTER + ARABIC).encode()))
    assert doc.outlet == "شبكة الفرات"
    assert doc.published == "2021-05-31"
    assert doc.title == "قصف على مواقع قرب الميادين"
    assert doc.url is None  # empty string counts as missing
    assert doc.byline == "مراسل الشبكة"
    assert doc.language == "ar"
    assert doc.text == ARABIC
    assert doc.fmt == "text" and doc.file == "a.txt" and doc.source == str(tmp_path / "a.txt")
    assert doc.metadata == {
        "url": "",
        "tags": ["قصف", "دير الزور"],
        "event_day": "2021-05-30",
        "region": {"governorate": "دير الزور"},
    }
    json.dumps(doc.metadata)  # JSON-compatible


def test_options_fill_only_what_the_file_lacks(tmp_path: Path) -> None:
    options = IngestOptions(
        outlet="CLI outlet", published="2020-01-02", title="CLI title", url="https://x.test"
    )
    doc = only_doc(write(tmp_path / "a.md", (FRONT_MATTER + ARABIC).encode()), options)
    assert (doc.outlet, doc.published) == ("شبكة الفرات", "2021-05-31")
    assert doc.title == "قصف على مواقع قرب الميادين"
    assert doc.url == "https://x.test"


def test_plain_text_takes_cli_defaults(tmp_path: Path) -> None:
    options = IngestOptions(outlet="Enab Baladi", published="2019-11-03", title="عنوان", language="ar")
    doc = only_doc(write(tmp_path / "plain.text", ARABIC.encode()), options)
    assert (doc.outlet, doc.published, doc.title, doc.url) == ("Enab Baladi", "2019-11-03", "عنوان", None)
    assert doc.language == "ar" and doc.text == ARABIC and doc.metadata == {}


def test_invalid_yaml_front_matter_is_skipped(tmp_path: Path) -> None:
    bad = "---\ntitle: [غير مغلق\noutlet: x\n---\n" + ARABIC
    skip = only_skip(write(tmp_path / "bad.txt", bad.encode()))
    assert re.fullmatch(r"front matter is not valid YAML: .+ \(line \d+\)", skip.reason), skip.reason
    assert "\n" not in skip.reason


def test_unclosed_front_matter_raises_input_error() -> None:
    with pytest.raises(InputError, match="no closing"):
        parse_text_document(
            "---\ntitle: x\n" + ARABIC, source="s", file="f", options=IngestOptions(), encoding="utf-8"
        )


def test_unparseable_date_is_none_and_kept_raw(tmp_path: Path) -> None:
    text = "---\npublished: الأربعاء الماضي\n---\n" + ARABIC
    doc = only_doc(write(tmp_path / "d.txt", text.encode()))
    assert doc.published is None
    assert doc.metadata == {"published_raw": "الأربعاء الماضي"}


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2020-06-27", "2020-06-27"),
        ("2020-06-27T10:11:12+03:00", "2020-06-27"),
        ("2020/6/7", "2020-06-07"),
        ("27/06/2020", "2020-06-27"),
        ("2020-02-30", None),
        ("", None),
        (None, None),
        (20200627, None),
    ],
)
def test_normalize_date(value: object, expected: str | None) -> None:
    assert normalize_date(value) == expected


# --- JSONL --------------------------------------------------------------------------------------


def test_jsonl_bad_line_in_the_middle(tmp_path: Path) -> None:
    data = jsonl_bytes(
        {"text": ARABIC, "source_name": "SY24", "date": "2021-03-10", "title": "أ", "id": 1},
        {"body": ARABIC_SHORT, "outlet": "Diyaruna", "author": ["أ. ب", "ج. د"]},
        '{"text": "مقطوع',
        {"title": "بلا نص"},
        "",
        {"content": ARABIC_SHORT, "url": "https://example.org/3"},
    )
    results = ingest(write(tmp_path / "feed.jsonl", data))
    path = str(tmp_path / "feed.jsonl")
    assert [r.source for r in results] == [f"{path}#L{n}" for n in (1, 2, 3, 4, 6)]
    first, second, bad_json, no_text, last = results
    assert isinstance(first, RawDoc) and isinstance(second, RawDoc) and isinstance(last, RawDoc)
    assert (first.outlet, first.published, first.title) == ("SY24", "2021-03-10", "أ")
    assert first.metadata == {"id": 1}
    assert first.fmt == "jsonl" and first.file == "feed.jsonl" and first.text == ARABIC
    assert (second.outlet, second.byline, second.text) == ("Diyaruna", "أ. ب, ج. د", ARABIC_SHORT)
    assert bad_json == Skipped(f"{path}#L3", "line 3: not valid JSON")
    assert no_text == Skipped(f"{path}#L4", "line 4: no 'text' field")
    assert last.url == "https://example.org/3"


def test_gzip_jsonl(tmp_path: Path) -> None:
    path = tmp_path / "feed.jsonl.gz"
    with gzip.open(path, "wb") as stream:
        stream.write(jsonl_bytes({"text": ARABIC, "outlet": "SY24"}, "[1, 2]", {"text": ARABIC_SHORT}))
    results = ingest(path)
    assert [type(r) for r in results] == [RawDoc, Skipped, RawDoc]
    assert results[1] == Skipped(f"{path}#L2", "line 2: not a JSON object")
    first = results[0]
    assert isinstance(first, RawDoc) and first.text == ARABIC and first.outlet == "SY24"


def test_corrupt_gzip_is_skipped(tmp_path: Path) -> None:
    skip = only_skip(write(tmp_path / "broken.ndjson.gz", b"\x1f\x8b\x08\x00not really gzip"))
    assert skip.reason.startswith("cannot read gzip file")


# --- HTML ---------------------------------------------------------------------------------------


def test_html_page_main_text_and_metadata(tmp_path: Path) -> None:
    doc = only_doc(write(tmp_path / "page.html", HTML_PAGE.format(charset="utf-8").encode()))
    assert doc.fmt == "html"
    assert doc.title == "اشتباكات بين فصيلين مسلحين في ريف حلب الشمالي"
    assert doc.published == "2022-03-14"
    assert doc.outlet == "شبكة الشمال الإخبارية"
    assert doc.byline == "سامر الحسن"
    assert doc.url == "https://example.org/news/2022/03/14/clashes"
    assert "اندلعت اشتباكات عنيفة صباح اليوم الاثنين" in doc.text
    assert "حتى لحظة إعداد هذا الخبر." in doc.text
    assert "\n\nوقال مصدر محلي" in doc.text  # paragraphs separated by blank lines
    for furniture in FURNITURE:
        assert furniture not in doc.text, furniture


def test_html_honours_meta_charset_windows_1256(tmp_path: Path) -> None:
    page = HTML_PAGE.format(charset="windows-1256").encode("cp1256")
    doc = only_doc(write(tmp_path / "page.htm", page))
    assert doc.encoding == "windows-1256"
    assert "اندلعت اشتباكات عنيفة" in doc.text


def test_html_without_article_text_is_skipped(tmp_path: Path) -> None:
    page = '<!doctype html><html><head><title>فارغ</title></head><body><img src="x.jpg"></body></html>'
    assert only_skip(write(tmp_path / "empty.html", page.encode())).reason == "no article text found in HTML"


# --- encodings ----------------------------------------------------------------------------------


def test_windows_1256_text(tmp_path: Path) -> None:
    doc = only_doc(write(tmp_path / "cp.txt", ARABIC.encode("cp1256")))
    assert doc.text == ARABIC and doc.encoding == "windows-1256"


def test_windows_1256_with_crlf_front_matter(tmp_path: Path) -> None:
    text = (FRONT_MATTER + ARABIC).replace("\n", "\r\n")
    doc = only_doc(write(tmp_path / "cp.txt", text.encode("cp1256")))
    assert doc.encoding == "windows-1256" and doc.outlet == "شبكة الفرات" and doc.text == ARABIC


def test_iso_8859_6_text(tmp_path: Path) -> None:
    text = ARABIC.replace("مسيّرة", "مسيرة")  # ISO-8859-6 has the shadda, but keep it plain
    doc = only_doc(write(tmp_path / "iso.txt", text.encode("iso8859_6")))
    assert doc.text == text and doc.encoding == "iso-8859-6"


def test_windows_1256_jsonl(tmp_path: Path) -> None:
    data = jsonl_bytes({"text": ARABIC, "outlet": "دير الزور 24"}).decode().encode("cp1256")
    results = ingest(write(tmp_path / "feed.ndjson", data))
    assert results == [
        RawDoc(
            source=f"{tmp_path / 'feed.ndjson'}#L1",
            file="feed.ndjson",
            text=ARABIC,
            outlet="دير الزور 24",
            language="ar",
            encoding="windows-1256",
            fmt="jsonl",
        )
    ]


@pytest.mark.parametrize("codec", ["utf-16-le", "utf-16-be"])
def test_short_utf16_without_bom(codec: str) -> None:
    assert decode_bytes("نعم".encode(codec), source="x").text == "نعم"


def test_utf16_le_with_bom(tmp_path: Path) -> None:
    doc = only_doc(write(tmp_path / "u16.txt", b"\xff\xfe" + ARABIC.encode("utf-16-le")))
    assert doc.text == ARABIC and doc.encoding == "utf-16-le"


@pytest.mark.parametrize("codec", ["utf-16-le", "utf-16-be"])
def test_utf16_without_bom(tmp_path: Path, codec: str) -> None:
    doc = only_doc(write(tmp_path / "u16.txt", (FRONT_MATTER + ARABIC).encode(codec)))
    assert doc.text == ARABIC and doc.encoding == codec and doc.title == "قصف على مواقع قرب الميادين"


def test_utf8_with_bom(tmp_path: Path) -> None:
    doc = only_doc(write(tmp_path / "bom.txt", b"\xef\xbb\xbf" + (FRONT_MATTER + ARABIC).encode()))
    assert doc.text == ARABIC and doc.encoding == "utf-8-sig" and doc.outlet == "شبكة الفرات"


def test_truncated_utf8_drops_the_cut_character(tmp_path: Path) -> None:
    doc = only_doc(write(tmp_path / "cut.txt", utf8_cut_in_char()))
    assert doc.text == ARABIC[:-2]
    assert doc.encoding == "utf-8 (truncated tail dropped)"


def test_invalid_utf8_in_the_middle_is_not_a_truncation() -> None:
    data = ARABIC.encode()
    broken = data[:11] + data[12:]  # a lead byte without its continuation, mid-text
    assert decode_bytes(broken, source="x").encoding != "utf-8 (truncated tail dropped)"


def test_decode_normalises_newlines_and_bom() -> None:
    decoded = decode_bytes("\ufeffسطر\r\nسطر\rسطر".encode(), source="x")
    assert decoded.text == "سطر\nسطر\nسطر"


# --- failures -----------------------------------------------------------------------------------


def test_empty_file(tmp_path: Path) -> None:
    assert only_skip(write(tmp_path / "empty.txt", b"")).reason == "empty file"


def test_binary_file(tmp_path: Path) -> None:
    assert only_skip(write(tmp_path / "blob.txt", binary_bytes())).reason == "binary content, not text"


def test_oversize_file_is_refused_before_reading(tmp_path: Path) -> None:
    skip = only_skip(make_sparse(tmp_path / "huge.txt", 20 * MIB))
    assert skip.reason == "file is 20.0 MB, over the 10 MB limit"


def test_no_letters_is_skipped(tmp_path: Path) -> None:
    assert only_skip(write(tmp_path / "digits.txt", b"12345 --- 678\n")).reason == "no text after decoding"


def test_missing_path(tmp_path: Path) -> None:
    skip = only_skip(tmp_path / "nowhere.txt")
    assert skip == Skipped(str(tmp_path / "nowhere.txt"), "no such file or directory")


def test_undecodable_text(tmp_path: Path) -> None:
    rng = random.Random(7)
    data = bytes(rng.randrange(0x80, 0x100) for _ in range(4000))  # no NULs, no control bytes
    skip = only_skip(write(tmp_path / "noise.txt", data))
    assert skip.reason == "cannot decode text: not UTF-8, UTF-16 or windows-1256"


def test_oversize_gzip_line_stops_the_file(tmp_path: Path) -> None:
    path = tmp_path / "big.jsonl.gz"
    with gzip.open(path, "wb") as stream:
        stream.write(jsonl_bytes({"text": ARABIC_SHORT}, {"text": ARABIC * 50}))
    results = ingest(path, options=IngestOptions(max_bytes=2048))
    assert [type(r) for r in results] == [RawDoc, Skipped]
    assert results[1] == Skipped(str(path), "line 2 is over the 2 KB limit")


# --- format sniffing ----------------------------------------------------------------------------


def test_sniffing_unknown_extensions(tmp_path: Path) -> None:
    write(tmp_path / "a.page", HTML_PAGE.format(charset="utf-8").encode())
    write(tmp_path / "b.dump", jsonl_bytes({"text": ARABIC_SHORT}, {"text": ARABIC}))
    write(tmp_path / "c", ARABIC.encode())
    results = ingest(tmp_path)
    assert [(r.file, r.fmt) for r in results if isinstance(r, RawDoc)] == [
        ("a.page", "html"),
        ("b.dump", "jsonl"),
        ("b.dump", "jsonl"),
        ("c", "text"),
    ]


def test_sniff_format() -> None:
    assert sniff_format("\n  <!DOCTYPE html><html></html>") == "html"
    assert sniff_format('\n\n{"text": "نص"}\n') == "jsonl"
    assert sniff_format("{ليس JSON}") == "text"
    assert sniff_format(ARABIC) == "text"


# --- a whole folder -----------------------------------------------------------------------------


def build_mixed_folder(root: Path) -> None:
    """Every kind of input at once, some in a subfolder, plus hidden entries that must be ignored."""
    write(root / "01_front.txt", (FRONT_MATTER + ARABIC).encode())
    write(root / "02_plain.md", ARABIC_SHORT.encode())
    write(root / "03_feed.jsonl", jsonl_bytes({"text": ARABIC}, "not json", {"text": ARABIC_SHORT}))
    with gzip.open(root / "04_feed.jsonl.gz", "wb") as stream:
        stream.write(jsonl_bytes({"text": ARABIC_SHORT}))
    write(root / "05_page.html", HTML_PAGE.format(charset="utf-8").encode())
    sub = root / "sub"
    sub.mkdir()
    write(sub / "06_cp1256.txt", ARABIC.encode("cp1256"))
    write(sub / "07_u16bom.txt", b"\xff\xfe" + ARABIC.encode("utf-16-le"))
    write(sub / "08_u16.txt", ARABIC.encode("utf-16-be"))
    write(sub / "09_u8bom.txt", b"\xef\xbb\xbf" + ARABIC.encode())
    write(sub / "10_cut.txt", utf8_cut_in_char())
    write(sub / "11_empty.txt", b"")
    write(sub / "12_blob.bin", binary_bytes())
    make_sparse(sub / "13_huge.txt", 20 * MIB)
    write(root / ".hidden.txt", ARABIC.encode())
    (root / ".git").mkdir()
    write(root / ".git" / "x.txt", ARABIC.encode())


def test_folder_with_everything(tmp_path: Path) -> None:
    build_mixed_folder(tmp_path)
    results = iter_documents([tmp_path, tmp_path / "missing"])
    assert iter(results) is results  # a lazy generator
    got = [(Path(r.source).name, r.reason if isinstance(r, Skipped) else r.fmt) for r in results]
    assert got == [
        ("01_front.txt", "text"),
        ("02_plain.md", "text"),
        ("03_feed.jsonl#L1", "jsonl"),
        ("03_feed.jsonl#L2", "line 2: not valid JSON"),
        ("03_feed.jsonl#L3", "jsonl"),
        ("04_feed.jsonl.gz#L1", "jsonl"),
        ("05_page.html", "html"),
        ("06_cp1256.txt", "text"),
        ("07_u16bom.txt", "text"),
        ("08_u16.txt", "text"),
        ("09_u8bom.txt", "text"),
        ("10_cut.txt", "text"),
        ("11_empty.txt", "empty file"),
        ("12_blob.bin", "binary content, not text"),
        ("13_huge.txt", "file is 20.0 MB, over the 10 MB limit"),
        ("missing", "no such file or directory"),
    ]


def test_source_joins_given_path_and_relative_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    build_mixed_folder(tmp_path)
    monkeypatch.chdir(tmp_path)
    docs = [r for r in iter_documents(["sub"]) if isinstance(r, RawDoc)]
    assert docs[0].source == str(Path("sub") / "06_cp1256.txt")
    assert {d.text for d in docs} <= {ARABIC, ARABIC[:-2]}


# --- the seed corpus ----------------------------------------------------------------------------


@pytest.mark.skipif(not SEEDS.is_dir(), reason=f"seed corpus not found at {SEEDS}")
def test_seed_corpus() -> None:
    results = list(iter_documents([SEEDS]))
    assert len(results) == 5
    docs = [doc for doc in results if isinstance(doc, RawDoc)]
    assert docs == results, [doc for doc in results if isinstance(doc, Skipped)]
    for doc in docs:
        assert doc.title and doc.published
        assert len(doc.published) == 10 and doc.published[4] == "-"
        assert doc.fmt == "text" and doc.encoding == "utf-8"
        assert not doc.text.startswith("---") and len(doc.text) > 500
        head = (SEEDS / doc.file).read_text(encoding="utf-8").split("\n---\n", 1)[0]
        for name in ("outlet", "published", "title"):
            line = next(line for line in head.splitlines() if line.startswith(f"{name}: "))
            value = line.removeprefix(f"{name}: ").strip('"')
            assert getattr(doc, name) == (None if value == "unknown" else value), name
    assert [d.file for d in docs] == sorted(p.name for p in SEEDS.iterdir() if not p.name.startswith("."))


def test_placeholder_values_count_as_missing(tmp_path: Path) -> None:
    path = tmp_path / "a.txt"
    path.write_text("---\noutlet: unknown\nurl: n/a\ntitle: عنوان\n---\nنص الخبر هنا.\n", encoding="utf-8")
    (doc,) = list(iter_documents([path], options=IngestOptions(outlet="Fallback")))
    assert isinstance(doc, RawDoc) and (doc.outlet, doc.url) == ("Fallback", None)
