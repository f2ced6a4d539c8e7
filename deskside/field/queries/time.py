"""The read side of time entries: an agent's week by day, the weeks waiting for a lead, a
ticket's total, and the per-client billable report with its CSV lines.

Everything reads through `field.queries.time_visible_to`: an agent sees the entries at the
clients they serve and their own; customers see nothing. A week's entries belong to it by
their timesheet (the week, in the agent's zone, in which they started); the report's date range
is read in the viewer's time zone, and each line's date is the agent's local date.

The report counts **approved weeks only by default** (what is invoiced is what a lead signed
off); `approved_only=False` adds the billable entries of weeks not approved yet (open,
submitted, returned), to see what is coming. Running timers are never counted.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.db.models import Q, QuerySet, Sum

from deskside.accounts.models import User
from deskside.accounts.permissions import is_admin, is_agent
from deskside.accounts.queries import leads_anyone
from deskside.core.timezones import zone
from deskside.field.models import BillingRule, TimeEntry, Timesheet, TimesheetStatus
from deskside.field.queries import time_visible_to
from deskside.field.services.time import EARLIEST_DAY, LATEST_DAY, amount, check_day, may_approve
from deskside.sla.models import Contract
from deskside.sla.queries import contracts_visible_to

ENTRY_RELATED = ("agent", "ticket", "visit", "organization", "timesheet")
MAX_REPORT_DAYS = 366
FIRST_DAY = EARLIEST_DAY  # weeks, reports and filters take dates in this range
LAST_DAY = LATEST_DAY
CSV_HEADER = [
    "date",
    "ticket",
    "client",
    "agent",
    "kind",
    "minutes",
    "billed_minutes",
    "rate",
    "currency",
    "amount",
    "note",
]


def entries_for(viewer: User) -> QuerySet[TimeEntry]:
    """Entries the viewer may see, with what the pages show joined in, newest first."""
    return time_visible_to(viewer).select_related(*ENTRY_RELATED).order_by("-started_at", "-id")


def entry_for(viewer: User, public_id: str) -> TimeEntry | None:
    """One entry by public id, if the viewer may see it."""
    return entries_for(viewer).filter(public_id=public_id).first()


def ticket_minutes(viewer: User, ticket_id: int) -> dict[str, int]:
    """A ticket's finished time (every agent's the viewer may see): total and billable
    minutes, and the billed minutes after rounding."""
    row = (
        time_visible_to(viewer)
        .filter(ticket_id=ticket_id, ended_at__isnull=False)
        .aggregate(
            total=Sum("minutes"),
            billable=Sum("minutes", filter=Q(billable=True)),
            billed=Sum("billed_minutes"),
        )
    )
    return {k: int(v or 0) for k, v in row.items()}


# -- weeks ------------------------------------------------------------------------------------


@dataclass
class Day:
    day: date
    entries: list[TimeEntry] = field(default_factory=list)

    @property
    def minutes(self) -> int:
        return sum(e.minutes or 0 for e in self.entries)

    @property
    def billable_minutes(self) -> int:
        return sum(e.minutes or 0 for e in self.entries if e.billable)

    @property
    def non_billable_minutes(self) -> int:
        return self.minutes - self.billable_minutes


@dataclass
class Week:
    """One agent's week as the viewer may see it: seven days, each with its entries."""

    agent: User
    week_start: date
    sheet: Timesheet | None
    days: list[Day]
    running: TimeEntry | None = None

    @property
    def status(self) -> str:
        return self.sheet.status if self.sheet else TimesheetStatus.OPEN

    @property
    def status_label(self) -> str:
        return self.sheet.get_status_display() if self.sheet else TimesheetStatus.OPEN.label

    @property
    def editable(self) -> bool:
        return self.status in (TimesheetStatus.OPEN, TimesheetStatus.RETURNED)

    @property
    def entries(self) -> list[TimeEntry]:
        return [e for d in self.days for e in d.entries]

    @property
    def minutes(self) -> int:
        return sum(d.minutes for d in self.days)

    @property
    def billable_minutes(self) -> int:
        return sum(d.billable_minutes for d in self.days)

    @property
    def non_billable_minutes(self) -> int:
        return self.minutes - self.billable_minutes

    @property
    def billed_minutes(self) -> int:
        return sum(e.billed_minutes for e in self.entries)


