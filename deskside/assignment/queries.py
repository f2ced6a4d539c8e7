"""Read side of assignment: the teams a user sees the rules of, the tickets they may set
skills on (tenancy through `tickets.queries.visible_tickets`), the skills there are."""

from django.db.models import QuerySet

from deskside.accounts.models import Skill, Team, User
from deskside.accounts.permissions import is_admin, is_agent
from deskside.tickets.models import Ticket, TicketQuerySet
from deskside.tickets.queries import visible_tickets


def teams_listed_for(user: User) -> QuerySet[Team]:
    """The teams whose rules `user` reads: every team for agents, none for anyone else.
    (A rule names no client: the teams, modes and caps are the desk's own set-up.)"""
    if not is_agent(user):
        return Team.objects.none()
    return Team.objects.select_related("assignment_rule", "assignment_rule__last_user").order_by(
        "tier", "name"
    )


def teams_managed_by(user: User) -> QuerySet[Team]:
    """The teams whose rule `user` changes and previews on the page: every team for an
    administrator, the teams they lead for a team lead, none for anyone else."""
    teams = teams_listed_for(user)
    if is_admin(user):
        return teams
    return teams.filter(lead=user)


def tickets_for(user: User) -> TicketQuerySet:
    """The tickets `user` may read and set required skills on (agents only)."""
    if not is_agent(user):
        return Ticket.objects.none()
    return visible_tickets(user)


def skills() -> QuerySet[Skill]:
    return Skill.objects.order_by("name")
