"""End to end: /feeds for admins (list, add, remove, poll), refused to others, and the scheduled poll rounds."""

from __future__ import annotations

import dataclasses
import logging

import pytest

from index import feeds
from index.fetcher import Fetcher
from tests.bot.conftest import ADMIN_ID, running_bot
from tests.bot.test_admin import last_text, text_of


@pytest.fixture
async def web_app(server, bot_settings, embedder, local, site):
    settings = dataclasses.replace(bot_settings, fetch=local, feed_minutes=0)  # rounds only when asked
    async with running_bot(settings, embedder) as application:
        yield application


async def test_feeds_add_list_poll_remove(server, web_app, site):
    site.feeds["/cronaca.xml"] = ["porto", "vino"]
    admin = server.user(ADMIN_ID, "Admin")
    server.private_message(admin, "/feeds")
    assert text_of((await server.wait_for_messages(admin, 1, timeout=10))[0]).startswith("No feeds are followed.")
    server.private_message(admin, f"/feeds add {site.url('/cronaca.xml')}")
    added = await last_text(server, admin, lambda t: t.startswith("Following"), timeout=20)
    assert added.startswith("Following Il Piccolo - Cronaca (2 items): /feeds poll adds its new articles")
    server.private_message(admin, "/feeds poll")
    polled = await last_text(server, admin, lambda t: t.startswith("• Il Piccolo - Cronaca: 2 items, 2 new"), timeout=60)
    assert "Added 2 page(s) to the archive" in polled and "Vendemmia, il Friuli produce meno vino ma di qualità" in polled
    server.private_message(admin, "/feeds list")
    listed = await last_text(server, admin, lambda t: t.startswith("Feeds followed: 1"), timeout=10)
    assert "Il Piccolo - Cronaca" in listed and site.url("/cronaca.xml") in listed and "2 items · last read 20" in listed
    server.private_message(admin, f"/feeds remove {site.url('/cronaca.xml')}")
    removed = await last_text(server, admin, lambda t: t.startswith("Stopped following"), timeout=10)
    assert removed == "Stopped following Il Piccolo - Cronaca; its articles stay in the archive."
    assert feeds.followed(web_app.bot_data["archive"].settings.data_dir) == ()


async def test_feeds_errors_and_last_error_in_italian(server, web_app, site):
    admin = server.user(ADMIN_ID, "Admin", language_code="it")
    server.private_message(admin, f"/feeds add {site.url('/notizie/porto.html')}")
    refused = await last_text(server, admin, lambda t: t.startswith("Non ho potuto farlo"), timeout=10)
    assert "not a feed" in refused
    site.feeds["/cronaca.xml"] = ["porto"]
    server.private_message(admin, f"/feeds add {site.url('/cronaca.xml')}")
    await last_text(server, admin, lambda t: t.startswith("Seguo Il Piccolo - Cronaca"), timeout=10)
    del site.feeds["/cronaca.xml"]
    server.private_message(admin, "/feeds poll")
    await last_text(server, admin, lambda t: "the server answered 404 Not Found" in t and t.startswith("• Il Piccolo"), timeout=30)
    server.private_message(admin, "/feeds")
    listed = await last_text(server, admin, lambda t: t.startswith("Feed seguiti: 1"), timeout=10)
    assert "ultima lettura mai" in listed and "ultimo errore 20" in listed and "404 Not Found" in listed
    server.private_message(admin, "/feeds frobnicate")
    assert await last_text(server, admin, lambda t: t.startswith("/feeds elenca"), timeout=10)


@pytest.mark.parametrize("command", ["/feeds", "/feeds add http://127.0.0.1/x.xml", "/feeds poll"])
async def test_feeds_refused_to_others(server, web_app, site, caplog, command):
    caplog.set_level(logging.WARNING)
    user, team = server.user(42, "Mallory"), server.group(801, "Desk")
    server.private_message(user, command)
    server.group_message(team, user, command)
    await server.wait_for(lambda: server.messages_in(user) and server.messages_in(team), timeout=10)
    assert text_of(server.messages_in(user)[0]) == "Sorry, only the newsroom's admins can do that."
    assert text_of(server.messages_in(team)[0]) == "Sorry, only the newsroom's admins can do that."
    assert "refused admin action from user 42" in caplog.text and site.hits("/x.xml") == []


async def test_the_job_queue_polls_on_schedule(server, bot_settings, embedder, local, site):
    site.feeds["/cronaca.xml"] = ["porto"]
    with Fetcher(local) as fetcher:
        feeds.subscribe(bot_settings.index.data_dir, site.url("/cronaca.xml"), fetcher)
    settings = dataclasses.replace(bot_settings, fetch=local, feed_minutes=0.01)  # every 0.6 s
    async with running_bot(settings, embedder) as application:
        archive = application.bot_data["archive"]
        await server.wait_for(lambda: archive.last_build is not None and archive.last_build.added == 1, timeout=60)
        site.feeds["/cronaca.xml"] = ["treni", "porto"]  # the feed changes: the next round adds the new item
        await server.wait_for(lambda: archive.last_build.added == 1 and archive.stats().articles == 7, timeout=60)
        await server.wait_for(lambda: len(site.hits("/cronaca.xml")) >= 5, timeout=30)  # rounds keep coming
        admin = server.user(ADMIN_ID, "Admin")
        server.private_message(admin, "Quando apre la nuova linea ad alta velocità tra Napoli e Bari?")
        answer = (await server.wait_for_messages(admin, 1, timeout=30))[0]
    assert "Napoli" in text_of(answer)
    assert len(site.hits("/notizie/porto.html")) == 1 and len(site.hits("/notizie/treni.html")) == 1
    assert any("If-None-Match" in headers for headers in site.hits("/cronaca.xml")[2:])  # unchanged rounds: 304
    (info,) = feeds.followed(bot_settings.index.data_dir)
    assert info.last_success and info.items == 2
