"""The load scenario shared by the bot tests that ask from many chats at once: test_load,
test_api_faults, test_limits and test_reindex_under_load."""

from __future__ import annotations

import contextlib
import math
import time
from collections import Counter
from dataclasses import dataclass

QUESTIONS = [
    "What was agreed in Minsk in December 2022?",
    "Cosa è stato concordato a Minsk a dicembre 2022?",
    "Who did Lavrov meet in Minsk?",
    "Quanto vale il prestito di Putin alla Bielorussia?",
    "Why will Belarus not join the war in Ukraine?",
    "Chi è Sviatlana Tsikhanouskaya?",
    "What did Peskov say about the talks?",
    "Dove verranno installati i missili Iskander?",
    "How much did sanctions cost Belarus?",
    "Cosa ha detto Lukashenko al vertice CSTO?",
]


@dataclass(frozen=True)
class LoadResult:
    questions: int
    chats: int
    answered_once: int  # questions that got exactly one reply, in their own chat
    seconds: float
    slowest_reply: float
    median_reply: float


async def ask_everyone(server, chats: int = 20, per_chat: int = 10, timeout: float = 300.0) -> LoadResult:
    """Send ``chats * per_chat`` questions at once (half the chats are groups), wait for every reply
    (``timeout`` at most) and count the questions answered exactly once, in their own chat (in
    groups, as a reply to it)."""
    asked: dict[int, list[tuple[int, float]]] = {}
    start = time.monotonic()
    for number in range(chats):
        user = server.user(5000 + number, f"Reporter {number}")
        chat = server.group(7000 + number, f"Desk {number}") if number % 2 else server.private_chat(user)
        asked[chat.id] = []
        for turn in range(per_chat):
            question = QUESTIONS[(number + turn) % len(QUESTIONS)]
            text = f"/ask {question}" if number % 2 else question
            send = server.group_message if number % 2 else server.private_message
            update = send(chat, user, text) if number % 2 else send(user, text)
            asked[chat.id].append((update["message"]["message_id"], time.monotonic()))
    total = chats * per_chat
    with contextlib.suppress(TimeoutError):  # what did come is counted
        await server.wait_for(lambda: sum(len(server.messages_in(c)) for c in asked) >= total, timeout=timeout)
    seconds = time.monotonic() - start
    once = sum(answered_once(server, chat_id, [m for m, _ in questions]) for chat_id, questions in asked.items())
    delays = sorted(_delays(server, asked)) or [math.inf]
    return LoadResult(total, chats, once, seconds, delays[-1], delays[len(delays) // 2])


def answered_once(server, chat_id: int, questions: list[int]) -> int:
    """How many of the chat's questions got exactly one answer. In groups each answer replies to
    its question; in a private chat answers are not quoted, so the chat must hold one per question."""
    messages = server.messages_in(chat_id)
    if chat_id > 0:
        return len(questions) if len(messages) == len(questions) else 0
    targets = Counter(m.get("reply_to_message", {}).get("message_id") for m in messages)
    return sum(targets[question] == 1 for question in questions) if sum(targets.values()) == len(questions) else 0


def _delays(server, asked: dict[int, list[tuple[int, float]]]) -> list[float]:
    """Seconds from each question to its reply (in a private chat, from the chat's first question)."""
    sent_at = {(c.result["chat"]["id"], c.result["message_id"]): c.time for c in server.calls("sendMessage")}
    delays = []
    for chat_id, questions in asked.items():
        asked_at = {m: t for m, t in questions}
        for reply in server.messages_in(chat_id):
            target = reply.get("reply_to_message", {}).get("message_id")
            origin = asked_at.get(target, questions[0][1])
            delays.append(sent_at[(chat_id, reply["message_id"])] - origin)
    return delays
