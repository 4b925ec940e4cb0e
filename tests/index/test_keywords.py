"""Keyword terms: Italian and English exactly as before; other languages by their own stemmer."""

from __future__ import annotations

import pytest

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
