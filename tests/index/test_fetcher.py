"""The fetcher against a real local server: limits, redirects, timeouts, conditional GET, the network rule."""

from __future__ import annotations

import time

import pytest

from tests import figures

from index.config import FetchSettings
from index.errors import AddressRefusedError, FetchError
from index.fetcher import USER_AGENT, Fetcher


def test_a_page_comes_back_with_its_url_and_user_agent(site, local):
    with Fetcher(local) as fetcher:
        fetched = fetcher.get(site.url("/notizie/vilnius.html"))
    assert fetched.status == 200 and fetched.url == site.url("/notizie/vilnius.html")
    assert b"Vertice a Vilnius" in fetched.body and fetched.content_type.startswith("text/html")
    (headers,) = site.hits("/notizie/vilnius.html")
    assert headers["User-Agent"] == USER_AGENT and "Newsdesk" in USER_AGENT


def test_redirects_are_followed_up_to_five(site, local):
    with Fetcher(local) as fetcher:
        fetched = fetcher.get(site.url("/corto"))
        assert fetched.url == site.url("/notizie/treni.html") and fetched.requested == site.url("/corto")
        with pytest.raises(FetchError, match="too many redirects"):
            fetcher.get(site.url("/vai/1"))
    assert len(site.hits("/notizie/treni.html")) == 1  # after the sixth redirect the page is not asked for


@pytest.mark.parametrize(
    "path, reason, transient",
    [
        ("/sparito.html", "the server answered 404 Not Found", False),
        ("/errore.xml", "the server answered 500 Internal Server Error", True),
        ("/enorme.html", "larger than 5 MB", False),
    ],
)
def test_failures_say_why(site, local, path, reason, transient):
    with Fetcher(local) as fetcher, pytest.raises(FetchError) as raised:
        fetcher.get(site.url(path))
    assert reason in str(raised.value) and raised.value.transient is transient


def test_a_declared_oversized_page_is_refused_before_reading(site, local):
    from aiohttp import web

    async def declared(request):
        return web.Response(body=b"x" * (5 * 1024 * 1024 + 1), content_type="text/html")

    site.routes["/dichiarato.html"] = declared
    with Fetcher(local) as fetcher, pytest.raises(FetchError, match=r"\(5,242,881 bytes\)"):
        fetcher.get(site.url("/dichiarato.html"))


def test_a_slow_page_times_out(site, local):
    started = time.monotonic()
    with Fetcher(local, timeout=0.5) as fetcher, pytest.raises(FetchError, match="no answer within 0.5 s") as raised:
        fetcher.get(site.url("/lento.html"))
    assert time.monotonic() - started < 2.5 and raised.value.transient


def test_a_trickling_page_hits_the_deadline(site, local):
    from aiohttp import web
    import asyncio

    async def trickle(request):
        response = web.StreamResponse(headers={"Content-Type": "text/html"})
        await response.prepare(request)
        for _ in range(40):
            await response.write(b"<p>piano</p>")
            await asyncio.sleep(0.1)
        return response

    site.routes["/goccia.html"] = trickle
    with Fetcher(local, timeout=1.0, deadline=1.0) as fetcher, pytest.raises(FetchError, match="longer than 1 s"):
        fetcher.get(site.url("/goccia.html"))


def test_conditional_get_gives_not_modified(site, local):
    site.feeds["/cronaca.xml"] = ["vilnius"]
    with Fetcher(local) as fetcher:
        first = fetcher.get(site.url("/cronaca.xml"))
        second = fetcher.get(site.url("/cronaca.xml"), etag=first.etag, modified="Tue, 01 Dec 2026 10:00:00 GMT")
    assert first.status == 200 and first.etag and second.not_modified and second.body == b""
    assert site.hits("/cronaca.xml")[1]["If-None-Match"] == first.etag
    assert site.hits("/cronaca.xml")[1]["If-Modified-Since"] == "Tue, 01 Dec 2026 10:00:00 GMT"


def test_a_redirect_to_another_scheme_is_refused(site, local):
    with Fetcher(local) as fetcher, pytest.raises(FetchError, match="only http and https addresses can be fetched, not ftp"):
        fetcher.get(site.url("/ftp"))


@pytest.mark.parametrize("url", ["ftp://127.0.0.1/x", "file:///etc/passwd", "javascript:alert(1)", "http://", "nonsense"])
def test_only_http_and_https(local, url):
    with Fetcher(local) as fetcher, pytest.raises(FetchError):
        fetcher.get(url)


