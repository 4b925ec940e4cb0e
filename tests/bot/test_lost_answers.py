"""Answers that used to be lost: the question deleted before the answer arrives (cleaner bots
delete commands), and a group that became a supergroup while its answer was on the way."""

from __future__ import annotations

import contextlib

from tests import figures
from tests.bot.conftest import BOT_USERNAME
from tests.bot.test_admin import text_of

QUESTION = "Cosa è stato concordato a Minsk a dicembre 2022?"


def is_answer(message: dict) -> bool:
    return "Minsk" in text_of(message)


def answers_in(server, chat) -> list[dict]:
    return [m for m in server.messages_in(chat) if is_answer(m)]


async def test_a_question_deleted_before_its_answer_still_gets_it(server, app):
    desk = server.group(810, "Desk")
    user = server.user(81, "Reporter")
    asked = [server.group_message(desk, user, f"/ask@{BOT_USERNAME} {QUESTION}")["message"] for _ in range(3)]
    for message in asked:
        server.delete(message)
    with contextlib.suppress(TimeoutError):  # what was delivered is counted
        await server.wait_for(lambda: len(answers_in(server, desk)) >= len(asked), timeout=30)
    answers = answers_in(server, desk)
    delivered = len(asked) - abs(len(asked) - len(answers))  # a missing and an extra answer each count as one lost
    figures.record("answers to questions deleted before the answer, delivered", len(asked), max(0, delivered))
    assert len(answers) == 3 and all("reply_to_message" not in m for m in answers)


async def test_an_answer_follows_its_group_to_the_new_supergroup(server, app):
    old = server.group(820, "Desk", type="group")
    user = server.user(82, "Reporter")
    server.group_message(old, user, f"/ask {QUESTION}")
    supergroup = server.migrate(old, 821)
    with contextlib.suppress(TimeoutError):  # what was delivered is counted
        await server.wait_for_messages(supergroup, 1, timeout=30)
    delivered = server.messages_in(supergroup)
    arrived = len(delivered) == 1 and is_answer(delivered[0])
    figures.record("answers pending while the group became a supergroup, delivered", 1, int(arrived))
    assert arrived, [text_of(m) for m in delivered]
    assert server.messages_in(old) == []
