"""The bot's strings state the limits the indexer enforces."""

from __future__ import annotations

import pytest

import index
from bot import messages
from index import MAX_UPLOAD_BYTES, UPLOAD_SUFFIXES


@pytest.mark.parametrize("language", ["en", "it", "fr"])
def test_upload_limits_shown_are_the_enforced_ones(language):  # /help's are in tests/bot/test_commands.py
    shown = messages.text("add_usage", language)
    assert all(suffix in shown for suffix in UPLOAD_SUFFIXES)
    assert f"{MAX_UPLOAD_BYTES // (1024 * 1024)} MB" in shown


def test_public_surface_is_listed():
    """Every public name ``index`` offers is in its ``__all__``, and every listed name exists."""
    public = {name for name in vars(index) if not name.startswith("_") and not isinstance(getattr(index, name), type(index))}
    assert public == set(index.__all__)
