import datetime as dt
import subprocess
import sys
from pathlib import Path

import pytest

from index.dates import (
    date_bounds,
    find_article_date,
    normalize_date,
    opens_with_day,
    parse_header_date,
)

D = dt.date
SEED = Path(__file__).resolve().parents[2] / "data" / "articles"


# --- find_article_date --------------------------------------------------------------------

LONG = " Il presidente russo è arrivato a Minsk per colloqui con Lukashenko, come riportano le agenzie."


@pytest.mark.parametrize(
    "lines, expected",
    [
        (["Titolo", "", "20 Dicembre 2022 0 Di Pierfrancesco Maresca", "", "Testo" + LONG], "2022-12-20"),
        (["Putin in Minsk", "Published December 20, 2022", "Body" + LONG], "2022-12-20"),
        (["Titolo", "Aggiornato il 20/12/2022 alle 10:30", "Testo" + LONG], "2022-12-20"),
        (["Titolo", "2022-12-20", "Testo" + LONG], "2022-12-20"),
        (["Titolo", "2022-12-20T10:31:00Z", "Testo" + LONG], "2022-12-20"),
        (["Titolo", "Di Mario Rossi | 20 dicembre 2022", "Testo" + LONG], "2022-12-20"),
        (["Titolo", "martedì 20 dicembre 2022", "Testo" + LONG], "2022-12-20"),
        (["Title", "Tuesday, December 20, 2022 10:31", "Body" + LONG], "2022-12-20"),
        (["Titolo", "Dicembre 2022", "Testo" + LONG], "2022-12"),
        (["Titolo", "", "MINSK, 20 dicembre 2022 – Il" + LONG], "2022-12-20"),
        (["Titolo", "(ANSA) - MINSK, 20 dicembre 2022 - Il" + LONG], "2022-12-20"),
        ([" date 2022-12 Il capo del Cremlino incontra Lukashenko" + LONG], "2022-12"),
        (["Titolo", "(ANSA) - ROMA, 20 DIC - Il" + LONG], None),
        (["Titolo", "Il 15 maggio il primo ministro" + LONG], None),
        (["Titolo", "E lo scorso 27 febbraio" + LONG], None),
        (["Titolo", "Il 15 maggio 2022 il primo ministro" + LONG], None),  # a mention, not a dateline
        (["Titolo", "Testo" + LONG, "Il vertice del 16 maggio 2022", "Testo" + LONG], None),
        (["Titolo", "Testo" + LONG, "Poi, il 20 dicembre 2022 Putin" + LONG], None),
        (["© 2022 Tutti i diritti riservati", "Testo" + LONG], None),
        ([], None),
        (["", "  ", ""], None),
    ],
)
def test_find_article_date(lines, expected):
    assert find_article_date(lines) == expected


@pytest.mark.parametrize(
    "name, expected",
    [
        ("000_63f739fd0d5fbe86.txt", "2020-09"),
        ("001_aedb10bbfb254ef5.txt", None),
        ("002_236b9d47b589822e.txt", "2022-12"),
        ("003_bbbdcd5d19d9f9a8.txt", "2022-12-20"),
        ("004_3dec1f9b3ec35dda.txt", None),  # "In un vertice del 16 maggio", "Il 15 maggio": mentions only
    ],
)
def test_find_article_date_seed(name, expected):
    path = SEED / name
    if not path.exists():
        pytest.skip(f"seed article {name} not present")
    assert find_article_date(path.read_text(encoding="utf-8").splitlines()) == expected


# --- normalize_date -----------------------------------------------------------------------

