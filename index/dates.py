"""Dates in articles and their metadata, and the grammar of dates both they and questions use.

The grammar: month names and abbreviations in English and Italian, weekdays, and the absolute
dates ("20 dicembre 2022", "Dec. 2022", "2022-12-20", "20/12/2022") as a table of regexes that
``periods`` extends with the dates only questions use. Over it: an article's date from its
dateline or byline (``find_article_date``), metadata dates normalised (``normalize_date``), a
seed file's header date, the days a "YYYY[-MM[-DD]]" date covers, and whether a line opens
with a day (an item of a list of dates).

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

EN_MONTHS = "january february march april may june july august september october november december".split()
IT_MONTHS = "gennaio febbraio marzo aprile maggio giugno luglio agosto settembre ottobre novembre dicembre".split()
_ABBR = {"jan": 1, "feb": 2, "mar": 3, "apr": 4, "jun": 6, "jul": 7, "aug": 8, "sep": 9, "sept": 9,
         "oct": 10, "nov": 11, "dec": 12, "gen": 1, "mag": 5, "giu": 6, "lug": 7, "ago": 8,
         "set": 9, "sett": 9, "ott": 10, "dic": 12}
MONTHS = {**{w: i for i, w in enumerate(EN_MONTHS, 1)}, **{w: i for i, w in enumerate(IT_MONTHS, 1)}, **_ABBR}
_WEEKDAYS = ("monday tuesday wednesday thursday friday saturday sunday mon tue wed thu fri sat sun "
             "lunedi martedi mercoledi giovedi venerdi sabato domenica lun mar mer gio ven sab dom")


def alternation(words) -> str:
    return "|".join(sorted(words, key=len, reverse=True))


_MON = rf"(?P<mon>{alternation(MONTHS)})\b\.?"  # a month name or abbreviation: needs a day or a year
_Y = r"(?P<year>(?:19|20)\d\d)"
YEAR = _Y + r"(?!\w|[.,/:]\d|-\d{1,2}(?!\d)|'s\b)"  # not 2020s, 2020.5, 2022-13
DAY = r"(?P<day>[0-3]?\d)(?:°|º|st|nd|rd|th)?"
LEFT_EDGE = r"(?<![\w.,/:+$€£#-])"  # a number's left edge
_SEP = r"(?:\s*,\s*|\s+|-)(?:(?:of|del)\s+)?"
# words before a date that belong to it, so the caller cuts "in December 2022", not "December 2022"
_PRE = (r"(?P<pre>(?:\b(?:nel\s+corso\s+del|durante(?:\s+il)?|nel\s+mese\s+di|in\s+the\s+month\s+of|in|during|on|of|"
        r"a|ad|nel|nella|nello|del|della|dello|di|il|lo|la|negli|nelle)\s+|\b(?:nell|dell|all|l)'\s*){1,2})?")

_AGO = re.compile(r"(?:day|week|month|year|hour)s?\s+$")

Span = tuple[dt.date, dt.date, str]  # first day, last day, precision


@functools.lru_cache(maxsize=4096)
def _fold_char(c: str) -> str:
    low = c.lower()
    return unicodedata.normalize("NFD", low if len(low) == 1 else c)[0]


_APOS = str.maketrans("’‘`´ʼ", "'''''")


def fold_in_place(text: str) -> str:
    """Lower-case ``text`` and strip its accents one character for one, so that a match's offsets
    in the folded text are its offsets in ``text`` (``languages.fold`` may change the length)."""
    text = text.translate(_APOS)
    return text.lower() if text.isascii() else "".join(map(_fold_char, text))


def month_end(y: int, m: int) -> dt.date:
    return dt.date(y, m, calendar.monthrange(y, m)[1])


def year_span(y: int) -> Span:
    return dt.date(y, 1, 1), dt.date(y, 12, 31), "year"


def month_span(y: int, m: int) -> Span:
    return dt.date(y, m, 1), month_end(y, m), "month"


def absolute_span(m: re.Match, today: dt.date | None = None) -> Span | None:
    g = m.groupdict()
    if g.get("mon") == "ago" and _AGO.search(m.string, 0, m.start("mon")):
        return None  # "two years ago, 2021": English, not "agosto"
    y = int(g["year"])
    mon = int(g["month"]) if g.get("month") else MONTHS.get(g.get("mon") or "")
    if mon is None:
        return year_span(y)
    if not 1 <= mon <= 12:
        return None
    if not g.get("day"):
        return month_span(y, mon)
    try:
        day = dt.date(y, mon, int(g["day"]))
    except ValueError:
        return None
    return day, day, "day"


# most specific first: a later pattern never takes words an earlier one matched (``periods``
# puts the dates only questions use after these)
ABSOLUTE = [
    (LEFT_EDGE + _Y + r"(?P<sep>[-/.])(?P<month>[01]?\d)(?P=sep)(?P<day>[0-3]?\d)(?!\d|[-/.]\d)", absolute_span),
    (LEFT_EDGE + r"(?P<day>[0-3]?\d)(?P<sep>[-/.])(?P<month>[01]?\d)(?P=sep)" + _Y + r"(?!\d)", absolute_span),
    (LEFT_EDGE + DAY + r"(?:\s+of)?(?:\s+|-)" + _MON + _SEP + YEAR, absolute_span),
    (r"\b" + _MON + r"\s*(?P<day>[0-3]?\d)(?:st|nd|rd|th)?(?:\s*,\s*|\s+)" + YEAR, absolute_span),
    (LEFT_EDGE + _Y + r"[-/](?P<month>[01]?\d)(?!\w|[-/.:]\d)", absolute_span),
    (LEFT_EDGE + r"(?P<month>[01]?\d)[-/]" + _Y + r"(?!\d|[-/.]\d)", absolute_span),
    (r"\b" + _MON + _SEP + YEAR, absolute_span),
]


def compile_table(table):
    return [(re.compile(_PRE + "(?P<core>" + rx + ")"), fn) for rx, fn in table]


_ARTICLE_RX = compile_table(ABSOLUTE)

Hit = tuple[int, int, int, dt.date, dt.date, str]  # start, core start, end, first, last, precision


def date_hits(folded: str, today: dt.date | None, table) -> list[Hit]:
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


def period_value(first: dt.date, precision: str) -> str:
    if precision == "year":
        return f"{first.year:04d}"
    return f"{first.year:04d}-{first.month:02d}" if precision == "month" else first.isoformat()


_DATELINE = re.compile(
    r"(?:.{0,60}?[|•·,–—-]\s*)?(?:(?:published|updated|posted|last\s+updated|pubblicat[oa]|aggiornat[oa]|"
    rf"ultimo\s+aggiornamento|modificat[oa]|data|date|on|il|del|{alternation(_WEEKDAYS.split())})\b\.?\s*[:,]?\s*)*"
    r"|(?:di|by|a\s+cura\s+di)\s+[\w .'-]{1,40}?[\s,|•·–—-]*")
_LEAD = re.compile(r"\s*(?:\(\w{2,12}\)\s*[-–—:]?\s*)?(?:[A-ZÀ-Þ][\w'.]*(?:[ -][A-ZÀ-Þ][\w'.]*){0,3}\s*,\s*)?")
_AFTER_LEAD = re.compile(r"\s*[-–—:,(|]")
_SHORT, _TOP_LINES, _TOP_PARAGRAPHS = 100, 15, 3


_DAY_MONTH = re.sub(r"\(\?P<\w+>", "(?:", rf"{DAY}\s+(?:of\s+|di\s+)?{_MON}|{_MON}\s+{DAY}\b")  # unnamed groups
_DAY_FIRST = re.compile(rf"(?:(?:{alternation(_WEEKDAYS.split())})\b\.?,?\s+)?(?:{_DAY_MONTH})")


def opens_with_day(line: str) -> bool:
    """True when ``line`` opens with a day of a month ("12 March – Milan", "June 24 -- Bristow, VA",
    "Sat, Aug. 2", "3 dicembre"): an item of a list of dates, such as a tour's."""
    return bool(_DAY_FIRST.match(fold_in_place(line.lstrip())))


