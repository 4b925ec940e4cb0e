"""A fake Telegram Bot API server for Newsdesk's tests.

Telegram is unreachable from the test machines, so the bot's tests run the real
python-telegram-bot ``Application`` against this server over real HTTP on 127.0.0.1.
It runs in-process (aiohttp) in the tests' event loop and behaves like Telegram where
it matters to a bot: long polling with offsets, ``allowed_updates`` and 409 conflicts,
Telegram's HTML subset parsed into entities (UTF-16 offsets, Telegram's error texts),
message limits, keyboards, edits, callback and inline queries, commands and files.
It serves only the Bot API methods Newsdesk calls (any other gets 404).

Starting it::

    async with FakeBotAPI(token=TOKEN, bot_username="NewsdeskBot") as server:
        app = (ApplicationBuilder().token(TOKEN).base_url(server.base_url)
               .base_file_url(server.base_file_url).build())

Test-side API (plain calls, same event loop as the bot):

* Factories: ``user()``, ``private_chat()``, ``group()``, ``channel()``, ``add_file()``.
* Injecting updates (each returns the Update dict, queued unless Telegram would not
  deliver it): ``private_message()``, ``group_message()``, ``edited_message()``,
  ``forwarded_message()``, ``document_message()``, ``callback_query()``, ``inline_query()``.
* Reading what the bot did: ``sent`` (every successful call but getUpdates, as
  ``SentCall``), ``calls(method)``, ``errors`` (``RefusedCall``s: Bot API errors),
  ``messages_in(chat)``, ``wait_for(predicate)``, ``wait_for_messages(chat, n)``,
  ``inline_answers``, ``callback_answers``, ``commands``, ``commands_for(...)``,
  ``pending_updates``.
* Faults: ``fail(method, times=, status=, retry_after=, delay=, drop=)``,
  ``outage(status=, drop=, delay=, include_get_updates=)`` and ``restore()``;
  ``mute(chat)`` (the bot may not post there: 400) and ``block(user)`` (403), as Telegram
  refuses sends in those chats; ``delete(message)`` (a user deletes a message) and
  ``migrate(group, new_id)`` (a group becomes a supergroup).
* Membership: ``join(chat, user)``, ``leave(chat, user)`` (a ``chat_member`` update),
  ``add_bot(chat, by)`` (``my_chat_member``); ``getChatMember`` and ``leaveChat`` answer
  from it, and ``left_chats`` lists the groups the bot left.
  A call refused by a fault is not recorded in ``sent``; every fault served is in
  ``faulted`` as (method, kind). A fault with only ``delay`` is a slow
  server: the call is carried out (and recorded) after the delay, even if the client
  gave up meanwhile, as Telegram would have sent the message anyway.

As on Telegram, the bot can only write to known chats: a user's private chat exists once
``private_chat(user)`` or ``private_message(user, ...)`` made it (else 403 "bot can't
initiate conversation"), other ids get 400 "chat not found". With ``privacy_mode=True``,
group messages reach the bot only if they start with a command for it, reply to it or
mention it (getMe then reports can_read_all_group_messages=false).

Deliberate simplifications: message ids count per chat; parse modes other than HTML are
refused; auto-detected entities are only bot commands, @mentions and http(s) URLs.
"""

from __future__ import annotations

import asyncio
import copy
import json
import logging
import re
import socket
import time
from dataclasses import dataclass
from http import HTTPStatus
from typing import Any, Callable, TypeVar

from aiohttp import web

log = logging.getLogger(__name__)

DEFAULT_TOKEN = "123456789:AAFakeNewsdeskTokenForTests0123456789"
MAX_TEXT_LENGTH = 4096
MAX_CALLBACK_DATA_BYTES = 64
MAX_INLINE_BUTTONS = 100
MAX_INLINE_RESULTS = 50
MAX_DOWNLOAD_SIZE = 20 * 1024 * 1024
NOT_MODIFIED = (
    "message is not modified: specified new message content and reply markup "
    "are exactly the same as a current content and reply markup of the message"
)
QUERY_INVALID = "query is too old and response timeout expired or query ID is invalid"
ALL_UPDATE_TYPES = (
    "message edited_message channel_post edited_channel_post business_connection "
    "business_message edited_business_message deleted_business_messages message_reaction "
    "message_reaction_count inline_query chosen_inline_result callback_query shipping_query "
    "pre_checkout_query purchased_paid_media poll poll_answer my_chat_member chat_member "
    "chat_join_request chat_boost removed_chat_boost"
).split()
DEFAULT_UPDATE_TYPES = frozenset(ALL_UPDATE_TYPES) - {
    "chat_member", "message_reaction", "message_reaction_count"
}
CHAT_ACTIONS = frozenset(
    "typing upload_photo record_video upload_video record_voice upload_voice upload_document "
    "choose_sticker find_location record_video_note upload_video_note".split()
)
BUTTON_ACTIONS = (
    "url", "callback_data", "web_app", "login_url", "switch_inline_query",
    "switch_inline_query_current_chat", "switch_inline_query_chosen_chat", "copy_text",
    "callback_game", "pay",
)


# --------------------------------------------------------------------------- text


def utf16_len(text: str) -> int:
    """Length of ``text`` in UTF-16 code units, the unit of Telegram's limits and offsets."""
    return len(text.encode("utf-16-le", "surrogatepass")) // 2


class EntityParseError(ValueError):
    """Why Telegram refuses some HTML (the part after "can't parse entities: ")."""


