"""The delivery policy, call by call: what is tried again after which failure, and what never is."""

from __future__ import annotations

import httpx
import pytest
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TimedOut

from bot import delivery
from bot.delivery import DeliveringRateLimiter


def timed_out(cause: Exception) -> TimedOut:
    error = TimedOut()
    error.__cause__ = cause
    return error


READ = httpx.ReadTimeout("no answer")
POLICY = [  # (endpoint, failure, called again?)
    ("sendMessage", NetworkError("Internal Server Error (500)"), True),
    ("sendMessage", NetworkError("Bad Gateway"), True),
    ("sendMessage", NetworkError("httpx.RemoteProtocolError: Server disconnected without sending a response."), True),
    ("sendMessage", RetryAfter(1), True),
    ("sendMessage", timed_out(httpx.ConnectTimeout("no connection")), True),
    ("sendMessage", timed_out(httpx.PoolTimeout("pool full")), True),
    ("sendMessage", timed_out(httpx.WriteTimeout("not all sent")), True),
    ("sendMessage", timed_out(READ), False),  # Telegram may have sent it: never twice
    ("sendDocument", timed_out(READ), False),
    ("editMessageText", timed_out(READ), True),  # idempotent
    ("editMessageReplyMarkup", timed_out(READ), True),
    ("sendMessage", BadRequest("Can't parse entities"), False),
    ("sendMessage", Forbidden("bot was blocked by the user"), False),
    ("sendChatAction", NetworkError("Bad Gateway"), False),  # best effort: it expires anyway
    ("answerCallbackQuery", NetworkError("Bad Gateway"), False),
    ("answerInlineQuery", NetworkError("Bad Gateway"), False),
]


@pytest.fixture(autouse=True)
def short_pauses(monkeypatch):
    monkeypatch.setattr(delivery, "FIRST_PAUSE", 0.01)


async def deliver(endpoint: str, failures: list[Exception], deadline: float = 5.0) -> tuple[object, int]:
    """(result, calls) of one call through the limiter that fails with ``failures`` first."""
    limiter = DeliveringRateLimiter(0, deadline=deadline)
    calls = 0

    async def callback(*args, **kwargs):
        nonlocal calls
        calls += 1
        if calls <= len(failures):
            raise failures[calls - 1]
        return {"message_id": 1}

    await limiter.initialize()
    try:
        return await limiter.process_request(callback, (), {}, endpoint, {"chat_id": 1}, None), calls
    finally:
        await limiter.shutdown()


@pytest.mark.parametrize("endpoint, failure, again", POLICY, ids=[f"{e} {type(f).__name__} {f.__cause__ or f}"[:60] for e, f, again in POLICY])
async def test_policy(endpoint, failure, again, monkeypatch):
    monkeypatch.setattr(RetryAfter, "retry_after", property(lambda self: 0.01), raising=False)
    if again:
        assert await deliver(endpoint, [failure, failure]) == ({"message_id": 1}, 3)
    else:
        with pytest.raises(type(failure)):
            await deliver(endpoint, [failure])


async def test_an_edit_that_arrived_before_its_timeout_counts_as_done():
    result, calls = await deliver("editMessageText", [timed_out(READ), BadRequest("Message is not modified: …")])
    assert (result, calls) == (True, 2)


async def test_not_modified_on_the_first_attempt_is_a_real_error():
    with pytest.raises(BadRequest):
        await deliver("editMessageText", [BadRequest("Message is not modified: …")])


async def test_gives_up_after_the_deadline():
    with pytest.raises(NetworkError):
        await deliver("sendMessage", [NetworkError("Bad Gateway")] * 1000, deadline=0.2)
