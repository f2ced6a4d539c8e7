"""Planning a day's routes from the database, and accepting or discarding the proposal.

`plan_day` takes the day in the planner's zone (midnight to midnight; 1900-2999) and gathers,
for the clients the planner serves:

- the visits to plan: unscheduled ones whose window touches the day, and scheduled (not
  started) ones whose booked start is in the day. A visit with two technicians (a shadow
  visit) is left to the dispatcher and reported so; so is one whose site has no coordinates;
- the technicians: active `Technician` profiles of active agents with a base location. A
  rostered one (`field.board`'s test) works their roster shifts, and is not working on a day
  without one; anyone else their `day_start`-`day_end` in their own zone. Only the part inside
  the planner's day counts; time between two pieces is spent at the base. Anyone with leave
  overlapping that day's hours is left out (and the plan says so);
- their fixed commitments: every other visit each technician has that day, at any client
  (scheduled and not moved by this plan, en route, on site, done, no access, pairs, no
  coordinates): pinned stops of that technician (`routing.Job.fixed_to`) the solver routes
  around and never drops, not stops of the plan. A booked visit the solver cannot place keeps
  its booking: it becomes a commitment and the day is solved again;
- the rules: a technician may take a visit only at a client they serve and, alone, only where
  `Clearance` is cleared (`field.rules`); skills are the agent's skills against the visit's.

It solves (`field.routing`, deterministic for the same data) over the travel matrix of
`field.matrix` (OSRM or the estimate; an OSRM failure is noted in the plan) and stores a
proposed `RoutePlan` with its `RouteStop`s. `accept_plan` schedules every stop through
`scheduling.schedule` (the clearance rule, the window check), in one transaction: one refusal
(or a stop its technician was booked over since the plan was made) refuses the whole
acceptance with that visit's reason, and nothing changes.

Who sees a plan: it records the clients whose visits it considered (`params["clients"]`); an
agent sees it when they serve all of them (`field.queries.plans`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import transaction
from django.db.models import Prefetch, Q

from deskside.accounts.models import User
from deskside.accounts.queries import served_organization_ids
from deskside.core import clock
from deskside.field import routing
from deskside.field.board import _rostered as board_rostered
from deskside.field.exceptions import FieldError, InvalidInput, InvalidTransition, NotAllowed
from deskside.field.matrix import Matrix, travel_matrix
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
from deskside.field.services.scheduling import MAX_DURATION_MINUTES, schedule
from deskside.field.travel import Point, base_point, site_point
from deskside.rosters.models import Leave
from deskside.rosters.working import shifts_of_user

# A visit in these statuses holds a place on its technicians' day: if the planner does not
# move it, the solver routes around it.
HOLDING = (
    VisitStatus.SCHEDULED,
    VisitStatus.EN_ROUTE,
    VisitStatus.ON_SITE,
    VisitStatus.DONE,
    VisitStatus.NO_ACCESS,
    VisitStatus.NEEDS_ANOTHER,
)
# The days one can plan: far enough either way for any real use, and far from the calendar's
# ends (a day's midnight in a zone ahead of UTC must still be a datetime).
FIRST_DAY = date(1900, 1, 1)
LAST_DAY = date(2999, 12, 31)
LONGEST_VISIT = timedelta(minutes=MAX_DURATION_MINUTES)


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


def check_day(day: object) -> date:
    """`day` when it is a date the planner can plan, else InvalidInput naming `day`."""
    if not isinstance(day, date) or isinstance(day, datetime):
        raise InvalidInput("give the day as a date", field="day")
    if not FIRST_DAY <= day <= LAST_DAY:
        raise InvalidInput(f"the day must be from {FIRST_DAY} to {LAST_DAY}", field="day")
    return day


def _planner_zone(actor: User) -> ZoneInfo:
    return _zone(getattr(actor, "timezone", "") or settings.TIME_ZONE)


def today(actor: User) -> date:
    """Today in `actor`'s zone: the day a plan is taken in (the plans page's default)."""
    return clock.now().astimezone(_planner_zone(actor)).date()


def day_scope(actor: User, day: date) -> DayScope:
    """The day in the planner's zone, as UTC instants [start, end)."""
    check_day(day)
    tz = _planner_zone(actor)
    start = datetime.combine(day, time(0), tz)
    end = datetime.combine(day + timedelta(days=1), time(0), tz)
    return DayScope(start.astimezone(UTC), end.astimezone(UTC), tz.key)


