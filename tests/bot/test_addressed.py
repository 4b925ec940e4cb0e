"""End to end: captions and mentions of the bot's account are questions; channel posts are not."""

from __future__ import annotations

import asyncio

from tests.bot.conftest import BOT_USERNAME
from tests.bot.test_admin import VILNIUS, text_of

QUESTION = "Cosa è stato concordato a Minsk a dicembre 2022?"


async def test_captions_and_account_mentions_are_questions_in_groups(server, app):
    desk = server.group(830, "Desk")
    user = server.user(83, "Photographer")
    server.photo_message(desk, user, f"@{BOT_USERNAME} {QUESTION}")
    server.document_message(desk, user, VILNIUS.encode(), "nota.txt", "text/plain", caption=f"@{BOT_USERNAME} {QUESTION}")
    bot = {"id": server.bot.id, "is_bot": True, "first_name": "Newsdesk", "username": BOT_USERNAME}
    server.group_message(desk, user, f"Newsdesk {QUESTION}", entities=[{"type": "text_mention", "offset": 0, "length": 8, "user": bot}])
    server.photo_message(desk, user, "Una foto da Minsk")  # not addressed: no answer
    answers = await server.wait_for_messages(desk, 3, timeout=30)
    await asyncio.sleep(1.0)
    assert len(server.messages_in(desk)) == 3 and all("Minsk" in text_of(m) for m in answers)


async def test_channel_posts_are_ignored(server, app):
    channel = server.channel(-100840, "Newsroom channel")
    server.channel_post(channel, "/stats")
    server.channel_post(channel, f"@{BOT_USERNAME} {QUESTION}")
    await asyncio.sleep(2.0)
    assert [c.method for c in server.sent if c.method not in ("getMe", "setMyCommands", "deleteWebhook")] == []
