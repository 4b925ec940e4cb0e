"""Updates: what users do (write, edit, forward, send files, press buttons, type inline
queries, join and leave), queued for the bot and delivered by long polling (getUpdates), with
offsets, ``allowed_updates``, 409 conflicts and privacy mode.

With ``privacy_mode=True``, group messages reach the bot only if they start with a command
for it, reply to it or mention it (getMe then reports can_read_all_group_messages=false).
"""

from __future__ import annotations

import asyncio
import copy
import logging
import time
from dataclasses import dataclass
from typing import Any

from tests.fakes.telegram.chats import Chat, Chats, User
from tests.fakes.telegram.entities import COMMAND_RE, MENTION_RE, detect_entities
from tests.fakes.telegram.wire import ApiError, api, bad_request

log = logging.getLogger(__name__)

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


@dataclass
class Query:
    """A callback or inline query, answered at most once."""

    payload: dict
    answered: bool = False


class Updates(Chats):
    """The updates queue of one bot, and the user actions that fill it."""

    def __init__(self, bot: User, privacy_mode: bool) -> None:
        super().__init__(bot)
        self.privacy_mode = privacy_mode
        self._queries: dict[str, Query] = {}
        self._updates: list[dict] = []
        self._next_update_id = 100_000
        self._allowed_updates = DEFAULT_UPDATE_TYPES
        self._poll_generation = 0
        self._closing = False  # the server stops: a pending getUpdates returns at once

    # ---------------------------------------------------------------- what users do

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
        self._queries[query["id"]] = Query(query)
        return self._queue("callback_query", query)

    def inline_query(self, user: User, query: str, *, offset: str = "",
                     chat_type: str = "sender") -> dict:
        """The user types ``@NewsdeskBot query`` in some chat."""
        payload = {"id": self._new_query_id(), "from": user.to_api(), "query": query,
                   "offset": offset, "chat_type": chat_type}
        self._queries[payload["id"]] = Query(payload)
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
        command = COMMAND_RE.match(text)
        if command and ("@" not in command.group() or command.group().lower().endswith(me)):
            return True
        return any(m.group().lower() == me for m in MENTION_RE.finditer(text))

    @property
    def pending_updates(self) -> list[dict]:
        """Updates queued and not yet confirmed by a getUpdates offset."""
        return copy.deepcopy(self._updates)

    # ---------------------------------------------------------------- long polling

    @api("getUpdates")
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

    @api("deleteWebhook")
    async def _m_delete_webhook(self, params: dict) -> bool:
        if params.get("drop_pending_updates"):
            self._updates.clear()
        return True

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
