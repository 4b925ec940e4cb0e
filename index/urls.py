"""Web addresses as Newsdesk keeps them: normalized for comparison, and turned into file names.

Pure functions, no I/O. ``normalize`` makes two spellings of one page compare equal: the
scheme and host in lower case, the default port and the fragment dropped, tracking
parameters (``utm_*``, ``fbclid``, ``gclid``…) removed. The path and the other
parameters are kept as they are: they may name a different page.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from urllib.parse import parse_qsl, quote, unquote, urlencode, urlsplit, urlunsplit

from index.errors import FetchError

SCHEMES = ("http", "https")
DEFAULT_PORTS = {"http": 80, "https": 443}
TRACKING = re.compile(r"^(utm_\w+|fbclid|gclid|dclid|msclkid|mc_cid|mc_eid|igshid|_ga|ref_src)$", re.IGNORECASE)
NAME_HASH_CHARS = 10
SLUG_MAX_CHARS = 60
_UNSAFE = re.compile(r"[^\w.-]+")


def normalize(url: str) -> str:
    """The comparable form of an http(s) URL; ``FetchError`` when it is not one."""
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError as error:
        raise FetchError(f"not a web address: {url[:200]}") from error
    scheme = parts.scheme.lower()
    if scheme not in SCHEMES:
        raise FetchError(f"only http and https addresses can be fetched, not {scheme or 'this'}: {url[:200]}")
    host = (parts.hostname or "").rstrip(".")
    if not host:
        raise FetchError(f"not a web address (no host): {url[:200]}")
    host = _idna(host)
    netloc = f"[{host}]" if ":" in host else host
    if port is not None and port != DEFAULT_PORTS[scheme]:
        netloc += f":{port}"
    query = urlencode([(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if not TRACKING.match(k)])
    return urlunsplit((scheme, netloc, parts.path or "/", query, ""))


def _idna(host: str) -> str:
    try:
        return host.encode("idna").decode("ascii").lower()
    except UnicodeError:
        return quote(host.lower(), safe=".-:")


def host_folder(url: str) -> str:
    """The folder a page of ``url`` is saved in: its host, plus the port when it is not the default."""
    parts = urlsplit(url)
    name = parts.hostname or "unknown"
    if parts.port is not None and parts.port != DEFAULT_PORTS.get(parts.scheme):
        name += f"_{parts.port}"
    return _slug(name) or "unknown"


def page_name(url: str) -> str:
    """A file name for the page of ``url``: its last path words, and a hash that keeps it unique."""
    parts = urlsplit(url)
    words = [unquote(word) for word in parts.path.split("/") if word]
    slug = words[-1] if words else "index"
    slug = _slug(re.sub(r"\.(s?html?|php|aspx?|jsp)$", "", slug, flags=re.IGNORECASE))[:SLUG_MAX_CHARS] or "page"
    digest = hashlib.blake2b(url.encode(), digest_size=8).hexdigest()[:NAME_HASH_CHARS]
    return f"{slug}-{digest}.html"


def _slug(text: str) -> str:
    """Letters, digits, dots and dashes only (no folder parts, no hidden names)."""
    return _UNSAFE.sub("-", unicodedata.normalize("NFKC", text)).strip(".-_")
