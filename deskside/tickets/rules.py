"""The rules every ticket operation checks: who may act on a ticket, which status changes are
allowed, and what valid input looks like. Each check raises a `tickets.exceptions` error that
names the field at fault; `tickets.services` calls them before it changes anything."""

from deskside.accounts.models import Organization, User
from deskside.accounts.permissions import is_agent
from deskside.accounts.queries import served_organization_ids
from deskside.tickets.exceptions import InvalidInput, InvalidTransition, NotAllowed
from deskside.tickets.models import TRANSITIONS, Priority, Status, Ticket
from deskside.tickets.queries import visible_tickets


def lock(ticket: Ticket) -> None:
    """Reload `ticket` from the database and lock its row until the transaction ends.

    The first step of every service that changes an existing ticket: views and the API load
    the ticket before the service's transaction starts, so without this a service would check
    (and save) a stale copy, e.g. reopen a ticket that an agent closed a moment ago. On
    PostgreSQL the row stays locked (`SELECT ... FOR UPDATE`) until commit; SQLite takes the
    database's write lock when the transaction begins (`transaction_mode` IMMEDIATE), so the
    reload there is equally current. Must run inside a transaction.
    """
    ticket.refresh_from_db(from_queryset=LOCKED)


# The rows every service reads with the ticket, joined in the locking query (a bulk action of
# 500 tickets read each of them again, one query per relation per ticket, after the refresh
# dropped the copies loaded before). Only the ticket's own row is locked (`of`: PostgreSQL
# refuses FOR UPDATE on the nullable side of an outer join).
LOCKED = Ticket.objects.select_related("organization", "assignee", "team").select_for_update(
    of=("self",)
)


def require_agent(actor: User, what: str) -> None:
    if not actor.is_agent:
        raise NotAllowed(f"only agents may {what}")


def require_visible(actor: User, ticket: Ticket) -> None:
    """Refuse an actor who may not see the ticket (as if the ticket did not exist for them)."""
    if actor.is_agent:
        ids = served_organization_ids(actor)
        if ids is None or ticket.organization_id in ids:
            return
    elif visible_tickets(actor).filter(pk=ticket.pk).exists():
        return
    raise NotAllowed("you cannot see this ticket")


def require_transition(ticket: Ticket, target: str) -> None:
    if target not in TRANSITIONS[ticket.status]:
        raise InvalidTransition(
            f"{ticket.number} is {Status(ticket.status).label.lower()} and cannot become "
            f"{Status(target).label.lower()}",
            field="status",
        )


def require_text(value: str, field: str, what: str) -> str:
    value = (value or "").strip()
    if not value:
        raise InvalidInput(f"{what} is required", field=field)
    return value


def require_choice(value: str, choices: type, field: str) -> str:
    if value not in choices.values:
        raise InvalidInput(f"{field} must be one of {', '.join(choices.values)}", field=field)
    return value


def parse_priority(value: int | str) -> int:
    if isinstance(value, str):
        try:
            return int(Priority.from_label(value))
        except KeyError:
            raise InvalidInput(
                "priority must be one of P1, P2, P3, OPS", field="priority"
            ) from None
    if value not in Priority.values:
        raise InvalidInput("priority must be one of P1, P2, P3, OPS", field="priority")
    return value


def require_active_agent(user: User | None, field: str) -> None:
    if user is not None and not is_agent(user):
        raise InvalidInput(f"{user} is not an active agent", field=field)


def require_serves(agent: User | None, organization: Organization, field: str) -> None:
    """Refuse an agent limited to other clients (`served_organizations`) as the assignee or a
    watcher of `organization`'s ticket: they could not even open it. Customers and None pass
    (other checks cover them)."""
    if agent is None or not agent.is_agent:
        return
    ids = served_organization_ids(agent)
    if ids is not None and organization.pk not in ids:
        raise InvalidInput(f"{agent} does not serve {organization}", field=field)


def require_no_cycle(ticket: Ticket, parent: Ticket | None) -> None:
    """Refuse `parent` when `ticket` is `parent` or one of its ancestors: the parent links must
    stay a tree (no A -> B -> A). Walks up from `parent`, one query per level; a cycle already
    in the data ends the walk instead of looping."""
    if parent is None:
        return
    pk: int | None = parent.pk
    seen: set[int] = set()
    while pk is not None and pk not in seen:
        if pk == ticket.pk:
            raise InvalidInput(
                f"{parent.number} is {ticket.number} or one of its sub-tickets; "
                "a ticket cannot be its own ancestor",
                field="parent",
            )
        seen.add(pk)
        pk = Ticket.objects.filter(pk=pk).values_list("parent_id", flat=True).first()
