"""Stories linked while the time chunks of the keyed merge come in, holding only the open ones.

Average linkage joins two groups through a pair at or above the threshold only, so a story never
reaches across the components of the graph of those strong pairs: linking each component alone,
with the compared pairs inside it, gives what linking every pair at once gives.  A story task
returns the pairs whose later article is in its chunk, and chunks come back in time order; after
the chunk ending before day ``D``, no pair can involve an article published before ``D - window``.
A component whose every article is that old is final: it is linked, written out, and forgotten.

Memory: the pairs and articles of components still open (about a window of days), the copies map
(ids) and the ids of the articles in multi-article stories, which :class:`StoryIds` keeps as one
sorted array of bytes.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import NDArray

from rasad.errors import RasadError
from rasad.merge.common import UnionFind, stable_id
from rasad.merge.stories import PairScore, average_linkage

Record = dict[str, Any]


@dataclass(slots=True)
class StoryIds:
    """The ids of the articles in multi-article stories, as one sorted array (a few dozen bytes each)."""

    chunks: list[NDArray[np.bytes_]] = field(default_factory=list)
    ids: NDArray[np.bytes_] = field(default_factory=lambda: np.array([], dtype="S1"))

    def add(self, article_ids: Sequence[str]) -> None:
        self.chunks.append(np.array([a.encode("utf-8") for a in article_ids]))

    def freeze(self) -> None:
        self.ids = np.sort(np.concatenate([self.ids, *self.chunks])) if self.chunks else self.ids
        self.chunks = []

    def missing(self, article_ids: Sequence[str]) -> list[str]:
        """Those of ``article_ids`` in no multi-article story."""
        if not len(self.ids):
            return list(article_ids)
        keys = np.array([a.encode("utf-8") for a in article_ids])
        spots = np.minimum(np.searchsorted(self.ids, keys), len(self.ids) - 1)
        known = self.ids[spots] == keys
        return [a for a, k in zip(article_ids, known.tolist(), strict=True) if not k]


@dataclass(slots=True)
class Linker:
    """Pairs in, multi-article story records out (:meth:`close`), with each kept article's copies joined."""

    duplicates: Mapping[str, str]
    threshold: float | None = None  # known once a chunk with pairs came back (with or without the encoder)
    strong: UnionFind = field(default_factory=UnionFind)
    day_of: dict[str, int] = field(default_factory=dict)
    pairs_of: dict[str, list[PairScore]] = field(default_factory=dict)
    copies: dict[str, list[str]] = field(default_factory=dict)  # kept article → its copies
    linked: set[str] = field(default_factory=set)  # kept articles already in a written story

    def __post_init__(self) -> None:
        for copy, kept in self.duplicates.items():
            self.copies.setdefault(kept, []).append(copy)

    def add(self, pairs: Iterable[PairScore], days: Mapping[str, int]) -> None:
        if self.threshold is None:
            raise RasadError("merge: story pairs before the link threshold is known")
        self.day_of.update(days)
        for pair in pairs:
            self.pairs_of.setdefault(pair.a, []).append(pair)
            self.pairs_of.setdefault(pair.b, []).append(pair)
            if pair.score >= self.threshold:
                self.strong.union(pair.a, pair.b)

    def close(self, before: int | None) -> Iterator[list[str]]:
        """Members (sorted) of the stories whose articles were all published before day ``before``
        (an ordinal; None: every story still open)."""
        if self.threshold is not None:
            yield from self._close_components(before)
        if before is None:
            yield from self._copies_only()

    def _close_components(self, before: int | None) -> Iterator[list[str]]:
        comps: dict[str, list[str]] = {}
        latest: dict[str, int] = {}
        for article_id in self.strong.parent:
            root = self.strong.find(article_id)
            comps.setdefault(root, []).append(article_id)
            latest[root] = max(latest.get(root, self.day_of[article_id]), self.day_of[article_id])
        for root, members in comps.items():
            if before is None or latest[root] < before:
                yield from self._link(sorted(members))
        for article_id in [a for a, d in self.day_of.items() if before is None or d < before]:
            if article_id not in self.strong.parent:  # in no strong pair: a story of its own and its copies
                self._forget(article_id)

    def _link(self, members: list[str]) -> Iterator[list[str]]:
        inside = set(members)
        pairs = {(p.a, p.b): p for m in members for p in self.pairs_of.get(m, ()) if p.a in inside and p.b in inside}
        groups = average_linkage(members, list(pairs.values()), self.threshold or 0.0)
        for article_id in members:
            self._forget(article_id)
            self.strong.parent.pop(article_id, None)
        for group in groups.groups():
            if len(group) > 1:
                self.linked.update(group)
                yield sorted([*group, *(c for a in group for c in self.copies.get(a, ()))])
            else:
                yield from self._copies_only(group)

    def _copies_only(self, kept: Iterable[str] | None = None) -> Iterator[list[str]]:
        """Stories of a kept article and its copies, for kept articles in no linked story (all when None)."""
        for article_id in sorted(self.copies) if kept is None else kept:
            if article_id in self.copies and article_id not in self.linked:
                self.linked.add(article_id)
                yield sorted([article_id, *self.copies[article_id]])

    def _forget(self, article_id: str) -> None:
        self.day_of.pop(article_id, None)
        self.pairs_of.pop(article_id, None)


def story_record(members: list[str], duplicates: Mapping[str, str]) -> Record:
    """A story of several articles, with ``duplicates`` (copy id → kept id) for the copies among them."""
    story: Record = {"id": stable_id("s-", members), "article_ids": members}
    copies = {a: duplicates[a] for a in members if a in duplicates}
    return {**story, "duplicates": copies} if copies else story
