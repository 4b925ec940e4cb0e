"""End to end: /reindex, /stats and adding articles, by admins and by everyone else."""

from __future__ import annotations

import asyncio
import dataclasses
import logging

import pytest

from tests.bot.conftest import ADMIN_ID, running_bot

VILNIUS = (
    "Vertice a Vilnius sulla difesa del Baltico\n\n"
    "I ministri della Difesa di Lituania, Lettonia ed Estonia si sono incontrati a Vilnius. "
    "Hanno deciso di acquistare insieme sistemi di difesa aerea a medio raggio."
)


def text_of(message: dict) -> str:
    return message.get("text", "")


def write_articles(settings, count: int) -> None:
    for number in range(count):
        (settings.articles_dir / f"baltico{number:02d}.txt").write_text(
            VILNIUS.replace("Vilnius", f"Vilnius {number}") + " Altre notizie dalla regione. " * 20
        )


async def last_text(server, chat, predicate, timeout=60.0) -> str:
    await server.wait_for(lambda: any(predicate(text_of(m)) for m in server.messages_in(chat)), timeout=timeout)
    return next(text_of(m) for m in server.messages_in(chat) if predicate(text_of(m)))


async def test_reindex_by_admin_shows_progress_then_answers_from_new_articles(server, app, bot_settings, monkeypatch):
    monkeypatch.setattr("bot.admin.PROGRESS_INTERVAL", 0.0)
    admin = server.user(ADMIN_ID, "Admin")
    write_articles(bot_settings.index, 12)
    server.private_message(admin, "/reindex")
    done = await last_text(server, admin, lambda t: t.startswith("Re-index done"))
    assert "12 added, 0 updated, 0 removed, 5 unchanged" in done and "17 articles" in done
    edits = [c.params["text"] for c in server.calls("editMessageText")]
    assert any(e.startswith("Re-indexing: read ") and e.endswith(" of 17 files…") for e in edits)
    assert any(e.startswith("Re-indexing: indexed ") and " passages…" in e for e in edits)
    assert len(server.messages_in(admin)) == 1  # one message, kept up to date
    server.private_message(admin, "Cosa hanno deciso i ministri a Vilnius 3?")
    await server.wait_for_messages(admin, 2, timeout=15)
    assert "Vilnius" in text_of(server.messages_in(admin)[1])


async def test_reindex_with_nothing_new(server, app):
    admin = server.user(ADMIN_ID, "Admin")
    server.private_message(admin, "/reindex")
    done = await last_text(server, admin, lambda t: t.startswith("Re-index done"))
    assert "0 added, 0 updated, 0 removed, 5 unchanged" in done


async def test_second_reindex_while_one_runs_says_so(server, app, bot_settings):
    admin = server.user(ADMIN_ID, "Admin")
    write_articles(bot_settings.index, 20)
    server.private_message(admin, "/reindex")
    await server.wait_for(lambda: app.bot_data["archive"].building, timeout=15)
    server.private_message(admin, "/reindex")
    running = await last_text(server, admin, lambda t: t.startswith("A re-index is already running"))
    assert running
    await last_text(server, admin, lambda t: t.startswith("Re-index done"))


@pytest.mark.parametrize("command", ["/reindex", "/stats", "/add"])
async def test_admin_commands_refused_to_others_and_logged(server, app, caplog, command):
    caplog.set_level(logging.WARNING)
    team = server.group(601, "Desk")
    user = server.user(42, "Mallory")
    server.group_message(team, user, command)
    server.private_message(user, command)
    await server.wait_for(lambda: len(server.messages_in(team)) == 1 and len(server.messages_in(user)) == 1, timeout=10)
    assert text_of(server.messages_in(team)[0]) == "Sorry, only the newsroom's admins can do that."
    assert "refused admin action from user 42" in caplog.text
    assert not app.bot_data["archive"].building


async def test_stats_for_admin(server, app):
    admin = server.user(ADMIN_ID, "Admin", language_code="it")
    server.private_message(admin, "/stats")
    (reply,) = await server.wait_for_messages(admin, 1, timeout=10)
    assert "Articoli: 5" in text_of(reply) and "2020-09 – 2022-12-20" in text_of(reply)