def week(viewer: User, agent: User, monday: date) -> Week:
    """The agent's week starting `monday`: the entries the viewer may see, by the agent's local
    day (running timers shown apart, not counted). InvalidInput (field "day") for a date
    before 1900 or after 9000."""
    monday = check_day(monday, "day") - timedelta(days=monday.weekday())
    sheet = Timesheet.objects.filter(agent=agent, week_start=monday).first()
    days = [Day(monday + timedelta(days=i)) for i in range(7)]
    running = None
    if sheet is not None:
        tz = zone(agent.timezone)
        rows = entries_for(viewer).filter(timesheet=sheet).order_by("started_at", "id")
        for entry in rows:
            if entry.ended_at is None:
                running = entry
                continue
            index = (entry.started_at.astimezone(tz).date() - monday).days
            days[min(max(index, 0), 6)].entries.append(entry)
    return Week(agent=agent, week_start=monday, sheet=sheet, days=days, running=running)


def may_view_week(viewer: User, agent: User) -> bool:
    """The agent themself, their leads and administrators see a week (its entries further
    narrowed to the clients the viewer serves)."""
    return is_agent(viewer) and (viewer.pk == agent.pk or may_approve(viewer, agent))


def recent_timesheets(agent: User, limit: int = 12) -> list[Timesheet]:
    """The agent's latest weeks that have a timesheet, newest first."""
    return list(Timesheet.objects.filter(agent=agent).order_by("-week_start")[:limit])


def timesheets_to_decide(viewer: User, limit: int = 100) -> list[Timesheet]:
    """Submitted weeks the viewer may approve or return: an administrator's, every agent's
    but their own; a lead's, their team members'."""
    if not is_agent(viewer):
        return []
    qs = (
        Timesheet.objects.filter(status=TimesheetStatus.SUBMITTED)
        .exclude(agent=viewer)
        .select_related("agent")
        .order_by("week_start", "agent__full_name", "id")
    )
    if not is_admin(viewer):
        qs = qs.filter(agent__teams__lead=viewer).distinct()
    return list(qs[:limit])


def is_lead(viewer: User) -> bool:
    """Whether the viewer decides anyone's weeks (leads a team, or administrator)."""
    return leads_anyone(viewer)


# -- the billable report ----------------------------------------------------------------------


@dataclass
class Line:
    """One billable entry, as the CSV for invoicing lists it."""

    day: date
    ticket: str
    client: str
    client_slug: str
    agent: str
    kind: str
    minutes: int
    billed_minutes: int
    rate: Decimal
    currency: str
    amount: Decimal
    note: str
    entry: str


@dataclass
class Total:
    key: str
    label: str
    client: str = ""
    currency: str = ""
    minutes: int = 0
    billed_minutes: int = 0
    amount: Decimal = Decimal("0.00")
    entries: int = 0

    @property
    def hours(self) -> Decimal:
        return (Decimal(self.billed_minutes) / 60).quantize(Decimal("0.01"))

    def add(self, line: Line) -> None:
        self.minutes += line.minutes
        self.billed_minutes += line.billed_minutes
        self.amount += line.amount
        self.entries += 1


@dataclass
class Report:
    start: date
    end: date
    approved_only: bool
    lines: list[Line]
    by_client: list[Total]
    by_ticket: list[Total]
    by_agent: list[Total]


def report_bounds(viewer: User, start: date, end: date) -> tuple[datetime, datetime]:
    """The instants from `start` 00:00 to the end of `end` in the viewer's zone."""
    tz = zone(viewer.timezone)
    return (
        datetime.combine(start, time.min, tzinfo=tz),
        datetime.combine(end + timedelta(days=1), time.min, tzinfo=tz),
    )


