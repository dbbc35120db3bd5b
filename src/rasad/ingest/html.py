"""Saved HTML news pages: main text and metadata through trafilatura.

Navigation, share bars, comments and footers are left out by trafilatura;
title, date, author, site name and canonical URL come from the page's meta tags.
"""

from __future__ import annotations

import codecs
import re
from typing import TYPE_CHECKING, Any

import trafilatura

from rasad.errors import InputError
from rasad.ingest.frontmatter import Origin, build_doc, is_empty
from rasad.model import RawDoc

if TYPE_CHECKING:
    from rasad.ingest.walk import IngestOptions

NO_TEXT = "no article text found in HTML"
# trafilatura Document attributes -> mapping keys understood by build_doc (FIELD_ALIASES).
_NAMED_ATTRIBUTES: dict[str, str] = {
    "title": "title",
    "author": "author",
    "url": "url",
    "sitename": "sitename",
    "date": "date",
    "language": "language",
}
# Kept in metadata when present; filedate (today) and the trees are left out on purpose.
_EXTRA_ATTRIBUTES: tuple[str, ...] = (
    "hostname",
    "description",
    "categories",
    "tags",
    "image",
    "pagetype",
    "license",
)
_META_CHARSET = re.compile(rb"<meta[^>]*?charset\s*=\s*[\"']?\s*([A-Za-z0-9_.:-]+)", re.IGNORECASE)
_HEAD_BYTES = 4096
_HTML_START = re.compile(r"\A\s*(?:<!--.*?-->\s*)*<(?:!doctype\s+html|html)\b", re.IGNORECASE | re.DOTALL)


def declared_charset(data: bytes) -> str | None:
    """The charset a ``<meta>`` tag near the top declares, when Python knows it."""
    match = _META_CHARSET.search(data[:_HEAD_BYTES])
    if match is None:
        return None
    name = match.group(1).decode("ascii").lower()
    try:
        codecs.lookup(name)
    except LookupError:
        return None
    return name


def looks_like_html(text: str) -> bool:
    """True when the text starts (after blanks and comments) with a doctype or ``<html>``."""
    return _HTML_START.match(text[:_HEAD_BYTES]) is not None


def parse_html_document(
    html: str, *, source: str, file: str, options: IngestOptions, encoding: str
) -> RawDoc:
    """One page: its main text (paragraphs separated by blank lines) and metadata."""
    extracted = _extract(html, source=source)
    body = paragraphs_text(getattr(extracted, "text", None) or "")
    if not body:
        raise InputError(source, NO_TEXT)
    origin = Origin(source=source, file=file, encoding=encoding, fmt="html")
    return build_doc(_metadata(extracted), text=body, origin=origin, options=options)


def _extract(html: str, *, source: str) -> Any:
    try:
        extracted = trafilatura.bare_extraction(
            html, with_metadata=True, include_comments=False, favor_precision=True
        )
    except ValueError as exc:  # lxml refuses some inputs (e.g. encoding declarations in str)
        raise InputError(source, f"HTML cannot be parsed: {exc}") from exc
    if extracted is None:
        raise InputError(source, NO_TEXT)
    return extracted


def paragraphs_text(text: str) -> str:
    """trafilatura's one-line-per-block text as paragraphs separated by blank lines."""
    return "\n\n".join(line.strip() for line in text.split("\n") if line.strip())


def _metadata(extracted: Any) -> dict[str, Any]:
    pairs = [(key, getattr(extracted, attribute, None)) for attribute, key in _NAMED_ATTRIBUTES.items()]
    pairs += [(attribute, getattr(extracted, attribute, None)) for attribute in _EXTRA_ATTRIBUTES]
    return {key: value for key, value in pairs if not is_empty(value)}
