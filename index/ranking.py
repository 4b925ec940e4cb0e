"""Ranking, pure and without I/O: fusing the two searches, preferring the asked period,
keeping the results varied.

Fusion is convex over normalized scores: each side's scores are turned into
z-scores over its own candidate list (so a bm25 of 14 and a cosine of 0.6 become
comparable), a candidate missing from one side gets that side's floor, and the
two are mixed with one weight per question language (``FusionWeights``).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass

MISSING_Z = -1.0  # the z-score of a candidate one search did not return (below its list's mean)


@dataclass(frozen=True)
class FusionWeights:
    """How much the vector side counts, per question language (the keyword side gets the rest)."""

    italian: float = 0.3
    english: float = 0.5

    def vector_weight(self, language: str) -> float:
        return self.italian if language == "it" else self.english


def zscores(scores: Mapping[int, float]) -> dict[int, float]:
    """Each score's distance from the list's mean, in standard deviations."""
    if not scores:
        return {}
    values = list(scores.values())
    mean = sum(values) / len(values)
    spread = math.sqrt(sum((v - mean) ** 2 for v in values) / len(values)) or 1.0
    return {key: (value - mean) / spread for key, value in scores.items()}


def fuse(vector: Mapping[int, float], keyword: Mapping[int, float], vector_weight: float) -> dict[int, float]:
    """Convex fusion of z-normalized vector and keyword scores."""
    vz, kz = zscores(vector), zscores(keyword)
    floor_v = min(vz.values(), default=0.0) if vz else 0.0
    floor_k = min(kz.values(), default=0.0) if kz else 0.0
    fused = {}
    for key in set(vz) | set(kz):
        v = vz.get(key, min(floor_v, MISSING_Z))
        k = kz.get(key, min(floor_k, MISSING_Z))
        fused[key] = vector_weight * v + (1 - vector_weight) * k
    return fused


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
