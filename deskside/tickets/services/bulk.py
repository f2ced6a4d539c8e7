"""Bulk actions: one step (assign, set status, priority, team or tier, add a watcher, merge,
close) applied to many tickets at once, from a queue, a search result or the API.

`bulk_apply` calls the SAME one-ticket services for each ticket, so the permission and
transition rules are the ones an agent meets one ticket at a time, and each ticket gets its
own timeline event through `write_event` (the hook's handlers run: mail, paging, webhooks,
notifications). Each ticket runs in its own transaction (a savepoint when the caller already
holds one), so one refusal never undoes the others; a refused ticket is reported with the
reason its service gave (the DomainError's message).

Only tickets the actor may see are touched: an id of another client's ticket (or one that
does not exist) is refused as "not found", exactly as a mistyped one, never confirmed.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import QuerySet

from deskside.accounts.models import Team, User
from deskside.core.exceptions import DomainError
from deskside.tickets.exceptions import InvalidInput, NotAllowed
from deskside.tickets.models import Priority, Status, Ticket, parse_number
from deskside.tickets.queries import visible_tickets
from deskside.tickets.services.conversation import set_watchers
from deskside.tickets.services.edits import merge_tickets, update_ticket
from deskside.tickets.services.routing import assign_ticket, escalate_ticket
from deskside.tickets.services.status import close_ticket, set_status

MAX_BULK = 5_000
"""The most tickets one bulk action takes ("select all N matching" over more is refused
whole, with a message asking to narrow the filter): a bounded request, a bounded summary."""

ACTIONS = ("assign", "status", "priority", "team", "escalate", "watch", "merge", "close")
NOT_FOUND = "not found"
# The related rows every service reads: loaded once with the tickets, not once per ticket.
RELATED = ("organization", "assignee", "team")


@dataclass(frozen=True)
class Refusal:
    number: str
    reason: str


@dataclass
class BulkResult:
    """What a bulk action did: the numbers of the tickets done (in the order asked), and each
    refused ticket with the reason its service gave. `headline` says what was done
    ("Assigned 47 tickets to Ana Agent")."""

    action: str
    headline: str
    done: list[str] = field(default_factory=list)
    refused: list[Refusal] = field(default_factory=list)

    def summary(self) -> str:
        """One line for the page: "Assigned 47 tickets to Ana; 3 refused: T-10422 ..."."""
        text = self.headline
        if self.refused:
            shown = "; ".join(f"{r.number} {r.reason}" for r in self.refused[:10])
            more = f" and {len(self.refused) - 10} more" if len(self.refused) > 10 else ""
            text += f"; {len(self.refused)} refused: {shown}{more}"
        return text


def _tickets(n: int) -> str:
    return f"{n} ticket" if n == 1 else f"{n} tickets"


def _name(user: User | None) -> str:
    return user.get_full_name() if user is not None else "nobody"


def _ids(tickets: QuerySet[Ticket] | Iterable[int | str]) -> tuple[list[int], list[Refusal]]:
    """The primary keys asked for, in order, without repeats; malformed numbers refused."""
    if isinstance(tickets, QuerySet):
        pks = list(tickets.values_list("pk", flat=True)[: MAX_BULK + 1])
        if len(pks) > MAX_BULK:
            raise InvalidInput(
                f"more than {MAX_BULK:,} tickets match; bulk actions take at most "
                f"{MAX_BULK:,} at once: narrow the filter",
                field="filter",
            )
        return pks, []
    pks: list[int] = []
    bad: list[Refusal] = []
    for item in tickets:
        pk = item if isinstance(item, int) else parse_number(str(item))
        if pk is None or pk <= 0:
            bad.append(Refusal(str(item), NOT_FOUND))
        elif pk not in pks:
            pks.append(pk)
    if len(pks) > MAX_BULK:
        raise InvalidInput(f"at most {MAX_BULK:,} tickets at once", field="ids")
    return pks, bad


Step = Callable[[Ticket], bool]  # True: done; False: nothing to change (reported as refused)


def _plan(actor: User, action: str, args: dict[str, Any]) -> tuple[Step, str]:  # noqa: C901 - one branch per action
    """The one-ticket step for `action` with its arguments checked once, and the headline."""
    if action == "assign":
        assignee: User | None = args.get("assignee")
        team: Team | None = args.get("team")

        def assign(t: Ticket) -> bool:
            assign_ticket(actor=actor, ticket=t, assignee=assignee, team=team)
            return True

        to = _name(assignee) + (f" ({team.name})" if team else "")
        return assign, f"Assigned {{n}} to {to}"
    if action == "team":
        team = args.get("team")
        if team is None:
            raise InvalidInput("choose a team", field="team")

        def to_team(t: Ticket) -> bool:
            assign_ticket(actor=actor, ticket=t, assignee=t.assignee, team=team)
            return True

        return to_team, f"Moved {{n}} to {team.name}"
    if action == "status":
        status = args.get("status") or ""
        if not status:
            raise InvalidInput("choose a status", field="status")
        reason = args.get("reason") or ""

        def to_status(t: Ticket) -> bool:
            set_status(actor=actor, ticket=t, status=status, reason=reason)
            return True

        label = Status(status).label.lower() if status in Status.values else status
        return to_status, f"Set {{n}} to {label}"
    if action == "priority":
        priority = args.get("priority")
        if priority in (None, ""):
            raise InvalidInput("choose a priority", field="priority")

        def to_priority(t: Ticket) -> bool:
            return update_ticket(actor=actor, ticket=t, priority=priority) is not None

        label = priority if isinstance(priority, str) else Priority(priority).label
        return to_priority, f"Set {{n}} to {label}"
    if action == "escalate":
        tier = args.get("tier") or ""
        if not tier:
            raise InvalidInput("choose a tier", field="tier")

        def escalate(t: Ticket) -> bool:
            escalate_ticket(
                actor=actor,
                ticket=t,
                tier=tier,
                symptoms=args.get("symptoms") or "",
                steps_tried=args.get("steps_tried") or "",
                impact=args.get("impact") or "",
                team=args.get("team"),
                assignee=args.get("assignee"),
            )
            return True

        return escalate, f"Escalated {{n}} to {tier}"
    if action == "watch":
        watcher: User | None = args.get("watcher")
        if watcher is None:
            raise InvalidInput("choose a watcher", field="watcher")

        def watch(t: Ticket) -> bool:
            current = list(t.watchers.all())
            if any(w.pk == watcher.pk for w in current):
                return False
            set_watchers(actor=actor, ticket=t, watchers=[*current, watcher])
            return True

        return watch, f"Added {_name(watcher)} as a watcher of {{n}}"
    if action == "close":
        reason = args.get("reason") or ""

        def close(t: Ticket) -> bool:
            close_ticket(actor=actor, ticket=t, reason=reason)
            return True

        return close, "Closed {n}"
    raise InvalidInput(f"action must be one of {', '.join(ACTIONS)}", field="action")


def _merge_target(actor: User, into: Ticket | str | None) -> Ticket:
    if isinstance(into, Ticket):
        pk: int | None = into.pk
    else:
        pk = parse_number(into or "")
    target = visible_tickets(actor).filter(pk=pk).first() if pk else None
    if target is None:
        raise InvalidInput(f"no ticket {into!r} to merge into", field="into")
    return target


def bulk_apply(
    *,
    actor: User,
    tickets: QuerySet[Ticket] | Iterable[int | str],
    action: str,
    **args: Any,
) -> BulkResult:
    """Apply `action` to each of `tickets` (ids, numbers such as "T-10423", or a queryset: the
    "all matching" of a queue's filter), each through its one-ticket service in its own
    transaction. The arguments per action:

    - assign: assignee (User or None: unassign), team (optional)
    - team: team; status: status, reason; priority: priority (label or value)
    - escalate: tier, symptoms, steps_tried, impact, team, assignee (as escalate_ticket)
    - watch: watcher (User); close: reason
    - merge: into (the surviving Ticket or its number; every other ticket is merged into it)

    Raises NotAllowed for a customer, InvalidInput for an unknown action, a missing argument,
    a merge target the actor may not see, or more than MAX_BULK tickets (nothing is done).
    Everything else is per ticket: refused with its service's message, the rest done.
    """
    if not actor.is_agent:
        raise NotAllowed("only agents may use bulk actions")
    target = None
    if action == "merge":
        target = _merge_target(actor, args.get("into"))

        def merge(t: Ticket) -> bool:
            merge_tickets(actor=actor, source=t, target=target)
            return True

        step: Step = merge
        headline = f"Merged {{n}} into {target.number}"
    else:
        step, headline = _plan(actor, action, args)
    pks, refused = _ids(tickets)
    rows = visible_tickets(actor).select_related(*RELATED)
    if action == "watch":
        rows = rows.prefetch_related("watchers")
    found = rows.in_bulk(pks)
    done: list[str] = []
    for pk in pks:
        ticket = found.get(pk)
        if ticket is None:
            refused.append(Refusal(Ticket(pk=pk).number, NOT_FOUND))
            continue
        if target is not None and ticket.pk == target.pk:
            continue  # the survivor of the merge
        try:
            changed = step(ticket)
        except DomainError as error:
            refused.append(Refusal(ticket.number, error.message))
        else:
            if changed:
                done.append(ticket.number)
            else:
                refused.append(Refusal(ticket.number, "nothing to change"))
    return BulkResult(
        action=action,
        headline=headline.format(n=_tickets(len(done))),
        done=done,
        refused=refused,
    )
