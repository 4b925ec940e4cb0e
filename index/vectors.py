"""The FAISS index of sentence vectors (the only faiss import).

Ids are the store's sentence vector ids (``store.vector_id``: a passage's id times
``SENTENCE_SLOTS`` plus the sentence's index), not passage ids. The index type is chosen
by size: exact inner product (``flat``) up to ``EXACT_LIMIT`` vectors, an inverted file
(``ivf<nlist>``) above it, searched with ``nprobe`` lists. Vectors are normalized,
so inner product is cosine similarity. Searching is thread-safe; adding and
removing are not (only a build does them, before a segment is written: see ``segments``).
"""

from __future__ import annotations

import errno
import math
import os
from dataclasses import dataclass
from pathlib import Path

import faiss
import numpy as np

from index.errors import IndexCorruptError

EXACT_LIMIT = 50_000  # below this, exact search is fast enough (measured by bench/query_speed.py)
IVF_LISTS_PER_SQRT = 4  # nlist = 4 * sqrt(n), FAISS's usual advice
IVF_PROBE_FRACTION = 1 / 16  # lists searched per query: recall vs exact measured by bench/query_speed.py
IVF_MIN_PROBES = 16


@dataclass(frozen=True)
class Hits:
    """Search results: sentence vector ids and cosine scores, best first (-1 ids dropped)."""

    ids: np.ndarray
    scores: np.ndarray


class VectorIndex:
    """A FAISS index over normalized vectors, keyed by sentence vector id."""

    def __init__(self, index: faiss.Index):
        self._index = index

    @property
    def kind(self) -> str:
        ivf = self._ivf()
        return f"ivf{ivf.nlist}" if ivf is not None else "flat"

    @property
    def size(self) -> int:
        return int(self._index.ntotal)

    @property
    def dimension(self) -> int:
        return int(self._index.d)

    @classmethod
    def build(cls, ids: np.ndarray, vectors: np.ndarray, dimension: int) -> "VectorIndex":
        """A new index of the right type for ``len(ids)`` vectors."""
        count = len(ids)
        if count <= EXACT_LIMIT:
            index = faiss.IndexIDMap2(faiss.IndexFlatIP(dimension))
        else:
            nlist = int(IVF_LISTS_PER_SQRT * math.sqrt(count))
            index = faiss.IndexIVFFlat(faiss.IndexFlatIP(dimension), dimension, nlist, faiss.METRIC_INNER_PRODUCT)
            index.train(_sample(vectors, nlist))
            index.nprobe = max(IVF_MIN_PROBES, int(nlist * IVF_PROBE_FRACTION))
            index.set_direct_map_type(faiss.DirectMap.Hashtable)
        built = cls(index)
        built.add(ids, vectors)
        return built

    def add(self, ids: np.ndarray, vectors: np.ndarray) -> None:
        if len(ids):
            self._index.add_with_ids(np.ascontiguousarray(vectors, dtype=np.float32), _as_ids(ids))

    def remove(self, ids: np.ndarray) -> None:
        if len(ids):
            self._index.remove_ids(_as_ids(ids))

    def search(self, query: np.ndarray, k: int, exclude: "Exclusion | None" = None) -> Hits:
        """The ``k`` nearest sentence vectors to one query vector, leaving out the ids of ``exclude``."""
        k = min(k, self.size)
        if k <= 0:
            return Hits(np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float32))
        query = np.ascontiguousarray(query.reshape(1, -1), dtype=np.float32)
        if exclude is None or not exclude.count:
            scores, ids = self._index.search(query, k)
        else:
            scores, ids = self._index.search(query, k, params=self._parameters(exclude))
        keep = ids[0] >= 0
        return Hits(ids[0][keep], scores[0][keep])

    def _parameters(self, exclude: "Exclusion") -> faiss.SearchParameters:
        ivf = self._ivf()
        if ivf is None:
            return faiss.SearchParameters(sel=exclude.selector)
        return faiss.SearchParametersIVF(sel=exclude.selector, nprobe=ivf.nprobe)

    def ids(self) -> np.ndarray:
        """Every id held, sorted (for checking the index against the store)."""
        ivf = self._ivf()
        if ivf is None:
            held = faiss.vector_to_array(self._index.id_map)
        else:
            lists = ivf.invlists
            parts = [
                faiss.rev_swig_ptr(lists.get_ids(i), lists.list_size(i)).copy()
                for i in range(ivf.nlist)
                if lists.list_size(i)
            ]
            held = np.concatenate(parts) if parts else np.zeros(0, dtype=np.int64)
        return np.sort(held.astype(np.int64))

    def save(self, path: Path) -> None:
        """Write the index to ``path``; ``OSError`` when the write fails (FAISS reports it as RuntimeError)."""
        try:
            faiss.write_index(self._index, str(path))
        except RuntimeError as error:
            code = _errno_in(error)
            raise OSError(code, os.strerror(code), str(path)) from error

    @classmethod
    def load(cls, path: Path) -> "VectorIndex":
        try:
            index = faiss.read_index(str(path))
        except RuntimeError as error:
            raise IndexCorruptError(f"the vector file {path.name} is damaged ({_first_line(error)})") from error
        return cls(index)

    def _ivf(self):
        try:
            return faiss.extract_index_ivf(self._index)
        except RuntimeError:
            return None


class Exclusion:
    """Ids a search leaves out (vectors deleted from an immutable segment), prepared once."""

    def __init__(self, ids: np.ndarray):
        self.ids = _as_ids(ids)  # kept: FAISS's selector reads this array
        self.count = len(self.ids)
        self._batch = faiss.IDSelectorBatch(self.ids)
        self.selector = faiss.IDSelectorNot(self._batch)


def _as_ids(ids: np.ndarray) -> np.ndarray:
    return np.ascontiguousarray(ids, dtype=np.int64)


def _sample(vectors: np.ndarray, nlist: int) -> np.ndarray:
    """Training vectors for k-means: about 64 per list, as FAISS recommends at most 256."""
    wanted = min(len(vectors), nlist * 64)
    rows = np.random.default_rng(0).choice(len(vectors), size=wanted, replace=False)
    return np.ascontiguousarray(vectors[np.sort(rows)], dtype=np.float32)


_ERRNO_BY_TEXT = {os.strerror(code): code for code in errno.errorcode}


def _errno_in(error: RuntimeError) -> int:
    """The errno a FAISS I/O error names ("... (No space left on device)"), else EIO."""
    text = str(error)
    return next((code for words, code in _ERRNO_BY_TEXT.items() if f"({words})" in text or text.endswith(words)), errno.EIO)


def _first_line(error: Exception) -> str:
    return str(error).strip().splitlines()[0][:200] if str(error).strip() else type(error).__name__
