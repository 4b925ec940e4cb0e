"""Quotes and confidence: which sentences of a passage answer, and whether anything answers at all.

Pure functions. A sentence scores by the share of the question's keyword terms
it holds, each weighted by its rarity (IDF over passages: names and numbers
count most), mixed with its late-chunked vector's cosine to the question. On
SQuAD-it (``bench/quality.py``), when the right passage is found, the best
sentence holds the answer in 0.83 of Italian questions (the first sentence: 0.35),
and with its better neighbour in 0.92.

Whether to answer at all is a logistic model of three signals of the best
passage — its best sentence's cosine, its keyword coverage and its ranking score —
fitted per language by ``bench/tune.py`` on SQuAD-it questions against the same
questions with their topic removed from the archive, and checked on questions
written for the seed archive (``tests/index/seed_questions.py``).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from index.passages import reads_as_sentence

KEYWORD_SHARE = {"it": 0.8, "en": 1.0}  # English: overlap only, the cosine breaks ties
TIE_BREAK = 1e-3
NEIGHBOUR_SHARE = 0.7  # the better neighbour joins the quote when it scores this close to the best
SHORT_SENTENCE_WORDS = 10  # a best sentence this short is quoted with its better neighbour
# A lone keyword hit among vector candidates has a z-score that grows with the square root of
# their number: its fused score says "the only passage with that word", not "the answer". The
# confidence reads the ranking score clipped here (in standard deviations).
FUSED_CAP = 3.0
FOLLOWING_SHARE = 0.5  # answers after the first need half the confidence: related, not necessarily the answer


@dataclass(frozen=True)
class Signals:
    """What tells whether a passage answers a question."""

    cosine: float  # its best sentence's cosine to the question
    coverage: float  # the IDF-weighted share of the question's terms it holds (title included)
    fused: float  # its fused score among the question's candidates


@dataclass(frozen=True)
class Confidence:
    """A logistic model of "this passage answers the question"."""

    cosine: float
    coverage: float
    fused: float
    intercept: float
    threshold: float = 0.5

    def probability(self, signals: Signals) -> float:
        z = self.intercept + self.cosine * signals.cosine + self.coverage * signals.coverage + self.fused * signals.fused
        return 1 / (1 + math.exp(-max(-50.0, min(50.0, z))))


# Fitted by ``bench/tune.py`` on half of SQuAD-it's topics: the top passage of answerable questions
# against the top passage once the question's whole Wikipedia article is removed (a topic the
# archive never covered: "no answer"). Held-out AUC: Italian 0.939, English 0.846. On the held-out
# half, Italian at 0.4 answers 78% of answerable questions and 6% of off-topic ones (other
# Wikipedia topics share much vocabulary); English at 0.5 answers 66% and 14%. The thresholds are
# set on the questions written for the seed archive (``tests/index/seed_questions.py``): English
# ones split at 0.42 (highest unanswerable, "What is the capital of Australia?") against 0.58
# (lowest answered), hence 0.5; Italian ones at 0.17 against 0.45, and 0.4 keeps SQuAD's
# off-topic answers rare.
CONFIDENCE = {
    "it": Confidence(cosine=8.395, coverage=6.240, fused=1.729, intercept=-11.633, threshold=0.4),
    "en": Confidence(cosine=6.782, coverage=2.997, fused=1.008, intercept=-5.207, threshold=0.5),
}


def term_weights(terms: Sequence[str], document_frequency: Mapping[str, int], documents: int) -> dict[str, float]:
    """Inverse document frequency of each question term (a term no passage holds weighs the most)."""
    return {term: math.log(1 + documents / max(1, document_frequency.get(term, 0))) for term in terms}


def coverage(weights: Mapping[str, float], present: set[str]) -> float:
    """The IDF-weighted share of the question's terms found in ``present``."""
    total = sum(weights.values())
    return sum(w for t, w in weights.items() if t in present) / total if total else 0.0


def sentence_scores(coverages: Sequence[float], cosines: Sequence[float], language: str) -> list[float]:
    """Each sentence's score: its keyword coverage mixed with its cosine to the question."""
    share = min(KEYWORD_SHARE.get(language, KEYWORD_SHARE["it"]), 1 - TIE_BREAK)
    return [share * c + (1 - share) * s for c, s in zip(coverages, cosines)]


def choose_sentences(scores: Sequence[float], sentences: Sequence[str]) -> tuple[int, int]:
    """(first, last) sentence of the quote: the best one, with its better neighbour when that one
    scores close to it or the best is short on its own.

    Headings and captions inside a passage ("Vertice a Minsk tra Russia e Bielorussia") often hold
    the question's words but answer nothing: they are quoted only when the passage has nothing else.
    """
    if not scores:
        return 0, -1
    whole = [reads_as_sentence(s) for s in sentences]
    quotable = [i for i in range(len(scores)) if whole[i]] or list(range(len(scores)))
    best = max(quotable, key=lambda i: (scores[i], -i))
    neighbours = [i for i in (best - 1, best + 1) if 0 <= i < len(scores) and whole[i] == whole[best]]
    if not neighbours:
        return best, best
    other = max(neighbours, key=lambda i: scores[i])
    if len(sentences[best].split()) < SHORT_SENTENCE_WORDS or scores[other] >= NEIGHBOUR_SHARE * scores[best] > 0:
        return min(best, other), max(best, other)
    return best, best


def cosines(sentence_vectors: np.ndarray | None, question: np.ndarray, count: int) -> list[float]:
    if sentence_vectors is None or len(sentence_vectors) != count:
        return [0.0] * count
    return (sentence_vectors @ question).astype(float).tolist()
