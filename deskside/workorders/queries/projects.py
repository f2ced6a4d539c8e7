"""Read side of projects: who sees which (agents: the clients they serve; customers: none,
projects are the desk's planning), their progress, their children with what each still
misses, and the look-ups the project form makes within one client."""

from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Exists, OuterRef, Q, QuerySet

from deskside.accounts.models import Organization, Site, User
from deskside.accounts.queries import organizations_visible_to, served_organization_ids
from deskside.field.models import FINAL_STATUSES, Visit
from deskside.tickets.models import Status
from deskside.workorders.models import Project, WorkOrder, WorkOrderTemplate

DONE_STATUSES = (Status.RESOLVED, Status.CLOSED)


def projects_visible_to(user: User) -> QuerySet[Project]:
    """The projects `user` may see: an agent's served clients' (every client's when not
    limited); nothing for anyone else."""
    if not user.is_authenticated or not user.is_agent:
        return Project.objects.none()
    qs = Project.objects.all()
    ids = served_organization_ids(user)
    if ids is not None:
        qs = qs.filter(organization_id__in=ids)
    return qs


def project_for(user: User, public_id: str) -> Project | None:
    return (
        projects_visible_to(user)
        .select_related("organization", "ticket", "template_version__template", "created_by")
        .filter(public_id=public_id)
        .first()
    )


def clients_for_projects(user: User) -> QuerySet[Organization]:
    return organizations_visible_to(user).filter(is_msp=False).order_by("name")


def templates_for_projects() -> QuerySet[WorkOrderTemplate]:
    return WorkOrderTemplate.objects.filter(is_active=True, versions__isnull=False).distinct()


def contact_of(organization: Organization, email: str) -> User | None:
    """The client's contact with this address (any case), or None."""
    return (
        User.objects.filter(
            organization=organization, kind=User.Kind.CUSTOMER, email__iexact=email.strip()
        )
        .select_related("site")
        .first()
    )


def site_of(organization: Organization, name: str) -> Site | None:
    return Site.objects.filter(organization=organization, name__iexact=name.strip()).first()


@dataclass(frozen=True)
class Progress:
    """A project's children by state: done (resolved or closed, past the QC gate), open, and
    cancelled; `scheduled` counts the open ones with a visit on someone's day or in the queue."""

    total: int
    done: int
    open: int
    cancelled: int
    with_visit: int

    @property
    def percent(self) -> int:
        """Done out of the children that count (cancelled ones do not)."""
        counted = self.total - self.cancelled
        return round(100 * self.done / counted) if counted else 100

    @property
    def without_visit(self) -> int:
        return self.open - self.with_visit


def active_visit():
    """Exists(): the work order's ticket has a visit that is not finished or cancelled."""
    return Exists(
        Visit.objects.filter(ticket_id=OuterRef("ticket_id")).exclude(status__in=FINAL_STATUSES)
    )


def _counts(qs: QuerySet[WorkOrder]) -> dict[str, Any]:
    cancelled = Q(cancelled_at__isnull=False)
    done = Q(cancelled_at__isnull=True, ticket__status__in=DONE_STATUSES)
    still_open = Q(cancelled_at__isnull=True) & ~Q(ticket__status__in=DONE_STATUSES)
    return {
        "total": Count("id"),
        "done": Count("id", filter=done),
        "cancelled": Count("id", filter=cancelled),
        "open": Count("id", filter=still_open),
        "with_visit": Count("id", filter=still_open & Q(has_visit=True)),
    }


def progress(project: Project) -> Progress:
    """One aggregate query over the project's children."""
    qs = WorkOrder.objects.filter(project=project).annotate(has_visit=active_visit())
    return Progress(**qs.aggregate(**_counts(qs)))


def progress_of(project_ids: list[int]) -> dict[int, Progress]:
    """The progress of several projects (a list's page) in one grouped query."""
    qs = WorkOrder.objects.filter(project_id__in=project_ids).annotate(has_visit=active_visit())
    rows = qs.values("project_id").annotate(**_counts(qs)).order_by()
    found = {row.pop("project_id"): Progress(**row) for row in rows}
    empty = Progress(total=0, done=0, open=0, cancelled=0, with_visit=0)
    return {pk: found.get(pk, empty) for pk in project_ids}


def children(project: Project, state: str = "") -> QuerySet[WorkOrder]:
    """The project's work orders in file order, with their ticket, requester and site, the
    items and version the gate reads, and whether they have a visit that is still to happen.
    `state`: "open", "done", "cancelled" or "" (all)."""
    qs = (
        WorkOrder.objects.filter(project=project)
        .select_related("ticket__requester", "ticket__site", "ticket__assignee", "template_version")
        .prefetch_related("items")
        .annotate(has_visit=active_visit())
        .order_by("row_number", "id")
    )
    if state == "open":
        qs = qs.filter(cancelled_at__isnull=True).exclude(ticket__status__in=DONE_STATUSES)
    elif state == "done":
        qs = qs.filter(cancelled_at__isnull=True, ticket__status__in=DONE_STATUSES)
    elif state == "cancelled":
        qs = qs.filter(cancelled_at__isnull=False)
    return qs


def state_of(work_order: WorkOrder) -> str:
    """done, open or cancelled, as `progress` counts it."""
    if work_order.cancelled_at is not None:
        return "cancelled"
    return "done" if work_order.ticket.status in DONE_STATUSES else "open"
