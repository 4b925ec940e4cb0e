"""End to end: admins add web pages from the local site by sending links or /add URL; others are refused."""

from __future__ import annotations

import dataclasses
import logging

import pytest

from index.errors import BuildInProgressError
from tests.bot.conftest import ADMIN_ID, running_bot
from tests.bot.test_admin import last_text, text_of

PORTO = "Porto di Trieste, record di container nel 2026"


@pytest.fixture
async def web_app(server, bot_settings, embedder, local, site):
    async with running_bot(dataclasses.replace(bot_settings, fetch=local), embedder) as application:
        yield application


async def test_an_admins_message_of_links_adds_the_pages_and_answers_cite_them(server, web_app, site):
    admin = server.user(ADMIN_ID, "Admin")
    server.private_message(admin, f"{site.url('/notizie/porto.html')}\n{site.url('/notizie/vilnius.html')}")
    done = await last_text(server, admin, lambda t: t.startswith("Added 2 page(s) to the archive"), timeout=60)
    assert PORTO in done and "Vertice a Vilnius sulla difesa del Baltico" in done
    assert len(server.messages_in(admin)) == 1  # "Fetching 2 link(s)…", edited into the outcome
    server.private_message(admin, "Quanti container ha movimentato il porto di Trieste?")
    answer = (await server.wait_for_messages(admin, 2, timeout=30))[1]
    assert PORTO in text_of(answer)
    links = [e["url"] for e in answer.get("entities", []) if e["type"] == "text_link"]
    assert links[0] == site.url("/notizie/porto.html")


async def test_add_in_a_group_says_what_was_added_already_there_and_failed(server, web_app, site):
    team = server.group(701, "Desk")
    admin = server.user(ADMIN_ID, "Admin", language_code="it")
    server.group_message(team, admin, f"/add {site.url('/notizie/treni.html')}")
    await last_text(server, team, lambda t: t.startswith("Ho aggiunto 1"), timeout=60)
    server.group_message(team, admin, f"/add {site.url('/corto')} {site.url('/sparito.html')} http://192.168.1.20/intranet")
    done = await last_text(server, team, lambda t: t.startswith("Già nell'archivio (1)"), timeout=60)
    assert f"{site.url('/corto')}: stesso indirizzo" in done
    assert "Non aggiunti (2):" in done and "the server answered 404 Not Found" in done
    assert "192.168.1.20 is a private address" in done


async def test_add_in_reply_to_a_message_with_links(server, web_app, site):
    team = server.group(702, "Desk")
    admin, colleague = server.user(ADMIN_ID, "Admin"), server.user(43, "Reporter")
    shared = server.group_message(team, colleague, f"Guardate questo: {site.url('/notizie/energia.html')}")["message"]
    server.group_message(team, admin, "/add", reply_to=shared)
    done = await last_text(server, team, lambda t: t.startswith("Added 1 page(s)"), timeout=60)
    assert "Bollette, il governo proroga gli aiuti alle famiglie" in done


async def test_a_question_holding_a_link_is_still_a_question(server, web_app, site):
    admin = server.user(ADMIN_ID, "Admin")
    server.private_message(admin, f"Chi ha incontrato Lavrov a Minsk? Ne parla {site.url('/notizie/porto.html')}")
    (reply,) = await server.wait_for_messages(admin, 1, timeout=30)
    assert not text_of(reply).startswith("Fetching") and site.hits("/notizie/porto.html") == []


async def test_a_busy_index_is_said_and_the_page_kept(server, web_app, site, monkeypatch):
    archive = web_app.bot_data["archive"]

    def busy(*args, **kwargs):
        raise BuildInProgressError("a re-index is already running")

    monkeypatch.setattr(archive, "reindex", busy)
    admin = server.user(ADMIN_ID, "Admin")
    server.private_message(admin, site.url("/notizie/scuola.html"))
    done = await last_text(server, admin, lambda t: t.startswith("Saved 1 page(s), but a re-index is already running"), timeout=60)
    assert done and list((archive.settings.articles_dir / "web").rglob("scuola-*.html"))


@pytest.mark.parametrize("send", ["private", "add", "group add"])
async def test_links_from_others_are_refused_and_nothing_fetched(server, web_app, site, caplog, send):
    caplog.set_level(logging.WARNING)
    user, team = server.user(42, "Mallory"), server.group(703, "Desk")
    url = site.url("/notizie/vino.html")
    if send == "private":
        server.private_message(user, url)
    elif send == "add":
        server.private_message(user, f"/add {url}")
    else:
        server.group_message(team, user, f"/add {url}")
    chat = team if send == "group add" else user
    (reply,) = await server.wait_for_messages(chat, 1, timeout=10)
    assert text_of(reply) == "Sorry, only the newsroom's admins can do that."
    assert "refused admin action from user 42" in caplog.text and site.hits("/notizie/vino.html") == []


async def test_the_local_network_is_refused_by_default(server, app, site, bot_settings):
    """Without NEWSDESK_FETCH_ALLOW, the site on 127.0.0.1 is the newsroom's own network: refused."""
    admin = server.user(ADMIN_ID, "Admin")
    server.private_message(admin, site.url("/notizie/vino.html"))
    done = await last_text(server, admin, lambda t: t.startswith("Could not add (1)"), timeout=30)
    assert "127.0.0.1 is a loopback address" in done and site.hits("/notizie/vino.html") == []
