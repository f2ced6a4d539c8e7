"""Bulk scheduling of a project's children as on-site visits (the field service's
`scheduling.create_visit` and `scheduling.schedule`, so the clearance rule and every other
check of one visit apply to each).

The dispatcher picks children (or every open child without a visit), a window (first and last
day, daily hours in each site's local time), a duration per visit, and either leaves the new
visits unscheduled in the dispatch board's queue or gives them to one technician back to back
from a start time: each visit starts when the previous one ends, moved to the next day's
opening hour when it would not end before the daily closing hour. A row's own visit window and
duration (the CSV's window_start, window_end, duration) win over the form's for that child.

Each child runs in its own savepoint (like `tickets.services.bulk`): a refused child (no site,
the clearance rule, no room left in the window, a visit already planned, done or cancelled) is
reported with its reason, its visit is not created, and the others proceed. A child with a
visit still in the queue is scheduled (not given a second visit) when a technician is chosen.
"""

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.db import transaction

from deskside.accounts.models import User
from deskside.core.exceptions import DomainError
from deskside.field.models import FINAL_STATUSES, Visit, VisitStatus
from deskside.field.services import scheduling
from deskside.tickets.models import format_number
from deskside.workorders import project_csv
from deskside.workorders.exceptions import InvalidInput
from deskside.workorders.models import Project, WorkOrder
from deskside.workorders.queries.projects import DONE_STATUSES, active_visit
from deskside.workorders.services.orders import require_agent_for

MAX_DAYS = 92


@dataclass(frozen=True)
class BulkVisits:
    """The form of "Schedule as visits"."""

    first_day: date
    last_day: date
    day_start: time = time(9, 0)
    day_end: time = time(17, 0)
    duration_minutes: int = 60
    technician: User | None = None  # None: the visits wait in the dispatch queue
    start: datetime | None = None  # the first visit's start (default: first day, opening hour)


@dataclass(frozen=True)
class Refused:
    number: str
    reason: str


@dataclass
class BulkResult:
    created: list[str] = field(default_factory=list)
    scheduled: list[str] = field(default_factory=list)
    refused: list[Refused] = field(default_factory=list)
    technician: str = ""

    def summary(self) -> str:
        """ "Created 38 visits (38 scheduled for Leo Field), 2 refused: T-10411 ...\""""
        n = len(self.created)
        text = f"Created {n} visit{'s' if n != 1 else ''}"
        if self.technician:
            text += f" ({len(self.scheduled)} scheduled for {self.technician})"
        if self.refused:
            shown = "; ".join(f"{r.number} {r.reason}" for r in self.refused[:10])
            more = f" and {len(self.refused) - 10} more" if len(self.refused) > 10 else ""
            text += f", {len(self.refused)} refused: {shown}{more}"
        return text


def _check(plan: BulkVisits) -> None:
    if plan.last_day < plan.first_day:
        raise InvalidInput("the last day is before the first", field="last_day")
    if (plan.last_day - plan.first_day).days >= MAX_DAYS:
        raise InvalidInput(f"the window is at most {MAX_DAYS} days", field="last_day")
    if plan.day_end <= plan.day_start:
        raise InvalidInput("the day ends before it starts", field="day_end")
    if not 1 <= plan.duration_minutes <= scheduling.MAX_DURATION_MINUTES:
        raise InvalidInput(
            f"the duration is 1 to {scheduling.MAX_DURATION_MINUTES} minutes",
            field="duration_minutes",
        )
    if plan.start is not None and plan.start.tzinfo is None:
        raise InvalidInput("give the start with its time zone", field="start")


def next_slot(
    cursor: datetime,
    *,
    zone,
    plan: BulkVisits,
    minutes: int,
    window: tuple[datetime, datetime],
) -> datetime | None:
    """The first start at or after `cursor` inside the visit's `window` (earliest and latest
    start), on a day of the plan, that ends by the daily closing hour; None when none is left.
    Days are the site's local days (DST shifts the UTC hours, not the local ones)."""
    t = max(cursor, window[0])
    day = max(t.astimezone(zone).date(), plan.first_day)
    length = timedelta(minutes=minutes)
    while day <= plan.last_day:
        opens = datetime.combine(day, plan.day_start, tzinfo=zone)
        closes = datetime.combine(day, plan.day_end, tzinfo=zone)
        start = max(t, opens)
        if start > window[1]:
            return None
        if start + length <= closes:
            return start
        day += timedelta(days=1)
    return None


