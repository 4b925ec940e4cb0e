"""The network rule: public addresses only, unless NEWSDESK_FETCH_ALLOW lists them; every resolved address checked."""

from __future__ import annotations

import ipaddress

import pytest

from index.addresses import AddressGuard, kind_of
from index.config import FetchSettings, load_fetch_settings
from index.errors import AddressRefusedError, ConfigError
from index.fetcher import Fetcher


@pytest.mark.parametrize(
    "address, kind",
    [
        ("127.0.0.1", "loopback"), ("127.8.9.10", "loopback"), ("::1", "loopback"),
        ("10.1.2.3", "private"), ("172.16.0.1", "private"), ("192.168.1.1", "private"), ("fd00::1", "private"),
        ("169.254.169.254", "link-local"), ("fe80::1", "link-local"),
        ("224.0.0.251", "multicast"), ("ff02::1", "multicast"), ("0.0.0.0", "unspecified"),
        ("100.64.0.1", "reserved"), ("::ffff:10.0.0.1", "private"), ("::ffff:127.0.0.1", "loopback"),
        ("93.184.216.34", None), ("2a00:1450:4002:80b::200e", None), ("151.101.1.195", None),
    ],
)
def test_kinds_of_addresses(address, kind):
    assert kind_of(ipaddress.ip_address(address)) == kind


def resolver(table):
    return lambda host, port: table[host]


def test_every_address_of_a_name_is_checked():
    guard = AddressGuard(FetchSettings(), resolver({"rebind.example": ["93.184.216.34", "10.0.0.1"]}))
    with pytest.raises(AddressRefusedError, match=r"rebind.example \(10.0.0.1\) is a private address"):
        guard.resolve("rebind.example", 80)


def test_allowed_by_address_network_or_name():
    table = {"intranet.local": ["10.0.0.5"], "db.local": ["10.0.0.9"]}
    guard = AddressGuard(load_fetch_settings({"NEWSDESK_FETCH_ALLOW": "127.0.0.1, 192.168.0.0/16,intranet.local"}), resolver(table))
    assert guard.resolve("127.0.0.1", 80) == ["127.0.0.1"]
    assert guard.resolve("192.168.4.4", 80) == ["192.168.4.4"]
    assert guard.resolve("intranet.local", 80) == ["10.0.0.5"]
    with pytest.raises(AddressRefusedError):
        guard.resolve("db.local", 80)
    with pytest.raises(AddressRefusedError):
        guard.resolve("127.0.0.2", 80)


@pytest.mark.parametrize("value", ["not a host", "http://x", "a/b/c", "x" * 300])
def test_malformed_allow_list_names_the_variable(value):
    with pytest.raises(ConfigError, match="NEWSDESK_FETCH_ALLOW"):
        load_fetch_settings({"NEWSDESK_FETCH_ALLOW": value})


def test_the_connection_goes_to_the_checked_address(site, local):
    """A name is resolved once, by the guard, and the socket opened to that address (no second DNS answer)."""
    answers = []

    def resolve(host, port):
        answers.append(host)
        return ["127.0.0.1"] if len(answers) == 1 else ["93.184.216.34"]  # a rebinding DNS server

    with Fetcher(local, guard=AddressGuard(local, resolve)) as fetcher:
        fetched = fetcher.get(f"http://notizie.example:{site.port}/notizie/vilnius.html")
    assert fetched.status == 200 and answers == ["notizie.example"]
    assert site.hits("/notizie/vilnius.html")[0]["Host"] == f"notizie.example:{site.port}"


def test_a_name_resolving_to_the_local_network_is_refused_before_connecting(site):
    guard = AddressGuard(FetchSettings(), resolver({"notizie.example": ["127.0.0.1"]}))
    with Fetcher(FetchSettings(), guard=guard) as fetcher, pytest.raises(AddressRefusedError, match="loopback"):
        fetcher.get(f"http://notizie.example:{site.port}/notizie/vilnius.html")
    assert site.hits("/notizie/vilnius.html") == []
