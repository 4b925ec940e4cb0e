"""Any question (random Unicode, control characters, right-to-left text, emoji, markup, 10,000
characters, nothing at all) gets a well-formed response from the archive, or ``QuestionError``
when it is blank."""

from __future__ import annotations

import datetime as dt
import math

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from index import questions
from index.errors import QuestionError
from index.languages import UNDETERMINED
from tests import figures

NASTY = st.sampled_from([
    "<b>", "</b>", "</blockquote>", "&", "&amp;", "&#0;", "`", "```", "*", "_", "[x](javascript:1)",
    "\u202e", "\u200f", "\u0000", "\x1b[31m", "\ufeff", "\r\n", "\t", "\u2028", "😀", "👨‍👩‍👧", "𝕏",
    '"', "NEAR(", "OR", "AND", "NOT", "^", "-", ":", "(", ")", "'", "{title}:", "*",
    "Minsk", "dicembre 2022", "last year", "l'anno scorso", "in 0000", "31 febbraio", "99999999999999999999",
])
QUESTIONS = st.one_of(
    st.text(max_size=200),
    st.lists(st.one_of(NASTY, st.text(max_size=10)), max_size=40).map(" ".join),
    st.text(min_size=1, max_size=60).map(lambda piece: (piece * (10_000 // len(piece) + 1))[:10_000]),
    st.text(alphabet=" \t\n\r\u00a0\u2028\u3000", max_size=20),
)


@settings(max_examples=80, deadline=None, suppress_health_check=list(HealthCheck))
@given(QUESTIONS)
def test_any_question_gets_a_well_formed_response(seed_archive, question):
    k, blank = 9, not question.strip()
    with figures.trial("generated questions asked of the archive", "blank ones refused with QuestionError" if blank else ""):
        try:
            response = seed_archive.ask(question, k=k)
        except QuestionError:
            assert blank
            return
        assert response.no_answer == (not response.answers) and len(response.answers) <= k
        for answer in response.answers:
            assert answer.quote and answer.quote in answer.passage
            assert math.isfinite(answer.score)


@pytest.mark.parametrize("question", ["", " ", "\t\n", "\u3000", "\u00a0\u2028"])
def test_blank_question_is_a_question_error(seed_archive, question):
    with pytest.raises(QuestionError):
        seed_archive.ask(question)


@pytest.mark.parametrize("question", ["e\udc88", "Chi ha incontrato Lavrov\udcf1 a Minsk?", "\ud800"])
def test_lone_surrogates_are_asked_not_a_crash(seed_archive, question):
    """Text decoded with ``surrogateescape`` (a shell's stdin, os.fsdecode) carries lone surrogates."""
    response = seed_archive.ask(question)
    assert response.no_answer == (not response.answers)


# --- reading a question (``index.questions``: pure, no archive) -------------------------------

TODAY = dt.date(2026, 12, 2)


@pytest.mark.parametrize("text", ["", "   ", "\t\n\u3000"])
def test_reading_a_blank_question_is_a_question_error(text):
    with pytest.raises(QuestionError):
        questions.read(text, TODAY)


def test_a_question_is_one_line_within_the_limit():
    read = questions.read("  Chi ha\nincontrato   Lavrov?  " + "a" * 3000, TODAY)
    assert read.text.startswith("Chi ha incontrato Lavrov? ") and len(read.text) == questions.MAX_QUESTION_CHARS


@pytest.mark.parametrize(
    ("text", "language", "families"),
    [
        ("What was agreed in Minsk in December 2022?", "en", ["prefixes", "grams", "stems"]),  # stems: the glossary's Italian
        ("Cosa è stato concordato a Minsk nel dicembre 2022?", "it", ["stems", "prefixes"]),
    ],
)
def test_the_period_is_searched_but_left_out_of_the_topic(text, language, families):
    read = questions.read(text, TODAY)
    assert (read.language, read.detected) == (language, language)
    assert read.period is not None and (read.period.start, read.period.end) == (dt.date(2022, 12, 1), dt.date(2022, 12, 31))
    assert list(read.terms) == families and list(read.topic_terms) == families
    assert "2022" in read.terms["prefixes"] and "2022" not in read.topic_terms["prefixes"]
    assert "minsk" in read.topic_terms["prefixes"]


def test_a_question_without_a_period_has_its_terms_as_its_topic():
    read = questions.read("Chi ha incontrato Lavrov?", TODAY)
    assert read.period is None and read.topic_terms == read.terms


def test_text_that_names_no_language_is_searched_as_the_archive_s_own():
    read = questions.read("1986", TODAY)
    assert read.detected == UNDETERMINED and read.language == "it"


@pytest.mark.parametrize(
    ("text", "without_stopwords", "model_reads"),
    [
        ("Chi ha incontrato Lavrov a Minsk?", False, "Chi ha incontrato Lavrov a Minsk?"),
        ("Chi ha incontrato Lavrov a Minsk?", True, "incontrato Lavrov Minsk"),
        ("Who met Lavrov in Minsk?", True, "Who met Lavrov in Minsk?"),  # only Italian loses its stopwords
    ],
)
def test_what_the_model_reads(text, without_stopwords, model_reads):
    assert questions.read(text, TODAY, italian_without_stopwords=without_stopwords).model_text == model_reads


def test_every_term_lists_each_familys_terms_and_the_topic_ones_leave_the_period_out():
    question = questions.read("Che cosa è stato firmato a Minsk nel dicembre 2022?", dt.date(2026, 12, 1))
    assert question.every_term == [t for family in question.terms.values() for t in family]
    assert question.every_topic_term == [t for family in question.topic_terms.values() for t in family]
    assert "minsk" in " ".join(question.every_topic_term)
    assert not any("dicembr" in t or "2022" in t for t in question.every_topic_term)
    assert any("dicembr" in t or "2022" in t for t in question.every_term)
