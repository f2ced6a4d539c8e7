"""Who may see which schedules, read by every page and endpoint of the app.

Agents see the schedules of the clients they serve (every client when not limited);
customers see none (schedules are the MSP's configuration: a customer sees the tickets they
open, in the portal, as any other ticket of theirs).
"""

from django.db.models import OuterRef, Q, QuerySet, Subquery

from deskside.accounts.models import Organization, Site, Team, User
from deskside.accounts.permissions import is_agent
from deskside.accounts.queries import organizations_visible_to, served_organization_ids
from deskside.recurring.models import Occurrence, OccurrenceStatus, Schedule
from deskside.workorders.models import WorkOrderTemplate


def schedules_visible_to(user: User) -> QuerySet[Schedule]:
    """The schedules `user` may see (none for anyone but an agent)."""
    qs = Schedule.objects.select_related("organization")
    if not is_agent(user):
        return qs.none()
    ids = served_organization_ids(user)
    return qs if ids is None else qs.filter(organization_id__in=ids)


def schedule_list(user: User, *, client: str | None = None, active: bool | None = None):
    """The list pages' and API's rows: each schedule with its last opened ticket's id
    (`last_ticket_id`; `tickets.models.format_number` makes its number)."""
    last_ticket = (
        Occurrence.objects.filter(schedule=OuterRef("pk"), status=OccurrenceStatus.OPENED)
        .order_by("-occurs_at")
        .values("ticket_id")[:1]
    )
    qs = schedules_visible_to(user).annotate(last_ticket_id=Subquery(last_ticket))
    if client:
        qs = qs.filter(organization__slug=client)
    if active is not None:
        qs = qs.filter(is_active=active)
    return qs.order_by("organization__name", "name", "id")


def schedule_for(user: User, public_id: str) -> Schedule | None:
    """One schedule by public id, if `user` may see it."""
    return (
        schedules_visible_to(user)
        .select_related("requester", "site", "team", "assignee", "checklist", "created_by")
        .filter(public_id=public_id)
        .first()
    )


def occurrences(schedule: Schedule) -> QuerySet[Occurrence]:
    """The schedule's occurrences, newest first, with their tickets (the caller saw the
    schedule: its tickets are of a client the caller serves)."""
    return (
        Occurrence.objects.filter(schedule=schedule)
        .select_related("ticket")
        .order_by("-occurs_at", "-id")
    )


def checklists() -> QuerySet[WorkOrderTemplate]:
    """The work order templates a schedule may carry (active ones)."""
    return WorkOrderTemplate.objects.filter(is_active=True).order_by("name")


# -- look-ups of the adapters' identifiers (None when there is no such row to see) ------------


def client_for(user: User, slug: str) -> Organization | None:
    """A client `user` serves, by slug."""
    return organizations_visible_to(user).filter(slug=slug.strip()).first()


def person_for(text: str) -> User | None:
    """An active person by public id or e-mail address (the service checks whom they may be)."""
    value = text.strip()
    return (
        User.objects.filter(Q(public_id=value) | Q(email__iexact=value)).order_by("id").first()
        if value
        else None
    )


def site_for(organization: Organization, public_id: str) -> Site | None:
    return Site.objects.filter(organization=organization, public_id=public_id.strip()).first()


def team_for(slug: str) -> Team | None:
    return Team.objects.filter(slug=slug.strip()).first()


def checklist_for(text: str) -> WorkOrderTemplate | None:
    """A work order template by public id or exact name."""
    value = text.strip()
    return WorkOrderTemplate.objects.filter(Q(public_id=value) | Q(name=value)).first()
