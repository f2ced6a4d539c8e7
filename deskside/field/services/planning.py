"""Planning a day's routes from the database, and accepting or discarding the proposal.

`plan_day` gathers, for the clients the planner serves:

- the visits to plan: unscheduled, or scheduled but not started, whose window touches the day
  (the day in the planner's time zone). A visit with two technicians (a shadow visit) is left
  to the dispatcher and reported so; so is one whose site has no coordinates;
- the technicians: active `Technician` profiles of active agents with a base location; their
  shift is their roster shifts that day (`rosters.working.shifts_of_user`: the first start to
  the last end) when they have any, else `day_start`-`day_end` in their own time zone; anyone
  with leave overlapping that shift is left out (and the plan says so);
- the rules: a technician may take a visit only at a client they serve and, alone, only where
  `Clearance` is cleared (`field.rules`); skills are the agent's skills against the visit's.

It solves (`field.routing`, deterministic for the same data) over the travel matrix of
`field.matrix` (OSRM or the estimate; an OSRM failure is noted in the plan) and stores a
proposed `RoutePlan` with its `RouteStop`s. `accept_plan` schedules every stop through
`scheduling.schedule` (the clearance rule, the window check), in one transaction: one refusal
refuses the whole acceptance with that visit's reason, and nothing changes.

Who sees a plan: it records the clients whose visits it considered (`params["clients"]`); an
agent sees it when they serve all of them (`field.queries_plans`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import transaction
from django.db.models import Prefetch

from deskside.accounts.models import User
from deskside.accounts.queries import served_organization_ids
from deskside.core import clock
from deskside.field import routing
from deskside.field.exceptions import FieldError, InvalidInput, InvalidTransition, NotAllowed
from deskside.field.matrix import travel_matrix
from deskside.field.models import (
    Clearance,
    ClearanceStatus,
    RoutePlan,
    RoutePlanStatus,
    RouteStop,
    Technician,
    Visit,
    VisitStatus,
)
from deskside.field.queries.plans import may_see
from deskside.field.services.scheduling import schedule
from deskside.field.travel import Point, base_point, site_point
from deskside.rosters.models import Leave
from deskside.rosters.working import shifts_of_user

PLANNED = (VisitStatus.UNSCHEDULED, VisitStatus.SCHEDULED)


@dataclass(frozen=True)
class DayScope:
    start: datetime
    end: datetime
    zone: str


def _zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name or settings.TIME_ZONE)
    except (ValueError, KeyError):
        return ZoneInfo("UTC")


def day_scope(actor: User, day: date) -> DayScope:
    """The day in the planner's zone, as UTC instants [start, end)."""
    tz = _zone(getattr(actor, "timezone", "") or settings.TIME_ZONE)
    start = datetime.combine(day, time(0), tz)
    end = datetime.combine(day + timedelta(days=1), time(0), tz)
    return DayScope(start.astimezone(ZoneInfo("UTC")), end.astimezone(ZoneInfo("UTC")), tz.key)


def require_planner(actor: User) -> None:
    if not actor.is_authenticated or not actor.is_active or not actor.is_agent:
        raise NotAllowed("only agents plan routes")


def _shift(tech: Technician, scope: DayScope, day: date) -> tuple[datetime, datetime, str]:
    found = [s for s in shifts_of_user(tech.user, scope.start, scope.end) if s.start < scope.end]
    if found:
        return min(s.start for s in found), max(s.end for s in found), "roster"
    tz = _zone(tech.user.timezone)
    start = datetime.combine(day, tech.day_start, tz).astimezone(ZoneInfo("UTC"))
    end = datetime.combine(day, tech.day_end, tz).astimezone(ZoneInfo("UTC"))
    return start, end, "working hours"


def _working(
    techs: list[Technician], scope: DayScope, day: date, notes: list[str]
) -> list[tuple[Technician, datetime, datetime]]:
    """The technicians on shift that day, not on leave, with a base to start from."""
    working = []
    for tech in techs:
        start, end, _source = _shift(tech, scope, day)
        if Leave.objects.filter(user=tech.user, starts_at__lt=end, ends_at__gt=start).exists():
            notes.append(f"{tech.user} is on leave")
            continue
        if base_point(tech) is None:
            notes.append(f"{tech.user} has no base location: left out")
            continue
        working.append((tech, start, end))
    return working


