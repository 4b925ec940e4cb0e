"""The chat model: the users, chats, messages and files Telegram holds for one bot, who is in
which group, where the bot may not post, and the changes tests wait for.

As on Telegram, the bot can only write to known chats: a user's private chat exists once
``private_chat(user)`` (or a private message) made it (else 403 "bot can't initiate
conversation"), other ids get 400 "chat not found". Message ids count per chat.
"""

from __future__ import annotations

import asyncio
import copy
import time
from dataclasses import dataclass
from typing import Any

from tests.fakes.telegram.wire import ApiError, bad_request


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


class Chats:
    """What Telegram knows of the bot's world; tests build it with the factories below."""

    def __init__(self, bot: User) -> None:
        self.bot = bot
        self._users: dict[int, User] = {}
        self._chats: dict[int, Chat] = {}
        self._messages: dict[tuple[int, int], dict] = {}
        self._next_message_id: dict[int, int] = {}
        self._files: dict[str, StoredFile] = {}
        self._muted: set[int] = set()  # chats where the bot may not post
        self._blocked: set[int] = set()  # users who blocked the bot
        self._members: dict[int, set[int]] = {}  # group id -> the users in it
        self.left_chats: list[int] = []  # groups the bot left (leaveChat), in order
        self._migrated: dict[int, int] = {}  # old group id -> its supergroup's id
        self._changed = asyncio.Event()

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

    # ---------------------------------------------------------------- state

    def messages_in(self, chat: int | Chat | User) -> list[dict]:
        """The bot's messages in a chat, current state (edits applied, deleted left out)."""
        chat_id = chat if isinstance(chat, int) else chat.id
        return [copy.deepcopy(m) for (cid, _), m in self._messages.items()
                if cid == chat_id and m["from"]["id"] == self.bot.id]

    def _notify(self) -> None:
        event, self._changed = self._changed, asyncio.Event()
        event.set()

    async def _wait_change(self, timeout: float) -> None:
        try:
            await asyncio.wait_for(self._changed.wait(), timeout)
        except TimeoutError:
            pass

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

    def _as_chat(self, chat: Chat | User) -> Chat:
        if isinstance(chat, Chat):
            return chat
        return self._chats.get(chat.id) or self.private_chat(chat)
