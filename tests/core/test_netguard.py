"""The outbound guard itself (deskside.core.netguard): which addresses are internal, the
allow-list, and that inside a guarded block no socket connects to an internal address,
whether the library resolves through getaddrinfo (requests, create_connection) or hands a
name or an address straight to connect/sendto; the address checked is the one connected to
(one lookup: a rebinding DNS server gets no second question). Names resolve through the
stub resolver (tests/conftest.py); connections are recorded, not made."""

import ipaddress
import os
import socket
import subprocess
import sys
import threading

import pytest
import requests

from deskside.core import netguard
from tests.conftest import INTERNAL_NAMES, PUBLIC_ADDRESS, PUBLIC_NAME

INTERNAL = [
    "127.0.0.1",
    "127.8.9.10",
    "10.1.2.3",
    "172.16.5.4",
    "172.31.255.254",
    "192.168.1.20",
    "169.254.169.254",  # the cloud metadata service
    "100.64.1.1",  # CGNAT
    "0.0.0.0",  # noqa: S104 - an address to refuse, not one to bind
    "224.0.0.1",
    "239.255.255.250",
    "255.255.255.255",
    "240.0.0.1",
    "192.0.2.1",  # documentation
    "::1",
    "::",
    "fe80::1",
    "fc00::7",
    "fd12:3456::1",
    "fec0::1",  # site-local (deprecated, still not public)
    "ff02::1",
    "::ffff:127.0.0.1",  # IPv4-mapped
    "::ffff:10.0.0.1",
    "::ffff:169.254.169.254",
    "64:ff9b::a00:1",  # NAT64 of 10.0.0.1
    "2002:7f00:1::1",  # 6to4 of 127.0.0.1
    "2002:a9fe:a9fe::1",  # 6to4 of 169.254.169.254
]
PUBLIC = ["93.184.216.34", "8.8.8.8", "1.1.1.1", "2606:4700:4700::1111", "::ffff:8.8.8.8"]


@pytest.mark.parametrize("address", INTERNAL)
def test_internal_addresses(address):
    assert netguard.is_internal(ipaddress.ip_address(address))


@pytest.mark.parametrize("address", PUBLIC)
def test_public_addresses(address):
    assert not netguard.is_internal(ipaddress.ip_address(address))


def test_the_allow_list_takes_names_wildcards_addresses_and_networks():
    allowed = netguard.parse_allow(
        ["Exchange.Corp.example.", "*.lab.example", "10.20.0.0/16", "192.168.1.5", "fd00:1::/64"]
    )
    assert allowed.permits_name("exchange.corp.example")
    assert allowed.permits_name("ntfy.lab.example") and not allowed.permits_name("lab.example")
    assert not allowed.permits_name("other.corp.example")
    assert allowed.permits_address(ipaddress.ip_address("10.20.3.4"))
    assert allowed.permits_address(ipaddress.ip_address("192.168.1.5"))
    assert not allowed.permits_address(ipaddress.ip_address("192.168.1.6"))
    assert allowed.permits_address(ipaddress.ip_address("fd00:1::9"))


@pytest.mark.parametrize("item", ["http://x.example", "a b", "*.", "10.0.0.0/33", "-"])
def test_a_bad_allow_list_item_is_named(item):
    with pytest.raises(ValueError, match="neither a host name"):
        netguard.parse_allow(["ok.example", item])


# -- connections inside a guarded block --------------------------------------------------------


@pytest.mark.parametrize("name", sorted(INTERNAL_NAMES))
def test_requests_never_connects_to_an_internal_name(connects, name):
    with netguard.guarded() as guard, pytest.raises(requests.ConnectionError):
        requests.get(f"http://{name}/latest/meta-data/", timeout=2)
    assert connects == []
    assert [r.host for r in guard.refused] == [name]
    assert "points at an internal address" in str(guard.refused[0])


@pytest.mark.parametrize("address", sorted(set(INTERNAL_NAMES.values())))
def test_requests_never_connects_to_an_internal_address(connects, address):
    host = f"[{address}]" if ":" in address else address
    with netguard.guarded() as guard, pytest.raises(requests.ConnectionError):
        requests.get(f"http://{host}:8080/", timeout=2)
    assert connects == []
    assert guard.refused


def test_a_public_name_is_connected_to_at_the_address_checked(connects):
    with netguard.guarded() as guard, pytest.raises(requests.ConnectionError):
        requests.get(f"https://{PUBLIC_NAME}/hook", timeout=2)
    assert connects == [(PUBLIC_ADDRESS, 443)]
    assert guard.refused == []


def test_one_lookup_a_rebinding_server_cannot_answer_twice(connects, stub_dns, monkeypatch):
    """The first answer is public, any later one internal: the guard asks once and the
    socket connects to that first, checked answer."""
    answers = iter([[PUBLIC_ADDRESS]] + [["127.0.0.1"]] * 10)

    def rebinding(host, *args):
        if host == "rebind.example.net":
            stub_dns.names[host] = next(answers)
        return stub_dns(host, *args)

    monkeypatch.setattr(netguard, "_resolve", rebinding)
    with netguard.guarded(), pytest.raises(requests.ConnectionError):
        requests.get("http://rebind.example.net/", timeout=2)
    assert connects == [(PUBLIC_ADDRESS, 80)]
    assert stub_dns.asked.count("rebind.example.net") == 1


