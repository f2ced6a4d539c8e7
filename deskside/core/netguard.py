"""No server-side requests to internal addresses: one guard for every outgoing connection to
an address a user typed (Apprise URLs of contact methods, webhook URLs, the IMAP hosts of
mailboxes, and whatever comes next).

Use:

    with netguard.guarded() as guard:
        ...  # requests / Apprise / imaplib code, unchanged
    if guard.refused: ...  # a library that swallows errors (Apprise) still leaves the reason

Inside the block every host name is resolved once, by the guard, and refused (`Refused`, an
`OSError`, so each library reports it as the failed connection it is) when any of its
addresses is internal; the socket then connects to exactly the address that was checked. An
address is internal unless it is globally routable (Python's `ipaddress.is_global`, the IANA
special-purpose registries) and not multicast: loopback, RFC 1918, CGNAT (100.64/10), link
local (169.254/16 with the 169.254.169.254 metadata service, fe80::/10), unique local
(fc00::/7), site local, multicast, unspecified, reserved and documentation ranges, and the
IPv6 forms that embed an IPv4 address (IPv4-mapped ::ffff:a.b.c.d, NAT64 64:ff9b::/96, 6to4,
Teredo) judged by that IPv4 address.

`DESKSIDE_OUTBOUND_ALLOW` (settings.DESKSIDE_OUTBOUND_ALLOW) lets an operator permit named
internal hosts: host names (`exchange.corp.example`, or `*.corp.example` for the names under
it) and addresses or networks (`10.1.2.3`, `10.20.0.0/16`, `fd00:1::/64`). A name on the list
may resolve to any address; an address in a listed network is permitted whatever name led to it.

Why a guard on socket resolution, not a library: the maintained SSRF libraries for Python
(advocate, drawbridge, ...) each wrap one HTTP client (requests or httpx); Apprise's plugins,
`imaplib` and `smtplib` resolve names and open sockets themselves. So the guard wraps the
two points every one of them goes through, installed once (`install()`, from the core app's
`ready()`), and active only inside `guarded()` (a context variable, so other threads and
other code are untouched; a thread started inside the block does not inherit it, which is why
Apprise is run in sequential mode):

- `socket.getaddrinfo` (used by `socket.create_connection`, urllib3, asyncio ...): resolves
  with the system resolver, checks every address, and returns only checked addresses, so the
  connection that follows goes to an address that was checked, with no second lookup for a
  rebinding DNS server to answer differently;
- `socket.socket.connect`, `connect_ex` and `sendto`: a literal address must have been
  checked in this block or pass the check now; a name handed straight to `connect` (which
  would make the C library resolve it again) is resolved through the guard and the socket
  connects to the checked address. This is the backstop: no internal address is connected to
  from inside the block, whatever path a library takes.

Proxies: with `HTTPS_PROXY` set, requests connects to the proxy, which the guard checks
(an internal proxy must be allowed); the proxy itself must then refuse internal targets.

`problem(host)` is the save-time check for forms and the API ("points at an internal
address"): it resolves the name now, waiting at most SAVE_LOOKUP_SECONDS (a caller may hold a
database transaction); a name that does not resolve then is accepted. It is advice; the check
at connect time is what counts, since DNS can change after saving.
"""

import contextlib
import contextvars
import functools
import ipaddress
import logging
import socket
from collections.abc import Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import dataclass, field

log = logging.getLogger(__name__)

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network

_NAT64 = (ipaddress.ip_network("64:ff9b::/96"), ipaddress.ip_network("64:ff9b:1::/48"))
_INET = (socket.AF_INET, socket.AF_INET6)
ALLOW_SETTING = "DESKSIDE_OUTBOUND_ALLOW"


class Refused(OSError):
    """A connection to an internal address, refused. `str()` names the host, not the address
    it resolved to (the address is logged for the operator)."""

    def __init__(self, host: str) -> None:
        self.host = host
        super().__init__(
            f"{host} points at an internal address: refused (an operator can allow it with "
            f"{ALLOW_SETTING})"
        )


# -- the policy --------------------------------------------------------------------------------


@dataclass(frozen=True)
class AllowList:
    names: frozenset[str] = frozenset()
    suffixes: tuple[str, ...] = ()  # ".corp.example" for "*.corp.example"
    networks: tuple[IPNetwork, ...] = ()

    def permits_name(self, host: str) -> bool:
        host = _normal(host)
        return host in self.names or any(host.endswith(s) for s in self.suffixes)

    def permits_address(self, ip: IPAddress) -> bool:
        return any(ip in n for n in self.networks if n.version == ip.version)


