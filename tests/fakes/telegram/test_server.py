"""Tests of the fake Bot API server (tests/fakes/telegram), driven by real python-telegram-bot."""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dtm
import html
import time

import aiohttp
import pytest
from telegram import (
    Bot,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InlineQueryResultArticle,
    InputTextMessageContent,
    Update,
)
from telegram.error import (
    BadRequest,
    Conflict,
    EndPointNotFound,
    Forbidden,
    InvalidToken,
    NetworkError,
    RetryAfter,
    TimedOut,
)
from telegram.ext import (
    AIORateLimiter,
    ApplicationBuilder,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    InlineQueryHandler,
    MessageHandler,
    filters,
)

from tests.fakes.telegram import FakeBotAPI
from tests.fakes.telegram.test_html import INVALID_HTML

# Async tests share the session event loop with the (session-loop) fixtures.
SESSION_LOOP = pytest.mark.asyncio(loop_scope="session")

TOKEN = "123456789:AAFakeNewsdeskTokenForTests0123456789"


@pytest.fixture
async def server():
    async with FakeBotAPI(token=TOKEN, bot_username="NewsdeskBot") as fake:
        yield fake


@pytest.fixture
async def bot(server):
    async with Bot(TOKEN, base_url=server.base_url, base_file_url=server.base_file_url) as ptb_bot:
        yield ptb_bot


@pytest.fixture
def alice(server):
    return server.user(1001, "Alice", username="alice")


def build_app(server, *handlers, rate_limiter=None):
    builder = (ApplicationBuilder().token(TOKEN).base_url(server.base_url)
               .base_file_url(server.base_file_url))
    if rate_limiter is not None:
        builder = builder.rate_limiter(rate_limiter)
    app = builder.build()
    for handler in handlers:
        app.add_handler(handler)
    return app


@contextlib.asynccontextmanager
async def polling(app):
    async with app:
        await app.start()
        await app.updater.start_polling(poll_interval=0, timeout=1)
        try:
            yield app
        finally:
            await app.updater.stop()
            await app.stop()


def keyboard(*data: str) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([[InlineKeyboardButton(d[:10], callback_data=d) for d in data]])


# --------------------------------------------------------------------------- basics


@SESSION_LOOP
class TestBasics:
    async def test_get_me(self, bot):
        me = await bot.get_me()
        assert me.is_bot and me.username == "NewsdeskBot" and me.id == 123456789
        assert me.supports_inline_queries and me.can_join_groups


    async def test_wrong_token_and_unknown_method(self, server, bot):
        with pytest.raises(InvalidToken, match="rejected by the server"):
            async with Bot("42:wrong", base_url=server.base_url):
                pass
        with pytest.raises(EndPointNotFound):
            await bot.do_api_request("noSuchMethod")


    async def test_wire_format_json_form_and_errors(self, server, alice):
        server.private_chat(alice)
        base = f"{server.base_url}{TOKEN}"
        async with aiohttp.ClientSession() as http:
            async with http.post(f"{server.base_url}42:nope/getMe") as resp:
                assert resp.status == 401
                assert await resp.json() == {
                    "ok": False, "error_code": 401, "description": "Unauthorized"}
            async with http.get(f"{base}/fooBar") as resp:
                assert resp.status == 404 and (await resp.json())["description"] == "Not Found"
            markup = '{"inline_keyboard": [[{"text": "a", "callback_data": "x"}]]}'
            async with http.post(f"{base}/sendMessage", json={"chat_id": alice.id, "text": "hi",
                                                              "reply_markup": markup}) as resp:
                message = (await resp.json())["result"]
            form = {"chat_id": str(alice.id), "text": "42"}  # method names ignore case
            async with http.post(f"{base}/SENDMESSAGE", data=form) as resp:
                second = (await resp.json())["result"]
            async with http.get(f"{base}/sendMessage?chat_id=777&text=x") as resp:
                assert resp.status == 400
                assert await resp.json() == {"ok": False, "error_code": 400,
                                             "description": "Bad Request: chat not found"}
        assert isinstance(message["date"], int) and message["from"]["is_bot"] is True
        assert message["chat"] == {
            "id": 1001, "type": "private", "first_name": "Alice", "username": "alice"}
        assert message["reply_markup"]["inline_keyboard"][0][0]["callback_data"] == "x"
        assert second["text"] == "42" and second["message_id"] == message["message_id"] + 1


