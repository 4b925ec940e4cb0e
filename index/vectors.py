"""The FAISS index of sentence vectors (the only faiss import).

Ids are sentence vector ids (``store.vector_id``: passage id * 1024 + sentence). The index type
is chosen by size:

- ``flat``: exact inner product, up to ``EXACT_LIMIT`` vectors;
- ``ivf<nlist>``: an inverted file of the full vectors, up to ``COMPRESS_LIMIT``, searched with
  ``nprobe`` lists: it may miss a neighbour, but the scores it gives are exact;
- ``ivf<nlist>,pq<m>``: an inverted file of product-quantized codes (``m`` bytes a vector instead of
  1,536), above it: a million passages (about 3M vectors) take about 220 MB instead of 4.6 GB.
  Its scores are estimates (``approximate_scores``): the answerer fetches more candidates and
  re-scores them exactly from the store's float32 vectors.

Vectors are normalized, so inner product is cosine similarity. Searching is thread-safe; adding
and removing are not (only a build does them, before a segment is written: see ``segments``). The figures behind every
constant are printed by ``bench/compression.py``.
"""

from __future__ import annotations

import errno
import math
import os
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

import faiss
import numpy as np

from index.errors import IndexCorruptError

EXACT_LIMIT = 50_000  # below this, exact search is fast enough (measured by bench/query_speed.py)
IVF_LISTS_PER_SQRT = 4  # nlist = 4 * sqrt(n), FAISS's usual advice
IVF_PROBE_FRACTION = 1 / 16  # lists searched per query: recall vs exact measured by bench/query_speed.py
IVF_MIN_PROBES = 16
COMPRESS_LIMIT = 300_000  # above this (about 100k passages, 460 MB of float32), codes instead of vectors
PQ_BYTES = 64  # bytes of code a vector: 64 sub-quantizers of 8 bits, 6 dimensions each
PQ_LISTS_PER_SQRT = 1  # nlist = sqrt(n): fewer, longer lists than IVF-flat, so k-means stays short at 3M
PQ_PROBE_FRACTION = 1 / 16  # lists searched per query, as IVF-flat
PQ_MIN_PROBES = 64
TRAINING_PER_LIST = 64  # k-means sample: about 64 vectors per list, as FAISS recommends at most 256
FLAT, IVF, COMPRESSED = "flat", "ivf", "ivfpq"
SPLIT_LISTS = 1  # FAISS's ``parallel_mode`` that shares one query's lists between its threads


@dataclass(frozen=True)
class Hits:
    """Search results: vector ids and cosine scores, best first (-1 ids dropped)."""

    ids: np.ndarray
    scores: np.ndarray


def family_for(count: int) -> str:
    """The index type for ``count`` vectors: ``FLAT``, ``IVF`` or ``COMPRESSED``."""
    if count <= EXACT_LIMIT:
        return FLAT
    return IVF if count <= COMPRESS_LIMIT else COMPRESSED


