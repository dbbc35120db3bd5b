"""Clean stage: from a raw document to the article text a reader sees.

Removes page furniture by general rules (a lexicon of web furniture phrases,
the end-of-page block after a related/comments/share marker, short breadcrumb
lines before the headline, counters and symbol lines) and by learned line
statistics (short lines that recur across documents of the same outlet in a
run), drops exact repeats such as photo captions printed twice, keeps the
title, the byline and the paragraphs.  The clean text is the paragraphs joined
by blank lines; every offset rasad reports points into it.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field
from functools import cache
from importlib import resources

import yaml

from rasad.frozen import quick_init
from rasad.model import Article, RawDoc, Span, article_id
from rasad.text.normalize import name_key, name_keys

_INLINE_SPACE = re.compile(r"[ \t\u00a0\u2000-\u200a\u202f\u205f\u3000]+")
# The same runs, less the single plain spaces that folding would leave as they are (far fewer matches).
_SPACES_TO_FOLD = re.compile(
    r"[ \t\u00a0\u2000-\u200a\u202f\u205f\u3000]{2,}|[\t\u00a0\u2000-\u200a\u202f\u205f\u3000]"
)
_LETTER = re.compile(r"[^\W\d_]")
_LATIN_WORD = re.compile(r"^[A-Za-z][A-Za-z0-9.+&'-]*$")
_COUNTER_LINE = re.compile(r"^[\d\s/|.,:*•·-]*(تعليق|تعليقات|comments?|views?|مشاهدة|مشاهدات)?[\d\s/|.,:*•·-]*$", re.I)
_SENTENCE_END = re.compile(r"[.!?؟…»”\"]\s*$")
_DASH_SPLIT = re.compile(r"\s+[-–—|]\s+")
_FROM_SPLIT = re.compile(r"\s+من\s+")
_ARABIC_WORD = re.compile(r"^[\u0621-\u064a]{2,}$")
HEAD_WINDOW = 8
BREADCRUMB_MAX_WORDS = 4
BYLINE_MAX_WORDS = 7
TAIL_SHORT_WORDS = 15
LEARNED_MIN_DOCS = 3
LEARNED_MAX_WORDS = 12
MAX_KEYS = 500  # lines counting for one outlet
MAX_TOTAL_KEYS = 20_000  # lines counting over all outlets: memory stays flat over millions of articles
_EMPTY: frozenset[str] = frozenset()


@quick_init
@dataclass(frozen=True, slots=True)
class Furniture:
    whole_line: frozenset[str]
    line_starts: tuple[str, ...]
    tail_markers: tuple[str, ...]
    byline_starts: frozenset[str]
    byline_non_names: frozenset[str]


@cache
def load_furniture() -> Furniture:
    raw = resources.files("rasad.text").joinpath("data/boilerplate.yaml").read_text(encoding="utf-8")
    data = yaml.safe_load(raw)

    def keys(name: str) -> tuple[str, ...]:
        return tuple(dict.fromkeys(line_key(str(v)) for v in data[name]))

    return Furniture(
        whole_line=frozenset(keys("whole_line")),
        line_starts=keys("line_starts"),
        tail_markers=keys("tail_markers"),
        byline_starts=frozenset(keys("byline_starts")),
        byline_non_names=frozenset(keys("byline_non_names")),
    )


KEY_WORDS = 12


def line_key(line: str) -> str:
    """Comparison key of a line's first words: normalised, punctuation dropped, lower case.

    Furniture is recognised by short lines and line openings, so long paragraphs
    are keyed by their first ``KEY_WORDS`` words only (repeats use the full line).
    """
    return name_key(_key_head(line)).strip(" *•·|")


def _key_head(line: str) -> str:
    words = line.split(maxsplit=KEY_WORDS)
    return line if len(words) <= KEY_WORDS else " ".join(words[:KEY_WORDS])


def line_keys(lines: list[str]) -> list[str]:
    """``line_key`` of every line (no line holds a line break), normalised in one pass over them all."""
    keys = name_keys([_key_head(line) for line in lines])
    return [key.strip(" *•·|") for key in keys]


@dataclass(slots=True)
class LineStats:
    """Learned per-outlet line statistics over the documents of a run.

    A short line seen in at least ``LEARNED_MIN_DOCS`` documents of the same
    outlet is page furniture (menus, footers, share rows) for that outlet; once
    learned it is no longer counted. Memory stays bounded however many articles
    and outlets: past ``MAX_KEYS`` lines counting for one outlet its lines seen
    once are forgotten (then, if need be, all but the most frequent half), and
    past ``MAX_TOTAL_KEYS`` over all outlets every line seen once is forgotten.
    """

    counts: dict[str, Counter[str]] = field(default_factory=dict)
    learned: dict[str, set[str]] = field(default_factory=dict)
    frozen: dict[str, frozenset[str]] = field(default_factory=dict)  # snapshots, until the outlet learns more
    total: int = 0  # lines counting, over all outlets

    def observe(self, outlet: str | None, lines: list[str]) -> None:
        name = outlet or ""
        counter = self.counts.setdefault(name, Counter())
        learned = self.learned.setdefault(name, set())
        before = len(counter)
        for key in {x for x in lines if 0 < len(x.split(maxsplit=LEARNED_MAX_WORDS)) <= LEARNED_MAX_WORDS}:
            if not key or key in learned:
                continue
            counter[key] += 1
            if counter[key] >= LEARNED_MIN_DOCS:
                learned.add(key)
                del counter[key]
                self.frozen.pop(name, None)
        if len(counter) > MAX_KEYS:
            kept = Counter({k: n for k, n in counter.items() if n > 1})
            self.counts[name] = kept if len(kept) <= MAX_KEYS // 2 else Counter(dict(kept.most_common(MAX_KEYS // 2)))
        self.total += len(self.counts[name]) - before
        if self.total > MAX_TOTAL_KEYS:
            for other, counted in self.counts.items():
                self.counts[other] = Counter({k: n for k, n in counted.items() if n > 1})
            self.total = sum(len(c) for c in self.counts.values())

    def furniture(self, outlet: str | None) -> AbstractSet[str]:
        return self.learned.get(outlet or "", _EMPTY)

    def snapshot(self, outlet: str | None) -> frozenset[str]:
        """The outlet's furniture now, as a value to send with a document (one object until it changes)."""
        name = outlet or ""
        if name not in self.frozen:
            self.frozen[name] = frozenset(self.learned.get(name, ()))
        return self.frozen[name]