# --------------------------------------------------------------------------- long polling


@SESSION_LOOP
class TestLongPolling:
    async def test_long_poll_returns_when_an_update_arrives(self, server, bot, alice):
        started = time.monotonic()
        poll = asyncio.create_task(bot.get_updates(timeout=5))
        await asyncio.sleep(0.2)
        assert not poll.done()
        server.private_message(alice, "hello")
        updates = await asyncio.wait_for(poll, 2)
        assert time.monotonic() - started < 2
        assert [u.message.text for u in updates] == ["hello"]
        assert updates[0].message.from_user.is_bot is False


    async def test_long_poll_times_out_empty(self, bot):
        started = time.monotonic()
        assert await bot.get_updates(timeout=1) == ()
        assert 0.9 <= time.monotonic() - started < 2


    async def test_offset_limit_and_negative_offset(self, server, bot, alice):
        sent = [server.private_message(alice, f"m{i}")["update_id"] for i in range(5)]
        first_two = await bot.get_updates(limit=2, timeout=0)
        assert [u.update_id for u in first_two] == sent[:2]
        rest = await bot.get_updates(offset=sent[1] + 1, timeout=0)
        assert [u.message.text for u in rest] == ["m2", "m3", "m4"]
        assert [u.message.text for u in await bot.get_updates(timeout=0)] == ["m2", "m3", "m4"]
        last = await bot.get_updates(offset=-1, timeout=0)
        assert [u.message.text for u in last] == ["m4"]
        again = await bot.get_updates(timeout=0)
        assert [u.message.text for u in again] == ["m4"]  # the others are forgotten
        assert await bot.get_updates(offset=sent[4] + 1, timeout=0) == ()
        assert server.pending_updates == []


    async def test_allowed_updates_are_remembered(self, server, bot, alice):
        server.private_chat(alice)
        await bot.get_updates(timeout=0, allowed_updates=["callback_query"])
        message = await bot.send_message(alice.id, "pick", reply_markup=keyboard("a"))
        server.private_message(alice, "not wanted")
        server.callback_query(alice, message.to_dict(), "a")
        updates = await bot.get_updates(timeout=0)  # omitted: the previous setting stays
        assert [u.callback_query.data for u in updates] == ["a"]
        await bot.get_updates(offset=updates[-1].update_id + 1, timeout=0, allowed_updates=[])
        server.private_message(alice, "wanted again")
        assert [u.message.text for u in await bot.get_updates(timeout=0)] == ["wanted again"]


    async def test_concurrent_get_updates_conflict(self, server, bot):
        first = asyncio.create_task(bot.get_updates(timeout=5))
        await asyncio.sleep(0.2)
        async with Bot(TOKEN, base_url=server.base_url) as second_instance:
            assert await second_instance.get_updates(timeout=0) == ()
        with pytest.raises(Conflict, match="terminated by other getUpdates request"):
            await asyncio.wait_for(first, 2)


# --------------------------------------------------------------------------- Application


