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


# --- lists are article text; the seeds' chrome still goes ---------------------------------------

LIST_LINES = [
    "1. Choose the Right Pot",
    "100. Ray Gillen",
    "12) Roger Waters – The Wall (DVD)",
    "(3) Polaroid 600 Camera",
    "- Monopoly – Travel Versione da Viaggio",
    "• Hasbro Gaming – Taboo",
    "12 March – Milan, Alcatraz",
    "June 24 -- Jiffy Lube Live, Bristow, VA",
    "Sept. 12 -- Shoreline Amphitheatre, Mountain View, CA",
    "3 dicembre – Roma, Palazzo dello Sport",
]


@pytest.mark.parametrize("line", LIST_LINES + ["30 minutes before bed", "5 motivi per restare", "2 minutes walk"])
def test_numbers_and_a_few_words_are_not_counters(line):
    assert not is_chrome(line)


@pytest.mark.parametrize("line", ["97 CONDIVISIONI", "1.234 shares", "1,2k shares", "12 commenti", "4347 contenuti su questa storia",
                                  "3 Comments", "15.000 visualizzazioni"])
def test_counters_are_chrome(line):
    assert is_chrome(line)


@pytest.mark.parametrize("item", LIST_LINES)
def test_a_list_that_ends_the_page_is_kept(item):
    """A page that ends in a list (a listicle, tour dates, products) keeps it; the promos after it go."""
    page = [*ARTICLE, "Le date:", item, f"{item} bis", "Più che un giornale", "api url views"]
    assert clean_lines(page) == [*ARTICLE, "Le date:", item, f"{item} bis"]


@pytest.mark.parametrize(
    "items",
    [
        ["1. Ditch the diet", "2. Avoid skipping meals", "3. Practice mindfulness"],
        ["11) zerbino d’ingresso tappetino", "12) Roger Waters – The Wall (DVD)", "13) Thriller (Vinile)"],
        ["August 30 – Denver, CO @ Pepsi Center", "September 2 – Salt Lake City, UT @ USANA Amphitheatre"],
        ["- %165 голосов", "- %250 голосов"],
    ],
)
def test_list_items_between_paragraphs_are_kept(items):
    page = [ARTICLE[0], *items, ARTICLE[1], *items]
    assert clean_lines(page) == page


SEED_CHROME = {  # every line the reader removes from the seed articles today: it must stay removed
    "000_63f739fd0d5fbe86.txt": ["pic.twitter.com/O1ZsjmkO7o", "(@mjluxmoore)"],
    "001_aedb10bbfb254ef5.txt": [
        "video suggerito", "A cura di Ida Artiaco", "CONDIVISIONI", "Immagine", "Attiva le notifiche",
        "contenuti su questa storia", "autopromo immagine", "Più che un giornale",
        "Il media che racconta il tempo in cui viviamo con occhi moderni", "api url views",
    ],
    "003_bbbdcd5d19d9f9a8.txt": ["Contenuto Pubblicitario", "Autore foto", "Banner Istituzionale Italpress 666x82"],
}


@pytest.mark.parametrize("name", sorted(SEED_CHROME))
def test_the_seeds_chrome_stays_removed(name, tmp_path):
    from index.readers import read_file
    from tests.conftest import SEEDS

    path = tmp_path / name
    path.write_bytes((SEEDS / name).read_bytes())
    (article,) = read_file(path, tmp_path)
    for chrome in SEED_CHROME[name]:
        assert chrome not in article.text and chrome not in article.title