def require_planner(actor: User) -> None:
    if not actor.is_authenticated or not actor.is_active or not actor.is_agent:
        raise NotAllowed("only agents plan routes")


def _clip(
    spans: list[tuple[datetime, datetime]], scope: DayScope
) -> list[tuple[datetime, datetime]]:
    """The parts of `spans` inside the day, merged where they touch, in time order."""
    out: list[tuple[datetime, datetime]] = []
    for s, e in sorted(spans):
        s, e = max(s, scope.start), min(e, scope.end)
        if e <= s:
            continue
        if out and s <= out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], e))
        else:
            out.append((s, e))
    return out


def _hours(tech: Technician, scope: DayScope, rostered: bool) -> list[tuple[datetime, datetime]]:
    """When `tech` works within the day: a rostered technician their roster shifts (none that
    day: not working, as on the board), anyone else their working hours of each local date the
    day touches, in their own zone."""
    if rostered:
        spans = [(s.start, s.end) for s in shifts_of_user(tech.user, scope.start, scope.end)]
        return _clip(spans, scope)
    tz = _zone(tech.user.timezone)
    first = scope.start.astimezone(tz).date()
    last = (scope.end - timedelta(microseconds=1)).astimezone(tz).date()
    spans = []
    local = first
    while local <= last:
        spans.append(
            (
                datetime.combine(local, tech.day_start, tz).astimezone(UTC),
                datetime.combine(local, tech.day_end, tz).astimezone(UTC),
            )
        )
        local += timedelta(days=1)
    return _clip(spans, scope)


@dataclass(frozen=True)
class _Working:
    tech: Technician
    start: datetime  # the first hour worked that day
    end: datetime  # the last
    gaps: tuple[tuple[datetime, datetime], ...]  # off between two shifts: at the base


def _working(techs: list[Technician], scope: DayScope, notes: list[str]) -> list[_Working]:
    """The technicians at work that day, not on leave, with a base to start from."""
    rostered, _teams = board_rostered({t.user_id for t in techs})
    working = []
    for tech in techs:
        spans = _hours(tech, scope, tech.user_id in rostered)
        if not spans:
            notes.append(f"{tech.user} has no roster shift that day")
            continue
        start, end = spans[0][0], spans[-1][1]
        if Leave.objects.filter(user=tech.user, starts_at__lt=end, ends_at__gt=start).exists():
            notes.append(f"{tech.user} is on leave")
            continue
        if base_point(tech) is None:
            notes.append(f"{tech.user} has no base location: left out")
            continue
        gaps = tuple((a[1], b[0]) for a, b in zip(spans, spans[1:], strict=False))
        working.append(_Working(tech, start, end, gaps))
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


def _busy_span(visit: Visit, now: datetime) -> tuple[datetime, datetime]:
    """The time a visit holds on its technicians' day: as booked, stretched to what happened
    (an early start, a late check-out, a visit still under way)."""
    start, end = visit.scheduled_start, visit.scheduled_end
    for at in (visit.en_route_at, visit.checked_in_at):
        if at is not None:
            start = min(start, at)
    if visit.checked_out_at is not None:
        end = max(end, visit.checked_out_at)
    elif visit.status in (VisitStatus.EN_ROUTE, VisitStatus.ON_SITE):
        end = max(end, now)
    return start, end


def _commitments(
    working: list[_Working], scope: DayScope, moving: set[int]
) -> dict[int, list[tuple[Visit, datetime, datetime]]]:
    """Per technician (user id), the visits that hold a place on their day and that the plan
    does not move (`moving`: the ids it plans), at any client: each with its span."""
    ids = {w.tech.user_id for w in working}
    now = clock.now()
    found: dict[int, list[tuple[Visit, datetime, datetime]]] = {}
    rows = (
        Visit.objects.filter(
            Q(technician_id__in=ids) | Q(second_technician_id__in=ids),
            status__in=HOLDING,
            scheduled_start__isnull=False,
            scheduled_start__lt=scope.end,
            scheduled_start__gte=scope.start - LONGEST_VISIT - timedelta(days=1),
        )
        .exclude(pk__in=moving)
        .select_related("site")
        .order_by("scheduled_start", "id")
    )
    for visit in rows:
        start, end = _busy_span(visit, now)
        if end <= scope.start or start >= scope.end:
            continue
        for user_id in (visit.technician_id, visit.second_technician_id):
            if user_id in ids:
                found.setdefault(user_id, []).append((visit, start, end))
    return found


