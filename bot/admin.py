"""Admin commands: /reindex with a live progress message, /stats, and adding articles (/add, documents).

Admins are the user ids of ``NEWSDESK_ADMIN_IDS``. The guard (``bot.guard``) refuses
everyone else before these handlers run, and every handler checks again itself, at the
point of action (``admin_only``): whatever happened before — a refusal that could not be
sent, a filter that read the update differently — nobody else writes into the archive.
Indexing runs in a worker thread; the bot keeps answering from the old index meanwhile.
"""

from __future__ import annotations

import asyncio
import functools
import logging
import time
from concurrent.futures import Future

from telegram import Message, Update
from telegram.error import BadRequest, TelegramError
from telegram.ext import BaseHandler, ContextTypes

from bot import messages, render
from bot.access import Handler
from bot.limits import UploadAllowance
from index import (
    Archive,
    BuildInProgressError,
    BuildReport,
    NewsdeskError,
    Progress,
    UploadError,
)

logger = logging.getLogger(__name__)

PROGRESS_INTERVAL = 1.5  # seconds between edits of the progress message (Telegram's edit limits)


def is_admin(user_id: int | None, context: ContextTypes.DEFAULT_TYPE) -> bool:
    return user_id is not None and user_id in context.bot_data["settings"].admin_ids


def may_act(update: Update, context: ContextTypes.DEFAULT_TYPE) -> bool:
    """Whether this update may carry out an admin action: an admin's own new message."""
    user, message = update.effective_user, update.effective_message
    if message is None or not is_admin(user.id if user else None, context):
        return False
    return update.edited_message is None and message.forward_origin is None


