"""Keyword terms: Italian and English exactly as before, other languages by their own stemmer; the pure parts."""

from __future__ import annotations

import pytest

from index import keywords
from index.keywords import index_terms, query_families, query_terms

# The terms main produced before articles and questions could be in other languages (SQuAD-it's
# figures rest on them): they must not move.
INDEXED_BEFORE = [
    (("Putin a Minsk", "Il presidente russo è arrivato a Minsk per colloqui con il suo omologo, e i due hanno firmato accordi.", "it"),
     ("putin minsk", "president russ arriv minsk colloqu omolog due firm accord", "putin minsk",
      "presi russo arriv minsk collo omolo due firma accor", "puti utin mins insk",
      "pres resi esid side iden dent ente russ usso arri rriv riva ivat vato mins insk coll ollo lloq loqu oqui omol molo "
      "olog logo due firm irma rmat mato acco ccor cord ordi")),
    (("Putin visits Minsk", "The Russian president arrived in Minsk on Monday for talks; they signed 3 agreements.", "en"),
     ("putin visit minsk", "russian presid arriv minsk monday talk sign 3 agreement", "putin visit minsk",
      "russi presi arriv minsk monda talks signe 3 agree", "puti utin visi isit sits mins insk",
      "russ ussi ssia sian pres resi esid side iden dent arri rriv rive ived mins insk mond onda nday talk alks sign igne "
      "gned 3 agre gree reem eeme emen ment ents")),
    (("Senza lingua", "Perché le città più grandi crescono?", "und"),
     ("senz lingu", "citt grand cresc", "senza lingu", "citta grand cresc", "senz enza ling ingu ngua",
      "citt itta gran rand andi cres resc esco scon cono")),
]
QUERIED_BEFORE = [
    (("Cosa è stato concordato a Minsk a dicembre 2022?", "it"),
     {"stems": ["concord", "minsk", "dicembr", "2022"], "prefixes": ["conco", "minsk", "dicem", "2022"]}),
    (("What was agreed in Minsk in December 2022?", "en"),
     {"prefixes": ["agree", "minsk", "decem", "2022", "accor", "conco", "intes", "dicem"],
      "grams": ["agre", "gree", "reed", "mins", "insk", "dece", "ecem", "cemb", "embe", "mber", "2022"],
      "stems": ["accord", "concord", "intes", "dicembr"]}),
    (("How big was the loan to Belarus?", "en"),
     {"prefixes": ["loan", "belar", "prest", "bielo"], "grams": ["loan", "bela", "elar", "laru", "arus"],
      "stems": ["prest", "bieloruss"]}),
    (("Chi è Lukashenko?", "it"), {"stems": ["lukashenk"], "prefixes": ["lukas"]}),
]


@pytest.mark.parametrize("arguments, columns", INDEXED_BEFORE)
def test_italian_and_english_index_terms_are_unchanged(arguments, columns):
    assert index_terms(*arguments).columns == columns


@pytest.mark.parametrize("arguments, terms", QUERIED_BEFORE)
def test_italian_and_english_query_terms_are_unchanged(arguments, terms):
    assert query_terms(*arguments) == terms


@pytest.mark.parametrize("language, text, stems", [  # no stopword list for these: their function words stay
    ("es", "Los gobiernos aprobaron los presupuestos", "los gobi aprob los presupuest"),
    ("fr", "Les gouvernements ont présenté les budgets", "le gouvern ont present le budget"),
    ("pt", "Os governos aprovaram os orçamentos", "os govern aprov os orcament"),
    ("de", "Die Regierungen haben die Haushalte beschlossen", "die regier hab die haushalt beschloss"),
])
def test_an_article_is_stemmed_in_its_language(language, text, stems):
    assert index_terms("", text, language).columns[1] == stems


@pytest.mark.parametrize("question, language, stem", [
    ("¿Qué aprobaron los gobiernos?", "es", "gobi"),
    ("Qu'ont présenté les gouvernements ?", "fr", "gouvern"),
    ("Was haben die Regierungen beschlossen?", "de", "regier"),
])
def test_a_question_in_another_language_searches_its_own_stems(question, language, stem):
    assert query_families(language) == ("stems", "prefixes")
    assert stem in query_terms(question, language)["stems"]

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


FREQUENCIES = {"minsk": 3, "accord": 40, "firm": 900, "minis": 5_000, "dicem": 12_000}


@pytest.mark.parametrize("terms, budget, searched", [
    # no bound: every term some passage holds, in the question's order
    ({"stems": ["accord", "assente", "firm"]}, None, {"stems": ["accord", "firm"]}),
    # the rarest terms join while their postings fit
    ({"stems": ["firm", "minsk", "accord"]}, 1_000, {"stems": ["firm", "minsk", "accord"]}),
    ({"stems": ["firm", "minsk", "accord"]}, 900, {"stems": ["minsk", "accord"]}),
    # the question's rarest term is searched whatever it costs; a family all over the budget is not
    ({"stems": ["minsk"], "prefixes": ["dicem", "minis"]}, 10, {"stems": ["minsk"]}),
    ({"stems": ["firm"], "prefixes": ["dicem", "minis"]}, 10, {"stems": ["firm"]}),
    ({"prefixes": ["dicem", "minis"]}, 10, {"prefixes": ["minis"]}),
    # a term searched in two families is paid twice
    ({"stems": ["accord", "firm"], "prefixes": ["minsk", "accord"]}, 50, {"stems": ["accord"], "prefixes": ["minsk"]}),
    # a family none of whose terms any passage holds is not searched
    ({"stems": ["minsk"], "grams": ["zzzz"]}, 10, {"stems": ["minsk"]}),
    ({"grams": ["zzzz"]}, 10, {}),
])
def test_bounded_keeps_the_rarest_terms_within_the_budget(terms, budget, searched):
    assert keywords.bounded(terms, FREQUENCIES, budget) == searched