def _visits(actor: User, scope: DayScope) -> list[Visit]:
    """The visits the plan considers: unscheduled ones whose window touches the day, and
    scheduled (not started) ones booked to start within it, at the clients `actor` serves."""
    served = served_organization_ids(actor)
    qs = (
        Visit.objects.filter(
            Q(status=VisitStatus.UNSCHEDULED, window_start__lt=scope.end)
            & Q(window_end__gte=scope.start)
            | Q(
                status=VisitStatus.SCHEDULED,
                scheduled_start__gte=scope.start,
                scheduled_start__lt=scope.end,
            )
        )
        .select_related("site", "organization", "ticket")
        .prefetch_related("required_skills")
        .order_by("window_start", "id")
    )
    if served is not None:
        qs = qs.filter(organization_id__in=served)
    return list(qs)


def _jobs(
    planned: list[Visit], working: list[_Working], points: list[Point], origin: datetime
) -> list[routing.Job]:
    """The solver's visits (their sites appended to `points`), each with who may take it: the
    working technicians who serve the client and are cleared there."""
    org_ids = {v.organization_id for v in planned}
    cleared: dict[int, set[int]] = {}
    for org_id, user_id in Clearance.objects.filter(
        organization_id__in=org_ids, status=ClearanceStatus.CLEARED
    ).values_list("organization_id", "technician_id"):
        cleared.setdefault(org_id, set()).add(user_id)
    serving = {
        w.tech.user_id: {o.pk for o in w.tech.user.served_organizations.all()} or None
        for w in working
    }
    jobs: list[routing.Job] = []
    for visit in planned:
        points.append(site_point(visit.site))
        allowed = frozenset(
            str(uid)
            for uid in cleared.get(visit.organization_id, set())
            if uid in serving and (serving[uid] is None or visit.organization_id in serving[uid])
        )
        due = getattr(visit.ticket, "resolution_due", None)
        jobs.append(
            routing.Job(
                id=visit.public_id,
                location=len(points) - 1,
                window_start=max(_minutes(visit.window_start, origin), -24 * 60),
                window_end=min(_minutes(visit.window_end, origin), 48 * 60),
                service=visit.duration_minutes,
                skills=frozenset(s.name for s in visit.required_skills.all()),
                allowed=allowed,
                # Overdue already: late from the day's start (the same ranking of plans).
                due=None if due is None else min(max(_minutes(due, origin), 0.0), 48 * 60),
            )
        )
    return jobs


def plan_day(
    actor: User,
    day: date,
    *,
    improve: int | None = routing.DEFAULT_IMPROVE,
    time_limit: float = routing.DEFAULT_TIME_LIMIT,
) -> RoutePlan:
    """Propose the routes of `day` for the clients `actor` serves (module docstring)."""
    require_planner(actor)
    scope = day_scope(actor, check_day(day))
    visits = _visits(actor, scope)
    techs = list(
        Technician.objects.filter(is_active=True, user__is_active=True, user__kind=User.Kind.AGENT)
        .select_related("user")
        .prefetch_related(Prefetch("user__skills"), "user__served_organizations")
        .order_by("user__full_name", "id")
    )
    notes: list[str] = []
    unassigned: list[dict] = []
    origin = scope.start

    working = _working(techs, scope, notes)
    planned = _plannable(visits, unassigned)

    points: list[Point] = []
    tech_inputs: list[routing.Tech] = []
    base_of: dict[int, int] = {}
    for w in working:
        points.append(base_point(w.tech))
        base_of[w.tech.user_id] = len(points) - 1
        tech_inputs.append(
            routing.Tech(
                id=str(w.tech.user_id),
                location=len(points) - 1,
                shift_start=_minutes(w.start, origin),
                shift_end=_minutes(w.end, origin),
                skills=frozenset(s.name for s in w.tech.user.skills.all()),
                label=str(w.tech.user),
            )
        )
    jobs = _jobs(planned, working, points, origin)
    # Time off between two shifts of a day is spent at the base.
    fixed: list[routing.Job] = []
    for w in working:
        for n, (s, e) in enumerate(w.gaps):
            user_id = w.tech.user_id
            fixed.append(_pin(f"off-{n}:{user_id}", user_id, s, e, origin, base_of[user_id]))
    result, matrix, kept = _solve_around(
        _Inputs(working, scope, planned, jobs, tech_inputs, points, base_of, fixed),
        improve=improve,
        time_limit=time_limit,
    )
    if matrix.note:
        notes.append(matrix.note)
    for item in [*result.unassigned, *kept.values()]:
        reason = item.reason
        if item.code == "clearance":
            reason = "no technician with the skills who serves the client is cleared there"
        if item.visit in kept:
            reason += "; it stays as booked"
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


