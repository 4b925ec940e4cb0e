"""Checks that run before every handler (a TypeHandler in group -1).

- Who may ask (``bot.access``): in a closed bot, strangers are turned away on every path.
  Channel posts are ignored.
- Admin actions (the admin commands of ``bot.commands``, documents and links sent to the
  bot) from anyone but an admin get a polite refusal, and the attempt is logged. Commands in edited or forwarded
  messages are never carried out: a non-admin is refused, an admin's is ignored. What is an
  admin action is asked of the admin handlers themselves (PTB's own reading of a command),
  and a refused update never goes further, even when the refusal could not be sent; the
  handlers check the user again anyway (``bot.admin.admin_only``).
- Questions beyond the per-user limit get a friendly "please wait" instead of an answer,
  once; the next ones from the same user are dropped until the limit lets them ask again.
- Edited messages are otherwise ignored: a question is answered once, when it is sent.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable
from typing import NoReturn

from telegram import Message, Update
from telegram.constants import ChatMemberStatus
from telegram.ext import (
    ApplicationHandlerStop,
    BaseHandler,
    CommandHandler,
    ContextTypes,
)

from bot import access, addressing, admin, messages
from bot.limits import QuestionLimiter

logger = logging.getLogger(__name__)

EVERYONE = 0  # the key of the overall inline rate (no Telegram user has id 0)


async def guard(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    if update.channel_post is not None or update.edited_channel_post is not None:
        raise ApplicationHandlerStop  # the bot does not speak in channels
    if _bot_left(update):
        raise ApplicationHandlerStop
    if not await access.permitted(update, context):
        await _refuse_and_stop(access.refuse(update, context))
    message = update.effective_message
    if update.inline_query is not None:
        await _limit_inline(update, context)
    if message is None or update.callback_query is not None:
        return
    edited = update.edited_message is not None
    if is_admin_action(update, context):
        if not admin.may_act(update, context):
            await _refuse_and_stop(admin.refuse(update, context))
    elif edited:
        raise ApplicationHandlerStop
    elif _is_question(message, context):
        await _limit_questions(update, message, context)


async def _refuse_and_stop(refusal: Awaitable[None]) -> NoReturn:
    """Send a refusal; whatever it does (Telegram may not take it), the update goes no further."""
    try:
        await refusal
    finally:
        raise ApplicationHandlerStop


def is_admin_action(update: Update, context: ContextTypes.DEFAULT_TYPE) -> bool:
    """Whether an admin handler takes this update, as the dispatcher itself decides it: a command
    counts even when only its filters (new messages) hold it back, so edited ones are refused too."""
    return any(_takes(handler, update) for handler in context.application.handlers.get(0, ()) if admin.guarded(handler))


def _takes(handler: BaseHandler, update: Update) -> bool:
    verdict = handler.check_update(update)
    return verdict is not None if isinstance(handler, CommandHandler) else bool(verdict)


def _bot_left(update: Update) -> bool:
    """The bot was removed from a chat, or left it: nothing to answer there."""
    change = update.my_chat_member
    return change is not None and change.new_chat_member.status in (ChatMemberStatus.LEFT, ChatMemberStatus.BANNED)


def _is_question(message: Message, context) -> bool:
    return addressing.question_for_us(message, context.bot.username, context.bot.id) is not None


async def _limit_questions(update: Update, message: Message, context) -> None:
    limiter: QuestionLimiter = context.bot_data["limiter"]
    asker = sender_id(message)
    wait = limiter.check(asker) if asker is not None else 0
    if wait:
        if limiter.warn_once(asker):
            await message.reply_text(
                messages.text("too_many", admin.language(message), seconds=wait), do_quote=not addressing.is_private(message)
            )
        else:
            logger.info("dropped a question from %s over the limit (%s s to wait)", asker, wait)
        raise ApplicationHandlerStop


def sender_id(message: Message) -> int | None:
    """Who a question counts against: the user, or the chat a message is sent as (anonymous group
    admins all come as one Telegram account, so each of their groups gets a limit of its own)."""
    if message.sender_chat is not None:
        return message.sender_chat.id
    return message.from_user.id if message.from_user else None


async def _limit_inline(update: Update, context) -> None:
    """Each user's inline rate, then everyone's together (``EVERYONE``)."""
    user_limit: QuestionLimiter = context.bot_data["inline_limiter"]
    overall: QuestionLimiter = context.bot_data["inline_rate"]
    if user_limit.check(update.inline_query.from_user.id) or overall.check(EVERYONE):
        await update.inline_query.answer([], cache_time=5, is_personal=True)
        raise ApplicationHandlerStop
