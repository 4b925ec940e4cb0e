"""Who may ask, end to end: an open bot answers everyone; a closed one answers only admins, listed
users, members of listed groups and the listed groups themselves — in private, in groups, inline,
on the "More" button, for uploads and admin commands — and turns everyone else away politely."""

from __future__ import annotations

import asyncio
import dataclasses
import logging

import pytest

from tests import figures
from tests.bot.conftest import ADMIN_ID, BOT_USERNAME, running_bot
from tests.bot.test_admin import VILNIUS, text_of
from tests.conftest import SEEDS

LISTED_USER = 2001
LISTED_GROUP = -100900
UNLISTED_GROUP = -100901
QUESTION = "Cosa è stato concordato a Minsk a dicembre 2022?"
MANY_ANSWERS = "Putin Lukashenko Bielorussia Russia"
NOT_ALLOWED = "Sorry, this bot answers only the newsroom's staff."
LEAVING = "This bot serves only its newsroom's groups, so it is leaving this one."


@pytest.fixture
def closed(bot_settings):
    return dataclasses.replace(bot_settings, allowed_users=frozenset({LISTED_USER}), allowed_chats=frozenset({LISTED_GROUP}))


def answered(server, chat) -> bool:
    return any("Minsk" in text_of(m) or "Lukashenko" in text_of(m) for m in server.messages_in(chat))


async def settle(server, predicate, timeout=30.0) -> None:
    await server.wait_for(predicate, timeout=timeout)
    await asyncio.sleep(1.0)  # anything else the bot would send arrives meanwhile


class Tally:
    """Access attempts by strangers, counted as the chats show them."""

    def __init__(self):
        self.tried = self.refused = 0

    def add(self, refused: bool) -> None:
        self.tried += 1
        self.refused += refused


async def test_open_bot_answers_everyone_and_says_so(server, bot_settings, embedder, caplog):
    caplog.set_level(logging.INFO)
    async with running_bot(bot_settings, embedder):
        stranger = server.user(3001, "Reader")
        server.private_message(stranger, QUESTION)
        group = server.group(-100950, "Readers' club")
        server.group_message(group, stranger, f"@{BOT_USERNAME} {QUESTION}")
        await settle(server, lambda: answered(server, stranger) and answered(server, group))
        server.private_message(server.user(ADMIN_ID, "Admin"), "/stats")
        await server.wait_for(lambda: server.messages_in(ADMIN_ID), timeout=15)
    assert "Access: open to everyone" in text_of(server.messages_in(ADMIN_ID)[0])
    assert "access: open to everyone" in caplog.text
    assert server.left_chats == []


async def test_closed_bot_private_chats(server, closed, embedder, caplog):
    caplog.set_level(logging.WARNING)
    tally = Tally()
    async with running_bot(closed, embedder):
        listed, admin, stranger = server.user(LISTED_USER, "Listed"), server.user(ADMIN_ID, "Admin"), server.user(3002, "Stranger")
        member = server.user(3003, "Member")
        server.join(server.group(LISTED_GROUP, "Desk"), member)
        for user in (listed, admin, member):
            server.private_message(user, QUESTION)
        for _ in range(3):  # told once, not once per message
            server.private_message(stranger, QUESTION)
        await settle(server, lambda: all(answered(server, u) for u in (listed, admin, member)) and server.messages_in(stranger))
        texts = [text_of(m) for m in server.messages_in(stranger)]
        for _ in range(3):
            tally.add(not answered(server, stranger))
        server.private_message(admin, "/stats")
        await server.wait_for(lambda: len(server.messages_in(admin)) == 2, timeout=15)
    figures.record("access attempts by strangers refused", tally.tried, tally.refused, "private questions")
    assert texts == [NOT_ALLOWED]
    assert tally.refused == tally.tried == 3
    assert "refused user 3002 in chat 3002" in caplog.text
    assert "Access: newsroom only (1 listed users, 1 listed groups, and the admins)" in text_of(server.messages_in(admin)[1])


