"""The one parser of Deskside's environment variables (settings.py and cli.py read every
DESKSIDE_* variable through it).

Rules, the same for every variable:

- Surrounding white space is ignored; an unset variable and an empty one both mean "use the
  default" (so `DESKSIDE_DEBUG=` in a unit file is the same as leaving it out).
- A switch (`env_bool`) is on for 1/true/yes/on and off for 0/false/no/off, in any case.
  Anything else is an error: a typo must not turn debug pages or insecure TLS on or off.
- A bad value raises `EnvError`, one line that names the variable and what it expects. The CLI
  prints it as `deskside: error: ...` with exit code 2; a web server fails to start with it.
  Values are echoed back, except for variables whose names say they hold secrets.
"""

import os
from collections.abc import Iterable
from urllib.parse import urlsplit

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

TRUE = frozenset({"1", "true", "yes", "on"})
FALSE = frozenset({"0", "false", "no", "off", ""})
SECRET_WORDS = ("PASSWORD", "SECRET", "TOKEN", "KEY")


class EnvError(ImproperlyConfigured):
    """An environment variable holds a value Deskside cannot use. `str()` is the whole,
    one-line message, naming the variable."""

    def __init__(self, name: str, expected: str, value: str, *, hidden: bool = False) -> None:
        self.name = name
        hidden = hidden or any(w in name for w in SECRET_WORDS)
        shown = "(hidden)" if hidden else repr(value)
        super().__init__(f"{name}={shown}: expected {expected}")


def _raw(name: str) -> str:
    return os.environ.get(name, "").strip()


def env_str(name: str, default: str = "") -> str:
    """The variable's value without surrounding white space, or `default` when unset/empty."""
    return _raw(name) or default


def env_bool(name: str, default: bool = False) -> bool:
    """A switch: 1/true/yes/on or 0/false/no/off (any case); unset or empty: `default`."""
    value = _raw(name)
    if not value:
        return default
    if value.lower() in TRUE:
        return True
    if value.lower() in FALSE:
        return False
    raise EnvError(name, "one of 1, true, yes, on (on) or 0, false, no, off (off)", value)


def env_int(
    name: str, default: int, *, minimum: int | None = None, maximum: int | None = None
) -> int:
    """A whole number within [minimum, maximum] (each optional); unset or empty: `default`."""
    value = _raw(name)
    if not value:
        return default
    if minimum is not None and maximum is not None:
        expected = f"a whole number from {minimum} to {maximum}"
    elif minimum is not None:
        expected = f"a whole number of at least {minimum}"
    elif maximum is not None:
        expected = f"a whole number of at most {maximum}"
    else:
        expected = "a whole number"
    try:
        number = int(value)
    except ValueError:
        raise EnvError(name, expected, value) from None
    if (minimum is not None and number < minimum) or (maximum is not None and number > maximum):
        raise EnvError(name, expected, value)
    return number


def env_list(name: str, default: Iterable[str] = ()) -> list[str]:
    """Comma-separated items, each stripped, empty ones dropped; unset or empty: `default`."""
    value = _raw(name)
    if not value:
        return list(default)
    return [item.strip() for item in value.split(",") if item.strip()]


def env_choice(name: str, choices: Iterable[str], default: str) -> str:
    """One of `choices` (compared without case, returned as spelled in `choices`)."""
    value = _raw(name)
    if not value:
        return default
    by_lower = {c.lower(): c for c in choices}
    if value.lower() not in by_lower:
        raise EnvError(name, "one of " + ", ".join(by_lower.values()), value)
    return by_lower[value.lower()]


def env_url(name: str, default: str = "") -> str:
    """An absolute http(s) URL without a trailing slash (`https://desk.example.com`,
    `https://example.com/desk`); unset or empty: `default`."""
    value = _raw(name)
    if not value:
        return default
    parts = urlsplit(value)
    if parts.scheme not in {"http", "https"} or not parts.netloc or parts.query or parts.fragment:
        raise EnvError(name, "an http:// or https:// address such as https://desk.example", value)
    try:
        parts.port  # noqa: B018 - raises ValueError for a port that is not a number
    except ValueError:
        raise EnvError(name, "an http:// or https:// address with a valid port", value) from None
    return value.rstrip("/")


def env_database(name: str, default: str, **options: object) -> dict:
    """A database URL parsed by dj-database-url into Django's DATABASES entry; unset or empty:
    `default`. The value is never echoed (it usually holds a password)."""
    value = _raw(name) or default
    expected = "a database URL such as postgres://user:password@host:5432/name"
    try:
        config = dj_database_url.parse(value, **options)  # type: ignore[arg-type]
    except (ValueError, KeyError):
        # from None: the parser's message can quote part of the password (a "port" cut from
        # a password holding a "/"), and a traceback would print it.
        raise EnvError(name, expected, value, hidden=True) from None
    if not config.get("ENGINE"):
        raise EnvError(name, expected, value, hidden=True)
    return dict(config)
