"""Dates in questions, articles and metadata: find them, normalise them, compare them.

The common paths are precompiled regexes over a *folded* copy of the text
(lowercase, no diacritics, curly apostrophes made straight), folded one
character for one character so that offsets found in it hold in the original.
Dates are day-first (European), as in both languages of the archive.
"""

from __future__ import annotations

import calendar
import datetime as dt
import functools
import re
import unicodedata
from typing import Callable

from index.records import Period

_EN = "january february march april may june july august september october november december".split()
_IT = "gennaio febbraio marzo aprile maggio giugno luglio agosto settembre ottobre novembre dicembre".split()
_ABBR = {"jan": 1, "feb": 2, "mar": 3, "apr": 4, "jun": 6, "jul": 7, "aug": 8, "sep": 9, "sept": 9,
         "oct": 10, "nov": 11, "dec": 12, "gen": 1, "mag": 5, "giu": 6, "lug": 7, "ago": 8,
         "set": 9, "sett": 9, "ott": 10, "dic": 12}
_MONTHS = {**{w: i for i, w in enumerate(_EN, 1)}, **{w: i for i, w in enumerate(_IT, 1)}, **_ABBR}
_WEEKDAYS = ("monday tuesday wednesday thursday friday saturday sunday mon tue wed thu fri sat sun "
             "lunedi martedi mercoledi giovedi venerdi sabato domenica lun mar mer gio ven sab dom")


def _alt(words) -> str:
    return "|".join(sorted(words, key=len, reverse=True))


_MON = rf"(?P<mon>{_alt(_MONTHS)})\b\.?"  # a month name or abbreviation: needs a day or a year
_MON_FULL = rf"(?P<mon>{_alt(_EN + _IT)})\b"  # full names only: may stand alone
_Y = r"(?P<year>(?:19|20)\d\d)"
_YEAR = _Y + r"(?!\w|[.,/:]\d|-\d{1,2}(?!\d)|'s\b)"  # not 2020s, 2020.5, 2022-13
_DAY = r"(?P<day>[0-3]?\d)(?:°|º|st|nd|rd|th)?"
_L = r"(?<![\w.,/:+$€£#-])"  # a number's left edge
_SEP = r"(?:\s*,\s*|\s+|-)(?:(?:of|del)\s+)?"
# words before a date that belong to it, so the caller cuts "in December 2022", not "December 2022"
_PRE = (r"(?P<pre>(?:\b(?:nel\s+corso\s+del|durante(?:\s+il)?|nel\s+mese\s+di|in\s+the\s+month\s+of|in|during|on|of|"
        r"a|ad|nel|nella|nello|del|della|dello|di|il|lo|la|negli|nelle)\s+|\b(?:nell|dell|all|l)'\s*){1,2})?")
_UNIT = re.compile(r"\s*(?:%|per\s*cento|percent|mila|milion|miliard|million|billion|thousand|euro|dollar|usd|"
                   r"persone|people|soldat|soldier|troops|uomini|km|chilometri|metri|tonnellat|tons|arrest|"
                   r"mort|dead|death|vittim|victim|casi|cases|vot|feriti|injured)")

_AGO = re.compile(r"(?:day|week|month|year|hour)s?\s+$")

Span = tuple[dt.date, dt.date, str]  # first day, last day, precision


@functools.lru_cache(maxsize=4096)
def _fold_char(c: str) -> str:
    low = c.lower()
    return unicodedata.normalize("NFD", low if len(low) == 1 else c)[0]


_APOS = str.maketrans("’‘`´ʼ", "'''''")


def _fold(text: str) -> str:
    text = text.translate(_APOS)
    return text.lower() if text.isascii() else "".join(map(_fold_char, text))


def _month_end(y: int, m: int) -> dt.date:
    return dt.date(y, m, calendar.monthrange(y, m)[1])


def _year_span(y: int) -> Span:
    return dt.date(y, 1, 1), dt.date(y, 12, 31), "year"


def _month_span(y: int, m: int) -> Span:
    return dt.date(y, m, 1), _month_end(y, m), "month"


