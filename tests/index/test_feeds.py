"""Feeds: RSS 2.0, RSS 1.0 and Atom from the local site, polled in rounds with conditional GET, one re-index each."""

from __future__ import annotations

import pytest

from index import feeds, readers, subscriptions
from index.errors import BuildInProgressError, FeedError, FetchError
from index.fetcher import Fetcher
from index.records import BuildReport
from tests.web import ARTICLES, FEED_DATES, _raw, rss2


class Reindex:
    def __init__(self, busy: bool = False):
        self.calls, self.busy = 0, busy

    def __call__(self) -> BuildReport:
        self.calls += 1
        if self.busy:
            raise BuildInProgressError("another build is running")
        return BuildReport(added=1)


def follow(settings, local, site, path, slugs):
    site.feeds[path] = slugs
    with Fetcher(local) as fetcher:
        return feeds.subscribe(settings.data_dir, site.url(path), fetcher)


def poll(settings, local, reindex=None):
    reindex = reindex or Reindex()
    with Fetcher(local) as fetcher:
        return feeds.poll(settings.data_dir, settings.articles_dir, fetcher, reindex), reindex


def article_of(settings, outcome):
    (article,) = readers.read_file(settings.articles_dir / outcome.path, settings.articles_dir)
    return article


def test_three_formats_are_read_and_their_items_added_with_one_reindex(settings, site, local):
    infos = [
        follow(settings, local, site, "/cronaca.xml", ["vilnius", "porto"]),
        follow(settings, local, site, "/economia.rdf", ["energia", "vino"]),
        follow(settings, local, site, "/regione.atom", ["ospedale", "alluvione"]),
    ]
    assert [(i.title, i.items) for i in infos] == [
        ("Il Piccolo - Cronaca", 2), ("Il Piccolo - Economia", 2), ("Il Piccolo - Regione", 2)]
    report, reindex = poll(settings, local)
    assert [(f.status, f.new) for f in report.feeds] == [("read", 2)] * 3
    assert [o.status for o in report.links.outcomes] == ["added"] * 6 and reindex.calls == 1
    dated = {article_of(settings, o).title: article_of(settings, o).date for o in report.links.outcomes}
    assert dated[ARTICLES["vilnius"][0]] == "2026-11-28"  # the page's own date wins
    assert dated[ARTICLES["porto"][0]] == FEED_DATES["porto"]  # no date in the page: the feed's (RSS 2.0 pubDate)
    assert dated[ARTICLES["vino"][0]] == FEED_DATES["vino"]  # RSS 1.0 dc:date
    assert [f.last_success is not None and f.last_error is None for f in feeds.followed(settings.data_dir)] == [True] * 3


def test_unchanged_feed_answers_304_and_nothing_is_fetched_again(settings, site, local):
    follow(settings, local, site, "/cronaca.xml", ["vilnius", "porto"])
    poll(settings, local)
    report, reindex = poll(settings, local)
    assert report.feeds[0].status == "unchanged" and report.links.outcomes == () and reindex.calls == 0
    asked = site.hits("/cronaca.xml")
    assert len(asked) == 3 and "If-None-Match" not in asked[1] and asked[2]["If-None-Match"]  # add, first round, second
    assert len(site.hits("/notizie/vilnius.html")) == 1 and len(site.hits("/notizie/porto.html")) == 1


def test_a_feed_that_changes_between_polls_gives_only_its_new_items(settings, site, local):
    follow(settings, local, site, "/cronaca.xml", ["vilnius"])
    poll(settings, local)
    site.feeds["/cronaca.xml"] = ["treni", "vilnius"]
    report, reindex = poll(settings, local)
    assert report.feeds[0].status == "read" and report.feeds[0].new == 1 and reindex.calls == 1
    assert [o.url for o in report.links.outcomes] == [site.url("/notizie/treni.html")]
    assert len(site.hits("/notizie/vilnius.html")) == 1


