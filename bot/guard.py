"""Checks that run before every handler (a TypeHandler in group -1).

- Admin actions (/reindex, /add, /stats, documents sent to the bot) from anyone but an
  admin get a polite refusal, and the attempt is logged. Commands in edited or forwarded
  messages are never carried out: a non-admin is refused, an admin's is ignored.
- Questions beyond the per-user limit get a friendly "please wait" instead of an answer,
  once; the next ones from the same user are dropped until the limit lets them ask again.
- Edited messages are otherwise ignored: a question is answered once, when it is sent.
"""

from __future__ import annotations

import logging

from telegram import Message, Update
from telegram.ext import ApplicationHandlerStop, ContextTypes

from bot import addressing, admin, messages
from bot.limits import QuestionLimiter

logger = logging.getLogger(__name__)


async def guard(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    message = update.effective_message
    if update.inline_query is not None:
        await _limit_inline(update, context)
    if message is None or update.callback_query is not None:
        return
    edited = update.edited_message is not None or update.edited_channel_post is not None
    if is_admin_action(message, context.bot.username):
        await _check_admin(update, message, context, edited)
    elif edited:
        raise ApplicationHandlerStop
    elif _is_question(message, context):
        await _limit_questions(update, message, context)


def is_admin_action(message: Message, bot_username: str) -> bool:
    """An admin command meant for us, or a document sent to us in a private chat."""
    command = addressing.command_of(message, bot_username)
    if command is not None:
        return command[0] in admin.ADMIN_COMMANDS
    return message.document is not None and addressing.is_private(message)


async def _check_admin(update: Update, message: Message, context, edited: bool) -> None:
    user = update.effective_user
    allowed = admin.is_admin(user.id if user else None, context)
    forwarded = message.forward_origin is not None
    if allowed and not (edited or forwarded):
        return
    if not allowed:
        logger.warning(
            "refused admin action from user %s in chat %s: %r",
            user.id if user else None, message.chat_id, (message.text or message.caption or "document")[:80],
        )
        await message.reply_text(messages.text("not_admin", admin.language(message)))
    raise ApplicationHandlerStop


def _is_question(message: Message, context) -> bool:
    return addressing.question_for_us(message, context.bot.username, context.bot.id) is not None


async def _limit_questions(update: Update, message: Message, context) -> None:
    limiter: QuestionLimiter = context.bot_data["limiter"]
    user = update.effective_user
    wait = limiter.check(user.id) if user else 0
    if wait:
        if limiter.warn_once(user.id):
            await message.reply_text(
                messages.text("too_many", admin.language(message), seconds=wait), do_quote=not addressing.is_private(message)
            )
        else:
            logger.info("dropped a question from user %s over the limit (%s s to wait)", user.id, wait)
        raise ApplicationHandlerStop


async def _limit_inline(update: Update, context) -> None:
    limiter: QuestionLimiter = context.bot_data["inline_limiter"]
    if limiter.check(update.inline_query.from_user.id):
        await update.inline_query.answer([], cache_time=5)
        raise ApplicationHandlerStop
