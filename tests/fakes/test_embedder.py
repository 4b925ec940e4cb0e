"""The fake embedder: the Embedder's interface, and vectors that are deterministic, normalized and
alike exactly when texts share words."""

from __future__ import annotations

import inspect

import numpy as np
import pytest

from index.embedder import Embedder
from tests.fakes.embedder import DIMENSION, FakeEmbedder, hashed

FAKE = FakeEmbedder()


@pytest.mark.parametrize("name", sorted(n for n in vars(Embedder) if not n.startswith("_")))
def test_it_has_what_an_embedder_has(name):
    real, fake = inspect.getattr_static(Embedder, name), inspect.getattr_static(FakeEmbedder, name, None)
    assert fake is not None, f"FakeEmbedder lacks {name}"
    if inspect.isfunction(real):
        assert list(inspect.signature(fake).parameters) == list(inspect.signature(real).parameters)


def test_vectors_are_normalized_and_deterministic():
    texts = ["Il vertice di Minsk", "", "…", "Lukashenko"]
    matrix = FAKE.encode(texts)
    assert matrix.shape == (4, DIMENSION) and matrix.dtype == np.float32
    assert np.allclose(np.linalg.norm(matrix, axis=1), 1.0)
    assert np.array_equal(matrix, FAKE.encode(texts)) and np.array_equal(FAKE.encode_question(texts[0]), matrix[0])


@pytest.mark.parametrize("a, b, alike", [
    ("il vertice di Minsk", "Il vertice, di Minsk!", 1.0),  # the same words, any case or punctuation
    ("vertice Minsk", "vertice Vilnius", 0.5),  # one word of two in common
    ("vertice Minsk", "accordo Vilnius", 0.0),
])
def test_cosines_count_shared_words(a, b, alike):
    assert float(hashed(a) @ hashed(b)) == pytest.approx(alike, abs=0.02)


def test_sentence_vectors_are_those_of_their_spans():
    text = "Vertice a Minsk. Accordo sul gas. …"
    spans = [(0, 16), (17, 33), (34, 35)]
    (matrix,) = FAKE.encode_sentences([text], [spans])
    assert matrix.shape == (3, DIMENSION)
    assert np.allclose(matrix[0], hashed("Vertice a Minsk.")) and np.allclose(matrix[1], hashed("Accordo sul gas."))
    assert np.allclose(matrix[2], hashed(text))  # a span without words: the whole text's vector


def test_tokens_are_words_and_punctuation():
    assert FAKE.count_tokens(["Vertice a Minsk.", ""]) == [4, 0]
    assert FAKE.prompt_tokens("query") == 0 and FAKE.prompt("passage") == ""
