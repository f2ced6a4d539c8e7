"""Problem operations: dismiss a cluster, open a problem (from a cluster or by hand), change
it, link and unlink tickets. Agents only.

Every function takes keyword arguments with the acting user first and runs in one
transaction; each change writes the problem's history (`ProblemChange`) in it, and linking or
unlinking a ticket writes a LINKED event on the ticket's internal timeline ("Linked to problem
PRB-12") through the tickets' timeline, with the ticket locked as the ticket services do.
"""

from collections.abc import Sequence
from typing import Any

from django.db import transaction

from deskside.accounts.models import User
from deskside.accounts.permissions import is_agent
from deskside.accounts.queries import served_organization_ids, serves
from deskside.core import clock
from deskside.kb.models import Article
from deskside.problems.exceptions import InvalidInput, InvalidTransition, NotAllowed
from deskside.problems.models import (
    TRANSITIONS,
    Cluster,
    Dismissal,
    Problem,
    ProblemChange,
    ProblemStatus,
    ProblemTicket,
)
from deskside.tickets.models import EventKind, Ticket
from deskside.tickets.rules import lock, require_visible
from deskside.tickets.timeline import touch, write_event

FIELDS = ("title", "statement", "root_cause", "workaround", "status", "owner", "article")
MAX_TITLE = 250
MAX_TEXT = 20_000
MAX_LINKS = 500


def _require_agent(actor: User) -> None:
    if not is_agent(actor):
        raise NotAllowed("only agents work with problems")


def _require_serves(actor: User, organization_id: int | None) -> None:
    if organization_id is not None and not serves(actor, organization_id):
        raise NotAllowed("you do not serve this client")


def _shown(value: Any) -> Any:
    if isinstance(value, Problem | Article | Ticket):
        return str(value)
    if isinstance(value, User):
        return value.get_full_name() or value.email
    return value


def _history(
    problem: Problem, actor: User | None, action: str, changes: dict | None = None, note: str = ""
) -> None:
    ProblemChange.objects.create(
        problem=problem,
        actor=actor,
        action=action,
        changes=changes or {},
        note=note[:300],
        at=clock.now(),
    )


def _clean(values: dict[str, Any], problem: Problem | None) -> dict[str, Any]:
    title = (values.get("title") or "").strip()
    if not title:
        raise InvalidInput("a title is required", field="title")
    if len(title) > MAX_TITLE:
        raise InvalidInput(f"the title is longer than {MAX_TITLE} characters", field="title")
    out = {**values, "title": title}
    for name in ("statement", "root_cause", "workaround"):
        text = (values.get(name) or "").strip()
        if len(text) > MAX_TEXT:
            raise InvalidInput(f"{name} is longer than {MAX_TEXT} characters", field=name)
        out[name] = text
    owner = values.get("owner")
    if owner is not None and not is_agent(owner):
        raise InvalidInput(f"{owner} is not an active agent", field="owner")
    article = values.get("article")
    organization_id = problem.organization_id if problem else values.get("organization_id")
    if article is not None and article.organization_id not in (None, organization_id):
        raise InvalidInput("the article is another client's runbook", field="article")
    status = values.get("status") or ProblemStatus.OPEN
    if status not in ProblemStatus.values:
        raise InvalidInput(
            f"status must be one of {', '.join(ProblemStatus.values)}", field="status"
        )
    if (
        problem is not None
        and status != problem.status
        and status not in TRANSITIONS[problem.status]
    ):
        raise InvalidTransition(
            f"{problem.number} is {problem.get_status_display().lower()} and cannot become "
            f"{ProblemStatus(status).label.lower()}",
            field="status",
        )
    if status == ProblemStatus.KNOWN_ERROR and not out["workaround"]:
        raise InvalidInput("a known error needs its workaround", field="workaround")
    out["status"] = status
    return out


@transaction.atomic
def create_problem(
    *,
    actor: User,
    title: str,
    statement: str = "",
    root_cause: str = "",
    workaround: str = "",
    status: str = ProblemStatus.OPEN,
    owner: User | None = None,
    article: Article | None = None,
    organization_id: int | None = None,
    tickets: Sequence[Ticket] = (),
    note: str = "",
) -> Problem:
    """A new problem (of one client, or across clients with `organization_id` None), with
    `tickets` linked. Raises NotAllowed (a customer; a client the actor does not serve),
    InvalidInput naming the field."""
    _require_agent(actor)
    _require_serves(actor, organization_id)
    if organization_id is None and not serves_everyone(actor):
        raise NotAllowed(
            "only agents who serve every client open problems across clients",
            field="organization",
        )
    values = _clean(
        {
            "title": title,
            "statement": statement,
            "root_cause": root_cause,
            "workaround": workaround,
            "status": status,
            "owner": owner,
            "article": article,
            "organization_id": organization_id,
        },
        None,
    )
    now = clock.now()
    problem = Problem.objects.create(
        **values,
        created_by=actor,
        created_at=now,
        updated_at=now,
        resolved_at=now if values["status"] == ProblemStatus.RESOLVED else None,
    )
    _history(problem, actor, "created", {k: [None, _shown(values[k])] for k in FIELDS}, note)
    for ticket in tickets:
        _link(actor, problem, ticket)
    return problem


def serves_everyone(actor: User) -> bool:
    return is_agent(actor) and served_organization_ids(actor) is None


