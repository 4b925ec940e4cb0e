"""Asking: questions in private chats, in groups when addressed, ``/ask``, and the "More" button.

Handlers are thin: parse → ``await asyncio.to_thread(archive.ask, …)`` → render → reply.
A response is kept in a small cache so "More" pages through it without asking again.
"""

from __future__ import annotations

import asyncio
import logging
import re
import secrets
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass, field

from telegram import (
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    LinkPreviewOptions,
    Message,
    Update,
)
from telegram.constants import ChatAction
from telegram.error import TelegramError
from telegram.ext import ContextTypes

from bot import addressing, messages, render
from bot.access import members_only
from index import Answer, Archive, QuestionError, Response

logger = logging.getLogger(__name__)

PAGE_SIZE = 3
MAX_ANSWERS = 9  # three pages: what "More" can bring
CACHE_SIZE = 2_000  # questions whose further answers stay reachable through "More"
MORE_PREFIX = "more"
NO_PREVIEW = LinkPreviewOptions(is_disabled=True)
PAGE_NUMBER = re.compile(r"[0-9]{1,2}")  # ASCII digits only: "²" is a digit to str.isdigit, not to int()


@dataclass(frozen=True)
class Page:
    """A message's worth of answers to one question."""

    html: str
    more_data: str | None  # callback data of the "More" button, None when nothing follows


@dataclass
class _Entry:
    response: Response
    chat_id: int
    message_id: int | None = None  # the message whose "More" button may ask for the next page
    shown: set[int] = field(default_factory=lambda: {0})


class ResponseCache:
    """The latest responses, by a short random key that fits in callback data.

    A response belongs to the chat it was asked in and to the message that carries its "More"
    button: a key pressed anywhere else is unknown, as if it were too old."""

    def __init__(self, size: int = CACHE_SIZE):
        self.size = size
        self._items: OrderedDict[str, _Entry] = OrderedDict()

    def put(self, response: Response, chat_id: int) -> str:
        key = secrets.token_urlsafe(6)
        self._items[key] = _Entry(response, chat_id)
        while len(self._items) > self.size:
            self._items.popitem(last=False)
        return key

    def bind(self, key: str, message_id: int) -> None:
        """The message now carrying the response's "More" button."""
        if (entry := self._items.get(key)) is not None:
            entry.message_id = message_id

    def get(self, key: str, chat_id: int, message_id: int) -> Response | None:
        entry = self._items.get(key)
        if entry is None or (entry.chat_id, entry.message_id) != (chat_id, message_id):
            return None
        return entry.response

    def claim(self, key: str, page: int) -> bool:
        """True the first time a page of a response is asked for (a double press shows it once)."""
        entry = self._items.get(key)
        if entry is None or page in entry.shown:
            return False
        entry.shown.add(page)
        return True


def page_of(response: Response, key: str, page: int, held: Sequence[Answer] | None = None) -> Page:
    """Page ``page`` (0-based) of a response, with a "More" button when answers remain; only the
    answers in ``held`` when given (those whose articles the archive still holds)."""
    language = response.language
    if response.no_answer:
        return Page(render.escape(messages.text("no_answer", language)), None)
    start = page * PAGE_SIZE
    answers = [a for a in response.answers[start : start + PAGE_SIZE] if held is None or a in held]
    if not answers:
        return Page(render.escape(messages.text("no_more", language)), None)
    note = (
        messages.text("period_note", language, period=messages.period_words(response.period, language))
        if response.period and page == 0
        else ""
    )
    html = render.render_answers(response, answers, number_from=start + 1, note=note)
    more = f"{MORE_PREFIX}:{key}:{page + 1}" if len(response.answers) > start + PAGE_SIZE else None
    return Page(html, more)


def keyboard(page: Page, language: str) -> InlineKeyboardMarkup | None:
    if page.more_data is None:
        return None
    return InlineKeyboardMarkup([[InlineKeyboardButton(messages.text("more_button", language), callback_data=page.more_data)]])


