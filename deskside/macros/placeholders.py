"""The placeholders a macro's text may use, and their safe substitution.

A macro's text is written by agents, so it is never handed to the Django template engine
(no attribute access, no tags, no filters): `render` replaces each `{{name}}` (spaces inside
the braces allowed) whose name is one of `PLACEHOLDERS` with the value this module computes
for the ticket, and leaves every other character as written. `unknown` lists the names a text
uses that are not placeholders; the services refuse such a text when a macro is saved, so a
stored macro only has known ones.

A value the ticket does not have (no site, a requester without a name) renders as empty text
and is reported in `Rendered.missing`, so the preview can say so before anything is sent.
"""

import re
from collections.abc import Callable
from dataclasses import dataclass

from deskside.accounts.models import User
from deskside.tickets.models import Ticket

PATTERN = re.compile(r"\{\{\s*([^{}]*?)\s*\}\}")


def _first_name(user: User) -> str:
    return user.full_name.split()[0] if user.full_name.strip() else ""


PLACEHOLDERS: dict[str, tuple[str, Callable[[Ticket, User], str]]] = {
    "requester.first_name": (
        "The requester's first name",
        lambda t, a: _first_name(t.requester),
    ),
    "requester.name": ("The requester's full name", lambda t, a: t.requester.full_name.strip()),
    "ticket.number": ("The ticket's number (T-10423)", lambda t, a: t.number),
    "ticket.subject": ("The ticket's subject", lambda t, a: t.subject),
    "agent.name": ("Your full name (the agent applying the macro)", lambda t, a: a.get_full_name()),
    "agent.first_name": ("Your first name", lambda t, a: _first_name(a)),
    "site.name": ("The ticket's site", lambda t, a: t.site.name if t.site_id else ""),
    "client.name": ("The client (organisation)", lambda t, a: t.organization.name),
}
"""name -> (what it is, how it is computed for a ticket and the acting agent)."""


@dataclass(frozen=True)
class Rendered:
    text: str
    missing: tuple[str, ...]  # the placeholders that rendered empty, in order of first use


def unknown(text: str) -> list[str]:
    """The placeholder names in `text` that are not PLACEHOLDERS, in order, each once."""
    seen: list[str] = []
    for match in PATTERN.finditer(text):
        name = match.group(1)
        if name not in PLACEHOLDERS and name not in seen:
            seen.append(name)
    return seen


def render(text: str, *, ticket: Ticket, agent: User) -> Rendered:
    """`text` with each known placeholder replaced by its value for `ticket` and `agent`. An
    unknown one (only in a text not saved through the services) is left as written."""
    missing: list[str] = []
    cache: dict[str, str] = {}

    def value(match: re.Match[str]) -> str:
        name = match.group(1)
        spec = PLACEHOLDERS.get(name)
        if spec is None:
            return match.group(0)
        if name not in cache:
            cache[name] = spec[1](ticket, agent)
            if not cache[name] and name not in missing:
                missing.append(name)
        return cache[name]

    return Rendered(text=PATTERN.sub(value, text), missing=tuple(missing))
