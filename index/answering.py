"""Answering a question: read once (``questions``), the two searches, fusion, dates, variety,
quotes, and "no answer".

Query-time only: reads an open snapshot, never writes; thread-safe. A question
costs one forward pass of the model and one FAISS search, while the keyword side
(FTS5, then its own hits' vectors and terms) runs beside them in another thread,
plus reading the candidates' vectors and the few passages it quotes.
The design and every weight are measured on SQuAD-it in ``bench/quality.py``.
"""

from __future__ import annotations

import datetime as dt
import logging
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

import numpy as np

from index import keyword_search, keywords, periods, questions, quotes, ranking
from index.config import MINILM_MODEL
from index.embedder import E5_IDENTITY, Embedder
from index.keyword_search import KeywordHits
from index.languages import ENGLISH, ITALIAN, UNDETERMINED
from index.questions import Question
from index.records import Answer, Response, StoredPassage
from index.segments import Vectors
from index.store import Store, passage_of

logger = logging.getLogger(__name__)

KEYWORD_WORKERS = 4  # keyword searches of concurrent questions, each beside its question's encoding


@dataclass(frozen=True)
class RetrievalSettings:
    """The knobs of retrieval, each explained where it is used."""

    candidates: int = 100  # passages each search contributes to fusion (20 would cost 1.4 points of recall@5)
    sentences_per_passage: int = 5  # sentence vectors searched per candidate passage wanted
    # When the vector index holds compressed codes (large archives), its scores are estimates: this
    # many passages are taken from it instead of ``candidates``, and re-scored exactly from the
    # store (measured in bench/compression.py).
    rescored_passages: int = 300
    # FTS5 reads at most about this many postings, the question's rarest terms; the others are
    # scored over the candidates of both searches (``keyword_search``; ``None``: FTS5 reads all).
    # FTS5 costs about 3 µs a posting; 5,000 to 20,000, scaled to SQuAD-it, rank alike (bench/budget.py).
    keyword_postings: int | None = 10_000
    weights: ranking.FusionWeights = field(default_factory=ranking.FusionWeights)
    # An English-only model takes Italian stopwords for noise: it reads an Italian question without
    # them (MiniLM's vector recall@5 of Italian questions: 0.53 → 0.57). A multilingual one reads the
    # whole question (e5: 0.83 → 0.89).
    italian_without_stopwords: bool = False
    date_boost: float = 2.0  # added, times the date's fit, to a fused score: two standard deviations
    per_article: int = 2  # at most this many passages of one article among the answers
    duplicate_jaccard: float = 0.8  # passages this alike (word trigrams) are one answer

    @classmethod
    def for_model(cls, model: str) -> "RetrievalSettings":
        """The settings tuned for the model ``model`` (its identity)."""
        return cls(weights=ranking.fusion_weights(model), italian_without_stopwords=model == MINILM_MODEL)


@dataclass(frozen=True)
class KeywordSide:
    """The keyword side of one question, as its thread hands it over."""

    hits: KeywordHits  # FTS5's step
    completed: dict[int, float]  # FTS5's hits with the terms it was not given scored over them
    matrices: dict[int, np.ndarray]  # the sentence vectors of FTS5's hits


@dataclass(frozen=True)
class Candidates:
    """What the two searches found for one question, and their fusion (no dates yet)."""

    question: Question
    keyword: dict[int, float]  # passage id -> bm25, the keyword search's list (``keyword_search.complete``)
    vector: dict[int, float]  # passage id -> cosine of its best sentence, the vector search's list
    cosines: dict[int, float]  # the same cosine for every candidate of either list
    fused: dict[int, float]
    query: np.ndarray  # the question's vector
    frequencies: dict[str, int]  # in how many passages each of the question's terms occurs


