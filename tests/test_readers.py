"""Streaming readers: WARC/ARC archives, compressed JSONL (gzip, zstd), RSS/Atom feeds from files and URLs."""

from __future__ import annotations

import gzip
import http.server
import io
import json
import re
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
import zstandard
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from rasad.ingest import IngestOptions, iter_documents
from rasad.ingest.feeds import fragment_text
from rasad.ingest.warc import malformed
from rasad.kb import load_kb
from rasad.model import RawDoc, Skipped
from rasad.runner import run_paths
from rasad.store import open_store

from .conftest import EXAMPLES
from .test_ingest import ARABIC, ARABIC_SHORT, HTML_PAGE

PAGE_URL = "https://example.org/news/2022/03/14/clashes"
OTHER_URL = "https://example.net/2023/ambush"
# A page without a canonical link: its URL comes from the WARC record.
OTHER_PAGE = """<!DOCTYPE html><html lang="ar"><head><meta charset="utf-8"><title>كمين في البادية</title></head>
<body><article><h1>كمين لخلايا التنظيم في البادية</h1>
<p>قتل خمسة عناصر من قوات النظام في كمين نصبته خلايا تنظيم الدولة على طريق السخنة في البادية السورية،
بحسب ما أفاد به مراسل الشبكة نقلاً عن مصادر محلية في المنطقة.</p>
<p>وأضافت المصادر أن الكمين استهدف رتلاً عسكرياً كان في طريقه إلى مدينة دير الزور، وأن الاشتباكات استمرت
قرابة ساعة قبل انسحاب المهاجمين باتجاه عمق البادية.</p>
</article></body></html>"""

RSS = """<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/">
<channel>
<title>شبكة الفرات</title><link>https://furat.example/</link><description>أخبار</description>
<item>
  <title>قصف على مواقع قرب الميادين</title>
  <link>https://furat.example/news/1</link>
  <guid>https://furat.example/news/1</guid>
  <pubDate>Mon, 31 May 2021 23:30:00 +0300</pubDate>
  <author>مراسل الشبكة</author>
  <category>قصف</category>
  <description>ملخص قصير</description>
  <content:encoded><![CDATA[<p>{para1}</p><p>{para2}</p><script>var x = 1;</script>]]></content:encoded>
</item>
<item>
  <title>هدنة في درعا</title>
  <link>https://furat.example/news/2</link>
  <pubDate>Tue, 01 Jun 2021 08:00:00 GMT</pubDate>
  <description>{short}</description>
</item>
</channel>
</rss>
"""

ATOM = """<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom">
  <title>عين الفرات</title>
  <id>urn:uuid:feed</id><updated>2021-06-02T10:00:00+03:00</updated>
  <entry>
    <title>دورية في البوكمال</title>
    <id>urn:uuid:entry-1</id>
    <updated>2021-06-02T01:00:00+03:00</updated>
    <content type="html">&lt;p&gt;{short}&lt;/p&gt;</content>
  </entry>
</feed>
"""


def rss_text() -> str:
    para1, para2 = ARABIC.split("\n\n")
    return RSS.format(para1=para1, para2=para2, short=ARABIC_SHORT)


def ingest(*paths: Path | str, options: IngestOptions | None = None) -> list[RawDoc | Skipped]:
    return list(iter_documents(paths, options=options or IngestOptions()))


def docs_only(results: list[RawDoc | Skipped]) -> list[RawDoc]:
    assert all(isinstance(r, RawDoc) for r in results), results
    return [r for r in results if isinstance(r, RawDoc)]


# --- WARC / ARC ---------------------------------------------------------------------------------------------


def _response(writer: WARCWriter, url: str, body: bytes, *, status: str = "200 OK",
              content_type: str = "text/html; charset=utf-8") -> None:
    headers = StatusAndHeaders(status, [("Content-Type", content_type)], protocol="HTTP/1.1")
    writer.write_record(writer.create_warc_record(url, "response", payload=io.BytesIO(body), http_headers=headers))


def write_warc(path: Path, *, gzip_records: bool) -> Path:
    with path.open("wb") as stream:
        writer = WARCWriter(stream, gzip=gzip_records)
        writer.write_record(writer.create_warcinfo_record(path.name, {"software": "rasad tests"}))
        request = StatusAndHeaders("GET /news HTTP/1.1", [("Host", "example.org")], is_http_request=True)
        writer.write_record(writer.create_warc_record(PAGE_URL, "request", http_headers=request))
        _response(writer, PAGE_URL, HTML_PAGE.format(charset="utf-8").encode())
        _response(writer, "https://example.org/logo.png", b"\x89PNG\r\n\x1a\n" + bytes(64), content_type="image/png")
        _response(writer, "https://example.org/gone", b"<html><body>not found</body></html>", status="404 Not Found")
        _response(writer, OTHER_URL, OTHER_PAGE.encode("windows-1256"), content_type="text/html; charset=windows-1256")
    return path


