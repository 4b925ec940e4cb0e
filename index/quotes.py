"""Quotes: the sentence or two of a passage that answer the question.

Pure functions. A sentence is scored by the question's roots (stems and
prefixes, see ``keywords``) it contains, each weighted by its rarity in the
passage's article set (rare names and numbers count most), plus its cosine to
the question when sentence vectors are available.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

from index import keywords
from index.records import StoredPassage

SHORT_SENTENCE_WORDS = 8  # a best sentence this short is quoted with its neighbour
MAX_QUOTE_SENTENCES = 2


def root_weights(question_roots: Sequence[str], document_frequency: Mapping[str, int], total: int) -> dict[str, float]:
    """Inverse document frequency of each question root (unknown roots weigh like the rarest)."""
    return {
        root: math.log(1 + (total + 1) / (1 + document_frequency.get(root, 0)))
        for root in question_roots
    }


def sentence_scores(passage: StoredPassage, weights: Mapping[str, float]) -> list[float]:
    """How much of the question each sentence of ``passage`` holds."""
    scores = []
    for start, end in passage.sentences:
        present = set(keywords.roots(keywords.content_words(passage.text[start:end]), passage.language))
        scores.append(sum(weight for root, weight in weights.items() if root in present))
    return scores


def choose_quote(passage: StoredPassage, scores: Sequence[float]) -> str:
    """The best sentence, with the next (or previous) one when it is short on its own."""
    if not passage.sentences:
        return passage.text
    best = max(range(len(scores)), key=lambda i: (scores[i], -i))
    chosen = [best]
    start, end = passage.sentences[best]
    if len(passage.text[start:end].split()) < SHORT_SENTENCE_WORDS and len(passage.sentences) > 1:
        neighbour = best + 1 if best + 1 < len(passage.sentences) else best - 1
        chosen.append(neighbour)
    first, last = min(chosen), max(chosen)
    return passage.text[passage.sentences[first][0] : passage.sentences[last][1]]
