"""Is a message a question for us, and what is the question? Pure functions over PTB messages.

In a private chat every text is a question. In a group the bot answers only when
addressed — ``/ask`` (or ``/ask@OurBot``), a message (or a photo's or document's caption)
mentioning ``@OurBot`` or our account, or a reply to one of our messages — so it never
talks over other conversations.
These are also exactly the group messages Telegram delivers with privacy mode on.
"""

from __future__ import annotations

from telegram import Message, MessageEntity
from telegram.constants import ChatType

ASK_COMMAND = "ask"


def is_private(message: Message) -> bool:
    return message.chat.type == ChatType.PRIVATE


def command_of(message: Message, bot_username: str) -> tuple[str, str] | None:
    """(command, rest) when the message starts with a command meant for us, else None.

    Read exactly as PTB's ``CommandHandler`` reads it, so that what we take for a command is
    what the dispatcher runs: only the first entity, a bot command at offset 0; the word split at
    every "@", the part after the first one naming the bot (``/reindex@OurBot@x`` is ours).
    """
    text = message.text or ""
    first = (message.entities or (None,))[0]
    if first is None or first.type != MessageEntity.BOT_COMMAND or first.offset != 0 or not text:
        return None
    parts = text[1 : first.length].split("@")
    if len(parts) > 1 and parts[1].lower() != bot_username.lower():
        return None  # a command for another bot
    return parts[0].lower(), text[first.length :].strip()


def mentions_us(message: Message, bot_username: str, bot_id: int) -> bool:
    return bool(_our_mentions(message, bot_username, bot_id))


def replies_to_us(message: Message, bot_id: int) -> bool:
    original = message.reply_to_message
    return bool(original and original.from_user and original.from_user.id == bot_id)


def question_for_us(message: Message, bot_username: str, bot_id: int) -> str | None:
    """The question a message asks us, or None when it is not addressed to us.

    The question is the text, or the caption of a photo or document. An empty string means
    "addressed, but no question" (``/ask`` alone, a bare mention).
    """
    text = message.text if message.text is not None else message.caption
    if text is None:
        return None
    command = command_of(message, bot_username)
    if command is not None:
        return command[1] if command[0] == ASK_COMMAND else None
    if text.startswith("/"):
        return None  # some other bot's command, or a command we do not know
    if is_private(message) or replies_to_us(message, bot_id) or mentions_us(message, bot_username, bot_id):
        return strip_mentions(message, bot_username, bot_id)
    return None


def _our_mentions(message: Message, bot_username: str, bot_id: int) -> list[MessageEntity]:
    """The entities of the text (or caption) that name us: @OurBot, or a mention of our account."""
    handle = "@" + bot_username.casefold()
    kinds = [MessageEntity.MENTION, MessageEntity.TEXT_MENTION]
    found = message.parse_entities(kinds) if message.text is not None else message.parse_caption_entities(kinds)
    return [
        entity for entity, value in found.items()
        if (entity.type == MessageEntity.MENTION and value.casefold() == handle)
        or (entity.type == MessageEntity.TEXT_MENTION and entity.user is not None and entity.user.id == bot_id)
    ]


def strip_mentions(message: Message, bot_username: str, bot_id: int) -> str:
    """The message's text (or caption) without the mentions of us."""
    text = (message.text if message.text is not None else message.caption) or ""
    utf16 = text.encode("utf-16-le")
    for entity in sorted(_our_mentions(message, bot_username, bot_id), key=lambda e: e.offset, reverse=True):
        utf16 = utf16[: entity.offset * 2] + " ".encode("utf-16-le") + utf16[(entity.offset + entity.length) * 2 :]
    return " ".join(utf16.decode("utf-16-le").split())
