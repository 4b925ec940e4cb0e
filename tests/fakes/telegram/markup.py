"""Reply markup and commands as Telegram checks them: inline keyboards (button kinds, 64-byte
callback data, 100 buttons at most, valid URLs) and the bot's command menu."""

from __future__ import annotations

import copy
import re
from typing import Any

from tests.fakes.telegram.entities import normalize_url
from tests.fakes.telegram.wire import bad_request

MAX_CALLBACK_DATA_BYTES = 64
MAX_INLINE_BUTTONS = 100
MAX_COMMANDS = 100
BUTTON_ACTIONS = (
    "url", "callback_data", "web_app", "login_url", "switch_inline_query",
    "switch_inline_query_current_chat", "switch_inline_query_chosen_chat", "copy_text",
    "callback_game", "pay",
)


def inline_markup(markup: Any) -> dict | None:
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


def check_command(command: Any) -> None:
    if not isinstance(command, dict):
        raise bad_request("can't parse BotCommand JSON object")
    name, description = command.get("command"), command.get("description")
    if not isinstance(name, str) or not re.fullmatch(r"[a-z0-9_]{1,32}", name):
        raise bad_request("BOT_COMMAND_INVALID")
    if not isinstance(description, str) or not 1 <= len(description.strip()) <= 256:
        raise bad_request("BOT_COMMAND_DESCRIPTION_INVALID")
