"""Admins add web pages: ``/add URL…``, ``/add`` in reply to a message holding links, or, in a
private chat, a message that holds nothing but links.

The pages are fetched, saved and indexed in a worker thread (``index.links``, one re-index
for all of them); one message says "fetching…" and is then edited into the outcome: what
was added, what was already there (same URL or same content) and what failed and why.
Anyone else is refused, by the guard and again here (``admin_only``).
"""

from __future__ import annotations

import asyncio
import logging
import re

from telegram import Message, MessageEntity, Update
from telegram.ext import ContextTypes, filters

from bot import admin, messages, render
from bot.admin import ProgressMessage, admin_only, language
from index import Archive, LinkOutcome, LinkReport, NewsdeskError

logger = logging.getLogger(__name__)

MAX_LINKS = 20  # links added from one message
SHOWN_STEPS = (10, 5, 2, 0)  # outcomes listed per kind in the reply (the rest counted), fewer until it fits
LINK_TYPES = (MessageEntity.URL, MessageEntity.TEXT_LINK)
_SEPARATORS = re.compile(r"[\s,;|•·\-–—]*")


def links_in(message: Message | None) -> list[str]:
    """The http(s) links of a message's text or caption, in order, each once."""
    if message is None:
        return []
    found = {**message.parse_entities(LINK_TYPES), **message.parse_caption_entities(LINK_TYPES)}
    urls = []
    for entity, text in sorted(found.items(), key=lambda pair: pair[0].offset):
        url = entity.url if entity.type == MessageEntity.TEXT_LINK else text
        url = url if re.match(r"(?i)https?://", url) else f"http://{url}"
        urls.append(url)
    return list(dict.fromkeys(urls))


def only_links(message: Message) -> bool:
    """Whether the message's text is links and nothing else (separators aside)."""
    if not message.text:
        return False
    found = message.parse_entities(LINK_TYPES)
    if not found:
        return False
    rest = message.text
    for text in found.values():
        rest = rest.replace(text, " ", 1)
    return _SEPARATORS.fullmatch(rest) is not None


class OnlyLinks(filters.MessageFilter):
    """A message holding nothing but links."""

    def filter(self, message: Message) -> bool:
        return only_links(message)


ONLY_LINKS = OnlyLinks(name="OnlyLinks")


@admin_only
async def add(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/add URL…, or /add in reply to a message with links or to a document: add them to the archive."""
    message = update.effective_message
    original = message.reply_to_message
    found = links_in(message) or (links_in(original) if original is not None and original.document is None else [])
    if not found:
        await admin.add_replied(message, context)
        return
    await add_links(message, found, context)


@admin_only
async def link_message(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A private message of links only, from an admin: add them to the archive."""
    message = update.effective_message
    await add_links(message, links_in(message), context)


async def add_links(message: Message, urls: list[str], context: ContextTypes.DEFAULT_TYPE) -> None:
    lang = language(message)
    archive: Archive = context.bot_data["archive"]
    fetch = context.bot_data["settings"].fetch
    status = await message.reply_text(messages.text("links_fetching", lang, count=min(len(urls), MAX_LINKS)))
    progress = ProgressMessage(status, lang, asyncio.get_running_loop())
    try:
        report = await asyncio.to_thread(archive.add_links, urls[:MAX_LINKS], fetch)
    except NewsdeskError as error:
        logger.error("adding links failed: %s", error)
        await progress.finish(render.escape(messages.text("reindex_failed", lang, reason=str(error))))
        return
    logger.info("admin %s added links: %d added, %d already there, %d failed",
                message.from_user.id if message.from_user else "?", len(report.of("added")),
                len(report.of("already")), len(report.of("failed")))
    await progress.finish(report_text(report, lang, skipped=max(len(urls) - MAX_LINKS, 0)))


def report_text(report: LinkReport, lang: str, skipped: int = 0) -> str:
    """The outcome for the admin, as Telegram HTML within Telegram's length limit."""
    for shown in SHOWN_STEPS:
        text = _report_text(report, lang, skipped, shown)
        if render.fits(text):
            break
    return text


def _report_text(report: LinkReport, lang: str, skipped: int, shown: int) -> str:
    added, already, failed = report.of("added"), report.of("already"), report.of("failed")
    other = lambda outcome: _other_line(outcome, lang)  # noqa: E731
    parts = []
    if added:
        key = "links_saved_busy" if report.busy else "links_added"
        parts.append(_section(messages.text(key, lang, count=len(added)), added, _added_line, shown))
    if already:
        parts.append(_section(messages.text("links_already", lang, count=len(already)), already, other, shown))
    if failed:
        parts.append(_section(messages.text("links_failed", lang, count=len(failed)), failed, other, shown))
    if skipped:
        parts.append(render.escape(messages.text("links_too_many", lang, limit=MAX_LINKS, skipped=skipped)))
    return "\n\n".join(parts)


def _section(heading: str, outcomes: tuple[LinkOutcome, ...], line, shown: int) -> str:
    lines = [render.escape(heading)] + [line(outcome) for outcome in outcomes[:shown]]
    if len(outcomes) > shown:
        lines.append(f"• … +{len(outcomes) - shown}")
    return "\n".join(lines)


def _added_line(outcome: LinkOutcome) -> str:
    title = render.escape(render.shorten(outcome.title, 120))
    return f"• {title} ({render.source_markup(outcome.source)})"


def _other_line(outcome: LinkOutcome, lang: str) -> str:
    reason = outcome.reason
    for prefix, key in (("same URL", "link_same_url"), ("same content", "link_same_content")):
        if reason.startswith(prefix):
            reason = messages.text(key, lang)
    return f"• {render.escape(render.shorten(outcome.url, 200))}: {render.escape(render.shorten(reason, 300))}"
