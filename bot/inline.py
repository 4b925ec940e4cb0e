"""Inline mode: ``@OurBot question`` in any chat offers the top answers as results to send.

Inline queries come at every keystroke, from anyone typing anywhere, so they get a bounded
share of the work: at most ``INLINE_WORKERS`` are answered at a time, at most ``INLINE_WAITING``
wait for their turn, and the rest get empty results at once (the client asks again as the user
types). A private or group question so waits at most about one answer's time behind a flood.
The overall inline rate is bounded in ``bot.guard``.
"""

from __future__ import annotations

import asyncio

from telegram import (
    InlineQueryResultArticle,
    InlineQueryResultsButton,
    InputTextMessageContent,
    Update,
)
from telegram.constants import ParseMode
from telegram.ext import ContextTypes

from bot import messages, render
from bot.access import members_only
from bot.asking import NO_PREVIEW, archive_of
from index import Answer, Response

INLINE_ANSWERS = 5
INLINE_WORKERS = 1  # of the machine's cores; questions in chats use the others
INLINE_WAITING = 4
MIN_QUERY_CHARS = 3
CACHE_SECONDS = 60
TITLE_CHARS = 100


@members_only
async def inline_query(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Answer an inline query with one result per quoted answer."""
    query = update.inline_query
    text = " ".join(query.query.split())
    language = messages.user_language(query.from_user)
    if len(text) < MIN_QUERY_CHARS:
        hint = _hint(messages.text("inline_hint", language))
        await query.answer([], cache_time=CACHE_SECONDS, is_personal=True, button=hint)
        return
    slots: InlineSlots = context.bot_data["inline_slots"]
    if slots.full:
        await query.answer([], cache_time=0, is_personal=True)
        return
    async with slots:
        response = await asyncio.to_thread(archive_of(context).ask, text, INLINE_ANSWERS)
    if response.no_answer:
        hint = _hint(messages.text("inline_no_answer", response.language))
        await query.answer([], cache_time=CACHE_SECONDS, is_personal=True, button=hint)
        return
    await query.answer(results(response), cache_time=CACHE_SECONDS, is_personal=True)


class InlineSlots:
    """The inline queries being answered and waiting; used from the event loop only."""

    def __init__(self, workers: int = INLINE_WORKERS, waiting: int = INLINE_WAITING):
        self._running = asyncio.Semaphore(workers)
        self._admitted = 0
        self._limit = workers + waiting
        self.peak = 0  # the most queries admitted at once (worked on or waiting)

    @property
    def full(self) -> bool:
        return self._admitted >= self._limit

    async def __aenter__(self) -> None:
        self._admitted += 1
        self.peak = max(self.peak, self._admitted)
        try:
            await self._running.acquire()
        except BaseException:
            self._admitted -= 1
            raise

    async def __aexit__(self, *exc_info: object) -> None:
        self._running.release()
        self._admitted -= 1


def results(response: Response) -> list[InlineQueryResultArticle]:
    return [
        InlineQueryResultArticle(
            id=str(number),
            title=result_title(answer),
            description=render.render_inline_description(answer, response.language),
            input_message_content=InputTextMessageContent(
                render.render_answers(response, [answer]),
                parse_mode=ParseMode.HTML,
                link_preview_options=NO_PREVIEW,
            ),
        )
        for number, answer in enumerate(response.answers, start=1)
    ]


def result_title(answer: Answer) -> str:
    """The result's title, never blank (Telegram refuses the whole answer then)."""
    for text in (answer.title, answer.source):
        if title := render.shorten(render.plain(text), TITLE_CHARS):
            return title
    return render.ELLIPSIS


def _hint(text: str) -> InlineQueryResultsButton:
    return InlineQueryResultsButton(text=text, start_parameter="help")
