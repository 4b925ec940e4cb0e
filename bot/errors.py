"""The global error handler: the log gets the details, the user a short apology, the bot keeps running.

A reply that Telegram could not take (an outage longer than the delivery deadline,
or a read timeout after which it may have arrived: see ``bot.delivery``) gets no
apology: it would not get through either, or would contradict an answer that did.
"""

from __future__ import annotations

import logging

from telegram import Update
from telegram.error import BadRequest, NetworkError, RetryAfter, TelegramError, TimedOut
from telegram.ext import ContextTypes

from bot import messages

logger = logging.getLogger(__name__)


async def on_error(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Log first (the token is redacted by ``bot.logs``), then apologise where there is someone to tell."""
    if is_undelivered(context.error):
        logger.warning("a reply to update %s was not delivered: %s", _update_id(update), _undelivered(context.error))
        return
    logger.error("error while handling an update", exc_info=context.error)
    if not isinstance(update, Update):
        return
    user = update.effective_user
    language = messages.user_language(user)
    try:
        if update.callback_query is not None:
            await update.callback_query.answer(messages.text("error", language))
        elif update.effective_message is not None and update.inline_query is None:
            await update.effective_message.reply_text(messages.text("error", language))
    except TelegramError as error:
        logger.warning("could not apologise to the user: %s", error)


def is_undelivered(error: BaseException | None) -> bool:
    """True for Telegram being unreachable or failing, as opposed to refusing a call or a bug of ours."""
    return isinstance(error, (NetworkError, RetryAfter)) and not isinstance(error, BadRequest)


def _undelivered(error: BaseException) -> str:
    if isinstance(error, TimedOut):
        return "Telegram did not answer in time (the reply may have arrived)"
    return f"Telegram kept failing ({error or type(error).__name__})"


def _update_id(update: object) -> object:
    return update.update_id if isinstance(update, Update) else "?"
