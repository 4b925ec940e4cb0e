"""Who may ask: everyone (open), or only the newsroom (closed).

Open, when neither ``NEWSDESK_ALLOWED_USERS`` nor ``NEWSDESK_ALLOWED_CHATS`` is set: a
newspaper's public archive for its readers. Closed otherwise: answers go only to admins,
listed users, members of listed groups (asked of Telegram with ``getChatMember`` and cached
for ``MEMBERSHIP_SECONDS``, so a user who leaves loses access within minutes, at once when
Telegram tells us) and the listed groups themselves.

The rule is the same on every path — private and group messages, inline queries, the "More"
button, uploads and admin commands — and it is checked twice: by the guard before any
handler, which also refuses (``refuse``), and by each asking handler itself
(``members_only``), which acts only for those who may ask.
"""

from __future__ import annotations

import functools
import logging
import time
from collections.abc import Awaitable, Callable

from telegram import Bot, Chat, Update
from telegram.constants import ChatMemberStatus, ChatType
from telegram.error import TelegramError
from telegram.ext import ContextTypes

from bot import messages
from bot.config import BotSettings

logger = logging.getLogger(__name__)

MEMBERSHIP_SECONDS = 300.0  # how long a getChatMember answer is trusted
REFUSAL_SECONDS = 3600.0  # a stranger is told at most once an hour; later attempts are only logged
MEMBER_STATUSES = frozenset({ChatMemberStatus.OWNER, ChatMemberStatus.ADMINISTRATOR, ChatMemberStatus.MEMBER})
GROUPS = frozenset({ChatType.GROUP, ChatType.SUPERGROUP})


class Access:
    """The access rule of one bot, with its membership cache. Used from the event loop only."""

    def __init__(self, settings: BotSettings, clock: Callable[[], float] = time.monotonic):
        self.admins = settings.admin_ids
        self.users = settings.allowed_users
        self.chats = settings.allowed_chats
        self._clock = clock
        self._members: dict[tuple[int, int], tuple[bool, float]] = {}  # (chat, user) -> (member, until)
        self._told: dict[int, float] = {}  # user -> when they were last told they may not ask

    @property
    def closed(self) -> bool:
        return bool(self.users or self.chats)

    def describe(self, language: str) -> str:
        """The mode, for the log at start and /stats."""
        if not self.closed:
            return messages.text("access_open", language)
        return messages.text("access_closed", language, users=len(self.users), groups=len(self.chats))

    async def may_ask(self, bot: Bot, user_id: int | None, chat: Chat | None) -> bool:
        """Whether ``user_id`` may use the bot in ``chat`` (None: inline mode, no chat)."""
        if not self.closed:
            return True
        if chat is not None and chat.type in GROUPS:
            return chat.id in self.chats
        if chat is not None and chat.type == ChatType.CHANNEL:
            return False
        return await self.user_allowed(bot, user_id)

    async def user_allowed(self, bot: Bot, user_id: int | None) -> bool:
        """An admin, a listed user, or a member of a listed group."""
        if user_id is None:
            return False
        if user_id in self.admins or user_id in self.users:
            return True
        for chat_id in sorted(self.chats):
            if await self._is_member(bot, chat_id, user_id):
                return True
        return False

    async def _is_member(self, bot: Bot, chat_id: int, user_id: int) -> bool:
        now = self._clock()
        cached = self._members.get((chat_id, user_id))
        if cached is not None and cached[1] > now:
            return cached[0]
        try:
            member = await bot.get_chat_member(chat_id, user_id)
            verdict = member.status in MEMBER_STATUSES or getattr(member, "is_member", False)
        except TelegramError as error:
            logger.warning("could not check whether user %s is in group %s: %s", user_id, chat_id, error)
            verdict = False
        self._members[(chat_id, user_id)] = (verdict, now + MEMBERSHIP_SECONDS)
        return verdict

    def forget(self, chat_id: int, user_id: int) -> None:
        """Drop a cached membership (Telegram told us it changed)."""
        self._members.pop((chat_id, user_id), None)

    def tell_once(self, user_id: int) -> bool:
        """True when the user was not told within ``REFUSAL_SECONDS`` (and counts as told now)."""
        now = self._clock()
        if now - self._told.get(user_id, -REFUSAL_SECONDS - 1) < REFUSAL_SECONDS:
            return False
        self._told[user_id] = now
        return True


def access_of(context: ContextTypes.DEFAULT_TYPE) -> Access:
    return context.bot_data["access"]


async def permitted(update: Update, context: ContextTypes.DEFAULT_TYPE) -> bool:
    """Whether the update comes from someone who may use the bot, where they are."""
    user = update.effective_user
    chat = None if update.inline_query is not None else update.effective_chat
    return await access_of(context).may_ask(context.bot, user.id if user else None, chat)


async def refuse(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Turn a stranger away: a polite word in private (once an hour), empty inline results, a
    note on a button, and in an unlisted group a word of why, then the bot leaves it."""
    user, chat = update.effective_user, update.effective_chat
    logger.warning("refused user %s in chat %s: not allowed to ask", user.id if user else None, chat.id if chat else None)
    language = messages.user_language(user)
    try:
        if update.inline_query is not None:
            await update.inline_query.answer([], cache_time=0, is_personal=True)
        elif update.callback_query is not None:
            await update.callback_query.answer(messages.text("not_allowed", language))
        elif chat is not None and chat.type in GROUPS:
            await leave(context.bot, chat, language)
        elif chat is not None and chat.type == ChatType.PRIVATE and user and access_of(context).tell_once(user.id):
            await context.bot.send_message(chat.id, messages.text("not_allowed", language))
    except TelegramError as error:  # the refusal is best effort; the update goes no further anyway
        logger.warning("could not refuse user %s in chat %s: %s", user.id if user else None, chat.id if chat else None, error)


async def leave(bot: Bot, chat: Chat, language: str) -> None:
    """Say why, then leave an unlisted group (leaving even when the bot may not post there)."""
    logger.warning("leaving group %s (%s): it is not in NEWSDESK_ALLOWED_CHATS", chat.id, chat.title)
    try:
        await bot.send_message(chat.id, messages.text("leaving_group", language))
    finally:
        await bot.leave_chat(chat.id)


Handler = Callable[[Update, ContextTypes.DEFAULT_TYPE], Awaitable[None]]


def members_only(handler: Handler) -> Handler:
    """The handler acts only for those who may ask (the guard has already refused the others)."""

    @functools.wraps(handler)
    async def checked(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        if await permitted(update, context):
            await handler(update, context)
        else:
            logger.warning("a handler was reached by an update the access rule refuses: not acted on")

    return checked
