import datetime as dt
import random

import pytest

from index.periods import date_matches, parse_period, period_label
from index.records import Period

TODAY = dt.date(2023, 3, 15)  # a Wednesday
D = dt.date


# --- parse_period: absolute ---------------------------------------------------------------

@pytest.mark.parametrize(
    "question, label, precision, text",
    [
        ("What happened in December 2022?", "2022-12", "month", "in December 2022"),
        ("Cosa è successo a dicembre 2022?", "2022-12", "month", "a dicembre 2022"),
        ("Putin nel dicembre 2022", "2022-12", "month", "nel dicembre 2022"),
        ("Putin e Lukashenko, dicembre 2022", "2022-12", "month", "dicembre 2022"),
        ("DICEMBRE 2022: il vertice", "2022-12", "month", "DICEMBRE 2022"),
        ("news from Dec 2022", "2022-12", "month", "Dec 2022"),
        ("news Dec. 2022", "2022-12", "month", "Dec. 2022"),
        ("December of 2022 summit", "2022-12", "month", "December of 2022"),
        ("il vertice di dicembre del 2022", "2022-12", "month", "di dicembre del 2022"),
        ("nell'agosto 2020 a Minsk", "2020-08", "month", "nell'agosto 2020"),
        ("nell’agosto 2020 a Minsk", "2020-08", "month", "nell’agosto 2020"),
        ("protests in August 2020", "2020-08", "month", "in August 2020"),
        ("Putin may 2022", "2022-05", "month", "may 2022"),
        ("proteste a Minsk nel 2020", "2020", "year", "nel 2020"),
        ("What happened in 2020?", "2020", "year", "in 2020"),
        ("le proteste del 2020", "2020", "year", "del 2020"),
        ("What happened in Minsk 2020?", "2020", "year", "2020"),
        ("elezioni nel 1994", "1994", "year", "nel 1994"),
        ("articles from 12/2022", "2022-12", "month", "12/2022"),
        ("articoli 12-2022", "2022-12", "month", "12-2022"),
        ("articles 2022-12", "2022-12", "month", "2022-12"),
        ("articles 2022/12", "2022-12", "month", "2022/12"),
        ("on 2022-12-20", "2022-12-20", "day", "on 2022-12-20"),
        ("summit on 20 December 2022", "2022-12-20", "day", "on 20 December 2022"),
        ("December 20, 2022 summit", "2022-12-20", "day", "December 20, 2022"),
        ("on the 1st of December 2022", "2022-12-01", "day", "1st of December 2022"),
        ("il 20 dicembre 2022 a Minsk", "2022-12-20", "day", "il 20 dicembre 2022"),
        ("vertice del 20/12/2022", "2022-12-20", "day", "del 20/12/2022"),
        ("vertice del 20.12.2022", "2022-12-20", "day", "del 20.12.2022"),
        ("5/1/2021", "2021-01-05", "day", "5/1/2021"),  # day first
        ("il 1° dicembre 2022", "2022-12-01", "day", "il 1° dicembre 2022"),
        ("20 DIC 2022", "2022-12-20", "day", "20 DIC 2022"),
        ("29 febbraio 2020", "2020-02-29", "day", "29 febbraio 2020"),
    ],
)
def test_parse_period_absolute(question, label, precision, text):
    period = parse_period(question, TODAY)
    assert period is not None
    assert (period_label(period), period.precision, period.text) == (label, precision, text)
    assert question[period.span[0]:period.span[1]] == text


@pytest.mark.parametrize(
    "question, start, end",
    [
        ("in December 2022", D(2022, 12, 1), D(2022, 12, 31)),
        ("febbraio 2024", D(2024, 2, 1), D(2024, 2, 29)),  # leap year
        ("febbraio 2023", D(2023, 2, 1), D(2023, 2, 28)),
        ("nel 2020", D(2020, 1, 1), D(2020, 12, 31)),
        ("20/12/2022", D(2022, 12, 20), D(2022, 12, 20)),
    ],
)
def test_parse_period_bounds(question, start, end):
    period = parse_period(question, TODAY)
    assert (period.start, period.end) == (start, end)


