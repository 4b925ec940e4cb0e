"""Reads article files (.txt, .md, .html/.htm, .json, .jsonl) into ``Article`` records.

Each format has one small reader that turns the file into ``Draft``s (title,
lines, date, url as the file states them); ``assembly`` then cleans the lines,
picks the title and the date, tells the language and hashes the content.
A file that cannot be read raises ``ArticleError`` naming the reason; a bad
line of a .jsonl file is skipped with a warning and the rest is read.
"""

from __future__ import annotations

import codecs
import json
import logging
import re
from pathlib import Path

from index import assembly, dates, encodings, extraction, webpages
from index.assembly import FROM_FEED, FROM_METADATA, Draft
from index.errors import ArticleError
from index.records import Article

logger = logging.getLogger(__name__)

SUFFIXES = (".txt", ".md", ".markdown", ".html", ".htm", ".json", ".jsonl")
HTML_SUFFIXES = (".html", ".htm")  # their own <meta charset> tells their encoding
MAX_FILE_BYTES = 20_000_000  # one article file; .jsonl files are read line by line instead


def read_file(path: Path, root: Path) -> list[Article]:
    """Every article in ``path`` (a file under ``root``); raises ``ArticleError``."""
    suffix = path.suffix.lower()
    if suffix not in SUFFIXES:
        raise ArticleError(f"unsupported file type {suffix or '(none)'}")
    relative = path.relative_to(root).as_posix()
    if suffix == ".jsonl":
        drafts = list(read_jsonl(path))
    else:
        drafts = READERS[suffix](read_text(path))
    articles = [article for article in assemble_all(drafts, relative) if article is not None]
    if not articles:
        raise ArticleError("no article text found")
    return articles


def assemble_all(drafts: list[Draft], relative: str) -> list[Article | None]:
    """Each draft assembled; in a file of many articles, one that fails is skipped with a warning."""
    if len(drafts) == 1:
        return [assembly.assemble(drafts[0], relative)]
    articles = []
    for number, draft in enumerate(drafts, start=1):
        try:
            articles.append(assembly.assemble(draft, relative))
        except ArticleError as error:
            logger.warning("%s: article %s skipped: %s", relative, draft.key or number, error)
    return articles


def read_text(path: Path) -> str:
    """The file's text, refusing binary, undecodable and oversized files."""
    size = path.stat().st_size
    if size > MAX_FILE_BYTES:
        raise ArticleError(f"too large ({size:,} bytes; the limit is {MAX_FILE_BYTES:,})")
    return decode(path.read_bytes(), markup=path.suffix.lower() in HTML_SUFFIXES)


def decode(data: bytes, markup: bool = False) -> str:
    """Text from bytes as a browser reads a file (``encodings.decode_file``): a byte-order mark, an
    HTML file's own ``<meta charset>`` (``markup``), UTF-8, else the encoding charset-normalizer
    finds; ``ArticleError`` for binary data (NUL bytes without a UTF-16/32 byte-order mark, or
    control characters wherever the text should be)."""
    if b"\x00" in data[:8192] and not data.startswith(_WIDE_BOMS):
        raise ArticleError("binary file, not text")
    text, encoding = encodings.decode_file(data, markup)
    sample = text[:20000]
    controls = sum(1 for ch in sample if ord(ch) < 32 and ch not in "\r\n\t")
    if "\x00" in text[:8192]:
        raise ArticleError("binary file, not text")
    if controls > len(sample) // 100:
        raise ArticleError(f"not text in a known encoding (read as {encoding})")
    return text


_WIDE_BOMS = (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE, codecs.BOM_UTF32_BE)  # UTF-32-LE's starts as UTF-16-LE's


# --- one reader per format -------------------------------------------------------------


def read_plain(text: str) -> list[Draft]:
    """A .txt article; an optional first-line header ``date 2022-12`` gives its date."""
    lines = text.splitlines()
    date = None
    if lines:
        date, lines[0] = dates.parse_header_date(lines[0])
    return [Draft(lines=lines, date=date, raw=text.encode())]


_FRONT_MATTER = re.compile(r"\A---\s*\n(.*?)\n---\s*\n", re.DOTALL)
_MD_INLINE = [
    (re.compile(r"!\[[^\]]*\]\([^)]*\)"), ""),  # images
    (re.compile(r"\[([^\]]+)\]\([^)]*\)"), r"\1"),  # links keep their text
    (re.compile(r"<[^>]+>"), ""),  # inline HTML tags
    (re.compile(r"(\*\*|__|\*|`)(\S(?:.*?\S)?)\1"), r"\2"),  # emphasis, code
]
_MD_BLOCK = re.compile(r"^\s{0,3}(?:#{1,6}\s+|>\s?|[-*+]\s+|\d+[.)]\s+)")


