"""The per-user question limit: a sliding one-minute window, configurable with
NEWSDESK_QUESTIONS_PER_MINUTE; one user flooding a group gets their share and one friendly
"please wait", and everyone else in the group is still answered."""

from __future__ import annotations

import asyncio
from collections import Counter

import pytest

from bot.config import DEFAULT_QUESTIONS_PER_MINUTE, load_bot_settings
from bot.limits import QuestionLimiter
from index.errors import ConfigError
from tests import figures
from tests.bot.conftest import running_bot, with_limit
from tests.bot.load import QUESTIONS

WAIT = "You are asking very quickly"


def test_limit_per_user_in_a_sliding_minute():
    now = [0.0]
    limiter = QuestionLimiter(3, clock=lambda: now[0])
    assert [limiter.check(1) for _ in range(3)] == [0, 0, 0]
    assert limiter.check(1) == 60
    assert limiter.check(2) == 0  # others are not affected
    now[0] = 30.0
    assert limiter.check(1) == 30
    now[0] = 60.0
    assert limiter.check(1) == 0


def test_zero_means_no_limit():
    limiter = QuestionLimiter(0)
    assert all(limiter.check(1) == 0 for _ in range(100))


def test_a_refused_user_is_told_once_until_allowed_again():
    now = [0.0]
    limiter = QuestionLimiter(1, clock=lambda: now[0])
    assert limiter.check(1) == 0
    assert limiter.check(1) > 0 and limiter.warn_once(1)
    assert limiter.check(1) > 0 and not limiter.warn_once(1)  # the next ones are dropped quietly
    now[0] = 60.0
    assert limiter.check(1) == 0
    assert limiter.check(1) > 0 and limiter.warn_once(1)  # refused again later: told again


@pytest.mark.parametrize("value, expected", [(None, DEFAULT_QUESTIONS_PER_MINUTE), ("3", 3), ("0", 0)])
def test_limit_is_configurable(value, expected):
    environ = {"TELEGRAM_BOT_TOKEN": "1:x"} | ({"NEWSDESK_QUESTIONS_PER_MINUTE": value} if value else {})
    assert load_bot_settings(environ).questions_per_minute == expected


def test_a_malformed_limit_is_named():
    with pytest.raises(ConfigError, match="NEWSDESK_QUESTIONS_PER_MINUTE must be a whole number"):
        load_bot_settings({"TELEGRAM_BOT_TOKEN": "1:x", "NEWSDESK_QUESTIONS_PER_MINUTE": "ten"})


async def test_one_user_flooding_a_group_does_not_starve_it(server, bot_settings, embedder):
    limit, flood = 5, 20
    async with running_bot(with_limit(bot_settings, limit), embedder):
        team = server.group(620, "Redazione")
        flooder, colleague = server.user(61, "Flooder"), server.user(62, "Colleague")
        asked = {}
        for number in range(flood):
            asked[server.group_message(team, flooder, f"/ask {QUESTIONS[number % len(QUESTIONS)]}")["message"]["message_id"]] = "flooder"
            if number % 5 == 2:
                asked[server.group_message(team, colleague, f"/ask {QUESTIONS[number % 3]}")["message"]["message_id"]] = "colleague"
        await server.wait_for_messages(team, limit + 1 + 4, timeout=120)
        await asyncio.sleep(1.5)
        replies = server.messages_in(team)
    answered = Counter(asked[m["reply_to_message"]["message_id"]] for m in replies if not m["text"].startswith(WAIT))
    warned = Counter(asked[m["reply_to_message"]["message_id"]] for m in replies if m["text"].startswith(WAIT))
    figures.record("questions over the per-user limit held back", flood - limit, flood - answered["flooder"],
                   f"limit {limit}/min, one warning each")
    assert answered == {"flooder": limit, "colleague": 4}
    assert warned == {"flooder": 1}


async def test_anonymous_admins_get_a_limit_per_group(server, bot_settings, embedder):
    """Anonymous admins of every group come as one account (GroupAnonymousBot): the limit is kept
    per group they write as, so one newsroom's admins cannot use up another's."""
    anonymous = server.user(1087968824, "Group", username="GroupAnonymousBot")
    desks = [server.group(850 + n, f"Desk {n}") for n in range(3)]
    async with running_bot(with_limit(bot_settings, 2), embedder):
        for desk in desks:
            for question in QUESTIONS[:2]:
                server.group_message(desk, anonymous, f"/ask {question}", sender_chat=desk)
        await server.wait_for(lambda: all(len(server.messages_in(d)) == 2 for d in desks), timeout=60)
        await asyncio.sleep(1.0)
    texts = [m.get("text", "") for d in desks for m in server.messages_in(d)]
    assert len(texts) == 6 and not any(t.startswith(WAIT) for t in texts)


async def test_typing_shows_in_the_questions_forum_topic(server, app):
    forum = server.group(860, "Newsroom forum")
    server.group_message(forum, server.user(86, "Editor"), "/ask Chi è Lukashenko?", topic=77)
    await server.wait_for(lambda: server.calls("sendChatAction"), timeout=30)
    assert server.calls("sendChatAction")[0].params.get("message_thread_id") == 77