def test_span_cuts_the_period_out():
    question = "Cosa ha detto Putin a Minsk a dicembre 2022?"
    period = parse_period(question, TODAY)
    cut = question[:period.span[0]] + question[period.span[1]:]
    assert " ".join(cut.split()) == "Cosa ha detto Putin a Minsk ?"


# --- parse_period: relative to today ----------------------------------------------------

@pytest.mark.parametrize(
    "question, label, precision",
    [
        ("What happened last year?", "2022", "year"),
        ("Cosa è successo l'anno scorso?", "2022", "year"),
        ("Cosa è successo l’anno scorso?", "2022", "year"),
        ("lo scorso anno", "2022", "year"),
        ("L'anno passato", "2022", "year"),
        ("this year", "2023", "year"),
        ("quest'anno", "2023", "year"),
        ("Quest’anno", "2023", "year"),
        ("last month", "2023-02", "month"),
        ("il mese scorso", "2023-02", "month"),
        ("lo scorso mese", "2023-02", "month"),
        ("this month", "2023-03", "month"),
        ("questo mese", "2023-03", "month"),
        ("yesterday", "2023-03-14", "day"),
        ("cosa ha detto ieri Putin?", "2023-03-14", "day"),
        ("l'altro ieri", "2023-03-13", "day"),
        ("today", "2023-03-15", "day"),
        ("Cosa succede oggi a Minsk?", "2023-03-15", "day"),
        ("last week", "2023-03-06..2023-03-12", "range"),
        ("la settimana scorsa", "2023-03-06..2023-03-12", "range"),
        ("la scorsa settimana", "2023-03-06..2023-03-12", "range"),
        ("in the last 30 days", "2023-02-14..2023-03-15", "range"),
        ("negli ultimi 3 mesi", "2022-12-16..2023-03-15", "range"),
        ("in December", "2022-12", "month"),
        ("a dicembre", "2022-12", "month"),
        ("a marzo", "2023-03", "month"),  # the current month counts
        ("lo scorso marzo", "2022-03", "month"),  # "last March" is before this one
        ("in May", "2022-05", "month"),
        ("il 15 maggio", "2022-05-15", "day"),
        ("on March 10", "2023-03-10", "day"),
        ("29 febbraio", "2020-02-29", "day"),  # the most recent leap day
    ],
)
def test_parse_period_relative(question, label, precision):
    period = parse_period(question, TODAY)
    assert period is not None
    assert (period_label(period), period.precision) == (label, precision)


def test_relative_month_across_new_year():
    period = parse_period("il mese scorso", D(2023, 1, 10))
    assert (period.start, period.end) == (D(2022, 12, 1), D(2022, 12, 31))


@pytest.mark.parametrize(
    "question, label, text",
    [
        ("between 2020 and 2022", "2020..2022", "between 2020 and 2022"),
        ("What happened between 2020 and 2022?", "2020..2022", "between 2020 and 2022"),
        ("dal 2020 al 2022", "2020..2022", "dal 2020 al 2022"),
        ("proteste tra il 2020 e il 2022", "2020..2022", "tra il 2020 e il 2022"),
        ("from 2019 to 2021", "2019..2021", "from 2019 to 2021"),
        ("2020-2022", "2020..2022", "2020-2022"),
        ("dal marzo 2020 al maggio 2021", "2020-03..2021-05", "dal marzo 2020 al maggio 2021"),
        ("dal 2022 a oggi", "2022-01-01..2023-03-15", "dal 2022 a oggi"),
    ],
)
def test_parse_period_range(question, label, text):
    period = parse_period(question, TODAY)
    assert (period.precision, period_label(period), period.text) == ("range", label, text)


