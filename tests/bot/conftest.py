"""Fixtures for the bot's end-to-end tests: the fake Bot API server and the real bot polling it."""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt

import pytest
from telegram import Update

from bot.app import build_application, post_init
from bot.config import BotSettings
from index.archive import Archive
from tests.fakes.telegram import DEFAULT_TOKEN, FakeBotAPI

BOT_USERNAME = "NewsdeskBot"
ADMIN_ID = 1000


@pytest.fixture
async def server():
    async with FakeBotAPI(token=DEFAULT_TOKEN, bot_username=BOT_USERNAME) as fake:
        yield fake


@pytest.fixture
def bot_settings(built, server) -> BotSettings:
    return BotSettings(
        token=DEFAULT_TOKEN,
        index=built,
        admin_ids=frozenset({ADMIN_ID}),
        api_base_url=server.base_url,
        file_base_url=server.base_file_url,
        questions_per_minute=1000,
    )


@contextlib.asynccontextmanager
async def running_bot(settings: BotSettings, embedder):
    """The real Application, long-polling the fake server, until the block ends."""
    archive = Archive(settings.index, embedder).open()
    application = build_application(settings, archive)
    async with application:
        await post_init(application)
        await application.start()
        await application.updater.start_polling(
            poll_interval=0.0, timeout=dt.timedelta(seconds=1), allowed_updates=Update.ALL_TYPES  # as ``bot.app.serve``
        )
        try:
            yield application
        finally:
            await application.updater.stop()
            await application.stop()


@pytest.fixture
async def app(bot_settings, embedder):
    async with running_bot(bot_settings, embedder) as application:
        yield application


def with_limit(settings: BotSettings, per_minute: int) -> BotSettings:
    return dataclasses.replace(settings, questions_per_minute=per_minute)
