"""The address a request comes from, for sign-in throttling and the session list.

REMOTE_ADDR is the peer of the connection. Only when that peer is one of the reverse proxies
named in DESKSIDE_TRUSTED_PROXIES (addresses or networks) is X-Forwarded-For read: from its
right end, skipping addresses of trusted proxies, the first other address is the client. A client
that sends its own X-Forwarded-For to a desk without a proxy, or through the proxy (which appends
the real peer), changes nothing.
"""

import ipaddress
from functools import lru_cache

from django.conf import settings
from django.http import HttpRequest

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


@lru_cache(maxsize=8)
def _networks(proxies: tuple[str, ...]) -> tuple[Network, ...]:
    return tuple(ipaddress.ip_network(p.strip(), strict=False) for p in proxies if p.strip())


def _parse(value: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    value = value.strip()
    if value.startswith("[") and "]" in value:  # [v6]:port
        value = value[1 : value.index("]")]
    elif value.count(":") == 1:  # v4:port
        value = value.split(":", 1)[0]
    try:
        return ipaddress.ip_address(value)
    except ValueError:
        return None


def _trusted(address, networks: tuple[Network, ...]) -> bool:
    return any(address in net for net in networks)


def client_ip(request: HttpRequest) -> str:
    """The client's address as a string ("" when the connection has none)."""
    peer = _parse(request.META.get("REMOTE_ADDR", ""))
    if peer is None:
        return ""
    networks = _networks(tuple(getattr(settings, "DESKSIDE_TRUSTED_PROXIES", ())))
    if not networks or not _trusted(peer, networks):
        return str(peer)
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    for hop in reversed(forwarded.split(",")):
        address = _parse(hop)
        if address is None:
            break  # garbage from before the trusted proxies: stop at the last good address
        peer = address
        if not _trusted(address, networks):
            break
    return str(peer)