@dataclass(frozen=True)
class _Inputs:
    working: list[_Working]
    scope: DayScope
    planned: list[Visit]
    jobs: list[routing.Job]
    techs: list[routing.Tech]
    points: list[Point]  # the bases, then the visits' sites
    base_of: dict[int, int]  # user id -> the index of their base in `points`
    fixed: list[routing.Job]  # time off between shifts


def _solve_around(
    given: _Inputs, *, improve: int | None, time_limit: float
) -> tuple[routing.Plan, Matrix, dict[str, routing.Unassigned]]:
    """Solve with every other visit of the technicians' day as a fixed commitment. A booked
    visit the solver cannot place stays where it is: it becomes a commitment too and the
    day is solved again, so that nothing is planned into its time (at most once per booked
    visit; usually not at all). Returns the plan, the matrix and the visits kept as booked."""
    by_id = {v.public_id: v for v in given.planned}
    origin = given.scope.start
    kept: dict[str, routing.Unassigned] = {}
    while True:
        moving = {v.pk for v in given.planned if v.public_id not in kept}
        pins = list(given.fixed)
        extra: list[Point] = []
        busy = _commitments(given.working, given.scope, moving)
        for user_id, rows in busy.items():
            for visit, s, e in rows:
                location = given.base_of[user_id]  # a site without coordinates: the base
                at = site_point(visit.site)
                if at is not None:
                    extra.append(at)
                    location = len(given.points) + len(extra) - 1
                pins.append(_pin(f"{visit.public_id}:{user_id}", user_id, s, e, origin, location))
        matrix = travel_matrix([*given.points, *extra])
        todo = [j for j in given.jobs if j.id not in kept]
        result = routing.solve(
            routing.Problem(given.techs, [*todo, *pins], matrix.minutes),
            improve=improve,
            time_limit=time_limit,
        )
        stay = {
            u.visit: u
            for u in result.unassigned
            if u.visit in by_id and by_id[u.visit].status == VisitStatus.SCHEDULED
        }
        if not stay:
            return result, matrix, kept
        kept.update(stay)


def _pin(
    job_id: str,
    user_id: int,
    start: datetime,
    end: datetime,
    origin: datetime,
    location: int,
) -> routing.Job:
    """A fixed commitment of technician `user_id` from `start` to `end` (routing.Job.fixed_to)."""
    at = _minutes(start, origin)
    return routing.Job(
        id=job_id,
        location=location,
        window_start=at,
        window_end=at,
        service=_minutes(end, origin) - at,
        fixed_to=str(user_id),
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
    stops = list(
        plan.stops.select_related("visit", "technician").order_by("technician_id", "position")
    )
    ours = {stop.visit_id for stop in stops}
    for stop in stops:
        clash = _clash(stop, ours)
        if clash is not None:
            raise InvalidTransition(
                f"visit {stop.visit.public_id} ({stop.technician}): the technician has "
                f"visit {clash.public_id} at that time since the plan was made; plan the day "
                "again; nothing was scheduled",
                field="technician",
            )
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


def _clash(stop: RouteStop, ours: set[int]) -> Visit | None:
    """Another visit holding the stop's time on its technician's day (booked, or started,
    after the plan was made), or None."""
    start = stop.start
    end = start + timedelta(minutes=stop.visit.duration_minutes)
    person = stop.technician_id
    rows = (
        Visit.objects.filter(
            Q(technician_id=person) | Q(second_technician_id=person),
            status__in=HOLDING,
            scheduled_start__lt=end,
            scheduled_start__gte=start - LONGEST_VISIT - timedelta(days=1),
        )
        .exclude(pk__in=ours)
        .order_by("scheduled_start", "id")
    )
    now = clock.now()
    return next((v for v in rows if _busy_span(v, now)[1] > start), None)


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
