"""A fake Telegram Bot API server for Newsdesk's tests.

Telegram is unreachable from the test machines, so the bot's tests run the real
python-telegram-bot ``Application`` against this server over real HTTP on 127.0.0.1
(``server``). It behaves like Telegram where it matters to this bot: long polling with
offsets, ``allowed_updates`` and 409 conflicts (``updates``), Telegram's HTML subset parsed
into entities with UTF-16 offsets and Telegram's error texts (``html``, ``entities``), message
limits, keyboards (``markup``), edits, callback and inline queries, commands and files
(``methods``), and faults on command (``faults``). It serves only the methods Newsdesk calls.

Test-side API (plain calls, same event loop as the bot):

* Factories (``chats``): ``user()``, ``private_chat()``, ``group()``, ``channel()``, ``add_file()``.
* Injecting updates (``updates``; each returns the Update dict, queued unless Telegram would
  not deliver it): ``private_message()``, ``group_message()``, ``edited_message()``,
  ``forwarded_message()``, ``document_message()``, ``photo_message()``, ``channel_post()``,
  ``callback_query()``, ``inline_query()``.
* Reading what the bot did: ``sent`` (every successful call but getUpdates, as
  ``SentCall``), ``calls(method)``, ``errors`` (``RefusedCall``s: Bot API errors),
  ``messages_in(chat)``, ``wait_for(predicate)``, ``wait_for_messages(chat, n)``,
  ``inline_answers``, ``callback_answers``, ``commands``, ``commands_for(...)``,
  ``pending_updates``.
* Faults: ``fail(method, times=, status=, retry_after=, delay=, drop=)``,
  ``outage(status=, drop=, delay=, include_get_updates=)`` and ``restore()``; every fault
  served is in ``faulted`` as (method, kind), and a call refused by one is not in ``sent``.
  ``mute(chat)`` (the bot may not post there: 400) and ``block(user)`` (403), as Telegram
  refuses sends in those chats; ``delete(message)`` (a user deletes a message) and
  ``migrate(group, new_id)`` (a group becomes a supergroup).
* Membership: ``join(chat, user)``, ``leave(chat, user)`` (a ``chat_member`` update),
  ``add_bot(chat, by)`` (``my_chat_member``); ``getChatMember`` and ``leaveChat`` answer
  from it, and ``left_chats`` lists the groups the bot left.

Deliberate simplifications: message ids count per chat; parse modes other than HTML are
refused; auto-detected entities are only bot commands, @mentions and http(s) URLs.
"""

from tests.fakes.telegram.chats import Chat, User
from tests.fakes.telegram.entities import utf16_len
from tests.fakes.telegram.html import EntityParseError, parse_telegram_html
from tests.fakes.telegram.markup import MAX_CALLBACK_DATA_BYTES
from tests.fakes.telegram.methods import MAX_TEXT_LENGTH
from tests.fakes.telegram.server import DEFAULT_TOKEN, FakeBotAPI, RefusedCall, SentCall

__all__ = [
    "DEFAULT_TOKEN", "MAX_CALLBACK_DATA_BYTES", "MAX_TEXT_LENGTH", "Chat", "EntityParseError", "FakeBotAPI",
    "RefusedCall", "SentCall", "User", "parse_telegram_html", "utf16_len",
]
