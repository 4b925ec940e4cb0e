"""Delivery: every Bot API call goes through here, so replies survive Telegram failing for a while.

``DeliveringRateLimiter`` is PTB's ``AIORateLimiter`` (Telegram's flood limits, and
short ``RetryAfter`` waits) with a retry loop around it: a call that fails because
Telegram is failing or unreachable is tried again, with pauses growing from
``FIRST_PAUSE`` to ``MAX_PAUSE``, until it goes through or ``deadline`` seconds
have passed. A question asked during an outage is so answered once the API is
back; a handler waits meanwhile (the others go on). Refusals (``BadRequest``,
``Forbidden``, ``InvalidToken``, ``Conflict``) are never retried: they would fail
the same way again. ``getUpdates`` does not come here
(PTB's updater retries it itself, and an update is only confirmed once fetched).

Never twice. Telegram has no request ids, so a call is sent again only when
Telegram surely did not carry it out, or when carrying it out twice is harmless:

==================================================  ============  ===========================
failure                                             sends         idempotent calls (edits…)
==================================================  ============  ===========================
429 Too Many Requests, 5xx answer                   again         again
no connection, connect/pool/write timeout           again         again
connection dropped without an answer                again         again
no answer within the read timeout                   **not again** again
==================================================  ============  ===========================

A read timeout means Telegram received the whole request and may well have sent
the message (a slow Telegram does exactly that), so a send is not repeated: it is
logged, and the error handler does not apologise for a reply that may have
arrived. ``BotSettings.send_timeout`` is generous so that only a very slow
Telegram trips it. A dropped connection is, in practice, a kept-alive connection
Telegram closed before reading the request, so it is sent again; the remaining
risk is a duplicate if Telegram dropped it after sending. An edit sent again after
one that did arrive gets "message is not modified", which counts as done.
Best-effort calls that expire within seconds (the typing indicator, answers to
callback and inline queries) are never waited for.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
from typing import Any

import httpx
from telegram.error import BadRequest, ChatMigrated, NetworkError, RetryAfter, TimedOut
from telegram.ext import AIORateLimiter

logger = logging.getLogger(__name__)

DEFAULT_DEADLINE = 300.0  # seconds a reply keeps being retried before it is given up (logged)
FIRST_PAUSE = 0.5
MAX_PAUSE = 15.0
BEST_EFFORT = frozenset({"sendChatAction", "answerCallbackQuery", "answerInlineQuery"})
IDEMPOTENT = frozenset({
    "editMessageText", "editMessageReplyMarkup", "editMessageCaption", "deleteMessage",
    "getMe", "getFile", "getChat", "setMyCommands", "getMyCommands", "deleteMyCommands",
    "deleteWebhook", "getWebhookInfo",
})
NOT_MODIFIED = "message is not modified"
_NOT_SENT_TIMEOUTS = (httpx.ConnectTimeout, httpx.PoolTimeout, httpx.WriteTimeout)  # Telegram never got it whole


class DeliveringRateLimiter(AIORateLimiter):
    """``AIORateLimiter`` that also retries calls through outages, never sending anything twice."""

    def __init__(self, max_retries: int, deadline: float = DEFAULT_DEADLINE):
        super().__init__(max_retries=max_retries)
        self.deadline = deadline

    async def process_request(self, callback, args, kwargs, endpoint, data, rate_limit_args) -> Any:
        loop = asyncio.get_running_loop()
        give_up_at = loop.time() + self.deadline
        pause, attempt = FIRST_PAUSE, 1
        while True:
            try:
                return await super().process_request(callback, args, kwargs, endpoint, data, rate_limit_args)
            except BadRequest as error:
                if attempt > 1 and endpoint in IDEMPOTENT and NOT_MODIFIED in str(error).lower():
                    return True  # an earlier attempt arrived after all
                raise
            except ChatMigrated as error:
                if data.get("chat_id") == error.new_chat_id:
                    raise
                logger.info("chat %s became %s: sending %s there", data.get("chat_id"), error.new_chat_id, endpoint)
                data["chat_id"] = error.new_chat_id
                continue
            except (NetworkError, RetryAfter) as error:
                wait = retry_pause(error, endpoint, pause)
                if wait is None or loop.time() + wait > give_up_at:
                    raise
                logger.warning("Telegram %s failed (%s): trying again in %.1f s", endpoint, describe(error), wait)
            await asyncio.sleep(wait)
            pause, attempt = min(MAX_PAUSE, pause * 2), attempt + 1


def retry_pause(error: NetworkError | RetryAfter, endpoint: str, pause: float) -> float | None:
    """Seconds to wait before calling ``endpoint`` again after ``error``; None: do not call it again."""
    if endpoint in BEST_EFFORT:
        return None
    if isinstance(error, RetryAfter):
        return max(pause, _seconds(error.retry_after))
    if isinstance(error, TimedOut) and not (endpoint in IDEMPOTENT or was_not_sent(error)):
        logger.warning("Telegram took too long to answer %s: it may have been carried out, so it is not sent again", endpoint)
        return None
    return pause


def was_not_sent(error: TimedOut) -> bool:
    """True when the timeout came before Telegram had the whole request."""
    return isinstance(error.__cause__, _NOT_SENT_TIMEOUTS)


def describe(error: Exception) -> str:
    return str(error) or type(error).__name__


def _seconds(value: int | float | dt.timedelta) -> float:
    return value.total_seconds() if isinstance(value, dt.timedelta) else float(value)