def test_a_name_with_one_internal_address_among_public_ones_is_refused(connects, stub_dns):
    stub_dns.names["mixed.example.net"] = [PUBLIC_ADDRESS, "10.0.0.1"]
    with netguard.guarded() as guard, pytest.raises(requests.ConnectionError):
        requests.get("http://mixed.example.net/", timeout=2)
    assert connects == [] and guard.refused


def test_raw_sockets_are_guarded_too(connects):
    with netguard.guarded():
        with pytest.raises(netguard.Refused):
            socket.create_connection(("ten.example.net", 25), timeout=1)
        with socket.socket() as sock:
            with pytest.raises(netguard.Refused):  # a name handed straight to connect()
                sock.connect(("metadata.example.net", 80))
            with pytest.raises(netguard.Refused):  # a literal address never looked up
                sock.connect(("169.254.169.254", 80))
        with socket.socket() as sock, pytest.raises(netguard.Refused):
            sock.connect_ex(("10.9.9.9", 80))
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as udp:
            with pytest.raises(netguard.Refused):
                udp.sendto(b"<14>hello", ("10.0.0.5", 514))
            udp.sendto(b"<14>hello", (PUBLIC_NAME, 514))
        with socket.socket() as sock, pytest.raises(ConnectionRefusedError):
            sock.connect((PUBLIC_NAME, 80))  # resolved by the guard, connected to its address
    assert connects == [(PUBLIC_ADDRESS, 514), (PUBLIC_ADDRESS, 80)]


def test_the_allow_list_permits_named_hosts_and_networks(connects, settings):
    settings.DESKSIDE_OUTBOUND_ALLOW = ["ten.example.net", "192.168.0.0/16"]
    with netguard.guarded() as guard:
        for url in ("http://ten.example.net/", "http://home.example.net/", "http://[::1]/"):
            with pytest.raises(requests.ConnectionError):
                requests.get(url, timeout=2)
    assert connects == [("10.1.2.3", 80), ("192.168.1.20", 80)]
    assert [r.host for r in guard.refused] == ["::1"]


def test_outside_a_guarded_block_nothing_changes():
    """The wrappers are installed for the whole process but only act inside a block: the
    tests' own loopback servers (and everything else) work as before."""
    with socket.create_server(("127.0.0.1", 0)) as server:
        port = server.getsockname()[1]
        accepted = threading.Thread(target=server.accept, daemon=True)
        accepted.start()
        with socket.create_connection(("127.0.0.1", port), timeout=2):
            pass
        accepted.join(2)
    assert socket.getaddrinfo("127.0.0.1", 80)[0][4][0] == "127.0.0.1"


def test_the_guard_ends_with_its_block_and_stays_in_its_thread(connects):
    inside: list[object] = []
    with netguard.guarded():
        inside.append(netguard._current.get())
        other = threading.Thread(target=lambda: inside.append(netguard._current.get()))
        other.start()
        other.join()
    assert inside[0] is not None and inside[1] is None  # other threads are untouched
    assert netguard._current.get() is None


# -- the save-time check -----------------------------------------------------------------------


def test_the_save_time_check(connects, settings):
    assert netguard.problem("ten.example.net") == "points at an internal address"
    assert netguard.problem("10.0.0.1") == "points at an internal address"
    assert netguard.problem("[::1]") == "points at an internal address"
    assert netguard.problem(PUBLIC_NAME) == ""
    assert netguard.problem("unknown.example.net") == ""  # the guard decides at connect time
    settings.DESKSIDE_OUTBOUND_ALLOW = ["ten.example.net", "10.0.0.0/8"]
    assert netguard.problem("ten.example.net") == "" and netguard.problem("10.0.0.1") == ""
    assert connects == []


def test_a_bad_allow_list_stops_the_start_naming_the_variable(tmp_path):
    env = {
        **os.environ,
        "DESKSIDE_DATA_DIR": str(tmp_path),
        "DESKSIDE_OUTBOUND_ALLOW": "exchange.corp.example, http://ntfy.lan",
    }
    env.pop("DJANGO_SETTINGS_MODULE", None)
    done = subprocess.run(
        [sys.executable, "-c", "import deskside.settings"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode != 0
    assert (
        "DESKSIDE_OUTBOUND_ALLOW='exchange.corp.example,http://ntfy.lan': expected host names"
        in done.stderr
    )
    assert "'http://ntfy.lan' is neither a host name" in done.stderr


def test_a_slow_dns_answer_does_not_hold_a_save(monkeypatch, stub_dns):
    """The save-time lookup may run inside a transaction: it gives up after a bound and
    leaves the decision to the connect-time guard."""
    release = threading.Event()

    def slow(host, *args):
        release.wait(5)
        return stub_dns("10.0.0.1", *args)

    monkeypatch.setattr(netguard, "_resolve", slow)
    monkeypatch.setattr(netguard, "SAVE_LOOKUP_SECONDS", 0.2)
    try:
        assert netguard.problem("slow.example.net") == ""
    finally:
        release.set()