def test_the_local_network_is_refused_by_default(site):
    with Fetcher(FetchSettings()) as fetcher:
        for url in (site.url("/notizie/vilnius.html"), f"http://localhost:{site.port}/notizie/vilnius.html"):
            with pytest.raises(AddressRefusedError, match="loopback address"):
                fetcher.get(url)
    assert site.hits("/notizie/vilnius.html") == []  # not even connected to


@pytest.mark.parametrize("path, address", [("/fuori", "10.0.0.7"), ("/metadati", "169.254.169.254")])
def test_a_redirect_into_the_local_network_is_refused(site, local, path, address):
    with Fetcher(local) as fetcher, pytest.raises(AddressRefusedError, match=address):
        fetcher.get(site.url(path))


LOCAL_TARGETS = [  # (URL, what it is), none of them allowed
    ("http://10.0.0.1/", "private"), ("http://172.20.1.1:8080/admin", "private"), ("http://192.168.1.1/", "private"),
    ("http://[::1]/", "loopback"), ("http://127.0.0.2/", "loopback"), ("http://[::ffff:127.0.0.1]/", "loopback"),
    ("http://169.254.169.254/latest/meta-data/", "link-local"), ("http://[fe80::1]/", "link-local"),
    ("http://224.0.0.1/", "multicast"), ("http://0.0.0.0/", "unspecified"), ("http://100.64.0.1/", "reserved"),
    ("http://[fd12:3456::1]/", "private"), ("http://2130706433/", "loopback"), ("http://0x7f.1/", "loopback"),
]


def test_fetches_into_the_local_network_are_refused(site, local):
    """Every kind of local address, written every way (decimal, hex, IPv6), and redirects into them."""
    refused = 0
    with Fetcher(FetchSettings()) as fetcher:  # nothing allowed (127.0.0.1 is, for the site's redirects below)
        for url, kind in LOCAL_TARGETS:
            try:
                fetcher.get(url)
            except AddressRefusedError as error:
                refused += f"is a {kind} address" in str(error)
            except FetchError:
                pass
    with Fetcher(local) as fetcher:
        for path in ("/fuori", "/metadati"):
            try:
                fetcher.get(site.url(path))
            except AddressRefusedError:
                refused += 1
    tried = len(LOCAL_TARGETS) + 2
    figures.record("fetches into the local network refused", tried, refused,
                   "private, loopback, link-local, multicast, reserved; decimal and hex IPv4, IPv6, redirects (test_fetcher.py)")
    assert refused == tried


@pytest.fixture(scope="module")
def certificates(tmp_path_factory):
    """A test certificate authority and a certificate it signed for notizie.example (made with openssl)."""
    import shutil
    import subprocess

    if shutil.which("openssl") is None:
        pytest.skip("openssl is not installed")
    folder = tmp_path_factory.mktemp("tls")
    (folder / "ext.cnf").write_text("subjectAltName=DNS:notizie.example\nextendedKeyUsage=serverAuth\n")
    for command in (
        "req -x509 -newkey rsa:2048 -nodes -keyout ca.key -out ca.pem -days 2 -subj /CN=Newsdesk-Test-CA",
        "req -newkey rsa:2048 -nodes -keyout site.key -out site.csr -subj /CN=notizie.example",
        "x509 -req -in site.csr -CA ca.pem -CAkey ca.key -CAcreateserial -out site.pem -days 2 -extfile ext.cnf",
    ):
        subprocess.run(["openssl", *command.split()], cwd=folder, check=True, capture_output=True)
    return folder


@pytest.fixture
def tls_site(certificates):
    import ssl

    from tests.web import WebSite

    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(certificates / "site.pem", certificates / "site.key")
    web_site = WebSite(tls=context).start()
    yield web_site
    web_site.stop()


def test_https_is_verified_against_the_host_name_not_the_address(tls_site, certificates, local):
    import ssl

    from index.addresses import AddressGuard

    trusted = ssl.create_default_context(cafile=str(certificates / "ca.pem"))
    guard = AddressGuard(local, lambda host, port: ["127.0.0.1"])  # notizie.example resolves to the site
    with Fetcher(local, guard=guard, verify=trusted) as fetcher:
        fetched = fetcher.get(tls_site.url("/notizie/porto.html", host="notizie.example"))
        assert fetched.status == 200 and b"Porto di Trieste" in fetched.body
        with pytest.raises(FetchError, match="certificate"):  # the same server by address: the name does not match
            fetcher.get(tls_site.url("/notizie/porto.html"))
    with Fetcher(local, guard=guard) as fetcher, pytest.raises(FetchError, match="certificate"):  # an unknown authority
        fetcher.get(tls_site.url("/notizie/porto.html", host="notizie.example"))
