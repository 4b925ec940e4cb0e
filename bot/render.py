"""Answers rendered as Telegram HTML: pure functions, everything escaped, within Telegram's limits.

Each answer is a header (title, date, source — a link when there is a URL, and
a short caveat when the answer is uncertain) and the passage in a ``<blockquote>`` with the answering sentence in bold.
When the whole would exceed ``MessageLimit.MAX_TEXT_LENGTH`` (counted as
Telegram counts: visible characters in UTF-16 code units), the passages are
trimmed around their quotes, and then the quotes themselves. Titles and plain
sources are cut to ``TITLE_MAX_CHARS`` and ``SOURCE_MAX_CHARS`` whatever the
article file said, so that three answers always fit.
"""

from __future__ import annotations

import html
import re
from urllib.parse import urlsplit

from telegram.constants import MessageLimit

from bot import messages
from index import Answer, Response

MAX_TEXT = MessageLimit.MAX_TEXT_LENGTH
CONTEXT_STEPS = (None, 600, 300, 150, 60, 0)  # characters of passage kept around the quote, tried in turn
QUOTE_STEPS = (None, 1200, 600, 300, 150)
ELLIPSIS = "…"
TITLE_MAX_CHARS = 200
SOURCE_MAX_CHARS = 120
URL_MAX_CHARS = 2048  # a longer "URL" is shown as text, not linked


def telegram_length(visible: str) -> int:
    """Length as Telegram counts it: UTF-16 code units."""
    return len(visible.encode("utf-16-le")) // 2


def visible_text(markup: str) -> str:
    """What Telegram shows for our HTML: tags dropped, entities decoded."""
    return html.unescape(re.sub(r"<[^>]+>", "", markup))


def fits(markup: str, limit: int = MAX_TEXT) -> bool:
    return 0 < telegram_length(visible_text(markup)) <= limit


def render_answers(response: Response, answers: list[Answer], number_from: int = 1, note: str = "") -> str:
    """The HTML message for ``answers`` (numbered from ``number_from``), within the length limit."""
    language = response.language
    for quote_chars in QUOTE_STEPS:
        for context in CONTEXT_STEPS:
            blocks = [render_answer(a, number_from + i, language, context, quote_chars) for i, a in enumerate(answers)]
            markup = "\n\n".join(([escape(note)] if note else []) + blocks)
            if fits(markup):
                return markup
    return escape(shorten(answers[0].quote, QUOTE_STEPS[-1])) or ELLIPSIS  # unreachable: titles and sources are cut


def render_answer(answer: Answer, number: int, language: str, context: int | None, quote_chars: int | None) -> str:
    header = f"<b>{number}. {escape(shorten(answer.title, TITLE_MAX_CHARS))}</b>\n{source_line(answer, language)}"
    if answer.uncertain:  # related to the question, but less likely than not to answer it
        header += f"\n<i>{escape(messages.text('uncertain', language))}</i>"
    body = quoted_passage(answer, context, quote_chars)
    if not visible_text(body).strip():  # nothing printable: Telegram would drop an empty quote
        body = ELLIPSIS
    return f"{header}\n<blockquote>{body}</blockquote>"


def source_line(answer: Answer, language: str) -> str:
    """"2022-12-20 · example.org" with the source as a link when it is a URL."""
    date = escape(answer.date or messages.text("undated", language))
    return f"{date} · {source_markup(answer.source)}"


def source_markup(source: str) -> str:
    host = web_host(source)
    if host is None:
        return escape(shorten(source, SOURCE_MAX_CHARS))
    return f'<a href="{html.escape(source, quote=True)}">{escape(host.removeprefix("www."))}</a>'


def quoted_passage(answer: Answer, context: int | None, quote_chars: int | None) -> str:
    """The passage with the quote in bold, keeping ``context`` characters on each side (all when None)."""
    start = answer.passage.find(answer.quote)
    quote = answer.quote if quote_chars is None else shorten(answer.quote, quote_chars)
    if start < 0:
        return f"<b>{escape(quote)}</b>"
    before, after = answer.passage[:start], answer.passage[start + len(answer.quote) :]
    if context is not None:
        before = _tail(before, context)
        after = _head(after, context)
    return f"{escape(before)}<b>{escape(quote)}</b>{escape(after)}"


def _tail(text: str, chars: int) -> str:
    if len(text) <= chars:
        return text
    if chars == 0:
        return ELLIPSIS + " "
    cut = text[-chars:]
    return ELLIPSIS + (cut.split(" ", 1)[1] if " " in cut else cut)


def _head(text: str, chars: int) -> str:
    if len(text) <= chars:
        return text
    if chars == 0:
        return " " + ELLIPSIS
    cut = text[:chars]
    return (cut.rsplit(" ", 1)[0] if " " in cut else cut) + ELLIPSIS


def shorten(text: str, chars: int) -> str:
    """``text`` cut at a word boundary to at most ``chars`` characters (with an ellipsis)."""
    if len(text) <= chars:
        return text
    cut = text[: chars - 1]
    at_word_end = text[chars - 1].isspace()
    if not at_word_end and " " in cut[chars // 2 :]:
        cut = cut.rsplit(" ", 1)[0]
    return cut.rstrip() + ELLIPSIS


def escape(text: str) -> str:
    """Text made safe for Telegram HTML (only <, > and & need it outside attributes)."""
    return html.escape(_printable(text), quote=False)


def plain(text: str) -> str:
    """Printable text on one line (for titles and descriptions outside HTML)."""
    return " ".join(_printable(text).split())


_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")  # C0 but tab and newline, DEL, C1


def _printable(text: str) -> str:
    """Drop control characters other than newlines and tabs (Telegram rejects some of them)."""
    return _CONTROL.sub("", text)


def web_host(source: str) -> str | None:
    """The host of an http(s) URL that can be linked, else None (then the source is shown as text)."""
    if len(source) > URL_MAX_CHARS or re.search(r"[\s\x00-\x1f\x7f-\x9f]", source):
        return None
    try:
        parts = urlsplit(source)
        host = parts.hostname
    except ValueError:  # e.g. "http://[::1" (an unclosed IPv6 address)
        return None
    return host if parts.scheme in ("http", "https") and host else None


def render_inline_description(answer: Answer, language: str) -> str:
    caveat = f"{messages.text('uncertain', language)} " if answer.uncertain else ""
    return shorten(f"{caveat}{answer.date or messages.text('undated', language)} · {answer.quote}", 200)
