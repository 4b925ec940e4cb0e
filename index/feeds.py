"""Following feeds: subscribe, unsubscribe, list, and the poll round that adds their new items.

A round reads every feed with a conditional GET (ETag, Last-Modified: a 304 costs no
parsing and no item), takes the items it has not handled before, and adds each one as a
link is added (``index.links``: deduplicated by URL and by content, across the feeds of
the round too), with the item's date in the feed as the article's date when its page
states none. A feed that fails or serves garbage is reported and skipped; the others go
on. After all feeds, one re-index, not one per item. The state (``index.subscriptions``)
is saved before the re-index, so a failed build never makes a round fetch again.
"""

from __future__ import annotations

import logging
from pathlib import Path

from index import subscriptions, syndication, urls
from index.errors import FeedError, FetchError
from index.fetcher import FEED_ACCEPT, Fetcher
from index.links import LinkSaver, Reindex, index_saved
from index.records import FeedInfo, FeedPoll, LinkOutcome, LinkReport, PollReport
from index.subscriptions import Subscription

logger = logging.getLogger(__name__)

MAX_NEW_ITEMS = 50  # items fetched per feed and round; the rest wait for the next round


def followed(data_dir: Path) -> tuple[FeedInfo, ...]:
    """The feeds followed, in the order they were added."""
    return tuple(feed.info() for feed in subscriptions.load(data_dir).feeds)


def subscribe(data_dir: Path, url: str, fetcher: Fetcher) -> FeedInfo:
    """Follow the feed at ``url`` once it is fetched and read as a feed (``FetchError``, ``FeedError``)."""
    url = urls.normalize(url)
    if subscriptions.load(data_dir).find(url) is not None:
        raise FeedError(f"{url} is already followed")
    fetched = fetcher.get(url, accept=FEED_ACCEPT)
    feed = syndication.parse(fetched.body, fetched.url, fetched.content_type)
    with subscriptions.edit(data_dir) as feed_list:
        if feed_list.find(url) is not None:
            raise FeedError(f"{url} is already followed")
        subscription = Subscription(url=url, title=feed.title, added=subscriptions.now(), items=len(feed.items))
        feed_list.feeds.append(subscription)  # no validators yet: the first round reads the items
    logger.info("following %s (%s, %d items)", url, feed.title, len(feed.items))
    return subscription.info()


def unsubscribe(data_dir: Path, url: str) -> FeedInfo:
    """Stop following ``url``; ``FeedError`` when it is not followed. Pages already added stay."""
    wanted = _comparable(url)
    with subscriptions.edit(data_dir) as feed_list:
        feed = next((feed for feed in feed_list.feeds if feed.url == wanted), None)
        if feed is None:
            raise FeedError(f"{url} is not followed (`newsdesk feeds list` shows the feeds)")
        feed_list.feeds.remove(feed)
    return feed.info()


def _comparable(url: str) -> str:
    try:
        return urls.normalize(url)
    except FetchError:
        return url


def poll(data_dir: Path, articles_dir: Path, fetcher: Fetcher, reindex: Reindex) -> PollReport:
    """One round over every feed, then one re-index; ``FeedError`` when another round is running."""
    with subscriptions.round_lock(data_dir):
        feed_list = subscriptions.load(data_dir)
        saver = LinkSaver(articles_dir, fetcher)
        polls, outcomes = [], []
        for feed in feed_list.feeds:
            result, added = poll_feed(feed, fetcher, saver)
            polls.append(result)
            outcomes.extend(added)
        outcomes = tuple(outcomes)
        to_index = feed_list.pending_index or any(outcome.status == "added" for outcome in outcomes)
        _store(data_dir, feed_list.feeds, pending=to_index)
        links = index_saved(outcomes, reindex, pending=feed_list.pending_index) if to_index else LinkReport(outcomes)
        if to_index and not links.busy:
            _store(data_dir, [], pending=False)
    return PollReport(feeds=tuple(polls), links=links)


def poll_feed(feed: Subscription, fetcher: Fetcher, saver: LinkSaver) -> tuple[FeedPoll, list[LinkOutcome]]:
    """Read one feed (updating its state) and add its new items; a failure is this feed's alone."""
    try:
        etag, modified = (None, None) if feed.retrying else (feed.etag, feed.modified)
        fetched = fetcher.get(feed.url, etag=etag, modified=modified, accept=FEED_ACCEPT)
        parsed = None if fetched.not_modified else syndication.parse(fetched.body, fetched.url, fetched.content_type)
    except (FetchError, FeedError) as error:
        logger.warning("feed %s skipped: %s", feed.url, error)
        feed.last_error, feed.last_error_at = str(error), subscriptions.now()
        return FeedPoll(url=feed.url, title=feed.title, status="failed", items=feed.items, error=str(error)), []
    feed.last_success, feed.last_error, feed.last_error_at = subscriptions.now(), None, None
    if parsed is None:
        return FeedPoll(url=feed.url, title=feed.title, status="unchanged", items=feed.items), []
    feed.title, feed.items, feed.etag, feed.modified = parsed.title, len(parsed.items), fetched.etag, fetched.last_modified
    outcomes = [_add_item(feed, item, saver) for item in _new_items(feed, parsed)]
    listed = {item.url for item in parsed.items}
    feed.seen = {url: state for url, state in feed.seen.items() if url in listed}  # items gone from the feed are forgotten
    poll_result = FeedPoll(url=feed.url, title=feed.title, status="read", items=len(parsed.items), new=len(outcomes),
                           broken=parsed.broken)
    return poll_result, outcomes


def _new_items(feed: Subscription, parsed: syndication.Feed) -> list[syndication.FeedItem]:
    fresh = [item for item in dict((item.url, item) for item in parsed.items).values() if not feed.done_with(item.url)]
    if len(fresh) > MAX_NEW_ITEMS:
        logger.info("feed %s: %d new items, %d fetched this round", feed.url, len(fresh), MAX_NEW_ITEMS)
    return fresh[:MAX_NEW_ITEMS]


def _add_item(feed: Subscription, item: syndication.FeedItem, saver: LinkSaver) -> LinkOutcome:
    outcome = saver.save(item.url, published=item.published)
    attempts = feed.seen.get(item.url, {}).get("attempts", 0) + 1
    status = "retry" if outcome.status == "failed" and outcome.transient else outcome.status
    feed.seen[item.url] = {"status": status, "reason": outcome.reason, "attempts": attempts}
    return outcome


def _store(data_dir: Path, polled: list[Subscription], pending: bool) -> None:
    """Write the polled feeds' state into the list as it is now (feeds added or removed meanwhile stay so)."""
    by_url = {feed.url: feed for feed in polled}
    with subscriptions.edit(data_dir) as feed_list:
        feed_list.feeds = [by_url.get(feed.url, feed) for feed in feed_list.feeds]
        feed_list.pending_index = pending
