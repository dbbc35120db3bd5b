"""Lazy walk over files, folders and feed URLs: each file read, decoded and parsed by its format.

Nothing here raises for bad input: a file (or JSONL line, archive record, feed
entry) that cannot be read comes out as a :class:`Skipped` with a one-line
reason and the walk goes on.  Memory stays bounded: one file (at most
``max_bytes``) at a time; compressed JSONL (gzip, zstd) streamed line by line
and WARC/ARC archives record by record, the limit applying to each line or
record rather than to the archive; a folder holds only the names of its own
entries while it is walked (sorted, so that every run sees the same order).
"""

from __future__ import annotations

import gzip
import io
import json
import os
import re
import stat
import zlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

import zstandard

from rasad.errors import InputError
from rasad.frozen import quick_init
from rasad.ingest.decode import Decoded, decode_bytes
from rasad.ingest.feeds import FEED_SUFFIXES, is_url, iter_feed_url, looks_like_feed, parse_feed
from rasad.ingest.frontmatter import parse_text_document
from rasad.ingest.html import declared_charset, looks_like_html, parse_html_document
from rasad.ingest.jsonl import iter_jsonl, iter_jsonl_byte_lines
from rasad.ingest.warc import is_archive, iter_warc
from rasad.model import RawDoc, Skipped

MIB = 1024 * 1024


@quick_init
@dataclass(frozen=True, slots=True)
class IngestOptions:
    """Defaults for documents without metadata (from the CLI), and the file-size limit."""

    outlet: str | None = None
    published: str | None = None
    title: str | None = None
    url: str | None = None
    language: str | None = "ar"
    max_bytes: int = 10 * MIB


DEFAULT_OPTIONS = IngestOptions()
FORMAT_BY_SUFFIX: dict[str, str] = {
    ".txt": "text",
    ".text": "text",
    ".md": "text",
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
    ".html": "html",
    ".htm": "html",
}
GZIP_JSONL_SUFFIXES: tuple[str, ...] = (".jsonl.gz", ".ndjson.gz")
ZSTD_JSONL_SUFFIXES: tuple[str, ...] = (".jsonl.zst", ".ndjson.zst", ".jsonl.zstd", ".ndjson.zstd")
NO_TEXT = "no text after decoding"
_FIRST_LINE = re.compile(r"^[ \t]*(\S.*)$", re.MULTILINE)


def iter_documents(
    paths: Iterable[str | Path], *, options: IngestOptions = DEFAULT_OPTIONS
) -> Iterator[RawDoc | Skipped]:
    """Every document under ``paths`` (files, folders recursively, feed URLs), in a stable order."""
    for path in paths:
        yield from _iter_path(os.fspath(path), options=options)


def _iter_path(path: str, *, options: IngestOptions) -> Iterator[RawDoc | Skipped]:
    if is_url(path):
        yield from iter_feed_url(path, options=options)
        return
    for item in iter_files([path]):
        if isinstance(item, Skipped):
            yield item
        else:
            yield from read_file(item, options=options)


def read_input(path: str, *, options: IngestOptions = DEFAULT_OPTIONS) -> Iterator[RawDoc | Skipped]:
    """The documents of one input: a feed URL, or a file."""
    return iter_feed_url(path, options=options) if is_url(path) else read_file(path, options=options)


def iter_files(paths: Iterable[str]) -> Iterator[str | Skipped]:
    """The files under ``paths`` (a file stands for itself), lazily, folders walked in name order.

    Hidden entries are left out; linked directories are not followed (no loops).
    A path that does not exist or a folder that cannot be read is a Skipped.
    """
    for path in paths:
        if not os.path.lexists(path):
            yield Skipped(path, "no such file or directory")
        elif os.path.isdir(path):
            yield from _iter_directory(path)
        else:
            yield path


def _iter_directory(path: str) -> Iterator[str | Skipped]:
    try:
        with os.scandir(path) as scan:
            names = sorted(entry.name for entry in scan if not entry.name.startswith("."))
    except OSError as exc:
        yield Skipped(path, f"cannot read directory: {os_reason(exc)}")
        return
    for name in names:
        entry = os.path.join(path, name)
        if os.path.islink(entry):
            if os.path.isdir(entry):
                yield Skipped(entry, "link to a directory, not followed")
            else:
                yield entry
        elif os.path.isdir(entry):
            yield from _iter_directory(entry)
        else:
            yield entry


def read_file(path: str, *, options: IngestOptions = DEFAULT_OPTIONS) -> Iterator[RawDoc | Skipped]:
    """The documents in one file (several for JSONL, archives and feeds), or a Skipped saying why there are none."""
    try:
        docs = _stream_archive(path, options=options)
        if docs is None:
            _check_size(path, max_bytes=options.max_bytes)
            data = _read_bytes(path, max_bytes=options.max_bytes)
            if _is_feed(path, data):
                docs = parse_feed(data, location=path, file=os.path.basename(path), options=options)
            else:
                docs = parse_bytes(data, path=path, options=options)
        for doc in docs:
            yield require_text(doc)
    except InputError as exc:
        yield Skipped(path, exc.reason)


def _stream_archive(path: str, *, options: IngestOptions) -> Iterator[RawDoc | Skipped] | None:
    """A reader for a compressed JSONL file or a WARC/ARC archive (checked as a file, not for its size)."""
    lower = path.lower()
    if lower.endswith(GZIP_JSONL_SUFFIXES):
        reader = _iter_gzip_jsonl
    elif lower.endswith(ZSTD_JSONL_SUFFIXES):
        reader = _iter_zstd_jsonl
    elif is_archive(lower):
        reader = iter_warc
    else:
        return None
    _check_size(path, max_bytes=None)
    return reader(path, options=options)