def _absolute(m: re.Match, today: dt.date | None = None) -> Span | None:
    g = m.groupdict()
    if g.get("mon") == "ago" and _AGO.search(m.string, 0, m.start("mon")):
        return None  # "two years ago, 2021": English, not "agosto"
    y = int(g["year"])
    mon = int(g["month"]) if g.get("month") else _MONTHS.get(g.get("mon") or "")
    if mon is None:
        return _year_span(y)
    if not 1 <= mon <= 12:
        return None
    if not g.get("day"):
        return _month_span(y, mon)
    try:
        day = dt.date(y, mon, int(g["day"]))
    except ValueError:
        return None
    return day, day, "day"


def _bare_year(m: re.Match, today: dt.date) -> Span | None:
    return None if _UNIT.match(m.string, m.end()) else _absolute(m)


def _recent(m: re.Match, today: dt.date) -> Span | None:
    """A month or day without a year: the most recent one not after today."""
    g = m.groupdict()
    mon, last = _MONTHS[g["mon"]], bool(g.get("last") or g.get("last2"))
    if not g.get("day"):
        if g["mon"] in ("may", "march") and not last and not re.search(r"\b(?:in|during)\s+$", g["pre"] or ""):
            return None  # "Putin may attack", "protesters march"
        past = mon < today.month or (mon == today.month and not last)
        return _month_span(today.year if past else today.year - 1, mon)
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
     lambda m, t: _month_span(_shift_months(t, 1).year, _shift_months(t, 1).month)),
    (r"this\s+month|questo\s+mese|mese\s+(?:in\s+)?corso", lambda m, t: _month_span(t.year, t.month)),
    (r"(?:last|previous)\s+year|anno\s+(?:scorso|passato)|scorso\s+anno", lambda m, t: _year_span(t.year - 1)),
    (r"this\s+year|quest'\s*anno|questo\s+anno|anno\s+(?:in\s+)?corso", lambda m, t: _year_span(t.year)),
]

# most specific first: a later pattern never takes words an earlier one matched
_ABSOLUTE = [
    (_L + _Y + r"(?P<sep>[-/.])(?P<month>[01]?\d)(?P=sep)(?P<day>[0-3]?\d)(?!\d|[-/.]\d)", _absolute),
    (_L + r"(?P<day>[0-3]?\d)(?P<sep>[-/.])(?P<month>[01]?\d)(?P=sep)" + _Y + r"(?!\d)", _absolute),
    (_L + _DAY + r"(?:\s+of)?(?:\s+|-)" + _MON + _SEP + _YEAR, _absolute),
    (r"\b" + _MON + r"\s*(?P<day>[0-3]?\d)(?:st|nd|rd|th)?(?:\s*,\s*|\s+)" + _YEAR, _absolute),
    (_L + _Y + r"[-/](?P<month>[01]?\d)(?!\w|[-/.:]\d)", _absolute),
    (_L + r"(?P<month>[01]?\d)[-/]" + _Y + r"(?!\d|[-/.]\d)", _absolute),
    (r"\b" + _MON + _SEP + _YEAR, _absolute),
]
_IN_QUESTION = _ABSOLUTE + [(r"\b(?:the\s+)?(?:" + rx + r")\b", fn) for rx, fn in _RELATIVE] + [
    (_L + _DAY + r"(?:\s+(?:of|di))?\s+" + _MON_FULL, _recent),
    (r"\b" + _MON_FULL + r"\s+(?P<day>[0-3]?\d)(?:st|nd|rd|th)?\b(?!\s*,?\s*\d)", _recent),
    (r"(?:(?P<last>last|scorso)\s+)?" + _MON_FULL + r"(?:\s+(?P<last2>scorso))?", _recent),
    (r"(?<![\w.,/:+$€£#])(?<![a-z]-)" + _YEAR, _bare_year),
]


def _compile(table):
    return [(re.compile(_PRE + "(?P<core>" + rx + ")"), fn) for rx, fn in table]


_QUESTION_RX = _compile(_IN_QUESTION)
_ARTICLE_RX = _compile(_ABSOLUTE)
_OPENER = re.compile(r"\b(?:between|from|tra|fra|dal|dalla|dall'|dai|da)\s*(?:(?:il|lo|la|l'|the)\s*)?$")
_CONNECTOR = re.compile(r"\s*(?:(?P<word>and|to|until|till|through|e|ed|al|alla|all'|ai|a|fino\s+al?)|[-–—])"
                        r"\s*(?:(?:il|lo|la|l'|the)\s*)?")