@pytest.mark.parametrize(
    "question",
    [
        "Who is Lukashenko?",
        "May I ask about Lukashenko?",
        "may i ask",
        "Putin may attack Kiev",
        "Could Russia march on Kiev?",
        "Maggiore sinergia tra Mosca e Minsk",
        "Il sistema S-400 è arrivato?",
        "sanzioni da 1,5 miliardi",
        "erano in 100mila in piazza",
        "744 arresti secondo fonti governative",
        "2000 soldati al confine",
        "more than 2000 people",
        "the 2020s",
        "the 1990's",
        "in 1899",
        "in 2100",
        "costo 2.000 euro",
        "12345 arrests",
        "two years ago",
        "2022-13-40",
        "31/02/2022",
        "alle 20:20",
        "",
    ],
)
def test_parse_period_none(question):
    assert parse_period(question, TODAY) is None


def test_false_positive_numbers_do_not_hide_the_year():
    period = parse_period("S-400 e 1,5 miliardi: cosa è successo nel 2021?", TODAY)
    assert (period_label(period), period.text) == ("2021", "nel 2021")


# --- period_label -------------------------------------------------------------------------

@pytest.mark.parametrize(
    "period, label",
    [
        (Period(D(2022, 1, 1), D(2022, 12, 31), "year"), "2022"),
        (Period(D(2022, 12, 1), D(2022, 12, 31), "month"), "2022-12"),
        (Period(D(2022, 12, 20), D(2022, 12, 20), "day"), "2022-12-20"),
        (Period(D(2020, 1, 1), D(2022, 12, 31), "range"), "2020..2022"),
        (Period(D(2020, 3, 1), D(2021, 5, 31), "range"), "2020-03..2021-05"),
        (Period(D(2022, 12, 12), D(2022, 12, 18), "range"), "2022-12-12..2022-12-18"),
    ],
)
def test_period_label(period, label):
    assert period_label(period) == label


# --- date_matches -------------------------------------------------------------------------

DEC_2022 = Period(D(2022, 12, 1), D(2022, 12, 31), "month")
YEARS = Period(D(2020, 1, 1), D(2022, 12, 31), "range")


@pytest.mark.parametrize(
    "value, period, expected",
    [
        ("2022-12-20", DEC_2022, 1.0),
        ("2022-12", DEC_2022, 1.0),
        ("2022", DEC_2022, 31 / 365),  # coarser than the question: partial
        ("2022-11-30", DEC_2022, 0.0),
        ("2023-01", DEC_2022, 0.0),
        ("2021", YEARS, 1.0),
        ("2023", YEARS, 0.0),
        (None, DEC_2022, 0.0),
        ("", DEC_2022, 0.0),
        ("not a date", DEC_2022, 0.0),
    ],
)
def test_date_matches(value, period, expected):
    assert date_matches(value, period) == pytest.approx(expected)


def test_date_matches_partial_is_between_and_monotonic():
    week = Period(D(2022, 12, 26), D(2023, 1, 1), "range")
    partial = date_matches("2022-12", week)
    assert 0.0 < partial < 1.0
    assert date_matches("2022", DEC_2022) < date_matches("2022-12", DEC_2022)
    assert 0.0 < date_matches("2022", DEC_2022) < date_matches("2022", Period(D(2022, 6, 1), D(2022, 12, 31), "range"))


# --- robustness ---------------------------------------------------------------------------

def test_english_ago_is_not_agosto():
    period = parse_period("What happened a year ago, 2021 edition?", TODAY)
    assert (period_label(period), period.text) == ("2021", "2021")


def test_parse_period_never_raises_and_span_is_exact():
    rng = random.Random(7)
    alphabet = "0123456789 -/.,°'’aAdDeEgGiIlLmMnNoOrRsSyYàèé"
    words = ["in", "nel", "tra il", "dal", "al", "e", "between", "and", "dicembre", "May", "Dec.", "2022", "20", "12/"]
    for _ in range(500):
        question = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 30)))
        question += " ".join(rng.choice(words) for _ in range(rng.randint(0, 6)))
        period = parse_period(question, TODAY)
        if period is not None:
            assert period.start <= period.end
            assert question[period.span[0]:period.span[1]] == period.text
