"""Newsdesk's indexer and answerer. The edges (the bot, the command line) use what is listed here.

``Archive`` is the one facade: open, ask, stats, show, re-index, add files, links and feeds.
The records it returns, the settings it reads and the errors it raises come with it. Names are
loaded at first use, so that ``from index import Settings`` does not load the search libraries.
"""

import importlib as _importlib

_OWNERS = {
    "index.archive": ("Archive",),
    "index.config": ("FetchSettings", "Settings", "load_fetch_settings", "load_settings"),
    "index.errors": (
        "BuildInProgressError", "ConfigError", "FeedError", "FetchError", "IndexCorruptError",
        "IndexMissingError", "ModelMismatchError", "NewsdeskError", "QuestionError", "UploadError",
    ),
    "index.intake": ("MAX_UPLOAD_BYTES", "UPLOAD_SUFFIXES"),
    "index.records": (
        "Answer", "ArticleView", "BuildReport", "FeedInfo", "LinkOutcome", "LinkReport", "PollReport",
        "Progress", "Response", "Stats",
    ),
}  # fmt: skip
_OWNER_OF = {name: module for module, names in _OWNERS.items() for name in names}

__all__ = sorted(_OWNER_OF)


def __getattr__(name: str):
    module = _OWNER_OF.get(name)
    if module is None:
        raise AttributeError(f"module 'index' has no attribute {name!r}")
    value = getattr(_importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
