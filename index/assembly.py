"""From a ``Draft`` (an article as its file states it) to an ``Article`` record.

``assemble`` cleans the draft's lines (``cleaning``), picks the title (the one the file gives,
else the longest heading of the opening block, else the first sentence) and the date (the one
the file states, else a dateline or byline near the top, ``dates``), tells the language and
hashes the content with ``PIPELINE_VERSION``, so that a change to the pipeline re-indexes every
article. The readers of ``readers`` make the drafts, one per article of a file.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass

from index import cleaning, dates
from index.errors import ArticleError
from index.languages import article_language
from index.records import Article

# Bump when reading, cleaning or splitting changes: every article is then re-indexed.
PIPELINE_VERSION = "4"
MAX_ARTICLE_CHARS = 1_000_000  # about 150,000 words: beyond this it is not an article
TITLE_MAX_CHARS = 120
HEADING_MAX_WORDS = 25
TITLE_MIN_WORDS = 3  # a shorter heading is a section name ("Esteri"), not a title
KICKER_MAX_WORDS = 8  # short lines above the title (section names, bylines) are not article text
FROM_METADATA, FROM_FEED, FROM_TEXT = "metadata", "feed", "text"  # where an article's date came from


@dataclass(frozen=True)
class Draft:
    """An article as its file states it, before cleaning."""

    lines: list[str]
    title: str | None = None
    date: str | None = None
    date_origin: str = FROM_METADATA  # where ``date`` came from, when there is one
    url: str | None = None
    key: str | None = None  # position or id inside a multi-article file
    raw: bytes = b""  # what the content hash covers


def assemble(draft: Draft, relative: str) -> Article | None:
    """Clean a draft into an Article; None when no article text is left."""
    lines = cleaning.clean_lines(draft.lines)
    date, date_origin = choose_date(draft, lines)
    title, body = choose_title(lines, cleaning.normalize_line(draft.title or ""))
    text = "\n\n".join(body)
    if not text.strip():
        return None
    if len(text) > MAX_ARTICLE_CHARS:
        raise ArticleError(f"article too long ({len(text):,} characters)")
    article_id = relative if draft.key is None else f"{relative}#{draft.key}"
    return Article(
        id=article_id,
        path=relative,
        title=title,
        text=text,
        date=date,
        source=draft.url or relative,
        language=article_language(title, text),
        content_hash=content_hash(draft.raw),
        date_origin=date_origin,
    )


def choose_date(draft: Draft, lines: list[str]) -> tuple[str | None, str]:
    """The article's date and where it came from: what the file states, else a dated line of its text."""
    if draft.date:
        return draft.date, draft.date_origin
    found = dates.find_article_date(lines)
    return found, FROM_TEXT if found else ""


def content_hash(raw: bytes) -> str:
    """The hash that tells a changed article from an unchanged one."""
    return hashlib.blake2b(PIPELINE_VERSION.encode() + b"\0" + raw, digest_size=16).hexdigest()


def choose_title(lines: list[str], given: str = "") -> tuple[str, list[str]]:
    """The article's title and its body lines.

    A title given by the file wins (and its repeat at the top of the body goes).
    Otherwise the longest heading-like line of the opening block is the title and
    the other short lines there (section names, bylines, datelines) are dropped;
    with no heading, the first sentence names the article and the body stays whole.
    When every line is heading-like (a short article whose text ends in a quote or a
    number, without a full stop), the first line is the title and the rest the body.
    """
    if given:
        body = lines[1:] if lines and lines[0].casefold() == given.casefold() else lines
        return given, body
    opening = _opening_block(lines)
    if not opening:
        return _first_sentence(lines[0] if lines else ""), lines
    title_at = max(opening, key=lambda i: len(lines[i]))
    dropped = {i for i in opening if i == title_at or len(lines[i].split()) <= KICKER_MAX_WORDS}
    body = [line for i, line in enumerate(lines) if i not in dropped]
    if not body:  # nothing but heading-like lines: they are the article, not its headings
        return lines[0], lines[1:] or lines
    return lines[title_at], body


def _opening_block(lines: list[str]) -> list[int]:
    """Indexes of the heading-like lines before the first line of prose."""
    block = []
    for index, line in enumerate(lines):
        if cleaning.ends_like_sentence(line) or len(line.split()) > HEADING_MAX_WORDS:
            break
        block.append(index)
    return block if any(len(lines[i].split()) >= TITLE_MIN_WORDS for i in block) else []


def _first_sentence(line: str) -> str:
    sentence = re.split(r"(?<=[.!?])\s", line, maxsplit=1)[0]
    if len(sentence) <= TITLE_MAX_CHARS:
        return sentence
    return sentence[:TITLE_MAX_CHARS].rsplit(" ", 1)[0] + "…"
