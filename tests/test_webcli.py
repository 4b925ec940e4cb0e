"""``newsdesk add`` and ``newsdesk feeds``: against the local site, NEWSDESK_FETCH_ALLOW=127.0.0.1."""

from __future__ import annotations

import json

import pytest

from tests.test_cli import run, use


@pytest.fixture
def indexed(built, monkeypatch, embedder):
    monkeypatch.setenv("NEWSDESK_FETCH_ALLOW", "127.0.0.1")
    return use(monkeypatch, built)


def test_add_saves_indexes_and_answers_with_the_url(indexed, site, capsys):
    code, out, _ = run(capsys, "add", site.url("/notizie/porto.html"), site.url("/sparito.html"), site.url("/notizie/porto.html?utm_medium=x"))
    lines = out.splitlines()
    assert code == 1  # one link failed
    assert lines[0].startswith(f"added    Porto di Trieste, record di container nel 2026 ({site.url('/notizie/porto.html')}) as web/127.0.0.1_")
    assert lines[1] == f"failed   {site.url('/sparito.html')}: the server answered 404 Not Found"
    assert lines[2].startswith(f"already  {site.url('/notizie/porto.html?utm_medium=x')}: same URL: web/")
    assert lines[3] == "1 added, 1 already there, 1 failed"
    assert lines[4].startswith("added 1, updated 0, removed 0, unchanged 5 articles;")
    code, out, _ = run(capsys, "ask", "Quanti container ha movimentato il porto di Trieste?", "--json")
    assert json.loads(out)["answers"][0]["source"] == site.url("/notizie/porto.html")


def test_add_refuses_the_local_network_without_the_allow_list(indexed, site, capsys, monkeypatch):
    monkeypatch.delenv("NEWSDESK_FETCH_ALLOW")
    code, out, _ = run(capsys, "add", site.url("/notizie/porto.html"), "http://192.168.1.1/admin")
    assert code == 1 and out.count("is a loopback address") == 1 and "192.168.1.1 is a private address" in out
    assert "0 added, 0 already there, 2 failed" in out and site.hits("/notizie/porto.html") == []


def test_feeds_add_list_poll_remove(indexed, site, capsys):
    site.feeds["/cronaca.xml"] = ["vilnius", "porto"]
    code, out, _ = run(capsys, "feeds", "add", site.url("/cronaca.xml"))
    assert code == 0 and out.startswith("following Il Piccolo - Cronaca (2 items)")
    code, out, _ = run(capsys, "feeds", "poll")
    assert code == 0 and out.startswith("Il Piccolo - Cronaca: 2 items, 2 new\n")
    assert "2 added, 0 already there, 0 failed" in out and "added 2, updated 0" in out
    code, out, _ = run(capsys, "feeds", "poll")
    assert code == 0 and out == "Il Piccolo - Cronaca: unchanged\n"
    code, out, _ = run(capsys, "feeds", "list")
    assert code == 0 and out.splitlines()[:2] == ["Il Piccolo - Cronaca", f"  {site.url('/cronaca.xml')}"]
    assert "2 items; last success 20" in out
    code, out, _ = run(capsys, "feeds", "remove", site.url("/cronaca.xml"))
    assert code == 0 and out.startswith("stopped following Il Piccolo - Cronaca")
    code, out, _ = run(capsys, "feeds", "list")
    assert out.startswith("no feeds followed")
    assert json.loads((indexed.data_dir / "feeds.json").read_text())["feeds"] == []


def test_feeds_errors_are_one_line(indexed, site, capsys):
    code, _, err = run(capsys, "feeds", "add", site.url("/notizie/vilnius.html"))
    assert code == 1 and err.startswith("newsdesk: not a feed") and "Traceback" not in err
    code, _, err = run(capsys, "feeds", "remove", site.url("/nessuno.xml"))
    assert code == 1 and "is not followed" in err
    site.feeds["/cronaca.xml"] = ["vilnius"]
    run(capsys, "feeds", "add", site.url("/cronaca.xml"))
    del site.feeds["/cronaca.xml"]
    code, out, _ = run(capsys, "feeds", "poll")
    assert code == 1 and out == "Il Piccolo - Cronaca: failed: the server answered 404 Not Found\n"
    code, out, _ = run(capsys, "feeds", "list")
    assert "last success never" in out and "the server answered 404 Not Found" in out


def test_a_bad_allow_list_is_one_line(indexed, capsys, monkeypatch):
    monkeypatch.setenv("NEWSDESK_FETCH_ALLOW", "not a host")
    code, _, err = run(capsys, "add", "https://example.org/")
    assert code == 1 and "NEWSDESK_FETCH_ALLOW" in err
