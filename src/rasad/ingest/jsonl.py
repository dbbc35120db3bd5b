"""JSONL / NDJSON: one article per line, a JSON object with the text and its metadata.

A bad line is reported as a Skipped naming its line number; the other lines
are still read.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING, Any

from rasad.errors import InputError
from rasad.ingest.decode import decode_bytes, normalize_newlines
from rasad.ingest.frontmatter import Origin, build_doc
from rasad.model import RawDoc, Skipped

if TYPE_CHECKING:
    from rasad.ingest.walk import IngestOptions

TEXT_KEYS: tuple[str, ...] = ("text", "body", "content")


def iter_jsonl(
    text: str, *, source: str, file: str, options: IngestOptions, encoding: str
) -> Iterator[RawDoc | Skipped]:
    """Documents from a whole JSONL text."""
    return iter_jsonl_lines(text.split("\n"), source=source, file=file, options=options, encoding=encoding)


def iter_jsonl_lines(
    lines: Iterable[str], *, source: str, file: str, options: IngestOptions, encoding: str
) -> Iterator[RawDoc | Skipped]:
    """Documents from JSONL lines (a stream: a gzip file is never held in memory whole)."""
    for lineno, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        origin = Origin(source=f"{source}#L{lineno}", file=file, encoding=encoding, fmt="jsonl")
        yield parse_jsonl_line(line, lineno=lineno, origin=origin, options=options)


def iter_jsonl_byte_lines(
    lines: Iterable[bytes], *, source: str, file: str, options: IngestOptions
) -> Iterator[RawDoc | Skipped]:
    """Documents from undecoded lines (a gzip stream), each line decoded on its own."""
    for lineno, raw in enumerate(lines, start=1):
        if not raw.strip():
            continue
        line_source = f"{source}#L{lineno}"
        try:
            decoded = decode_bytes(raw, source=line_source)
        except InputError as exc:
            yield Skipped(line_source, f"line {lineno}: {exc.reason}")
            continue
        origin = Origin(source=line_source, file=file, encoding=decoded.encoding, fmt="jsonl")
        yield parse_jsonl_line(decoded.text, lineno=lineno, origin=origin, options=options)


def parse_jsonl_line(line: str, *, lineno: int, origin: Origin, options: IngestOptions) -> RawDoc | Skipped:
    """One line: a RawDoc, or a Skipped whose reason starts with the line number."""
    try:
        record = json.loads(line)
    except json.JSONDecodeError:
        return Skipped(origin.source, f"line {lineno}: not valid JSON")
    if not isinstance(record, dict):
        return Skipped(origin.source, f"line {lineno}: not a JSON object")
    key = text_key(record)
    if key is None:
        return Skipped(origin.source, f"line {lineno}: no 'text' field")
    body = record[key]
    if not isinstance(body, str):
        return Skipped(origin.source, f"line {lineno}: '{key}' is not a string")
    mapping = {name: value for name, value in record.items() if name != key}
    return build_doc(mapping, text=normalize_newlines(body), origin=origin, options=options)


def text_key(record: dict[str, Any]) -> str | None:
    """The first of text/body/content with a non-blank value, else the first present."""
    present = [key for key in TEXT_KEYS if key in record]
    for key in present:
        value = record[key]
        if not isinstance(value, str) or value.strip():
            return key
    return present[0] if present else None