class VectorIndex:
    """A FAISS index over normalized vectors, keyed by sentence vector id."""

    def __init__(self, index: faiss.Index, trained_size: int = 0):
        self._index = index
        self.trained_size = trained_size
        ivf = self._ivf()
        if ivf is not None:
            # FAISS splits a batch of queries between its threads by default, so one question's
            # search ran on one core; this splits its lists instead (not kept in the file).
            ivf.parallel_mode = SPLIT_LISTS

    @property
    def family(self) -> str:
        ivf = self._ivf()
        if ivf is None:
            return FLAT
        return COMPRESSED if isinstance(ivf, faiss.IndexIVFPQ) else IVF

    @property
    def kind(self) -> str:
        """``flat``, ``ivf<nlist>`` or ``ivf<nlist>,pq<bytes>`` (recorded in the manifest, shown by stats)."""
        ivf = self._ivf()
        if ivf is None:
            return FLAT
        return f"ivf{ivf.nlist},pq{ivf.pq.M}" if isinstance(ivf, faiss.IndexIVFPQ) else f"ivf{ivf.nlist}"

    @property
    def approximate_scores(self) -> bool:
        """True when the scores are estimates from compressed codes: re-score what is kept exactly."""
        return self.family == COMPRESSED

    @property
    def size(self) -> int:
        return int(self._index.ntotal)

    @property
    def dimension(self) -> int:
        return int(self._index.d)

    @classmethod
    def build(cls, ids: np.ndarray, vectors: np.ndarray, dimension: int, family: str | None = None) -> "VectorIndex":
        """A new index of the right type for ``len(ids)`` vectors (or of ``family``, for benchmarks)."""
        built = cls.trained(len(ids), lambda rows: vectors[rows], dimension, family)
        built.add(ids, vectors)
        return built

    @classmethod
    def from_batches(
        cls, batches: Callable[[], Iterable[tuple[np.ndarray, np.ndarray]]], count: int, dimension: int
    ) -> "VectorIndex":
        """``build`` from (ids, vectors) batches read twice (training sample, then adding), so that
        millions of vectors are never in memory at once as float32."""
        wanted, sample, seen = _training_rows(count, _lists_for(family_for(count), count)), [], 0
        if len(wanted):
            for _, matrix in batches():
                sample.append(matrix[wanted[(wanted >= seen) & (wanted < seen + len(matrix))] - seen])
                seen += len(matrix)
        matrix = np.vstack(sample).astype(np.float32) if sample else np.zeros((0, dimension), np.float32)
        built = cls.trained(count, lambda rows: matrix, dimension)
        for ids, vectors in batches():
            built.add(ids, vectors)
        return built

    @classmethod
    def trained(
        cls, count: int, sample: Callable[[np.ndarray], np.ndarray], dimension: int, family: str | None = None
    ) -> "VectorIndex":
        """An empty index of the type for ``count`` vectors, trained on ``sample(rows)`` (rows of the
        ``count`` vectors to train on, sorted); vectors are then added with ``add``."""
        family = family or family_for(count)
        nlist = _lists_for(family, count)
        if family == FLAT:
            return cls(faiss.IndexIDMap2(faiss.IndexFlatIP(dimension)), trained_size=count)
        if family == IVF:
            index = faiss.IndexIVFFlat(faiss.IndexFlatIP(dimension), dimension, nlist, faiss.METRIC_INNER_PRODUCT)
            index.nprobe = max(IVF_MIN_PROBES, int(nlist * IVF_PROBE_FRACTION))
        else:
            index = faiss.IndexIVFPQ(faiss.IndexFlatIP(dimension), dimension, nlist, PQ_BYTES, 8, faiss.METRIC_INNER_PRODUCT)
            index.nprobe = min(nlist, max(PQ_MIN_PROBES, int(nlist * PQ_PROBE_FRACTION)))
        index.train(np.ascontiguousarray(sample(_training_rows(count, nlist)), dtype=np.float32))
        if family == IVF:
            index.set_direct_map_type(faiss.DirectMap.Hashtable)
        # No direct map for codes: at 3M vectors it would take ~50 bytes a vector in RAM, more than
        # the codes; removing scans the lists instead (~0.1 s for any number of ids).
        return cls(index, trained_size=count)

    def add(self, ids: np.ndarray, vectors: np.ndarray) -> None:
        if len(ids):
            self._index.add_with_ids(np.ascontiguousarray(vectors, dtype=np.float32), _as_ids(ids))

    def remove(self, ids: np.ndarray) -> None:
        if len(ids):
            self._index.remove_ids(_as_ids(ids))

    def search(self, query: np.ndarray, k: int, exclude: "Exclusion | np.ndarray | None" = None) -> Hits:
        """The ``k`` nearest vectors to one query vector, leaving out the ids in ``exclude``
        (deletions not yet merged away): FAISS skips them while searching, so ``k`` are still found.
        An ``Exclusion`` is prepared once for many searches (a segment's dropped ids)."""
        k = min(k, self.size)
        if k <= 0:
            return Hits(np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float32))
        matrix = np.ascontiguousarray(query.reshape(1, -1), dtype=np.float32)
        scores, ids = self._index.search(matrix, k, params=self._parameters(exclude))
        keep = ids[0] >= 0
        return Hits(ids[0][keep], scores[0][keep])

    def _parameters(self, exclude: "Exclusion | np.ndarray | None"):
        """Search parameters leaving ``exclude`` out (None when nothing is left out: the index's own)."""
        if exclude is None or not len(exclude):
            return None
        if not isinstance(exclude, Exclusion):
            exclude = Exclusion(exclude)
        ivf = self._ivf()
        if ivf is None:
            parameters = faiss.SearchParameters(sel=exclude.selector)
        else:
            parameters = faiss.SearchParametersIVF(sel=exclude.selector, nprobe=ivf.nprobe)  # else nprobe would be 1
        parameters.referenced_objects = [exclude]  # kept alive while FAISS reads it
        return parameters

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
    def load(cls, path: Path, trained_size: int = 0) -> "VectorIndex":
        try:
            index = faiss.read_index(str(path))
        except RuntimeError as error:
            raise IndexCorruptError(f"the vector file {path.name} is damaged ({_first_line(error)})") from error
        return cls(index, trained_size=trained_size)

    def serialized_bytes(self) -> int:
        """The size of the index as written (about what it takes in RAM once loaded)."""
        return int(faiss.serialize_index(self._index).size)

    def _ivf(self):
        try:
            return faiss.downcast_index(faiss.extract_index_ivf(self._index))
        except RuntimeError:
            return None


class Exclusion:
    """Ids a search leaves out, prepared once for FAISS (a segment's dropped vectors)."""

    def __init__(self, ids: np.ndarray):
        self.ids = _as_ids(ids)
        self._batch = faiss.IDSelectorBatch(self.ids)
        self.selector = faiss.IDSelectorNot(self._batch)  # reads _batch: kept alive with it

    def __len__(self) -> int:
        return len(self.ids)


def _lists_for(family: str, count: int) -> int:
    if family == FLAT:
        return 0
    per_sqrt = IVF_LISTS_PER_SQRT if family == IVF else PQ_LISTS_PER_SQRT
    return max(1, int(per_sqrt * math.sqrt(count)))


def _training_rows(count: int, nlist: int) -> np.ndarray:
    """Rows to train k-means on: about ``TRAINING_PER_LIST`` per list (none for a flat index)."""
    if not nlist:
        return np.zeros(0, dtype=np.int64)
    wanted = min(count, nlist * TRAINING_PER_LIST)
    return np.sort(np.random.default_rng(0).choice(count, size=wanted, replace=False))


def _as_ids(ids: np.ndarray) -> np.ndarray:
    return np.ascontiguousarray(ids, dtype=np.int64)


_ERRNO_BY_TEXT = {os.strerror(code): code for code in errno.errorcode}


def _errno_in(error: RuntimeError) -> int:
    """The errno a FAISS I/O error names ("... (No space left on device)"), else EIO."""
    text = str(error)
    return next((code for words, code in _ERRNO_BY_TEXT.items() if f"({words})" in text or text.endswith(words)), errno.EIO)


def _first_line(error: Exception) -> str:
    return str(error).strip().splitlines()[0][:200] if str(error).strip() else type(error).__name__
