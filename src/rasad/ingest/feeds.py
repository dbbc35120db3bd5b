"""RSS and Atom feeds (through feedparser), from files or http(s) URLs: one document per entry.

An entry's text is its full content when the feed carries it, else its summary,
HTML turned into paragraphs.  Its source is the entry's link (else its id, else
``FEED#N``), so the same entry read from two polls of a feed is one source.  A
URL is fetched only because the user named it; the size limit applies to the
whole feed.
"""

from __future__ import annotations

import datetime as dt
import email.utils
import os
import re
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator, Mapping
from typing import TYPE_CHECKING, Any

import feedparser
import lxml.etree
import lxml.html

from rasad.ingest.decode import normalize_newlines
from rasad.ingest.frontmatter import Origin, build_doc, normalize_date
from rasad.ingest.html import paragraphs_text
from rasad.model import RawDoc, Skipped

if TYPE_CHECKING:
    from rasad.ingest.walk import IngestOptions

FEED_SUFFIXES: tuple[str, ...] = (".rss", ".atom")
URL_PREFIXES: tuple[str, ...] = ("http://", "https://")
USER_AGENT = "rasad feed reader (+https://pypi.org/project/rasad/)"
FETCH_TIMEOUT_S = 30.0
_FEED_ROOT = re.compile(rb"<(?:rss|feed|rdf:RDF)\b", re.IGNORECASE)
_HEAD_BYTES = 4096
# Block elements whose ends break paragraphs; script and style are dropped with their text.
_BLOCKS = ("p", "div", "br", "li", "ul", "ol", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "tr", "table",
           "section", "article", "figure", "figcaption", "pre", "header", "footer")
_DROPPED = ("script", "style", "noscript")


def is_url(path: str) -> bool:
    return path.lower().startswith(URL_PREFIXES)


def looks_like_feed(data: bytes) -> bool:
    """An ``<rss>``, ``<feed>`` or ``<rdf:RDF>`` root near the top of the bytes."""
    return _FEED_ROOT.search(data[:_HEAD_BYTES]) is not None


def iter_feed_url(url: str, *, options: IngestOptions) -> Iterator[RawDoc | Skipped]:
    """Fetch a feed over http(s) (at most ``options.max_bytes``) and read its entries."""
    request = urllib.request.Request(url, headers={"User-Agent": USER_AGENT})
    try:
        with urllib.request.urlopen(request, timeout=FETCH_TIMEOUT_S) as response:
            data = response.read(options.max_bytes + 1)
    except urllib.error.HTTPError as exc:
        yield Skipped(url, f"cannot fetch feed: HTTP {exc.code}")
        return
    except (urllib.error.URLError, OSError) as exc:
        reason = exc.reason if isinstance(exc, urllib.error.URLError) else exc
        yield Skipped(url, f"cannot fetch feed: {reason}")
        return
    if len(data) > options.max_bytes:
        yield Skipped(url, "feed is over the size limit")
        return
    path = urllib.parse.urlparse(url).path.rstrip("/")
    yield from parse_feed(data, location=url, file=os.path.basename(path) or url, options=options)


def parse_feed(data: bytes, *, location: str, file: str, options: IngestOptions) -> Iterator[RawDoc | Skipped]:
    """Every entry of an RSS/Atom document; a document that is no feed at all is one Skipped."""
    parsed = feedparser.parse(data)
    if not parsed.entries:
        if parsed.bozo and not parsed.feed:
            problem = str(parsed.get("bozo_exception", "")).splitlines()
            yield Skipped(location, "not an RSS/Atom feed" + (f": {problem[0]}" if problem else ""))
        return
    outlet = parsed.feed.get("title")
    for index, entry in enumerate(parsed.entries, start=1):
        yield entry_doc(entry, index=index, location=location, file=file, outlet=outlet, options=options)


def entry_doc(
    entry: Mapping[str, Any], *, index: int, location: str, file: str, outlet: str | None, options: IngestOptions,
) -> RawDoc | Skipped:
    source = str(entry.get("link") or entry.get("id") or f"{location}#{index}")
    body = fragment_text(_body_html(entry))
    if not body:
        return Skipped(source, "feed entry has no text")
    mapping = {
        "title": fragment_text(str(entry.get("title") or "")).replace("\n\n", " ") or None,
        "link": entry.get("link"),
        "published": entry_date(entry),
        "author": entry.get("author"),
        "sitename": outlet,
        "guid": entry.get("id"),
        "tags": [t.get("term") for t in entry.get("tags", ()) if t.get("term")],
        "feed": location,
    }
    origin = Origin(source=source, file=file, encoding="utf-8", fmt="feed")
    return build_doc(mapping, text=body, origin=origin, options=options)


def _body_html(entry: Mapping[str, Any]) -> str:
    """The longest full content of the entry, else its summary."""
    contents = [str(c.get("value") or "") for c in entry.get("content", ())]
    best = max(contents, key=len, default="")
    summary = str(entry.get("summary") or "")
    return best if len(best) >= len(summary) else summary


def entry_date(entry: Mapping[str, Any]) -> str | None:
    """The entry's publication (else update) date as the feed states it, in the feed's own time zone."""
    for key in ("published", "updated"):
        value = entry.get(key)
        if not value:
            continue
        iso = normalize_date(str(value))
        if iso:
            return iso
        try:
            return email.utils.parsedate_to_datetime(str(value)).date().isoformat()
        except (TypeError, ValueError):
            pass
        parsed = entry.get(f"{key}_parsed")
        if isinstance(parsed, time.struct_time):
            return dt.date(parsed.tm_year, parsed.tm_mon, parsed.tm_mday).isoformat()
    return None


def fragment_text(fragment: str) -> str:
    """An HTML fragment as plain paragraphs separated by blank lines (plain text passes through)."""
    if "<" not in fragment:
        return paragraphs_text(normalize_newlines(fragment))
    try:
        root = lxml.html.fragment_fromstring(fragment, create_parent="div")
    except (lxml.etree.ParserError, ValueError):
        return paragraphs_text(normalize_newlines(fragment))
    for element in list(root.iter(*_DROPPED)):
        element.drop_tree()
    for element in root.iter(*_BLOCKS):
        element.tail = "\n" + (element.tail or "")
    return paragraphs_text(normalize_newlines(root.text_content()))
