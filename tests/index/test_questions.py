"""Any question (random Unicode, control characters, right-to-left text, emoji, markup, 10,000
characters, nothing at all) gets a well-formed response from the archive, or ``QuestionError``
when it is blank."""

from __future__ import annotations

import math

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from index.errors import QuestionError
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
