"""Adding links: pages fetched from the local site, read, saved under web/<host>/ with their URL, indexed once."""

from __future__ import annotations

import pytest

from index import readers, webpages
from index.archive import Archive
from index.fetcher import Fetcher
from index.links import add_links
from index.records import BuildReport
from tests.web import CHINESE, CZECH, POLISH


class Reindex:
    """Counts re-indexes (the build itself is tested elsewhere and in test_links_are_answerable)."""

    def __init__(self):
        self.calls = 0

    def __call__(self) -> BuildReport:
        self.calls += 1
        return BuildReport(added=1)


def add(settings, local, *links):
    reindex = Reindex()
    with Fetcher(local) as fetcher:
        report = add_links(settings.articles_dir, links, fetcher, reindex)
    return report, reindex.calls


def test_a_page_is_saved_with_its_url_and_read_as_the_indexer_reads_it(settings, site, local):
    report, reindexed = add(settings, local, site.url("/notizie/vilnius.html"))
    (outcome,) = report.outcomes
    assert outcome.status == "added" and outcome.title == "Vertice a Vilnius sulla difesa del Baltico"
    assert outcome.path == f"web/127.0.0.1_{site.port}/{outcome.path.split('/')[-1]}" and reindexed == 1
    path = settings.articles_dir / outcome.path
    (article,) = readers.read_file(path, settings.articles_dir)
    assert article.source == site.url("/notizie/vilnius.html") and article.date == "2026-11-28"
    assert "difesa aerea a medio raggio" in article.text and "P.IVA" not in article.text
    assert webpages.read_record(path.read_text()).digest


def test_the_same_url_or_the_same_content_is_not_added_twice(settings, site, local):
    add(settings, local, site.url("/notizie/vilnius.html"))
    report, reindexed = add(settings, local, site.url("/notizie/vilnius.html?utm_source=telegram#commenti"),
                            site.url("/amp/vilnius.html"), site.url("/notizie/vilnius.html"))
    assert [o.status for o in report.outcomes] == ["already", "already", "already"]
    assert report.outcomes[0].reason.startswith("same URL: web/") and report.outcomes[1].reason.startswith("same content: web/")
    assert len(site.hits("/notizie/vilnius.html")) == 1 and reindexed == 0  # not fetched again, nothing to index
    assert len(list((settings.articles_dir / "web").rglob("*.html"))) == 1


def test_a_redirected_page_keeps_both_urls(settings, site, local):
    report, _ = add(settings, local, site.url("/corto"))
    assert report.outcomes[0].source == site.url("/notizie/treni.html")
    again, _ = add(settings, local, site.url("/notizie/treni.html"), site.url("/corto"))
    assert [o.status for o in again.outcomes] == ["already", "already"] and len(site.hits("/corto")) == 1


def test_each_link_has_its_outcome_and_the_others_go_on(settings, site, local):
    report, reindexed = add(
        settings, local, site.url("/sparito.html"), site.url("/documento.pdf"), "ftp://example.org/x",
        site.url("/notizie/porto.html"), site.url("/vai/1"), site.url("/enorme.html"), site.url("/fuori"),
    )
    reasons = {o.url.rsplit("/", 1)[-1]: (o.status, o.reason) for o in report.outcomes}
    assert reasons["sparito.html"] == ("failed", "the server answered 404 Not Found")
    assert reasons["documento.pdf"] == ("failed", "not a web page but application/pdf")
    assert reasons["x"][1].startswith("only http and https")
    assert reasons["porto.html"][0] == "added"
    assert reasons["1"][1] == "too many redirects (more than 5)"
    assert "larger than 5 MB" in reasons["enorme.html"][1]
    assert "10.0.0.7 is a private address" in reasons["fuori"][1]
    assert reindexed == 1  # once, for the one page added


@pytest.mark.parametrize("path, text", [
    ("/praha.html", CZECH),  # windows-1250, declared nowhere
    ("/warszawa.html", POLISH),  # ISO-8859-2 by the HTTP header, windows-1250 by the page: the header wins
    ("/beijing.html", CHINESE),  # GB2312 by the HTTP header
    ("/beijing-undeclared.html", CHINESE),  # GB2312, declared nowhere
])
def test_a_page_in_another_encoding_is_saved_as_utf8_and_read_back_right(settings, site, local, path, text):
    report, _ = add(settings, local, site.url(path))
    saved = settings.articles_dir / report.outcomes[0].path
    saved.read_bytes().decode("utf-8")  # written as UTF-8
    (article,) = readers.read_file(saved, settings.articles_dir)
    title, paragraphs = text
    assert report.outcomes[0].title == article.title == title
    assert article.text == "\n\n".join(paragraphs)


@pytest.mark.parametrize("path", ["/remember/black-friday.html", "/remember/cavalieri-zodiaco.html"])
def test_real_pages_from_the_extraction_benchmark(settings, site, local, path):
    from tests.web import BENCH

    if not BENCH.is_dir():
        pytest.skip(f"the extraction benchmark is not in {BENCH}")
    report, _ = add(settings, local, site.url(path))
    (article,) = readers.read_file(settings.articles_dir / report.outcomes[0].path, settings.articles_dir)
    assert article.source == site.url(path) and article.language == "it" and len(article.text) > 1000
    assert article.date == ("2017-11-23" if "black" in path else article.date)


def test_a_page_cannot_fake_the_header(settings, site, local):
    from tests.web import _html, page_of

    forged = '<meta name="newsdesk:source" content="https://evil.example/">\n' + page_of("vino")
    site.routes["/falso.html"] = _html(forged)
    report, _ = add(settings, local, site.url("/falso.html"))
    (article,) = readers.read_file(settings.articles_dir / report.outcomes[0].path, settings.articles_dir)
    assert article.source == site.url("/falso.html")


def test_links_are_answerable_with_their_url_as_source(built, site, local, embedder):
    archive = Archive(built, embedder).open()
    with Fetcher(local) as fetcher:
        report = add_links(built.articles_dir, [site.url("/notizie/porto.html")], fetcher, archive.reindex)
    assert report.build.added == 1 and report.build.total_articles == 6
    response = archive.ask("Quanti container ha movimentato il porto di Trieste?")
    assert response.answers[0].source == site.url("/notizie/porto.html")
    assert response.answers[0].title == "Porto di Trieste, record di container nel 2026"


def test_a_folder_that_cannot_be_written_is_that_links_failure(settings, site, local):
    (settings.articles_dir / "web").write_text("a file where the web folder should be")
    report, reindexed = add(settings, local, site.url("/notizie/porto.html"))
    assert report.outcomes[0].status == "failed" and reindexed == 0
    assert report.outcomes[0].reason == "the page could not be saved: Not a directory"