async def test_closed_bot_groups(server, closed, embedder):
    tally = Tally()
    async with running_bot(closed, embedder):
        stranger = server.user(3004, "Colleague")
        desk = server.group(LISTED_GROUP, "Desk")
        elsewhere = server.group(UNLISTED_GROUP, "Elsewhere")
        server.group_message(desk, stranger, f"@{BOT_USERNAME} {QUESTION}")  # anyone in a listed group may ask
        server.group_message(elsewhere, stranger, f"@{BOT_USERNAME} {QUESTION}")
        added_to = server.group(-100902, "Added by someone")
        server.add_bot(added_to, stranger)
        await settle(server, lambda: answered(server, desk) and len(server.left_chats) == 2)
        for chat in (elsewhere, added_to):
            tally.add(not answered(server, chat) and [text_of(m) for m in server.messages_in(chat)] == [LEAVING])
    figures.record("access attempts by strangers refused", tally.tried, tally.refused, "unlisted groups (left)")
    assert sorted(server.left_chats) == sorted([UNLISTED_GROUP, -100902])
    assert tally.refused == tally.tried == 2


async def test_closed_bot_inline_and_more(server, closed, embedder):
    tally = Tally()
    async with running_bot(closed, embedder):
        desk = server.group(LISTED_GROUP, "Desk")
        member, stranger = server.user(3005, "Member"), server.user(3006, "Stranger")
        server.join(desk, member)
        server.inline_query(member, QUESTION)
        server.inline_query(stranger, QUESTION)
        await server.wait_for(lambda: len(server.inline_answers) == 2, timeout=30)
        by_user = {int(a["inline_query_id"][:1]): a for a in server.inline_answers}
        tally.add(by_user[2]["results"] == [])
        server.private_message(member, MANY_ANSWERS)
        (first,) = await server.wait_for_messages(member, 1, timeout=30)
        data = first["reply_markup"]["inline_keyboard"][0][0]["callback_data"]
        server.leave(desk, member)  # Telegram tells the bot: their access is asked again
        await asyncio.sleep(0.5)
        server.callback_query(member, first, data)
        await settle(server, lambda: server.callback_answers)
        tally.add(len(server.messages_in(member)) == 1)
        server.private_message(member, QUESTION)
        await settle(server, lambda: len(server.messages_in(member)) == 2)
        tally.add(text_of(server.messages_in(member)[1]) == NOT_ALLOWED)
    figures.record("access attempts by strangers refused", tally.tried, tally.refused, "inline; More and a question after leaving the group")
    assert by_user[1]["results"] and all(a.get("is_personal") for a in server.inline_answers)
    assert server.callback_answers[0]["text"] == NOT_ALLOWED
    assert tally.refused == tally.tried == 3


async def test_closed_bot_uploads_and_admin_commands_from_strangers(server, closed, embedder):
    tally = Tally()
    async with running_bot(closed, embedder) as application:
        stranger = server.user(3007, "Stranger")
        server.document_message(stranger, stranger, VILNIUS.encode(), "vilnius.txt", "text/plain")
        for command in ("/reindex", "/stats", "/start"):
            server.private_message(stranger, command)
        await settle(server, lambda: server.messages_in(stranger))
        building = application.bot_data["archive"].building
    planted = (closed.index.articles_dir / "vilnius.txt").exists()
    for _ in range(4):
        tally.add(not planted and not building and len(server.messages_in(stranger)) == 1)
    figures.record("access attempts by strangers refused", tally.tried, tally.refused, "upload, /reindex, /stats, /start")
    assert [text_of(m) for m in server.messages_in(stranger)] == [NOT_ALLOWED]
    assert sorted(p.name for p in closed.index.articles_dir.iterdir()) == sorted(p.name for p in SEEDS.iterdir())
    assert server.calls("getFile") == []
    assert tally.refused == tally.tried == 4
