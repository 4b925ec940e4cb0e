"""Which language a question or an article is in: Italian and English by their stopwords, others by the
identifier; folding and splitting words as the keyword index does."""

from __future__ import annotations

import gzip
from pathlib import Path

import pytest

from index.languages import (
    ENGLISH, ITALIAN, UNDETERMINED, article_language, detect_language, fold, question_language, stopwords, words,
)
from index.readers import read_file


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


ARTICLES = {  # short real paragraphs, as a newsroom's articles read
    "it": ("Bollette, il governo proroga gli aiuti",
           "Il Consiglio dei ministri ha approvato la proroga del bonus sociale per le bollette di luce e gas fino a marzo. "
           "Ne beneficeranno circa due milioni e mezzo di famiglie con un reddito basso."),
    "en": ("Baltic ministers meet in Vilnius",
           "The defence ministers of Lithuania, Latvia and Estonia met in Vilnius for two days of talks. "
           "They agreed to buy medium-range air defence systems together, with a joint tender starting in January."),
    "es": ("El Gobierno aprueba los presupuestos",
           "El Consejo de Ministros aprobó este martes el proyecto de presupuestos para el año que viene. "
           "La ministra de Hacienda explicó que la mayor parte del gasto irá a las pensiones y a la sanidad pública."),
    "fr": ("Le gouvernement présente son budget",
           "Le Conseil des ministres a adopté mercredi le projet de loi de finances pour l'année prochaine. "
           "Le ministre de l'Économie a expliqué que la plus grande partie des dépenses ira aux retraites et à la santé."),
    "pt": ("Governo aprova o orçamento",
           "O Conselho de Ministros aprovou nesta terça-feira a proposta de orçamento para o próximo ano. "
           "O ministro das Finanças explicou que a maior parte das despesas vai para as pensões e para a saúde."),
    "de": ("Regierung beschließt den Haushalt",
           "Das Bundeskabinett hat am Mittwoch den Entwurf für den Haushalt des kommenden Jahres beschlossen. "
           "Der Finanzminister sagte, der größte Teil der Ausgaben fließe in die Renten und in das Gesundheitswesen."),
}


@pytest.mark.parametrize("language", ARTICLES)
def test_article_language(language):
    assert article_language(*ARTICLES[language]) == language


@pytest.mark.parametrize("language", ARTICLES)
def test_an_article_file_is_labelled_with_its_language(tmp_path, language):
    title, text = ARTICLES[language]
    (tmp_path / "a.txt").write_text(f"{title}\n\n{text}\n", encoding="utf-8")
    (article,) = read_file(tmp_path / "a.txt", tmp_path)
    assert article.language == language


BENCH = Path(__file__).resolve().parents[3] / "shared" / "bench" / "extraction" / "html"  # ../shared beside the repository
BENCH_PAGES = {  # pages of the extraction benchmark (see its README), read as saved .html articles
    "f6ac15a4d98511396da23e4428deb5605422b1c8bbc8284e771f6896bdccf57f": "pt",
    "b3c19dd5f0612d098788fa5173e491b3280da6226b492f8fe110f4ab1896cca8": "pt",
    "57b4dafd18cfd0531b69f81e87158648227c673ef159f8d8c87d34e34bdb21f2": "de",
    "ba07d1e64775f4090e39116c382111f5a2cfe9528dd179673f4e9bfcea370c15": "de",
    "20b2b64916b00b25203c9f1bf14248922f4d522f18328e9f876cce116df0083e": "it",
}


@pytest.mark.skipif(not BENCH.is_dir(), reason="the extraction benchmark is not in the repository")
@pytest.mark.parametrize("page, language", BENCH_PAGES.items())
def test_real_pages_are_labelled_with_their_language(tmp_path, page, language):
    (tmp_path / "a.html").write_bytes(gzip.decompress((BENCH / f"{page}.html.gz").read_bytes()))
    (article,) = read_file(tmp_path / "a.html", tmp_path)
    assert article.language == language


@pytest.mark.parametrize("title, text, language", [
    ("Putin a Minsk", "Il presidente russo è arrivato a Minsk per colloqui con Lukashenko.", "it"),
    ("Putin visits Minsk", "The Russian president arrived in Minsk on Monday for talks with his ally.", "en"),
    ("Minsk", "2022", UNDETERMINED),
])
def test_italian_and_english_articles_are_told_by_their_stopwords_as_before(title, text, language):
    assert article_language(title, text) == detect_language(f"{title}\n{text}", UNDETERMINED) == language


@pytest.mark.parametrize("text, folded", [
    ("Perché", "perche"),
    ("CITTÀ", "citta"),
    ("Straße", "strasse"),  # casefold, not lower
    ("Minsk", "minsk"),
])
def test_fold(text, folded):
    assert fold(text) == folded


@pytest.mark.parametrize("text, found", [
    ("Dell'incontro di_Minsk, 2022!", ["dell", "incontro", "di", "minsk", "2022"]),
    ("", []),
])
def test_words(text, found):
    assert words(text) == found


@pytest.mark.parametrize("text, language", [
    ("Cosa è stato concordato a Minsk?", ITALIAN),
    ("What was agreed in Minsk?", ENGLISH),
    ("Incontro tra Lukashenko e Putin", ITALIAN),  # one Italian stopword decides
    ("Minsk accordo nuovo", ITALIAN),  # no stopwords: most words end in a vowel
    ("Lukashenko Putin Minsk", ENGLISH),  # ... or not
    ("Minsk", "default"),  # too little to tell
    ("", "default"),
])
def test_detect_language(text, language):
    assert detect_language(text, "default") == language


def test_an_english_query_drops_italian_stopwords_too():
    assert "the" not in stopwords(ITALIAN) and "il" in stopwords(ITALIAN)
    assert {"the", "il"} <= stopwords(ENGLISH)