class Answerer:
    """Answers questions from one open snapshot."""

    def __init__(self, store: Store, vectors: Vectors, embedder: Embedder, settings: RetrievalSettings | None = None):
        self.store = store
        self.vectors = vectors
        self.embedder = embedder
        self.settings = settings or RetrievalSettings.for_model(embedder.identity)
        self.calibration = calibration_of(embedder.identity)
        self.article_of, self.date_of = store.catalog()
        self.last_passage = max(self.article_of, default=0)
        self._keyword_searches = ThreadPoolExecutor(max_workers=KEYWORD_WORKERS, thread_name_prefix="keyword-search")

    def close(self) -> None:
        """Stop the keyword-search threads once the questions under way are done."""
        self._keyword_searches.shutdown(wait=True)

    def catch_up(self, vectors: Vectors, passages: dict[int, str], dates: dict[str, str | None]) -> None:
        """Answer from a newer state: its passages join the catalog first, then its vectors are searched.

        Passages removed since stay in the catalog: nothing finds them any more."""
        self.article_of.update(passages)
        self.date_of.update(dates)
        self.last_passage = max(self.last_passage, max(passages, default=0))
        self.vectors = vectors

    # --- retrieval -----------------------------------------------------------------------

    def read(self, question: str, today: dt.date) -> Question:
        """The question as this archive's model searches it (``QuestionError`` when it is blank)."""
        return questions.read(question, today, self.settings.italian_without_stopwords)

    def search(self, question: Question) -> Candidates:
        """Both searches and their fusion (dates are applied later, by ``rank``).

        Every keyword candidate the vector search did not return gets its real cosine (its
        best sentence's), so fusion weighs both sides of every candidate instead of a floor.
        When the index's scores are estimates, every vector candidate gets its real cosine too.
        """
        keyword_job = self._keyword_searches.submit(self._keyword_side, question)
        query = self.embedder.encode_question(question.model_text)
        vectors = self.vectors  # one state for the whole question (an update may swap it)
        approximate = vectors.approximate_scores
        wanted = self.settings.rescored_passages if approximate else self.settings.candidates
        hits = vectors.search(query, wanted * self.settings.sentences_per_passage)
        vector = ranking.best_per_group(hits.ids, hits.scores, passage_of, wanted)
        side = keyword_job.result()
        # The keyword side reads in its own thread, outside this question's read transaction: a
        # passage an update added since is not in the catalog yet, and waits for the next question.
        keyword = {pid: score for pid, score in side.completed.items() if pid in self.article_of}
        if approximate:
            vector, cosines = self._rescored(vector, keyword, query, side.matrices)
        else:
            missing = [pid for pid in keyword if pid not in vector]
            cosines = {**self._cosines(missing, query, side.matrices), **vector}
        # The terms FTS5 was not given, over the vector candidates FTS5 did not find.
        keyword |= keyword_search.complete(self.store, side.hits, {}, [pid for pid in vector if pid not in keyword])
        fused = ranking.fuse(keyword, cosines, self.settings.weights.keyword_weight(question.language))
        return Candidates(question, keyword, vector, cosines, fused, query, side.hits.frequencies)

    def keyword_search(self, question: Question) -> KeywordHits:
        """FTS5's hits for the question's rarest terms within the postings budget, the document
        frequency of every term of the question, and the terms left for ``keyword_search.complete``."""
        return keyword_search.search(self.store, question, self.settings.keyword_postings, self.settings.candidates)

    def _keyword_side(self, question: Question) -> "KeywordSide":
        """FTS5's step and what its own hits need later, read while the question is encoded: the
        terms left out scored over them, and their sentence vectors (for their exact cosines)."""
        hits = self.keyword_search(question)
        completed = keyword_search.complete(self.store, hits, hits.scores, ())
        return KeywordSide(hits, completed, self.store.sentence_vectors(hits.scores, self.vectors.dimension))

    def frequencies(self, terms, known: dict[str, int] | None = None) -> dict[str, int]:
        """In how many passages each term occurs (0: none), read from the store unless ``known``."""
        return keyword_search.frequencies_of(self.store, terms, known)

    def _cosines(self, passage_ids: list[int], query: np.ndarray, known: dict[int, np.ndarray]) -> dict[int, float]:
        """The cosine of each passage's best sentence to the question, from its sentence vectors in
        ``known`` or else read from the store."""
        found = {pid: known[pid] for pid in passage_ids if pid in known}
        found |= self.store.sentence_vectors([pid for pid in passage_ids if pid not in known], self.vectors.dimension)
        return {pid: float((matrix @ query).max()) for pid, matrix in found.items()}

    def _rescored(self, vector: dict[int, float], keyword: dict[int, float], query: np.ndarray, known: dict[int, np.ndarray]):
        """(the vector list, every candidate's cosine) from exact cosines, when the index's are
        estimates: the best ``candidates`` of the passages it returned, by their exact cosine,
        read with the keyword candidates' in one store read (those in ``known`` are not read)."""
        exact = self._cosines(list(vector.keys() | keyword.keys()), query, known)
        found = {pid: exact[pid] for pid in vector if pid in exact}
        vector = {pid: found[pid] for pid in ranking.rank(found)[: self.settings.candidates]}
        return vector, {**{pid: exact[pid] for pid in keyword if pid in exact}, **vector}

    def rank(self, candidates: Candidates) -> tuple[list[int], dict[int, float]]:
        """(passage ids best first, their scores): fused, boosted by the question's period, ``per_article`` at most."""
        scores, period = candidates.fused, candidates.question.period
        if period is not None:
            fit = lambda pid: periods.date_matches(self.date_of.get(self.article_of[pid]), period)  # noqa: E731
            scores = ranking.boost(scores, fit, self.settings.date_boost)
        ranked = ranking.cap_per_group(ranking.rank(scores), self.article_of.__getitem__, self.settings.per_article)
        return ranked, scores

    # --- answering -----------------------------------------------------------------------

    def ask(self, question: str, k: int, today: dt.date) -> Response:
        """The best ``k`` quoted answers to ``question``: read, searched, ranked, quoted, judged."""
        found = self.examine(question, k, today)
        read = found.question
        calibration = self.calibration[judged_language(read.language)]
        signals = [item.signals for item in found.shortlist]
        judged = calibration.judge(signals)
        answers = [_answer(found.shortlist[i], confidence, uncertain) for i, confidence, uncertain in judged]
        return Response(
            question=read.text,
            no_answer=not answers,
            answers=tuple(answers),
            language=reply_language(read.detected),
            period=periods.period_label(read.period) if read.period else None,
            relatedness=round(calibration.relatedness(signals), 3),
        )

    def examine(self, question: str, k: int, today: dt.date) -> "Examination":
        """Everything ``ask`` judges, before judging: the first ``k`` ranked passages, quoted, with
        their signals (benchmarks calibrate the judgement on these)."""
        candidates = self.search(self.read(question, today))
        ranked, scores = self.rank(candidates)
        return Examination(candidates, self.shortlist(candidates, ranked, scores, k))

    def shortlist(self, candidates: Candidates, ranked: list[int], scores: dict[int, float], k: int) -> list["Assessed"]:
        """The first ``k`` passages of the ranking once near-duplicates collapse, each quoted and
        with the signals of whether it answers (benchmarks calibrate on these)."""
        wanted = ranked[: k + 2 * self.settings.per_article]  # room for duplicates that collapse
        passages = self.store.passages(wanted)
        chosen = ranking.collapse_duplicates(
            [pid for pid in wanted if pid in passages], lambda pid: passages[pid].text, self.settings.duplicate_jaccard
        )[:k]
        vectors = self.store.sentence_vectors(chosen, self.vectors.dimension)
        weights = self.term_weights(candidates)
        assessed = []
        for pid in chosen:
            quote, signals = self.assess(candidates, passages[pid], vectors.get(pid), weights, scores[pid])
            assessed.append(Assessed(passages[pid], quote, signals, scores[pid]))
        return assessed

    def term_weights(self, candidates: Candidates) -> dict[str, float]:
        """IDF of the question's topic terms over the archive's passages."""
        terms = candidates.question.every_topic_term
        return quotes.term_weights(terms, self.frequencies(terms, candidates.frequencies), len(self.article_of))

    def assess_passage(self, candidates: Candidates, passage_id: int, score: float) -> tuple[str, quotes.Signals]:
        """``assess`` for one passage, read from the store (benchmarks judge single passages)."""
        passage = self.store.passages([passage_id])[passage_id]
        vectors = self.store.sentence_vectors([passage_id], self.vectors.dimension).get(passage_id)
        return self.assess(candidates, passage, vectors, self.term_weights(candidates), score)

    def assess(
        self, candidates: Candidates, passage: StoredPassage, vectors, weights: dict[str, float], score: float
    ) -> tuple[str, quotes.Signals]:
        """(the quote, the signals of whether it answers) for one candidate passage.

        ``weights`` are the IDF of the question's topic terms (its period is judged by dates, not
        words); ``score`` is the passage's ranking score, with the period's boost.
        """
        language = candidates.question.language
        sentences = [passage.text[start:end] for start, end in passage.sentences]
        families = list(candidates.question.topic_terms)
        present = [keywords.sentence_terms(s, families, passage.language) for s in sentences]
        cosines = quotes.cosines(vectors, candidates.query, len(sentences))
        scores = quotes.sentence_scores([quotes.coverage(weights, p) for p in present], cosines, language)
        title_terms = keywords.sentence_terms(passage.title, families, passage.language)
        covered = quotes.coverage(weights, title_terms.union(*present))
        signals = quotes.Signals(max(cosines, default=0.0), covered, min(score, quotes.FUSED_CAP))
        if not sentences:
            return passage.text, signals
        first, last = quotes.choose_sentences(scores, sentences)
        return passage.text[passage.sentences[first][0] : passage.sentences[last][1]], signals


