"""Read side of the live pages: what changed since a page was rendered, who else has a ticket
open. Each answer is one indexed query, because every open page asks every 10 seconds.

Tenancy: the new-ticket count reads `tickets.queries.queue` (the agent's served clients) and
the changes read `tickets.queries.visible_events`; the views look the ticket up with
`ticket_for` first.
"""

from dataclasses import dataclass
from typing import Any

from deskside.accounts.models import User
from deskside.core import clock
from deskside.live.models import PRESENCE_TTL, Presence
from deskside.tickets.models import Ticket, TicketEvent
from deskside.tickets.queries import queue, visible_events

# "99+ new tickets": the count stops there, so it never reads more than this many rows.
NEW_CAP = 100
# "Ana added a note and 19+ more changes": the same for a ticket's timeline.
CHANGES_CAP = 20


def newest_ticket_id() -> int:
    """The highest ticket id now: the queue page's starting point for "new tickets" (those
    created after the page was rendered, whatever its sort and page). One index probe."""
    return Ticket.objects.order_by("-pk").values_list("pk", flat=True).first() or 0


def new_ticket_count(user: User, name: str, after: int, **filters: Any) -> int:
    """How many tickets of `user`'s queue `name` (narrowed by `filters`, as the queue page is)
    have an id above `after`, up to NEW_CAP. Reads the primary key range above `after`: the
    newest few rows of the table."""
    qs = queue(user, name, **filters).filter(pk__gt=after).order_by()
    return qs.values("pk")[:NEW_CAP].count()


@dataclass(frozen=True)
class Changes:
    """Events on a ticket after the page's version, written by someone else."""

    latest: TicketEvent | None
    count: int  # up to CHANGES_CAP

    @property
    def key(self) -> int:
        return self.latest.pk if self.latest else 0


def changes_since(user: User, ticket: Ticket, since: int) -> Changes:
    """The events of `ticket` visible to `user` after event id `since`, except `user`'s own,
    newest first: the latest (with its actor) and how many (up to CHANGES_CAP)."""
    qs = (
        visible_events(user, ticket)
        .prefetch_related(None)
        .filter(pk__gt=since)
        .exclude(actor=user)
        .order_by("-pk")
    )
    rows = list(qs[:CHANGES_CAP])
    return Changes(rows[0] if rows else None, len(rows))


def present_on(ticket: Ticket, *, besides: User) -> list[Presence]:
    """The other agents who had `ticket` open within PRESENCE_TTL, those replying first."""
    since = clock.now() - PRESENCE_TTL
    rows = (
        Presence.objects.filter(ticket=ticket, seen_at__gte=since)
        .exclude(user=besides)
        .select_related("user")
    )
    return sorted(rows, key=lambda p: (p.state != Presence.State.REPLYING, p.user.full_name))
