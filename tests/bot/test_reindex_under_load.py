"""/reindex while 100 questions are being answered: every one is answered once, from the old
index or the new one — never from a half-built one (the update commits in place, in one
transaction, under the questions); and of two /reindex at once, one runs."""

from __future__ import annotations

import asyncio
import contextlib
import threading

from bot import asking
from index.archive import Archive
from index.errors import BuildInProgressError
from tests import figures
from tests.bot.conftest import ADMIN_ID
from tests.bot.load import QUESTIONS
from tests.bot.test_admin import last_text, text_of, write_articles

ASKED = [*QUESTIONS, "Cosa hanno deciso i ministri a Vilnius 3?", "Dove si sono incontrati i ministri della Difesa?"]
USERS, PER_USER = 10, 10


async def test_questions_during_reindex_come_from_the_old_or_the_new_index(server, app, bot_settings):
    archive: Archive = app.bot_data["archive"]
    before = archive.snapshot.generation
    old = {q: rendered(archive.snapshot, q) for q in set(ASKED)}  # the update changes the archive in place
    write_articles(bot_settings.index, 30)
    admin = server.user(ADMIN_ID, "Admin")
    server.private_message(admin, "/reindex")
    await server.wait_for(lambda: archive.building, timeout=30)
    asked = {}  # (chat id, message id) -> question
    for turn in range(PER_USER):
        for number in range(USERS):
            chat, user = server.group(800 + number, f"Desk {number}"), server.user(4000 + number, f"Reporter {number}")
            question = ASKED[(number + turn) % len(ASKED)]
            update = server.group_message(chat, user, f"/ask {question}")
            asked[(chat.id, update["message"]["message_id"])] = question
        await asyncio.sleep(0.3)
    await last_text(server, admin, lambda t: t.startswith("Re-index done"), timeout=300)
    replies = await wait_for_replies(server, asked)
    new = archive.snapshot
    renderings = {q: {old[q], rendered(new, q)} for q in set(asked.values())}
    once = {key: htmls[0] for key, htmls in replies.items() if key in asked and len(htmls) == 1}
    from_old = sum(html == old[asked[key]] for key, html in once.items())
    figures.record("questions answered during /reindex (old or new index, once)", len(asked),
                   sum(html in renderings[asked[key]] for key, html in once.items()),
                   f"{from_old} as the old index answers, {len(asked) - from_old} only as the new one")
    assert new.generation > before and any(old[q] != rendered(new, q) for q in old)  # the update answers
    assert set(replies) == set(asked)
    assert not [key for key, htmls in replies.items() if len(htmls) > 1], "questions answered twice"
    assert all(html in renderings[asked[key]] for key, html in once.items())
    assert not server.errors


async def wait_for_replies(server, asked: dict) -> dict:
    """The HTML of the replies to each question, (chat id, message id) -> [html, …], once there are
    as many replies as questions (or after 300 s)."""
    def replies() -> list:
        return [c for c in server.calls("sendMessage") if c.result.get("reply_to_message")]

    with contextlib.suppress(TimeoutError):  # what did come is counted
        await server.wait_for(lambda: len(replies()) >= len(asked), timeout=300)
    await asyncio.sleep(1.0)
    found: dict[tuple[int, int], list[str]] = {}
    for call in replies():
        key = (call.result["chat"]["id"], call.result["reply_to_message"]["message_id"])
        found.setdefault(key, []).append(call.params["text"])
    return found


def rendered(archive, question: str) -> str:
    return asking.page_of(archive.ask(question, asking.MAX_ANSWERS), "key", 0).html


async def test_two_reindex_at_once_one_runs(server, app, bot_settings):
    write_articles(bot_settings.index, 10)
    admin = server.user(ADMIN_ID, "Admin")
    server.private_message(admin, "/reindex")
    server.private_message(admin, "/reindex")
    with figures.trial("/reindex sent twice at once: one ran"):
        await last_text(server, admin, lambda t: t.startswith("Re-index done"), timeout=120)
        await asyncio.sleep(1.0)
        texts = [text_of(m) for m in server.messages_in(admin)]
        assert sum(t.startswith("Re-index done") for t in texts) == 1
        assert sum(t.startswith("A re-index is already running") for t in texts) == 1
        assert app.bot_data["archive"].last_build.added == 10


def test_two_reindex_in_threads_at_once_one_runs(built, embedder):
    archive = Archive(built, embedder).open()
    write_articles(built, 10)
    start, outcomes = threading.Barrier(2), []

    def reindex() -> None:
        start.wait()
        try:
            outcomes.append(archive.reindex().added)
        except BuildInProgressError:
            outcomes.append("refused")

    threads = [threading.Thread(target=reindex) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes, key=str) == sorted([10, "refused"], key=str)
