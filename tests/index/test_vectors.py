"""The vector index of every type: build, add, remove, search (leaving ids out), ids, save and load,
and when a build must make it anew. Random vectors, no model: what matters is that vectors are held,
found and dropped, not what they mean."""

from __future__ import annotations

import numpy as np
import pytest

from index import vectors as vectors_module
from index.errors import IndexCorruptError
from index.vectors import COMPRESSED, FLAT, IVF, VectorIndex

DIMENSION = 384
COUNT = 3_000
FAMILIES = [FLAT, IVF, COMPRESSED]


def sentence_ids(count: int, first_passage: int = 0) -> np.ndarray:
    """Sentence vector ids as the store makes them: three sentences a passage, passage * 1024 + sentence."""
    rows = np.arange(count)
    return ((first_passage + rows // 3) * 1024 + rows % 3).astype(np.int64)


def random_vectors(count: int, seed: int = 0) -> np.ndarray:
    """Normalized vectors spread over a 16-dimensional subspace, as real ones occupy few directions
    (product quantization is then accurate enough to find each vector again)."""
    rng = np.random.default_rng(seed)
    matrix = rng.normal(size=(count, 16)) @ rng.normal(size=(16, DIMENSION)) + 0.05 * rng.normal(size=(count, DIMENSION))
    return (matrix / np.linalg.norm(matrix, axis=1, keepdims=True)).astype(np.float32)


@pytest.fixture(scope="module")
def data() -> tuple[np.ndarray, np.ndarray]:
    return sentence_ids(COUNT), random_vectors(COUNT)


@pytest.fixture(scope="module")
def shared(data) -> dict[str, VectorIndex]:
    """One index of each type, built once, for the tests that only read it."""
    return {family: built(data, family) for family in FAMILIES}


def copy_of(index: VectorIndex, folder) -> VectorIndex:
    """A copy to change (through a file: a second training would take longer)."""
    index.save(folder / "copy.faiss")
    return VectorIndex.load(folder / "copy.faiss", trained_size=index.trained_size)


def built(data, family: str) -> VectorIndex:
    ids, matrix = data
    return VectorIndex.build(ids, matrix, DIMENSION, family=family)


@pytest.mark.parametrize(
    "family, kind, approximate", [(FLAT, "flat", False), (IVF, "ivf219", False), (COMPRESSED, "ivf54,pq64", True)]
)
def test_each_type_says_what_it_is(shared, family, kind, approximate):
    index = shared[family]
    assert (index.family, index.kind, index.approximate_scores) == (family, kind, approximate)
    assert (index.size, index.dimension) == (COUNT, DIMENSION)


@pytest.mark.parametrize("family", FAMILIES)
def test_each_vector_is_found_again_with_its_cosine(data, shared, family):
    ids, matrix = data
    index = shared[family]
    row_of = {vector_id: row for row, vector_id in enumerate(ids.tolist())}
    for row in range(0, COUNT, 150):
        hits = index.search(matrix[row], 10)
        assert ids[row] in hits.ids.tolist()
        assert list(hits.scores) == sorted(hits.scores, reverse=True)
        cosines = matrix[[row_of[i] for i in hits.ids.tolist()]] @ matrix[row]
        error = np.abs(hits.scores - cosines)
        assert error.mean() < 0.1 if index.approximate_scores else error.max() < 1e-5  # estimates, or exact


@pytest.mark.parametrize("family", FAMILIES)
def test_excluded_ids_are_left_out_and_the_next_ones_found(data, shared, family):
    ids, matrix = data
    index = shared[family]
    query = matrix[7]
    wider = index.search(query, 13)
    left_out = wider.ids[:3]
    hits = index.search(query, 10, exclude=left_out)
    assert not set(hits.ids.tolist()) & set(left_out.tolist())
    assert hits.ids.tolist() == wider.ids[3:].tolist()  # the lists searched are the index's own (nprobe kept)
    assert np.allclose(hits.scores, wider.scores[3:])


@pytest.mark.parametrize("family", FAMILIES)
def test_excluding_nothing_is_searching(data, shared, family):
    index = shared[family]
    query = data[1][11]
    plain = index.search(query, 10)
    for nothing in (None, np.zeros(0, dtype=np.int64), np.array([123_456_789], dtype=np.int64)):
        assert index.search(query, 10, exclude=nothing).ids.tolist() == plain.ids.tolist()


@pytest.mark.parametrize("family", FAMILIES)
def test_ids_follow_adding_and_removing(data, shared, family, tmp_path):
    ids, matrix = data
    index = copy_of(shared[family], tmp_path)
    assert index.ids().tolist() == sorted(ids.tolist())
    removed = ids[::7]
    index.remove(removed)
    kept = np.setdiff1d(ids, removed)
    assert index.size == len(kept) and index.ids().tolist() == kept.tolist()
    assert not set(index.search(matrix[0], 50).ids.tolist()) & set(removed.tolist())
    new_ids, new_vectors = sentence_ids(30, first_passage=10_000), random_vectors(30, seed=1)
    index.add(new_ids, new_vectors)
    assert index.ids().tolist() == sorted(kept.tolist() + new_ids.tolist())
    assert new_ids[4] in index.search(new_vectors[4], 10).ids.tolist()


@pytest.mark.parametrize("family", FAMILIES)
def test_saved_and_loaded_it_answers_the_same(data, shared, family, tmp_path):
    ids, matrix = data
    index = copy_of(shared[family], tmp_path)
    index.remove(ids[:5])
    index.save(tmp_path / "v.faiss")
    loaded = VectorIndex.load(tmp_path / "v.faiss", trained_size=COUNT)
    assert (loaded.kind, loaded.approximate_scores, loaded.size) == (index.kind, index.approximate_scores, index.size)
    assert loaded.ids().tolist() == index.ids().tolist()
    exclude = ids[10:12]
    for row in (20, 400, 2_999):
        assert loaded.search(matrix[row], 10, exclude).ids.tolist() == index.search(matrix[row], 10, exclude).ids.tolist()
    assert index.serialized_bytes() == (tmp_path / "v.faiss").stat().st_size


def test_a_damaged_file_is_refused(shared, tmp_path):
    shared[COMPRESSED].save(tmp_path / "v.faiss")
    content = (tmp_path / "v.faiss").read_bytes()
    (tmp_path / "v.faiss").write_bytes(content[: len(content) // 2])
    with pytest.raises(IndexCorruptError):
        VectorIndex.load(tmp_path / "v.faiss")


def test_codes_take_a_fraction_of_the_vectors(shared):
    compressed, exact = shared[COMPRESSED], shared[FLAT]
    assert compressed.serialized_bytes() < exact.serialized_bytes() / 5


@pytest.fixture
def small_limits(monkeypatch):
    """Types change at a few hundred vectors, with short codes: the same rules, built in a moment."""
    monkeypatch.setattr(vectors_module, "EXACT_LIMIT", 300)
    monkeypatch.setattr(vectors_module, "COMPRESS_LIMIT", 1_200)
    monkeypatch.setattr(vectors_module, "PQ_BYTES", 8)


@pytest.mark.parametrize("count", [200, 800, 1_500])
def test_built_from_batches_it_is_the_index_built_at_once(count, small_limits):
    ids, matrix = sentence_ids(count), random_vectors(count)
    batches = lambda: ((ids[s : s + 70], matrix[s : s + 70]) for s in range(0, count, 70))  # noqa: E731
    streamed, whole = VectorIndex.from_batches(batches, count, DIMENSION), VectorIndex.build(ids, matrix, DIMENSION)
    assert (streamed.kind, streamed.trained_size) == (whole.kind, count)
    assert streamed.ids().tolist() == whole.ids().tolist()
    for row in (3, 133):
        assert streamed.search(matrix[row], 10).ids.tolist() == whole.search(matrix[row], 10).ids.tolist()
