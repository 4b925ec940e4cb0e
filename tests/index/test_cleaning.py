"""Page chrome goes, every sentence of the article stays."""

from __future__ import annotations

import pytest

from index.cleaning import clean_lines, is_chrome

ARTICLE = [
    "Il presidente russo è arrivato a Minsk per colloqui con il suo omologo.",
    "I due hanno firmato accordi sulla difesa comune.",
]


@pytest.mark.parametrize(
    "line",
    [
        "video suggerito",
        "Contenuto Pubblicitario",
        "97 CONDIVISIONI",
        "1.234 shares",
        "4347 contenuti su questa storia",
        "Attiva le notifiche per ricevere gli aggiornamenti su",
        "Turn on notifications to stay updated",
        "Iscriviti alla newsletter",
        "Immagine",
        "autopromo immagine",
        "Banner Istituzionale Agenzia 666x82",
        "Autore foto: Mario Rossi, Agenzia, sito ufficiale.",
        "A cura di Maria Bianchi",
        "Leggi anche: Putin a Minsk",
        "© 2022 Giornale S.p.A.",
        "https://example.org/share",
        "* * *",
        "Putin arrives in Minsk for talks. pic.twitter.com/AbC123xyz — Jane Doe (@janedoe) December 19, 2022",
        "Big news from Minsk today — Jane Doe (@janedoe) December 19, 2022",
    ],
)
def test_chrome_lines(line):
    assert is_chrome(line)


@pytest.mark.parametrize(
    "line",
    [
        "Il presidente russo è arrivato a Minsk.",
        "Incontro in Bielorussia tra Vladimir Putin e Lukashenko",  # a subheading is article text
        "Di pratico, vi è però il prestito da 1,5 miliardi di dollari che Putin ha concesso alla Bielorussia.",
        "Il governo ha vietato i cookie di terze parti in tutti i siti pubblici della regione.",
        "La versione originale di questo intervento è qui.",
    ],
)
def test_article_lines_are_kept(line):
    assert not is_chrome(line)


def test_noisy_page_keeps_every_sentence_in_order():
    noisy = [
        "video suggerito", "video suggerito", "Contenuto Pubblicitario", "",
        "  Titolo dell'articolo  ", "Titolo dell'articolo", "Immagine", "97 CONDIVISIONI",
        ARTICLE[0], "",
        "Great talks in Minsk pic.twitter.com/xyz123 — Some One (@someone) December 19, 2022",
        ARTICLE[1],
        "97 CONDIVISIONI", "4347 contenuti su questa storia", "autopromo immagine",
        "Più che un giornale", "Il giornale che racconta il mondo di oggi con occhi nuovi", "api url views",
    ]
    assert clean_lines(noisy) == ["Titolo dell'articolo", *ARTICLE]


def test_whitespace_and_invisible_characters_are_normalized():
    assert clean_lines(["Minsk,\u00a0la\u200b capitale\t della Bielorussia."]) == ["Minsk, la capitale della Bielorussia."]


def test_page_of_only_short_lines_is_kept_rather_than_lost():
    assert clean_lines(["Elezioni in Bielorussia", "Risultati ufficiali"]) == ["Elezioni in Bielorussia", "Risultati ufficiali"]
