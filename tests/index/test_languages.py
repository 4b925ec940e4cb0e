"""Which language a question is in: Italian and English by their stopwords, others by the identifier."""

from __future__ import annotations

import pytest

from index.languages import UNDETERMINED, question_language


@pytest.mark.parametrize("question, language", [
    ("Cosa è stato concordato a Minsk a dicembre 2022?", "it"),
    ("Chi è Lukashenko?", "it"),
    ("What was agreed in Minsk in December 2022?", "en"),
    ("Who is Lukashenko?", "en"),  # the identifier leans Dutch here, unsure: the stopwords decide
    ("Qu'est-ce qui a été convenu à Minsk en décembre 2022 ?", "fr"),
    ("¿Qué se acordó en Minsk en diciembre de 2022?", "es"),
    ("O que foi acordado em Minsk em dezembro de 2022?", "pt"),
    ("Was wurde im Dezember 2022 in Minsk vereinbart?", "de"),
    ("Lukashenko", UNDETERMINED),
    ("Minsk 2022", UNDETERMINED),
])
def test_question_language(question, language):
    assert question_language(question) == language