def find_article_date(lines: list[str]) -> str | None:
    """An article's date from its dateline or byline near the top, "YYYY[-MM[-DD]]", or None."""
    top = [line.strip() for line in lines if line.strip()][:_TOP_LINES]
    if top:
        header, _ = parse_header_date(top[0])
        if header:
            return header
    long_lines = 0
    for line in top:
        folded = fold_in_place(line[:_SHORT])  # of a paragraph, only its opening words can be a dateline
        hits = date_hits(folded, None, _ARTICLE_RX)
        if len(line) <= _SHORT:
            if hits and _DATELINE.fullmatch(folded, 0, hits[0][1]):
                return period_value(hits[0][3], hits[0][5])
            continue
        long_lines += 1
        if long_lines == 1 and hits:  # a dateline opening the first paragraph: "MINSK, 20 dicembre 2022 – ..."
            lead = _LEAD.match(line).end()
            if lead in hits[0][:2] and _AFTER_LEAD.match(folded, hits[0][2]):
                return period_value(hits[0][3], hits[0][5])
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
    return period_value(day, "year" if m is None else "month" if d is None else "day")


def normalize_date(value: str) -> str | None:
    """A metadata date as "YYYY", "YYYY-MM" or "YYYY-MM-DD" (its precision kept), or None."""
    text = str(value or "").strip()
    if m := _ISO.fullmatch(text):
        parts = [int(p) for p in (m.groups()[:3] if m[1] else m.groups()[3:]) if p]
        return _ymd(*parts)
    if m := _NUMERIC.fullmatch(text):
        day, month, year = int(m[1]), int(m[3]), int(m[4])
        return _ymd(year, month, day) or _ymd(year, day, month)  # day-first, else US month-first
    hits = date_hits(fold_in_place(text), None, _ARTICLE_RX)
    if hits:
        return period_value(hits[0][3], hits[0][5])
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
    return month_span(y, int(m[2]))[:2] if m[2] else year_span(y)[:2]
