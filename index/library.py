"""The library: the live archive a long-running process answers from, rebuilt and swapped in place.

Many threads may ask at once; each question is answered from one committed state.
A re-index runs in the caller's thread (the bot gives it a worker thread). An update
in place commits in one transaction and the open archive answers from it at the
next question (see ``archive``); a whole rebuild writes a new snapshot beside the
live one, and the library opens and checks it, then swaps the reference under a
lock: questions never see a half-built index. One re-index at a time: a second one
raises ``BuildInProgressError``.

A snapshot published by another process (a whole rebuild by ``newsdesk index`` from
a shell) is noticed at the next question: the library reads the live pointer, opens
and checks the new snapshot, and swaps it in; a snapshot that fails its checks is
logged and the one already open keeps answering. So does a pointer that is gone or
damaged (the index folder deleted under a running bot): the problem is logged once,
and the open snapshot answers until a re-index here or elsewhere publishes a new one.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
import threading
from collections.abc import Iterator, Sequence
from pathlib import Path

from index import intake, snapshot
from index.archive import Archive, build_index, index_exists
from index.build import ProgressCallback
from index.config import Settings
from index.embedder import Embedder
from index.errors import BuildInProgressError, NewsdeskError
from index.records import Answer, BuildReport, Response, Stats

logger = logging.getLogger(__name__)


class Library:
    """A live, swappable ``Archive``. Thread-safe."""

    def __init__(self, settings: Settings, embedder: Embedder | None = None):
        self.settings = settings
        self.embedder = embedder or Embedder(settings.model, models_dir=settings.models_dir)
        self._archive: Archive | None = None
        self._swap = threading.Lock()
        self._refresh = threading.Lock()
        self._ignored: Path | None = None  # a published snapshot that failed its checks: not retried
        self._problem: str | None = None  # what is wrong with the live pointer, once logged
        self._problem_lock = threading.Lock()
        self._building = threading.Lock()
        self.last_build: BuildReport | None = None
        self.last_build_at: dt.datetime | None = None

    def open(self, build_if_missing: bool = True) -> "Library":
        """Open the live snapshot (building it first when there is none); raises when it is broken."""
        if build_if_missing and not index_exists(self.settings):
            logger.info("no index yet in %s: building it", self.settings.index_dir)
            self.reindex()
        else:
            self._set(Archive.open(self.settings, self.embedder))
        return self

    def warm_up(self) -> None:
        """Load the model now (it is loaded on first use otherwise), so the first question waits less."""
        self.embedder.encode(["warm up"])

    def check_upload(self, filename: str, size: int | None) -> str:
        """The name an upload would be saved under, or ``UploadError`` saying why it is refused; a
        size of None is checked after the download, by ``add_article``."""
        return intake.check_upload(filename, size)

    @property
    def archive(self) -> Archive:
        with self._swap:
            if self._archive is None:
                raise RuntimeError("the library is not open")
            return self._archive

    def ask(self, question: str, k: int = 3, today: dt.date | None = None) -> Response:
        return self._live().ask(question, k=k, today=today)

    def stats(self) -> Stats:
        return self._live().stats()

    def still_held(self, answers: Sequence[Answer]) -> tuple[Answer, ...]:
        """The answers whose articles the live archive still holds."""
        return self._live().still_held(answers)

    def _live(self) -> Archive:
        """The open archive, first swapping in a snapshot another process published since."""
        archive = self.archive
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
            if self.archive.folder == live:
                return self.archive
            try:
                self._set(Archive.open(self.settings, self.embedder))
                logger.info("answering from %s, published by another process", live.name)
            except NewsdeskError as error:
                logger.warning("kept the open index: the newly published one cannot be used: %s", error)
                self._ignored = live
            return self.archive

    def _notice(self, error: NewsdeskError, archive: Archive) -> None:
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

    def reindex(self, progress: ProgressCallback | None = None, full: bool = False) -> BuildReport:
        """Bring the index up to date and answer from the new snapshot as soon as it is complete."""
        with self._exclusive_build():
            return self._rebuild(progress, full)

    def add_article(self, filename: str, content: bytes, progress: ProgressCallback | None = None) -> tuple[Path, BuildReport]:
        """Save an uploaded article file into the articles folder (``UploadError`` if refused) and index it."""
        with self._exclusive_build():
            path = intake.save_article(self.settings.articles_dir, filename, content)
            return path, self._rebuild(progress, full=False)

    @contextlib.contextmanager
    def _exclusive_build(self) -> Iterator[None]:
        if not self._building.acquire(blocking=False):
            raise BuildInProgressError("a re-index is already running")
        try:
            yield
        finally:
            self._building.release()

    def _rebuild(self, progress: ProgressCallback | None, full: bool) -> BuildReport:
        report = build_index(self.settings, self.embedder, full=full, progress=progress)
        if self._archive is None or self._archive.folder != snapshot.current(self.settings.index_dir):
            self._set(Archive.open(self.settings, self.embedder))  # a new snapshot, ours or another process's
        self.last_build, self.last_build_at = report, dt.datetime.now(dt.timezone.utc)
        return report

    def _set(self, archive: Archive) -> None:
        with self._swap:
            self._archive = archive
