"""The global error handler: the log gets the details, the user a short apology, the bot keeps running."""

from __future__ import annotations

import logging

from telegram import Update
from telegram.error import TelegramError
from telegram.ext import ContextTypes

from bot import messages

logger = logging.getLogger(__name__)


async def on_error(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Log first (the token is redacted by ``bot.logs``), then apologise where there is someone to tell."""
    logger.error("error while handling an update", exc_info=context.error)
    if not isinstance(update, Update):
        return
    user = update.effective_user
    language = messages.language_of(user.language_code if user else None)
    try:
        if update.callback_query is not None:
            await update.callback_query.answer(messages.text("error", language))
        elif update.effective_message is not None and update.inline_query is None:
            await update.effective_message.reply_text(messages.text("error", language))
    except TelegramError as error:
        logger.warning("could not apologise to the user: %s", error)
