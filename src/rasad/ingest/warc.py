"""WARC and ARC archives of news crawls (through warcio): one document per HTML page.

Only pages are read: ``response`` records (and ``resource`` records) with an HTML
content type and a 2xx status; requests, metadata, redirects and images are passed
over in silence, since a crawl holds far more of them than pages (an archive
without a single page is reported, which is also what warcio, a lenient
reader, makes of a file that is no archive).  A page is
extracted as a saved HTML file is (:func:`rasad.ingest.html.parse_html_document`),
with the record's target URI as the URL when the page names none (before ``--url``).  Records are
read one at a time; the size limit applies to each record, not to the archive.
A document's source is ``ARCHIVE#offset=N``, the record's byte offset.
warcio writes a warning to standard error for every line it cannot place (a
wrong Content-Length, or a file that is no archive); those are caught and
counted, and reported in one line for the archive.
"""

from __future__ import annotations

import contextlib
import dataclasses
import io
import os
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from warcio.archiveiterator import ArchiveIterator
from warcio.exceptions import ArchiveLoadFailed

from rasad.errors import InputError
from rasad.ingest.decode import decode_bytes
from rasad.ingest.html import declared_charset, parse_html_document
from rasad.model import RawDoc, Skipped

if TYPE_CHECKING:
    from rasad.ingest.walk import IngestOptions

WARC_SUFFIXES: tuple[str, ...] = (".warc", ".warc.gz", ".arc", ".arc.gz")
PAGE_RECORDS = frozenset({"response", "resource"})
HTML_TYPES = ("text/html", "application/xhtml+xml")
NO_PAGES = "no HTML pages in the WARC/ARC archive"


def malformed(count: int) -> str:
    """The reason given for an archive with lines warcio could not place."""
    records = "record" if count == 1 else "records"
    return f"{count} malformed {records} passed over (wrong Content-Length, or not a WARC/ARC file)"


def is_archive(path: str) -> bool:
    return path.lower().endswith(WARC_SUFFIXES)


def iter_warc(path: str, *, options: IngestOptions) -> Iterator[RawDoc | Skipped]:
    """The HTML pages of one WARC/ARC file (gzip-compressed per record or not), in archive order."""
    file = os.path.basename(path)
    try:
        with open(path, "rb") as stream:
            records = ArchiveIterator(stream, arc2warc=True)
            pages = 0
            for page, offset in _quiet_pages(records, max_bytes=options.max_bytes):
                pages += 1
                yield _parse_page(page, source=f"{path}#offset={offset}", file=file, options=options)
            errors = int(getattr(records, "err_count", 0))
            if not pages:
                yield Skipped(path, NO_PAGES + (f"; {malformed(errors)}" if errors else ""))
            elif errors:
                yield Skipped(path, malformed(errors))
    except ArchiveLoadFailed as exc:
        yield Skipped(path, f"cannot read WARC/ARC archive: {str(exc).splitlines()[0]}")
    except OSError as exc:
        yield Skipped(path, f"cannot read WARC/ARC archive: {exc.strerror or type(exc).__name__}".lower())


def _quiet_pages(records: Any, *, max_bytes: int) -> Iterator[tuple[Page, int]]:
    """Each page of ``records`` with its byte offset; warcio's warnings to standard error are dropped
    (each is counted in ``records.err_count``). Standard error is redirected only while warcio reads,
    never while the caller holds a page."""
    iterator = iter(records)
    while True:
        with contextlib.redirect_stderr(io.StringIO()):
            record = next(iterator, None)
            if record is None:
                return
            page = _page(record, max_bytes=max_bytes)
            # Asked after the body is read: warcio finishes the record to know where it starts.
            offset = int(records.get_record_offset()) if page is not None else 0
        if page is not None:
            yield page, offset


@dataclasses.dataclass(frozen=True, slots=True)
class Page:
    data: bytes
    uri: str | None
    charset: str | None
    over_limit: int | None = None  # the limit the body went over (data then empty)


def _page(record: Any, *, max_bytes: int) -> Page | None:
    """The HTML body of a page record; None for every other kind of record."""
    if record.rec_type not in PAGE_RECORDS or not _is_html(record):
        return None
    if record.http_headers is not None and not str(record.http_headers.get_statuscode() or "").startswith("2"):
        return None
    uri = record.rec_headers.get_header("WARC-Target-URI") or None
    data = record.content_stream().read(max_bytes + 1)
    if len(data) > max_bytes:
        return Page(data=b"", uri=uri, charset=None, over_limit=max_bytes)
    return Page(data=data, uri=uri, charset=_charset(_content_type(record)))


def _content_type(record: Any) -> str:
    if record.http_headers is not None:
        return str(record.http_headers.get_header("Content-Type") or "")
    return str(record.rec_headers.get_header("Content-Type") or "")


def _is_html(record: Any) -> bool:
    return _content_type(record).split(";")[0].strip().lower() in HTML_TYPES


def _charset(content_type: str) -> str | None:
    for part in content_type.split(";")[1:]:
        name, _, value = part.partition("=")
        if name.strip().lower() == "charset" and value.strip():
            return value.strip().strip("\"'").lower()
    return None


def _parse_page(page: Page, *, source: str, file: str, options: IngestOptions) -> RawDoc | Skipped:
    if page.over_limit is not None:
        from rasad.ingest.walk import format_size

        return Skipped(source, f"record is over the {format_size(page.over_limit, trim=True)} limit")
    if not page.data.strip():
        return Skipped(source, "empty page")
    try:
        decoded = decode_bytes(page.data, source=source, declared=declared_charset(page.data) or page.charset)
        page_options = dataclasses.replace(options, url=page.uri or options.url)
        return parse_html_document(decoded.text, source=source, file=file, options=page_options,
                                   encoding=decoded.encoding)
    except InputError as exc:
        return Skipped(source, exc.reason)
