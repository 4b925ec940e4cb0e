"""The web commands of ``newsdesk``: ``add URL…`` and ``feeds add|remove|list|poll``. A thin shell.

Each command calls ``index.Archive`` (fetching with ``NEWSDESK_FETCH_ALLOW``); pages are
indexed by one incremental build at the end. Exit codes: 0 when
everything went through, 1 when a link or a feed failed, or the pages could not be indexed
because another build was running (they are indexed by the next one).
"""

from __future__ import annotations

import argparse
import sys

from index.config import Settings, load_fetch_settings
from index.records import FeedInfo, LinkOutcome, LinkReport, PollReport

BUSY = "newsdesk: pages saved, but another build is running: `newsdesk index` indexes them"


def add_commands(commands: argparse._SubParsersAction) -> None:
    add = commands.add_parser("add", help="fetch web pages, save their articles and index them")
    add.add_argument("urls", nargs="+", metavar="URL", help="http or https addresses of article pages")
    add.set_defaults(run=run_add)

    feed = commands.add_parser("feeds", help="follow RSS and Atom feeds: add, remove, list, poll")
    actions = feed.add_subparsers(dest="action", required=True, metavar="ACTION")
    for name, text in (("add", "follow a feed"), ("remove", "stop following a feed")):
        action = actions.add_parser(name, help=text)
        action.add_argument("url", metavar="URL")
    actions.add_parser("list", help="the feeds followed, with their last success and error")
    actions.add_parser("poll", help="one round over every feed (for cron): add the new items, index once")
    feed.set_defaults(run=run_feeds)


def _archive(settings: Settings):
    from index.archive import Archive  # imported here: `newsdesk --help` loads no search library

    return Archive(settings)  # its model is made at first need: `feeds list` and `remove` load none


def run_add(args: argparse.Namespace, settings: Settings) -> int:
    report = _archive(settings).add_links(args.urls, load_fetch_settings())
    print(format_links(report))
    return _exit_code(report, failed=bool(report.of("failed")))


def run_feeds(args: argparse.Namespace, settings: Settings) -> int:
    archive = _archive(settings)
    if args.action == "list":
        print(format_feeds(archive.followed_feeds()))
        return 0
    if args.action == "remove":
        info = archive.unfollow_feed(args.url)
        print(f"stopped following {info.title} ({info.url}); its pages stay in the archive")
        return 0
    if args.action == "add":
        info = archive.follow_feed(args.url, load_fetch_settings())
        print(f"following {info.title} ({info.items} items): `newsdesk feeds poll` adds them")
        return 0
    report = archive.poll_feeds(load_fetch_settings())
    print(format_poll(report))
    return _exit_code(report.links, failed=any(feed.status == "failed" for feed in report.feeds))


def _exit_code(report: LinkReport, failed: bool) -> int:
    if report.busy:
        print(BUSY, file=sys.stderr)
    return 1 if failed or report.busy else 0


# --- output for people ----------------------------------------------------------------------


def format_outcome(outcome: LinkOutcome) -> str:
    if outcome.status == "added":
        return f"added    {outcome.title} ({outcome.source}) as {outcome.path}"
    if outcome.status == "already":
        return f"already  {outcome.url}: {outcome.reason}"
    return f"failed   {outcome.url}: {outcome.reason}"


def format_links(report: LinkReport) -> str:
    from index.cli import format_report

    lines = [format_outcome(outcome) for outcome in report.outcomes]
    counts = {status: len(report.of(status)) for status in ("added", "already", "failed")}
    lines.append(f"{counts['added']} added, {counts['already']} already there, {counts['failed']} failed")
    if report.build is not None:
        lines.append(format_report(report.build))
    return "\n".join(lines)


def format_feeds(infos: tuple[FeedInfo, ...]) -> str:
    if not infos:
        return "no feeds followed: `newsdesk feeds add URL` follows one"
    blocks = []
    for info in infos:
        lines = [f"{info.title}", f"  {info.url}", f"  {info.items} items; last success {info.last_success or 'never'}"]
        if info.last_error:
            lines.append(f"  last error {info.last_error_at}: {info.last_error}")
        blocks.append("\n".join(lines))
    return "\n".join(blocks)


def format_poll(report: PollReport) -> str:
    lines = []
    for feed in report.feeds:
        if feed.status == "failed":
            lines.append(f"{feed.title}: failed: {feed.error}")
        elif feed.status == "unchanged":
            lines.append(f"{feed.title}: unchanged")
        else:
            broken = f", {feed.broken} broken item(s) skipped" if feed.broken else ""
            lines.append(f"{feed.title}: {feed.items} items, {feed.new} new{broken}")
    if not report.feeds:
        lines.append("no feeds followed: `newsdesk feeds add URL` follows one")
    if report.links.outcomes or report.links.build is not None:
        lines.append(format_links(report.links))
    return "\n".join(lines)
