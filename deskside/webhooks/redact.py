"""Keeping webhook URLs' credentials to administrators.

A receiver's URL often is its credential: a token in the query string
(`?token=...`), a user and password (`https://user:pass@host/`), or a secret path (Slack,
Teams and Discord incoming-webhook URLs). So:

- `masked_url` is what agents without the admin role see of a URL, on the pages and in the
  API: the scheme, host and port only, with `***` where a user, path or query was
  (`https://***@hooks.example.com/***?***`);
- `scrub` takes the URL out of a text that goes into the delivery log (`last_error`, shown to
  every agent) or the worker's log: the requests library names the URL in its errors
  ("Max retries exceeded with url: /hook?token=..."), and a receiver may echo it back.
"""

import re
from urllib.parse import urlsplit

import requests

MASK = "***"
MIN_PIECE = 4  # shorter query values are taken out only with the rest of the query
_ANY_URL = re.compile(r"""[a-zA-Z][a-zA-Z0-9+.-]*://[^\s'"<>)]+""")
_REQUESTS_URL = re.compile(r"""(with url: )[^\s'"<>)]+""")


def _origin(url: str) -> tuple[str, bool]:
    """`scheme://host[:port]` of `url`, and whether it had a user or password."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return "", False
    host = parts.hostname or ""
    if ":" in host:
        host = f"[{host}]"
    netloc = host + (f":{port}" if port is not None else "")
    return f"{parts.scheme}://{netloc}", bool(parts.username or parts.password)


def masked_url(url: str) -> str:
    """What a non-administrator sees of a webhook's URL (see the module docstring)."""
    origin, has_user = _origin(url)
    if not origin.strip(":/"):
        return MASK
    parts = urlsplit(url)
    if has_user:
        scheme, rest = origin.split("://", 1)
        origin = f"{scheme}://{MASK}@{rest}"
    path = "/" + MASK if parts.path not in ("", "/") else parts.path
    return (
        origin + path + ("?" + MASK if parts.query else "") + ("#" + MASK if parts.fragment else "")
    )


def _pieces(url: str) -> list[str]:
    """The parts of `url` that may be secret, longest first, as they may appear in text."""
    pieces = {url}
    try:
        parts = urlsplit(url)
        prepared = requests.Request("POST", url).prepare().path_url
    except (ValueError, requests.RequestException):
        return [url]
    pieces.add(prepared)
    if parts.query:
        pieces.add(parts.query)
        for pair in parts.query.split("&"):
            pieces.add(pair)
            value = pair.partition("=")[2]
            if len(value) >= MIN_PIECE:
                pieces.add(value)
    if parts.path not in ("", "/"):
        pieces.add(parts.path)
    for part in (parts.username, parts.password):
        if part:
            pieces.add(part)
    if "@" in parts.netloc:
        pieces.add(parts.netloc.rsplit("@", 1)[0])
    return sorted((p for p in pieces if len(p) > 1), key=len, reverse=True)


def scrub(text: str, url: str) -> str:
    """`text` without `url` or any secret-looking piece of it (see the module docstring)."""
    if not text:
        return text
    text = _ANY_URL.sub(lambda m: masked_url(m.group(0)), text)
    text = _REQUESTS_URL.sub(lambda m: m.group(1) + MASK, text)
    for piece in _pieces(url):
        text = text.replace(piece, MASK)
    return text
