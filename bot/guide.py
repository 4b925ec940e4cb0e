"""/start and /help: how to ask, in private, in groups and inline, and what admins can do."""

from __future__ import annotations

from telegram import BotCommand, Update
from telegram.ext import ContextTypes

from bot import messages

# The command menu set at start-up (setMyCommands), in both languages.
COMMANDS = {
    messages.ENGLISH: [
        BotCommand("ask", "Ask a question about the archive"),
        BotCommand("help", "How to ask, in groups and inline"),
        BotCommand("start", "Welcome and example questions"),
        BotCommand("stats", "What the archive holds (admins)"),
        BotCommand("reindex", "Index new and changed articles (admins)"),
        BotCommand("add", "Add the document you reply to, or links (admins)"),
        BotCommand("feeds", "The feeds followed: list, add, remove (admins)"),
    ],
    messages.ITALIAN: [
        BotCommand("ask", "Fai una domanda sull'archivio"),
        BotCommand("help", "Come chiedere, nei gruppi e inline"),
        BotCommand("start", "Benvenuto e domande di esempio"),
        BotCommand("stats", "Cosa contiene l'archivio (amministratori)"),
        BotCommand("reindex", "Indicizza gli articoli nuovi e modificati (amministratori)"),
        BotCommand("add", "Aggiungi il documento a cui rispondi, o dei link (amministratori)"),
        BotCommand("feeds", "I feed seguiti: elenca, aggiungi, rimuovi (amministratori)"),
    ],
}


def user_language(update: Update) -> str:
    return messages.user_language(update.effective_user)


async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/start: a greeting and two example questions."""
    await update.effective_message.reply_text(messages.text("start", user_language(update)))


async def help_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/help: how to ask in private, in groups and inline, and what admins can do."""
    await update.effective_message.reply_html(messages.text("help", user_language(update), bot=context.bot.username))
