"""Plain text with optional YAML front matter, and the metadata mapping shared by all readers.

A mapping (front matter, a JSON object, HTML metadata) becomes RawDoc fields
through :data:`FIELD_ALIASES`; every other key is kept in ``metadata`` as
JSON-compatible values. Options from the command line fill only the fields the
document itself leaves empty.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import yaml

from rasad.errors import InputError
from rasad.frozen import quick_init
from rasad.model import RawDoc

if TYPE_CHECKING:
    from rasad.ingest.walk import IngestOptions

# The C loader when libyaml is present: front matter is parsed once per article.
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

# RawDoc field -> keys that carry it, in order of preference.
FIELD_ALIASES: dict[str, tuple[str, ...]] = {
    "outlet": ("outlet", "source_name", "sitename", "site_name"),
    "published": ("published", "date", "published_at", "date_published"),
    "title": ("title", "headline"),
    "url": ("url", "link", "canonical_url"),
    "byline": ("byline", "author", "authors"),
    "language": ("language", "lang"),
}

_FRONT_MATTER = re.compile(r"\A---[ \t]*\n(?P<yaml>.*?\n)?---[ \t]*(?:\n|\Z)", re.DOTALL)
_OPENING_LINE = re.compile(r"\A---[ \t]*(?:\n|\Z)")
_YMD = re.compile(r"\A(?P<y>\d{4})[-/.](?P<m>\d{1,2})[-/.](?P<d>\d{1,2})(?:\b|T)")
_DMY = re.compile(r"\A(?P<d>\d{1,2})[-/.](?P<m>\d{1,2})[-/.](?P<y>\d{4})\b")


@quick_init
@dataclass(frozen=True, slots=True)
class Origin:
    """Where a document came from: its source string, file name, encoding and format."""

    source: str
    file: str
    encoding: str
    fmt: str


@quick_init
@dataclass(frozen=True, slots=True)
class FrontMatter:
    """The front-matter mapping (empty when there is none) and the body after it."""

    mapping: dict[str, Any]
    body: str


@quick_init
@dataclass(frozen=True, slots=True)
class Fields:
    """Values of the named RawDoc fields, and the metadata left over."""

    named: dict[str, Any]
    metadata: dict[str, Any]


def parse_text_document(
    text: str, *, source: str, file: str, options: IngestOptions, encoding: str
) -> RawDoc:
    """A text file: YAML front matter between ``---`` lines at the very start (optional), then the body."""
    front = split_front_matter(text, source=source)
    origin = Origin(source=source, file=file, encoding=encoding, fmt="text")
    return build_doc(front.mapping, text=front.body, origin=origin, options=options)


def split_front_matter(text: str, *, source: str) -> FrontMatter:
    """Split off a front-matter block; a text without one is all body."""
    match = _FRONT_MATTER.match(text)
    if match is None:
        if _OPENING_LINE.match(text):
            raise InputError(source, "front matter starts with '---' but has no closing '---' line")
        return FrontMatter(mapping={}, body=text)
    mapping = _load_yaml_mapping(match.group("yaml") or "", source=source)
    return FrontMatter(mapping=mapping, body=text[match.end() :])


def _load_yaml_mapping(block: str, *, source: str) -> dict[str, Any]:
    try:
        loaded = yaml.load(block, Loader=_LOADER)
    except yaml.YAMLError as exc:
        raise InputError(source, f"front matter is not valid YAML: {yaml_problem(exc)}") from exc
    if loaded is None:
        return {}
    if not isinstance(loaded, dict):
        raise InputError(source, f"front matter is not a YAML mapping but a {type(loaded).__name__}")
    return {str(key): value for key, value in loaded.items()}


def yaml_problem(exc: yaml.YAMLError) -> str:
    """One line: the problem and its line in the file (the opening ``---`` is line 1)."""
    if isinstance(exc, yaml.MarkedYAMLError) and exc.problem:
        mark = exc.problem_mark
        return f"{exc.problem} (line {mark.line + 2})" if mark else exc.problem
    lines = str(exc).strip().splitlines()
    return lines[0] if lines else type(exc).__name__


def build_doc(mapping: Mapping[str, Any], *, text: str, origin: Origin, options: IngestOptions) -> RawDoc:
    """A RawDoc from a metadata mapping and a body; options fill what the mapping leaves empty."""
    fields = split_fields(mapping)
    named, metadata = fields.named, fields.metadata
    published = normalize_date(named.get("published"))
    if published is None and "published" in named:
        metadata["published_raw"] = to_jsonable(named["published"])
    return RawDoc(
        source=origin.source,
        file=origin.file,
        text=text.strip(),
        outlet=field_text(named.get("outlet")) or options.outlet,
        title=field_text(named.get("title")) or options.title,
        published=published or normalize_date(options.published),
        url=field_text(named.get("url")) or options.url,
        byline=field_text(named.get("byline")),
        language=field_text(named.get("language")) or options.language,
        encoding=origin.encoding,
        fmt=origin.fmt,
        metadata=metadata,
    )


def split_fields(mapping: Mapping[str, Any]) -> Fields:
    """Named fields (first non-empty alias wins) and metadata (every other key, JSON-compatible)."""
    named: dict[str, Any] = {}
    used: set[str] = set()
    for name, aliases in FIELD_ALIASES.items():
        for key in aliases:
            if key in mapping and not is_empty(mapping[key]):
                named[name] = mapping[key]
                used.add(key)
                break
    metadata = {str(key): to_jsonable(value) for key, value in mapping.items() if key not in used}
    return Fields(named=named, metadata=metadata)


# Placeholders that sites and scrapers write for a field they do not know.
_PLACEHOLDERS = frozenset({"unknown", "n/a", "na", "none", "null", "-", "غير معروف"})


def is_empty(value: Any) -> bool:
    """None, a blank string or a placeholder such as "unknown", or an empty list/mapping."""
    if value is None:
        return True
    if isinstance(value, str):
        return not value.strip() or value.strip().lower() in _PLACEHOLDERS
    return isinstance(value, list | tuple | dict) and not value


def field_text(value: Any) -> str | None:
    """A field value as one stripped string; lists (several authors) are joined with commas."""
    if is_empty(value):
        return None
    if isinstance(value, list | tuple):
        parts = [field_text(item) for item in value]
        return ", ".join(part for part in parts if part) or None
    if isinstance(value, dict):
        return field_text(value.get("name"))
    return str(to_jsonable(value)).strip() or None


def normalize_date(value: Any) -> str | None:
    """A date, datetime or date-like string as ``YYYY-MM-DD``; None when missing or unparseable."""
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if not isinstance(value, str):
        return None
    text = value.strip()
    match = _YMD.match(text) or _DMY.match(text)
    if match is None:
        return None
    try:
        return dt.date(int(match["y"]), int(match["m"]), int(match["d"])).isoformat()
    except ValueError:
        return None


def to_jsonable(value: Any) -> Any:
    """YAML/JSON values made JSON-compatible: dates as ISO strings, keys as strings, tuples as lists."""
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, dict):
        return {str(key): to_jsonable(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [to_jsonable(item) for item in value]
    if isinstance(value, set | frozenset):
        return sorted((to_jsonable(item) for item in value), key=str)
    if isinstance(value, bytes):
        return value.decode("utf-8", errors="replace")
    if value is None or isinstance(value, str | int | float | bool):
        return value
    return str(value)
