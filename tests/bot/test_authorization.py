"""Admin actions cannot be slipped past the checks: a refusal that Telegram does not take (a group
where the bot may not post, a user who blocked the bot) stops the update all the same; the handlers
check the user themselves, even with the guard gone; and the guard reads a command exactly as
PTB's dispatcher does (``/reindex@OurBot@x`` is ours).
"""

from __future__ import annotations

import asyncio
from types import SimpleNamespace

from hypothesis import given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from telegram import Chat, Message, MessageEntity, Update, User
from telegram.ext import CommandHandler, TypeHandler

from bot.addressing import command_of
from tests import figures
from tests.bot.conftest import BOT_USERNAME, running_bot
from tests.conftest import SEEDS

PLANTED = (
    "Accordo segreto a Minsk\n\n"
    "Il testo piantato da un estraneo dice che a Minsk si è deciso di chiudere tutte le redazioni."
)
REFUSAL = "Sorry, only the newsroom's admins can do that."
ODD_COMMAND = "/reindex@NewsdeskBot@x"


def _command(server, chat, user, text: str, reply_to=None) -> dict:
    """``text`` sent with one bot_command entity covering its first word, as a client may send it."""
    entities = [{"type": "bot_command", "offset": 0, "length": len(text.split()[0])}]
    if chat.type == "private":
        return server.private_message(user, text, reply_to=reply_to, entities=entities)["message"]
    return server.group_message(chat, user, text, reply_to=reply_to, entities=entities)["message"]


def _attempts(server, route: str, number: int):
    """One stranger's attempt in a chat of its own: (chat, what they do). Every attempt is refused
    by a message that Telegram does not take."""
    stranger = server.user(6100 + number, f"Mallory {number}")
    if route == "muted group":
        chat = server.group(-100700 - number, f"Desk {number}")
        server.mute(chat)
    else:
        chat = server.private_chat(stranger)
        server.block(stranger)
    name = f"planted{number}.txt"
    actions = {
        "upload": lambda: server.document_message(chat, stranger, PLANTED.encode(), name, "text/plain"),
        "/add": lambda: _command(server, chat, stranger, "/add", reply_to=server.document_message(
            chat, stranger, PLANTED.encode(), name, "text/plain", forwarded_from="A channel")["message"]),
        "/reindex": lambda: _command(server, chat, stranger, "/reindex"),
        ODD_COMMAND: lambda: _command(server, chat, stranger, ODD_COMMAND),
        "/stats": lambda: _command(server, chat, stranger, "/stats"),
    }
    return chat, actions


def _ran(server, chat, articles_dir, number: int) -> bool:
    """Whether the chat shows that an admin action ran: anything but the refusal tried in it,
    a file fetched, or the planted article saved."""
    def here(call) -> bool:
        return str(call.params.get("chat_id")) == str(chat.id)

    tried = [c for c in server.errors if here(c)] + [c for c in server.sent if here(c)]
    return (
        any(c.method != "sendMessage" or c.params.get("text") != REFUSAL for c in tried)
        or (articles_dir / f"planted{number}.txt").exists()
    )


def _refusals_tried(server, chat) -> int:
    return sum(str(c.params.get("chat_id")) == str(chat.id) and c.params.get("text") == REFUSAL for c in server.errors)


async def _play(server, bot_settings, embedder, route: str, *, without_guard: bool = False) -> tuple[int, int]:
    """Every admin action tried by strangers whose refusal cannot be sent: (tried, stopped)."""
    cases = []
    async with running_bot(bot_settings, embedder) as application:
        if without_guard:
            for handler in list(application.handlers[-1]):
                if isinstance(handler, TypeHandler):
                    application.remove_handler(handler, group=-1)
        current = (bot_settings.index.index_dir / "CURRENT").read_text()
        for number, action in enumerate(["upload", "/add", "/reindex", ODD_COMMAND, "/stats"]):
            if action == "upload" and route == "muted group":
                continue  # a document in a group is not for the bot; /add is
            chat, actions = _attempts(server, route, number)
            actions[action]()
            cases.append((chat, number))
        await server.wait_for(lambda: all(_refusals_tried(server, chat) >= 1 for chat, _ in cases), timeout=30)
        await asyncio.sleep(1.5)  # time for anything that slipped through to show
        rebuilt = (bot_settings.index.index_dir / "CURRENT").read_text() != current or application.bot_data["archive"].building
    stopped = sum(not _ran(server, chat, bot_settings.index.articles_dir, n) for chat, n in cases) - rebuilt
    return len(cases), stopped


