"""Ranking, pure: z-scores, fusion, the date boost, the per-article cap, near-duplicates, weights per model."""

from __future__ import annotations

import numpy as np
import pytest

from index import ranking
from index.config import MINILM_MODEL
from index.embedder import E5_IDENTITY


@pytest.mark.parametrize("scores, expected", [
    ({}, {}),
    ({1: 5.0}, {1: 0.0}),  # one score: no spread to divide by
    ({1: 2.0, 2: 2.0}, {1: 0.0, 2: 0.0}),
    ({1: 1.0, 2: 3.0}, {1: -1.0, 2: 1.0}),
    ({1: 1.0, 2: 2.0, 3: 3.0}, {1: -1.5 ** 0.5, 2: 0.0, 3: 1.5 ** 0.5}),
])
def test_zscores(scores, expected):
    assert ranking.zscores(scores) == pytest.approx(expected)


@pytest.mark.parametrize("keyword, vector, weight, order", [
    ({}, {1: 0.2, 2: 0.9, 3: 0.5}, 0.4, [2, 3, 1]),  # no keyword hit: the vector side decides
    ({1: 12.0}, {1: 0.2, 2: 0.9, 3: 0.5}, 0.0, [2, 3, 1]),
    ({1: 12.0}, {1: 0.2, 2: 0.9, 3: 0.5}, 1.0, [1, 2, 3]),  # the others' bm25 counts as 0: a tie, by id
    ({1: 12.0}, {1: 0.2, 2: 0.9, 3: 0.5}, 0.5, [2, 1, 3]),
    ({1: 12.0}, {1: 0.2, 2: 0.9, 3: 0.5}, 0.6, [1, 2, 3]),  # the only passage with the words stands out
    ({4: 3.0, 2: 1.0}, {1: 0.8, 2: 0.7}, 0.3, [1, 4, 2]),  # 4, missing on the vector side, counts as its lowest
])
def test_fuse_orders(keyword, vector, weight, order):
    assert ranking.rank(ranking.fuse(keyword, vector, weight)) == order


def test_fuse_is_convex_over_zscores():
    keyword, vector = {1: 9.0, 2: 3.0}, {1: 0.3, 2: 0.6, 3: 0.9}
    kz = ranking.zscores({1: 9.0, 2: 3.0, 3: 0.0})
    vz = ranking.zscores(vector)
    fused = ranking.fuse(keyword, vector, 0.25)
    assert fused == pytest.approx({key: 0.25 * kz[key] + 0.75 * vz[key] for key in vector})


def test_fuse_of_nothing_is_empty():
    assert ranking.fuse({}, {}, 0.4) == {}


@pytest.mark.parametrize("fits, strength, expected", [
    ({1: 1.0, 2: 0.0}, 2.0, {1: 2.0, 2: 1.0}),
    ({1: 0.5, 2: 0.5}, 2.0, {1: 1.0, 2: 2.0}),
    ({1: 1.0, 2: 1.0}, 0.0, {1: 0.0, 2: 1.0}),
])
def test_boost(fits, strength, expected):
    assert ranking.boost({1: 0.0, 2: 1.0}, fits.__getitem__, strength) == expected


@pytest.mark.parametrize("scores, order", [
    ({}, []),
    ({3: 1.0, 1: 1.0, 2: 2.0}, [2, 1, 3]),  # ties by id
    ({1: -1.0, 2: -0.5}, [2, 1]),
])
def test_rank(scores, order):
    assert ranking.rank(scores) == order


GROUPS = {1: "a", 2: "a", 3: "a", 4: "b", 5: "a", 6: "c"}


@pytest.mark.parametrize("cap, kept", [
    (0, []),
    (1, [1, 4, 6]),
    (2, [1, 2, 4, 6]),
    (9, [1, 2, 3, 4, 5, 6]),
])
def test_cap_per_group(cap, kept):
    assert ranking.cap_per_group([1, 2, 3, 4, 5, 6], GROUPS.__getitem__, cap) == kept


TEXTS = {
    1: "Il vertice di Minsk si è chiuso con un accordo sul gas",
    2: "il vertice di Minsk si è chiuso con un accordo sul gas",  # the same, but for case
    3: "Il vertice di Minsk si è chiuso con un accordo sul gas russo",  # one word more
    4: "Lukashenko ha incontrato Putin a Sochi",
}


@pytest.mark.parametrize("ranked, threshold, kept", [
    ([1, 2, 4], 0.8, [1, 4]),
    ([2, 1, 4], 0.8, [2, 4]),  # the better-ranked copy stays
    ([1, 3, 4], 0.8, [1, 4]),  # 9 of 10 shingles shared
    ([1, 3, 4], 0.95, [1, 3, 4]),
    ([4, 1], 0.8, [4, 1]),
])
def test_collapse_duplicates(ranked, threshold, kept):
    assert ranking.collapse_duplicates(ranked, TEXTS.__getitem__, threshold) == kept


@pytest.mark.parametrize("limit, best", [
    (1, {1: 0.9}),
    (2, {1: 0.9, 2: 0.7}),
    (9, {1: 0.9, 2: 0.7, 3: 0.5}),
])
def test_best_per_group(limit, best):
    ids = np.array([10, 11, 20, 12, 21, 30])  # sentences of passages 1, 2, 3 (id // 10), best first
    scores = np.array([0.9, 0.8, 0.7, 0.6, 0.55, 0.5])
    assert ranking.best_per_group(ids, scores, lambda found: found // 10, limit) == best


@pytest.mark.parametrize("model, italian, english", [
    (MINILM_MODEL, 0.85, 0.55),
    (E5_IDENTITY, 0.40, 0.30),
    ("some/other-model", 0.40, 0.30),  # a model without weights of its own gets the defaults
])
def test_fusion_weights(model, italian, english):
    weights = ranking.fusion_weights(model)
    assert (weights.keyword_weight("it"), weights.keyword_weight("en")) == (italian, english)
    assert weights.keyword_weight("fr") == italian  # anything but English is searched as Italian
