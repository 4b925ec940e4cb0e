"""Which network addresses Newsdesk may fetch from: the public internet, and what is allowed.

Loopback, private, link-local, multicast and every other non-global address (unspecified,
reserved, shared carrier-grade NAT, documentation ranges…) are refused unless listed in
``NEWSDESK_FETCH_ALLOW`` (by host name, address or network): the bot must not become a way
to read the newsroom's internal network. A host name is resolved and **every** address it
resolves to is checked, so a name that answers with one public and one private address is
refused; the fetcher then connects only to the addresses checked here (``resolve``), which
leaves no gap for a second, different DNS answer (DNS rebinding).
"""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Callable

from index.config import FetchSettings
from index.errors import AddressRefusedError, FetchError

Address = ipaddress.IPv4Address | ipaddress.IPv6Address
Resolver = Callable[[str, int], list[str]]


def system_resolve(host: str, port: int) -> list[str]:
    """The addresses ``host`` resolves to (IPv4 and IPv6), in the system's order."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as error:
        raise FetchError(f"the host name {host} does not resolve", transient=True) from error
    return list(dict.fromkeys(info[4][0] for info in infos))


def kind_of(address: Address) -> str | None:
    """Why ``address`` is not on the public internet ("loopback", "private"…); None when it is."""
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return kind_of(address.ipv4_mapped)
    for kind, test in (
        ("loopback", address.is_loopback), ("link-local", address.is_link_local),
        ("multicast", address.is_multicast), ("unspecified", address.is_unspecified),
        ("private", address.is_private),
    ):
        if test:
            return kind
    return None if address.is_global else "reserved"


class AddressGuard:
    """Checks host names and addresses against the rule and ``NEWSDESK_FETCH_ALLOW``. Thread-safe."""

    def __init__(self, settings: FetchSettings, resolve: Resolver = system_resolve):
        self.settings = settings
        self._resolve = resolve

    def resolve(self, host: str, port: int) -> list[str]:
        """Every address of ``host``, each checked; ``AddressRefusedError`` if any is refused."""
        host = host.lower().rstrip(".").strip("[]")
        literal = _as_address(host)
        addresses = [host] if literal is not None else self._resolve(host, port)
        if not addresses:
            raise FetchError(f"the host name {host} does not resolve", transient=True)
        if host not in self.settings.allowed_hosts:
            for address in addresses:
                self.check(host, address)
        return addresses

    def check(self, host: str, text: str) -> None:
        address = _as_address(text.split("%", 1)[0])  # a zone id ("fe80::1%eth0") is not part of the address
        if address is None:
            raise AddressRefusedError(f"{host} resolves to {text}, which is not an IP address")
        kind = kind_of(address)
        if kind is None or any(address in network for network in self.settings.allowed_networks):
            return
        named = host if host == text else f"{host} ({text})"
        raise AddressRefusedError(
            f"{named} is a {kind} address: Newsdesk does not fetch from the local network "
            "(NEWSDESK_FETCH_ALLOW lists hosts it may fetch from)"
        )


def _as_address(text: str) -> Address | None:
    try:
        return ipaddress.ip_address(text)
    except ValueError:
        return None
