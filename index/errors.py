"""The exceptions raised inside Newsdesk's indexer and archive.

Every error is a ``NewsdeskError``; the edges (the CLI and the bot) turn them
into one clear message. The tree::

    NewsdeskError
    ├── ConfigError            a setting is missing or malformed
    ├── ArticleError           one article file cannot be read (skipped, never fatal)
    ├── IndexMissingError      no index has been built yet
    ├── IndexCorruptError      the index files are damaged or out of step
    ├── ModelMismatchError     the index was built by another model
    ├── BuildError             a build could not complete (disk full, read-only folder…)
    ├── BuildInProgressError   another build holds the lock
    ├── QuestionError          a question is empty or unusable
    └── UploadError            an uploaded article file is refused
"""

from __future__ import annotations


class NewsdeskError(Exception):
    """Base class of every Newsdesk error."""


class ConfigError(NewsdeskError):
    """A setting is missing or malformed."""


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
