"""The Bot API failing under the running bot (429s, 5xx, dropped connections, timeouts, getUpdates
down) for a while, then coming back: the bot keeps running, and every question asked meanwhile
is answered exactly once when the API is back — none lost, none twice, no apology for a reply
that did arrive. See ``bot.delivery`` for why a timed-out send is not sent again.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
from dataclasses import dataclass, field
from typing import Callable

import pytest

from tests import figures
from tests.bot.conftest import running_bot
from tests.bot.load import QUESTIONS, answered_once

SEND_TIMEOUT = 1.0  # the bot's read timeout in these tests; "slow" faults last longer
SETTLE = 2.0  # seconds to wait after the last reply, for any duplicate to show


@dataclass(frozen=True)
class Scenario:
    """A fault started before the questions, and how long it lasts before ``restore()`` (0: until
    each call its ``fail()`` faults were planned for was failed)."""

    start: Callable
    lasts: float = 3.0
    settings: dict = field(default_factory=dict)


SCENARIOS = {
    "429 with retry_after": Scenario(lambda s: s.fail("sendMessage", times=14, status=429, retry_after=1), lasts=0),
    "500 for a while": Scenario(lambda s: s.outage(status=500)),
    "502 from nginx for a while": Scenario(lambda s: s.outage(status=502)),
    "dropped connections for a while": Scenario(lambda s: s.outage(drop=True)),
    "slow API, within the timeout": Scenario(lambda s: s.outage(status=None, delay=0.6)),
    "timeouts (Telegram slower than the bot waits)": Scenario(lambda s: s.outage(status=None, delay=SEND_TIMEOUT + 1.5)),
    "getUpdates failing too (502)": Scenario(lambda s: s.outage(status=502, include_get_updates=True)),
    "getUpdates dropped too": Scenario(lambda s: s.outage(drop=True, include_get_updates=True)),
    "everything at once": Scenario(lambda s: (s.fail("sendMessage", times=6, status=429, retry_after=1),
                                              s.fail(None, times=6, status=500), s.fail(None, times=4, drop=True),
                                              s.fail("sendMessage", times=3, delay=SEND_TIMEOUT + 1),
                                              s.fail("getUpdates", times=3, status=502)), lasts=0),
}


@pytest.mark.parametrize("name", SCENARIOS)
async def test_questions_during_a_fault_are_answered_once(server, bot_settings, embedder, name):
    scenario = SCENARIOS[name]
    settings = dataclasses.replace(bot_settings, send_timeout=SEND_TIMEOUT, **scenario.settings)
    async with running_bot(settings, embedder) as application:
        await asyncio.sleep(0.3)  # polling is up
        scenario.start(server)
        asked = await ask_from_groups_and_private_chats(server)
        if scenario.lasts:
            await asyncio.sleep(scenario.lasts)
        else:
            with contextlib.suppress(TimeoutError):  # what was served is counted below
                await server.wait_for(lambda: not server.pending_faults, timeout=60)
        server.restore()
        with contextlib.suppress(TimeoutError):  # what was answered is counted below
            await server.wait_for(lambda: all(answers(server, chat) >= len(questions) for chat, questions in asked.items()), timeout=120)
        await asyncio.sleep(SETTLE)
        once = sum(answered_once(server, chat, questions) for chat, questions in asked.items())
        running = application.running
    total, faults = sum(len(questions) for questions in asked.values()), len(server.faulted)
    survived = faults if once == total and running else 0  # the faults came through if every question did
    figures.record("Bot API faults caused while questions were asked", faults, survived, name)
    figures.record("questions asked during Bot API faults, answered exactly once", total, once)
    assert running and once == total and faults > 0
    assert not [c for c in server.calls("sendMessage") if c.params["text"].startswith("Sorry")]  # no apologies


async def ask_from_groups_and_private_chats(server, groups: int = 3, private: int = 3, rounds: int = 2) -> dict[int, list[int]]:
    """Questions asked in ``groups`` groups (with /ask) and ``private`` private chats: chat id -> message ids."""
    asked: dict[int, list[int]] = {}
    for turn in range(rounds):
        for number in range(groups):
            chat, user = server.group(960 + number, f"Desk {number}"), server.user(3100 + number, f"Reporter {number}")
            update = server.group_message(chat, user, f"/ask {QUESTIONS[(number + turn) % len(QUESTIONS)]}")
            asked.setdefault(chat.id, []).append(update["message"]["message_id"])
        for number in range(private):
            user = server.user(3200 + number, f"Editor {number}")
            update = server.private_message(user, QUESTIONS[(number + turn + 3) % len(QUESTIONS)])
            asked.setdefault(user.id, []).append(update["message"]["message_id"])
        await asyncio.sleep(0.2)
    return asked


def answers(server, chat_id: int) -> int:
    return len(server.messages_in(chat_id))