def billable_report(
    viewer: User,
    *,
    start: date,
    end: date,
    organization_id: int | None = None,
    approved_only: bool = True,
) -> Report:
    """Billable time from `start` to `end` (inclusive, the viewer's zone): every line, and
    totals per client, per ticket and per agent (billed hours and amount), one per currency:
    each entry counts in the currency it was priced in (`TimeEntry.currency`, kept with its
    rate), so a rule changed from USD to EUR leaves the older entries in USD. Only entries the
    viewer may see; approved weeks only unless `approved_only` is False."""
    low, high = report_bounds(viewer, start, end)
    qs = entries_for(viewer).filter(
        billable=True, ended_at__isnull=False, started_at__gte=low, started_at__lt=high
    )
    if organization_id is not None:
        qs = qs.filter(organization_id=organization_id)
    if approved_only:
        qs = qs.filter(timesheet__status=TimesheetStatus.APPROVED)
    rows = list(qs.order_by("organization__name", "started_at", "id"))
    lines: list[Line] = []
    by_client: dict[str, Total] = {}
    by_ticket: dict[str, Total] = {}
    by_agent: dict[str, Total] = defaultdict(Total)
    for e in rows:
        org = e.organization
        number = e.ticket.number if e.ticket_id else ""
        line = Line(
            day=e.started_at.astimezone(zone(e.agent.timezone)).date(),
            ticket=number,
            client=org.name if org else "",
            client_slug=org.slug if org else "",
            agent=e.agent.get_full_name(),
            kind=e.kind,
            minutes=e.minutes or 0,
            billed_minutes=e.billed_minutes,
            rate=e.rate or Decimal("0"),
            currency=e.currency,
            amount=amount(e.billed_minutes, e.rate),
            note=e.note,
            entry=e.public_id,
        )
        lines.append(line)
        by_client.setdefault(
            f"{line.client_slug}:{line.currency}",
            Total(line.client_slug, line.client, line.client, currency=line.currency),
        ).add(line)
        by_ticket.setdefault(
            f"{number}:{line.currency}",
            Total(number, e.ticket.subject if e.ticket_id else "", line.client, line.currency),
        ).add(line)
        key = f"{e.agent.public_id}:{line.currency}"
        if key not in by_agent:
            by_agent[key] = Total(e.agent.public_id, line.agent, currency=line.currency)
        by_agent[key].add(line)
    return Report(
        start=start,
        end=end,
        approved_only=approved_only,
        lines=lines,
        by_client=sorted(by_client.values(), key=lambda t: (t.label.lower(), t.currency)),
        by_ticket=sorted(by_ticket.values(), key=lambda t: (t.client.lower(), t.key, t.currency)),
        by_agent=sorted(by_agent.values(), key=lambda t: (t.label.lower(), t.currency)),
    )


def _csv_value(value: object) -> object:
    return value.isoformat() if isinstance(value, date) else value


def _cell(value: object) -> str:
    """A CSV cell that a spreadsheet will not run as a formula."""
    text = str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def csv_rows(report: Report) -> list[list[str]]:
    """The report's lines for invoicing, header first."""
    fields = (
        "day", "ticket", "client", "agent", "kind", "minutes", "billed_minutes", "rate",
        "currency", "amount", "note",
    )  # fmt: skip
    rows = [CSV_HEADER]
    rows.extend([_cell(_csv_value(getattr(line, f))) for f in fields] for line in report.lines)
    return rows


# -- billing rules ----------------------------------------------------------------------------


def contracts_with_rules(viewer: User) -> list[tuple[Contract, BillingRule | None]]:
    """The contracts the viewer may see (default first) with their billing rule, if any."""
    contracts = list(contracts_visible_to(viewer))
    rules = {r.contract_id: r for r in BillingRule.objects.filter(contract__in=contracts)}
    return [(c, rules.get(c.pk)) for c in contracts]
