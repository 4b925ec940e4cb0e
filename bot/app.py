"""Builds the Telegram ``Application``: handlers, rate limiter, start-up and shutdown; and runs it.

Shared objects live in ``bot_data``: the ``Archive`` (the live archive), the
settings, the response cache behind "More" and the per-user limiters.
"""

from __future__ import annotations

import asyncio
import logging
import os
import secrets
from urllib.parse import urlsplit

from bot.config import BotSettings, load_bot_settings
from index import Archive, ConfigError, NewsdeskError, Settings

logger = logging.getLogger(__name__)

os.environ.setdefault("PTB_TIMEDELTA", "true")  # PTB's durations as timedelta (no deprecation warnings)

from telegram import Update  # noqa: E402  (after PTB_TIMEDELTA)
from telegram.error import InvalidToken  # noqa: E402
from telegram.ext import (  # noqa: E402
    Application,
    ApplicationBuilder,
    CallbackQueryHandler,
    ChatMemberHandler,
    CommandHandler,
    Defaults,
    InlineQueryHandler,
    MessageHandler,
    TypeHandler,
    filters,
)

from bot import admin, asking, commands, feeds, inline, links  # noqa: E402
from bot.access import Access  # noqa: E402
from bot.delivery import DeliveringRateLimiter  # noqa: E402
from bot.errors import on_error  # noqa: E402
from bot.guard import guard  # noqa: E402
from bot.limits import QuestionLimiter, UploadAllowance  # noqa: E402

RATE_LIMIT_RETRIES = 5  # RetryAfter waited out by PTB's rate limiter itself; bot.delivery retries beyond
INLINE_RATE_FACTOR = 3  # inline queries come at every keystroke: allow three times the question rate
INLINE_PER_MINUTE = 600  # inline queries answered a minute, from everyone together
NEW_MESSAGES = filters.UpdateType.MESSAGE  # edited messages are never acted on


def build_application(settings: BotSettings, archive: Archive) -> Application:
    """The configured Application, ready to initialize and run."""
    application = (
        ApplicationBuilder()
        .token(settings.token)
        .base_url(settings.api_base_url)
        .base_file_url(settings.files_url)
        .rate_limiter(DeliveringRateLimiter(RATE_LIMIT_RETRIES, deadline=settings.delivery_deadline))
        .read_timeout(settings.send_timeout)
        .concurrent_updates(settings.concurrent_updates)
        .defaults(Defaults(allow_sending_without_reply=True))  # a question deleted meanwhile still gets its answer
        .post_init(post_init)
        .build()
    )
    application.bot_data.update(
        archive=archive,
        settings=settings,
        access=Access(settings),
        responses=asking.ResponseCache(),
        limiter=QuestionLimiter(settings.questions_per_minute),
        inline_limiter=QuestionLimiter(settings.questions_per_minute * INLINE_RATE_FACTOR),
        inline_slots=inline.InlineSlots(),
        inline_rate=QuestionLimiter(INLINE_PER_MINUTE),
        uploads=UploadAllowance(settings.upload_mb_per_day * 1024 * 1024),
    )
    add_handlers(application)
    feeds.schedule(application, settings.feed_minutes)
    return application


def add_handlers(application: Application) -> None:
    application.add_handler(TypeHandler(Update, guard), group=-1)
    for command in commands.COMMANDS:
        application.add_handler(CommandHandler(command.name, command.callback(), filters=NEW_MESSAGES))
    private_links = NEW_MESSAGES & filters.ChatType.PRIVATE & links.ONLY_LINKS  # before questions: links are added
    application.add_handler(MessageHandler(private_links, links.link_message))
    captioned = filters.CAPTION & ~(filters.ChatType.PRIVATE & filters.Document.ALL)  # a private document is an upload
    application.add_handler(MessageHandler(NEW_MESSAGES & ((filters.TEXT & ~filters.COMMAND) | captioned), asking.text_message))
    application.add_handler(MessageHandler(NEW_MESSAGES & filters.ChatType.PRIVATE & filters.Document.ALL, admin.document))
    application.add_handler(CallbackQueryHandler(asking.more, pattern=f"^{asking.MORE_PREFIX}:"))
    application.add_handler(InlineQueryHandler(inline.inline_query))
    application.add_handler(ChatMemberHandler(membership_changed, ChatMemberHandler.CHAT_MEMBER))
    application.add_error_handler(on_error)


async def post_init(application: Application) -> None:
    """Set the command menu and load the model before the first question arrives."""
    for language in commands.LANGUAGES:
        await application.bot.set_my_commands(
            commands.menu(language), language_code=None if language == commands.ENGLISH else language
        )
    archive: Archive = application.bot_data["archive"]
    await asyncio.to_thread(archive.warm_up)
    access: Access = application.bot_data["access"]
    if access.closed:
        logger.info("access: %s", access.describe("en"))
    else:
        logger.warning("access: open to everyone (set NEWSDESK_ALLOWED_USERS or NEWSDESK_ALLOWED_CHATS to close it)")
    logger.info("Newsdesk bot @%s is ready", application.bot.username)


async def membership_changed(update: Update, context) -> None:
    """Someone joined or left a listed group: their access is asked again at their next question."""
    change = update.chat_member
    context.bot_data["access"].forget(change.chat.id, change.new_chat_member.user.id)


def run(index_settings: Settings | None = None) -> int:
    """``newsdesk bot``: open the archive (building it if there is none yet) and serve.

    Raises the ``NewsdeskError`` that stops it (a damaged index, a missing or rejected
    token…), which the command line prints as one line.
    """
    from bot.logs import configure_logging

    settings = load_bot_settings()
    configure_logging(settings.token)
    try:
        archive = Archive(index_settings or settings.index).open(build_if_missing=True)
    except NewsdeskError as error:  # a damaged index is refused, never answered from: one line says why
        raise type(error)(f"the bot cannot start: {error}") from error
    try:
        serve(build_application(settings, archive), settings)
    except InvalidToken:  # PTB's message quotes the token: it must not reach the terminal or a log
        raise ConfigError("the bot cannot start: Telegram rejected the token in TELEGRAM_BOT_TOKEN") from None
    return 0


def serve(application: Application, settings: BotSettings) -> None:
    """Long polling, or a webhook when ``NEWSDESK_WEBHOOK_URL`` is set; until stopped."""
    if settings.webhook_url:
        path = urlsplit(settings.webhook_url).path.lstrip("/")
        application.run_webhook(
            listen="0.0.0.0", port=settings.webhook_port, url_path=path,
            webhook_url=settings.webhook_url, allowed_updates=Update.ALL_TYPES,
            secret_token=secrets.token_urlsafe(32),  # Telegram sends it back: posts without it are refused
        )
    else:
        application.run_polling(allowed_updates=Update.ALL_TYPES)