def _normal(host: str) -> str:
    return host.strip().lower().rstrip(".")


def parse_allow(items: Iterable[str]) -> AllowList:
    """The allow-list from its items; ValueError naming the first item that is neither an
    address, a network nor a host name."""
    names: set[str] = set()
    suffixes: list[str] = []
    networks: list[IPNetwork] = []
    for raw in items:
        item = _normal(raw)
        try:
            networks.append(ipaddress.ip_network(item.strip("[]"), strict=False))
            continue
        except ValueError:
            pass
        wildcard = item.startswith("*.")
        name = item[2:] if wildcard else item
        labels = name.split(".")
        if not name or not all(
            label and len(label) <= 63 and label.replace("-", "").replace("_", "").isalnum()
            for label in labels
        ):
            raise ValueError(f"{raw!r} is neither a host name, an address nor a network")
        if wildcard:
            suffixes.append("." + name)
        else:
            names.add(name)
    return AllowList(frozenset(names), tuple(suffixes), tuple(networks))


@functools.lru_cache(maxsize=8)
def _allow_list(items: tuple[str, ...]) -> AllowList:
    return parse_allow(items)


def allow_list() -> AllowList:
    from django.conf import settings  # noqa: PLC0415 - settings.py imports this module

    return _allow_list(tuple(getattr(settings, "DESKSIDE_OUTBOUND_ALLOW", ())))


def _embedded_ipv4(ip: ipaddress.IPv6Address) -> list[ipaddress.IPv4Address]:
    found = []
    if ip.ipv4_mapped is not None:
        found.append(ip.ipv4_mapped)
    if ip.sixtofour is not None:
        found.append(ip.sixtofour)
    if ip.teredo is not None:
        found.extend(ip.teredo)
    if any(ip in n for n in _NAT64):
        found.append(ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF))
    return found


def is_internal(ip: IPAddress) -> bool:
    """True for every address a user-typed destination must not reach (module docstring)."""
    if isinstance(ip, ipaddress.IPv6Address):
        embedded = _embedded_ipv4(ip)
        if ip.ipv4_mapped is not None:
            return is_internal(ip.ipv4_mapped)
        if any(is_internal(v4) for v4 in embedded):
            return True
        if ip.is_site_local:
            return True
    return (
        not ip.is_global
        or ip.is_multicast
        or ip.is_private
        or ip.is_loopback
        or ip.is_link_local
        or ip.is_reserved
        or ip.is_unspecified
    )


def _address(text: str) -> IPAddress | None:
    try:
        return ipaddress.ip_address(text.strip("[]"))
    except ValueError:
        return None


def _permitted(host: str, ip: IPAddress, allowed: AllowList) -> bool:
    if not is_internal(ip) or allowed.permits_address(ip):
        return True
    mapped = ip.ipv4_mapped if isinstance(ip, ipaddress.IPv6Address) else None
    if mapped is not None and allowed.permits_address(mapped):
        return True
    return bool(host) and _address(host) is None and allowed.permits_name(host)


# -- resolution and connection (the system's functions, kept before wrapping) ------------------

_system_getaddrinfo = socket.getaddrinfo
_system_connect = socket.socket.connect
_system_connect_ex = socket.socket.connect_ex
_system_sendto = socket.socket.sendto


def _resolve(host, port, family=0, type=0, proto=0, flags=0):
    """The lookup the guard checks (the system resolver; tests put a stub resolver here)."""
    return _system_getaddrinfo(host, port, family, type, proto, flags)


def _connect(sock: socket.socket, address: object) -> None:
    """The real connect (tests observe connections here)."""
    return _system_connect(sock, address)


def _connect_ex(sock: socket.socket, address: object) -> int:
    return _system_connect_ex(sock, address)


def _sendto(sock: socket.socket, *args: object) -> int:
    return _system_sendto(sock, *args)