@transaction.atomic
def problem_from_cluster(
    *, actor: User, cluster: Cluster, title: str = "", statement: str = ""
) -> Problem:
    """Open a problem of the cluster's client with the cluster's tickets linked, and remove
    the cluster (its tickets now belong to the problem)."""
    cluster = Cluster.objects.select_for_update().filter(pk=cluster.pk).first()
    if cluster is None:
        raise InvalidInput("this cluster is gone: a newer detection pass replaced it")
    tickets = list(Ticket.objects.filter(pk__in=cluster.members.values("ticket_id")))
    problem = create_problem(
        actor=actor,
        title=title.strip() or cluster.label,
        statement=statement.strip()
        or f"Recurring: {cluster.size} tickets in {cluster.window_days} days: {cluster.label}",
        organization_id=cluster.organization_id,
        tickets=tickets,
        note=f"from a recurring cluster of {cluster.size} tickets",
    )
    cluster.delete()
    return problem


@transaction.atomic
def dismiss_cluster(*, actor: User, cluster: Cluster) -> Dismissal:
    """ "Not a problem": remember the cluster's tickets (a later pass does not show them again
    as one cluster) and remove it."""
    _require_agent(actor)
    _require_serves(actor, cluster.organization_id)
    ids = sorted(cluster.members.values_list("ticket_id", flat=True))
    dismissal = Dismissal.objects.create(
        organization_id=cluster.organization_id,
        ticket_ids=ids,
        label=cluster.label,
        dismissed_by=actor,
        dismissed_at=clock.now(),
    )
    Cluster.objects.filter(pk=cluster.pk).delete()
    return dismissal


def _locked(actor: User, problem: Problem) -> Problem:
    _require_agent(actor)
    found = Problem.objects.select_for_update().filter(pk=problem.pk).first()
    if found is None:
        raise InvalidInput("no such problem", field="problem")
    _require_serves(actor, found.organization_id)
    return found


@transaction.atomic
def update_problem(*, actor: User, problem: Problem, **changes: Any) -> Problem:
    """Change the given fields (names of FIELDS); a status change follows TRANSITIONS (409
    otherwise) and a known error needs a workaround. Writes the history with old and new
    values; nothing when nothing changed."""
    if extra := set(changes) - set(FIELDS):
        raise InvalidInput(f"unknown field {sorted(extra)[0]}", field=sorted(extra)[0])
    problem = _locked(actor, problem)
    current = {name: getattr(problem, name) for name in FIELDS}
    values = _clean(current | changes, problem)
    diff = {
        name: [_shown(current[name]), _shown(values[name])]
        for name in FIELDS
        if current[name] != values[name]
    }
    if not diff:
        return problem
    for name in FIELDS:
        setattr(problem, name, values[name])
    problem.updated_at = clock.now()
    if "status" in diff:
        resolved = values["status"] in (ProblemStatus.RESOLVED, ProblemStatus.CLOSED)
        problem.resolved_at = (problem.resolved_at or problem.updated_at) if resolved else None
    problem.save()
    _history(problem, actor, "changed", diff)
    return problem


def _link(actor: User, problem: Problem, ticket: Ticket) -> bool:
    lock(ticket)
    require_visible(actor, ticket)
    if problem.organization_id is not None and ticket.organization_id != problem.organization_id:
        raise InvalidInput(
            f"{ticket.number} is another client's ticket than {problem.number}'s", field="ticket"
        )
    _, created = ProblemTicket.objects.get_or_create(
        problem=problem, ticket=ticket, defaults={"linked_by": actor, "linked_at": clock.now()}
    )
    if not created:
        return False
    write_event(
        ticket,
        EventKind.LINKED,
        actor,
        body=f"Linked to problem {problem.number}: {problem.title}",
        data={"problem": problem.number, "action": "linked"},
    )
    touch(ticket)
    _history(problem, actor, "linked", note=f"{ticket.number} {ticket.subject}")
    return True


@transaction.atomic
def link_tickets(*, actor: User, problem: Problem, tickets: Sequence[Ticket]) -> int:
    """Link `tickets` (already linked ones are skipped); returns how many were new. Raises
    NotAllowed (a ticket the actor may not see), InvalidInput (another client's ticket on a
    client's problem; too many), InvalidTransition (a closed problem)."""
    problem = _locked(actor, problem)
    if problem.status == ProblemStatus.CLOSED:
        raise InvalidTransition(f"{problem.number} is closed", field="status")
    if len(tickets) > MAX_LINKS:
        raise InvalidInput(f"at most {MAX_LINKS} tickets at a time", field="tickets")
    return sum(_link(actor, problem, ticket) for ticket in tickets)


@transaction.atomic
def unlink_ticket(*, actor: User, problem: Problem, ticket: Ticket) -> bool:
    """Unlink one ticket; False when it was not linked."""
    problem = _locked(actor, problem)
    lock(ticket)
    require_visible(actor, ticket)
    deleted, _ = ProblemTicket.objects.filter(problem=problem, ticket=ticket).delete()
    if not deleted:
        return False
    write_event(
        ticket,
        EventKind.LINKED,
        actor,
        body=f"Unlinked from problem {problem.number}: {problem.title}",
        data={"problem": problem.number, "action": "unlinked"},
    )
    touch(ticket)
    _history(problem, actor, "unlinked", note=f"{ticket.number} {ticket.subject}")
    return True
