"""The bot's strings state the limits the indexer enforces."""

from __future__ import annotations

import pytest

from bot import messages
from index import MAX_UPLOAD_BYTES, UPLOAD_SUFFIXES


@pytest.mark.parametrize("language", ["en", "it", "fr"])
def test_upload_limits_shown_are_the_enforced_ones(language):  # /help's are in tests/bot/test_commands.py
    shown = messages.text("add_usage", language)
    assert all(suffix in shown for suffix in UPLOAD_SUFFIXES)
    assert f"{MAX_UPLOAD_BYTES // (1024 * 1024)} MB" in shown