async def test_a_refusal_that_cannot_be_sent_in_a_group_stops_the_action(server, bot_settings, embedder):
    tried, stopped = await _play(server, bot_settings, embedder, "muted group")
    figures.record("admin actions whose refusal could not be sent, stopped", tried, stopped, "group where the bot may not post")
    assert stopped == tried == 4
    assert sorted(p.name for p in bot_settings.index.articles_dir.iterdir()) == sorted(p.name for p in SEEDS.iterdir())


async def test_a_refusal_that_cannot_be_sent_to_a_user_who_blocked_the_bot_stops_the_action(server, bot_settings, embedder):
    tried, stopped = await _play(server, bot_settings, embedder, "blocked bot")
    figures.record("admin actions whose refusal could not be sent, stopped", tried, stopped, "user who blocked the bot")
    assert stopped == tried == 5
    assert sorted(p.name for p in bot_settings.index.articles_dir.iterdir()) == sorted(p.name for p in SEEDS.iterdir())


async def test_the_handlers_refuse_strangers_even_without_the_guard(server, bot_settings, embedder):
    tried, stopped = await _play(server, bot_settings, embedder, "blocked bot", without_guard=True)
    figures.record("admin actions stopped by the handlers themselves (guard removed)", tried, stopped)
    assert stopped == tried == 5


async def test_the_planted_text_is_never_quoted(server, bot_settings, embedder):
    await _play(server, bot_settings, embedder, "blocked bot")
    async with running_bot(bot_settings, embedder):
        reader = server.user(7000, "Reader")
        server.private_message(reader, "Cosa si è deciso a Minsk sulle redazioni?")
        (reply,) = await server.wait_for_messages(reader, 1, timeout=30)
    assert "piantato" not in reply.get("text", "")


# --- one reading of a command --------------------------------------------------------------------

BOT = User(id=99, first_name="Newsdesk", is_bot=True, username=BOT_USERNAME)
WORDS = st.sampled_from(["reindex", "REINDEX", "add", "stats", "ask", "help", "start", "x", ""])
TARGETS = st.sampled_from(["", BOT_USERNAME, BOT_USERNAME.lower(), "OtherBot", "x", f"{BOT_USERNAME}@x", "@", f"x@{BOT_USERNAME}"])


@hypothesis_settings(max_examples=300, deadline=None)
@given(word=WORDS, target=TARGETS, rest=st.sampled_from(["", " now", "  what was agreed?", "@x"]),
       cover=st.integers(min_value=1, max_value=40))
def test_command_of_reads_a_command_as_the_dispatcher_does(word, target, rest, cover):
    text = f"/{word}" + (f"@{target}" if target else "") + rest
    message = Message(1, date=None, chat=Chat(1, Chat.PRIVATE), from_user=BOT, text=text,
                      entities=[MessageEntity(MessageEntity.BOT_COMMAND, 0, min(cover, len(text)))])
    message.set_bot(SimpleNamespace(username=BOT_USERNAME))
    update = Update(1, message=message)
    for name in ("reindex", "add", "stats", "ask"):
        dispatched = CommandHandler(name, lambda *_: None).check_update(update) is not None
        parsed = command_of(message, BOT_USERNAME)
        assert dispatched == (parsed is not None and parsed[0] == name), (text, cover, name)