@dataclass
class Guard:
    """One guarded block: the addresses checked in it, and what was refused."""

    allowed: AllowList
    checked: set[str] = field(default_factory=set)
    refused: list[Refused] = field(default_factory=list)

    def refuse(self, host: str, ip: object) -> Refused:
        log.warning("netguard: refused a connection to %s (%s): an internal address", host, ip)
        exc = Refused(host)
        self.refused.append(exc)
        return exc

    def lookup(self, host, port, family=0, type=0, proto=0, flags=0) -> list:
        name = host.decode("idna") if isinstance(host, bytes) else (host or "")
        results = _resolve(host, port, family, type, proto, flags)
        for result in results:
            sockaddr = result[4]
            ip = _address(str(sockaddr[0]).split("%")[0])
            if ip is None or not _permitted(name, ip, self.allowed):
                raise self.refuse(name or "(no host)", sockaddr[0])
        for result in results:
            self.checked.add(str(result[4][0]))
        return results

    def sockaddr(self, sock: socket.socket, address: object) -> object:
        """The address to connect to: a checked literal address, or a name resolved and
        checked now (the first of its checked addresses)."""
        if not isinstance(address, tuple) or not address:
            return address
        host = address[0].decode() if isinstance(address[0], bytes) else str(address[0])
        ip = _address(host.split("%")[0])
        if ip is not None:
            if host in self.checked or _permitted("", ip, self.allowed):
                return address
            raise self.refuse(host, host)
        port = address[1] if len(address) > 1 else 0
        results = self.lookup(host, port, sock.family, sock.type)
        if not results:
            raise socket.gaierror(socket.EAI_NONAME, f"{host}: no address")
        return results[0][4]


_current: contextvars.ContextVar[Guard | None] = contextvars.ContextVar(
    "deskside_netguard", default=None
)


def _guarded_getaddrinfo(host, port, family=0, type=0, proto=0, flags=0):
    guard = _current.get()
    if guard is None:
        return _system_getaddrinfo(host, port, family, type, proto, flags)
    return guard.lookup(host, port, family, type, proto, flags)


def _guarded_connect(self: socket.socket, address: object) -> None:
    guard = _current.get()
    if guard is not None and self.family in _INET:
        address = guard.sockaddr(self, address)
    return _connect(self, address)


def _guarded_connect_ex(self: socket.socket, address: object) -> int:
    guard = _current.get()
    if guard is not None and self.family in _INET:
        address = guard.sockaddr(self, address)
    return _connect_ex(self, address)


def _guarded_sendto(self: socket.socket, data: bytes, *args: object) -> int:
    guard = _current.get()
    if guard is not None and self.family in _INET and args:
        args = (*args[:-1], guard.sockaddr(self, args[-1]))
    return _sendto(self, data, *args)


_installed = False


def install() -> None:
    """Wrap the socket functions (once per process; idempotent)."""
    global _installed  # the one piece of process state: the wrappers are in place
    if _installed:
        return
    socket.getaddrinfo = _guarded_getaddrinfo
    socket.socket.connect = _guarded_connect  # type: ignore[method-assign]
    socket.socket.connect_ex = _guarded_connect_ex  # type: ignore[method-assign]
    socket.socket.sendto = _guarded_sendto  # type: ignore[method-assign,assignment]
    _installed = True


@contextlib.contextmanager
def guarded() -> Iterator[Guard]:
    """Refuse connections to internal addresses inside the block (module docstring)."""
    install()
    guard = Guard(allowed=allow_list())
    token = _current.set(guard)
    try:
        yield guard
    finally:
        _current.reset(token)


# -- the save-time check -----------------------------------------------------------------------


SAVE_LOOKUP_SECONDS = 3.0
_lookups = ThreadPoolExecutor(max_workers=4, thread_name_prefix="netguard-lookup")


def _lookup_now(host: str) -> list:
    """The host's addresses within SAVE_LOOKUP_SECONDS (callers may hold a transaction: a slow
    DNS server must not keep it open), else an error."""
    future = _lookups.submit(_resolve, host, None, 0, socket.SOCK_STREAM)
    try:
        return future.result(timeout=SAVE_LOOKUP_SECONDS)
    except FutureTimeout:
        raise TimeoutError(f"{host}: no DNS answer within {SAVE_LOOKUP_SECONDS} s") from None


def problem(host: str) -> str:
    """Why a destination host may not be used ("" when it may, or when its name does not
    resolve now, or not within SAVE_LOOKUP_SECONDS: the connect-time guard decides then).
    Resolves the name."""
    host = (host or "").strip()
    if not host:
        return ""
    allowed = allow_list()
    ip = _address(host.split("%")[0])
    if ip is not None:
        return "" if _permitted(host, ip, allowed) else "points at an internal address"
    if allowed.permits_name(host):
        return ""
    try:
        results = _lookup_now(host)
    except (OSError, UnicodeError):
        return ""
    for result in results:
        ip = _address(str(result[4][0]).split("%")[0])
        if ip is None or not _permitted(host, ip, allowed):
            return "points at an internal address"
    return ""
