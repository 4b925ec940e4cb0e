"""Pages saved from the web: ``articles/web/<host>/<name>.html``, each carrying where it came from.

A saved page is the page's HTML, decoded and written as UTF-8, after a short header that
Newsdesk writes and reads back::

    <meta charset="utf-8">
    <meta name="newsdesk:source" content="https://www.example.it/articolo">
    <meta name="newsdesk:requested" content="https://example.it/a?id=1">   (when a redirect led elsewhere)
    <meta name="newsdesk:published" content="2026-11-30">                    (an item's date in its feed)
    <meta name="newsdesk:digest" content="…">                                (the article text's hash)
    <meta name="newsdesk:fetched" content="2026-12-01T22:10:00Z">
    <!-- /newsdesk -->

Only a header at the very start of the file, closed by ``<!-- /newsdesk -->``, is read:
a page cannot pass its own ``newsdesk:`` tags off as ours. A browser opening the file sees
the page (the first ``<meta charset>`` wins, and it is ours).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import html
import os
import re
import unicodedata
import uuid
from dataclasses import dataclass
from pathlib import Path

from index import urls
from index.errors import FetchError

WEB_SUBDIR = "web"
HEADER_END = "<!-- /newsdesk -->"
HEADER_SCAN_BYTES = 8192
FIELDS = ("source", "requested", "published", "digest", "fetched")
_HEADER = re.compile(r'\A<meta charset="utf-8">\n((?:<meta name="newsdesk:[a-z]+" content="[^"]*">\n)*)' + re.escape(HEADER_END) + "\n")
_FIELD = re.compile(r'<meta name="newsdesk:([a-z]+)" content="([^"]*)">')


@dataclass(frozen=True)
class PageRecord:
    """Where a saved page came from (the fields of its header)."""

    source: str  # the URL the page was served from, after redirects: the answer's source
    requested: str = ""  # the URL asked for, when it was another one
    published: str = ""  # the date its feed gave, used when the page states none
    digest: str = ""
    fetched: str = ""


def with_record(page: str, record: PageRecord) -> str:
    """The text to save: the header, then the page."""
    lines = ['<meta charset="utf-8">']
    for name in FIELDS:
        value = getattr(record, name)
        if value:
            lines.append(f'<meta name="newsdesk:{name}" content="{html.escape(value, quote=True)}">')
    return "\n".join(lines) + f"\n{HEADER_END}\n" + page


def read_record(text: str) -> PageRecord | None:
    """The header of a saved page; None when the text does not start with one."""
    return split_record(text)[0]


def split_record(text: str) -> tuple[PageRecord | None, str]:
    """The header of a saved page (None when there is none) and the page as it was served."""
    found = _HEADER.match(text[:HEADER_SCAN_BYTES])
    if not found:
        return None, text
    values: dict[str, str] = {}
    for name, value in _FIELD.findall(found.group(1)):
        if name in FIELDS:
            values.setdefault(name, html.unescape(value))
    return (PageRecord(**values) if values.get("source") else None), text[found.end():]


def content_digest(text: str) -> str:
    """What tells two copies of one article from two articles: its words, case and spacing aside."""
    words = " ".join(unicodedata.normalize("NFKC", text).casefold().split())
    return hashlib.blake2b(words.encode(), digest_size=16).hexdigest()


def now_stamp() -> str:
    return dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


class KnownPages:
    """The saved pages by URL and by content digest, read from the web folder's headers."""

    def __init__(self, articles_dir: Path):
        self.articles_dir = articles_dir
        self.by_url: dict[str, str] = {}  # normalized URL -> path relative to the articles folder
        self.by_digest: dict[str, str] = {}
        for path in sorted((articles_dir / WEB_SUBDIR).rglob("*.html")):
            record = _head_record(path)
            if record is not None:
                self.remember(record, path.relative_to(articles_dir).as_posix())

    def remember(self, record: PageRecord, relative: str) -> None:
        for url in (record.source, record.requested):
            if url:
                self.by_url.setdefault(_comparable(url), relative)
        if record.digest:
            self.by_digest.setdefault(record.digest, relative)

    def url(self, url: str) -> str | None:
        """The saved page of ``url``, if any."""
        return self.by_url.get(_comparable(url))


def _comparable(url: str) -> str:
    try:
        return urls.normalize(url)
    except FetchError:  # an odd URL in a header compares as written
        return url


def _head_record(path: Path) -> PageRecord | None:
    try:
        with path.open("rb") as handle:
            head = handle.read(HEADER_SCAN_BYTES)
    except OSError:
        return None
    return read_record(head.decode("utf-8", errors="ignore"))


def page_path(articles_dir: Path, source: str) -> Path:
    """Where the page of ``source`` is saved: ``web/<host>/<name>.html`` (a free name)."""
    folder = articles_dir / WEB_SUBDIR / urls.host_folder(source)
    name = urls.page_name(source)
    candidate = folder / name
    number = 1
    while candidate.exists():
        number += 1
        candidate = folder / f"{Path(name).stem}-{number}.html"
    return candidate


def save(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` atomically (a hidden staging file the builds skip, then a rename)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    staging = path.parent / f".fetch-{uuid.uuid4().hex}.html"
    try:
        with open(staging, "xb") as handle:
            handle.write(text.encode("utf-8", errors="replace"))
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(staging, path)
    finally:
        staging.unlink(missing_ok=True)