@SESSION_LOOP
class TestApplication:
    async def test_application_replies_to_private_message(self, server, alice):
        async def echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
            await context.bot.send_chat_action(update.effective_chat.id, "typing")
            await update.message.reply_html(f"You said: <b>{html.escape(update.message.text)}</b>",
                                            do_quote=True)

        async with polling(build_app(server, MessageHandler(filters.TEXT, echo))):
            question = server.private_message(alice, "a < b?")
            [reply] = await server.wait_for_messages(alice.id, 1)
        assert reply["text"] == "You said: a < b?"
        assert reply["entities"] == [{"type": "bold", "offset": 10, "length": 6}]
        assert reply["reply_to_message"]["message_id"] == question["message"]["message_id"]
        assert [c.method for c in server.sent if c.method != "deleteWebhook"] == [
            "getMe", "sendChatAction", "sendMessage"]
        assert server.errors == []


    async def test_application_handles_group_command_addressed_to_it(self, server, alice):
        async def ask(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
            await update.message.reply_text(f"question: {' '.join(context.args)}")

        newsroom = server.group(5555, "Newsroom")
        assert newsroom.id == -1000000005555
        async with polling(build_app(server, CommandHandler("ask", ask))):
            server.group_message(newsroom, alice, "/ask@OtherBot ignored")
            update = server.group_message(newsroom, alice, "/ask@NewsdeskBot who won?")
            await server.wait_for_messages(newsroom, 1)  # updates are handled in order
        assert update["message"]["entities"] == [
            {"type": "bot_command", "offset": 0, "length": 16}]
        assert [m["text"] for m in server.messages_in(newsroom)] == ["question: who won?"]


    async def test_privacy_mode_filters_group_messages(self, alice):
        async with FakeBotAPI(token=TOKEN, privacy_mode=True) as server:
            group = server.group(77, "Chat", type="group")
            assert group.id == -77
            server.group_message(group, alice, "just chatting")
            server.group_message(group, alice, "/ask@OtherBot hi")
            server.group_message(group, alice, "/ask what happened")
            server.group_message(group, alice, "hey @newsdeskbot, news?")
            async with Bot(TOKEN, base_url=server.base_url) as bot:
                mine = await bot.send_message(group.id, "I am here")
                server.group_message(group, alice, "thanks", reply_to=mine.to_dict())
                texts = [u.message.text for u in await bot.get_updates(timeout=0)]
                assert (await bot.get_me()).can_read_all_group_messages is False
        assert texts == ["/ask what happened", "hey @newsdeskbot, news?", "thanks"]


    async def test_forwarded_edited_and_document_messages(self, server, bot, alice):
        news = server.channel(900, "Daily News", username="dailynews")
        forwarded = server.forwarded_message(alice, alice, "Breaking", origin=news)
        sent = server.private_message(alice, "tpyo")
        edited = server.edited_message(sent, "typo")
        document = server.document_message(alice, alice, b"%PDF-1.4", "report.pdf",
                                           "application/pdf", caption="/ask about this")
        updates = await bot.get_updates(timeout=0)
        assert updates[0].message.forward_origin.chat.title == "Daily News"
        assert updates[2].edited_message.text == "typo" and updates[2].edited_message.edit_date
        doc = updates[3].message.document
        assert (doc.file_name, doc.mime_type, doc.file_size) == (
            "report.pdf", "application/pdf", 8)
        assert updates[3].message.caption_entities[0].type == "bot_command"
        assert forwarded["update_id"] < edited["update_id"] < document["update_id"]


@SESSION_LOOP
class TestSendMessageText:
    async def test_send_message_with_valid_html(self, server, bot, alice):
        server.private_chat(alice)
        message = await bot.send_message(
            alice.id, "  <b>Headline</b>\n<i>by</i> <a href='https://news.example/a'>us</a>  ",
            parse_mode="HTML")
        assert message.text == "Headline\nby us"
        assert [(e.type, e.offset, e.length) for e in message.entities] == [
            ("bold", 0, 8), ("italic", 9, 2), ("text_link", 12, 2)]
        assert message.entities[2].url == "https://news.example/a"


    @pytest.mark.parametrize(("source", "reason"), INVALID_HTML[:6])
    async def test_send_message_refuses_bad_html(self, server, bot, alice, source, reason):
        server.private_chat(alice)
        with pytest.raises(BadRequest) as caught:
            await bot.send_message(alice.id, source, parse_mode="HTML")
        # PTB drops "Bad Request: " and capitalizes the rest
        assert caught.value.message == f"can't parse entities: {reason}".capitalize()
        assert server.calls("sendMessage") == []
        assert server.errors[-1].description == f"Bad Request: can't parse entities: {reason}"


    async def test_text_limit_counts_utf16_after_parsing(self, server, bot, alice):
        server.private_chat(alice)
        fits = ["a" * 4096, "😀" * 2048, f"<b>{'a' * 4096}</b>", "&amp;" * 4096, f" {'a' * 4096} "]
        for ok in fits:
            await bot.send_message(alice.id, ok, parse_mode="HTML")
        for too_long in ["a" * 4097, "😀" * 2049, f"<b>{'a' * 4097}</b>"]:
            with pytest.raises(BadRequest, match="Message is too long"):
                await bot.send_message(alice.id, too_long, parse_mode="HTML")
        for empty in ["   ", "<b></b>", "<b> </b>\n"]:
            with pytest.raises(BadRequest, match="Message text is empty"):
                await bot.send_message(alice.id, empty, parse_mode="HTML")
        assert len(server.calls("sendMessage")) == 5


    async def test_send_to_unknown_or_unstarted_chat(self, server, bot, alice):
        with pytest.raises(BadRequest, match="Chat not found"):
            await bot.send_message(4242, "hi")
        with pytest.raises(Forbidden, match="bot can't initiate conversation"):
            await bot.send_message(alice.id, "hi")


# --------------------------------------------------------------------------- keyboards and edits


@SESSION_LOOP
class TestKeyboardsAndEdits:
    async def test_edit_message_text_drops_keyboard_and_refuses_no_op(self, server, bot, alice):
        server.private_chat(alice)
        original = await bot.send_message(alice.id, "Answer", reply_markup=keyboard("more"))
        assert original.reply_markup.inline_keyboard[0][0].callback_data == "more"
        kept = await bot.edit_message_text("Answer v2", alice.id, original.message_id,
                                           reply_markup=keyboard("more"))
        assert kept.reply_markup is not None and kept.edit_date is not None
        with pytest.raises(BadRequest, match="Message is not modified"):
            await bot.edit_message_text("Answer v2", alice.id, original.message_id,
                                        reply_markup=keyboard("more"))
        dropped = await bot.edit_message_text("Answer v2", alice.id, original.message_id)
        assert dropped.reply_markup is None
        assert "reply_markup" not in server.messages_in(alice)[0]
        with pytest.raises(BadRequest, match="Message is not modified"):
            await bot.edit_message_text("<b></b>Answer v2", alice.id, original.message_id,
                                        parse_mode="HTML")
        with pytest.raises(BadRequest, match="Message to edit not found"):
            await bot.edit_message_text("x", alice.id, 999)
        user_message = server.private_message(alice, "mine")["message"]
        with pytest.raises(BadRequest, match="Message can't be edited"):
            await bot.edit_message_text("x", alice.id, user_message["message_id"])


    async def test_keyboard_validation(self, server, bot, alice):
        server.private_chat(alice)
        await bot.send_message(alice.id, "ok", reply_markup=keyboard("é" * 32))  # 64 bytes
        with pytest.raises(BadRequest, match="Button_data_invalid"):
            await bot.send_message(alice.id, "x", reply_markup=keyboard("é" * 33))  # 66 bytes
        with pytest.raises(BadRequest, match="Button_data_invalid"):
            await bot.send_message(alice.id, "x", reply_markup=keyboard("a" * 65))
        too_many = InlineKeyboardMarkup([[InlineKeyboardButton(str(i), callback_data=str(i))
                                          for i in range(8)] for _ in range(13)])
        with pytest.raises(BadRequest, match="Reply_markup_too_long"):
            await bot.send_message(alice.id, "x", reply_markup=too_many)
        with pytest.raises(BadRequest, match="text buttons are unallowed"):
            await bot.send_message(alice.id, "x", reply_markup=InlineKeyboardMarkup(
                [[InlineKeyboardButton("plain")]]))
        assert len(server.calls("sendMessage")) == 1


    async def test_callback_query_round_trip(self, server, alice):
        async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
            await update.message.reply_text("Sources?", reply_markup=keyboard("src:1"))

        async def pressed(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
            await update.callback_query.answer("Loading")
            query = update.callback_query
            await query.edit_message_text(f"Sources for {query.data}")

        app = build_app(server, CommandHandler("start", start), CallbackQueryHandler(pressed))
        async with polling(app):
            server.private_message(alice, "/start")
            [question] = await server.wait_for_messages(alice, 1)
            with pytest.raises(ValueError):
                server.callback_query(alice, question, "not-a-button")
            query = server.callback_query(alice, question, "src:1")
            await server.wait_for(lambda: server.calls("editMessageText"))
            with pytest.raises(BadRequest, match="Query is too old"):
                await app.bot.answer_callback_query(query["callback_query"]["id"])
        assert server.callback_answers == [{"callback_query_id": query["callback_query"]["id"],
                                            "text": "Loading"}]
        [message] = server.messages_in(alice)
        assert message["text"] == "Sources for src:1" and "reply_markup" not in message


# --------------------------------------------------------------------------- faults


@SESSION_LOOP
class TestFaults:
    async def test_retry_after(self, server, bot, alice, monkeypatch):
        monkeypatch.setenv("PTB_TIMEDELTA", "true")
        server.private_chat(alice)
        server.fail("sendMessage", status=429, retry_after=3)
        with pytest.raises(RetryAfter) as caught:
            await bot.send_message(alice.id, "hi")
        assert caught.value.retry_after == dtm.timedelta(seconds=3)
        assert server.calls("sendMessage") == []
        await bot.send_message(alice.id, "hi")
        assert len(server.calls("sendMessage")) == 1


    async def test_rate_limiter_retries_a_429_once(self, server, alice, monkeypatch):
        monkeypatch.setenv("PTB_TIMEDELTA", "true")  # PTB's own deprecation warning otherwise
        async def answer(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
            await update.message.reply_text("answer")

        app = build_app(server, MessageHandler(filters.TEXT, answer),
                        rate_limiter=AIORateLimiter(max_retries=2))
        server.fail("sendMessage", status=429, retry_after=1)
        async with polling(app):
            server.private_message(alice, "question")
            await server.wait_for_messages(alice, 1, timeout=5)
            await asyncio.sleep(0.1)
        assert [c.params["text"] for c in server.calls("sendMessage")] == ["answer"]

    async def test_drop_and_server_errors_look_like_network_failures(self, server, bot, alice):
        server.private_chat(alice)
        server.fail("sendMessage", drop=True)
        with pytest.raises(NetworkError, match="Server disconnected") as dropped:
            await bot.send_message(alice.id, "one")
        assert not isinstance(dropped.value, (BadRequest, TimedOut))
        server.fail(None, status=500)
        with pytest.raises(NetworkError, match="Internal Server Error"):
            await bot.send_message(alice.id, "two")
        server.fail("sendMessage", status=502)
        with pytest.raises(NetworkError, match="Bad Gateway"):
            await bot.send_message(alice.id, "three")
        assert server.calls("sendMessage") == []
        await bot.send_message(alice.id, "four")
        assert [c.params["text"] for c in server.calls("sendMessage")] == ["four"]


    async def test_slow_server_times_out_but_still_sends(self, server, bot, alice):
        server.private_chat(alice)
        server.fail("sendMessage", delay=0.5)
        with pytest.raises(TimedOut):
            await bot.send_message(alice.id, "slow", read_timeout=0.1)
        assert server.calls("sendMessage") == []
        await server.wait_for(lambda: server.calls("sendMessage"), timeout=2)


    async def test_outage_and_restore(self, server, bot, alice):
        server.private_chat(alice)
        server.outage(status=500)
        for _ in range(3):
            with pytest.raises(NetworkError):
                await bot.send_message(alice.id, "x")
        assert await bot.get_updates(timeout=0) == ()  # polling is spared by default
        server.outage(drop=True, include_get_updates=True)
        with pytest.raises(NetworkError):
            await bot.get_updates(timeout=0)
        server.restore()
        await bot.send_message(alice.id, "back")
        assert [c.params["text"] for c in server.calls("sendMessage")] == ["back"]


    async def test_application_recovers_from_polling_outage(self, server, alice):
        async def echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
            await update.message.reply_text("pong")

        async with polling(build_app(server, MessageHandler(filters.TEXT, echo))):
            server.fail("getUpdates", status=502)
            server.private_message(alice, "ping")
            await server.wait_for_messages(alice, 1, timeout=8)
        assert len(server.calls("sendMessage")) == 1


# --------------------------------------------------------------------------- files, inline, comman


@SESSION_LOOP
class TestFilesInlineAndCommands:
    async def test_get_file_and_download(self, server, bot, alice):
        update = server.document_message(alice, alice, b"article body", "a.txt", "text/plain")
        file_id = update["message"]["document"]["file_id"]
        telegram_file = await bot.get_file(file_id)
        assert telegram_file.file_size == 12
        assert await telegram_file.download_as_bytearray() == bytearray(b"article body")
        with pytest.raises(BadRequest, match="Invalid file_id"):
            await bot.get_file("nope")


    async def test_inline_query_answered_by_application(self, server, alice):
        async def inline(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
            query = update.inline_query
            await query.answer([InlineQueryResultArticle(
                "art-1", f"About {query.query}",
                InputTextMessageContent(f"<b>{query.query}</b>", parse_mode="HTML"))])

        async with polling(build_app(server, InlineQueryHandler(inline))):
            query = server.inline_query(alice, "elections")
            await server.wait_for(lambda: server.inline_answers)
        [answer] = server.inline_answers
        assert answer["inline_query_id"] == query["inline_query"]["id"]
        assert answer["results"][0]["title"] == "About elections"


    @pytest.mark.parametrize(("results", "reason"), [
        ([InlineQueryResultArticle(str(i), "t", InputTextMessageContent("x")) for i in range(51)],
         "Results_too_much"),
        ([InlineQueryResultArticle("x" * 65, "t", InputTextMessageContent("x"))],
         "Result_id_invalid"),
        ([InlineQueryResultArticle("1", "t", InputTextMessageContent("<b>x", parse_mode="HTML"))],
         "Can't parse entities"),
        ([InlineQueryResultArticle("1", "t", InputTextMessageContent("a" * 4097))],
         "Message is too long"),
    ])
    async def test_inline_answer_validation(self, server, bot, alice, results, reason):
        query = server.inline_query(alice, "q")["inline_query"]
        with pytest.raises(BadRequest, match=reason):
            await bot.answer_inline_query(query["id"], results)
        await bot.answer_inline_query(query["id"], [])  # a refused answer leaves it open
        with pytest.raises(BadRequest, match="Query is too old"):
            await bot.answer_inline_query(query["id"], [])


    async def test_commands(self, server, bot):
        await bot.set_my_commands([("ask", "Ask about the news"), ("sources", "Show sources")])
        await bot.set_my_commands([("chiedi", "Chiedi delle notizie")], language_code="it")
        assert server.commands == [{"command": "ask", "description": "Ask about the news"},
                                   {"command": "sources", "description": "Show sources"}]
        assert [c["command"] for c in server.commands_for(language_code="it")] == ["chiedi"]
        assert server.commands_for(language_code="de") == []
        for bad in [("Ask", "upper case"), ("a" * 33, "long"), ("", "empty"), ("ask-me", "dash")]:
            with pytest.raises(BadRequest, match="Bot_command_invalid"):
                await bot.set_my_commands([bad])
        with pytest.raises(BadRequest, match="Bot_command_description_invalid"):
            await bot.set_my_commands([("ask", "d" * 257)])
        assert [c["command"] for c in server.commands] == ["ask", "sources"]  # refused: unchanged