Hit = tuple[int, int, int, dt.date, dt.date, str]  # start, core start, end, first, last, precision


def _hits(folded: str, today: dt.date | None, table) -> list[Hit]:
    hits: list[Hit] = []
    for rx, fn in table:
        for m in rx.finditer(folded):
            s, e = m.span()
            if any(s < he and hs < e for hs, _, he, *_ in hits):
                continue
            found = fn(m, today)
            if found:
                hits.append((s, m.start("core"), e, *found))
    return sorted(hits)


def _range(folded: str, a: Hit, b: Hit) -> tuple[int, dt.date, dt.date] | None:
    """(start of the words, first day, last day) when a and b are the ends of one range."""
    link = _CONNECTOR.fullmatch(folded, a[2], b[1])
    opener = _OPENER.search(folded, 0, a[1])
    if not link or (link["word"] and not opener):
        return None
    return (opener.start() if opener else a[0]), min(a[3], b[3]), max(a[4], b[4])


def parse_period(question: str, today: dt.date) -> Period | None:
    """The period a question names (English or Italian), with the words that name it, or None."""
    folded = _fold(question)
    hits = _hits(folded, today, _QUESTION_RX)
    for a, b in zip(hits, hits[1:]):
        found = _range(folded, a, b)
        if found:
            start, first, last = found
            return Period(first, last, "range", question[start:b[2]], (start, b[2]))
    if not hits:
        return None
    s, _, e, first, last, precision = hits[0]
    return Period(first, last, precision, question[s:e], (s, e))


def _value(first: dt.date, precision: str) -> str:
    if precision == "year":
        return f"{first.year:04d}"
    return f"{first.year:04d}-{first.month:02d}" if precision == "month" else first.isoformat()


_DATELINE = re.compile(
    r"(?:.{0,60}?[|•·,–—-]\s*)?(?:(?:published|updated|posted|last\s+updated|pubblicat[oa]|aggiornat[oa]|"
    rf"ultimo\s+aggiornamento|modificat[oa]|data|date|on|il|del|{_alt(_WEEKDAYS.split())})\b\.?\s*[:,]?\s*)*"
    r"|(?:di|by|a\s+cura\s+di)\s+[\w .'-]{1,40}?[\s,|•·–—-]*")
_LEAD = re.compile(r"\s*(?:\(\w{2,12}\)\s*[-–—:]?\s*)?(?:[A-ZÀ-Þ][\w'.]*(?:[ -][A-ZÀ-Þ][\w'.]*){0,3}\s*,\s*)?")
_AFTER_LEAD = re.compile(r"\s*[-–—:,(|]")
_SHORT, _TOP_LINES, _TOP_PARAGRAPHS = 100, 15, 3


_DAY_MONTH = re.sub(r"\(\?P<\w+>", "(?:", rf"{_DAY}\s+(?:of\s+|di\s+)?{_MON}|{_MON}\s+{_DAY}\b")  # unnamed groups
_DAY_FIRST = re.compile(rf"(?:(?:{_alt(_WEEKDAYS.split())})\b\.?,?\s+)?(?:{_DAY_MONTH})")


def opens_with_day(line: str) -> bool:
    """True when ``line`` opens with a day of a month ("12 March – Milan", "June 24 -- Bristow, VA",
    "Sat, Aug. 2", "3 dicembre"): an item of a list of dates, such as a tour's."""
    return bool(_DAY_FIRST.match(_fold(line.lstrip())))


def find_article_date(lines: list[str]) -> str | None:
    """An article's date from its dateline or byline near the top, "YYYY[-MM[-DD]]", or None."""
    top = [line.strip() for line in lines if line.strip()][:_TOP_LINES]
    if top:
        header, _ = parse_header_date(top[0])
        if header:
            return header
    long_lines = 0
    for line in top:
        folded = _fold(line[:_SHORT])  # of a paragraph, only its opening words can be a dateline
        hits = _hits(folded, None, _ARTICLE_RX)
        if len(line) <= _SHORT:
            if hits and _DATELINE.fullmatch(folded, 0, hits[0][1]):
                return _value(hits[0][3], hits[0][5])
            continue
        long_lines += 1
        if long_lines == 1 and hits:  # a dateline opening the first paragraph: "MINSK, 20 dicembre 2022 – ..."
            lead = _LEAD.match(line).end()
            if lead in hits[0][:2] and _AFTER_LEAD.match(folded, hits[0][2]):
                return _value(hits[0][3], hits[0][5])
        if long_lines >= _TOP_PARAGRAPHS:
            break
    return None


