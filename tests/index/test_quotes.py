"""Quotes and confidence, pure: term weights, coverage, sentence scores, the quoted sentences, the judgement."""

from __future__ import annotations

import math

import numpy as np
import pytest

from index import quotes
from index.config import MINILM_MODEL
from index.embedder import E5_IDENTITY
from index.quotes import Calibration, Confidence, Signals


@pytest.mark.parametrize("frequency, weights", [
    ({"minsk": 2, "gas": 10}, {"minsk": math.log(6), "gas": math.log(2), "nuovo": math.log(11)}),
    ({}, {"minsk": math.log(11), "gas": math.log(11), "nuovo": math.log(11)}),  # held by none: weighs the most
])
def test_term_weights(frequency, weights):
    assert quotes.term_weights(["minsk", "gas", "nuovo"], frequency, 10) == pytest.approx(weights)


@pytest.mark.parametrize("weights, present, share", [
    ({"minsk": 1.0, "gas": 3.0}, {"gas"}, 0.75),
    ({"minsk": 1.0, "gas": 3.0}, {"minsk", "gas", "other"}, 1.0),
    ({"minsk": 1.0, "gas": 3.0}, set(), 0.0),
    ({}, {"minsk"}, 0.0),  # no terms: nothing covered
])
def test_coverage(weights, present, share):
    assert quotes.coverage(weights, present) == share


@pytest.mark.parametrize("language, scores", [
    ("it", [0.8, 0.2]),  # Italian: keywords 0.8, the cosine 0.2
    ("en", [0.999, 0.001]),  # English: overlap only, the cosine breaks ties
    ("fr", [0.8, 0.2]),  # other languages as Italian
])
def test_sentence_scores(language, scores):
    assert quotes.sentence_scores([1.0, 0.0], [0.0, 1.0], language) == pytest.approx(scores)


LONG = "Il ministro ha firmato ieri sera a Minsk un accordo sul prezzo del gas russo."
LONGER = "La delegazione bielorussa ha lasciato la capitale subito dopo la conferenza stampa congiunta."
SHORT = "Lo ha detto Peskov."
HEADING = "Vertice a Minsk tra Russia e Bielorussia"


@pytest.mark.parametrize("scores, sentences, quote", [
    ([], [], (0, -1)),
    ([0.9], [LONG], (0, 0)),
    ([0.9, 0.1], [LONG, LONGER], (0, 0)),  # the neighbour scores far below: alone
    ([0.9, 0.7], [LONG, LONGER], (0, 1)),  # the neighbour scores close: together
    ([0.1, 0.9, 0.5], [LONGER, SHORT, LONG], (1, 2)),  # a short best sentence takes its better neighbour
    ([0.9, 0.5, 0.1], [HEADING, LONG, LONGER], (1, 1)),  # a heading is not quoted while a sentence is there
    ([0.5, 0.9], [LONG, HEADING], (0, 0)),  # nor joined to one
    ([0.2, 0.9], [HEADING, "Foto: Reuters"], (0, 1)),  # only headings: the best of them
    ([0.0, 0.0], [LONG, LONGER], (0, 0)),  # nothing scores: the first, alone
])
def test_choose_sentences(scores, sentences, quote):
    assert quotes.choose_sentences(scores, sentences) == quote


@pytest.mark.parametrize("vectors, count, expected", [
    (np.array([[1.0, 0.0], [0.6, 0.8]], dtype=np.float32), 2, [1.0, 0.6]),
    (None, 2, [0.0, 0.0]),  # no sentence vectors stored
    (np.array([[1.0, 0.0]], dtype=np.float32), 2, [0.0, 0.0]),  # not one per sentence
])
def test_cosines(vectors, count, expected):
    assert quotes.cosines(vectors, np.array([1.0, 0.0], dtype=np.float32), count) == pytest.approx(expected)


def test_confidence_is_a_logistic_model_of_the_signals():
    model = Confidence(cosine=2.0, coverage=1.0, fused=0.5, intercept=-2.0, first=1.0)
    signals = Signals(cosine=0.5, coverage=1.0, fused=2.0)
    assert model.probability(signals) == pytest.approx(1 / (1 + math.exp(-1.0)))
    assert model.probability(signals, first=True) == pytest.approx(1 / (1 + math.exp(-2.0)))
    assert Confidence(cosine=1e6, coverage=0, fused=0, intercept=0).probability(signals) == pytest.approx(1.0)


# related: the cosine alone, at 0.5 probability where the cosine is 0.5; answers: the coverage alone.
CALIBRATION = Calibration(
    related=Confidence(cosine=20.0, coverage=0.0, fused=0.0, intercept=-10.0), related_bar=0.5, following_bar=0.2,
    answers=Confidence(cosine=0.0, coverage=10.0, fused=0.0, intercept=-5.0),
)


def signal(cosine: float, coverage: float = 0.5) -> Signals:
    return Signals(cosine=cosine, coverage=coverage, fused=0.0)


@pytest.mark.parametrize("signals, shown", [
    ([], []),
    ([signal(0.4)], []),  # the best passage unrelated: no answer
    ([signal(0.4), signal(0.9)], []),  # ... whatever follows it
    ([signal(0.6, 0.9)], [(0, False)]),
    ([signal(0.6, 0.1)], [(0, True)]),  # related, unlikely to answer: shown as uncertain
    ([signal(0.6, 0.9), signal(0.3), signal(0.47, 0.9)], [(0, False), (2, False)]),  # 0.3 is below the later bar
])
def test_calibration_judge(signals, shown):
    judged = CALIBRATION.judge(signals)
    assert [(position, uncertain) for position, _, uncertain in judged] == shown
    for position, confidence, _ in judged:
        assert confidence == pytest.approx(CALIBRATION.answers.probability(signals[position], first=position == 0))


@pytest.mark.parametrize("model, calibrated", [(E5_IDENTITY, True), (MINILM_MODEL, True), ("some/other-model", False)])
def test_calibration_for(model, calibrated):
    found = quotes.calibration_for(model)
    assert (found is not None) == calibrated
    if calibrated:
        assert set(found) == {"it", "en"}