@pytest.mark.parametrize("name,compressed", [("crawl.warc.gz", True), ("crawl.warc", False)])
def test_warc_pages_become_documents(tmp_path: Path, name: str, compressed: bool) -> None:
    path = write_warc(tmp_path / name, gzip_records=compressed)
    docs = docs_only(ingest(path))
    assert [d.url for d in docs] == [PAGE_URL, OTHER_URL]  # requests, images, 404s and warcinfo pass in silence
    first, second = docs
    assert first.fmt == "html" and first.file == name
    assert first.title == "اشتباكات بين فصيلين مسلحين في ريف حلب الشمالي"
    assert first.published == "2022-03-14" and first.outlet == "شبكة الشمال الإخبارية"
    assert "كفر جنة" in first.text and "شارك على فيسبوك" not in first.text
    assert "طريق السخنة" in second.text  # windows-1256 from the HTTP header
    assert all(d.source.startswith(f"{path}#offset=") for d in docs)
    assert len({d.source for d in docs}) == 2


def test_arc_file(tmp_path: Path) -> None:
    body = OTHER_PAGE.encode()
    http = b"HTTP/1.0 200 OK\r\nContent-Type: text/html; charset=utf-8\r\n\r\n" + body
    version = b"1 0 rasad\nURL IP-address Archive-date Content-type Archive-length\n"
    head = b"filedesc://crawl.arc 0.0.0.0 20230101000000 text/plain " + str(len(version)).encode() + b"\n"
    record = f"{OTHER_URL} 10.0.0.1 20230101000000 text/html {len(http)}\n".encode()
    path = tmp_path / "crawl.arc"
    path.write_bytes(head + version + b"\n" + record + http + b"\n")
    (doc,) = docs_only(ingest(path))
    assert doc.url == OTHER_URL and "طريق السخنة" in doc.text


def test_broken_warc_is_skipped(tmp_path: Path) -> None:
    path = tmp_path / "broken.warc.gz"
    path.write_bytes(b"\x1f\x8b\x08\x00 definitely not a warc")
    (skip,) = ingest(path)
    assert skip == Skipped(str(path), "no HTML pages in the WARC/ARC archive")


