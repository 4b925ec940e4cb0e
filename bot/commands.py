"""The bot's commands in one table, and /start and /help.

``COMMANDS`` is the only list of commands: ``bot.app`` registers its handlers, the start-up
sets the command menu from it (``menu``), /help lists its admin commands (``help_text``), and
an admin command's handler is made ``admin_only`` at registration (``callback``) — so the
guard, which asks each registered handler whether it is an admin action, refuses what the table
marks admin. The handlers check again themselves at the point of action (their own
``admin_only``): the table adds a check, it never removes one. ``tests/test_docs.py`` fails
when a command is missing from the README.

To add a command: write its handler (``@admin_only`` when it changes the archive), add a row
here, and a line to the README.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from telegram import BotCommand, Update
from telegram.ext import ContextTypes

from bot import admin, asking, feeds, links, messages
from bot.access import Handler
from bot.messages import ENGLISH, ITALIAN


@dataclass(frozen=True)
class Command:
    """One command: its name, what runs it, whether only admins may, and how it is described.

    ``description`` is the menu's line by language, as ``bot.messages`` keys its strings
    (English for any other language); admin commands get "(admins)" after it in the menu.
    ``usage`` is the admin command's line in /help (Telegram HTML, with the same values as
    ``messages.text``, e.g. ``{file_types}``); user commands are explained by /help's prose.
    """

    name: str
    handler: Handler
    admin: bool
    description: Mapping[str, str]
    usage: Mapping[str, str] = field(default_factory=dict)

    def describe(self, language: str) -> str:
        return self.description.get(language, self.description[ENGLISH])

    def callback(self) -> Handler:
        """The handler to register: an admin command's is ``admin_only`` whatever its module did."""
        return admin.admin_only(self.handler) if self.admin else self.handler


async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/start: a greeting and two example questions."""
    await update.effective_message.reply_text(messages.text("start", messages.user_language(update.effective_user)))


async def help_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/help: how to ask in private, in groups and inline, and what admins can do."""
    language = messages.user_language(update.effective_user)
    await update.effective_message.reply_html(help_text(language, context.bot.username))


COMMANDS: tuple[Command, ...] = (  # in the menu's order
    Command("ask", asking.ask, False, {
        ENGLISH: "Ask a question about the archive",
        ITALIAN: "Fai una domanda sull'archivio",
    }),
    Command("help", help_command, False, {
        ENGLISH: "How to ask, in groups and inline",
        ITALIAN: "Come chiedere, nei gruppi e inline",
    }),
    Command("start", start, False, {
        ENGLISH: "Welcome and example questions",
        ITALIAN: "Benvenuto e domande di esempio",
    }),
    Command("stats", admin.stats, True, {
        ENGLISH: "What the archive holds",
        ITALIAN: "Cosa contiene l'archivio",
    }, {
        ENGLISH: "what the archive holds.",
        ITALIAN: "cosa contiene l'archivio.",
    }),
    Command("reindex", admin.reindex, True, {
        ENGLISH: "Index new and changed articles",
        ITALIAN: "Indicizza gli articoli nuovi e modificati",
    }, {
        ENGLISH: "index new and changed articles.",
        ITALIAN: "indicizza gli articoli nuovi e modificati.",
    }),
    Command("add", links.add, True, {
        ENGLISH: "Add the document you reply to, or links",
        ITALIAN: "Aggiungi il documento a cui rispondi, o dei link",
    }, {
        ENGLISH: "in reply to an article file ({file_types}, up to {upload_mb} MB) adds it to the archive (so does "
        "sending the file); <code>/add URL</code> fetches and adds the page (so does sending links).",
        ITALIAN: "in risposta a un articolo (file {file_types}, fino a {upload_mb} MB) lo aggiunge all'archivio (anche "
        "inviare il file); <code>/add URL</code> scarica e aggiunge la pagina (anche inviare i link).",
    }),
    Command("feeds", feeds.feeds_command, True, {
        ENGLISH: "The feeds followed: list, add, remove",
        ITALIAN: "I feed seguiti: elenca, aggiungi, rimuovi",
    }, {
        ENGLISH: "the RSS and Atom feeds followed; <code>/feeds add URL</code>, <code>/feeds remove URL</code>, "
        "<code>/feeds poll</code>.",
        ITALIAN: "i feed RSS e Atom seguiti; <code>/feeds add URL</code>, <code>/feeds remove URL</code>, "
        "<code>/feeds poll</code>.",
    }),
)

LANGUAGES = (ENGLISH, ITALIAN)  # the menu is set in each; Telegram shows the English one to everyone else


def menu(language: str) -> list[BotCommand]:
    """The command menu (setMyCommands) in ``language``."""
    admins = messages.text("admins_mark", language)
    return [
        BotCommand(c.name, f"{c.describe(language)} ({admins})" if c.admin else c.describe(language)) for c in COMMANDS
    ]


def help_text(language: str, bot_username: str) -> str:
    """/help: how to ask (``messages``), then a line for each admin command of the table."""
    lines = [
        f"• /{c.name}: {messages.fill(c.usage.get(language, c.usage[ENGLISH]), language)}" for c in COMMANDS if c.admin
    ]
    return "\n".join([messages.text("help", language, bot=bot_username), "", messages.text("help_admins", language), *lines])