def observed_lines(raw: RawDoc) -> list[str]:
    """What a document teaches its outlet's line statistics: its short lines (spaces folded) and its title.

    The same lines the cleaned article keeps or removes, read without cleaning it, so the run loop can
    learn in input order while workers clean.
    """
    text = raw.text.replace("\r", "\n")
    lines = [_SPACES_TO_FOLD.sub(" ", line).strip() for line in text.split("\n")
             if 0 < len(line.split(maxsplit=LEARNED_MAX_WORDS)) <= LEARNED_MAX_WORDS]
    title = _INLINE_SPACE.sub(" ", raw.title).strip() if raw.title else ""
    return [*lines, title] if title else lines


def split_lines(text: str) -> list[str]:
    """Non-empty lines with inline whitespace collapsed."""
    lines = (line.strip() for line in _SPACES_TO_FOLD.sub(" ", text.replace("\r", "\n")).split("\n"))
    return [line for line in lines if line]


def is_furniture_line(line: str, key: str, furniture: Furniture) -> bool:
    if not key or not _LETTER.search(line):
        return True
    if key in furniture.whole_line or _COUNTER_LINE.match(line):
        return True
    return key.startswith(furniture.line_starts)


def is_latin_button_row(line: str) -> bool:
    """A line of one or two Latin words (share buttons) inside an Arabic article."""
    words = line.split()
    return 0 < len(words) <= 2 and all(_LATIN_WORD.match(w) for w in words) and not any(
        c.isdigit() for c in line
    )


def tail_start(lines: list[str], keys: list[str], furniture: Furniture) -> int:
    """Index of the first end-of-page marker after which only short lines follow."""
    for i, key in enumerate(keys):
        if not key.startswith(furniture.tail_markers):
            continue
        rest = lines[i + 1 :]
        if not any(len(x.split()) >= TAIL_SHORT_WORDS and _SENTENCE_END.search(x) for x in rest):
            return i
    return len(lines)


def head_start(lines: list[str], keys: list[str], title: str | None) -> int:
    """Skip short breadcrumb lines that precede the headline near the top (``keys``: the lines' keys)."""
    if not title:
        return 0
    target = line_key(title)
    for i, key in enumerate(keys[:HEAD_WINDOW]):
        if key == target:
            before = lines[:i]
            if all(len(x.split()) <= BREADCRUMB_MAX_WORDS for x in before):
                return i
            return 0
    return 0


@quick_init
@dataclass(frozen=True, slots=True)
class LineDecision:
    line: str
    reason: str | None
    key: str = ""