def _plannable(visits: list[Visit], unassigned: list[dict]) -> list[Visit]:
    """The visits the solver plans; the others go to `unassigned` with the reason."""
    planned = []
    for visit in visits:
        if visit.second_technician_id is not None:
            unassigned.append(
                {
                    "visit": visit.public_id,
                    "code": "pair",
                    "reason": "a visit for two technicians: schedule it on the board",
                }
            )
        elif site_point(visit.site) is None:
            unassigned.append(
                {
                    "visit": visit.public_id,
                    "code": "no_location",
                    "reason": "the site has no coordinates: travel cannot be planned",
                }
            )
        else:
            planned.append(visit)
    return planned


def _minutes(at: datetime, origin: datetime) -> float:
    return (at - origin).total_seconds() / 60


def plan_day(
    actor: User,
    day: date,
    *,
    improve: int | None = routing.DEFAULT_IMPROVE,
    time_limit: float = routing.DEFAULT_TIME_LIMIT,
) -> RoutePlan:
    """Propose the routes of `day` for the clients `actor` serves (module docstring)."""
    require_planner(actor)
    if not isinstance(day, date):
        raise InvalidInput("give the day as a date", field="day")
    scope = day_scope(actor, day)
    served = served_organization_ids(actor)
    visits_qs = (
        Visit.objects.filter(
            status__in=PLANNED, window_start__lt=scope.end, window_end__gte=scope.start
        )
        .select_related("site", "organization", "ticket")
        .prefetch_related("required_skills")
        .order_by("window_start", "id")
    )
    if served is not None:
        visits_qs = visits_qs.filter(organization_id__in=served)
    visits = list(visits_qs)
    techs = list(
        Technician.objects.filter(is_active=True, user__is_active=True, user__kind=User.Kind.AGENT)
        .select_related("user")
        .prefetch_related(Prefetch("user__skills"), "user__served_organizations")
        .order_by("user__full_name", "id")
    )
    notes: list[str] = []
    unassigned: list[dict] = []
    origin = scope.start

    working = _working(techs, scope, day, notes)
    planned = _plannable(visits, unassigned)

    org_ids = {v.organization_id for v in planned}
    cleared: dict[int, set[int]] = {}
    for org_id, user_id in Clearance.objects.filter(
        organization_id__in=org_ids, status=ClearanceStatus.CLEARED
    ).values_list("organization_id", "technician_id"):
        cleared.setdefault(org_id, set()).add(user_id)

    points: list[Point] = []
    tech_inputs: list[routing.Tech] = []
    for tech, start, end in working:
        points.append(base_point(tech))
        tech_inputs.append(
            routing.Tech(
                id=str(tech.user_id),
                location=len(points) - 1,
                shift_start=_minutes(start, origin),
                shift_end=_minutes(end, origin),
                skills=frozenset(s.name for s in tech.user.skills.all()),
                label=str(tech.user),
            )
        )
    serving = {
        tech.user_id: {o.pk for o in tech.user.served_organizations.all()} or None
        for tech, _s, _e in working
    }
    jobs: list[routing.Job] = []
    for visit in planned:
        points.append(site_point(visit.site))
        allowed = frozenset(
            str(uid)
            for uid in cleared.get(visit.organization_id, set())
            if uid in serving and (serving[uid] is None or visit.organization_id in serving[uid])
        )
        jobs.append(
            routing.Job(
                id=visit.public_id,
                location=len(points) - 1,
                window_start=max(_minutes(visit.window_start, origin), -24 * 60),
                window_end=_minutes(visit.window_end, origin),
                service=visit.duration_minutes,
                skills=frozenset(s.name for s in visit.required_skills.all()),
                allowed=allowed,
                due=_minutes(visit.ticket.resolution_due, origin)
                if getattr(visit.ticket, "resolution_due", None)
                else None,
            )
        )
    matrix = travel_matrix(points)
    if matrix.note:
        notes.append(matrix.note)
    result = routing.solve(
        routing.Problem(tech_inputs, jobs, matrix.minutes),
        improve=improve,
        time_limit=time_limit,
    )
    for item in result.unassigned:
        reason = item.reason
        if item.code == "clearance":
            reason = "no technician with the skills who serves the client is cleared there"
        unassigned.append({"visit": item.visit, "code": item.code, "reason": reason})

    return _store(
        actor,
        day,
        scope,
        visits,
        planned,
        result,
        matrix_source=matrix.source,
        notes=notes,
        unassigned=unassigned,
        tech_count=len(tech_inputs),
    )