async def test_document_from_admin_is_added_and_answerable(server, app, bot_settings):
    admin = server.user(ADMIN_ID, "Admin")
    server.document_message(admin, admin, VILNIUS.encode(), "vilnius.txt", "text/plain")
    (reply,) = await server.wait_for_messages(admin, 1, timeout=30)
    assert text_of(reply) == "Added vilnius.txt to the archive: 1 article(s), now answerable."
    assert (bot_settings.index.articles_dir / "vilnius.txt").read_text() == VILNIUS
    server.private_message(admin, "What did the ministers decide in Vilnius?")
    await server.wait_for_messages(admin, 2, timeout=15)
    assert "vilnius.txt" in text_of(server.messages_in(admin)[1])


async def test_path_traversal_name_is_kept_inside_articles(server, app, bot_settings, tmp_path):
    admin = server.user(ADMIN_ID, "Admin")
    server.document_message(admin, admin, VILNIUS.encode(), "../../x.txt", "text/plain")
    (reply,) = await server.wait_for_messages(admin, 1, timeout=30)
    assert "Added x.txt" in text_of(reply)
    assert (bot_settings.index.articles_dir / "x.txt").is_file()
    assert not (bot_settings.index.data_dir / "x.txt").exists()
    assert not (bot_settings.index.data_dir.parent / "x.txt").exists()


async def test_add_in_reply_to_a_document_in_a_group(server, app, bot_settings):
    team = server.group(602, "Desk")
    admin = server.user(ADMIN_ID, "Admin")
    colleague = server.user(43, "Reporter")
    doc = server.document_message(team, colleague, VILNIUS.encode(), "nota.md", "text/markdown")["message"]
    await asyncio.sleep(0.5)
    assert server.messages_in(team) == []  # documents in groups are not for us unless /add says so
    server.group_message(team, admin, "/add", reply_to=doc)
    (reply,) = await server.wait_for_messages(team, 1, timeout=30)
    assert "Added nota.md" in text_of(reply)


@pytest.mark.parametrize(
    "name, content, reason",
    [
        ("report.pdf", b"%PDF-1.4 ...", "only .txt, .md, .html, .htm, .json, .jsonl files can be added, not .pdf"),
        ("blob.txt", bytes(range(256)) * 10, "not a readable article: binary file"),
        ("huge.txt", b"a " * (3 * 1024 * 1024), "the limit is 5 MB"),
    ],
)
async def test_bad_documents_are_refused(server, app, bot_settings, name, content, reason):
    admin = server.user(ADMIN_ID, "Admin")
    server.document_message(admin, admin, content, name, "application/octet-stream")
    (reply,) = await server.wait_for_messages(admin, 1, timeout=30)
    assert text_of(reply).startswith("I could not add this file") and reason in text_of(reply)
    assert sorted(p.name for p in bot_settings.index.articles_dir.iterdir()) == sorted(
        p.name for p in bot_settings.index.articles_dir.iterdir() if not p.name.startswith(".")
    )


async def test_document_from_non_admin_is_refused(server, app, bot_settings):
    user = server.user(44, "Mallory")
    server.document_message(user, user, VILNIUS.encode(), "vilnius.txt", "text/plain")
    (reply,) = await server.wait_for_messages(user, 1, timeout=10)
    assert text_of(reply) == "Sorry, only the newsroom's admins can do that."
    assert not (bot_settings.index.articles_dir / "vilnius.txt").exists()


async def test_uploads_have_a_daily_cap_per_admin(server, bot_settings, fake_built, fake_embedder):
    """With the fake embedder: the real model takes minutes over 0.6 MB on a busy machine, and the cap is
    what is tested."""
    settings = dataclasses.replace(bot_settings, index=fake_built, upload_mb_per_day=1)
    article = (VILNIUS + "\n\n" + "Altre notizie dalla regione baltica. " * 16_000).encode()  # about 0.6 MB
    async with running_bot(settings, fake_embedder):
        admin = server.user(ADMIN_ID, "Admin")
        server.document_message(admin, admin, article, "uno.txt", "text/plain")
        await server.wait_for_messages(admin, 1, timeout=120)
        server.document_message(admin, admin, article.replace(b"Vilnius", b"Riga"), "due.txt", "text/plain")
        replies = await server.wait_for_messages(admin, 2, timeout=60)
    assert text_of(replies[0]).startswith("Added uno.txt")
    assert text_of(replies[1]).startswith("I could not add this file: you have added 0.6 MB") and "limit is 1 MB" in text_of(replies[1])
    assert (settings.index.articles_dir / "uno.txt").exists() and not (settings.index.articles_dir / "due.txt").exists()