@pytest.mark.parametrize(
    "value, expected",
    [
        ("2022", "2022"),
        ("2022-12", "2022-12"),
        ("2022-12-20", "2022-12-20"),
        ("2022-12-20T10:31:00Z", "2022-12-20"),
        ("2022-12-20T10:31:00.000+01:00", "2022-12-20"),
        ("2022-12-20 10:31", "2022-12-20"),
        ("  2022-12-20  ", "2022-12-20"),
        ("20221220", "2022-12-20"),
        ("20/12/2022", "2022-12-20"),
        ("20.12.2022", "2022-12-20"),
        ("12/20/2022", "2022-12-20"),  # impossible day-first, so month-first
        ("December 2022", "2022-12"),
        ("dicembre 2022", "2022-12"),
        ("20 dicembre 2022", "2022-12-20"),
        ("December 20, 2022", "2022-12-20"),
        ("Tue, 20 Dec 2022 10:31:00 +0000", "2022-12-20"),
        ("2020-02-29", "2020-02-29"),
        ("2022-13-40", None),
        ("2022-02-29", None),
        ("2022-00", None),
        ("2022-13", None),
        ("31/02/2022", None),
        ("garbage", None),
        ("", None),
        (None, None),
    ],
)
def test_normalize_date(value, expected):
    assert normalize_date(value) == expected


@pytest.mark.parametrize("value, expected", [("20/12/22", "2022-12-20"), ("Dec 20 '22", "2022-12-20")])
def test_normalize_date_odd_formats(value, expected):
    pytest.importorskip("dateparser")
    assert normalize_date(value) == expected


# --- parse_header_date --------------------------------------------------------------------

@pytest.mark.parametrize(
    "line, expected",
    [
        (" date 2022-12 Il capo del Cremlino incontra Lukashenko: ...",
         ("2022-12", "Il capo del Cremlino incontra Lukashenko: ...")),
        (" date 2020-09 Anche lo scorso fine settimana", ("2020-09", "Anche lo scorso fine settimana")),
        ("date: 2022-12-20", ("2022-12-20", "")),
        ("Date 2020-09", ("2020-09", "")),
        ("DATE: 2021 Testo", ("2021", "Testo")),
        ("date 2022-13 Testo", (None, "Testo")),  # a header, but an impossible date
        ("Dates are hard", (None, "Dates are hard")),
        ("Il date 2022-12 testo", (None, "Il date 2022-12 testo")),
        ("date 2022-12-20T10:31 testo", (None, "date 2022-12-20T10:31 testo")),
        ("", (None, "")),
    ],
)
def test_parse_header_date(line, expected):
    assert parse_header_date(line) == expected


# --- date_bounds --------------------------------------------------------------------------

@pytest.mark.parametrize(
    "value, expected",
    [
        ("2022", (D(2022, 1, 1), D(2022, 12, 31))),
        ("2022-12", (D(2022, 12, 1), D(2022, 12, 31))),
        ("2024-02", (D(2024, 2, 1), D(2024, 2, 29))),
        ("2023-02", (D(2023, 2, 1), D(2023, 2, 28))),
        ("2022-12-20", (D(2022, 12, 20), D(2022, 12, 20))),
    ],
)
def test_date_bounds(value, expected):
    assert date_bounds(value) == expected


@pytest.mark.parametrize("value", ["", "22", "2022-1", "2022-13", "2022-02-30", "20/12/2022"])
def test_date_bounds_rejects(value):
    with pytest.raises(ValueError):
        date_bounds(value)


# --- robustness ---------------------------------------------------------------------------

def test_import_is_light():
    code = "import sys, index.dates; assert 'dateparser' not in sys.modules"
    subprocess.run([sys.executable, "-c", code], check=True, cwd=Path(__file__).resolve().parents[2])


@pytest.mark.parametrize("line, dated", [
    ("12 March – Milan, Alcatraz", True),
    ("June 24 -- Jiffy Lube Live, Bristow, VA", True),
    ("Sept. 12 -- Shoreline Amphitheatre", True),
    ("Sat, Aug. 2 – Clarkston, MI", True),
    ("3 dicembre – Roma", True),
    ("29 November 2018 | 20 January 2019", True),
    ("May the force be with you", False),
    ("March of the penguins", False),
    ("2019 American Music Awards", False),
    ("100. Ray Gillen", False),
    ("30 minutes before bed", False),
])
def test_lines_opening_with_a_day(line, dated):
    assert opens_with_day(line) is dated
