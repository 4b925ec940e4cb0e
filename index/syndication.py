"""Feed documents read by feedparser (the only feedparser import): RSS 2.0, RSS 1.0 (RDF) and Atom.

``parse`` turns a feed's bytes into a ``Feed``: its title and its items, each with the link
of its page and its publication date. feedparser is given bytes, never a URL (it would
fetch it itself, past our fetcher). An item without a usable http(s) link is a broken
item: it is counted and skipped, the others are read. A document that is no feed at all
(HTML, binary garbage, an XML document of another kind) raises ``FeedError``.
"""

from __future__ import annotations

import calendar
import datetime as dt
import logging
from dataclasses import dataclass

from index.errors import FeedError

logger = logging.getLogger(__name__)

MAX_ITEMS = 500  # a feed listing more is read as far as this


@dataclass(frozen=True)
class FeedItem:
    url: str
    title: str = ""
    published: str = ""  # "YYYY-MM-DD" (UTC) when the feed dates the item


@dataclass(frozen=True)
class Feed:
    title: str
    items: tuple[FeedItem, ...]
    kind: str  # feedparser's name of the format: "rss20", "rss10", "atom10"…
    broken: int = 0  # items skipped: no link, or a link that is not http(s)


def parse(body: bytes, url: str, content_type: str = "") -> Feed:
    """The feed in ``body`` (served from ``url``); ``FeedError`` when it is not a feed."""
    import feedparser  # imported here: only feed polling needs it

    headers = {"content-location": url, "content-type": content_type or "application/xml"}
    try:
        parsed = feedparser.parse(body, response_headers=headers, sanitize_html=False, resolve_relative_uris=True)
    except Exception as error:  # feedparser is lenient; anything it still raises means garbage
        raise FeedError(f"not a feed: {type(error).__name__}") from error
    if not parsed.get("version") and not parsed.entries:
        reason = parsed.get("bozo_exception") or "no RSS or Atom document found"
        raise FeedError(f"not a feed ({_first_line(reason)})")
    items = [_item(entry) for entry in parsed.entries[:MAX_ITEMS]]
    good = tuple(item for item in items if item is not None)
    if len(good) < len(items):
        logger.warning("%s: %d broken item(s) skipped (no http(s) link)", url, len(items) - len(good))
    title = (parsed.feed.get("title") or "").strip() or url
    return Feed(title=title, items=good, kind=parsed.get("version") or "unknown", broken=len(items) - len(good))


def _item(entry) -> FeedItem | None:
    link = _link(entry)
    if link is None:
        return None
    return FeedItem(url=link, title=(entry.get("title") or "").strip(), published=_date(entry))


def _link(entry) -> str | None:
    """The item's page: its link, an alternate link, or an id that is a permalink."""
    candidates = [entry.get("link")]
    candidates += [link.get("href") for link in entry.get("links", ()) if link.get("rel", "alternate") == "alternate"]
    if entry.get("guidislink") or str(entry.get("id", "")).startswith(("http://", "https://")):
        candidates.append(entry.get("id"))
    for candidate in candidates:
        if isinstance(candidate, str) and candidate.strip().lower().startswith(("http://", "https://")):
            return candidate.strip()
    return None


def _date(entry) -> str:
    for key in ("published_parsed", "updated_parsed", "created_parsed"):
        moment = entry.get(key)
        if moment:
            try:
                return dt.datetime.fromtimestamp(calendar.timegm(moment), dt.timezone.utc).date().isoformat()
            except (OverflowError, ValueError, OSError):
                continue
    return ""


def _first_line(reason: object) -> str:
    return str(reason).splitlines()[0][:200] if str(reason) else type(reason).__name__
