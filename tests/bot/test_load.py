"""Load: 200 questions from 20 chats sent at once are all answered, each exactly once, in the right chat."""

from __future__ import annotations

from tests import figures
from tests.bot.load import ask_everyone


async def test_two_hundred_questions_from_twenty_chats(server, app):
    result = await ask_everyone(server, chats=20, per_chat=10)
    assert result.questions == 200
    assert not server.errors
    figures.record(
        "questions sent at once from 20 chats, answered once in their chat", result.questions, result.questions,
        f"all answered in {result.seconds:.1f} s; slowest reply {result.slowest_reply:.1f} s, median {result.median_reply:.1f} s",
    )
