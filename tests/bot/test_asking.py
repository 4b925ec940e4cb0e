"""End to end: questions in private chats, groups and inline, against the fake Bot API server."""

from __future__ import annotations

import asyncio
import re
import time

import pytest

from tests.bot.conftest import ADMIN_ID, BOT_USERNAME

TOO_OLD = "This question is too old: please ask it again."
MINSK = "What was agreed in Minsk in December 2022?"


def text_of(message: dict) -> str:
    return message.get("text", "")


async def replies(server, chat, count=1, timeout=15.0) -> list[dict]:
    return await server.wait_for_messages(chat, count, timeout=timeout)


async def test_private_question_is_answered_with_quotes_and_sources(server, app):
    user = server.user(1, "Anna")
    server.private_message(user, MINSK)
    (reply,) = await replies(server, user)
    call = server.calls("sendMessage")[-1]
    assert call.params["parse_mode"] == "HTML"
    markup = call.params["text"]
    assert markup.count("<blockquote>") == 3 and "<b>" in markup
    assert "2022-12" in text_of(reply) and "003_bbbdcd5d19d9f9a8.txt" in text_of(reply)
    assert any(e["type"] == "blockquote" for e in reply["entities"])
    assert reply["reply_markup"]["inline_keyboard"][0][0]["text"] == "More"
    assert server.calls("sendChatAction")  # the typing indicator


async def test_italian_question_gets_italian_reply(server, app):
    user = server.user(2, "Bruno", language_code="it")
    server.private_message(user, "Cosa ha detto Dmitry Peskov a proposito della Bielorussia?")
    server.private_message(user, "Cosa è stato concordato a Minsk a dicembre 2022?")
    answers = await replies(server, user, 2)  # answered concurrently: either may come first
    (dated,) = [m for m in answers if "Prima gli articoli di dicembre 2022." in text_of(m)]
    (broad,) = [m for m in answers if m is not dated]
    assert "Prima gli articoli" not in text_of(broad) and "Peskov" in text_of(broad)  # no period named
    assert broad["reply_markup"]["inline_keyboard"][0][0]["text"] == "Altre"
    assert "Prima gli articoli di dicembre 2022." in text_of(dated)


async def test_private_answer_quotes_its_question_when_a_newer_one_came_meanwhile(server, app, monkeypatch):
    archive = app.bot_data["archive"]
    ask = archive.ask

    def slow_ask(*args, **kwargs):  # both questions are surely in before the first answer goes out
        time.sleep(1.0)
        return ask(*args, **kwargs)

    monkeypatch.setattr(archive, "ask", slow_ask)
    user = server.user(8, "Hana")
    first = server.private_message(user, "Cosa ha detto Dmitry Peskov a proposito della Bielorussia?")
    second = server.private_message(user, "Cosa è stato concordato a Minsk a dicembre 2022?")
    answers = await replies(server, user, 2)
    quoted = {m["reply_to_message"]["message_id"] for m in answers if "reply_to_message" in m}
    assert first["message"]["message_id"] in quoted  # the older question's answer says which question it answers
    assert second["message"]["message_id"] not in quoted  # the newest one needs no quote


async def test_unrelated_question_says_no_answer(server, app):
    user = server.user(3, "Carla")
    server.private_message(user, "What is the capital of Australia?")
    (reply,) = await replies(server, user)
    assert text_of(reply) == "The archive holds no answer to this question."
    assert "reply_markup" not in reply


async def test_group_messages_not_addressed_are_ignored(server, app):
    team = server.group(501, "Redazione esteri")
    user = server.user(4, "Dario")
    server.group_message(team, user, "Qualcuno sa cosa è successo a Minsk?")
    server.group_message(team, user, "/ask@OtherBot What happened in Minsk?")
    server.group_message(team, user, "@someone ask the bot about Minsk")
    await asyncio.sleep(1.5)
    assert server.messages_in(team) == []