@transaction.atomic
def _store(
    actor: User,
    day: date,
    scope: DayScope,
    visits: list[Visit],
    planned: list[Visit],
    result: routing.Plan,
    *,
    matrix_source: str,
    notes: list[str],
    unassigned: list[dict],
    tech_count: int,
) -> RoutePlan:
    """The proposed plan and its stops, in one transaction (the solving, which may take
    seconds and ask an OSRM server, happens before it: no transaction held open meanwhile)."""
    origin = scope.start
    now = clock.now()
    plan = RoutePlan.objects.create(
        day=day,
        total_travel_minutes=round(result.total_travel),
        solve_seconds=result.solve_seconds,
        unassigned=unassigned,
        params={
            "clients": sorted({v.organization_id for v in visits}),
            "zone": scope.zone,
            "matrix": matrix_source,
            "notes": notes,
            "objective": result.objective,
            "solutions": result.solutions,
            "stopped_by": result.stopped_by,
            "technicians": tech_count,
        },
        created_by=actor,
        created_at=now,
    )
    by_id = {v.public_id: v for v in planned}
    stops = []
    for route in result.routes:
        for position, stop in enumerate(route.stops, 1):
            visit = by_id[stop.visit]
            start = origin + timedelta(minutes=stop.start)
            start = min(max(start.replace(microsecond=0), visit.window_start), visit.window_end)
            stops.append(
                RouteStop(
                    plan=plan,
                    visit=visit,
                    technician_id=int(route.technician),
                    position=position,
                    travel_minutes=math.ceil(stop.travel - 1e-9),
                    arrival=(origin + timedelta(minutes=stop.arrival)).replace(microsecond=0),
                    start=start,
                )
            )
    RouteStop.objects.bulk_create(stops)
    return plan


@transaction.atomic
def accept_plan(actor: User, plan: RoutePlan) -> RoutePlan:
    """Schedule every stop of a proposed plan (`scheduling.schedule`, with its route order and
    travel leg). All or nothing: the first refusal is raised with the visit named, and the
    transaction leaves every visit as it was."""
    require_planner(actor)
    plan = RoutePlan.objects.select_for_update().get(pk=plan.pk)
    if not may_see(actor, plan):
        raise NotAllowed("you do not serve every client of this plan")
    if plan.status != RoutePlanStatus.PROPOSED:
        raise InvalidTransition(f"the plan is {plan.get_status_display().lower()} already")
    for stop in plan.stops.select_related("visit", "technician").order_by(
        "technician_id", "position"
    ):
        try:
            schedule(
                actor,
                stop.visit,
                stop.technician,
                stop.start,
                route_order=stop.position,
                travel_minutes=stop.travel_minutes,
            )
        except FieldError as exc:
            raise type(exc)(
                f"visit {stop.visit.public_id} ({stop.technician}): {exc.message}; "
                "nothing was scheduled",
                field=exc.field,
            ) from exc
    plan.status = RoutePlanStatus.ACCEPTED
    plan.decided_by = actor
    plan.decided_at = clock.now()
    plan.save(update_fields=["status", "decided_by", "decided_at"])
    return plan


@transaction.atomic
def discard_plan(actor: User, plan: RoutePlan) -> RoutePlan:
    """Set a proposed plan aside: nothing is scheduled; the plan is kept for comparison."""
    require_planner(actor)
    plan = RoutePlan.objects.select_for_update().get(pk=plan.pk)
    if not may_see(actor, plan):
        raise NotAllowed("you do not serve every client of this plan")
    if plan.status != RoutePlanStatus.PROPOSED:
        raise InvalidTransition(f"the plan is {plan.get_status_display().lower()} already")
    plan.status = RoutePlanStatus.DISCARDED
    plan.decided_by = actor
    plan.decided_at = clock.now()
    plan.save(update_fields=["status", "decided_by", "decided_at"])
    return plan