_ISO = re.compile(r"(\d{4})(?:-(\d{1,2})(?:-(\d{1,2}))?)?(?:[T\s]\d{1,2}:\d\d\S*(?:\s*\S+)?)?|(\d{4})(\d\d)(\d\d)")
_NUMERIC = re.compile(r"(\d{1,2})([/.-])(\d{1,2})\2(\d{4})(?:[T\s,].*)?")


def _ymd(y: int, m: int | None = None, d: int | None = None) -> str | None:
    try:
        day = dt.date(y, 1 if m is None else m, 1 if d is None else d)
    except ValueError:
        return None
    return _value(day, "year" if m is None else "month" if d is None else "day")


def normalize_date(value: str) -> str | None:
    """A metadata date as "YYYY", "YYYY-MM" or "YYYY-MM-DD" (its precision kept), or None."""
    text = str(value or "").strip()
    if m := _ISO.fullmatch(text):
        parts = [int(p) for p in (m.groups()[:3] if m[1] else m.groups()[3:]) if p]
        return _ymd(*parts)
    if m := _NUMERIC.fullmatch(text):
        day, month, year = int(m[1]), int(m[3]), int(m[4])
        return _ymd(year, month, day) or _ymd(year, day, month)  # day-first, else US month-first
    hits = _hits(_fold(text), None, _ARTICLE_RX)
    if hits:
        return _value(hits[0][3], hits[0][5])
    return _dateparser(text) if re.search(r"\d", text) else None


def _dateparser(text: str) -> str | None:
    """Last resort for odd formats ("20/12/22", "Dec 20 '22"): full dates only."""
    parser = _date_data_parser()
    found = parser.get_date_data(text).date_obj if parser else None
    return found.date().isoformat() if found and 1900 <= found.year <= 2099 else None


@functools.cache
def _date_data_parser():
    try:
        from dateparser.date import DateDataParser  # imported lazily: slow, and rarely needed
    except ImportError:  # pragma: no cover
        return None
    settings = {"DATE_ORDER": "DMY", "PARSERS": ["absolute-time"], "REQUIRE_PARTS": ["day", "month", "year"]}
    return DateDataParser(languages=["en", "it"], settings=settings)


_HEADER = re.compile(r"\s*date\s*(?::\s*|\s+)(\d{4}(?:-\d{1,2}){0,2})(?=\s|$)\s*", re.IGNORECASE)


def parse_header_date(line: str) -> tuple[str | None, str]:
    """(date, rest of line) for a seed header like " date 2022-12 Text...", else (None, line)."""
    m = _HEADER.match(line)
    return (normalize_date(m[1]), line[m.end():]) if m else (None, line)


def date_bounds(value: str) -> tuple[dt.date, dt.date]:
    """The first and last day covered by "YYYY", "YYYY-MM" or "YYYY-MM-DD"; ValueError otherwise."""
    m = re.fullmatch(r"(\d{4})(?:-(\d\d)(?:-(\d\d))?)?", value.strip())
    if not m:
        raise ValueError(f"not a YYYY[-MM[-DD]] date: {value!r}")
    y = int(m[1])
    if m[3]:
        day = dt.date(y, int(m[2]), int(m[3]))
        return day, day
    return _month_span(y, int(m[2]))[:2] if m[2] else _year_span(y)[:2]


def _label(start: dt.date, end: dt.date) -> tuple[str, str]:
    if (start.month, start.day, end.month, end.day) == (1, 1, 12, 31):
        return f"{start.year:04d}", f"{end.year:04d}"
    if start.day == 1 and end == _month_end(end.year, end.month):
        return _value(start, "month"), _value(end, "month")
    return start.isoformat(), end.isoformat()


def period_label(period: Period) -> str:
    """"2022", "2022-12", "2022-12-20", or "first..last" for a range ("2020..2022")."""
    if period.precision != "range":
        return _value(period.start, period.precision)
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