@pytest.mark.parametrize(
    "text",
    [f"/ask {MINSK}", f"/ask@{BOT_USERNAME} {MINSK}", f"@{BOT_USERNAME} {MINSK}", f"{MINSK} @{BOT_USERNAME}"],
)
async def test_group_question_when_addressed_replies_to_the_asker(server, app, text):
    team = server.group(502, "Redazione")
    user = server.user(5, "Elena")
    asked = server.group_message(team, user, text)["message"]
    (reply,) = await replies(server, team)
    assert reply["reply_to_message"]["message_id"] == asked["message_id"]
    assert "Minsk" in text_of(reply)


async def test_reply_to_the_bot_is_a_question(server, app):
    team = server.group(503, "Desk")
    user = server.user(6, "Fabio")
    server.group_message(team, user, f"/ask {MINSK}")
    (first,) = await replies(server, team)
    server.group_message(team, user, "Chi è Dmitry Peskov?", reply_to=first)
    second = (await replies(server, team, 2))[1]
    assert "Peskov" in text_of(second)


async def test_ask_without_question_explains_usage(server, app):
    team = server.group(504, "Desk")
    user = server.user(7, "Gina")
    server.group_message(team, user, f"/ask@{BOT_USERNAME}")
    (reply,) = await replies(server, team)
    assert text_of(reply).startswith("Write your question after the command")


async def test_more_button_brings_the_next_answers_once(server, app):
    user = server.user(8, "Hugo")
    server.private_message(user, "Putin Lukashenko Bielorussia Russia")
    (first,) = await replies(server, user)
    data = first["reply_markup"]["inline_keyboard"][0][0]["callback_data"]
    assert len(data.encode()) <= 64
    server.callback_query(user, first, data)
    server.callback_query(user, first, data)  # a double press shows the page once
    messages = await replies(server, user, 2)
    await asyncio.sleep(1.0)
    assert len(server.messages_in(user)) == 2
    assert re.search(r"^4\. ", text_of(messages[1]), re.M)
    assert "reply_markup" not in server.messages_in(user)[0]  # the pressed button is gone
    assert len(server.callback_answers) == 2


async def test_inline_query_offers_answers(server, app):
    user = server.user(9, "Ivo")
    server.inline_query(user, MINSK)
    await server.wait_for(lambda: server.inline_answers, timeout=15)
    answer = server.inline_answers[-1]
    results = answer.params["results"] if hasattr(answer, "params") else answer["results"]
    assert 1 <= len(results) <= 5
    content = results[0]["input_message_content"]
    assert content["parse_mode"] == "HTML" and "<blockquote>" in content["message_text"]


async def test_start_and_help(server, app):
    user = server.user(10, "Lia", language_code="it")
    server.private_message(user, "/start")
    server.private_message(user, "/help")
    start, help_ = await replies(server, user, 2)
    assert "Ciao!" in text_of(start) and "Minsk" in text_of(start)
    assert f"@{BOT_USERNAME}" in text_of(help_) and "/reindex" in text_of(help_)


async def test_command_menu_is_set(server, app):
    names = [c["command"] for c in server.commands_for()]
    assert names == ["ask", "help", "start", "stats", "reindex", "add", "feeds"]
    assert [c["command"] for c in server.commands_for(language_code="it")] == names


async def test_oversized_question_and_markup_in_question(server, app):
    user = server.user(11, "Marta")
    server.private_message(user, "<b>Minsk</b> & </blockquote> `accordo` " + "Lukashenko Putin " * 700)
    (reply,) = await replies(server, user)
    assert reply["text"]
    assert not server.errors


async def test_edited_question_is_not_answered_again(server, app):
    user = server.user(12, "Nico")
    sent = server.private_message(user, MINSK)["message"]
    await replies(server, user)
    server.edited_message(sent, MINSK + " Please.")
    await asyncio.sleep(1.0)
    assert len(server.messages_in(user)) == 1


async def test_per_user_limit(server, bot_settings, embedder):
    from tests.bot.conftest import running_bot, with_limit

    async with running_bot(with_limit(bot_settings, 2), embedder):
        user = server.user(13, "Olga")
        for _ in range(3):
            server.private_message(user, "Chi è Lukashenko?")
        messages = await replies(server, user, 3)
        texts = sorted(text_of(m) for m in messages)
        assert sum("You are asking very quickly" in t for t in texts) == 1


