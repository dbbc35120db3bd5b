"""Exact and near-duplicate articles: MinHash LSH (datasketch) over normalised word shingles.

Exact copies already share an id (the sha256 of the clean text).  A near copy
(the same report re-published with another header, a changed caption, a
trimmed last paragraph) has a different id but almost the same word
shingles.  LSH proposes candidates; the exact Jaccard of the shingle sets
decides, so a hash collision never merges two articles.

The kept article of a duplicate group is the earliest published one (ties: the
smallest id), so the choice does not depend on the order articles arrive in.
Two articles published weeks apart are never copies: formulaic reports of
different incidents can share most of their wording.
"""

from __future__ import annotations

import re
import zlib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from rasad.merge.common import parse_date

if TYPE_CHECKING:
    from datasketch import LeanMinHash, MinHash, MinHashLSH
from rasad.text.normalize import normalize_text

_WORD = re.compile(r"\w+")
_NO_DATE = "9999-12-31"


@dataclass(frozen=True, slots=True)
class DedupOptions:
    """threshold: Jaccard of word shingles at or above which two articles are copies;
    window_days: copies are re-publications, so they appear within this many days of each other."""

    threshold: float = 0.8
    window_days: int = 14
    shingle: int = 4
    num_perm: int = 128
    seed: int = 1


def _hash32(data: bytes) -> int:
    # crc32 is stable across processes (unlike hash()) and ~10x cheaper than sha1.
    return zlib.crc32(data)


def shingles(text: str, size: int = 4) -> set[bytes]:
    """Word ``size``-grams of the normalised text (the whole text when it is shorter)."""
    words = _WORD.findall(normalize_text(text))
    if len(words) <= size:
        return {" ".join(words).encode("utf-8")} if words else set()
    return {" ".join(words[i : i + size]).encode("utf-8") for i in range(len(words) - size + 1)}


def jaccard(a: set[bytes], b: set[bytes]) -> float:
    if not a or not b:
        return 0.0
    return len(a & b) / len(a | b)


def _minhash(grams: set[bytes], template: MinHash) -> LeanMinHash:
    from datasketch import LeanMinHash, MinHash

    # Sharing the template's permutations avoids re-drawing them for every article.
    m = MinHash(num_perm=template.num_perm, seed=template.seed, hashfunc=_hash32,
                permutations=template.permutations, scheme=template.scheme)
    m.update_batch(list(grams))
    return LeanMinHash(m)


def _article_text(article: Mapping[str, Any]) -> str:
    return str(article.get("text") or article.get("title") or "")


def _keep_key(article: Mapping[str, Any]) -> tuple[str, str]:
    return (str(article.get("published") or _NO_DATE)[:10], str(article["id"]))


def _close_in_time(a: Mapping[str, Any], b: Mapping[str, Any], days: int) -> bool:
    """Published within ``days`` of each other (an unknown date is close to anything)."""
    da, db = parse_date(a.get("published")), parse_date(b.get("published"))
    return da is None or db is None or abs((da - db).days) <= days


def _index(grams: Mapping[str, set[bytes]], opts: DedupOptions) -> tuple[MinHashLSH, dict[str, LeanMinHash]]:
    from datasketch import MinHash, MinHashLSH  # imported here: datasketch pulls in scipy

    lsh = MinHashLSH(threshold=opts.threshold, num_perm=opts.num_perm)
    hashes: dict[str, LeanMinHash] = {}
    template = MinHash(num_perm=opts.num_perm, seed=opts.seed, hashfunc=_hash32)
    for article_id, g in grams.items():
        if g and article_id not in hashes:
            hashes[article_id] = _minhash(g, template)
            lsh.insert(article_id, hashes[article_id])
    return lsh, hashes


KeepKey = tuple[str, str]
Edge = tuple[KeepKey, KeepKey]


def keep_key(article: Mapping[str, Any]) -> KeepKey:
    """The order in which articles are kept: earliest published first, then the smallest id."""
    return _keep_key(article)


def copy_edges(articles: Sequence[Mapping[str, Any]], options: DedupOptions | None = None) -> list[Edge]:
    """Every (kept candidate, copy candidate) pair: an LSH candidate, close in time, Jaccard at or above
    the threshold; the first has the smaller :func:`keep_key`.  Each pair depends on those two articles
    only, so the pairs of a corpus are the union of those of overlapping time chunks."""
    opts = options or DedupOptions()
    by_id = {str(a["id"]): a for a in articles}
    grams = {article_id: shingles(_article_text(a), opts.shingle) for article_id, a in by_id.items()}
    lsh, hashes = _index(grams, opts)
    edges: list[Edge] = []
    for article_id in sorted(hashes):
        first = by_id[article_id]
        for other in sorted(lsh.query(hashes[article_id])):
            second = by_id[other]
            if (_keep_key(second) > _keep_key(first) and _close_in_time(first, second, opts.window_days)
                    and jaccard(grams[article_id], grams[other]) >= opts.threshold):
                edges.append((_keep_key(first), _keep_key(second)))
    return edges


def leader_clusters(edges: Iterable[Edge]) -> dict[str, str]:
    """Copy id → kept id by leader clustering over the copy pairs (what :func:`find_duplicates` does)."""
    copies: dict[KeepKey, list[KeepKey]] = {}
    for first, second in edges:
        copies.setdefault(first, []).append(second)
    mapping: dict[str, str] = {}
    for leader in sorted(copies):
        if leader[1] in mapping:
            continue
        for other in sorted(set(copies[leader]), key=lambda k: k[1]):
            if other[1] not in mapping:
                mapping[other[1]] = leader[1]
    return dict(sorted(mapping.items()))


def find_duplicates(articles: Sequence[Mapping[str, Any]], options: DedupOptions | None = None) -> dict[str, str]:
    """Map each near-duplicate article id to the id of the article kept for it.

    Leader clustering, earliest article first: an article not yet taken keeps
    every untaken candidate that is a copy of it (exact Jaccard at or above the
    threshold, published within ``window_days``).  Copies are compared with
    the kept article itself, so a chain of small edits never links two
    different texts.
    """
    return leader_clusters(copy_edges(articles, options))
