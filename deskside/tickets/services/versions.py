"""Stale edits: refuse an action based on a copy of the ticket that someone else has changed
since (optimistic concurrency, as an HTTP `If-Match`).

A ticket's *version* is the id of the last event of its timeline that the viewer may see
(`queries.ticket_version`): every change writes an event, and ids only grow, so two copies
are the same exactly when their versions are. The ticket page puts the version it was
rendered from into every action form, the API exposes it as `version` and takes it back as
`If-Match` or a `version` field; the services take it as `expected_version` (None: no check,
as the mail intake, the worker and the bulk actions call them).

What counts as a conflict depends on the action (`STATE`, `CONVERSATION`):

- a change of the ticket's state (field edits, status, assign, escalate, resolve, reopen,
  close, merge, watchers) is refused when, since the expected version, someone else changed
  the ticket's state or the customer wrote: the agent decided on what the page showed;
- a public reply is refused only when another public reply (an agent's or the customer's)
  arrived since: a reply written while a colleague answered, or blind to the customer's
  newest message, must not go out unread; a status change or a note does not make it stale;
- an internal note and a logged call are never refused: they add to the timeline and cannot
  overwrite anything.

The actor's own events never count (their own second tab, their action a moment ago), nor
events the actor may not see (a customer's copy is not stale because of an internal note),
nor the desk's automatic bookkeeping (SLA warnings, mail sent, pages).
"""

from datetime import datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.db.models import Q

from deskside.accounts.models import User
from deskside.core import clock
from deskside.tickets.exceptions import StaleTicket
from deskside.tickets.models import EventKind, Status, Ticket, TicketEvent
from deskside.tickets.queries import INTERNAL_KINDS, ticket_version

STATE_KINDS = (
    EventKind.CHANGED,
    EventKind.ASSIGNED,
    EventKind.ESCALATED,
    EventKind.STATUS,
    EventKind.RESOLVED,
    EventKind.REOPENED,
    EventKind.CLOSED,
    EventKind.MERGED,
    EventKind.WATCHERS,
)

# A state change is stale after a state change or a message from the customer.
STATE = Q(kind__in=STATE_KINDS) | Q(kind=EventKind.REPLY, actor__kind=User.Kind.CUSTOMER)
# A reply is stale after another public reply only.
CONVERSATION = Q(kind=EventKind.REPLY)


def check_version(
    *, actor: User, ticket: Ticket, expected: int | None, conflicts: Q = STATE
) -> None:
    """Raise StaleTicket when an event matching `conflicts`, written by someone other than
    `actor` and visible to them, came after version `expected`. Call it after `lock(ticket)`
    and the visibility check, inside the service's transaction. One indexed query
    (event_ticket_id), none when `expected` is None."""
    if expected is None:
        return
    later = TicketEvent.objects.filter(conflicts, ticket=ticket, pk__gt=expected).exclude(
        actor=actor
    )
    if not actor.is_agent:
        later = later.filter(is_public=True).exclude(kind__in=INTERNAL_KINDS)
    events = list(later.select_related("actor").order_by("-pk")[:MAX_NAMED])
    if events:
        current = ticket_version(actor, ticket)
        raise StaleTicket(stale_message(actor, events), current=current)


# How many of the conflicting changes the message looks at (the latest person's, in order).
MAX_NAMED = 5


def stale_message(viewer: User, events: list[TicketEvent]) -> str:
    """The refusal: "Ben Agent changed this ticket at 14:02 (status → Pending customer) since
    you opened it; reload to see the change." The latest change (`events` are newest first)
    and the others that person made with it, the time in the viewer's time zone."""
    latest = events[0]
    who = latest.actor.get_full_name() if latest.actor else "Deskside"
    when = _when(viewer, latest.created_at)
    if latest.kind == EventKind.REPLY:
        return (
            f"{who} replied to this ticket at {when} since you opened it; "
            "reload to read the reply first."
        )
    theirs = []
    for event in events:
        if event.actor_id != latest.actor_id or event.kind == EventKind.REPLY:
            break
        theirs.append(describe(event))
    return (
        f"{who} changed this ticket at {when} ({', '.join(reversed(theirs))}) since you "
        "opened it; reload to see the change."
    )


def describe(event: TicketEvent) -> str:
    """What a state event did, in a few words: "status → Pending customer"."""
    data = event.data or {}
    kind = event.kind
    if kind == EventKind.STATUS:
        return f"status → {_status_label(data.get('to'))}"
    if kind == EventKind.ASSIGNED:
        return f"assigned to {data.get('to') or data.get('team_to') or 'nobody'}"
    if kind == EventKind.ESCALATED:
        return f"escalated to {data.get('to_tier', 'the next tier')}"
    if kind == EventKind.CHANGED:
        changes = data.get("changes") or {}
        if len(changes) == 1:
            field, (_old, new) = next(iter(changes.items()))
            if field == "description":
                return "description edited"
            shown = "none" if new in (None, "") else str(new)
            return f"{field} → {shown if len(shown) <= 40 else shown[:39] + '…'}"
        return f"{', '.join(changes) or 'fields'} edited"
    if kind == EventKind.MERGED:
        return f"merged into {data.get('into', 'another ticket')}"
    return EventKind(kind).label.lower()


def _status_label(value: object) -> str:
    try:
        return str(Status(value).label)
    except ValueError:
        return str(value)


def _when(viewer: User, instant: datetime) -> str:
    try:
        zone = ZoneInfo(viewer.timezone or "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        zone = ZoneInfo("UTC")
    local = instant.astimezone(zone)
    if local.date() == clock.now().astimezone(zone).date():
        return f"{local:%H:%M}"
    return f"{local.day} {local:%b %H:%M}"