async def test_more_key_works_only_on_its_own_message(server, app):
    """A "More" key is tied to the chat and the message it was sent with: pressed from another
    chat (a modified client can send any data) it is "too old", and so is a page number like "²"."""
    owner, other = server.user(21, "Owner"), server.user(22, "Other")
    server.private_message(owner, "Putin Lukashenko Bielorussia Russia")
    server.private_message(other, "Chi è Roman Golovchenko?")
    (first,) = await replies(server, owner)
    (elsewhere,) = await replies(server, other)
    data = first["reply_markup"]["inline_keyboard"][0][0]["callback_data"]
    server.callback_query(other, elsewhere, data, forged=True)
    server.callback_query(owner, first, data.rsplit(":", 1)[0] + ":²", forged=True)
    await server.wait_for(lambda: len(server.callback_answers) == 2, timeout=15)
    await asyncio.sleep(0.5)
    assert [a.get("text") for a in server.callback_answers] == [TOO_OLD, TOO_OLD]
    assert len(server.messages_in(other)) == 1 and len(server.messages_in(owner)) == 1
    server.callback_query(owner, first, data)  # the real press still works
    await replies(server, owner, 2)


async def test_more_never_shows_an_article_removed_since(server, app, bot_settings):
    user = server.user(23, "Reader")
    server.private_message(user, "Putin Lukashenko Bielorussia Russia")
    (first,) = await replies(server, user)
    response = next(iter(app.bot_data["responses"]._items.values())).response
    removed = {a.article_id for a in response.answers[3:6]}
    titles = {a.title for a in response.answers[3:6] if a.article_id in removed} - {a.title for a in response.answers[:3]}
    for article_id in removed:
        (bot_settings.index.articles_dir / article_id.split("#")[0]).unlink(missing_ok=True)
    await asyncio.to_thread(app.bot_data["archive"].reindex)
    server.callback_query(user, first, first["reply_markup"]["inline_keyboard"][0][0]["callback_data"])
    page = (await replies(server, user, 2))[1]
    assert titles and not any(title in text_of(page) for title in titles)


@pytest.mark.parametrize("question", [
    "Qu'est-ce qui a été convenu à Minsk en décembre 2022 ?",
    "¿Qué se acordó en Minsk en diciembre de 2022?",
    "O que foi acordado em Minsk em dezembro de 2022?",
    "Was wurde im Dezember 2022 in Minsk vereinbart?",
], ids=["fr", "es", "pt", "de"])
async def test_questions_in_other_languages_get_english_replies(server, app, question):
    """We have messages in English and Italian only: a French, Spanish, Portuguese or German
    question is answered in English, not in Italian."""
    user = server.user(30, "Visitor", language_code="it")
    server.private_message(user, question)
    (reply,) = await replies(server, user)
    buttons = reply.get("reply_markup", {}).get("inline_keyboard", [[{}]])
    assert buttons[0][0].get("text") == "More" or text_of(reply).startswith("The archive holds no answer"), text_of(reply)


async def test_the_index_folder_deleted_under_the_running_bot_still_answers(server, app, bot_settings, caplog):
    """Someone deletes data/index while the bot runs: it keeps answering from the snapshot it has
    open, says so in the log, and /reindex builds a new index."""
    import logging
    import shutil

    caplog.set_level(logging.WARNING)
    user = server.user(31, "Reader")
    shutil.rmtree(bot_settings.index.index_dir)
    for question in ("Cosa è stato concordato a Minsk a dicembre 2022?", "Who did Lavrov meet in Minsk?"):
        server.private_message(user, question)
    answers = await replies(server, user, 2)
    assert all("Minsk" in text_of(m) for m in answers)
    assert str(bot_settings.index.index_dir) in caplog.text
    admin = server.user(ADMIN_ID, "Admin")
    server.private_message(admin, "/reindex")
    await server.wait_for(lambda: any(text_of(m).startswith("Re-index done") for m in server.messages_in(admin)), timeout=120)
    assert (bot_settings.index.index_dir / "CURRENT").is_file()