def archive_of(context: ContextTypes.DEFAULT_TYPE) -> Archive:
    return context.bot_data["archive"]


async def answer_question(message: Message, context: ContextTypes.DEFAULT_TYPE, question: str) -> None:
    """Answer ``question`` as a reply to ``message``: typing, ask in a worker thread, reply."""
    language = messages.user_language(message.from_user)
    if not question.strip():
        await message.reply_text(messages.text("ask_usage", language), do_quote=not addressing.is_private(message))
        return
    _note_latest(message, context)
    await show_typing(message, context)
    try:
        response = await asyncio.to_thread(archive_of(context).ask, question, MAX_ANSWERS)
    except QuestionError:
        await message.reply_text(messages.text("ask_usage", language), do_quote=not addressing.is_private(message))
        return
    cache: ResponseCache = context.bot_data["responses"]
    key = cache.put(response, message.chat_id)
    page = page_of(response, key, 0)
    sent = await message.reply_html(
        page.html,
        reply_markup=keyboard(page, response.language),
        link_preview_options=NO_PREVIEW,
        do_quote=_quote_question(message, context),
    )
    cache.bind(key, sent.message_id)


def _note_latest(message: Message, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Remember the chat's newest question (questions are answered concurrently)."""
    if context.chat_data is not None:
        context.chat_data["latest_question"] = max(context.chat_data.get("latest_question", 0), message.message_id)


def _quote_question(message: Message, context: ContextTypes.DEFAULT_TYPE) -> bool:
    """Groups always quote the question; a private chat does when a newer question came meanwhile,
    so two answers that arrive out of order still say which question each one answers."""
    if not addressing.is_private(message):
        return True
    latest = context.chat_data.get("latest_question", 0) if context.chat_data is not None else 0
    return latest > message.message_id


async def show_typing(message: Message, context: ContextTypes.DEFAULT_TYPE) -> None:
    """The typing indicator; a failure here must not stop the answer."""
    try:
        await message.reply_chat_action(ChatAction.TYPING)  # in the question's forum topic, if any
    except TelegramError as error:
        logger.debug("typing indicator failed: %s", error)


@members_only
async def ask(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/ask QUESTION, in any chat."""
    message = update.effective_message
    command = addressing.command_of(message, context.bot.username)
    await answer_question(message, context, command[1] if command else " ".join(context.args or ()))


@members_only
async def text_message(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A text message: a question in private chats; in groups only when it is addressed to us."""
    message = update.effective_message
    question = addressing.question_for_us(message, context.bot.username, context.bot.id)
    if question is not None:
        await answer_question(message, context, question)


@members_only
async def more(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """The "More" button: the next page of the same response, as a new message; never an answer
    from an article removed since the question was asked."""
    query = update.callback_query
    _, key, number = ((query.data or "") + "::").split(":")[:3]
    cache: ResponseCache = context.bot_data["responses"]
    language = messages.user_language(query.from_user)
    message = query.message
    response = cache.get(key, message.chat.id, message.message_id) if message is not None else None
    if response is None or not PAGE_NUMBER.fullmatch(number):
        await answer_query(query, messages.text("more_expired", language))
        return
    await answer_query(query)
    if not cache.claim(key, int(number)):
        return
    start = int(number) * PAGE_SIZE
    held = await asyncio.to_thread(archive_of(context).still_held, response.answers[start : start + PAGE_SIZE])
    page = page_of(response, key, int(number), held)
    await query.edit_message_reply_markup(reply_markup=None)  # one press, one page
    sent = await message.reply_html(
        page.html, reply_markup=keyboard(page, response.language), link_preview_options=NO_PREVIEW, do_quote=True
    )
    cache.bind(key, sent.message_id)


async def answer_query(query, text: str | None = None) -> None:
    """Answer a button press; best effort (it expires within seconds): the page matters more."""
    try:
        await query.answer(text)
    except TelegramError as error:
        logger.debug("callback query answer failed: %s", error)