def test_broken_items_are_skipped_and_the_rest_read(settings, site, local):
    broken = ('<item><title>Senza link</title></item><item><title>Script</title><link>javascript:alert(1)</link></item>'
              f"<item><title>Sparito</title><link>{site.url('/sparito.html')}</link></item>")
    site.routes["/rotto.xml"] = _raw(rss2(site, ["scuola"], extra=broken).encode(), "application/rss+xml")
    with Fetcher(local) as fetcher:
        feeds.subscribe(settings.data_dir, site.url("/rotto.xml"), fetcher)
    report, _ = poll(settings, local)
    assert report.feeds[0].broken == 2 and report.feeds[0].items == 2
    assert sorted((o.url.rsplit("/", 1)[-1], o.status) for o in report.links.outcomes) == [
        ("scuola.html", "added"), ("sparito.html", "failed")]
    site.routes["/rotto.xml"] = _raw(rss2(site, ["scuola"], extra=broken + "<!-- changed -->").encode(), "application/rss+xml")
    again, _ = poll(settings, local)
    assert again.links.outcomes == () and len(site.hits("/sparito.html")) == 1  # a 404 is not asked again


def test_a_failing_or_garbage_feed_is_reported_and_the_others_go_on(settings, site, local):
    follow(settings, local, site, "/uno.xml", ["vilnius"])
    follow(settings, local, site, "/due.xml", ["porto"])
    follow(settings, local, site, "/tre.xml", ["energia"])
    del site.feeds["/uno.xml"], site.feeds["/tre.xml"]
    site.routes["/uno.xml"] = site.routes["/errore.xml"]
    site.routes["/tre.xml"] = site.routes["/spazzatura.xml"]
    report, reindex = poll(settings, local)
    assert [f.status for f in report.feeds] == ["failed", "read", "failed"] and reindex.calls == 1
    assert report.feeds[0].error == "the server answered 500 Internal Server Error"
    assert report.feeds[2].error.startswith("not a feed")
    listed = feeds.followed(settings.data_dir)
    assert listed[0].last_error == report.feeds[0].error and listed[0].last_error_at and listed[0].last_success is None
    assert listed[1].last_error is None and listed[1].last_success


@pytest.mark.parametrize("path, error", [
    ("/spazzatura.xml", FeedError), ("/notizie/vilnius.html", FeedError), ("/sparito.xml", FetchError),
])
def test_only_feeds_can_be_followed(settings, site, local, path, error):
    with Fetcher(local) as fetcher, pytest.raises(error):
        feeds.subscribe(settings.data_dir, site.url(path), fetcher)
    assert feeds.followed(settings.data_dir) == ()


def test_follow_twice_and_unfollow(settings, site, local):
    follow(settings, local, site, "/cronaca.xml", ["vilnius"])
    with pytest.raises(FeedError, match="already followed"):
        follow(settings, local, site, "/cronaca.xml", ["vilnius"])
    assert feeds.unsubscribe(settings.data_dir, site.url("/cronaca.xml")).title == "Il Piccolo - Cronaca"
    with pytest.raises(FeedError, match="not followed"):
        feeds.unsubscribe(settings.data_dir, site.url("/cronaca.xml"))
    assert feeds.followed(settings.data_dir) == ()


def test_an_item_in_two_feeds_is_fetched_once(settings, site, local):
    follow(settings, local, site, "/uno.xml", ["vilnius", "porto"])
    follow(settings, local, site, "/due.atom", ["porto", "vino"])
    report, _ = poll(settings, local)
    assert sorted(o.status for o in report.links.outcomes) == ["added", "added", "added", "already"]
    assert len(site.hits("/notizie/porto.html")) == 1


def test_transient_failures_are_retried_a_few_times(settings, site, local):
    site.routes["/notizie/scuola.html"] = site.routes["/errore.xml"]
    follow(settings, local, site, "/cronaca.xml", ["scuola"])
    for _ in range(subscriptions.MAX_ATTEMPTS + 2):  # the feed does not change: its ETag would give 304
        poll(settings, local)
    assert len(site.hits("/notizie/scuola.html")) == subscriptions.MAX_ATTEMPTS
    assert "If-None-Match" in site.hits("/cronaca.xml")[-1]  # conditional again once the item is given up


def test_a_busy_index_is_caught_up_by_the_next_round(settings, site, local):
    follow(settings, local, site, "/cronaca.xml", ["vilnius"])
    report, busy = poll(settings, local, Reindex(busy=True))
    assert report.links.busy and busy.calls == 1 and subscriptions.load(settings.data_dir).pending_index
    report, reindex = poll(settings, local)
    assert report.feeds[0].status == "unchanged" and reindex.calls == 1 and report.links.build is not None
    assert not subscriptions.load(settings.data_dir).pending_index


def test_one_round_at_a_time(settings, site, local):
    follow(settings, local, site, "/cronaca.xml", ["vilnius"])
    with subscriptions.round_lock(settings.data_dir), pytest.raises(FeedError, match="already running"):
        poll(settings, local)
