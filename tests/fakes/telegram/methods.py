"""The Bot API methods the bot calls on messages, chats, queries, commands and files, answered
and refused as Telegram does: text parsed as Telegram's HTML (only HTML: other parse modes are
refused) within its limits, keyboards checked, edits that change nothing refused, a query
answered once. Only the methods Newsdesk calls are served; any other gets 404.
"""

from __future__ import annotations

import copy
import json
import time
from typing import Any

from tests.fakes.telegram.chats import Chat, User
from tests.fakes.telegram.entities import normalize_entities, trim, utf16_len, with_detected
from tests.fakes.telegram.html import EntityParseError, parse_telegram_html
from tests.fakes.telegram.markup import MAX_COMMANDS, check_command, inline_markup
from tests.fakes.telegram.updates import Query, Updates
from tests.fakes.telegram.wire import ApiError, api, bad_request

MAX_TEXT_LENGTH = 4096
MAX_INLINE_RESULTS = 50
MAX_DOWNLOAD_SIZE = 20 * 1024 * 1024
NOT_MODIFIED = (
    "message is not modified: specified new message content and reply markup "
    "are exactly the same as a current content and reply markup of the message"
)
QUERY_INVALID = "query is too old and response timeout expired or query ID is invalid"
CHAT_ACTIONS = frozenset(
    "typing upload_photo record_video upload_video record_voice upload_voice upload_document "
    "choose_sticker find_location record_video_note upload_video_note".split()
)


class Methods(Updates):
    """The served methods, and what they leave for tests to read: ``inline_answers``,
    ``callback_answers``, ``commands``, ``commands_for(...)``."""

    def __init__(self, bot: User, privacy_mode: bool, strict_ampersand: bool) -> None:
        super().__init__(bot, privacy_mode)
        self.strict_ampersand = strict_ampersand
        self.inline_answers: list[dict] = []
        self.callback_answers: list[dict] = []
        self._commands: dict[str, list[dict]] = {}

    @property
    def commands(self) -> list[dict]:
        """The bot's commands for the default scope and all languages."""
        return self.commands_for()

    def commands_for(self, scope: dict | None = None, language_code: str = "") -> list[dict]:
        return copy.deepcopy(self._commands.get(self._commands_key(scope, language_code), []))

    # ---------------------------------------------------------------- methods

    @api("getMe")
    async def _m_get_me(self, params: dict) -> dict:
        return {**self.bot.to_api(), "can_join_groups": True,
                "can_read_all_group_messages": not self.privacy_mode,
                "supports_inline_queries": True, "can_connect_to_business": False,
                "has_main_web_app": False}

    @api("sendMessage")
    async def _m_send_message(self, params: dict) -> dict:
        chat = self._writable(params)
        text, entities = self._format(params.get("text"), params.get("parse_mode"),
                                      params.get("entities"))
        markup = inline_markup(params.get("reply_markup"))
        reply_to = self._reply_target(chat, params)
        message = self._new_message(chat, self.bot)
        message["text"] = text
        if entities:
            message["entities"] = entities
        _add_common(message, params, reply_to, markup)
        self._store(message)
        return message

    @api("editMessageText")
    async def _m_edit_message_text(self, params: dict) -> dict:
        message = self._message_to_edit(params)
        if "text" not in message:
            raise bad_request("there is no text in the message to edit")
        text, entities = self._format(params.get("text"), params.get("parse_mode"),
                                      params.get("entities"))
        markup = inline_markup(params.get("reply_markup"))
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

    @api("editMessageReplyMarkup")
    async def _m_edit_message_reply_markup(self, params: dict) -> dict:
        message = self._message_to_edit(params)
        markup = inline_markup(params.get("reply_markup"))
        if message.get("reply_markup") == markup:
            raise bad_request(NOT_MODIFIED)
        _set_optional(message, "reply_markup", markup)
        message["edit_date"] = int(time.time())
        self._notify()
        return copy.deepcopy(message)

    @api("sendChatAction")
    async def _m_send_chat_action(self, params: dict) -> bool:
        self._writable(params)
        if params.get("action") not in CHAT_ACTIONS:
            raise bad_request("wrong parameter action in request")
        return True

    @api("getChatMember")
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

    @api("leaveChat")
    async def _m_leave_chat(self, params: dict) -> bool:
        chat = self._chat(params)
        if chat.type == "private":
            raise bad_request("chat member status can't be changed in private chats")
        if chat.id in self.left_chats:
            raise ApiError(403, f"Forbidden: bot is not a member of the {chat.type} chat")
        self.left_chats.append(chat.id)
        return True

    @api("answerCallbackQuery")
    async def _m_answer_callback_query(self, params: dict) -> bool:
        query = self._unanswered_query(params.get("callback_query_id"), "callback")
        if utf16_len(str(params.get("text") or "")) > 200:
            raise bad_request("MESSAGE_TOO_LONG")
        query.answered = True
        self.callback_answers.append(dict(params))
        return True

    @api("answerInlineQuery")
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
        inline_markup(result.get("reply_markup"))
        return result_id

    @api("setMyCommands")
    async def _m_set_my_commands(self, params: dict) -> bool:
        commands = params.get("commands")
        if not isinstance(commands, list):
            raise bad_request("can't parse commands JSON object")
        if len(commands) > MAX_COMMANDS:
            raise bad_request("BOT_COMMANDS_TOO_MUCH")
        for command in commands:
            check_command(command)
        key = self._commands_key(params.get("scope"), params.get("language_code", ""))
        self._commands[key] = [{"command": c["command"], "description": c["description"]}
                               for c in commands]
        return True

    @api("getFile")
    async def _m_get_file(self, params: dict) -> dict:
        stored = self._files.get(str(params.get("file_id") or ""))
        if stored is None:
            raise bad_request("invalid file_id")
        if len(stored.data) > MAX_DOWNLOAD_SIZE:
            raise bad_request("file is too big")
        return {"file_id": stored.file_id, "file_unique_id": stored.file_unique_id,
                "file_size": len(stored.data), "file_path": stored.file_path}

    # ---------------------------------------------------------------- helpers

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
        text, found = trim(text, found)
        if not text:
            raise bad_request("message text is empty")
        if utf16_len(text) > MAX_TEXT_LENGTH:
            raise bad_request("message is too long")
        return text, with_detected(text, found)

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

    def _unanswered_query(self, query_id: Any, kind: str) -> Query:
        query = self._queries.get(str(query_id))
        if query is None or query.answered or (kind == "callback") != ("data" in query.payload):
            raise bad_request(QUERY_INVALID)
        return query


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
