"""Fetching web pages and feeds like a polite, careful client (the only httpx and httpcore import).

- A User-Agent naming Newsdesk; a timeout on every step (connect, read, write) and a
  deadline on the whole download; at most ``MAX_REDIRECTS`` redirects, each one checked
  again; at most ``MAX_BYTES`` of body, counted after decompression; http and https only.
- Every connection goes through ``GuardedBackend``: the host is resolved, every address is
  checked by ``index.addresses.AddressGuard``, and the socket is opened to one of those
  checked addresses, never to a fresh DNS answer. TLS is verified against the host name.
  Proxy variables are ignored (``trust_env=False``): a proxy would connect on our behalf,
  past the check.
- Conditional GET: ``get(url, etag=…, modified=…)`` sends ``If-None-Match`` and
  ``If-Modified-Since``; a 304 comes back as ``Fetched(not_modified=True)``.

Failures raise ``FetchError`` (``AddressRefusedError`` for the local network) with a
reason in words; ``transient`` marks the ones worth trying again later. A ``Fetcher`` is
used from one thread at a time; it is synchronous: the bot runs it in worker threads.
"""

from __future__ import annotations

import ssl
import time
from dataclasses import dataclass
from email.utils import parsedate_to_datetime

import httpcore
import httpx

from index.addresses import AddressGuard
from index.config import FetchSettings
from index.errors import FetchError

USER_AGENT = "Newsdesk/0.1 (newsroom archive indexer; fetches pages an editor added and the feeds they follow)"
MAX_REDIRECTS = 5
MAX_BYTES = 5 * 1024 * 1024
DEFAULT_TIMEOUT = 15.0  # seconds for each step: connecting, each read, each write
DEFAULT_DEADLINE = 60.0  # seconds for a whole download, however slowly the bytes trickle
SCHEMES = ("http", "https")
REDIRECTS = (301, 302, 303, 307, 308)
PAGE_ACCEPT = "text/html,application/xhtml+xml;q=0.9,*/*;q=0.5"
FEED_ACCEPT = "application/rss+xml,application/atom+xml,application/rdf+xml;q=0.9,application/xml;q=0.8,text/xml;q=0.8,*/*;q=0.5"


@dataclass(frozen=True)
class Fetched:
    """A response that came back whole: its final URL (after redirects) and its body."""

    url: str
    requested: str
    status: int
    body: bytes = b""
    content_type: str = ""
    etag: str | None = None
    last_modified: str | None = None

    @property
    def not_modified(self) -> bool:
        return self.status == 304


class GuardedBackend(httpcore.SyncBackend):
    """httpcore's network backend, connecting only to addresses the guard has checked."""

    def __init__(self, guard: AddressGuard):
        self.guard = guard

    def connect_tcp(self, host, port, timeout=None, local_address=None, socket_options=None):
        last: Exception | None = None
        for address in self.guard.resolve(host, port):
            try:
                return super().connect_tcp(address, port, timeout, local_address, socket_options)
            except (httpcore.ConnectError, httpcore.ConnectTimeout) as error:
                last = error
        raise last or httpcore.ConnectError(f"no address to connect to for {host}")


class GuardedTransport(httpx.HTTPTransport):
    """httpx's transport over a connection pool that uses ``GuardedBackend``."""

    def __init__(self, guard: AddressGuard, verify: ssl.SSLContext | None = None):
        super().__init__(trust_env=False, retries=0)
        if not hasattr(self, "_pool"):  # httpx keeps its pool here; fail loudly rather than fetch unguarded
            raise RuntimeError("this version of httpx cannot be guarded")
        self._pool = httpcore.ConnectionPool(
            ssl_context=verify or httpx.create_ssl_context(trust_env=False), network_backend=GuardedBackend(guard),
            max_connections=10, max_keepalive_connections=5, keepalive_expiry=5.0,
        )


