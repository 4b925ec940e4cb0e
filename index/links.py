"""Adding links: each page fetched, its article read, saved under ``articles/web/<host>/``, indexed once.

A link whose URL is already saved is not fetched again ("same URL"); a page whose article
text is already saved under another URL is not saved twice ("same content"). What can go
wrong with one link — a refused address, a 404, a timeout, a page too large, no article
in it — is that link's outcome, and the others go on. After the links, one re-index
(``reindex``), not one per page; when another re-index is running the pages stay saved
and the next one indexes them.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from dataclasses import replace
from pathlib import Path

from index import assembly, encodings, readers, urls, webpages
from index.errors import DISK_PROBLEMS, ArticleError, BuildInProgressError, FetchError
from index.fetcher import Fetcher
from index.records import Article, BuildReport, LinkOutcome, LinkReport
from index.webpages import KnownPages, PageRecord

logger = logging.getLogger(__name__)

HTML_TYPES = ("text/html", "application/xhtml+xml", "text/plain", "")  # text/plain: servers that do not say
Reindex = Callable[[], BuildReport]


class LinkSaver:
    """Fetches links and saves their pages, remembering what is saved (across the links of one run)."""

    def __init__(self, articles_dir: Path, fetcher: Fetcher):
        self.articles_dir = articles_dir
        self.fetcher = fetcher
        self.known = KnownPages(articles_dir)

    def save(self, url: str, published: str = "") -> LinkOutcome:
        """Fetch, read and save one link; its outcome, whatever happened."""
        try:
            return self._save(url, published)
        except FetchError as error:
            logger.info("could not add %s: %s", url, error)
            return LinkOutcome(url=url, status="failed", reason=str(error), transient=error.transient)
        except ArticleError as error:
            logger.info("could not add %s: %s", url, error)
            return LinkOutcome(url=url, status="failed", reason=f"no article could be read from the page: {error}")
        except OSError as error:  # the articles folder cannot be written: a full disk, a read-only folder…
            logger.error("could not save %s: %s", url, error)
            reason = DISK_PROBLEMS.get(error.errno, error.strerror or str(error))
            return LinkOutcome(url=url, status="failed", reason=f"the page could not be saved: {reason}", transient=True)

    def _save(self, url: str, published: str) -> LinkOutcome:
        requested = urls.normalize(url)
        if (held := self.known.url(requested)) is not None:
            return LinkOutcome(url=url, status="already", reason=f"same URL: {held}", path=held)
        fetched = self.fetcher.get(requested)
        source = urls.normalize(fetched.url)
        if (held := self.known.url(source)) is not None:
            return LinkOutcome(url=url, status="already", reason=f"same URL: {held}", source=source, path=held)
        page = decode_page(fetched.body, fetched.content_type)
        record = PageRecord(source=source, requested=requested if requested != source else "",
                            published=published, fetched=webpages.now_stamp())
        path = webpages.page_path(self.articles_dir, source)
        article = read_article(webpages.with_record(page, record), path.relative_to(self.articles_dir).as_posix())
        record = replace(record, digest=webpages.content_digest(article.text))
        if (held := self.known.by_digest.get(record.digest)) is not None:
            return LinkOutcome(url=url, status="already", reason=f"same content: {held}", source=source, path=held)
        webpages.save(path, webpages.with_record(page, record))
        relative = path.relative_to(self.articles_dir).as_posix()
        self.known.remember(record, relative)
        logger.info("saved %s as %s", source, relative)
        return LinkOutcome(url=url, status="added", title=article.title, source=source, path=relative)


def decode_page(body: bytes, content_type: str) -> str:
    """The page's text; ``FetchError`` when it is not an HTML page (a PDF, an image…)."""
    kind = content_type.split(";", 1)[0].strip().lower()
    if kind not in HTML_TYPES and not kind.endswith("+xml"):
        raise FetchError(f"not a web page but {kind}")
    if not body.strip():
        raise FetchError("the page is empty")
    return encodings.decode_page(body, content_type)[0]


def read_article(text: str, relative: str) -> Article:
    """The article of a page, as the indexer will read it; ``ArticleError`` when there is none."""
    drafts = readers.read_html(text)
    article = assembly.assemble(drafts[0], relative)
    if article is None:
        raise ArticleError("no article text found")
    return article


def add_links(articles_dir: Path, links: Iterable[str], fetcher: Fetcher, reindex: Reindex) -> LinkReport:
    """Add every link (in order, each once), then re-index once if any page was saved."""
    saver = LinkSaver(articles_dir, fetcher)
    outcomes = tuple(saver.save(url) for url in dict.fromkeys(links))
    return index_saved(outcomes, reindex)


def index_saved(outcomes: tuple[LinkOutcome, ...], reindex: Reindex, pending: bool = False) -> LinkReport:
    """The report of ``outcomes`` after one re-index (when any page was saved, or ``pending``)."""
    if not pending and not any(outcome.status == "added" for outcome in outcomes):
        return LinkReport(outcomes=outcomes)
    try:
        return LinkReport(outcomes=outcomes, build=reindex())
    except BuildInProgressError:
        logger.info("pages saved; a re-index is already running: the next one indexes them")
        return LinkReport(outcomes=outcomes, busy=True)
