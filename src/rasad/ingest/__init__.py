"""Ingest: files and folders (text with front matter, JSONL, HTML) to RawDoc records.

``iter_documents`` is the entry point; it never raises for bad input but
yields a :class:`~rasad.model.Skipped` with a one-line reason instead.
"""

from rasad.ingest.decode import Decoded, decode_bytes
from rasad.ingest.frontmatter import normalize_date, parse_text_document, split_front_matter
from rasad.ingest.html import parse_html_document
from rasad.ingest.jsonl import iter_jsonl, iter_jsonl_byte_lines
from rasad.ingest.walk import IngestOptions, iter_documents, read_file, sniff_format

__all__ = [
    "Decoded",
    "IngestOptions",
    "decode_bytes",
    "iter_documents",
    "iter_jsonl",
    "iter_jsonl_byte_lines",
    "normalize_date",
    "parse_html_document",
    "parse_text_document",
    "read_file",
    "sniff_format",
    "split_front_matter",
]
