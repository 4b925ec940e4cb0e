"""Vector segments: written once, searched together less their dropped ids, merged when they pile up."""

from __future__ import annotations

import numpy as np
import pytest

from index import segments
from index.errors import IndexCorruptError
from index.records import Segment

DIMENSION = 8


def unit(count: int, seed: int) -> np.ndarray:
    matrix = np.random.default_rng(seed).normal(size=(count, DIMENSION)).astype(np.float32)
    return matrix / np.linalg.norm(matrix, axis=1, keepdims=True)


def written(tmp_path, runs: list[tuple[int, int]]) -> tuple[list[Segment], dict[int, np.ndarray]]:
    """Segments of the id runs ``[(first, count), ...]``, and every vector by id."""
    records, by_id = [], {}
    for number, (first, count) in enumerate(runs, start=1):
        ids = np.arange(first, first + count, dtype=np.int64)
        matrix = unit(count, number)
        records.append(segments.write(tmp_path, number, ids, matrix, DIMENSION))
        by_id.update(zip(ids.tolist(), matrix))
    return records, by_id


def test_search_over_segments_is_exact_search_less_the_dropped(tmp_path):
    records, by_id = written(tmp_path, [(0, 50), (100, 30), (200, 5)])
    dropped = np.array([3, 101, 204], dtype=np.int64)
    vectors = segments.load(tmp_path, records, dropped, DIMENSION)
    assert vectors.size == 82 and vectors.kind == "flat + 2 segments"
    assert set(vectors.ids().tolist()) == set(by_id) - set(dropped.tolist())
    kept = sorted(set(by_id) - set(dropped.tolist()))
    matrix = np.stack([by_id[i] for i in kept])
    for query in unit(10, 99):
        hits = vectors.search(query, 10)
        expected = np.array(kept)[np.argsort(-(matrix @ query), kind="stable")[:10]]
        assert hits.ids.tolist() == expected.tolist()
        assert not set(hits.ids.tolist()) & set(dropped.tolist())


def test_a_segment_file_is_checked_when_loaded(tmp_path):
    records, _ = written(tmp_path, [(0, 20)])
    path = tmp_path / segments.FOLDER / records[0].file
    data = bytearray(path.read_bytes())
    data[-10] ^= 0xFF
    path.write_bytes(bytes(data))
    with pytest.raises(IndexCorruptError, match="does not match its checksum"):
        segments.load(tmp_path, records, np.zeros(0, np.int64), DIMENSION)
    path.unlink()
    with pytest.raises(IndexCorruptError, match="is missing"):
        segments.load(tmp_path, records, np.zeros(0, np.int64), DIMENSION)


def test_unrecorded_files_are_cleared_and_ids_never_reused(tmp_path):
    records, _ = written(tmp_path, [(0, 10), (10, 10)])
    (tmp_path / segments.FOLDER / ".seg-00000007.faiss.tmp").write_bytes(b"half")
    orphan = segments.write(tmp_path, 3, np.arange(20, 25), unit(5, 3), DIMENSION)  # written, never recorded
    assert segments.next_id(tmp_path, records) == 4
    segments.clear_unrecorded(tmp_path, records)
    assert sorted(p.name for p in (tmp_path / segments.FOLDER).iterdir()) == [r.file for r in records]
    assert orphan.file not in {r.file for r in records}


def record(number: int, count: int, first: int) -> Segment:
    return Segment(number, f"seg-{number:08d}.faiss", "flat", count, first, first + count - 1, 0, "")


def plan(sizes: list[int], dropped: list[int] = ()) -> list[int]:
    """The segment numbers ``merge_plan`` picks among segments of these sizes (ids in order)."""
    records, first = [], 0
    for number, size in enumerate(sizes, start=1):
        records.append(record(number, size, first))
        first += size
    return [r.id for r in segments.merge_plan(records, np.array(sorted(dropped), dtype=np.int64))]


@pytest.mark.parametrize("sizes, dropped, expected", [
    ([1000], [], []),  # one segment: nothing to merge
    ([1000, 10, 10, 10], [], []),  # three small ones: not yet
    ([1000, 10, 10, 10, 10], [], [2, 3, 4, 5]),  # four small ones gather: merged, the big one stays
    ([30, 10, 10, 10, 10], [], [1, 2, 3, 4, 5]),  # the older one is small enough to join
    ([1000, 40, 10, 10, 10, 10], [], [2, 3, 4, 5, 6]),
    ([1000, 10], list(range(0, 250)), [1, 2]),  # a quarter of the big one dropped: rewritten, with its neighbour
    ([1000, 10], list(range(0, 249)), []),
], ids=["one", "three small", "four small", "older joins", "cascade", "dropped share", "below the share"])
def test_merge_plan(sizes, dropped, expected):
    assert plan(sizes, dropped) == expected


def test_many_updates_keep_few_segments():
    """Each update adds a segment; merging as planned keeps their number logarithmic."""
    sizes: list[int] = [5000]
    most = 0
    for _ in range(300):
        sizes.append(12)
        while chosen := plan(sizes):
            first = chosen[0] - 1
            sizes = sizes[:first] + [sum(sizes[first:])]
        most = max(most, len(sizes))
    assert sum(sizes) == 5000 + 300 * 12
    assert most <= 12, sizes