def reply_language(detected: str) -> str:
    """The language the question is written in (the edges answer in it when they can), English
    when nothing tells; ``detected`` is what ``question_language`` made of it."""
    return detected if detected != UNDETERMINED else ENGLISH


def judged_language(language: str) -> str:
    """The language whose calibration judges a question searched in ``language``: English, or
    Italian for the others (a Spanish or French question searches stems and prefixes, as an
    Italian one does)."""
    return ENGLISH if language == ENGLISH else ITALIAN


def calibration_of(model: str) -> dict[str, quotes.Calibration]:
    """The "no answer" and confidence calibration of ``model``; a model without one of its own
    borrows the default model's, which may read its cosines on another scale (a warning says so)."""
    found = quotes.calibration_for(model)
    if found is None:
        logger.warning("no calibration for the model %s: using %s's; run bench/calibrate.py", model, E5_IDENTITY)
        found = quotes.calibration_for(E5_IDENTITY)
    return found


@dataclass(frozen=True)
class Examination:
    """One question, read and searched: what ``ask`` judges."""

    candidates: Candidates
    shortlist: list["Assessed"]  # the first k passages of the ranking, best first

    @property
    def question(self) -> Question:
        return self.candidates.question


@dataclass(frozen=True)
class Assessed:
    """A ranked passage, quoted, with the signals of whether it answers."""

    passage: StoredPassage
    quote: str
    signals: quotes.Signals
    score: float


def _answer(item: Assessed, confidence: float, uncertain: bool) -> Answer:
    passage = item.passage
    return Answer(
        article_id=passage.article_id, title=passage.title, date=passage.date, source=passage.source,
        quote=item.quote, passage=passage.text, score=round(float(item.score), 4),
        confidence=round(confidence, 3), uncertain=uncertain,
    )

