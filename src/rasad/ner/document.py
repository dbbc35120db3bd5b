"""Document-level features for the second CRF pass: what the first pass said elsewhere in the document.

A name is usually written in full once and then repeated, shortened or with a
clitic glued on ("بان كي مون" … "بان"، "للبنك التجاري" … "البنك التجاري").
The second pass sees, for every token, the types the first pass gave the same
word, the same clitic-free form and the same word sequence in the *other*
sentences of the document, and the first pass's own tag.  A corpus without
document boundaries (ANERcorp) uses the sentences within ``window`` either side.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache

from rasad.ner.features import base_form
from rasad.ner.score import bio_spans

MAX_NAME_WORDS = 5
TOPIC_MIN = 2  # topic words in the other sentences that make a document about the topic


_base = lru_cache(maxsize=65_536)(base_form)


def _bump(table: dict[str, dict[str, int]], key: str, kind: str, sign: int) -> None:
    counts = table.get(key)
    if counts is None:
        counts = table[key] = {}
    counts[kind] = counts.get(kind, 0) + sign


@dataclass(slots=True)
class DocMemory:
    """Counts of first-pass types by word, clitic-free form and word sequence, over a set of sentences."""

    topic_of: Mapping[str, str] = field(default_factory=dict)
    topics: Counter[str] = field(default_factory=Counter)
    words: dict[str, dict[str, int]] = field(default_factory=dict)
    bases: dict[str, dict[str, int]] = field(default_factory=dict)
    names: dict[str, dict[str, int]] = field(default_factory=dict)
    name_firsts: Counter[str] = field(default_factory=Counter)
    parts: dict[str, dict[str, int]] = field(default_factory=dict)

    def update(self, norms: Sequence[str], tags: Sequence[str], sign: int) -> None:
        """Add (``sign`` 1) or remove (-1) one sentence's first-pass tags."""
        words, bases, topic_of = self.words, self.bases, self.topic_of
        for norm, tag in zip(norms, tags, strict=True):
            kind = tag[2:] if tag != "O" else "O"
            base = _base(norm)
            counts = words.get(norm)
            if counts is None:
                counts = words[norm] = {}
            counts[kind] = counts.get(kind, 0) + sign
            counts = bases.get(base)
            if counts is None:
                counts = bases[base] = {}
            counts[kind] = counts.get(kind, 0) + sign
            if base in topic_of:
                self.topics[topic_of[base]] += sign
        if all(tag == "O" for tag in tags):
            return
        for span in bio_spans(tags):
            span_words = norms[span.start : span.end]
            if len(span_words) <= MAX_NAME_WORDS:
                first = _base(span_words[0])
                _bump(self.names, " ".join([first, *span_words[1:]]), span.type, sign)
                self.name_firsts[first] += sign
            if len(span_words) > 1:
                for word in span_words:
                    _bump(self.parts, _base(word), span.type, sign)


KINDS = ("PERS", "LOC", "ORG", "MISC")


def _kinds(table: dict[str, dict[str, int]], key: str) -> list[str]:
    counts = table.get(key)
    if not counts:
        return []
    return [k for k in KINDS if counts.get(k, 0) > 0]


def doc_features(norms: Sequence[str], first: Sequence[str], memory: DocMemory) -> list[list[str]]:
    """Extra features of one sentence: its first-pass tags and what ``memory`` (other sentences) says."""
    out: list[list[str]] = []
    topics = [t for t, n in sorted(memory.topics.items()) if n >= TOPIC_MIN]
    for norm, tag in zip(norms, first, strict=True):
        base = _base(norm)
        feats = ["p1=" + tag, *("tp=" + t for t in topics), *("tp=" + t + "|p1=" + tag for t in topics)]
        feats.extend("dw=" + k for k in _kinds(memory.words, norm))
        feats.extend("dbf=" + k for k in _kinds(memory.bases, base))
        feats.extend("dp=" + k for k in _kinds(memory.parts, base))
        if memory.words.get(norm, {}).get("O", 0) > 0:
            feats.append("dw=O")
        out.append(feats)
    _name_marks(norms, memory, out)
    return out


def _name_marks(norms: Sequence[str], memory: DocMemory, out: list[list[str]]) -> None:
    """``dn=B-type`` / ``dn=I-type`` over word sequences the first pass tagged elsewhere."""
    n = len(norms)
    for i in range(n):
        key = _base(norms[i])
        if memory.name_firsts[key] <= 0:
            continue
        for j in range(i, min(n, i + MAX_NAME_WORDS)):
            if j > i:
                key = key + " " + norms[j]
            for kind in _kinds(memory.names, key):
                _add(out[i], "dn=B-" + kind)
                for k in range(i + 1, j + 1):
                    _add(out[k], "dn=I-" + kind)


def _add(feats: list[str], feat: str) -> None:
    if feat not in feats:
        feats.append(feat)


def windowed_doc_features(norms: Sequence[Sequence[str]], first: Sequence[Sequence[str]], *, window: int | None,
                          topic_of: Mapping[str, str] | None = None) -> list[list[list[str]]]:
    """Doc features of every sentence; ``window`` None makes all sentences one document;
    ``topic_of`` maps clitic-free words to the document topics they mark."""
    n = len(norms)
    memory = DocMemory(topic_of=topic_of or {})
    if window is None:
        for i in range(n):
            memory.update(norms[i], first[i], 1)
        out = []
        for i in range(n):
            memory.update(norms[i], first[i], -1)
            out.append(doc_features(norms[i], first[i], memory))
            memory.update(norms[i], first[i], 1)
        return out
    out = []
    for i in range(min(n, window + 1)):
        memory.update(norms[i], first[i], 1)
    for i in range(n):
        memory.update(norms[i], first[i], -1)
        out.append(doc_features(norms[i], first[i], memory))
        memory.update(norms[i], first[i], 1)
        if i - window >= 0:
            memory.update(norms[i - window], first[i - window], -1)
        if i + window + 1 < n:
            memory.update(norms[i + window + 1], first[i + window + 1], 1)
    return out
