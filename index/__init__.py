"""Newsdesk's indexer and answerer. The edges (the CLI, the bot) use what is listed here."""

from index.intake import MAX_UPLOAD_BYTES, UPLOAD_SUFFIXES

__all__ = ["MAX_UPLOAD_BYTES", "UPLOAD_SUFFIXES"]