async def refuse(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Log a refused admin action and tell the user, if Telegram lets us (best effort: the
    refusal failing changes nothing, the action is not carried out either way).

    An admin's edited or forwarded command is ignored rather than refused."""
    user, message = update.effective_user, update.effective_message
    chat = message.chat_id if message else None
    if user is not None and is_admin(user.id, context):
        logger.info("ignored an edited or forwarded admin command in chat %s", chat)
        return
    what = (message.text or message.caption or "document") if message else "?"
    logger.warning("refused admin action from user %s in chat %s: %r", user.id if user else None, chat, what[:80])
    if message is None:
        return
    try:
        await message.reply_text(messages.text("not_admin", language(message)))
    except TelegramError as error:
        logger.warning("could not send the refusal to user %s in chat %s: %s", user.id if user else None, chat, error)


def admin_only(handler: Handler) -> Handler:
    """The handler runs only for ``may_act`` updates; anything else is refused at this point.
    A handler that is ``admin_only`` already is returned as it is (one check is enough)."""
    if getattr(handler, "admin_only", False):
        return handler

    @functools.wraps(handler)
    async def checked(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        if not may_act(update, context):
            await refuse(update, context)
            return
        await handler(update, context)

    checked.admin_only = True
    return checked


def guarded(handler: BaseHandler) -> bool:
    """Whether a registered handler carries out an admin action (its callback is ``admin_only``)."""
    return getattr(handler.callback, "admin_only", False)


def language(message: Message) -> str:
    return messages.user_language(message.from_user)


class ProgressMessage:
    """Keeps one message up to date with a build's progress, from the build's worker thread."""

    def __init__(self, message: Message, lang: str, loop: asyncio.AbstractEventLoop):
        self.message, self.lang, self.loop = message, lang, loop
        self._last_edit = 0.0
        self._last_text = message.text or ""
        self._pending: list[Future] = []

    def __call__(self, progress: Progress) -> None:
        """Called by the build (in its thread): schedule an edit, at most every ``PROGRESS_INTERVAL``."""
        now = time.monotonic()
        if progress.stage not in ("read", "embed") or now - self._last_edit < PROGRESS_INTERVAL:
            return
        text = messages.text(f"progress_{progress.stage}", self.lang, done=progress.done, total=progress.total)
        self._last_edit = now
        self._pending.append(asyncio.run_coroutine_threadsafe(self.edit(text), self.loop))

    async def edit(self, text: str, html: bool = False) -> None:
        if text == self._last_text:
            return
        self._last_text = text
        try:
            await self.message.edit_text(text, parse_mode="HTML" if html else None)
        except BadRequest as error:  # "message is not modified" and the like: progress is best effort
            logger.debug("progress edit refused: %s", error)

    async def finish(self, text: str) -> None:
        """Wait for the progress edits in flight, then show the final text."""
        for future in self._pending:
            try:
                await asyncio.wrap_future(future)
            except TelegramError as error:
                logger.debug("progress edit failed: %s", error)
        await self.edit(text, html=True)


def report_text(report: BuildReport, lang: str) -> str:
    text = messages.text(
        "reindex_done", lang, seconds=report.seconds, added=report.added, updated=report.updated,
        removed=report.removed, unchanged=report.unchanged, articles=report.total_articles,
    )
    if report.skipped:
        text += "\n" + messages.text("reindex_skipped", lang, files="; ".join(report.skipped[:10]))
    return render.escape(text)


@admin_only
async def reindex(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/reindex: index new and changed articles, showing progress in one message."""
    message = update.effective_message
    lang = language(message)
    archive: Archive = context.bot_data["archive"]
    if archive.building:
        await message.reply_text(messages.text("reindex_running", lang))
        return
    status = await message.reply_text(messages.text("reindex_started", lang))
    progress = ProgressMessage(status, lang, asyncio.get_running_loop())
    try:
        report = await asyncio.to_thread(archive.reindex, progress)
    except BuildInProgressError:
        await progress.finish(render.escape(messages.text("reindex_running", lang)))
        return
    except NewsdeskError as error:
        logger.error("re-index failed: %s", error)
        await progress.finish(render.escape(messages.text("reindex_failed", lang, reason=str(error))))
        return
    await progress.finish(report_text(report, lang))


@admin_only
async def stats(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/stats: what the archive holds."""
    message = update.effective_message
    lang = language(message)
    archive: Archive = context.bot_data["archive"]
    numbers = await asyncio.to_thread(archive.stats)
    dates = f"{numbers.first_date} – {numbers.last_date}" if numbers.first_date else messages.text("no_dates", lang)
    last = archive.last_build_at.strftime("%Y-%m-%d %H:%M UTC") if archive.last_build_at else messages.text("never", lang)
    await message.reply_html(
        messages.text(
            "stats", lang, articles=numbers.articles, passages=numbers.passages, dates=render.escape(dates),
            last=render.escape(last), model=render.escape(numbers.model),
            access=render.escape(context.bot_data["access"].describe(lang)),
        )
    )


@admin_only
async def add(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/add, in reply to a document: add it to the archive."""
    await add_replied(update.effective_message, context)


async def add_replied(message: Message, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Add the document ``message`` replies to, or say how /add is used."""
    original = message.reply_to_message
    if original is None or original.document is None:
        await message.reply_text(messages.text("add_usage", language(message)))
        return
    await add_document(message, original, context)


@admin_only
async def document(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A document sent to the bot in a private chat by an admin: add it to the archive."""
    message = update.effective_message
    await add_document(message, message, context)


async def _within_allowance(message: Message, context: ContextTypes.DEFAULT_TYPE, size: int, lang: str) -> bool:
    """Count the upload against the admin's daily cap; say so and return False when it is over."""
    allowance: UploadAllowance = context.bot_data["uploads"]
    user_id = message.from_user.id if message.from_user else 0
    if allowance.take(user_id, size):
        return True
    mb = 1024 * 1024
    logger.warning("upload by admin %s refused: over the daily cap", user_id)
    await message.reply_text(messages.text(
        "upload_cap", lang, used=round(allowance.used(user_id) / mb, 1), limit=allowance.bytes_per_day // mb
    ))
    return False


async def add_document(message: Message, carrier: Message, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Check, download, save and index the document of ``carrier``; reply to ``message``."""
    lang = language(message)
    upload = carrier.document
    try:
        archive: Archive = context.bot_data["archive"]
        name = archive.check_upload(upload.file_name or "", upload.file_size)  # None: checked after the download
        telegram_file = await upload.get_file()
        content = bytes(await telegram_file.download_as_bytearray())
        if not await _within_allowance(message, context, len(content), lang):
            return
        path, report = await asyncio.to_thread(archive.add_article, upload.file_name or name, content)
    except UploadError as error:
        await message.reply_text(messages.text("upload_refused", lang, reason=str(error)))
        return
    except BuildInProgressError:
        await message.reply_text(messages.text("reindex_running", lang))
        return
    except NewsdeskError as error:
        logger.error("adding %s failed: %s", upload.file_name, error)
        await message.reply_text(messages.text("reindex_failed", lang, reason=str(error)))
        return
    logger.info("admin %s added %s", message.from_user.id if message.from_user else "?", path.name)
    key = "added" if report.added or report.updated else "added_unchanged"
    await message.reply_text(messages.text(key, lang, name=path.name, articles=report.added + report.updated))