_WHITESPACE = " \t\r\n\v\f"
_SPACES = frozenset(_WHITESPACE.encode())
_NAME_TOKEN = frozenset(b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-")
_NAMED_ENTITIES = {b"lt": "<", b"gt": ">", b"amp": "&", b"quot": '"'}
_SIMPLE_TAGS = {
    "b": "bold", "strong": "bold", "i": "italic", "em": "italic", "u": "underline",
    "ins": "underline", "s": "strikethrough", "strike": "strikethrough",
    "del": "strikethrough", "span": "spoiler", "tg-spoiler": "spoiler",
}
_TAGS = frozenset(_SIMPLE_TAGS) | {"a", "code", "pre", "blockquote", "tg-emoji"}
_FORMATTING = frozenset({"bold", "italic", "underline", "strikethrough", "spoiler"})
_QUOTES = frozenset({"blockquote", "expandable_blockquote"})
_PRIORITY = {
    "blockquote": 0, "expandable_blockquote": 0, "pre": 1, "code": 2, "text_link": 3,
    "text_mention": 3, "custom_emoji": 3, "bold": 5, "italic": 6, "underline": 7,
    "strikethrough": 8, "spoiler": 9,
}
_URL_SCHEMES = frozenset({"http", "https", "tg", "ton", "tonsite", "ftp"})


@dataclass
class _OpenTag:
    name: str
    argument: str
    u16_start: int
    byte_start: int
    expandable: bool = False


class _HtmlParser:
    """Telegram's HTML subset, walked byte by byte as Telegram does (offsets in errors
    are UTF-8 byte offsets of the input; entity offsets are UTF-16 units of the output)."""

    def __init__(self, text: str, strict_ampersand: bool) -> None:
        self.src = text.encode("utf-8", "surrogatepass")
        self.strict_ampersand = strict_ampersand
        self.pos = 0
        self.out = bytearray()
        self.u16 = 0
        self.stack: list[_OpenTag] = []
        self.entities: list[dict] = []

    def _at(self, i: int) -> int:
        return self.src[i] if i < len(self.src) else 0

    def parse(self) -> tuple[str, list[dict]]:
        while self.pos < len(self.src):
            byte = self.src[self.pos]
            if byte == ord("&"):
                self._ampersand()
            elif byte == ord("<"):
                self._tag()
            else:
                self._emit_byte(byte)
                self.pos += 1
        if self.stack:
            name = self.stack[-1].name
            raise EntityParseError(f'Can\'t find end tag corresponding to start tag "{name}"')
        try:
            plain = self.out.decode("utf-8")
        except UnicodeDecodeError:
            raise EntityParseError(
                "Text contains invalid Unicode characters after decoding HTML entities, "
                "check for unmatched surrogate code units"
            ) from None
        return plain, normalize_entities(self.entities)

    def _emit_byte(self, byte: int) -> None:
        self.out.append(byte)
        if byte & 0xC0 != 0x80:  # first byte of a character
            self.u16 += 2 if byte >= 0xF0 else 1

    def _emit_char(self, code_point: int) -> None:
        self.out += chr(code_point).encode("utf-8", "surrogatepass")
        self.u16 += 2 if code_point > 0xFFFF else 1

    def _decode_entity(self, i: int) -> tuple[int, int] | None:
        """(code point, next position) for an HTML entity at ``i``, or None if it is none."""
        j = i + 1
        if self._at(j) == ord("#"):
            j += 1
            base, digits = 10, "0123456789"
            if self._at(j) == ord("x"):
                base, digits, j = 16, "0123456789abcdefABCDEF", j + 1
            start = j
            while self._at(j) and chr(self._at(j)) in digits:
                j += 1
            value = int(self.src[start:j], base) if j > start else 0
            if value == 0 or value >= 0x10FFFF or j - i >= 10:
                return None
        else:
            start = j
            while chr(self._at(j)).isascii() and chr(self._at(j)).isalpha():
                j += 1
            if self.src[start:j] not in _NAMED_ENTITIES:
                return None
            value = ord(_NAMED_ENTITIES[self.src[start:j]])
        return value, j + (self._at(j) == ord(";"))

    def _ampersand(self) -> None:
        decoded = self._decode_entity(self.pos)
        if decoded:
            self._emit_char(decoded[0])
            self.pos = decoded[1]
            return
        if self.strict_ampersand:  # stricter than Telegram, which keeps such "&" as text
            named = re.match(rb"&#?([A-Za-z0-9]+);", self.src[self.pos:])
            if named:
                name = named.group(1).decode()
                raise EntityParseError(f'Unsupported entity "{name}" at byte offset {self.pos}')
            raise EntityParseError(f'Unescaped "&" at byte offset {self.pos}')
        self._emit_byte(self.src[self.pos])
        self.pos += 1

    def _tag(self) -> None:
        if self._at(self.pos + 1) == ord("/"):
            self._end_tag(self.pos)
        else:
            self._start_tag(self.pos)

    def _start_tag(self, begin: int) -> None:
        i = begin + 1
        while i < len(self.src) and self.src[i] not in _SPACES and self.src[i] != ord(">"):
            i += 1
        if i >= len(self.src):
            raise EntityParseError(f"Unclosed start tag at byte offset {begin}")
        name = self.src[begin + 1:i].decode("utf-8", "replace").lower()
        if name not in _TAGS:
            raise EntityParseError(f'Unsupported start tag "{name}" at byte offset {begin}')
        argument, expandable, i = self._attributes(name, begin, i)
        if name == "span" and argument != "spoiler":
            raise EntityParseError(
                f'Tag "span" must have class "tg-spoiler" at byte offset {begin}'
            )
        if name == "tg-emoji" and not (argument.isdigit() and int(argument) > 0):
            raise EntityParseError("Invalid custom emoji identifier specified")
        self.stack.append(_OpenTag(name, argument, self.u16, len(self.out), expandable))
        self.pos = i + 1

    def _attributes(self, tag: str, begin: int, i: int) -> tuple[str, bool, int]:
        argument, expandable, src = "", False, self.src
        while True:
            while i < len(src) and src[i] in _SPACES:
                i += 1
            if i >= len(src):
                raise EntityParseError(f"Unclosed start tag at byte offset {begin}")
            if src[i] == ord(">"):
                return argument, expandable, i
            start = i
            while i < len(src) and src[i] not in _SPACES and src[i] not in b"=>":
                i += 1
            attribute = src[start:i].decode("utf-8", "replace").lower()
            if not attribute:
                raise EntityParseError(
                    f'Empty attribute name in the tag "{tag}" at byte offset {begin}'
                )
            while i < len(src) and src[i] in _SPACES:
                i += 1
            if self._at(i) != ord("="):
                if tag == "blockquote" and attribute == "expandable":
                    expandable = True
                    continue
                raise EntityParseError(
                    "Expected equal sign in declaration of an attribute of the tag "
                    f'"{tag}" at byte offset {begin}'
                )
            i += 1
            while i < len(src) and src[i] in _SPACES:
                i += 1
            if i >= len(src):
                raise EntityParseError(f'Unclosed start tag "{tag}" at byte offset {begin}')
            value, i = self._attribute_value(i, begin)
            argument = _tag_argument(tag, attribute, value, argument)

    def _attribute_value(self, i: int, begin: int) -> tuple[str, int]:
        src = self.src
        if src[i] in b"'\"":
            quote, i, value = src[i], i + 1, bytearray()
            while i < len(src) and src[i] != quote:
                decoded = self._decode_entity(i) if src[i] == ord("&") else None
                if decoded:
                    value += chr(decoded[0]).encode("utf-8", "surrogatepass")
                    i = decoded[1]
                else:
                    value.append(src[i])
                    i += 1
            if i >= len(src):
                raise EntityParseError(f"Unclosed start tag at byte offset {begin}")
            return value.decode("utf-8", "replace"), i + 1
        start = i
        while i < len(src) and (src[i] in _NAME_TOKEN):
            i += 1
        if i >= len(src):
            raise EntityParseError(f"Unclosed start tag at byte offset {begin}")
        if src[i] not in _SPACES and src[i] != ord(">"):
            raise EntityParseError(f"Unexpected end of name token at byte offset {start}")
        return src[start:i].decode().lower(), i

    def _end_tag(self, begin: int) -> None:
        if not self.stack:
            raise EntityParseError(f"Unexpected end tag at byte offset {begin}")
        i = begin + 2
        while i < len(self.src) and self.src[i] not in _SPACES and self.src[i] != ord(">"):
            i += 1
        end_name = self.src[begin + 2:i].decode("utf-8", "replace").lower()
        while i < len(self.src) and self.src[i] in _SPACES:
            i += 1
        if self._at(i) != ord(">"):
            raise EntityParseError(f"Unclosed end tag at byte offset {begin}")
        top = self.stack.pop()
        if end_name and end_name != top.name:
            raise EntityParseError(
                f'Unmatched end tag at byte offset {begin}, expected "</{top.name}>", '
                f'found "</{end_name}>"'
            )
        self.pos = i + 1
        if self.u16 > top.u16_start:
            self._close(top)

    def _close(self, tag: _OpenTag) -> None:
        span = {"offset": tag.u16_start, "length": self.u16 - tag.u16_start}
        last = self.entities[-1] if self.entities else None
        same_span = last is not None and all(last[k] == span[k] for k in span)
        if tag.name in _SIMPLE_TAGS:
            self.entities.append({"type": _SIMPLE_TAGS[tag.name], **span})
        elif tag.name == "blockquote":
            kind = "expandable_blockquote" if tag.expandable else "blockquote"
            self.entities.append({"type": kind, **span})
        elif tag.name == "tg-emoji":
            self.entities.append({"type": "custom_emoji", **span, "custom_emoji_id": tag.argument})
        elif tag.name == "a":
            inner = self.out[tag.byte_start:].decode("utf-8", "replace")
            url = normalize_url(tag.argument or inner)
            if url:  # Telegram silently drops links it can't use
                self.entities.append({"type": "text_link", **span, "url": url})
        elif tag.name == "pre" and same_span and last["type"] == "code" and last.get("language"):
            last["type"] = "pre"
        elif tag.name == "code" and same_span and last["type"] == "pre" and tag.argument:
            last["language"] = tag.argument
        else:
            entity = {"type": tag.name, **span}
            if tag.name == "code" and tag.argument:
                entity["language"] = tag.argument
            self.entities.append(entity)


def _tag_argument(tag: str, attribute: str, value: str, current: str) -> str:
    if tag == "a" and attribute == "href":
        return value
    if tag == "code" and attribute == "class" and value.startswith("language-"):
        return value[len("language-"):]
    if tag == "span" and attribute == "class" and value.startswith("tg-"):
        return value[len("tg-"):]
    if tag == "tg-emoji" and attribute == "emoji-id":
        return value
    return current


def normalize_url(url: str) -> str | None:
    """The URL Telegram would link to, or None if Telegram would drop the link."""
    url = url.strip()
    scheme = re.match(r"([A-Za-z][A-Za-z0-9+.-]*):", url)
    if scheme:
        ok = scheme.group(1).lower() in _URL_SCHEMES and url[scheme.end():].startswith("//")
        return url if ok and len(url) > scheme.end() + 2 else None
    host = url.split("/", 1)[0]
    if re.fullmatch(r"[\w-]+(\.[\w-]+)+(:\d+)?", host):
        return "http://" + url
    return None


def normalize_entities(entities: list[dict]) -> list[dict]:
    """Sort entities as Telegram does and drop nestings Telegram does not allow."""
    ordered = sorted(
        entities, key=lambda e: (e["offset"], -e["length"], _PRIORITY.get(e["type"], 4))
    )
    kept: list[dict] = []
    for entity in ordered:
        end = entity["offset"] + entity["length"]
        outer = [k for k in kept
                 if k["offset"] <= entity["offset"] and end <= k["offset"] + k["length"]]
        if not _may_nest(entity, outer):
            continue
        if entity["type"] == "code":
            entity.pop("language", None)
        kept.append(entity)
    return kept


def _may_nest(entity: dict, outer: list[dict]) -> bool:
    kinds = {k["type"] for k in outer}
    if kinds & {"pre", "code"}:
        return False
    if entity["type"] in _QUOTES:
        return not kinds & _QUOTES
    if entity["type"] in _FORMATTING:
        return entity["type"] not in kinds
    return not kinds - _FORMATTING - _QUOTES


def parse_telegram_html(text: str, *, strict_ampersand: bool = False) -> tuple[str, list[dict]]:
    """Parse Telegram's HTML subset into (plain text, entities), as Telegram does.

    Raises EntityParseError with Telegram's reason. Like Telegram, an ``&`` that does not
    start &lt; &gt; &amp; &quot; or &#NNN; / &#xHH; is kept as text; ``strict_ampersand``
    refuses it instead (a fake-only check, to catch unescaped text early).
    """
    return _HtmlParser(text, strict_ampersand).parse()


_COMMAND_RE = re.compile(r"(?<![\w/@])/[A-Za-z0-9_]{1,32}(?:@[A-Za-z0-9_]{3,32})?(?![\w/@])")
_MENTION_RE = re.compile(r"(?<![\w@/])@[A-Za-z][A-Za-z0-9_]{3,31}(?!\w)")
_URL_RE = re.compile(r"https?://[^\s<>\"']+[^\s<>\"'.,;:!?)\]]")


def detect_entities(text: str) -> list[dict]:
    """Entities Telegram finds by itself: bot commands, @mentions and http(s) URLs."""
    found = []
    kinds = (("bot_command", _COMMAND_RE), ("mention", _MENTION_RE), ("url", _URL_RE))
    for kind, pattern in kinds:
        for match in pattern.finditer(text):
            offset = utf16_len(text[:match.start()])
            found.append({"type": kind, "offset": offset, "length": utf16_len(match.group())})
    return found


def _with_detected(text: str, entities: list[dict]) -> list[dict]:
    """Add auto-detected entities that do not clash with non-formatting ones."""
    def clashes(d: dict) -> bool:
        return any(
            e["type"] not in _FORMATTING and e["offset"] < d["offset"] + d["length"]
            and d["offset"] < e["offset"] + e["length"] for e in entities
        )
    return normalize_entities(entities + [d for d in detect_entities(text) if not clashes(d)])


def _trim(text: str, entities: list[dict]) -> tuple[str, list[dict]]:
    """Telegram strips leading and trailing whitespace, moving entities with the text."""
    stripped = text.strip(_WHITESPACE)
    if stripped == text:
        return text, entities
    leading = text[:len(text) - len(text.lstrip(_WHITESPACE))]
    shift, size = utf16_len(leading), utf16_len(stripped)
    moved = []
    for entity in entities:
        start = max(0, entity["offset"] - shift)
        end = min(size, entity["offset"] + entity["length"] - shift)
        if end > start:
            moved.append({**entity, "offset": start, "length": end - start})
    return stripped, moved


# --------------------------------------------------------------------------- model


class ApiError(Exception):
    """A Bot API error response."""

    def __init__(self, code: int, description: str, parameters: dict | None = None) -> None:
        super().__init__(description)
        self.code, self.description, self.parameters = code, description, parameters


def bad_request(reason: str) -> ApiError:
    return ApiError(400, f"Bad Request: {reason}")


@dataclass(frozen=True)
class User:
    id: int
    first_name: str
    username: str | None = None
    language_code: str | None = "en"
    is_bot: bool = False
    last_name: str | None = None

    def to_api(self) -> dict:
        data = {"id": self.id, "is_bot": self.is_bot, "first_name": self.first_name}
        for key in ("last_name", "username", "language_code"):
            if getattr(self, key):
                data[key] = getattr(self, key)
        return data


@dataclass(frozen=True)
class Chat:
    id: int
    type: str  # "private", "group", "supergroup" or "channel"
    title: str | None = None
    username: str | None = None
    first_name: str | None = None
    last_name: str | None = None

    def to_api(self) -> dict:
        data: dict[str, Any] = {"id": self.id, "type": self.type}
        for key in ("title", "username", "first_name", "last_name"):
            if getattr(self, key):
                data[key] = getattr(self, key)
        return data


@dataclass
class SentCall:
    """A successful call the bot made; ``time`` is ``time.monotonic()``."""

    method: str
    params: dict
    result: Any
    time: float


@dataclass
class RefusedCall:
    """A call the server answered with a Bot API error (not an injected fault)."""

    method: str
    params: dict
    error_code: int
    description: str
    time: float


@dataclass
class Fault:
    method: str | None  # None: any method but getUpdates (unless include_get_updates)
    times: int | None  # None: until restore()
    status: int | None = None
    retry_after: int | None = None
    delay: float = 0.0
    drop: bool = False
    include_get_updates: bool = False

    def matches(self, method: str) -> bool:
        if self.times is not None and self.times <= 0:
            return False
        if self.method is None:
            return self.include_get_updates or method.lower() != "getupdates"
        return self.method.lower() == method.lower()


@dataclass
class StoredFile:
    file_id: str
    file_unique_id: str
    data: bytes
    file_name: str
    mime_type: str
    file_path: str

    def document(self) -> dict:
        return {
            "file_id": self.file_id, "file_unique_id": self.file_unique_id,
            "file_name": self.file_name, "mime_type": self.mime_type,
            "file_size": len(self.data),
        }


@dataclass
class _Query:
    payload: dict
    answered: bool = False


_JSON_PARAMS = frozenset(
    "reply_markup reply_parameters link_preview_options entities results "
    "commands scope allowed_updates button input_message_content".split()
)
_INT_PARAMS = frozenset(
    "chat_id message_id offset limit reply_to_message_id message_thread_id cache_time "
    "user_id".split()
)
_BOOL_PARAMS = frozenset(
    "disable_notification protect_content is_personal show_alert drop_pending_updates "
    "allow_sending_without_reply disable_web_page_preview allow_paid_broadcast".split()
)


def _coerce(name: str, value: Any) -> Any:
    """Form fields arrive as strings (PTB JSON-encodes non-strings); restore their types."""
    if not isinstance(value, str):
        return value
    if name in _JSON_PARAMS:
        try:
            return json.loads(value)
        except ValueError:
            raise bad_request(f"can't parse {name} JSON object") from None
    if name in _INT_PARAMS and re.fullmatch(r"-?\d+", value):
        return int(value)
    if name in _BOOL_PARAMS and value.lower() in ("true", "false", "1", "0"):
        return value.lower() in ("true", "1")
    if name == "timeout":
        try:
            return float(value)
        except ValueError:
            raise bad_request("invalid timeout") from None
    return value


def _api(name: str) -> Callable:
    """Mark a coroutine method as the handler of Bot API method ``name``."""
    def mark(function: Callable) -> Callable:
        function.api_name = name
        return function
    return mark


T = TypeVar("T")


# --------------------------------------------------------------------------- server


class FakeBotAPI:
    """In-process fake of api.telegram.org for one bot; see the module docstring."""

    def __init__(
        self,
        token: str = DEFAULT_TOKEN,
        bot_username: str = "NewsdeskBot",
        *,
        bot_first_name: str = "Newsdesk",
        privacy_mode: bool = False,
        strict_ampersand: bool = False,
    ) -> None:
        self.token = token
        bot_id = int(token.split(":")[0]) if token.split(":")[0].isdigit() else 1000001
        self.bot = User(bot_id, bot_first_name, bot_username, None, is_bot=True)
        self.privacy_mode = privacy_mode
        self.strict_ampersand = strict_ampersand
        self.sent: list[SentCall] = []
        self.errors: list[RefusedCall] = []
        self.faulted: list[tuple[str, str]] = []  # (method, "429", "500", "drop", "delay"…) per fault served
        self.inline_answers: list[dict] = []
        self.callback_answers: list[dict] = []
        self._users: dict[int, User] = {}
        self._chats: dict[int, Chat] = {}
        self._messages: dict[tuple[int, int], dict] = {}
        self._next_message_id: dict[int, int] = {}
        self._files: dict[str, StoredFile] = {}
        self._queries: dict[str, _Query] = {}
        self._commands: dict[str, list[dict]] = {}
        self._updates: list[dict] = []
        self._next_update_id = 100_000
        self._allowed_updates = DEFAULT_UPDATE_TYPES
        self._poll_generation = 0
        self._faults: list[Fault] = []
        self._outage: Fault | None = None
        self._muted: set[int] = set()  # chats where the bot may not post
        self._blocked: set[int] = set()  # users who blocked the bot
        self._members: dict[int, set[int]] = {}  # group id -> the users in it
        self.left_chats: list[int] = []  # groups the bot left (leaveChat), in order
        self._migrated: dict[int, int] = {}  # old group id -> its supergroup's id
        self._changed = asyncio.Event()
        self._closing = False
        self._runner: web.AppRunner | None = None
        self._port: int | None = None
        self._methods = {
            getattr(fn, "api_name").lower(): (fn.api_name, fn)
            for fn in (getattr(self, name) for name in dir(type(self)) if name.startswith("_m_"))
        }

    # ---------------------------------------------------------------- lifecycle

    async def start(self) -> None:
        app = web.Application(client_max_size=64 * 1024 * 1024)
        app.router.add_route("*", "/bot{token}/{method}", self._handle_api)
        app.router.add_get("/file/bot{token}/{path:.+}", self._handle_file)
        self._runner = web.AppRunner(app, access_log=None, shutdown_timeout=1.0)
        await self._runner.setup()
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.bind(("127.0.0.1", 0))
        self._port = sock.getsockname()[1]
        await web.SockSite(self._runner, sock).start()
        self._closing = False

    async def stop(self) -> None:
        self._closing = True
        self._notify()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> FakeBotAPI:
        await self.start()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.stop()

    @property
    def base_url(self) -> str:
        """For PTB's ``base_url``: PTB appends the token."""
        return f"http://127.0.0.1:{self._require_port()}/bot"

    @property
    def base_file_url(self) -> str:
        """For PTB's ``base_file_url``: PTB appends the token."""
        return f"http://127.0.0.1:{self._require_port()}/file/bot"

    def _require_port(self) -> int:
        if self._port is None:
            raise RuntimeError("FakeBotAPI is not started")
        return self._port

    # ---------------------------------------------------------------- factories

    def user(self, id: int, first_name: str, username: str | None = None,
             language_code: str | None = "en") -> User:
        """Create (or replace) a human user."""
        self._users[id] = User(id, first_name, username, language_code)
        return self._users[id]

    def private_chat(self, user: User) -> Chat:
        """The user's private chat with the bot (the user has started the bot)."""
        chat = Chat(user.id, "private", first_name=user.first_name,
                    username=user.username, last_name=user.last_name)
        self._users.setdefault(user.id, user)
        self._chats[chat.id] = chat
        return chat

    def group(self, chat_id: int, title: str, *, type: str = "supergroup",
              username: str | None = None) -> Chat:
        """A group; a positive ``chat_id`` becomes -id (group) or -100id (supergroup)."""
        if type not in ("group", "supergroup"):
            raise ValueError(f"not a group type: {type}")
        return self._add_chat(chat_id, title, type, username)

    def channel(self, chat_id: int, title: str, username: str | None = None) -> Chat:
        """A channel, e.g. as the origin of a forwarded message."""
        return self._add_chat(chat_id, title, "channel", username)

    def _add_chat(self, chat_id: int, title: str, type: str, username: str | None) -> Chat:
        if chat_id > 0:
            chat_id = -chat_id if type == "group" else -(10**12 + chat_id)
        self._chats[chat_id] = Chat(chat_id, type, title=title, username=username)
        return self._chats[chat_id]

    def add_file(self, data: bytes, file_name: str, mime_type: str) -> StoredFile:
        """Register a file so getFile and the download route serve it."""
        number = len(self._files) + 1
        extension = file_name.rsplit(".", 1)[-1] if "." in file_name else "bin"
        stored = StoredFile(
            f"BQACAgQAAxkBAAI{number:06d}FakeFileId", f"AgAD{number:06d}", bytes(data),
            file_name, mime_type, f"documents/file_{number}.{extension}",
        )
        self._files[stored.file_id] = stored
        return stored

    def mute(self, chat: Chat) -> None:
        """The group's admins take away the bot's right to post: sends there get 400."""
        self._muted.add(chat.id)

    def block(self, user: User) -> None:
        """The user blocks the bot: sends to their private chat get 403."""
        self._blocked.add(user.id)

    def delete(self, message: dict) -> None:
        """A user (or a cleaner bot) deletes a message; bots are not told."""
        self._messages.pop((message["chat"]["id"], message["message_id"]), None)

    def migrate(self, chat: Chat, new_id: int) -> Chat:
        """The group becomes a supergroup with a new id; calls to the old id get 400 with
        ``migrate_to_chat_id``, as Telegram answers them."""
        supergroup = self.group(new_id, chat.title or "", type="supergroup")
        self._migrated[chat.id] = supergroup.id
        self._members[supergroup.id] = set(self._members.get(chat.id, ()))
        return supergroup

    def join(self, chat: Chat, user: User) -> None:
        """``user`` is a member of the group (writing in it makes them one too)."""
        self._users.setdefault(user.id, user)
        self._members.setdefault(chat.id, set()).add(user.id)

    def leave(self, chat: Chat, user: User) -> dict:
        """``user`` leaves the group; a ``chat_member`` update says so (bots that are admins get it)."""
        self._members.get(chat.id, set()).discard(user.id)
        return self._queue("chat_member", self._member_change(chat, user, user, "member", "left"))

    def add_bot(self, chat: Chat, by: User) -> dict:
        """``by`` adds the bot to the group: a ``my_chat_member`` update."""
        self._chats.setdefault(chat.id, chat)
        self.join(chat, by)
        return self._queue("my_chat_member", self._member_change(chat, by, self.bot, "left", "member"))

    def _member_change(self, chat: Chat, by: User, who: User, old: str, new: str) -> dict:
        return {"chat": chat.to_api(), "from": by.to_api(), "date": int(time.time()),
                "old_chat_member": {"status": old, "user": who.to_api()},
                "new_chat_member": {"status": new, "user": who.to_api()}}

    # ---------------------------------------------------------------- injection

    def private_message(self, user: User, text: str, *, reply_to: dict | None = None,
                        entities: list[dict] | None = None) -> dict:
        """The user writes to the bot in private."""
        chat = self._chats.get(user.id) or self.private_chat(user)
        return self._inject_message(chat, user, text, reply_to=reply_to, entities=entities)

    def group_message(self, chat: Chat, user: User, text: str, *, reply_to: dict | None = None,
                      entities: list[dict] | None = None, topic: int | None = None,
                      sender_chat: Chat | None = None) -> dict:
        """The user writes in a group (in forum topic ``topic``; as ``sender_chat``, e.g. an
        anonymous admin writing as the group); commands and @mentions get entities."""
        extra: dict[str, Any] = {}
        if topic is not None:
            extra.update(message_thread_id=topic, is_topic_message=True)
        if sender_chat is not None:
            extra["sender_chat"] = sender_chat.to_api()
        return self._inject_message(chat, user, text, reply_to=reply_to, entities=entities, extra=extra)

    def forwarded_message(self, chat: Chat | User, user: User, text: str, *,
                          origin: User | Chat | str, origin_date: int | None = None) -> dict:
        """The user forwards a message from ``origin`` (a user, chat/channel or hidden name)."""
        return self._inject_message(self._as_chat(chat), user, text,
                                    extra={"forward_origin": _forward_origin(origin, origin_date)})

    def document_message(self, chat: Chat | User, user: User, file_bytes: bytes, file_name: str,
                         mime_type: str, caption: str | None = None, *,
                         forwarded_from: User | Chat | str | None = None, with_size: bool = True) -> dict:
        """The user sends a file (or forwards one, with ``forwarded_from``); it is registered
        for getFile and download. ``with_size=False``: the document has no ``file_size``
        (it is optional in the Bot API)."""
        document = self.add_file(file_bytes, file_name, mime_type).document()
        if not with_size:
            del document["file_size"]
        extra: dict[str, Any] = {"document": document}
        if forwarded_from is not None:
            extra["forward_origin"] = _forward_origin(forwarded_from, None)
        if caption:
            extra["caption"] = caption
            if entities := detect_entities(caption):
                extra["caption_entities"] = entities
        return self._inject_message(self._as_chat(chat), user, None, extra=extra)

    def channel_post(self, channel: Chat, text: str) -> dict:
        """A post in a channel where the bot is an admin (channel posts have no sender)."""
        self._chats.setdefault(channel.id, channel)
        message = {"message_id": self._next_message_id.get(channel.id, 1), "chat": channel.to_api(),
                   "date": int(time.time()), "text": text}
        self._next_message_id[channel.id] = message["message_id"] + 1
        if found := detect_entities(text):
            message["entities"] = found
        self._store(message)
        return self._queue("channel_post", copy.deepcopy(message))

    def photo_message(self, chat: Chat | User, user: User, caption: str | None = None, *,
                      caption_entities: list[dict] | None = None) -> dict:
        """The user sends a photo, with a caption (entities detected unless given)."""
        stored = self.add_file(b"\xff\xd8\xff fake jpeg", "photo.jpg", "image/jpeg")
        extra: dict[str, Any] = {"photo": [{"file_id": stored.file_id, "file_unique_id": stored.file_unique_id,
                                            "width": 640, "height": 480, "file_size": len(stored.data)}]}
        if caption:
            extra["caption"] = caption
            if entities := (caption_entities if caption_entities is not None else detect_entities(caption)):
                extra["caption_entities"] = entities
        return self._inject_message(self._as_chat(chat), user, None, extra=extra)

    def edited_message(self, message: dict, text: str, *,
                       entities: list[dict] | None = None) -> dict:
        """The user edits one of their messages."""
        stored = self._stored(message)
        if stored["from"]["id"] == self.bot.id:
            raise ValueError("users can't edit the bot's messages")
        stored.update(text=text, edit_date=int(time.time()))
        stored.pop("entities", None)
        if found := (entities if entities is not None else detect_entities(text)):
            stored["entities"] = found
        return self._queue("edited_message", copy.deepcopy(stored))

    def callback_query(self, user: User, message: dict, data: str, *, forged: bool = False) -> dict:
        """The user presses the button with ``data`` on a message the bot sent; ``forged``: a
        modified client sends ``data`` for that message whatever its buttons are."""
        stored = self._stored(message)
        rows = stored.get("reply_markup", {}).get("inline_keyboard", [])
        buttons = [button for row in rows for button in row]
        if not forged and not any(b.get("callback_data") == data for b in buttons):
            raise ValueError(f"no button with callback_data {data!r} on that message")
        query = {
            "id": self._new_query_id(), "from": user.to_api(),
            "message": copy.deepcopy(stored),
            "chat_instance": str(abs(stored["chat"]["id"]) * 7919 % 10**15), "data": data,
        }
        self._queries[query["id"]] = _Query(query)
        return self._queue("callback_query", query)

    def inline_query(self, user: User, query: str, *, offset: str = "",
                     chat_type: str = "sender") -> dict:
        """The user types ``@NewsdeskBot query`` in some chat."""
        payload = {"id": self._new_query_id(), "from": user.to_api(), "query": query,
                   "offset": offset, "chat_type": chat_type}
        self._queries[payload["id"]] = _Query(payload)
        return self._queue("inline_query", payload)

    def _inject_message(self, chat: Chat, user: User, text: str | None, *,
                        reply_to: dict | None = None, entities: list[dict] | None = None,
                        extra: dict | None = None) -> dict:
        self._users.setdefault(user.id, user)
        self._chats.setdefault(chat.id, chat)
        if chat.type in ("group", "supergroup"):
            self.join(chat, user)
        message = self._new_message(chat, user)
        if text is not None:
            message["text"] = text
            if found := (entities if entities is not None else detect_entities(text)):
                message["entities"] = found
        if reply_to is not None:
            message["reply_to_message"] = self._snapshot(self._stored(reply_to))
        message.update(extra or {})
        self._store(message)
        return self._queue("message", copy.deepcopy(message))

    def _as_chat(self, chat: Chat | User) -> Chat:
        if isinstance(chat, Chat):
            return chat
        return self._chats.get(chat.id) or self.private_chat(chat)

    def _new_query_id(self) -> str:
        return f"{len(self._queries) + 1}{self.bot.id % 10**6:06d}"

    def _queue(self, kind: str, payload: dict) -> dict:
        update = {"update_id": self._next_update_id, kind: payload}
        self._next_update_id += 1
        if kind in self._allowed_updates and self._visible(kind, payload):
            self._updates.append(update)
            self._notify()
        else:
            log.debug("update %s not delivered (allowed_updates/privacy)", update["update_id"])
        return copy.deepcopy(update)

    def _visible(self, kind: str, payload: dict) -> bool:
        """Whether a bot in privacy mode gets this group message (commands, replies, mentions)."""
        if not self.privacy_mode or kind not in ("message", "edited_message"):
            return True
        if payload["chat"]["type"] not in ("group", "supergroup"):
            return True
        if payload.get("reply_to_message", {}).get("from", {}).get("id") == self.bot.id:
            return True
        text = payload.get("text") or payload.get("caption") or ""
        me = f"@{self.bot.username}".lower()
        command = _COMMAND_RE.match(text)
        if command and ("@" not in command.group() or command.group().lower().endswith(me)):
            return True
        return any(m.group().lower() == me for m in _MENTION_RE.finditer(text))

    # ---------------------------------------------------------------- inspection

    def calls(self, method: str) -> list[SentCall]:
        """Successful calls of one Bot API method, e.g. ``calls("sendMessage")``."""
        return [c for c in self.sent if c.method.lower() == method.lower()]

    def messages_in(self, chat: int | Chat | User) -> list[dict]:
        """The bot's messages in a chat, current state (edits applied, deleted left out)."""
        chat_id = chat if isinstance(chat, int) else chat.id
        return [copy.deepcopy(m) for (cid, _), m in self._messages.items()
                if cid == chat_id and m["from"]["id"] == self.bot.id]

    @property
    def commands(self) -> list[dict]:
        """The bot's commands for the default scope and all languages."""
        return self.commands_for()

    def commands_for(self, scope: dict | None = None, language_code: str = "") -> list[dict]:
        return copy.deepcopy(self._commands.get(self._commands_key(scope, language_code), []))

    @property
    def pending_updates(self) -> list[dict]:
        """Updates queued and not yet confirmed by a getUpdates offset."""
        return copy.deepcopy(self._updates)

    async def wait_for(self, predicate: Callable[[], T], timeout: float = 5.0) -> T:
        """Wait until ``predicate()`` is truthy (re-checked on every change); return it."""
        deadline = asyncio.get_running_loop().time() + timeout
        while not (result := predicate()):
            remaining = deadline - asyncio.get_running_loop().time()
            if remaining <= 0:
                recent = [(c.method, c.params.get("text")) for c in self.sent[-5:]]
                raise TimeoutError(f"condition not met in {timeout}s; last calls: {recent}")
            await self._wait_change(remaining)
        return result

    async def wait_for_messages(self, chat: int | Chat | User, count: int,
                                timeout: float = 5.0) -> list[dict]:
        """Wait until the bot has at least ``count`` messages in the chat; return them all."""
        await self.wait_for(lambda: len(self.messages_in(chat)) >= count, timeout)
        return self.messages_in(chat)

    def _notify(self) -> None:
        event, self._changed = self._changed, asyncio.Event()
        event.set()

    async def _wait_change(self, timeout: float) -> None:
        try:
            await asyncio.wait_for(self._changed.wait(), timeout)
        except TimeoutError:
            pass

    # ---------------------------------------------------------------- faults

    def fail(self, method: str | None = None, *, times: int = 1, status: int | None = None,
             retry_after: int | None = None, delay: float = 0.0, drop: bool = False) -> Fault:
        """Make the next ``times`` calls of ``method`` (None: any but getUpdates) fail.

        ``status`` 429 (with ``retry_after``, default 1), 500, 502...; ``drop`` closes the
        connection without a response; ``delay`` answers late. Nothing given means 500.
        """
        if status is None and not drop and not delay:
            status = 429 if retry_after else 500
        if status == 429 and retry_after is None:
            retry_after = 1
        fault = Fault(method, times, status, retry_after, delay, drop)
        self._faults.append(fault)
        return fault

    def outage(self, *, status: int | None = 500, drop: bool = False, delay: float = 0.0,
               include_get_updates: bool = False) -> None:
        """Fail every call (getUpdates too if asked) until ``restore()``."""
        self._outage = Fault(None, None, None if drop else status, None, delay, drop,
                             include_get_updates)

    def restore(self) -> None:
        """End an outage and forget pending ``fail()`` faults."""
        self._outage = None
        self._faults.clear()

    def _take_fault(self, method: str) -> Fault | None:
        if self._outage and self._outage.matches(method):
            return self._outage
        fault = next((f for f in self._faults if f.matches(method)), None)
        if fault is not None:
            fault.times -= 1
            if fault.times <= 0:
                self._faults.remove(fault)
        return fault

    # ---------------------------------------------------------------- HTTP

    async def _handle_api(self, request: web.Request) -> web.StreamResponse:
        if request.match_info["token"] != self.token:
            return _error_response(ApiError(401, "Unauthorized"))
        name, handler = self._methods.get(request.match_info["method"].lower(), (None, None))
        if handler is None:
            return _error_response(ApiError(404, "Not Found"))
        try:
            params = await _read_params(request)
        except ApiError as error:
            return _error_response(error)
        fault = self._take_fault(name)
        if fault is not None:
            self.faulted.append((name, "drop" if fault.drop else str(fault.status or "delay")))
            if fault.delay:
                await asyncio.sleep(fault.delay)
            if fault.drop:
                log.debug("fault: dropping %s", name)
                if request.transport is not None:
                    request.transport.close()
                return web.Response()
            if fault.status:
                return _fault_response(fault)
        try:
            result = await handler(params)
        except ApiError as error:
            if request.transport is not None and not request.transport.is_closing():
                self.errors.append(RefusedCall(name, params, error.code, error.description,
                                               time.monotonic()))  # else nobody hears it
            log.debug("%s refused: %s", name, error.description)
            return _error_response(error)
        if name != "getUpdates":
            self.sent.append(SentCall(name, params, copy.deepcopy(result), time.monotonic()))
            self._notify()
        return web.json_response({"ok": True, "result": result})

    async def _handle_file(self, request: web.Request) -> web.StreamResponse:
        path = request.match_info["path"]
        stored = next((f for f in self._files.values() if f.file_path == path), None)
        if request.match_info["token"] != self.token or stored is None:
            return _error_response(ApiError(404, "Not Found"))
        return web.Response(body=stored.data, content_type="application/octet-stream")

    # ---------------------------------------------------------------- helpers

    def _chat(self, params: dict) -> Chat:
        chat_id = params.get("chat_id")
        if chat_id in (None, ""):
            raise bad_request("chat_id is empty")
        if isinstance(chat_id, str) and chat_id.startswith("@"):
            found = [c for c in self._chats.values()
                     if c.type != "private" and (c.username or "").lower() == chat_id[1:].lower()]
            if found:
                return found[0]
        elif isinstance(chat_id, int) and chat_id in self._chats:
            return self._chats[chat_id]
        elif isinstance(chat_id, int) and chat_id in self._users:
            raise ApiError(403, "Forbidden: bot can't initiate conversation with a user")
        raise bad_request("chat not found")

    def _writable(self, params: dict) -> Chat:
        """The chat a sending call writes to, refused as Telegram refuses it when the bot was
        blocked by the user or may not post in the group."""
        chat = self._chat(params)
        if chat.id in self._migrated:
            raise ApiError(400, "Bad Request: group chat was upgraded to a supergroup chat",
                           {"migrate_to_chat_id": self._migrated[chat.id]})
        if chat.id in self.left_chats:
            raise ApiError(403, f"Forbidden: bot is not a member of the {chat.type} chat")
        if chat.id in self._blocked:
            raise ApiError(403, "Forbidden: bot was blocked by the user")
        if chat.id in self._muted:
            raise bad_request("not enough rights to send text messages to the chat")
        return chat

    def _new_message(self, chat: Chat, sender: User) -> dict:
        message_id = self._next_message_id.get(chat.id, 1)
        self._next_message_id[chat.id] = message_id + 1
        return {"message_id": message_id, "from": sender.to_api(), "chat": chat.to_api(),
                "date": int(time.time())}

    def _store(self, message: dict) -> None:
        self._messages[(message["chat"]["id"], message["message_id"])] = copy.deepcopy(message)
        self._notify()

    def _stored(self, message: dict) -> dict:
        """The stored message behind a Message or Update dict (raises for test mistakes)."""
        if "update_id" in message:  # an Update: take its message (or its query's)
            payload = next(v for k, v in message.items() if k != "update_id")
            message = payload.get("message", payload)
        key = (message["chat"]["id"], message["message_id"])
        if key not in self._messages:
            raise ValueError(f"no such message: {key}")
        return self._messages[key]

    @staticmethod
    def _snapshot(message: dict) -> dict:
        snapshot = copy.deepcopy(message)
        snapshot.pop("reply_to_message", None)
        return snapshot

    def _format(self, text: Any, parse_mode: Any, entities: Any) -> tuple[str, list[dict]]:
        """Text as Telegram stores it: parsed, trimmed, checked, with detected entities."""
        text = "" if text is None else str(text)
        try:
            text.encode("utf-8")
        except UnicodeEncodeError:
            raise bad_request("text must be encoded in UTF-8") from None
        if entities:
            if not isinstance(entities, list) or not all(isinstance(e, dict) for e in entities):
                raise bad_request("can't parse entities: must be an Array of MessageEntity")
            found = normalize_entities(copy.deepcopy(entities))
        elif parse_mode:
            text, found = self._parse(text, str(parse_mode))
        else:
            found = []
        text, found = _trim(text, found)
        if not text:
            raise bad_request("message text is empty")
        if utf16_len(text) > MAX_TEXT_LENGTH:
            raise bad_request("message is too long")
        return text, _with_detected(text, found)

    def _parse(self, text: str, parse_mode: str) -> tuple[str, list[dict]]:
        if parse_mode.lower() in ("markdown", "markdownv2"):
            raise bad_request(f"parse_mode {parse_mode} is not supported by the fake Bot API")
        if parse_mode.lower() != "html":
            raise bad_request("unsupported parse_mode")
        try:
            return parse_telegram_html(text, strict_ampersand=self.strict_ampersand)
        except EntityParseError as error:
            raise bad_request(f"can't parse entities: {error}") from None

    def _reply_target(self, chat: Chat, params: dict) -> dict | None:
        reply = params.get("reply_parameters")
        if reply is None and params.get("reply_to_message_id"):
            reply = {"message_id": params["reply_to_message_id"],
                     "allow_sending_without_reply": params.get("allow_sending_without_reply")}
        if reply is None:
            return None
        if not isinstance(reply, dict) or not isinstance(reply.get("message_id"), int):
            raise bad_request("can't parse reply parameters JSON object")
        target = self._messages.get((chat.id, int(reply["message_id"])))
        if target is None:
            if reply.get("allow_sending_without_reply"):
                return None
            raise bad_request("message to be replied not found")
        return self._snapshot(target)

    def _message_to_edit(self, params: dict) -> dict:
        if params.get("inline_message_id"):
            raise bad_request("MESSAGE_ID_INVALID")
        chat = self._chat(params)
        if not isinstance(params.get("message_id"), int):
            raise bad_request("message identifier is not specified")
        message = self._messages.get((chat.id, params["message_id"]))
        if message is None:
            raise bad_request("message to edit not found")
        if message["from"]["id"] != self.bot.id:
            raise bad_request("message can't be edited")
        return message

    def _commands_key(self, scope: dict | None, language_code: str) -> str:
        return json.dumps([scope or {"type": "default"}, language_code or ""], sort_keys=True)

    def _unanswered_query(self, query_id: Any, kind: str) -> _Query:
        query = self._queries.get(str(query_id))
        if query is None or query.answered or (kind == "callback") != ("data" in query.payload):
            raise bad_request(QUERY_INVALID)
        return query

    # ---------------------------------------------------------------- methods

    @_api("getMe")
    async def _m_get_me(self, params: dict) -> dict:
        return {**self.bot.to_api(), "can_join_groups": True,
                "can_read_all_group_messages": not self.privacy_mode,
                "supports_inline_queries": True, "can_connect_to_business": False,
                "has_main_web_app": False}

    @_api("deleteWebhook")
    async def _m_delete_webhook(self, params: dict) -> bool:
        if params.get("drop_pending_updates"):
            self._updates.clear()
        return True

    @_api("getUpdates")
    async def _m_get_updates(self, params: dict) -> list[dict]:
        self._poll_generation += 1
        generation = self._poll_generation
        self._notify()  # an older pending getUpdates is terminated
        if "allowed_updates" in params:
            self._set_allowed_updates(params["allowed_updates"])
        self._confirm(int(params.get("offset") or 0))
        limit = int(params.get("limit") or 100)
        limit = limit if 1 <= limit <= 100 else 100
        deadline = asyncio.get_running_loop().time() + max(0.0, float(params.get("timeout") or 0))
        while True:
            if generation != self._poll_generation:
                raise ApiError(409, "Conflict: terminated by other getUpdates request; "
                                    "make sure that only one bot instance is running")
            remaining = deadline - asyncio.get_running_loop().time()
            if self._updates or remaining <= 0 or self._closing:
                return copy.deepcopy(self._updates[:limit])
            await self._wait_change(remaining)

    def _set_allowed_updates(self, allowed: Any) -> None:
        if not isinstance(allowed, list):
            raise bad_request("can't parse allowed_updates JSON object")
        known = set(allowed) & set(ALL_UPDATE_TYPES)
        self._allowed_updates = frozenset(known) if known else DEFAULT_UPDATE_TYPES

    def _confirm(self, offset: int) -> None:
        if offset > 0:
            self._updates = [u for u in self._updates if u["update_id"] >= offset]
        elif offset < 0:
            self._updates = self._updates[offset:]

    @_api("sendMessage")
    async def _m_send_message(self, params: dict) -> dict:
        chat = self._writable(params)
        text, entities = self._format(params.get("text"), params.get("parse_mode"),
                                      params.get("entities"))
        markup = _inline_markup(params.get("reply_markup"))
        reply_to = self._reply_target(chat, params)
        message = self._new_message(chat, self.bot)
        message["text"] = text
        if entities:
            message["entities"] = entities
        _add_common(message, params, reply_to, markup)
        self._store(message)
        return message

    @_api("editMessageText")
    async def _m_edit_message_text(self, params: dict) -> dict:
        message = self._message_to_edit(params)
        if "text" not in message:
            raise bad_request("there is no text in the message to edit")
        text, entities = self._format(params.get("text"), params.get("parse_mode"),
                                      params.get("entities"))
        markup = _inline_markup(params.get("reply_markup"))
        old = (message["text"], message.get("entities", []), message.get("reply_markup"))
        if old == (text, entities, markup):
            raise bad_request(NOT_MODIFIED)
        message.update(text=text, edit_date=int(time.time()))
        _set_optional(message, "entities", entities)
        _set_optional(message, "reply_markup", markup)
        if isinstance(params.get("link_preview_options"), dict):
            message["link_preview_options"] = params["link_preview_options"]
        self._notify()
        return copy.deepcopy(message)

    @_api("editMessageReplyMarkup")
    async def _m_edit_message_reply_markup(self, params: dict) -> dict:
        message = self._message_to_edit(params)
        markup = _inline_markup(params.get("reply_markup"))
        if message.get("reply_markup") == markup:
            raise bad_request(NOT_MODIFIED)
        _set_optional(message, "reply_markup", markup)
        message["edit_date"] = int(time.time())
        self._notify()
        return copy.deepcopy(message)

    @_api("sendChatAction")
    async def _m_send_chat_action(self, params: dict) -> bool:
        self._writable(params)
        if params.get("action") not in CHAT_ACTIONS:
            raise bad_request("wrong parameter action in request")
        return True

    @_api("getChatMember")
    async def _m_get_chat_member(self, params: dict) -> dict:
        chat = self._chat(params)
        if chat.type not in ("group", "supergroup"):
            raise bad_request("method is available only for supergroups and groups")
        if chat.id in self.left_chats:
            raise ApiError(403, f"Forbidden: bot is not a member of the {chat.type} chat")
        user = self._users.get(params.get("user_id"))
        if user is None:
            raise bad_request("PARTICIPANT_ID_INVALID")
        status = "member" if user.id in self._members.get(chat.id, ()) else "left"
        return {"status": status, "user": user.to_api()}

    @_api("leaveChat")
    async def _m_leave_chat(self, params: dict) -> bool:
        chat = self._chat(params)
        if chat.type == "private":
            raise bad_request("chat member status can't be changed in private chats")
        if chat.id in self.left_chats:
            raise ApiError(403, f"Forbidden: bot is not a member of the {chat.type} chat")
        self.left_chats.append(chat.id)
        return True

    @_api("answerCallbackQuery")
    async def _m_answer_callback_query(self, params: dict) -> bool:
        query = self._unanswered_query(params.get("callback_query_id"), "callback")
        if utf16_len(str(params.get("text") or "")) > 200:
            raise bad_request("MESSAGE_TOO_LONG")
        query.answered = True
        self.callback_answers.append(dict(params))
        return True

    @_api("answerInlineQuery")
    async def _m_answer_inline_query(self, params: dict) -> bool:
        query = self._unanswered_query(params.get("inline_query_id"), "inline")
        results = params.get("results")
        if not isinstance(results, list):
            raise bad_request("can't parse results JSON object")
        if len(results) > MAX_INLINE_RESULTS:
            raise bad_request("RESULTS_TOO_MUCH")
        ids = [self._check_inline_result(r) for r in results]
        if len(set(ids)) != len(ids):
            raise bad_request("RESULT_ID_DUPLICATE")
        query.answered = True
        self.inline_answers.append(dict(params))
        return True

    def _check_inline_result(self, result: Any) -> str:
        if not isinstance(result, dict) or not isinstance(result.get("type"), str):
            raise bad_request("can't parse InlineQueryResult JSON object")
        result_id = result.get("id")
        if not isinstance(result_id, str) or not 1 <= len(result_id.encode()) <= 64:
            raise bad_request("RESULT_ID_INVALID")
        content = result.get("input_message_content")
        is_article = result["type"] == "article"
        if is_article and (not result.get("title") or not isinstance(content, dict)):
            raise bad_request("can't parse InlineQueryResultArticle: title and "
                              "input_message_content are required")
        if isinstance(content, dict) and "message_text" in content:
            self._format(content["message_text"], content.get("parse_mode"),
                         content.get("entities"))
        _inline_markup(result.get("reply_markup"))
        return result_id

    @_api("setMyCommands")
    async def _m_set_my_commands(self, params: dict) -> bool:
        commands = params.get("commands")
        if not isinstance(commands, list):
            raise bad_request("can't parse commands JSON object")
        if len(commands) > 100:
            raise bad_request("BOT_COMMANDS_TOO_MUCH")
        for command in commands:
            _check_command(command)
        key = self._commands_key(params.get("scope"), params.get("language_code", ""))
        self._commands[key] = [{"command": c["command"], "description": c["description"]}
                               for c in commands]
        return True

    @_api("getFile")
    async def _m_get_file(self, params: dict) -> dict:
        stored = self._files.get(str(params.get("file_id") or ""))
        if stored is None:
            raise bad_request("invalid file_id")
        if len(stored.data) > MAX_DOWNLOAD_SIZE:
            raise bad_request("file is too big")
        return {"file_id": stored.file_id, "file_unique_id": stored.file_unique_id,
                "file_size": len(stored.data), "file_path": stored.file_path}


# --------------------------------------------------------------------------- pure helpers


def _forward_origin(origin: User | Chat | str, date: int | None) -> dict:
    """A MessageOrigin: a user, a chat or channel, or a user who hides their account."""
    date = date or int(time.time()) - 60
    if isinstance(origin, User):
        return {"type": "user", "date": date, "sender_user": origin.to_api()}
    if isinstance(origin, Chat) and origin.type == "channel":
        return {"type": "channel", "date": date, "chat": origin.to_api(), "message_id": 1}
    if isinstance(origin, Chat):
        return {"type": "chat", "date": date, "sender_chat": origin.to_api()}
    return {"type": "hidden_user", "date": date, "sender_user_name": str(origin)}


def _add_common(message: dict, params: dict, reply_to: dict | None, markup: dict | None) -> None:
    """Fields every sent message echoes: reply, keyboard, preview options, protection."""
    if reply_to is not None:
        message["reply_to_message"] = reply_to
    if markup is not None:
        message["reply_markup"] = markup
    if isinstance(params.get("link_preview_options"), dict):
        message["link_preview_options"] = params["link_preview_options"]
    if params.get("protect_content"):
        message["has_protected_content"] = True


def _set_optional(message: dict, key: str, value: Any) -> None:
    if value:
        message[key] = value
    else:
        message.pop(key, None)


def _inline_markup(markup: Any) -> dict | None:
    """Validate reply_markup; return the inline keyboard a message would carry, if any."""
    if markup is None:
        return None
    if not isinstance(markup, dict):
        raise bad_request("can't parse reply keyboard markup JSON object")
    if "inline_keyboard" not in markup:
        if not {"keyboard", "remove_keyboard", "force_reply"} & set(markup):
            raise bad_request("can't parse reply keyboard markup JSON object")
        return None
    rows = markup["inline_keyboard"]
    if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
        raise bad_request('field "inline_keyboard" of the InlineKeyboardMarkup must be an Array '
                          "of Arrays")
    if sum(len(row) for row in rows) > MAX_INLINE_BUTTONS:
        raise bad_request("REPLY_MARKUP_TOO_LONG")
    for button in (b for row in rows for b in row):
        _check_button(button)
    rows = [row for row in rows if row]
    return {"inline_keyboard": copy.deepcopy(rows)} if rows else None


def _check_button(button: Any) -> None:
    if not isinstance(button, dict) or not isinstance(button.get("text"), str):
        raise bad_request("can't parse inline keyboard button: InlineKeyboardButton must be "
                          "an Object with a text")
    if not button["text"].strip():
        raise bad_request("BUTTON_TEXT_INVALID")
    actions = [key for key in BUTTON_ACTIONS if key in button]
    if not actions:
        raise bad_request("can't parse inline keyboard button: Text buttons are unallowed in "
                          "the inline keyboard")
    if "callback_data" in button:
        data = button["callback_data"]
        if not isinstance(data, str) or not 1 <= len(data.encode()) <= MAX_CALLBACK_DATA_BYTES:
            raise bad_request("BUTTON_DATA_INVALID")
    if "url" in button and not normalize_url(str(button["url"])):
        raise bad_request(f"inline keyboard button URL '{button['url']}' is invalid: "
                          "Wrong HTTP URL")


def _check_command(command: Any) -> None:
    if not isinstance(command, dict):
        raise bad_request("can't parse BotCommand JSON object")
    name, description = command.get("command"), command.get("description")
    if not isinstance(name, str) or not re.fullmatch(r"[a-z0-9_]{1,32}", name):
        raise bad_request("BOT_COMMAND_INVALID")
    if not isinstance(description, str) or not 1 <= len(description.strip()) <= 256:
        raise bad_request("BOT_COMMAND_DESCRIPTION_INVALID")


async def _read_params(request: web.Request) -> dict:
    """Query string plus a JSON or form body, with types restored."""
    raw: dict[str, Any] = dict(request.query)
    if request.can_read_body:
        if request.content_type == "application/json":
            try:
                body = await request.json()
            except ValueError:
                raise bad_request("can't parse JSON request body") from None
            if not isinstance(body, dict):
                raise bad_request("JSON request body must be an object")
            raw.update(body)
        elif request.content_type in ("application/x-www-form-urlencoded", "multipart/form-data"):
            raw.update(await request.post())
    return {key: _coerce(key, value) for key, value in raw.items()}


def _error_response(error: ApiError) -> web.Response:
    body: dict[str, Any] = {"ok": False, "error_code": error.code,
                            "description": error.description}
    if error.parameters:
        body["parameters"] = error.parameters
    return web.json_response(body, status=error.code)


def _fault_response(fault: Fault) -> web.Response:
    status = fault.status or 500
    if status == 429:
        return _error_response(ApiError(
            429, f"Too Many Requests: retry after {fault.retry_after}",
            {"retry_after": fault.retry_after},
        ))
    try:
        phrase = HTTPStatus(status).phrase
    except ValueError:
        phrase = "Error"
    if status in (502, 503, 504):  # what the nginx in front of Telegram answers
        page = f"<html>\r\n<head><title>{status} {phrase}</title></head>\r\n<body>\r\n" \
               f"<center><h1>{status} {phrase}</h1></center>\r\n<hr><center>nginx</center>\r\n" \
               "</body>\r\n</html>\r\n"
        return web.Response(status=status, text=page, content_type="text/html")
    return _error_response(ApiError(status, phrase))
