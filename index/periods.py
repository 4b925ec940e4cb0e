"""The period a question names ("in December 2022", "l'anno scorso", "between 2020 and 2022"),
its label, and how far an article's date falls inside it.

Questions read the absolute dates of ``dates`` and, after them, dates relative to today
("yesterday", "last 3 months", "questo mese"), months and days without a year (the most recent
one) and bare years; two dates joined by "and", "to", "al"... after "between", "from", "dal"...
are the ends of one range. English and Italian, over the same folded text as ``dates``.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from typing import Callable

from index.dates import (
    ABSOLUTE,
    DAY,
    EN_MONTHS,
    IT_MONTHS,
    LEFT_EDGE,
    MONTHS,
    YEAR,
    Hit,
    Span,
    absolute_span,
    alternation,
    compile_table,
    fold_in_place,
    date_hits,
    month_end,
    month_span,
    period_value,
    year_span,
    date_bounds,
)
from index.records import Period

_MON_FULL = rf"(?P<mon>{alternation(EN_MONTHS + IT_MONTHS)})\b"  # full names only: may stand alone
_UNIT = re.compile(r"\s*(?:%|per\s*cento|percent|mila|milion|miliard|million|billion|thousand|euro|dollar|usd|"
                   r"persone|people|soldat|soldier|troops|uomini|km|chilometri|metri|tonnellat|tons|arrest|"
                   r"mort|dead|death|vittim|victim|casi|cases|vot|feriti|injured)")


def _bare_year(m: re.Match, today: dt.date) -> Span | None:
    return None if _UNIT.match(m.string, m.end()) else absolute_span(m)


def _recent(m: re.Match, today: dt.date) -> Span | None:
    """A month or day without a year: the most recent one not after today."""
    g = m.groupdict()
    mon, last = MONTHS[g["mon"]], bool(g.get("last") or g.get("last2"))
    if not g.get("day"):
        if g["mon"] in ("may", "march") and not last and not re.search(r"\b(?:in|during)\s+$", g["pre"] or ""):
            return None  # "Putin may attack", "protesters march"
        past = mon < today.month or (mon == today.month and not last)
        return month_span(today.year if past else today.year - 1, mon)
    for y in range(today.year, today.year - 9, -1):
        try:
            day = dt.date(y, mon, int(g["day"]))
        except ValueError:
            continue
        if day <= today:
            return day, day, "day"
    return None


def _monday(day: dt.date) -> dt.date:
    return day - dt.timedelta(days=day.weekday())


def _shift_months(day: dt.date, n: int) -> dt.date:
    y, m = divmod(day.year * 12 + day.month - 1 - n, 12)
    return dt.date(y, m + 1, min(day.day, calendar.monthrange(y, m + 1)[1]))


def _days(n: int) -> Callable[[re.Match, dt.date], Span]:
    return lambda m, t: (t - dt.timedelta(days=n), t - dt.timedelta(days=n), "day")


def _last_n(m: re.Match, today: dt.date) -> Span | None:
    n, unit = int(m["n"]), m["unit"][:2]
    if n == 0:
        return None
    if unit in ("da", "gi"):
        start = today - dt.timedelta(days=n)
    elif unit in ("we", "se"):
        start = today - dt.timedelta(weeks=n)
    else:
        start = _shift_months(today, n * (12 if unit in ("ye", "an") else 1))
    return start + dt.timedelta(days=1), today, "range"  # n units, today included


_RELATIVE: list[tuple[str, Callable[[re.Match, dt.date], Span | None]]] = [
    (r"(?:last|past)\s+(?P<n>\d{1,3})\s+(?P<unit>days?|weeks?|months?|years?)", _last_n),
    (r"ultim[ie]\s+(?P<n>\d{1,3})\s+(?P<unit>giorni|settimane|mesi|anni)", _last_n),
    (r"day\s+before\s+yesterday|altro\s*ieri", _days(2)),
    (r"yesterday|ieri", _days(1)),
    (r"today|oggi", _days(0)),
    (r"(?:last|previous)\s+week|settimana\s+(?:scorsa|passata)|scorsa\s+settimana",
     lambda m, t: (_monday(t) - dt.timedelta(days=7), _monday(t) - dt.timedelta(days=1), "range")),
    (r"this\s+week|questa\s+settimana", lambda m, t: (_monday(t), t, "range")),
    (r"(?:last|previous)\s+month|mese\s+(?:scorso|passato)|scorso\s+mese",
     lambda m, t: month_span(_shift_months(t, 1).year, _shift_months(t, 1).month)),
    (r"this\s+month|questo\s+mese|mese\s+(?:in\s+)?corso", lambda m, t: month_span(t.year, t.month)),
    (r"(?:last|previous)\s+year|anno\s+(?:scorso|passato)|scorso\s+anno", lambda m, t: year_span(t.year - 1)),
    (r"this\s+year|quest'\s*anno|questo\s+anno|anno\s+(?:in\s+)?corso", lambda m, t: year_span(t.year)),
]

# most specific first: a later pattern never takes words an earlier one matched
_IN_QUESTION = ABSOLUTE + [(r"\b(?:the\s+)?(?:" + rx + r")\b", fn) for rx, fn in _RELATIVE] + [
    (LEFT_EDGE + DAY + r"(?:\s+(?:of|di))?\s+" + _MON_FULL, _recent),
    (r"\b" + _MON_FULL + r"\s+(?P<day>[0-3]?\d)(?:st|nd|rd|th)?\b(?!\s*,?\s*\d)", _recent),
    (r"(?:(?P<last>last|scorso)\s+)?" + _MON_FULL + r"(?:\s+(?P<last2>scorso))?", _recent),
    (r"(?<![\w.,/:+$€£#])(?<![a-z]-)" + YEAR, _bare_year),
]

_QUESTION_RX = compile_table(_IN_QUESTION)
_OPENER = re.compile(r"\b(?:between|from|tra|fra|dal|dalla|dall'|dai|da)\s*(?:(?:il|lo|la|l'|the)\s*)?$")
_CONNECTOR = re.compile(r"\s*(?:(?P<word>and|to|until|till|through|e|ed|al|alla|all'|ai|a|fino\s+al?)|[-–—])"
                        r"\s*(?:(?:il|lo|la|l'|the)\s*)?")


def _range(folded: str, a: Hit, b: Hit) -> tuple[int, dt.date, dt.date] | None:
    """(start of the words, first day, last day) when a and b are the ends of one range."""
    link = _CONNECTOR.fullmatch(folded, a[2], b[1])
    opener = _OPENER.search(folded, 0, a[1])
    if not link or (link["word"] and not opener):
        return None
    return (opener.start() if opener else a[0]), min(a[3], b[3]), max(a[4], b[4])


def parse_period(question: str, today: dt.date) -> Period | None:
    """The period a question names (English or Italian), with the words that name it, or None."""
    folded = fold_in_place(question)
    hits = date_hits(folded, today, _QUESTION_RX)
    for a, b in zip(hits, hits[1:]):
        found = _range(folded, a, b)
        if found:
            start, first, last = found
            return Period(first, last, "range", question[start:b[2]], (start, b[2]))
    if not hits:
        return None
    s, _, e, first, last, precision = hits[0]
    return Period(first, last, precision, question[s:e], (s, e))


def _label(start: dt.date, end: dt.date) -> tuple[str, str]:
    if (start.month, start.day, end.month, end.day) == (1, 1, 12, 31):
        return f"{start.year:04d}", f"{end.year:04d}"
    if start.day == 1 and end == month_end(end.year, end.month):
        return period_value(start, "month"), period_value(end, "month")
    return start.isoformat(), end.isoformat()


def period_label(period: Period) -> str:
    """"2022", "2022-12", "2022-12-20", or "first..last" for a range ("2020..2022")."""
    if period.precision != "range":
        return period_value(period.start, period.precision)
    return "..".join(_label(period.start, period.end))


def date_matches(value: str | None, period: Period) -> float:
    """The share of the article date's days that fall inside the period, from 0.0 to 1.0.

    1.0: the article's day/month/year lies wholly inside the period; 0.0: disjoint,
    missing or unreadable; in between when they overlap in part, e.g. a "2022" article
    for a "2022-12" question scores 31/365 (the chance its real day is in December).
    """
    if not value:
        return 0.0
    try:
        first, last = date_bounds(value)
    except ValueError:
        return 0.0
    lo, hi = max(first, period.start), min(last, period.end)
    return 0.0 if lo > hi else ((hi - lo).days + 1) / ((last - first).days + 1)
