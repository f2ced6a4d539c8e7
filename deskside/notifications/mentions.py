"""Mentions in internal notes: `@` followed by the part of an agent's email address before the
`@` (`@alice` for alice@msp.example, `@jo.smith` for jo.smith@msp.example), any case.

Why the address: it is unique, agents already know it (it is their login), and it has no
spaces, so a mention ends where the name ends. A name that no active agent's address starts
with (a customer, a typo), or one that two agents' addresses share (alice@msp.example and
alice@partner.example), mentions nobody; the note is saved all the same. A mention must start
the text or follow a space or punctuation: the `@` inside an email address
(bob@alice.example) is not one. A dot, hyphen or plus at the end belongs to the sentence
("ask @alice.").
"""

import re
from collections import defaultdict

from django.db.models import Q

from deskside.accounts.models import User

MENTION = re.compile(r"(?<![\w@.+-])@([a-z0-9](?:[a-z0-9._+-]*[a-z0-9_])?)", re.IGNORECASE)
MAX_MENTIONS = 20  # a note naming more people than that is a list, not a mention each


def names(text: str) -> list[str]:
    """The names mentioned in `text`, lower-cased, each once, in order (at most MAX_MENTIONS)."""
    if "@" not in text:
        return []
    found = dict.fromkeys(m.group(1).lower() for m in MENTION.finditer(text))
    return list(found)[:MAX_MENTIONS]


def agents_named(found: list[str]) -> dict[str, int]:
    """{name: user id} of the active agents `found` names unambiguously (one query)."""
    if not found:
        return {}
    match = Q()
    for name in found:
        match |= Q(email__istartswith=f"{name}@")
    rows = User.objects.filter(match, kind=User.Kind.AGENT, is_active=True).values_list(
        "pk", "email"
    )
    by_name: dict[str, list[int]] = defaultdict(list)
    for pk, email in rows:
        by_name[email.rpartition("@")[0].lower()].append(pk)
    return {name: ids[0] for name, ids in by_name.items() if len(ids) == 1 and name in found}
