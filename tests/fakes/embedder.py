"""A deterministic, model-free stand-in for ``index.embedder.Embedder``, for tests of the build, the
store, the vectors and the snapshots, where what matters is that vectors are stored, found and
swapped, not what they mean.

A text's vector is its words hashed into ``DIMENSION`` signed buckets, normalized: texts that share
words have a positive cosine, texts that share none are orthogonal (up to collisions), and the same
text always gets the same vector, in any process. Tokens are words and punctuation marks. An index
it builds records ``IDENTITY``: the real model refuses to open it, as it refuses any other model's.
``CALIBRATION`` is how answers are judged for it: a passage answers when it holds the question's words.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Sequence

import numpy as np

from index.embedder import PASSAGE, QUERY
from index.languages import words
from index.quotes import Calibration, Confidence

IDENTITY = "tests/fakes/hashed-words"
DIMENSION = 384  # as both real models
MAX_TOKENS = 512
_TOKEN = re.compile(r"\w+|[^\w\s]")
_BY_WORDS = Confidence(cosine=4.0, coverage=8.0, fused=0.0, intercept=-4.0)  # even odds at half the words
CALIBRATION = {language: Calibration(related=_BY_WORDS, related_bar=0.5, following_bar=0.5, answers=_BY_WORDS)
               for language in ("it", "en")}


class FakeEmbedder:
    """What the build and the answering use of an ``Embedder``, without a model. Thread-safe."""

    identity = IDENTITY
    dimension = DIMENSION
    max_tokens = MAX_TOKENS
    special_tokens = 2
    location = "no model: words hashed into vectors (tests/fakes/embedder.py)"

    @property
    def model(self) -> "FakeEmbedder":
        """Nothing to load."""
        return self

    def prompt(self, kind: str) -> str:
        """No prompts, as MiniLM."""
        return ""

    def prompt_tokens(self, kind: str) -> int:
        return 0

    def count_tokens(self, texts: Sequence[str]) -> list[int]:
        return [len(_TOKEN.findall(text)) for text in texts]

    def encode(self, texts: Sequence[str], progress: Callable[[int], None] | None = None,
               show_progress_bar: bool = False, kind: str = PASSAGE, threads: int | None = None) -> np.ndarray:
        """Normalized float32 vectors, shape (len(texts), dimension); ``kind`` and ``threads`` change nothing."""
        matrix = np.zeros((len(texts), DIMENSION), dtype=np.float32)
        for row, text in enumerate(texts):
            matrix[row] = hashed(text)
        if progress:
            progress(len(texts))
        return matrix

    def encode_one(self, text: str, kind: str = PASSAGE) -> np.ndarray:
        return hashed(text)

    def encode_question(self, text: str) -> np.ndarray:
        return self.encode_one(text, kind=QUERY)

    def encode_sentences(self, texts: Sequence[str], spans: Sequence[Sequence[tuple[int, int]]],
                         progress: Callable[[int], None] | None = None) -> list[np.ndarray]:
        """One row per span: the vector of the span's words (of the whole text when it has none)."""
        out = []
        for text, text_spans in zip(texts, spans):
            rows = [hashed(text[start:end]) if words(text[start:end]) else hashed(text) for start, end in text_spans]
            out.append(np.asarray(rows, dtype=np.float32).reshape(len(text_spans), DIMENSION))
            if progress:
                progress(1)
        return out


def hashed(text: str) -> np.ndarray:
    """The normalized sum of the text's words, each a signed bucket chosen by its hash (a text
    without words gets the first bucket)."""
    vector = np.zeros(DIMENSION, dtype=np.float32)
    for word in words(text):
        digest = hashlib.blake2b(word.encode(), digest_size=8).digest()
        bucket = int.from_bytes(digest[:4], "little") % DIMENSION
        vector[bucket] += 1.0 if digest[4] & 1 else -1.0
    norm = float(np.linalg.norm(vector))
    if norm == 0.0:
        vector[0] = norm = 1.0
    return vector / norm
