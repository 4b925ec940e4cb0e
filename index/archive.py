"""The archive: the one facade the edges (the CLI, the bot) use — open, ask, stats, show,
re-index, add files, links and feeds, close.

An ``Archive`` is the live index of a data folder, swapped in place: many threads may ask at
once, and each question is answered from one committed state. A re-index runs in the caller's
thread (the bot gives it a worker thread). An update in place commits in one transaction and
the open snapshot answers from it at the next question (see ``opened``); a whole rebuild
writes a new snapshot beside the live one, and the archive opens and checks it, then swaps the
reference under a lock: questions never see a half-built index. One re-index at a time: a
second one raises ``BuildInProgressError``.

A snapshot published by another process (a whole rebuild by ``newsdesk index`` from a shell)
is noticed at the next question: the archive reads the live pointer, opens and checks the new
snapshot, and swaps it in; a snapshot that fails its checks is logged and the one already open
keeps answering. So does a pointer that is gone or damaged (the index folder deleted under a
running bot): the problem is logged once, and the open snapshot answers until a re-index here
or elsewhere publishes a new one.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
import threading
from collections.abc import Iterator, Sequence
from pathlib import Path

from index import intake, snapshot, views
from index.build import ProgressCallback, build_index
from index.config import FetchSettings, Settings
from index.embedder import Embedder
from index.errors import BuildInProgressError, NewsdeskError
from index.opened import DEFAULT_ANSWERS, OpenedSnapshot
from index.records import (
    Answer,
    ArticleView,
    BuildReport,
    FeedInfo,
    LinkReport,
    PollReport,
    Response,
    Stats,
)

logger = logging.getLogger(__name__)

# The web side (``links``, ``feeds``, ``fetcher``: httpx, feedparser) is imported by the methods
# that fetch, so that a command that only asks or indexes files does not load it (about 0.3 s).


class Archive:
    """The live, swappable index of ``settings``' data folder. Thread-safe."""

    def __init__(self, settings: Settings, embedder: Embedder | None = None):
        self.settings = settings
        self._embedder = embedder
        self._snapshot: OpenedSnapshot | None = None
        self._swap = threading.Lock()
        self._refresh = threading.Lock()
        self._ignored: Path | None = None  # a published snapshot that failed its checks: not retried
        self._problem: str | None = None  # what is wrong with the live pointer, once logged
        self._problem_lock = threading.Lock()
        self._building = threading.Lock()
        self.last_build: BuildReport | None = None
        self.last_build_at: dt.datetime | None = None

    @property
    def embedder(self) -> Embedder:
        """The model's embedder, made at first need (``feeds list`` needs none; it checks the model is installed)."""
        if self._embedder is None:
            self._embedder = Embedder(self.settings.model, models_dir=self.settings.models_dir)
        return self._embedder

    def open(self, build_if_missing: bool = False) -> "Archive":
        """Open the live snapshot (building it first when there is none and ``build_if_missing``);
        raises ``IndexMissingError``, ``IndexCorruptError`` or ``ModelMismatchError`` saying what to do."""
        if build_if_missing and not self.exists:
            logger.info("no index yet in %s: building it", self.settings.index_dir)
            self.reindex()
        self._set(OpenedSnapshot.open(self.settings, self.embedder))
        return self

    @property
    def exists(self) -> bool:
        """Whether the data folder holds an index yet."""
        return snapshot.exists(self.settings.index_dir)

    def warm_up(self) -> None:
        """Load the model now (it is loaded on first use otherwise), so the first question waits less."""
        self.embedder.encode(["warm up"])

    @property
    def snapshot(self) -> OpenedSnapshot:
        """The snapshot answering now (benchmarks and tests read its rankings and store)."""
        with self._swap:
            if self._snapshot is None:
                raise RuntimeError("the archive is not open")
            return self._snapshot

    def ask(self, question: str, k: int = DEFAULT_ANSWERS, today: dt.date | None = None) -> Response:
        """The best ``k`` quoted answers to ``question`` (``QuestionError`` when it is empty)."""
        return self._live().ask(question, k=k, today=today)

    def stats(self) -> Stats:
        return self._live().stats()

    def still_held(self, answers: Sequence[Answer]) -> tuple[Answer, ...]:
        """The answers whose articles the live archive still holds."""
        return self._live().still_held(answers)

    def show(self, targets: Sequence[str]) -> list[ArticleView]:
        """Each target (a file or an article id) as the archive holds it, or as a build would
        read it; with no index yet, files as a build would read them (ids are unknown)."""
        if self._snapshot is not None:
            return self._live().show(targets, self.settings.articles_dir)
        if not self.exists:
            return views.show(targets, self.settings.articles_dir, None, self.embedder)
        opened = OpenedSnapshot.open(self.settings, self.embedder)
        try:
            return opened.show(targets, self.settings.articles_dir)
        finally:
            opened.close()

    def _live(self) -> OpenedSnapshot:
        """The open archive, first swapping in a snapshot another process published since."""
        archive = self.snapshot
        if self.building:
            return archive  # our own build swaps in its snapshot when it is done
        try:
            live = snapshot.current(self.settings.index_dir)
        except NewsdeskError as error:
            self._notice(error, archive)  # the pointer is gone or damaged: keep what is open
            return archive
        self._problem = None
        if live in (archive.folder, self._ignored):
            return archive
        with self._refresh:
            if self.snapshot.folder == live:
                return self.snapshot
            try:
                self._set(OpenedSnapshot.open(self.settings, self.embedder))
                logger.info("answering from %s, published by another process", live.name)
            except NewsdeskError as error:
                logger.warning("kept the open index: the newly published one cannot be used: %s", error)
                self._ignored = live
            return self.snapshot

    def _notice(self, error: NewsdeskError, archive: OpenedSnapshot) -> None:
        """Log a problem with the live pointer the first time it is seen."""
        with self._problem_lock:
            if str(error) == self._problem:
                return
            self._problem = str(error)
        logger.warning(
            "%s; still answering from the open index %s until a re-index (/reindex or `newsdesk index`) builds a new one",
            error, archive.folder,
        )

    @property
    def building(self) -> bool:
        return self._building.locked()

    def reindex(self, progress: ProgressCallback | None = None, full: bool = False, show_progress: bool = False) -> BuildReport:
        """Bring the index up to date with the articles folder (everything again with ``full``);
        an open archive answers from the new state as soon as it is complete."""
        with self._exclusive_build():
            return self._rebuild(progress, full, show_progress)

    def add_article(self, filename: str, content: bytes, progress: ProgressCallback | None = None) -> tuple[Path, BuildReport]:
        """Save an uploaded article file into the articles folder (``UploadError`` if refused) and index it."""
        with self._exclusive_build():
            path = intake.save_article(self.settings.articles_dir, filename, content)
            return path, self._rebuild(progress, full=False)

    def check_upload(self, filename: str, size: int | None) -> str:
        """The name an upload would be saved under, or ``UploadError`` saying why it is refused; a
        size of None is checked after the download, by ``add_article``."""
        return intake.check_upload(filename, size)

    def add_links(self, urls: Sequence[str], fetch: FetchSettings) -> LinkReport:
        """Fetch the pages, save their articles, then index them in one re-index (``busy`` in
        the report when another re-index was running: the next one indexes them)."""
        from index import links
        from index.fetcher import Fetcher

        with Fetcher(fetch) as fetcher:
            return links.add_links(self.settings.articles_dir, urls, fetcher, self.reindex)

    def poll_feeds(self, fetch: FetchSettings) -> PollReport:
        """One round over every feed followed: their new items saved, then one re-index."""
        from index import feeds
        from index.fetcher import Fetcher

        with Fetcher(fetch) as fetcher:
            return feeds.poll(self.settings.data_dir, self.settings.articles_dir, fetcher, self.reindex)

    def follow_feed(self, url: str, fetch: FetchSettings) -> FeedInfo:
        """Start following an RSS or Atom feed (``FeedError``/``FetchError`` when it cannot be read)."""
        from index import feeds
        from index.fetcher import Fetcher

        with Fetcher(fetch) as fetcher:
            return feeds.subscribe(self.settings.data_dir, url, fetcher)

    def unfollow_feed(self, url: str) -> FeedInfo:
        """Stop following a feed; the pages it added stay in the archive."""
        from index import feeds

        return feeds.unsubscribe(self.settings.data_dir, url)

    def followed_feeds(self) -> tuple[FeedInfo, ...]:
        from index import feeds

        return feeds.followed(self.settings.data_dir)

    @contextlib.contextmanager
    def _exclusive_build(self) -> Iterator[None]:
        if not self._building.acquire(blocking=False):
            raise BuildInProgressError("a re-index is already running")
        try:
            yield
        finally:
            self._building.release()

    def _rebuild(self, progress: ProgressCallback | None, full: bool, show_progress: bool = False) -> BuildReport:
        report = build_index(self.settings, self.embedder, full=full, progress=progress, show_progress=show_progress)
        opened = self._snapshot
        if opened is not None and opened.folder != snapshot.current(self.settings.index_dir):
            self._set(OpenedSnapshot.open(self.settings, self.embedder))  # a new snapshot, ours or another process's
        self.last_build, self.last_build_at = report, dt.datetime.now(dt.timezone.utc)
        return report

    def _set(self, opened: OpenedSnapshot) -> None:
        with self._swap:
            self._snapshot = opened  # the one it replaces finishes the questions in flight

    def close(self) -> None:
        """Close the open snapshot (questions still in flight finish first on their own threads)."""
        with self._swap:
            opened, self._snapshot = self._snapshot, None
        if opened is not None:
            opened.close()
