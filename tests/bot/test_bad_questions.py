"""Hostile questions through the running bot — markup, entities, control characters,
right-to-left text, emoji, 10,000 characters, nothing at all, and seeded random Unicode — each
get one reply, and Telegram (the fake, which parses as Telegram does) refuses none of them."""

from __future__ import annotations

import asyncio
import contextlib
import random
from collections import Counter

from tests import figures
from tests.bot.conftest import BOT_USERNAME

NASTY = [
    "<b>Minsk</b>", "</blockquote> Minsk", "&amp; & &lt; &#0; Putin", "`rm -rf /` Lukashenko",
    "```python\nprint('Minsk')\n```", "*bold* _italic_ [link](javascript:alert(1)) Lavrov",
    "\u202eMinsk Putin", "😀" * 300, "👨‍👩‍👧 Lukashenko 🇧🇾", "\x00\x01\x1b[31m Minsk", "Minsk\u2028Putin\u2029Lavrov",
    "Lukashenko " * 1000, "Cosa è successo a Minsk? " * 400, "   ", "\t\n", "?", "<a href='x'>Peskov</a>",
    "%s %d {0} {question}", "'; DROP TABLE passages; --", 'NEAR("Minsk" "Putin")', "title:Minsk",
    "\ufeffMinsk", "ＭＩＮＳＫ ｐｕｔｉｎ", "מה קרה במינסק?", "ماذا حدث في مينسك؟", "Что решили в Минске?",
    f"@{BOT_USERNAME}", "/ask", "/ask@" + BOT_USERNAME + "   ",
]
SILENT = ["/unknown command", "/ask@OtherBot Minsk?"]  # not for us: no reply, by design
POOL = (
    "abcxyz ÀéîõüßÇ ЖщЫ 中文字 😀🇮🇹👍🏽 שלום مرحبا \u0301\u0308 \u200b\u200d\u202e\u2066 "
    "<>&\"'`*_[](){}#|~\\ \t\n\x00\x07\x1b\x7f\u0085\u2028\ufeff\ufffd"
)


def random_questions(count: int, seed: int = 20221220) -> list[str]:
    rng = random.Random(seed)
    return ["".join(rng.choice(POOL) for _ in range(rng.randint(1, 400))) for _ in range(count)]


async def test_hostile_questions_get_one_valid_reply_each(server, app):
    questions = NASTY + random_questions(30)
    chats = []
    for number, question in enumerate(questions):
        user = server.user(7000 + number, f"Reader {number}")
        server.private_message(user, question)
        chats.append(user.id)
    team = server.group(780, "Desk")
    asked = [server.group_message(team, server.user(7900 + n, f"R{n}"), f"/ask {q}")["message"]["message_id"]
             for n, q in enumerate(NASTY[:10])]
    silent = [server.private_message(server.user(7800 + n, f"Quiet {n}"), q)["message"]["chat"]["id"] for n, q in enumerate(SILENT)]
    with contextlib.suppress(TimeoutError):  # what was answered is counted
        await server.wait_for(lambda: all(server.messages_in(chat) for chat in chats)
                              and len(server.messages_in(team)) >= len(asked), timeout=300)
    await asyncio.sleep(1.0)
    once = sum(len(server.messages_in(chat)) == 1 for chat in chats)
    in_group = sorted(m["reply_to_message"]["message_id"] for m in server.messages_in(team))
    replied = Counter(in_group)
    valid = once + sum(replied[message] == 1 for message in asked) - len(server.errors)  # each refused reply: one lost
    figures.record("hostile questions through the bot (one valid reply each)", len(questions) + len(asked), max(0, valid))
    assert not any(server.messages_in(chat) for chat in silent)
    assert once == len(chats) and in_group == asked
    assert not server.errors, server.errors[:3]
    assert not [c for c in server.calls("sendMessage") if c.params["text"].startswith("Sorry")]