def test_text_that_is_no_archive_is_one_quiet_skip(tmp_path: Path, capfd: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "notes.warc"
    path.write_bytes(b"not an archive at all\n" * 5)
    (skip,) = ingest(path)
    assert isinstance(skip, Skipped) and skip.source == str(path)
    assert skip.reason.startswith("no HTML pages in the WARC/ARC archive; ") and "malformed record" in skip.reason
    assert capfd.readouterr().err == ""  # warcio's per-line warnings do not reach the terminal


def test_archive_with_a_wrong_length_keeps_its_pages(tmp_path: Path, capfd: pytest.CaptureFixture[str]) -> None:
    path = write_warc(tmp_path / "crawl.warc", gzip_records=False)
    data = path.read_bytes()
    length = list(re.finditer(rb"Content-Length: (\d+)", data))[2]  # a record's length, five bytes short
    path.write_bytes(data[: length.start(1)] + str(int(length.group(1)) - 5).encode() + data[length.end(1) :])
    results = ingest(path)
    assert any(isinstance(r, RawDoc) for r in results)  # the pages warcio could place are read
    assert results[-1] == Skipped(str(path), malformed(1))
    assert malformed(1) == "1 malformed record passed over (wrong Content-Length, or not a WARC/ARC file)"
    assert capfd.readouterr().err == ""


def test_warc_record_over_the_limit_is_skipped(tmp_path: Path) -> None:
    path = write_warc(tmp_path / "crawl.warc.gz", gzip_records=True)
    results = ingest(path, options=IngestOptions(max_bytes=2048))
    assert [type(r) for r in results] == [Skipped, RawDoc]
    assert isinstance(results[0], Skipped) and results[0].reason == "record is over the 2 KB limit"


def test_archives_are_not_refused_for_their_size(tmp_path: Path) -> None:
    path = write_warc(tmp_path / "crawl.warc", gzip_records=False)
    assert path.stat().st_size > 4096
    results = ingest(path, options=IngestOptions(max_bytes=1024))
    assert [type(r) for r in results] == [Skipped, RawDoc]  # the big page is over, the small one is read


# --- compressed JSONL -------------------------------------------------------------------------------------------


def jsonl(*records: dict[str, object]) -> bytes:
    return b"".join(json.dumps(r, ensure_ascii=False).encode() + b"\n" for r in records)


RECORDS = (
    {"text": ARABIC, "outlet": "شبكة الفرات", "date": "2021-05-31", "url": "https://furat.example/1"},
    {"text": ARABIC_SHORT, "title": "هدنة"},
)


def test_gzip_jsonl(tmp_path: Path) -> None:
    path = tmp_path / "feed.jsonl.gz"
    with gzip.open(path, "wb") as stream:
        stream.write(jsonl(*RECORDS))
    first, second = docs_only(ingest(path))
    assert (first.source, first.outlet, first.published) == (f"{path}#L1", "شبكة الفرات", "2021-05-31")
    assert second.title == "هدنة" and second.text == ARABIC_SHORT


def test_zstd_jsonl_across_frames(tmp_path: Path) -> None:
    path = tmp_path / "feed.jsonl.zst"
    compressor = zstandard.ZstdCompressor()
    path.write_bytes(compressor.compress(jsonl(RECORDS[0])) + compressor.compress(jsonl(RECORDS[1])))
    first, second = docs_only(ingest(path))
    assert first.source == f"{path}#L1" and first.text == ARABIC.strip()
    assert second.source == f"{path}#L2" and second.title == "هدنة"


def test_zstd_bad_line_and_broken_file(tmp_path: Path) -> None:
    good = tmp_path / "lines.ndjson.zst"
    good.write_bytes(zstandard.ZstdCompressor().compress(jsonl(RECORDS[0]) + b"{oops\n"))
    results = ingest(good)
    assert isinstance(results[0], RawDoc)
    assert results[1] == Skipped(f"{good}#L2", "line 2: not valid JSON")
    broken = tmp_path / "broken.jsonl.zst"
    broken.write_bytes(b"\x28\xb5\x2f\xfd garbage")
    (skip,) = ingest(broken)
    assert isinstance(skip, Skipped) and skip.reason.startswith("cannot read zstd file")


# --- RSS / Atom -------------------------------------------------------------------------------------------------


def test_rss_file(tmp_path: Path) -> None:
    path = tmp_path / "furat.rss"
    path.write_text(rss_text(), encoding="utf-8")
    first, second = docs_only(ingest(path))
    assert first.source == "https://furat.example/news/1" and first.url == first.source
    assert first.title == "قصف على مواقع قرب الميادين" and first.outlet == "شبكة الفرات"
    assert first.published == "2021-05-31"  # the feed's own time zone, not UTC (2021-05-31 20:30)
    assert first.byline == "مراسل الشبكة" and first.fmt == "feed"
    assert first.text == ARABIC.strip()  # full content, paragraphs kept, script dropped
    assert first.metadata["tags"] == ["قصف"]
    assert second.text == ARABIC_SHORT and second.published == "2021-06-01"


def test_atom_and_xml_feed_files(tmp_path: Path) -> None:
    path = tmp_path / "feed.xml"
    path.write_text(ATOM.format(short=ARABIC_SHORT), encoding="utf-8")
    (doc,) = docs_only(ingest(path))
    assert doc.source == "urn:uuid:entry-1" and doc.outlet == "عين الفرات"
    assert doc.published == "2021-06-02" and doc.text == ARABIC_SHORT


def test_not_a_feed(tmp_path: Path) -> None:
    path = tmp_path / "broken.rss"
    path.write_text("<rss><channel><item><title>x", encoding="utf-8")
    results = ingest(path)
    assert all(isinstance(r, Skipped) for r in results)


def test_fragment_text() -> None:
    assert fragment_text("<div>أ<br>ب</div><ul><li>ج</li><li>د</li></ul>") == "أ\n\nب\n\nج\n\nد"
    assert fragment_text("نص عادي\nسطر") == "نص عادي\n\nسطر"


@pytest.fixture
def feed_server(tmp_path: Path) -> Iterator[str]:
    """A local HTTP server (127.0.0.1) serving the test RSS feed at /feed."""
    body = rss_text().encode()

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            if self.path != "/feed":
                self.send_error(404)
                return
            self.send_response(200)
            self.send_header("Content-Type", "application/rss+xml")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def test_feed_url(feed_server: str) -> None:
    docs = docs_only(ingest(f"{feed_server}/feed"))
    assert [d.source for d in docs] == ["https://furat.example/news/1", "https://furat.example/news/2"]
    assert docs[0].file == "feed"
    (skip,) = ingest(f"{feed_server}/missing")
    assert skip == Skipped(f"{feed_server}/missing", "cannot fetch feed: HTTP 404")


# --- end to end -------------------------------------------------------------------------------------------------


def test_archives_and_feeds_run_into_the_store(tmp_path: Path) -> None:
    inputs = tmp_path / "in"
    inputs.mkdir()
    write_warc(inputs / "crawl.warc.gz", gzip_records=True)
    (inputs / "furat.rss").write_text(rss_text(), encoding="utf-8")
    lines = [json.dumps({"text": p.read_text(encoding="utf-8")}, ensure_ascii=False) for p in
             sorted(EXAMPLES.glob("*.txt"))[:3]]
    (inputs / "examples.jsonl.zst").write_bytes(zstandard.ZstdCompressor().compress("\n".join(lines).encode()))
    store = open_store(str(tmp_path / "kb.db"))
    try:
        summary = run_paths([inputs], store=store, kb=load_kb())
        assert (summary.added, len(summary.skipped)) == (7, 0)
        sources = {s for values in store.article_sources().values() for s in values}
        assert "https://furat.example/news/1" in sources
        assert sum(s.startswith(str(inputs / "crawl.warc.gz")) for s in sources) == 2
        again = run_paths([inputs], store=store, kb=load_kb())
        assert (again.added, again.duplicates) == (0, 7)
    finally:
        store.close()
