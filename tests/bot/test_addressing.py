"""Which messages are questions for the bot, and what the question is."""

from __future__ import annotations

import pytest
from telegram import Chat, Message, MessageEntity, User

from bot.addressing import command_of, question_for_us

BOT = User(id=99, first_name="Newsdesk", is_bot=True, username="NewsdeskBot")
ALICE = User(id=1, first_name="Alice", is_bot=False)
GROUP = Chat(id=-100123, type=Chat.SUPERGROUP, title="Desk")
PRIVATE = Chat(id=1, type=Chat.PRIVATE)


def message(text: str, chat: Chat = GROUP, reply_to: Message | None = None) -> Message:
    entities = []
    if text.startswith("/"):
        entities.append(MessageEntity(MessageEntity.BOT_COMMAND, 0, len(text.split()[0])))
    for word in text.split():
        if word.startswith("@"):
            handle = word.rstrip("?,.!")
            entities.append(MessageEntity(MessageEntity.MENTION, text.index(handle), len(handle)))
    return Message(1, date=None, chat=chat, from_user=ALICE, text=text, entities=entities, reply_to_message=reply_to)


@pytest.mark.parametrize(
    "text, chat, expected",
    [
        ("Chi è Lukashenko?", PRIVATE, "Chi è Lukashenko?"),
        ("Chi è Lukashenko?", GROUP, None),
        ("/ask Chi è Lukashenko?", GROUP, "Chi è Lukashenko?"),
        ("/ask@NewsdeskBot Chi è Lukashenko?", GROUP, "Chi è Lukashenko?"),
        ("/ask@newsdeskbot Chi è?", GROUP, "Chi è?"),
        ("/ask@OtherBot Chi è Lukashenko?", GROUP, None),
        ("/ask", GROUP, ""),
        ("/start", GROUP, None),
        ("@NewsdeskBot Chi è Lukashenko?", GROUP, "Chi è Lukashenko?"),
        ("Chi è Lukashenko, @NewsdeskBot?", GROUP, "Chi è Lukashenko, ?"),
        ("@OtherPerson Chi è Lukashenko?", GROUP, None),
        ("email me at x@NewsdeskBot.com", GROUP, None),
    ],
)
def test_question_for_us(text, chat, expected):
    assert question_for_us(message(text, chat), "NewsdeskBot", BOT.id) == expected


def test_reply_to_the_bot_is_a_question_and_to_others_is_not():
    ours = Message(5, date=None, chat=GROUP, from_user=BOT, text="answer")
    theirs = Message(6, date=None, chat=GROUP, from_user=ALICE, text="hello")
    assert question_for_us(message("E Peskov?", reply_to=ours), "NewsdeskBot", BOT.id) == "E Peskov?"
    assert question_for_us(message("E Peskov?", reply_to=theirs), "NewsdeskBot", BOT.id) is None


def test_command_of():
    assert command_of(message("/reindex@NewsdeskBot now"), "NewsdeskBot") == ("reindex", "now")
    assert command_of(message("not a command"), "NewsdeskBot") is None


def test_a_caption_that_mentions_us_is_a_question():
    text = "@NewsdeskBot Chi è Lukashenko?"
    photo = Message(7, date=None, chat=GROUP, from_user=ALICE, caption=text,
                    caption_entities=[MessageEntity(MessageEntity.MENTION, 0, 12)])
    plain = Message(8, date=None, chat=GROUP, from_user=ALICE, caption="Chi è Lukashenko?")
    assert question_for_us(photo, "NewsdeskBot", BOT.id) == "Chi è Lukashenko?"
    assert question_for_us(plain, "NewsdeskBot", BOT.id) is None


def test_a_mention_of_our_account_is_a_question():
    text = "Newsdesk, chi è Lukashenko?"
    ours = Message(9, date=None, chat=GROUP, from_user=ALICE, text=text,
                   entities=[MessageEntity(MessageEntity.TEXT_MENTION, 0, 8, user=BOT)])
    someone = Message(10, date=None, chat=GROUP, from_user=ALICE, text=text,
                      entities=[MessageEntity(MessageEntity.TEXT_MENTION, 0, 8, user=ALICE)])
    assert question_for_us(ours, "NewsdeskBot", BOT.id) == ", chi è Lukashenko?"
    assert question_for_us(someone, "NewsdeskBot", BOT.id) is None