def read_markdown(text: str) -> list[Draft]:
    """A Markdown article: front matter (title, date, url) and the first ``#`` heading."""
    meta: dict[str, str] = {}
    found = _FRONT_MATTER.match(text)
    if found:
        meta = _parse_front_matter(found.group(1))
        text = text[found.end() :]
    lines = [_strip_markdown(line) for line in text.splitlines() if not line.startswith("```")]
    title = meta.get("title") or _first_heading(text)
    date = dates.normalize_date(meta["date"]) if meta.get("date") else None
    return [Draft(lines=lines, title=title, date=date, url=meta.get("url"), raw=text.encode())]


def _parse_front_matter(block: str) -> dict[str, str]:
    meta = {}
    for line in block.splitlines():
        key, sep, value = line.partition(":")
        if sep and key.strip():
            meta[key.strip().lower()] = value.strip().strip("\"'")
    return meta


def _first_heading(text: str) -> str | None:
    found = re.search(r"^#\s+(.+)$", text, re.MULTILINE)
    return _strip_markdown(found.group(1)) if found else None


def _strip_markdown(line: str) -> str:
    line = _MD_BLOCK.sub("", line)
    for pattern, replacement in _MD_INLINE:
        line = pattern.sub(replacement, line)
    return line


def read_html(text: str) -> list[Draft]:
    """An HTML page: its article as ``extraction`` finds it, without navigation and scripts.

    A page saved from the web (``index.webpages``) has its URL as its source, and the date its
    feed gave when the page's metadata states none (a year guessed from its words does not
    count: the feed's date is better)."""
    saved, page = webpages.split_record(text)  # the page is read as it was served, without our header
    found = extraction.extract(page, stated_dates_only=bool(saved and saved.published))
    stated = found.date or (saved.published if saved else None)
    date = dates.normalize_date(stated) if stated else None
    url = saved.source if saved else found.url
    origin = FROM_METADATA if found.date else FROM_FEED
    return [Draft(lines=found.lines, title=found.title, date=date, date_origin=origin, url=url, raw=text.encode())]


def read_json(text: str) -> list[Draft]:
    """A .json file: one article object, or a list of them."""
    value = parse_json(text)
    objects = value if isinstance(value, list) else [value]
    drafts = []
    for number, item in enumerate(objects, start=1):
        try:
            drafts.append(draft_from_object(item, str(number)))
        except ArticleError as error:
            logger.warning("skipping article %d of the JSON file: %s", number, error)
    return drafts


def read_jsonl(path: Path) -> list[Draft]:
    """A .jsonl file, one article object per line; bad lines are skipped with a warning."""
    drafts = []
    with path.open("rb") as stream:
        for number, raw in enumerate(stream, start=1):
            if not raw.strip():
                continue
            try:
                drafts.append(_draft_from_jsonl_line(raw, number))
            except ArticleError as error:
                logger.warning("%s line %d skipped: %s", path.name, number, error)
    return drafts


def _draft_from_jsonl_line(raw: bytes, number: int) -> Draft:
    if len(raw) > MAX_FILE_BYTES:
        raise ArticleError(f"line too long ({len(raw):,} bytes)")
    return draft_from_object(parse_json(decode(raw)), str(number))


def parse_json(text: str) -> object:
    """The JSON value of ``text``; ``ArticleError`` when it is malformed or nested too deeply."""
    try:
        return json.loads(text)
    except json.JSONDecodeError as error:
        raise ArticleError(f"malformed JSON (line {error.lineno}: {error.msg})") from error
    except RecursionError:
        raise ArticleError("JSON nested too deeply") from None


def draft_from_object(item: object, position: str) -> Draft:
    """A Draft from a JSON object with ``title``, ``text`` and optional ``date``, ``url``, ``source``."""
    if not isinstance(item, dict):
        raise ArticleError("not a JSON object")
    text = item.get("text")
    if not isinstance(text, str) or not text.strip():
        raise ArticleError('no "text" field')
    title = valid_unicode(item["title"]) if isinstance(item.get("title"), str) else None
    date = dates.normalize_date(valid_unicode(str(item["date"]))) if item.get("date") else None
    url = next((valid_unicode(item[k]) for k in ("url", "source") if _is_url(item.get(k))), None)
    key = valid_unicode(str(item["id"])) if isinstance(item.get("id"), (str, int)) else position
    raw = json.dumps(item, sort_keys=True, ensure_ascii=False).encode("utf-8", "surrogatepass")
    return Draft(lines=valid_unicode(text).splitlines(), title=title, date=date, url=url, key=key, raw=raw)


_SURROGATE = re.compile("[\ud800-\udfff]")


def valid_unicode(text: str) -> str:
    """``text`` with lone surrogates (JSON escapes such as "\\ud800") replaced by U+FFFD."""
    return _SURROGATE.sub("\ufffd", text)


def _is_url(value: object) -> bool:
    return isinstance(value, str) and value.startswith(("http://", "https://"))


READERS = {
    ".txt": read_plain,
    ".md": read_markdown,
    ".markdown": read_markdown,
    ".html": read_html,
    ".htm": read_html,
    ".json": read_json,
}
