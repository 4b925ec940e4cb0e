"""Answering a question: the two searches, fusion, dates, variety, quotes, and "no answer".

Query-time only; reads an open snapshot and never writes. Thread-safe.
One question costs one forward pass of the model, one FAISS search and one
FTS5 query, plus reading the few passages it quotes.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from index import dates, keywords, quotes, ranking
from index.embedder import Embedder
from index.errors import QuestionError
from index.languages import ENGLISH, detect_language
from index.records import Answer, Period, Response, StoredPassage
from index.store import Store
from index.vectors import VectorIndex

MAX_QUESTION_CHARS = 2_000  # longer text is cut: the model reads 256 tokens anyway


@dataclass(frozen=True)
class RetrievalSettings:
    """The knobs of retrieval, each explained where it is used."""

    candidates: int = 100  # how many hits each search contributes to fusion
    weights: ranking.FusionWeights = ranking.FusionWeights()
    date_boost: float = 1.5  # added (times the fit) to a fused z-score when the article fits the period
    per_article: int = 2  # at most this many passages of one article among the answers
    duplicate_jaccard: float = 0.8
    min_cosine: float = 0.30  # below this the best passage is not about the question...
    min_coverage: float = 0.5  # ...unless it holds this share of the question's keyword weight


class Answerer:
    """Answers questions from one open snapshot."""

    def __init__(self, store: Store, vectors: VectorIndex, embedder: Embedder, settings: RetrievalSettings | None = None):
        self.store = store
        self.vectors = vectors
        self.embedder = embedder
        self.settings = settings or RetrievalSettings()

    def ask(self, question: str, k: int, today: dt.date) -> Response:
        text = " ".join(question.split())[:MAX_QUESTION_CHARS]
        if not text:
            raise QuestionError("the question is empty")
        language = detect_language(text, default=ENGLISH)
        period = dates.parse_period(text, today)
        topic = _without_period(text, period)
        vector_hits, keyword_hits = self._search(topic, language)
        fused = ranking.fuse(vector_hits, keyword_hits, self.settings.weights.vector_weight(language))
        passages = self.store.passages(fused)
        if period is not None:
            fused = ranking.boost(fused, lambda pid: dates.date_matches(passages[pid].date, period), self.settings.date_boost)
        chosen = self._choose(fused, passages, k)
        answers = self._answers(topic, language, chosen, passages, fused, vector_hits)
        label = dates.period_label(period) if period else None
        return Response(question=text, no_answer=not answers, answers=tuple(answers), language=language, period=label)

    def _search(self, topic: str, language: str) -> tuple[dict[int, float], dict[int, float]]:
        vector = self.embedder.encode_one(topic)
        hits = self.vectors.search(vector, self.settings.candidates)
        expression = keywords.match_expression(keywords.query_terms(topic, language))
        keyword_hits = dict(self.store.keyword_search(expression, self.settings.candidates))
        return dict(zip(hits.ids.tolist(), hits.scores.tolist())), keyword_hits

    def _choose(self, fused: dict[int, float], passages: dict[int, StoredPassage], k: int) -> list[int]:
        ranked = [pid for pid in ranking.rank(fused) if pid in passages]
        ranked = ranking.cap_per_group(ranked, lambda pid: passages[pid].article_id, self.settings.per_article)
        ranked = ranking.collapse_duplicates(ranked, lambda pid: passages[pid].text, self.settings.duplicate_jaccard)
        return ranked[:k]

    def _answers(self, topic, language, chosen, passages, fused, vector_hits) -> list[Answer]:
        roots = keywords.query_terms(topic, language)
        frequencies = self.store.document_frequencies(roots)
        weights = quotes.root_weights(roots, frequencies, self.vectors.size)
        answers = []
        for pid in chosen:
            passage = passages[pid]
            scores = quotes.sentence_scores(passage, weights)
            if not answers and not self._answers_question(vector_hits.get(pid), max(scores, default=0.0), weights):
                return []
            answers.append(_answer(passage, quotes.choose_quote(passage, scores), fused[pid]))
        return answers

    def _answers_question(self, cosine: float | None, best_sentence: float, weights: dict[str, float]) -> bool:
        coverage = best_sentence / sum(weights.values()) if weights else 0.0
        return (cosine or 0.0) >= self.settings.min_cosine or coverage >= self.settings.min_coverage


def _without_period(text: str, period: Period | None) -> str:
    """The question without the words that named its period (they would only add noise)."""
    if period is None or period.span == (0, 0):
        return text
    start, end = period.span
    rest = " ".join((text[:start] + " " + text[end:]).split())
    return rest or text


def _answer(passage: StoredPassage, quote: str, score: float) -> Answer:
    return Answer(
        article_id=passage.article_id,
        title=passage.title,
        date=passage.date,
        source=passage.source,
        quote=quote,
        passage=passage.text,
        score=round(float(score), 4),
    )
