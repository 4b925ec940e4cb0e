"""Admin actions (/reindex, /stats, /add, uploads) are refused to every non-admin, in private and in
groups, sent new, edited or forwarded; an admin's act only when sent new (an edited or
forwarded one is ignored). Each combination plays in a chat of its own, on one running bot.
"""

from __future__ import annotations

import asyncio
import dataclasses

import pytest

from tests import figures
from tests.bot.conftest import running_bot
from tests.bot.test_admin import VILNIUS, text_of
from tests.conftest import SEEDS

ACTIONS = ["/reindex", "/stats", "/add", "upload"]
REFUSAL = "Sorry, only the newsroom's admins can do that."
RAN = {  # how each action shows that it ran
    "/reindex": ("Re-index done",),
    "/stats": ("Archive",),
    "/add": ("Added ", ),
    "upload": ("Added ", ),
}
COMBINATIONS = [(chat, delivery) for chat in ("private", "group") for delivery in ("new", "edited", "forwarded")]


def expected(action: str, chat: str, delivery: str, admin: bool) -> tuple[bool, int]:
    """(does the action run, how many refusals) for one combination."""
    if action == "upload" and chat == "group":
        return False, 0  # a document in a group is not for the bot (/add is)
    if admin:
        return delivery == "new", 0
    carrier = action == "/add" and chat == "private"  # the document /add answers is refused too
    return False, 1 + carrier


@pytest.mark.parametrize("chat_kind, delivery", COMBINATIONS, ids=[f"{c}-{d}" for c, d in COMBINATIONS])
async def test_admin_actions_only_for_admins_in_new_messages(server, bot_settings, embedder, chat_kind, delivery):
    admins = {action: 1100 + number for number, action in enumerate(ACTIONS)}
    settings = dataclasses.replace(bot_settings, admin_ids=frozenset(admins.values()))
    cases = {}
    async with running_bot(settings, embedder):
        for number, action in enumerate(ACTIONS):
            if action == "upload" and delivery == "edited":
                continue  # a document is not turned into a command by editing
            for admin in (True, False):
                user = server.user(admins[action] if admin else 5100 + number, f"{'Admin' if admin else 'Mallory'} {number}")
                chat = server.group(740 + 2 * number + admin, f"Desk {number}") if chat_kind == "group" else server.private_chat(user)
                want = expected(action, chat_kind, delivery, admin)
                perform(server, action, chat, user, delivery, origin=server.user(9999, "Someone"))
                await server.wait_for(lambda: reached(outcome(server, chat.id, action), want), timeout=60)
                cases[(action, admin)] = (chat.id, want)  # one at a time: builds take turns
        await asyncio.sleep(1.5)
        outcomes = {key: outcome(server, chat, key[0]) for key, (chat, _) in cases.items()}
    refused = sum(want[1] for _, want in cases.values())
    figures.record("admin actions by non-admins refused", refused, sum(outcomes[k][1] for k in cases if not k[1]),
                   f"{chat_kind} {delivery}")
    for key, (_, want) in cases.items():
        assert outcomes[key] == want, (key, want, outcomes[key])
    added = {p.name for p in bot_settings.index.articles_dir.iterdir()} - {p.name for p in SEEDS.iterdir()}
    assert added == {f"{a.strip('/')}.txt" for (a, admin), (_, want) in cases.items() if admin and want[0] and a in ("/add", "upload")}


def perform(server, action: str, chat, user, delivery: str, origin) -> None:
    """``user`` does ``action`` in ``chat``, in a new, edited or forwarded message."""
    carrier = _carrier(server, action, chat, user) if action == "/add" else None
    if action == "upload":
        send = dict(forwarded_from=origin) if delivery == "forwarded" else {}
        server.document_message(chat, user, VILNIUS.encode(), "upload.txt", "text/plain", **send)
    elif delivery == "forwarded":
        server.forwarded_message(chat, user, action, origin=origin)
    elif delivery == "edited":
        original = _say(server, chat, user, "/help", reply_to=carrier)
        server.edited_message(original, action)
    else:
        _say(server, chat, user, action, reply_to=carrier)


def _carrier(server, action, chat, user) -> dict:
    """The document /add answers: a colleague's in a group; in private, one the user forwards."""
    if chat.type == "private":
        return server.document_message(chat, user, VILNIUS.encode(), "add.txt", "text/plain",
                                       forwarded_from="A channel")["message"]
    colleague = server.user(9000 + chat.id % 100, "Colleague")
    return server.document_message(chat, colleague, VILNIUS.encode(), "add.txt", "text/plain")["message"]


def _say(server, chat, user, text, reply_to=None) -> dict:
    if chat.type == "private":
        return server.private_message(user, text, reply_to=reply_to)["message"]
    return server.group_message(chat, user, text, reply_to=reply_to)["message"]


def reached(seen: tuple[bool, int], want: tuple[bool, int]) -> bool:
    return (seen[0] or not want[0]) and seen[1] >= want[1]


def outcome(server, chat_id: int, action: str) -> tuple[bool, int]:
    """(did the action run, how many refusals) as the chat shows them."""
    texts = [text_of(m) for m in server.messages_in(chat_id)]
    return any(t.startswith(RAN[action]) for t in texts), sum(t == REFUSAL for t in texts)
