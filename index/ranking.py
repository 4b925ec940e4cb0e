"""Ranking, pure and without I/O: fusing the two searches, preferring the asked period,
keeping the results varied.

Fusion is convex over z-scores, with one weight per question language. Each
side's scores are standardized over the candidates, so a bm25 of 14 and a
cosine of 0.6 become comparable; a candidate the keyword search did not return
counts as bm25 0, one the vector side lacks gets its lowest z-score. Measured on
SQuAD-it (``bench/quality.py``), this beats textbook reciprocal rank fusion by
15 points of Italian recall@5, where equal-weight RRF is worse than keywords alone.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass

import numpy as np

from index.config import MINILM_MODEL


@dataclass(frozen=True)
class FusionWeights:
    """How much the keyword side counts, per question language (the vector side gets the rest).

    The defaults are multilingual-e5-small's: it reads Italian well (vector recall@5 of Italian
    questions 0.89 alone), so keywords add names and numbers to it rather than lead. On SQuAD-it
    (``bench/tune.py``) any weight from 0.25 to 0.45 (Italian) and from 0.1 to 0.3 (English) is
    within a point of the best recall@5; the written seed questions, short news articles where
    a name or a number decides, pick the top of those ranges ("How big was the loan Putin granted
    to Belarus?" needs 0.3 to rank the loan's passage first).
    """

    italian: float = 0.40
    english: float = 0.30

    def keyword_weight(self, language: str) -> float:
        return self.english if language == "en" else self.italian


# all-MiniLM-L6-v2 reads English only: Italian questions lean on keywords (same-language matching,
# recall@5 0.91, against 0.57 for the model reading Italian); for English questions over Italian
# text both sides are weak and complementary.
MODEL_WEIGHTS = {MINILM_MODEL: FusionWeights(italian=0.85, english=0.55)}


def fusion_weights(model: str) -> FusionWeights:
    """The fusion weights tuned for the model ``model`` (its identity); the defaults otherwise."""
    return MODEL_WEIGHTS.get(model, FusionWeights())


def best_per_group(ids: np.ndarray, scores: np.ndarray, group_of: Callable[[np.ndarray], np.ndarray], limit: int) -> dict[int, float]:
    """From hits sorted best first, each group's best score, for the first ``limit`` groups."""
    best: dict[int, float] = {}
    for group, score in zip(group_of(ids).tolist(), scores.tolist()):
        if group not in best:
            best[group] = score
            if len(best) == limit:
                break
    return best


def zscores(scores: Mapping[int, float]) -> dict[int, float]:
    """Each score's distance from its list's mean, in standard deviations."""
    if not scores:
        return {}
    values = list(scores.values())
    mean = sum(values) / len(values)
    spread = math.sqrt(sum((v - mean) ** 2 for v in values) / len(values))
    spread = spread if spread > 1e-6 and len(values) > 1 else 1.0
    return {key: (value - mean) / spread for key, value in scores.items()}


def fuse(keyword: Mapping[int, float], vector: Mapping[int, float], keyword_weight: float) -> dict[int, float]:
    """Convex fusion of z-normalized keyword and vector scores.

    A candidate the keyword search did not return holds none of the question's words: its bm25
    counts as 0 in the keyword list's normalization, so a single keyword hit among many vector
    candidates stands out instead of sitting at its own list's mean. A candidate missing from
    the vector side counts as that list's minimum.
    """
    keys = keyword.keys() | vector.keys()
    kz = zscores({key: keyword.get(key, 0.0) for key in keys})
    vz = zscores(vector)
    v_floor = min(vz.values(), default=0.0)
    return {key: keyword_weight * kz[key] + (1 - keyword_weight) * vz.get(key, v_floor) for key in keys}


def boost(scores: Mapping[int, float], fit: Callable[[int], float], strength: float) -> dict[int, float]:
    """Add ``strength * fit(key)`` to each score (``fit`` in [0, 1]: how well a date fits)."""
    return {key: score + strength * fit(key) for key, score in scores.items()}


def rank(scores: Mapping[int, float]) -> list[int]:
    """Keys by descending score (ties by key, so results are stable)."""
    return sorted(scores, key=lambda key: (-scores[key], key))


def cap_per_group(ranked: Iterable[int], group_of: Callable[[int], str], cap: int) -> list[int]:
    """Keep at most ``cap`` keys of each group, in order."""
    counts: dict[str, int] = {}
    kept = []
    for key in ranked:
        group = group_of(key)
        if counts.get(group, 0) < cap:
            counts[group] = counts.get(group, 0) + 1
            kept.append(key)
    return kept


def collapse_duplicates(ranked: Iterable[int], text_of: Callable[[int], str], threshold: float = 0.8) -> list[int]:
    """Drop a key whose text is a near-duplicate (word-shingle Jaccard ≥ ``threshold``) of a better one."""
    kept: list[int] = []
    shingles: list[set[tuple[str, ...]]] = []
    for key in ranked:
        mine = _shingles(text_of(key))
        if any(_jaccard(mine, other) >= threshold for other in shingles):
            continue
        kept.append(key)
        shingles.append(mine)
    return kept


def _shingles(text: str, size: int = 3) -> set[tuple[str, ...]]:
    tokens = text.casefold().split()
    return {tuple(tokens[i : i + size]) for i in range(max(1, len(tokens) - size + 1))}


def _jaccard(a: set, b: set) -> float:
    return len(a & b) / len(a | b) if a and b else 0.0