class Fetcher:
    """A polite HTTP client for pages and feeds. Use it as a context manager, from one thread."""

    def __init__(
        self, settings: FetchSettings = FetchSettings(), timeout: float = DEFAULT_TIMEOUT,
        deadline: float = DEFAULT_DEADLINE, max_bytes: int = MAX_BYTES, guard: AddressGuard | None = None,
        verify: ssl.SSLContext | None = None,  # the certificate authorities trusted (the system's when None)
    ):
        self.guard = guard or AddressGuard(settings)
        self.timeout, self.deadline, self.max_bytes = timeout, deadline, max_bytes
        self._client = httpx.Client(
            transport=GuardedTransport(self.guard, verify), timeout=httpx.Timeout(timeout), follow_redirects=False,
            headers={"User-Agent": USER_AGENT, "Accept-Language": "it,en;q=0.8"}, trust_env=False,
        )

    def __enter__(self) -> "Fetcher":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        self._client.close()

    def get(self, url: str, etag: str | None = None, modified: str | None = None, accept: str = PAGE_ACCEPT) -> Fetched:
        """GET ``url``, following at most ``MAX_REDIRECTS`` redirects; ``FetchError`` unless 200 or 304."""
        headers = {"Accept": accept, **_conditions(etag, modified)}
        current = url
        for _ in range(MAX_REDIRECTS + 1):
            target = _checked_url(current)
            fetched, location = self._one(target, url, headers)
            if location is None:
                return fetched
            current = location
        raise FetchError(f"too many redirects (more than {MAX_REDIRECTS})")

    def _one(self, url: httpx.URL, requested: str, headers: dict) -> tuple[Fetched | None, str | None]:
        """One request: the response, or the next URL when it is a redirect."""
        started = time.monotonic()
        try:
            with self._client.stream("GET", url, headers=headers) as response:
                if response.status_code in REDIRECTS and "location" in response.headers:
                    return None, str(url.join(response.headers["location"]))
                _check_status(response)
                body = b"" if response.status_code == 304 else self._read(response, started)
        except httpx.TimeoutException as error:
            raise FetchError(f"no answer within {self.timeout:g} s ({_step(error)})", transient=True) from error
        except httpx.TransportError as error:
            raise FetchError(f"could not connect to {url.host}: {_cause(error)}", transient=True) from error
        return Fetched(
            url=str(url), requested=requested, status=response.status_code, body=body,
            content_type=response.headers.get("content-type", ""), etag=response.headers.get("etag"),
            last_modified=response.headers.get("last-modified"),
        ), None

    def _read(self, response: httpx.Response, started: float) -> bytes:
        """The body, refusing it beyond ``max_bytes`` (declared or counted) or past the deadline."""
        declared = response.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > self.max_bytes:
            raise FetchError(f"the page is larger than {_megabytes(self.max_bytes)} ({int(declared):,} bytes)")
        chunks, size = [], 0
        for chunk in response.iter_bytes():
            size += len(chunk)
            if size > self.max_bytes:
                raise FetchError(f"the page is larger than {_megabytes(self.max_bytes)}")
            if time.monotonic() - started > self.deadline:
                raise FetchError(f"the page took longer than {self.deadline:g} s to download", transient=True)
            chunks.append(chunk)
        return b"".join(chunks)


def _checked_url(url: str) -> httpx.URL:
    """``url`` as httpx reads it; ``FetchError`` for anything but an http(s) URL with a host."""
    try:
        parsed = httpx.URL(url)
    except (httpx.InvalidURL, TypeError, ValueError) as error:
        raise FetchError(f"not a web address: {url[:200]}") from error
    if parsed.scheme not in SCHEMES:
        raise FetchError(f"only http and https addresses can be fetched, not {parsed.scheme or 'this'}: {url[:200]}")
    if not parsed.host:
        raise FetchError(f"not a web address (no host): {url[:200]}")
    return parsed.copy_with(fragment=None)


def _check_status(response: httpx.Response) -> None:
    status = response.status_code
    if status in (200, 203, 304):
        return
    reason = f"the server answered {status} {response.reason_phrase}".rstrip()
    raise FetchError(reason, transient=status == 429 or status >= 500)


def _conditions(etag: str | None, modified: str | None) -> dict[str, str]:
    headers = {}
    if etag:
        headers["If-None-Match"] = etag
    if modified and _is_http_date(modified):
        headers["If-Modified-Since"] = modified
    return headers


def _is_http_date(value: str) -> bool:
    try:
        return parsedate_to_datetime(value) is not None
    except (TypeError, ValueError):
        return False


def _step(error: httpx.TimeoutException) -> str:
    return {httpx.ConnectTimeout: "connecting", httpx.ReadTimeout: "waiting for data",
            httpx.WriteTimeout: "sending", httpx.PoolTimeout: "waiting for a connection"}.get(type(error), "timeout")


def _cause(error: Exception) -> str:
    """The innermost reason of a connection failure, without the guard's own error hidden in it."""
    while error.__cause__ is not None or error.__context__ is not None:
        error = error.__cause__ or error.__context__
    return str(error) or type(error).__name__


def _megabytes(count: int) -> str:
    return f"{count / 1048576:g} MB"
