"""The desk's wall board: the figures a monitor on the wall shows, read in a handful of
queries (plus a few per on-call schedule and per team for who is on call and on the desk).

Definitions (docs/reports.md says the same), over the open tickets the viewer may see,
narrowed to one team with `?team=slug`:
- open by priority: open tickets (new, open, pending, on hold) per priority;
- SLA at risk: a running clock (not paused) due within the next 2 hours, not yet breached;
- SLA breached: an active clock past due (`tickets.deadlines.breached_q`, the queues' rule);
- unassigned: open tickets without an assignee;
- calls logged today: CALL events (each call logged on a ticket, inbound or outbound; a ticket
  opened from a call has one) written since the viewer's midnight;
- on call now: for each on-call schedule (of the team, or all), who is on call at this
  instant (`duty.oncall.on_call_user_id`);
- on the desk now: per team, who works its desk at this instant (`rosters.working.working_ids`);
- unacknowledged pages: escalations still paging or with nobody left to page (active or
  exhausted), newest first.
"""

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db.models import Count, Q

from deskside.accounts.models import Team, User
from deskside.accounts.queries import served_organization_ids
from deskside.core import clock
from deskside.duty import oncall
from deskside.duty.models import Schedule
from deskside.paging.models import Escalation
from deskside.review.queries import day_bounds, viewer_day
from deskside.rosters.working import working_ids
from deskside.tickets.deadlines import breached_q
from deskside.tickets.models import HAS_SLA, OPEN_STATUSES, EventKind, Priority, TicketEvent
from deskside.tickets.queries import visible_tickets

AT_RISK_WITHIN = timedelta(hours=2)
PAGES_SHOWN = 10


@dataclass
class Board:
    """What the wall board shows at `now`."""

    now: datetime
    team: Team | None
    by_priority: list[tuple[str, int]]
    open_total: int
    unassigned: int
    sla_at_risk: int
    sla_breached: int
    calls_today: int
    on_call: list[tuple[str, str | None]] = field(default_factory=list)  # schedule, person
    on_desk: list[tuple[str, list[str] | None]] = field(default_factory=list)  # team, people
    pages: list[Escalation] = field(default_factory=list)


def board(viewer: User, team: Team | None = None) -> Board:
    """The wall board for `viewer` (tenancy: the clients they serve), of `team` or the desk."""
    now = clock.now()
    start, _ = day_bounds(viewer_day(viewer, now), viewer.timezone)
    tickets = visible_tickets(viewer)
    if team is not None:
        tickets = tickets.filter(team=team)
    open_ = tickets.filter(status__in=OPEN_STATUSES)

    # Two counts, each read from an index alone ((priority, status, id) and
    # (assignee, status, id)), not one pass over every open ticket's row.
    counts = dict(
        open_.values("priority").annotate(total=Count("id")).values_list("priority", "total")
    )
    by_priority = [(p.label, counts.get(p.value, 0)) for p in Priority]
    unassigned = open_.filter(assignee__isnull=True).count()
    # A due time means an open ticket (resolved and closed ones have none): the sla_due
    # index leads, not the status of every open ticket.
    sla = tickets.filter(HAS_SLA).aggregate(
        at_risk=Count(
            "id",
            filter=Q(
                sla_paused_at__isnull=True, sla_due__gt=now, sla_due__lte=now + AT_RISK_WITHIN
            ),
        ),
        breached=Count("id", filter=breached_q(now)),
    )
    # A call touches its ticket: the tickets updated today lead (indexed), then their events.
    calls = TicketEvent.objects.filter(
        kind=EventKind.CALL,
        created_at__gte=start,
        ticket__in=tickets.filter(updated_at__gte=start).values("pk"),
    ).count()
    # The few open escalations lead; the viewer's clients and the team narrow them.
    waiting = Escalation.objects.filter(
        status__in=(Escalation.Status.ACTIVE, Escalation.Status.EXHAUSTED)
    )
    served = served_organization_ids(viewer)
    if served is not None:
        waiting = waiting.filter(ticket__organization_id__in=served)
    if team is not None:
        waiting = waiting.filter(ticket__team=team)
    # Prefetched, not joined: with a join SQLite (no statistics) reads the tickets first.
    newest = waiting.order_by("-started_at", "-id").prefetch_related("ticket__organization")
    pages = list(newest[:PAGES_SHOWN])
    result = Board(
        now=now,
        team=team,
        by_priority=by_priority,
        open_total=sum(counts.values()),
        unassigned=unassigned,
        sla_at_risk=sla["at_risk"],
        sla_breached=sla["breached"],
        calls_today=calls,
        pages=pages,
    )
    _people(result, now)
    return result


def _people(result: Board, now: datetime) -> None:
    """Who is on call and who is on the desk now, names read in one query."""
    schedules = Schedule.objects.order_by("name")
    teams = Team.objects.order_by("name")
    if result.team is not None:
        schedules = schedules.filter(team=result.team)
        teams = teams.filter(pk=result.team.pk)
    teams = teams.select_related("roster", "support_duty")
    on_call = [(s.name, oncall.on_call_user_id(s, now)) for s in schedules]
    on_desk = [(t.name, working_ids(t, now)) for t in teams]
    wanted = {uid for _, uid in on_call if uid} | {uid for _, ids in on_desk if ids for uid in ids}
    names = {}
    if wanted:
        names = dict(User.objects.filter(pk__in=wanted).values_list("pk", "full_name"))
    result.on_call = [(name, names.get(uid) if uid else None) for name, uid in on_call]
    result.on_desk = [
        (name, sorted(names.get(uid, "?") for uid in ids) if ids is not None else None)
        for name, ids in on_desk
    ]
