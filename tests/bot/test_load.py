"""Load: 200 questions from 20 chats sent at once are all answered, each exactly once, in the right chat."""

from __future__ import annotations

import contextlib

from tests import figures
from tests.bot.load import ask_everyone


async def test_two_hundred_questions_from_twenty_chats(server, app):
    result = await ask_everyone(server, chats=20, per_chat=10)
    answered = "all" if result.answered_once == result.questions else f"{result.answered_once}"
    figures.record(
        "questions sent at once from 20 chats, answered once in their chat", result.questions, result.answered_once,
        f"{answered} answered in {result.seconds:.1f} s; slowest reply {result.slowest_reply:.1f} s, median {result.median_reply:.1f} s",
    )
    assert result.questions == 200 and result.answered_once == result.questions
    assert not server.errors


async def test_an_inline_flood_gets_a_bounded_share(server, app):
    """Forty people typing inline at once: at most INLINE_WORKERS + INLINE_WAITING of their queries
    are worked on, the others get empty results at once, and a private question asked meanwhile
    is answered without waiting for the flood."""
    import time

    from bot.inline import INLINE_WAITING, INLINE_WORKERS
    from tests.bot.load import QUESTIONS

    for number in range(40):
        server.inline_query(server.user(9100 + number, f"Typist {number}"), QUESTIONS[number % len(QUESTIONS)])
    reader = server.user(9200, "Reader")
    asked = time.monotonic()
    server.private_message(reader, QUESTIONS[1])
    await server.wait_for_messages(reader, 1, timeout=60)
    waited = time.monotonic() - asked
    with contextlib.suppress(TimeoutError):  # what was answered is counted
        await server.wait_for(lambda: len(server.inline_answers) == 40, timeout=60)
    worked_on = sum(bool(a["results"]) for a in server.inline_answers)
    peak = app.bot_data["inline_slots"].peak
    figures.record("inline queries in a flood of 40, each answered (results, or empty at once)", 40, len(server.inline_answers),
                   f"{worked_on} with results, at most {peak} at once; a private question meanwhile waited {waited:.2f} s")
    assert peak <= INLINE_WORKERS + INLINE_WAITING and worked_on < 40
    assert "Minsk" in server.messages_in(reader)[0]["text"]
