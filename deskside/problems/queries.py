"""Who sees which clusters, problems and known-error matches. Agents only, always: customers
see none of it (a problem record is the MSP's internal analysis).

- An agent sees the clusters of the clients they serve (every client when not limited).
- An agent sees the problems of the clients they serve and the problems across clients
  (`organization` null); of a problem's linked tickets they see those they may see.
- The known-error matches of a ticket are shown to agents who see both.
"""

from django.db.models import Q, QuerySet

from deskside.accounts.models import User
from deskside.accounts.permissions import is_agent
from deskside.accounts.queries import served_organization_ids
from deskside.problems.models import (
    ACTIVE_STATUSES,
    Cluster,
    KnownErrorMatch,
    Problem,
    ProblemChange,
    ProblemStatus,
    ProblemTicket,
    parse_number,
)
from deskside.tickets.models import Ticket
from deskside.tickets.queries import visible_tickets

PROBLEM_RELATED = ("organization", "owner", "article", "created_by")


def clusters_visible_to(user: User) -> QuerySet[Cluster]:
    qs = Cluster.objects.select_related("organization", "site")
    if not is_agent(user):
        return qs.none()
    ids = served_organization_ids(user)
    return qs if ids is None else qs.filter(organization_id__in=ids)


def problems_visible_to(user: User) -> QuerySet[Problem]:
    qs = Problem.objects.select_related(*PROBLEM_RELATED)
    if not is_agent(user):
        return qs.none()
    ids = served_organization_ids(user)
    if ids is None:
        return qs
    return qs.filter(Q(organization__isnull=True) | Q(organization_id__in=ids))


def problem_for(user: User, number: str) -> Problem | None:
    pk = parse_number(number)
    return problems_visible_to(user).filter(pk=pk).first() if pk else None


def linked_tickets(user: User, problem: Problem) -> QuerySet[Ticket]:
    """The problem's linked tickets that `user` may see, newest first."""
    return (
        visible_tickets(user)
        .filter(problem_links__problem=problem)
        .select_related("organization", "assignee")
        .order_by("-id")
    )


def cluster_tickets(user: User, cluster: Cluster) -> QuerySet[Ticket]:
    return (
        visible_tickets(user)
        .filter(pk__in=cluster.members.values("ticket_id"))
        .select_related("organization", "assignee")
        .order_by("-id")
    )


def history(problem: Problem) -> QuerySet[ProblemChange]:
    return problem.changes.select_related("actor").order_by("-id")


def problems_of_ticket(user: User, ticket: Ticket) -> QuerySet[Problem]:
    return problems_visible_to(user).filter(links__ticket=ticket).order_by("-id")


def linkable_problems(user: User, ticket: Ticket) -> QuerySet[Problem]:
    """The active problems a ticket may be linked to (its client's and those across clients)
    and is not linked to yet: the ticket page's picker."""
    return (
        problems_visible_to(user)
        .filter(status__in=ACTIVE_STATUSES)
        .filter(Q(organization__isnull=True) | Q(organization_id=ticket.organization_id))
        .exclude(pk__in=ProblemTicket.objects.filter(ticket=ticket).values("problem_id"))
        .order_by("-id")
    )


def known_errors_for(user: User, ticket: Ticket) -> list[KnownErrorMatch]:
    """The known errors a ticket matched when it was created, still known errors, that the
    viewer (an agent) may see."""
    if not is_agent(user):
        return []
    visible = problems_visible_to(user).filter(status=ProblemStatus.KNOWN_ERROR)
    return list(
        KnownErrorMatch.objects.filter(ticket=ticket, problem__in=visible.values("pk"))
        .select_related("problem", "problem__article")
        .order_by("-score")
    )
