"""The address that links in mails, pages, pages sent to on-call phones, webhooks and calendar
feeds point at.

In order:

1. `DESKSIDE_BASE_URL` (settings.DESKSIDE_BASE_URL) when set: the operator's word wins
   everywhere. Set it in production, where a proxy serves the desk under a public name.
2. For a page rendered for a request (`base_url(request)`): the request's own scheme and host.
   Django's `request.get_host()` accepts only hosts in ALLOWED_HOSTS (anything else is a 400
   before a view runs), and the link is shown only to the person who sent that request.
3. Without a request (mails, pages, webhooks, built by the worker or inside a service), the
   address of the `deskside serve` / `deskside demo` that runs this site: those commands put
   it in the environment of their own processes (`DESKSIDE_SERVED_URL`: the server processes
   and the demo's worker) and record it in the data directory (`served-url`) for a
   `deskside worker` started on its own, which reads it at each link it builds.
4. Otherwise `http://127.0.0.1:8000`, the default address of `deskside serve`.

A Host header never reaches a link without a request to check it against ALLOWED_HOSTS, and
never reaches a link in mail: an attacker cannot have a password-reset style link sent to
someone else pointing at their own host.
"""

import contextlib
import os
import socket
from pathlib import Path

from django.conf import settings
from django.http import HttpRequest

from deskside.core.env import env_str

DEFAULT = "http://127.0.0.1:8000"
SERVED_ENV = "DESKSIDE_SERVED_URL"
RECORD_NAME = "served-url"
WILDCARD_HOSTS = frozenset({"", "0.0.0.0", "::", "[::]"})  # noqa: S104 - names, not a bind


def serving_url(host: str, port: int) -> str:
    """The http:// address of a server bound to host:port. A wildcard bind (0.0.0.0, ::) has no
    address of its own: the machine's host name stands in for it."""
    if host in WILDCARD_HOSTS:
        host = socket.gethostname()
    if ":" in host and not host.startswith("["):  # an IPv6 literal
        host = f"[{host}]"
    return f"http://{host}:{port}"


def _record_path() -> Path:
    return Path(settings.DATA_DIR) / RECORD_NAME


def record(url: str) -> None:
    """Keep `url` in the data directory for workers started apart from the server (written to
    a temporary file and renamed, so a reader never sees half of it)."""
    path = _record_path()
    tmp = path.with_name(f".{RECORD_NAME}.{os.getpid()}")
    tmp.write_text(url + "\n", encoding="utf-8")
    os.replace(tmp, path)


def recorded() -> str:
    """The address the last `deskside serve` or `deskside demo` recorded, or ""."""
    with contextlib.suppress(FileNotFoundError):
        return _record_path().read_text(encoding="utf-8").strip()
    return ""


def base_url(request: HttpRequest | None = None) -> str:
    """The address links point at, without a trailing slash (see the module docstring)."""
    if settings.DESKSIDE_BASE_URL:
        return settings.DESKSIDE_BASE_URL.rstrip("/")
    if request is not None:
        return request.build_absolute_uri("/").rstrip("/")
    return (env_str(SERVED_ENV) or recorded() or DEFAULT).rstrip("/")
