"""Keyword terms, pure: the words that count, stems, prefixes and grams, a passage's FTS columns, a question's query."""

from __future__ import annotations

import pytest

from index import keywords


@pytest.mark.parametrize("text, language, words", [
    ("Il ministro della Difesa ha firmato l'accordo nel 2022", "it", ["ministro", "Difesa", "firmato", "accordo", "2022"]),
    ("The minister of defence signed the deal", "en", ["minister", "defence", "signed", "deal"]),
    ("The minister è a Minsk", "en", ["minister", "Minsk"]),  # an English query drops Italian stopwords too
    ("snake_case words", "en", ["snake", "case", "words"]),
    ("il la di", "it", []),
])
def test_content_words(text, language, words):
    assert keywords.content_words(text, language) == words


@pytest.mark.parametrize("question, language, words", [
    ("What happened in Minsk?", "en", ["Minsk"]),  # "happened" frames the question
    ("What happened?", "en", ["happened"]),  # ... unless nothing else is left
    ("How big was the loan?", "en", ["loan"]),  # "how big" asks for a size, names no topic
    ("Cosa è successo a Minsk?", "it", ["Minsk"]),
    ("Cosa è successo?", "it", ["successo"]),
])
def test_question_words(question, language, words):
    assert keywords.question_words(question, language) == words


@pytest.mark.parametrize("words, language, stems", [
    (["ministro", "Difesa", "firmato", "accordo", "2022"], "it", ["ministr", "difes", "firm", "accord", "2022"]),
    (["ministers", "agreed", "Minsk", "2022"], "en", ["minist", "agre", "minsk", "2022"]),
    (["Città", "perché"], "it", ["citt", "perc"]),  # folded after stemming: no accents
])
def test_stems(words, language, stems):
    assert keywords.stems(words, language) == stems


@pytest.mark.parametrize("words, prefixes", [
    (["ministro", "Perché", "gas"], ["minis", "perch", "gas"]),
    (["20221231"], ["20221231"]),  # numbers stay whole
    ([], []),
])
def test_prefixes(words, prefixes):
    assert keywords.prefixes(words) == prefixes


@pytest.mark.parametrize("words, grams", [
    (["ministro"], ["mini", "inis", "nist", "istr", "stro"]),
    (["gas", "Roma"], ["gas", "roma"]),  # as long as a gram or shorter: the word itself
    (["Città"], ["citt", "itta"]),
    (["12345"], ["12345"]),
])
def test_grams(words, grams):
    assert keywords.grams(words) == grams


def test_index_terms_fill_the_six_columns_in_order():
    terms = keywords.index_terms("Vertice a Minsk", "Il ministro ha firmato", "it")
    assert dict(zip(keywords.COLUMNS, terms.columns)) == {
        "title_stems": "vertic minsk", "text_stems": "ministr firm",
        "title_prefixes": "verti minsk", "text_prefixes": "minis firma",
        "title_grams": "vert erti rtic tice mins insk", "text_grams": "mini inis nist istr stro firm irma rmat mato",
    }


@pytest.mark.parametrize("question, language, glossary, terms", [
    ("Cosa ha firmato il ministro a Minsk?", "it", True,
     {"stems": ["firm", "ministr", "minsk"], "prefixes": ["firma", "minis", "minsk"]}),
    ("What did the minister sign in Minsk?", "en", False,
     {"prefixes": ["minis", "sign", "minsk"], "grams": ["mini", "inis", "nist", "iste", "ster", "sign", "mins", "insk"]}),
    ("What did the minister sign in Minsk?", "en", True,  # the glossary adds "ministro" and "firmare"
     {"prefixes": ["minis", "sign", "minsk", "firma"], "grams": ["mini", "inis", "nist", "iste", "ster", "sign", "mins", "insk"],
      "stems": ["ministr", "firm"]}),
    ("il la di", "it", True, {}),
])
def test_query_terms(question, language, glossary, terms):
    assert keywords.query_terms(question, language, use_glossary=glossary) == terms


def test_query_terms_are_capped():
    question = " ".join(f"parola{number}" for number in range(300))
    terms = keywords.query_terms(question, "it")
    assert {family: len(found) for family, found in terms.items()} == {
        "stems": keywords.MAX_QUERY_TERMS, "prefixes": 1}  # every prefix is "parol"


@pytest.mark.parametrize("terms, expression", [
    ({}, ""),
    ({"stems": ["minsk"]}, '{title_stems text_stems} : ("minsk")'),
    ({"stems": ["minsk", "firm"], "prefixes": ["minsk"]},
     '{title_stems text_stems} : ("minsk" OR "firm") OR {title_prefixes text_prefixes} : ("minsk")'),
])
def test_match_expression(terms, expression):
    assert keywords.match_expression(terms) == expression


@pytest.mark.parametrize("families, terms", [
    (["stems"], {"ministr", "firm"}),
    (["stems", "prefixes"], {"ministr", "firm", "minis", "firma"}),
    ([], set()),
])
def test_sentence_terms(families, terms):
    assert keywords.sentence_terms("Il ministro ha firmato", families, "it") == terms
