"""The feeds an archive follows, kept in its data folder (``feeds.json``), with what each poll learnt.

For each feed: its URL and title, when it was added, how many items it listed, the last
success and the last error, the validators for a conditional GET (ETag, Last-Modified),
and the items already handled (by URL: added, already there, or failed for good), so
that nothing is fetched twice without need. A failure worth retrying (a timeout, a 5xx)
is tried again at the next rounds, up to ``MAX_ATTEMPTS`` times.

The file is rewritten atomically, under a lock (``edit``), so the bot's scheduled rounds
and ``newsdesk feeds`` from a shell can work on it at once; a round holds ``round_lock``.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import fcntl
import json
import os
import uuid
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path

from index.errors import DISK_PROBLEMS, FeedError
from index.records import FeedInfo

FEEDS_FILE = "feeds.json"
LOCK_FILE = ".feeds.lock"
ROUND_LOCK_FILE = ".feeds-round.lock"
MAX_ATTEMPTS = 3


@dataclass
class Subscription:
    """One feed and its polling state (mutable: only this module and ``index.feeds`` see it)."""

    url: str
    title: str
    added: str
    items: int = 0
    etag: str | None = None
    modified: str | None = None
    last_success: str | None = None
    last_error: str | None = None
    last_error_at: str | None = None
    seen: dict[str, dict] = field(default_factory=dict)  # item URL -> {"status", "reason", "attempts"}

    def info(self) -> FeedInfo:
        return FeedInfo(
            url=self.url, title=self.title, items=self.items, added=self.added,
            last_success=self.last_success, last_error=self.last_error, last_error_at=self.last_error_at,
        )

    @property
    def retrying(self) -> bool:
        """Whether an item waits to be tried again (then the feed is read whole, not conditionally)."""
        return any(not self.done_with(url) for url in self.seen)

    def done_with(self, url: str) -> bool:
        """Whether the item ``url`` needs no fetching: handled, or failed too often."""
        state = self.seen.get(url)
        return state is not None and (state["status"] != "retry" or state.get("attempts", 0) >= MAX_ATTEMPTS)


@dataclass
class FeedList:
    feeds: list[Subscription] = field(default_factory=list)
    pending_index: bool = False  # a round saved pages but could not index them (another build ran)

    def find(self, url: str) -> Subscription | None:
        return next((feed for feed in self.feeds if feed.url == url), None)


def now() -> str:
    return dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def load(data_dir: Path) -> FeedList:
    """The feeds of the data folder (none when there is no ``feeds.json`` yet)."""
    path = data_dir / FEEDS_FILE
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return FeedList()
    except (OSError, ValueError) as error:
        raise FeedError(f"{path} cannot be read ({error}): fix or remove it") from error
    names = {f.name for f in fields(Subscription)}
    try:
        feeds = [Subscription(**{k: v for k, v in item.items() if k in names}) for item in raw.get("feeds", [])]
    except (TypeError, AttributeError) as error:
        raise FeedError(f"{path} is not a list of feeds: fix or remove it") from error
    return FeedList(feeds=feeds, pending_index=bool(raw.get("pending_index")))


def save(data_dir: Path, feed_list: FeedList) -> None:
    path = data_dir / FEEDS_FILE
    data_dir.mkdir(parents=True, exist_ok=True)
    staging = data_dir / f".feeds-{uuid.uuid4().hex}.json"
    payload = {"pending_index": feed_list.pending_index, "feeds": [asdict(feed) for feed in feed_list.feeds]}
    try:
        with open(staging, "x", encoding="utf-8") as handle:
            json.dump(payload, handle, ensure_ascii=False, indent=1)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(staging, path)
    except OSError as error:
        reason = DISK_PROBLEMS.get(error.errno, error.strerror or str(error))
        raise FeedError(f"could not write {path}: {reason}") from error
    finally:
        staging.unlink(missing_ok=True)


@contextlib.contextmanager
def edit(data_dir: Path) -> Iterator[FeedList]:
    """The feed list, saved when the block ends without an error; one editor at a time."""
    with _locked(data_dir / LOCK_FILE, blocking=True):
        feed_list = load(data_dir)
        yield feed_list
        save(data_dir, feed_list)


@contextlib.contextmanager
def round_lock(data_dir: Path) -> Iterator[None]:
    """Held through a poll round; ``FeedError`` when another round (this process or another) holds it."""
    with _locked(data_dir / ROUND_LOCK_FILE, blocking=False):
        yield


@contextlib.contextmanager
def _locked(path: Path, blocking: bool) -> Iterator[None]:
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "a+") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | (0 if blocking else fcntl.LOCK_NB))
        except BlockingIOError:
            raise FeedError("a feed poll round is already running") from None
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