def classify_lines(
    lines: list[str], *, title: str | None, furniture: Furniture, learned: AbstractSet[str]
) -> list[LineDecision]:
    """Decide for every line whether it is content (reason None) or why it is not."""
    keys = line_keys(lines)
    head = head_start(lines, keys, title)
    tail = tail_start(lines, keys, furniture)
    seen: set[str] = set()
    out: list[LineDecision] = []
    for i, (line, key) in enumerate(zip(lines, keys, strict=True)):
        reason: str | None = None
        if i < head:
            reason = "breadcrumb"
        elif i >= tail:
            reason = "end-of-page block"
        elif is_furniture_line(line, key, furniture) or is_latin_button_row(line):
            reason = "furniture"
        elif line in learned:
            reason = "repeated across outlet pages"
        elif line in seen:
            reason = "exact repeat"
        seen.add(line)
        out.append(LineDecision(line, reason, key))
    return out


def _author_line(paragraphs: list[str]) -> str | None:
    """A bare 2–4 word name right after the headline, followed by a dateline ("PLACE – OUTLET")."""
    if len(paragraphs) < 3:
        return None
    line, after = paragraphs[1], paragraphs[2]
    words = line.split()
    if 2 <= len(words) <= 4 and all(_ARABIC_WORD.match(w) for w in words) and _DASH_SPLIT.search(after) and (
        len(after.split()) <= BYLINE_MAX_WORDS
    ):
        return line
    return None


def find_byline(paragraphs: list[str], furniture: Furniture) -> str | None:
    """A short line near the top that names the author or the desk."""
    author = _author_line(paragraphs)
    if author is not None:
        return author
    for line in paragraphs[1:4]:
        words = line.split()
        if not words or len(words) > BYLINE_MAX_WORDS or _SENTENCE_END.search(line):
            continue
        first = line_key(words[0])
        if first in furniture.byline_starts:
            return line
        if _DASH_SPLIT.search(line) or (_FROM_SPLIT.search(line) and len(words) <= 6):
            return line
    return None


def paragraph_spans(paragraphs: list[str]) -> tuple[Span, ...]:
    spans: list[Span] = []
    pos = 0
    for para in paragraphs:
        spans.append(Span(pos, pos + len(para)))
        pos += len(para) + 2
    return tuple(spans)


def clean(raw: RawDoc, *, learned: AbstractSet[str] = frozenset()) -> Article:
    """Clean one raw document into an :class:`Article`."""
    furniture = load_furniture()
    title = _INLINE_SPACE.sub(" ", raw.title).strip() if raw.title else None
    decisions = classify_lines(split_lines(raw.text), title=title, furniture=furniture, learned=learned)
    paragraphs = [d.line for d in decisions if d.reason is None]
    if title:
        title_key = line_key(title)
        keys = {d.line: d.key for d in decisions}
        if not paragraphs or keys[paragraphs[0]] != title_key:
            paragraphs = [title, *[p for p in paragraphs if keys[p] != title_key]]
    text = "\n\n".join(paragraphs)
    return Article(
        id=article_id(text),
        source=raw.source,
        file=raw.file,
        text=text,
        outlet=raw.outlet,
        title=title or (paragraphs[0] if paragraphs else None),
        published=raw.published,
        url=raw.url,
        byline=raw.byline or find_byline(paragraphs, furniture),
        language=raw.language,
        paragraphs=paragraph_spans(paragraphs),
        removed=tuple(f"{d.reason}: {d.line}" for d in decisions if d.reason is not None),
        metadata=dict(raw.metadata),
    )


# Counted on the UTF-8 bytes (one C pass each): a character of U+0600–U+077F (Arabic and its supplement) starts
# with one of these lead bytes; other letters are ASCII ones and those of Latin-1 to IPA, Greek and Cyrillic.
_ARABIC_LEADS = bytes(range(0xD8, 0xDE))
_OTHER_LETTERS = (b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz" + bytes(range(0xC3, 0xCA))
                  + bytes(range(0xCE, 0xD4)))
MIN_ARABIC_SHARE = 0.3  # an Arabic report quoting English or naming units in Latin letters stays far above this


def why_unusable(text: str) -> str | None:
    """Why a clean article's text cannot go through the Arabic stages (nothing left, or not Arabic), or None."""
    if not text.strip():
        return "no article text left after cleaning"
    data = text.encode("utf-8")
    arabic = len(data) - len(data.translate(None, _ARABIC_LEADS))
    other = len(data) - len(data.translate(None, _OTHER_LETTERS))
    if arabic and arabic >= MIN_ARABIC_SHARE * (arabic + other):
        return None
    if not arabic + other:  # digits and signs, or a script counted as neither (CJK, Hebrew …)
        return "not Arabic text: no letter in Arabic script"
    return f"not Arabic text: {100 * arabic / (arabic + other):.0f}% of its {arabic + other} letters are Arabic script"
