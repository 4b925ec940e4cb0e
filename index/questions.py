"""A question, read once: the first step of answering it.

``read`` turns the text a user sent into a frozen ``Question``: the text as answered, its
language, the period it names, the keyword terms of each column family (with and without the
words that named the period) and what the model reads. Everything after it (both searches,
ranking, quoting, the judgement) works from this record. Pure: no I/O.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from index import keywords, periods
from index.errors import QuestionError
from index.languages import ITALIAN, UNDETERMINED, detect_language, question_language
from index.records import Period

MAX_QUESTION_CHARS = 2_000  # longer text is cut: the model reads 256 (MiniLM) or 512 (e5) tokens anyway


@dataclass(frozen=True)
class Question:
    """One question as every later step reads it."""

    text: str  # one line, within ``MAX_QUESTION_CHARS``
    detected: str  # the language detected ("it", "en", another the identifier is sure of), or UNDETERMINED
    language: str  # the language it is searched (and judged) in
    period: Period | None  # the period it names ("in December 2022"), if any
    terms: dict[str, list[str]]  # per column family, what the keyword search looks for
    topic_terms: dict[str, list[str]]  # the same without the words that named the period
    model_text: str  # what the model reads of it

    @property
    def every_term(self) -> list[str]:
        """The terms of every family, in order (a term two families search comes twice)."""
        return [term for family in self.terms.values() for term in family]

    @property
    def every_topic_term(self) -> list[str]:
        """``every_term`` without the words that named the period."""
        return [term for family in self.topic_terms.values() for term in family]


def read(question: str, today: dt.date, italian_without_stopwords: bool = False) -> Question:
    """The question ``question`` as asked on ``today`` (``QuestionError`` when it is blank).

    The period's words are searched too ("1973" is evidence), but judged by dates, not words: the
    topic terms leave them out. ``italian_without_stopwords``: the model reads an Italian question
    without its stopwords (see ``RetrievalSettings``)."""
    text = " ".join(question.split())[:MAX_QUESTION_CHARS]
    if not text:
        raise QuestionError("the question is empty")
    detected = question_language(text, detect_language(text, UNDETERMINED))
    language = search_language(detected)
    period = periods.parse_period(text, today)
    terms = keywords.query_terms(text, language)
    topic = keywords.query_terms(without_period(text, period), language) if period else terms
    return Question(text, detected, language, period, terms, topic, model_text(text, language, italian_without_stopwords))


def search_language(detected: str) -> str:
    """The language a question is searched in: the one detected ("it", "en", or another that the
    identifier is sure of), or the archive's own (Italian) when the text does not tell."""
    return detected if detected != UNDETERMINED else ITALIAN


def model_text(text: str, language: str, italian_without_stopwords: bool) -> str:
    """What the model reads of a question."""
    if language != ITALIAN or not italian_without_stopwords:
        return text
    return " ".join(keywords.question_words(text, ITALIAN)) or text


def without_period(text: str, period: Period | None) -> str:
    """The question without the words that named its period."""
    if period is None or period.span == (0, 0):
        return text
    start, end = period.span
    return " ".join((text[:start] + " " + text[end:]).split()) or text
