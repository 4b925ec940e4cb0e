"""Feeds in the bot: ``/feeds`` for admins (list, add URL, remove URL, poll), and the scheduled rounds.

Every ``NEWSDESK_FEED_MINUTES`` minutes (PTB's JobQueue) a poll round runs in a worker thread
(``Archive.poll_feeds``: new items fetched and saved, one re-index). A round
that finds another one running (``newsdesk feeds poll`` from cron, or ``/feeds poll``) is
skipped; a round that finds a re-index running saves the pages and the next round indexes them.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging

from telegram import Message, Update
from telegram.ext import Application, ContextTypes

from bot import messages, render
from bot.admin import ProgressMessage, admin_only, language
from index import Archive, FeedError, FeedInfo, FetchError, NewsdeskError, PollReport

logger = logging.getLogger(__name__)

JOB_NAME = "feeds"


def schedule(application: Application, minutes: float) -> None:
    """Poll the feeds every ``minutes`` (the first round one interval after the start); 0: never."""
    if minutes <= 0:
        logger.info("feeds are not polled (NEWSDESK_FEED_MINUTES=0)")
        return
    if application.job_queue is None:  # PTB without its job-queue extra
        logger.warning("feeds are not polled: python-telegram-bot[job-queue] is not installed")
        return
    interval = dt.timedelta(minutes=minutes)
    application.job_queue.run_repeating(poll_job, interval=interval, first=interval, name=JOB_NAME)


async def poll_job(context: ContextTypes.DEFAULT_TYPE) -> None:
    """A scheduled round; its outcome goes to the log."""
    try:
        report = await asyncio.to_thread(context.bot_data["archive"].poll_feeds, context.bot_data["settings"].fetch)
    except FeedError as error:
        logger.info("scheduled feed round skipped: %s", error)
        return
    except NewsdeskError as error:
        logger.error("scheduled feed round failed: %s", error)
        return
    added, failed = len(report.links.of("added")), [f for f in report.feeds if f.status == "failed"]
    if report.feeds:
        logger.info("feed round: %d feeds, %d new pages, %d feeds failed", len(report.feeds), added, len(failed))


@admin_only
async def feeds_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/feeds [list | add URL | remove URL | poll]: the feeds the archive follows."""
    message = update.effective_message
    args = context.args or []
    action = args[0].lower() if args else "list"
    archive: Archive = context.bot_data["archive"]
    lang = language(message)
    if action == "list" and len(args) <= 1:
        infos = await asyncio.to_thread(archive.followed_feeds)
        await message.reply_html(list_text(infos, lang), disable_web_page_preview=True)
    elif action in ("add", "remove") and len(args) == 2:
        await _change(message, context, action, args[1], lang)
    elif action == "poll" and len(args) == 1:
        await _poll_now(message, context, lang)
    else:
        await message.reply_text(messages.text("feeds_usage", lang))


async def _change(message: Message, context, action: str, url: str, lang: str) -> None:
    archive: Archive = context.bot_data["archive"]
    try:
        if action == "add":
            info = await asyncio.to_thread(archive.follow_feed, url, context.bot_data["settings"].fetch)
            minutes = context.bot_data["settings"].feed_minutes
            key = "feed_added" if minutes > 0 else "feed_added_manual"
            text = messages.text(key, lang, title=info.title, items=info.items, minutes=f"{minutes:g}")
        else:
            info = await asyncio.to_thread(archive.unfollow_feed, url)
            text = messages.text("feed_removed", lang, title=info.title)
    except (FeedError, FetchError) as error:
        text = messages.text("feed_refused", lang, reason=str(error))
    await message.reply_text(text, disable_web_page_preview=True)


async def _poll_now(message: Message, context, lang: str) -> None:
    status = await message.reply_text(messages.text("feeds_polling", lang))
    progress = ProgressMessage(status, lang, asyncio.get_running_loop())
    try:
        report = await asyncio.to_thread(context.bot_data["archive"].poll_feeds, context.bot_data["settings"].fetch)
    except FeedError as error:
        await progress.finish(render.escape(messages.text("feed_refused", lang, reason=str(error))))
        return
    except NewsdeskError as error:
        await progress.finish(render.escape(messages.text("reindex_failed", lang, reason=str(error))))
        return
    await progress.finish(poll_text(report, lang))


def list_text(infos: tuple[FeedInfo, ...], lang: str) -> str:
    """The feeds, as Telegram HTML within the length limit."""
    if not infos:
        return render.escape(messages.text("feeds_none", lang))
    blocks = [f"<b>{render.escape(messages.text('feeds_heading', lang, count=len(infos)))}</b>"]
    for info in infos:
        blocks.append(_feed_block(info, lang))
        if not render.fits("\n\n".join(blocks)):
            blocks[-1] = "…"
            break
    return "\n\n".join(blocks)


def _feed_block(info: FeedInfo, lang: str) -> str:
    never = messages.text("never_polled", lang)
    lines = [
        f"<b>{render.escape(render.shorten(info.title, 100))}</b>",
        render.escape(render.shorten(info.url, 300)),
        render.escape(messages.text("feed_state", lang, items=info.items, success=_when(info.last_success) or never)),
    ]
    if info.last_error:
        reason = render.shorten(info.last_error, 300)
        lines.append(render.escape(messages.text("feed_error", lang, when=_when(info.last_error_at), reason=reason)))
    return "\n".join(lines)


def _when(stamp: str | None) -> str:
    return f"{stamp[:16].replace('T', ' ')} UTC" if stamp else ""


def poll_text(report: PollReport, lang: str) -> str:
    from bot.links import report_text

    lines = []
    for feed in report.feeds:
        title = render.escape(render.shorten(feed.title, 100))
        if feed.status == "failed":
            lines.append(f"• {title}: {render.escape(render.shorten(feed.error, 200))}")
        else:
            lines.append(f"• {title}: " + render.escape(messages.text(f"feed_{feed.status}", lang, items=feed.items, new=feed.new)))
    if not lines:
        return render.escape(messages.text("feeds_none", lang))
    added = report_text(report.links, lang) if report.links.outcomes else ""
    text = "\n".join(lines) + (f"\n\n{added}" if added else "")
    return text if render.fits(text) else added or render.escape(messages.text("feeds_polled", lang))
