"""Presence: the heartbeat of an open ticket page ("Ben is viewing / replying").

Presence is ephemeral (a few seconds' truth about who has a page open), so it writes neither
a timeline event nor an audit entry: nothing about the ticket or the configuration changes.
Each operation is one statement, so it is its own transaction.
"""

from deskside.accounts.models import User
from deskside.core import clock
from deskside.live.exceptions import InvalidState, NotAllowed
from deskside.live.models import Presence
from deskside.tickets.models import Ticket


def heartbeat(*, actor: User, ticket: Ticket, state: str = Presence.State.VIEWING) -> None:
    """Record that `actor` has `ticket` open now, viewing or replying (the reply or note box
    has the focus or holds text). One upsert (INSERT ... ON CONFLICT DO UPDATE on both
    databases). The caller has checked that the actor may see the ticket."""
    if not actor.is_agent:
        raise NotAllowed("only agents show up on a ticket")
    if state not in Presence.State.values:
        raise InvalidState(
            f"state must be one of {', '.join(Presence.State.values)}", field="state"
        )
    Presence.objects.bulk_create(
        [Presence(user=actor, ticket=ticket, state=state, seen_at=clock.now())],
        update_conflicts=True,
        unique_fields=["ticket", "user"],
        update_fields=["state", "seen_at"],
    )


def leave(*, actor: User, ticket: Ticket) -> None:
    """The page closed: `actor` no longer has `ticket` open."""
    Presence.objects.filter(user=actor, ticket=ticket).delete()
