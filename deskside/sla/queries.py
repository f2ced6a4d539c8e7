"""Read side of the SLA set-up: which calendars and contracts an agent sees, and the per-client
SLA report.

Agents see every calendar (a calendar names no client) and the contracts of the clients they
serve plus the default contract; customers see none of it. The report counts, per priority,
the tickets of one client created in a period whose first response and resolution targets
were met, breached or are still running, in one aggregate query filtered by organisation and
creation time (the `organization` leading column of the ticket indexes narrows it to the
client's rows).
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from django.db.models import Count, Q, QuerySet

from deskside.accounts.models import Organization, User
from deskside.accounts.permissions import is_agent
from deskside.accounts.queries import organizations_visible_to
from deskside.core import clock
from deskside.sla.models import Calendar, Contract
from deskside.tickets.deadlines import SLA_OUTCOMES, with_clock_positions
from deskside.tickets.models import Priority, Ticket

CONTRACT_RELATED = ("organization", "calendar", "breach_team")


def calendars_visible_to(user: User) -> QuerySet[Calendar]:
    """Every calendar for an active agent, by name; nothing for anyone else."""
    qs = Calendar.objects.order_by("name", "id")
    if not is_agent(user):
        return qs.none()
    return qs


def contracts_visible_to(user: User) -> QuerySet[Contract]:
    """The contracts of the clients an agent serves and the default contract, default first
    then by name; nothing for customers. Related rows the pages show are joined in."""
    qs = Contract.objects.select_related(*CONTRACT_RELATED).order_by("-is_default", "name", "id")
    if not is_agent(user):
        return qs.none()
    return qs.filter(Q(is_default=True) | Q(organization__in=organizations_visible_to(user)))


def contract_for(organization: Organization) -> Contract | None:
    """The contract that applies to the client: its own, else the default (None: neither)."""
    own = Contract.objects.filter(organization=organization).first()
    return own or Contract.objects.filter(is_default=True).first()


@dataclass(frozen=True)
class Outcome:
    """How one kind of target fared over a set of tickets."""

    met: int = 0
    breached: int = 0
    running: int = 0

    @property
    def decided(self) -> int:
        return self.met + self.breached

    @property
    def met_percent(self) -> int | None:
        """Share met of the decided ones (rounded), None when none is decided yet."""
        return round(100 * self.met / self.decided) if self.decided else None

    @property
    def breached_percent(self) -> int | None:
        return 100 - self.met_percent if self.met_percent is not None else None


@dataclass(frozen=True)
class ReportRow:
    """One priority's line of the report (or the total line, `priority` None)."""

    priority: Priority | None
    tickets: int
    first_response: Outcome
    resolution: Outcome

    @property
    def label(self) -> str:
        return self.priority.label if self.priority is not None else "All"

    @property
    def outcomes(self) -> tuple[Outcome, Outcome]:
        return (self.first_response, self.resolution)


@dataclass(frozen=True)
class SlaReport:
    organization: Organization
    since: datetime
    until: datetime
    generated_at: datetime
    rows: list[ReportRow]
    total: ReportRow


def sla_report(organization: Organization, *, since: datetime, until: datetime) -> SlaReport:
    """The SLA report of `organization` for the tickets created in [since, until).

    A target counts for a ticket when the ticket has its due time. The clock's position is
    when it stopped or paused (`sla_paused_at`, for a resolved ticket the resolution) or now
    while it runs; time paused does not count, so a ticket that went to "pending customer"
    before its due time is not breached while it waits.

    - first response met: answered (or resolved without a reply) at or before the due time;
      breached: answered after it, or not answered and the clock stands past it;
      running: not answered, still open, and the clock is not past the due time.
    - resolution met: resolved or closed with the clock stopped at or before the due time;
      breached: the clock stands past the due time (resolved late, or open past due);
      running: open and not past due.

    One query: grouped by priority, counted with conditional aggregates in the database.
    """
    now = clock.now()
    qs = (
        with_clock_positions(
            Ticket.objects.filter(
                organization=organization, created_at__gte=since, created_at__lt=until
            ),
            now,
        )
        .order_by()
        .values("priority")
        .annotate(tickets=Count("id"), **outcome_counts())
    )
    by_priority = {row["priority"]: row for row in qs}
    rows = []
    for priority in Priority:
        row = by_priority.get(priority.value, {})
        rows.append(
            ReportRow(
                priority,
                row.get("tickets", 0),
                Outcome(row.get("fr_met", 0), row.get("fr_breached", 0), row.get("fr_running", 0)),
                Outcome(
                    row.get("res_met", 0), row.get("res_breached", 0), row.get("res_running", 0)
                ),
            )
        )
    total = ReportRow(
        None,
        sum(r.tickets for r in rows),
        _sum(r.first_response for r in rows),
        _sum(r.resolution for r in rows),
    )
    return SlaReport(organization, since, until, now, rows, total)


def outcome_counts() -> dict[str, Count]:
    """The conditional counts of `sla_report`'s definitions (`fr_met`, `fr_breached`,
    `fr_running`, `res_met`, `res_breached`, `res_running`) over `with_clock_positions(qs)`.
    The conditions are `deadlines.SLA_OUTCOMES`, which the queue filters by too, so a count
    of the reports links to exactly the tickets it counted."""
    return {name: Count("id", filter=where) for name, where in SLA_OUTCOMES.items()}


def _sum(outcomes: Iterable[Outcome]) -> Outcome:
    items = list(outcomes)
    return Outcome(
        sum(o.met for o in items), sum(o.breached for o in items), sum(o.running for o in items)
    )
