"""The Bot API on the wire: parameters read from a query string or a JSON or form body, with their
types restored, and errors answered as Telegram answers them."""

from __future__ import annotations

import json
import re
from typing import Any, Callable

from aiohttp import web


class ApiError(Exception):
    """A Bot API error response."""

    def __init__(self, code: int, description: str, parameters: dict | None = None) -> None:
        super().__init__(description)
        self.code, self.description, self.parameters = code, description, parameters


def bad_request(reason: str) -> ApiError:
    return ApiError(400, f"Bad Request: {reason}")


def api(name: str) -> Callable:
    """Mark a coroutine method (named ``_m_…``) as the handler of Bot API method ``name``."""
    def mark(function: Callable) -> Callable:
        function.api_name = name
        return function
    return mark


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


async def read_params(request: web.Request) -> dict:
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


def error_response(error: ApiError) -> web.Response:
    body: dict[str, Any] = {"ok": False, "error_code": error.code,
                            "description": error.description}
    if error.parameters:
        body["parameters"] = error.parameters
    return web.json_response(body, status=error.code)
