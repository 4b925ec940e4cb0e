"""The scale benchmark's pure helpers: the streaming exact search, the build steps, the table."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest

BENCH = Path(__file__).resolve().parents[2] / "bench"
sys.path.insert(0, str(BENCH))

import scale  # noqa: E402
import scale_report  # noqa: E402


def test_exact_top_over_batches_is_a_whole_exact_search():
    rng = np.random.default_rng(0)
    vectors, queries = rng.normal(size=(1_000, 8)).astype(np.float32), rng.normal(size=(5, 8)).astype(np.float32)
    ids = np.arange(1_000, 2_000, dtype=np.int64)
    batches = [(ids[i : i + 64], vectors[i : i + 64]) for i in range(0, 1_000, 64)]
    found = scale.exact_top(batches, queries, 10)
    expected = ids[np.argsort(-(queries @ vectors.T), axis=1)[:, :10]]
    assert [set(row) for row in found.tolist()] == [set(row) for row in expected.tolist()]


@pytest.mark.parametrize(
    "size, steps",
    [(100_000, [100_000]), (400_000, [400_000]), (1_000_000, [550_000, 1_000_000])],
)
def test_large_archives_are_built_in_two_steps_the_second_smaller(size, steps):
    assert scale.step_targets(size) == steps
    assert steps[-1] - steps[0] <= steps[0]  # the IVF index is extended, not retrained


def test_the_table_shows_growth_from_the_smallest_size_and_the_targets():
    lines = scale_report.table({100_000: {"passages": 100_000, "ask_p50": 50.0}, 1_000_000: {"passages": 1_000_000, "ask_p50": 75.0}})
    assert "1M" in lines[0] and "target (1M)" in lines[0]
    row = next(line for line in lines if line.startswith("ask p50"))
    assert "75.0 ×1.5" in row and "<= 60" in row