def _window(plan: BulkVisits, zone, minutes: int) -> tuple[datetime, datetime]:
    opens = datetime.combine(plan.first_day, plan.day_start, tzinfo=zone)
    closes = datetime.combine(plan.last_day, plan.day_end, tzinfo=zone) - timedelta(minutes=minutes)
    return opens, max(opens, closes)


def _one(
    actor: User, work_order: WorkOrder, plan: BulkVisits, cursor: datetime | None
) -> tuple[Visit, bool]:
    """Create (or take the queued) visit of one child and schedule it when a technician is
    given. Returns the visit and whether it was created. DomainError when refused."""
    ticket = work_order.ticket
    if work_order.cancelled_at is not None:
        raise InvalidInput("is cancelled", field="work_orders")
    if ticket.status in DONE_STATUSES:
        raise InvalidInput(f"is {ticket.get_status_display().lower()}", field="work_orders")
    planned = list(
        Visit.objects.filter(ticket=ticket).exclude(status__in=FINAL_STATUSES).order_by("id")
    )
    if any(v.status != VisitStatus.UNSCHEDULED for v in planned):
        raise InvalidInput("has a visit planned already", field="work_orders")
    if planned and plan.technician is None:
        raise InvalidInput("has a visit waiting in the dispatch queue already", field="work_orders")
    site = ticket.site
    own_window, own_minutes = project_csv.window_for(
        work_order.row_data, site, work_order.organization
    )
    minutes = own_minutes or plan.duration_minutes
    zone = project_csv.zone_of(site, work_order.organization)
    created = not planned
    if planned:
        visit = planned[0]
    else:
        if site is None:
            raise InvalidInput("has no site to visit", field="site")
        window = own_window or _window(plan, zone, minutes)
        visit = scheduling.create_visit(
            actor,
            ticket,
            window_start=window[0],
            window_end=window[1],
            duration_minutes=minutes,
            site=site,
            instructions=ticket.subject,
        )
    if plan.technician is not None:
        assert cursor is not None
        start = next_slot(
            cursor,
            zone=zone,
            plan=plan,
            minutes=visit.duration_minutes,
            window=(visit.window_start, visit.window_end),
        )
        if start is None:
            raise InvalidInput(
                f"has no room left in the window for a visit of {visit.duration_minutes} minutes",
                field="start",
            )
        visit = scheduling.schedule(actor, visit, plan.technician, start)
    return visit, created


def schedule_children(
    actor: User,
    project: Project,
    plan: BulkVisits,
    *,
    work_orders: list[str] | None = None,
) -> BulkResult:
    """Visits for the project's children named by public id in `work_orders` (None: every
    open child without a visit), in file order; see the module's docstring. InvalidInput for
    a bad window or an id that is not one of the project's children (nothing is done)."""
    require_agent_for(actor, project.organization_id)
    _check(plan)
    qs = (
        WorkOrder.objects.filter(project=project)
        .select_related("ticket__site", "organization")
        .order_by("row_number", "id")
    )
    if work_orders is None:
        qs = (
            qs.filter(cancelled_at__isnull=True)
            .exclude(ticket__status__in=DONE_STATUSES)
            .annotate(has_visit=active_visit())
            .filter(has_visit=False)
        )
    else:
        wanted = list(dict.fromkeys(work_orders))
        qs = qs.filter(public_id__in=wanted)
        if len(qs) != len(wanted):
            found = {w.public_id for w in qs}
            missing = next(w for w in wanted if w not in found)
            raise InvalidInput(f"no work order {missing!r} in this project", field="work_orders")
    result = BulkResult(technician=str(plan.technician) if plan.technician else "")
    cursor = None
    if plan.technician is not None:
        zone = project_csv.zone_of(project.ticket.site, project.organization)
        cursor = plan.start or datetime.combine(plan.first_day, plan.day_start, tzinfo=zone)
    for work_order in qs:
        number = format_number(work_order.ticket_id)
        try:
            with transaction.atomic():
                visit, created = _one(actor, work_order, plan, cursor)
        except DomainError as error:
            result.refused.append(Refused(number, error.message))
            continue
        if created:
            result.created.append(number)
        if visit.scheduled_start is not None:
            result.scheduled.append(number)
            cursor = visit.scheduled_start + timedelta(minutes=visit.duration_minutes)
    return result
