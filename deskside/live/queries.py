"""Read side of the live pages: what changed since a page was rendered, who else has a ticket
open. Each answer is one indexed query, because every open page asks every 10 seconds.

Tenancy: the new-ticket count reads `tickets.queries.queue` (the agent's served clients) and
the changes read `tickets.queries.visible_events`; the views look the ticket up with
`ticket_for` first.
"""

from dataclasses import dataclass
from typing import Any

from django.http import Http404

from deskside.accounts.models import User
from deskside.core import clock
from deskside.live.models import PRESENCE_TTL, Presence
from deskside.tickets.models import Ticket, TicketEvent, parse_number
from deskside.tickets.queries import queue, visible_events, visible_tickets

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
    """Events on a ticket after the page's version, written by someone else: their ids,
    newest first (up to CHANGES_CAP)."""

    ids: tuple[int, ...]

    @property
    def count(self) -> int:
        return len(self.ids)

    @property
    def key(self) -> int:
        return self.ids[0] if self.ids else 0


def changes_since(user: User, ticket: Ticket, since: int) -> Changes:
    """The events of `ticket` visible to `user` after event id `since`, except `user`'s own:
    their ids only (the poll's answer is usually "nothing new"; `latest_change` reads the
    event to show when there is something)."""
    qs = (
        visible_events(user, ticket)
        .prefetch_related(None)
        .filter(pk__gt=since)
        .exclude(actor=user)
        .order_by("-pk")
        .values_list("pk", flat=True)
    )
    return Changes(tuple(qs[:CHANGES_CAP]))


def latest_change(changes: Changes) -> TicketEvent | None:
    """The newest of `changes`, with its actor, to say what happened."""
    if not changes.ids:
        return None
    return TicketEvent.objects.select_related("actor").filter(pk=changes.key).first()


def ticket_to_watch(user: User, number: str) -> Ticket:
    """The ticket numbered `number` if `user` may see it (Http404 otherwise), with only the
    columns a poll needs: a whole ticket row costs more than the rest of the poll."""
    pk = parse_number(number)
    ticket = (
        visible_tickets(user).filter(pk=pk).only("pk", "organization_id").first()
        if pk is not None
        else None
    )
    if ticket is None:
        raise Http404("no such ticket")
    return ticket


def present_on(ticket: Ticket, *, besides: User) -> list[Presence]:
    """The other agents who had `ticket` open within PRESENCE_TTL, those replying first."""
    since = clock.now() - PRESENCE_TTL
    rows = (
        Presence.objects.filter(ticket=ticket, seen_at__gte=since)
        .exclude(user=besides)
        .select_related("user")
    )
    return sorted(rows, key=lambda p: (p.state != Presence.State.REPLYING, p.user.full_name))