def _is_feed(path: str, data: bytes) -> bool:
    """``.rss`` / ``.atom`` files, and ``.xml`` or unknown files whose root is a feed's."""
    suffix = os.path.splitext(path)[1].lower()
    if suffix in FEED_SUFFIXES:
        return True
    return (suffix == ".xml" or suffix not in FORMAT_BY_SUFFIX) and looks_like_feed(data)


def parse_bytes(data: bytes, *, path: str, options: IngestOptions) -> Iterator[RawDoc | Skipped]:
    """Decode and parse a file's bytes by its extension, or by its content when that is unknown."""
    fmt = FORMAT_BY_SUFFIX.get(os.path.splitext(path)[1].lower())
    decoded = _decode(data, path=path, html=fmt == "html")
    if fmt is None:
        fmt = sniff_format(decoded.text)
        if fmt == "html":
            decoded = _decode(data, path=path, html=True)
    file = os.path.basename(path)
    if fmt == "jsonl":
        return iter_jsonl(decoded.text, source=path, file=file, options=options, encoding=decoded.encoding)
    parse = parse_html_document if fmt == "html" else parse_text_document
    return iter([parse(decoded.text, source=path, file=file, options=options, encoding=decoded.encoding)])


def sniff_format(text: str) -> str:
    """'html' (doctype or <html> first), 'jsonl' (first non-blank line a JSON object), else 'text'."""
    if looks_like_html(text):
        return "html"
    first = _FIRST_LINE.search(text)
    if first is None or not first.group(1).startswith("{"):
        return "text"
    try:
        return "jsonl" if isinstance(json.loads(first.group(1)), dict) else "text"
    except json.JSONDecodeError:
        return "text"


def require_text(doc: RawDoc | Skipped) -> RawDoc | Skipped:
    """A document whose text has no letters at all (Arabic or other) becomes a Skipped."""
    if isinstance(doc, RawDoc) and not any(ch.isalpha() for ch in doc.text):
        return Skipped(doc.source, NO_TEXT)
    return doc


def format_size(size: float, *, trim: bool = False) -> str:
    """Bytes as ``20.0 MB`` (binary units); ``trim`` drops a trailing ``.0`` (``10 MB``)."""
    for unit, scale in (("GB", 1024 * MIB), ("MB", MIB), ("KB", 1024)):
        if size >= scale:
            text = f"{size / scale:.1f}"
            return f"{text.removesuffix('.0') if trim else text} {unit}"
    return f"{size:.0f} bytes"


def os_reason(exc: OSError) -> str:
    """An OS error as a short lower-case phrase ("permission denied")."""
    return (exc.strerror or type(exc).__name__).lower()


def _check_size(path: str, *, max_bytes: int | None) -> None:
    """Checked before reading: a huge file is refused without being read (``max_bytes`` None: any size)."""
    try:
        info = os.stat(path)
    except OSError as exc:
        raise InputError(path, f"cannot read file: {os_reason(exc)}") from exc
    if not stat.S_ISREG(info.st_mode):
        raise InputError(path, "not a regular file")
    if info.st_size == 0:
        raise InputError(path, "empty file")
    if max_bytes is not None and info.st_size > max_bytes:
        raise InputError(path, _over_limit(info.st_size, max_bytes))


def _over_limit(size: int, max_bytes: int) -> str:
    return f"file is {format_size(size)}, over the {format_size(max_bytes, trim=True)} limit"


def _read_bytes(path: str, *, max_bytes: int) -> bytes:
    """At most ``max_bytes + 1`` bytes: the file may have grown since it was measured."""
    try:
        with open(path, "rb") as stream:
            data = stream.read(max_bytes + 1)
    except OSError as exc:
        raise InputError(path, f"cannot read file: {os_reason(exc)}") from exc
    if not data:
        raise InputError(path, "empty file")
    if len(data) > max_bytes:
        raise InputError(path, f"file is over the {format_size(max_bytes, trim=True)} limit")
    return data


def _decode(data: bytes, *, path: str, html: bool) -> Decoded:
    return decode_bytes(data, source=path, declared=declared_charset(data) if html else None)


def _iter_gzip_jsonl(path: str, *, options: IngestOptions) -> Iterator[RawDoc | Skipped]:
    """Stream a gzip JSONL file; the size limit applies to each line."""
    file = os.path.basename(path)
    try:
        with gzip.open(path, "rb") as stream:
            lines = _bounded_lines(stream, path=path, max_bytes=options.max_bytes)
            yield from iter_jsonl_byte_lines(lines, source=path, file=file, options=options)
    except (OSError, EOFError, zlib.error) as exc:
        yield Skipped(path, f"cannot read gzip file: {exc}")


def _iter_zstd_jsonl(path: str, *, options: IngestOptions) -> Iterator[RawDoc | Skipped]:
    """Stream a zstd JSONL file (one or more frames); the size limit applies to each line."""
    file = os.path.basename(path)
    try:
        with open(path, "rb") as raw, zstandard.ZstdDecompressor().stream_reader(raw, read_across_frames=True) as z:
            stream = io.BufferedReader(z)
            lines = _bounded_lines(stream, path=path, max_bytes=options.max_bytes)
            yield from iter_jsonl_byte_lines(lines, source=path, file=file, options=options)
    except (OSError, zstandard.ZstdError) as exc:
        yield Skipped(path, f"cannot read zstd file: {exc}")


def _bounded_lines(stream: BinaryIO | gzip.GzipFile | io.BufferedReader, *, path: str,
                   max_bytes: int) -> Iterator[bytes]:
    for lineno, line in enumerate(iter(lambda: stream.readline(max_bytes + 1), b""), start=1):
        if len(line) > max_bytes:
            raise InputError(path, f"line {lineno} is over the {format_size(max_bytes, trim=True)} limit")
        yield line
