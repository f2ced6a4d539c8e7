"""Backfill: who is away, what of theirs needs someone else, and who could go instead.

For a period (default: the next 14 days from today, in the viewer's zone):

- **Absences**: technicians (agents with a field profile, or a clearance) with leave
  (`rosters.models.Leave`) overlapping the period; for each, their scheduled visits inside
  the leave (as the visit's technician) and the clients they are cleared at.
- **Suggestions** for each such visit, best first. Hard rules: cleared at the visit's client,
  an active agent serving it, holding every skill the visit requires, not on leave during the
  visit, not the absent person. Ranked by (decision where the issue was silent, in this
  order): free at that time before double-booked (a planned visit overlapping this one),
  a known distance before an unknown one (no coordinates), fewer travel minutes from their
  home base to the site (`field.travel.minutes`), less load (the minutes of their planned
  visits that day, in the site's zone), then name.
- **Flags ahead of time**: a client and a weekday of the period on which every active
  technician cleared at that client is on leave for some of the client's working day (08:00-18:00 in
  the client's zone).
  Saturdays and Sundays are not flagged: field work is planned on weekdays.

Reassigning is `services.scheduling.schedule` (same start, same second technician): the
clearance rule is asked there, as for every way to schedule. Only reads here; tenancy is
`field.queries` (visits and clearances of the clients the viewer serves).
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.db.models import Q

from deskside.accounts.models import Organization, User
from deskside.accounts.queries import served_organization_ids
from deskside.core import clock
from deskside.core.timezones import zone
from deskside.field import travel
from deskside.field.dates import check_day
from deskside.field.exceptions import InvalidInput
from deskside.field.models import (
    PLANNED_STATUSES,
    ClearanceStatus,
    Technician,
    Visit,
)
from deskside.field.queries import clearances_visible_to, visits_visible_to
from deskside.rosters.models import Leave

DEFAULT_DAYS = 14
MAX_DAYS = 62
# The client's working day, for the flag: someone away only before 08:00 or after 18:00 (a
# leave ending at 06:00 in Berlin, set in New York) is at work that day.
FLAG_HOURS = (time(8, 0), time(18, 0))


@dataclass(frozen=True)
class Suggestion:
    """A possible replacement for one visit."""

    technician: User
    travel_minutes: int | None  # from their home base; None: a place has no coordinates
    load_minutes: int  # planned visit minutes that day
    busy: bool  # a planned visit of theirs overlaps this one

    @property
    def rank_key(self) -> tuple:
        travel_known = self.travel_minutes is not None
        return (
            self.busy,
            not travel_known,
            self.travel_minutes or 0,
            self.load_minutes,
            self.technician.full_name or self.technician.email,
        )


@dataclass
class VisitToCover:
    visit: Visit
    suggestions: list[Suggestion] = field(default_factory=list)


@dataclass
class Absence:
    """One technician away in the period: their leave, visits to cover, clients cleared at."""

    technician: User
    leaves: list[Leave]
    visits: list[VisitToCover]
    cleared_at: list[Organization]


@dataclass(frozen=True)
class Flag:
    """A client whose cleared technicians are all away on `day` (the client's date)."""

    organization: Organization
    day: date
    away: tuple[User, ...]


@dataclass
class Backfill:
    start: date
    end: date  # inclusive
    lo: datetime
    hi: datetime
    absences: list[Absence]
    flags: list[Flag]


def period(
    viewer: User, start: date | None = None, end: date | None = None
) -> tuple[date, date, datetime, datetime]:
    """The period's first and last day (inclusive, in the viewer's zone) and its bounds in
    UTC. InvalidInput for a far-off day (`field.dates`), an end before the start or a period
    over MAX_DAYS days."""
    check_day(start, "start")
    check_day(end, "end")
    tz = zone(viewer.timezone)
    today = clock.now().astimezone(tz).date()
    start = start or today
    end = end or start + timedelta(days=DEFAULT_DAYS - 1)
    if end < start:
        raise InvalidInput("the period ends before it starts", field="end")
    if (end - start).days + 1 > MAX_DAYS:
        raise InvalidInput(f"at most {MAX_DAYS} days at a time", field="end")
    lo = datetime.combine(start, time(0), tzinfo=tz).astimezone(UTC)
    hi = datetime.combine(end + timedelta(days=1), time(0), tzinfo=tz).astimezone(UTC)
    return start, end, lo, hi


def _overlaps(a0: datetime, a1: datetime, b0: datetime, b1: datetime) -> bool:
    return a0 < b1 and b0 < a1


def _local_day(at: datetime, zone_name: str) -> tuple[datetime, datetime]:
    tz = ZoneInfo(zone_name) if zone_name else UTC
    day = at.astimezone(tz).date()
    begin = datetime.combine(day, time(0), tzinfo=tz)
    return begin.astimezone(UTC), (begin + timedelta(days=1)).astimezone(UTC)


def _safe_zone(name: str) -> str:
    try:
        ZoneInfo(name)
    except (KeyError, ValueError):
        return "UTC"
    return name or "UTC"


def backfill(
    viewer: User, start: date | None = None, end: date | None = None, *, suggest: bool = True
) -> Backfill:
    """The backfill of the period as `viewer` may see it (see the module's docstring)."""
    start, end, lo, hi = period(viewer, start, end)
    clearances = clearances_visible_to(viewer)
    visible_visits = visits_visible_to(viewer)
    served = served_organization_ids(viewer)

    tech_ids = set(Technician.objects.values_list("user_id", flat=True)) | set(
        clearances.values_list("technician_id", flat=True)
    )
    leaves_in = list(
        Leave.objects.filter(user_id__in=tech_ids, starts_at__lt=hi, ends_at__gt=lo)
        .select_related("user")
        .order_by("starts_at", "id")
    )
    by_person: dict[int, list[Leave]] = defaultdict(list)
    for leave in leaves_in:
        by_person[leave.user_id].append(leave)

    cleared_rows = list(
        clearances.filter(status=ClearanceStatus.CLEARED).order_by(
            "organization__name", "technician__full_name"
        )
    )
    cleared_by_org: dict[int, list[User]] = defaultdict(list)
    cleared_orgs_of: dict[int, list[Organization]] = defaultdict(list)
    for row in cleared_rows:
        cleared_by_org[row.organization_id].append(row.technician)
        cleared_orgs_of[row.technician_id].append(row.organization)

    # The absent people's planned visits inside the period (one query), kept when inside a leave.
    planned = list(
        visible_visits.filter(
            technician_id__in=list(by_person),
            status__in=PLANNED_STATUSES,
            scheduled_start__lt=hi,
            scheduled_start__gte=lo - timedelta(hours=12),
        )
        .select_related("ticket", "site", "organization", "second_technician")
        .prefetch_related("required_skills")
        .order_by("scheduled_start", "id")
    )
    to_cover: dict[int, list[VisitToCover]] = defaultdict(list)
    for visit in planned:
        if visit.scheduled_end <= lo:
            continue
        if any(
            _overlaps(visit.scheduled_start, visit.scheduled_end, lv.starts_at, lv.ends_at)
            for lv in by_person[visit.technician_id]
        ):
            to_cover[visit.technician_id].append(VisitToCover(visit))

    if suggest:
        _suggest([v for vs in to_cover.values() for v in vs], cleared_by_org, lo, hi)

    people = {lv.user_id: lv.user for lv in leaves_in}
    absences = [
        Absence(
            technician=people[pid],
            leaves=by_person[pid],
            visits=to_cover.get(pid, []),
            cleared_at=cleared_orgs_of.get(pid, []),
        )
        for pid in sorted(people, key=lambda i: (people[i].full_name, people[i].email))
        # someone on leave is listed when the viewer has something of theirs to see
        if served is None or to_cover.get(pid) or cleared_orgs_of.get(pid)
    ]
    return Backfill(
        start=start,
        end=end,
        lo=lo,
        hi=hi,
        absences=absences,
        flags=_flags(
            cleared_by_org,
            {r.organization_id: r.organization for r in cleared_rows},
            by_person,
            start,
            end,
        ),
    )


def _suggest(
    items: list[VisitToCover],
    cleared_by_org: dict[int, list[User]],
    lo: datetime,
    hi: datetime,
) -> None:
    """Fill each item's suggestions (a fixed number of queries for the whole list)."""
    if not items:
        return
    candidate_ids = {u.pk for v in items for u in cleared_by_org.get(v.visit.organization_id, [])}
    if not candidate_ids:
        return
    reach_lo, reach_hi = lo - timedelta(days=1), hi + timedelta(days=1)
    active = {
        u.pk: u
        for u in User.objects.filter(
            pk__in=candidate_ids, is_active=True, kind=User.Kind.AGENT
        ).prefetch_related("skills", "served_organizations")
    }
    bases = {t.user_id: travel.base_point(t) for t in Technician.objects.filter(user_id__in=active)}
    leave: dict[int, list[tuple[datetime, datetime]]] = defaultdict(list)
    for uid, b, f in Leave.objects.filter(
        user_id__in=active, starts_at__lt=reach_hi, ends_at__gt=reach_lo
    ).values_list("user_id", "starts_at", "ends_at"):
        leave[uid].append((b, f))
    # Their planned visits around the period, as first or second technician (one query).
    busy: dict[int, list[tuple[datetime, datetime]]] = defaultdict(list)
    for tech, second, begin, minutes in (
        Visit.objects.filter(
            Q(technician_id__in=active) | Q(second_technician_id__in=active),
            status__in=PLANNED_STATUSES,
            scheduled_start__gte=reach_lo,
            scheduled_start__lt=reach_hi,
        )
        .order_by()
        .values_list("technician_id", "second_technician_id", "scheduled_start", "duration_minutes")
    ):
        for person in (tech, second):
            if person in active:
                busy[person].append((begin, begin + timedelta(minutes=minutes)))

    for item in items:
        visit = item.visit
        start, end = visit.scheduled_start, visit.scheduled_end
        needs = {s.pk for s in visit.required_skills.all()}
        site = travel.site_point(visit.site)
        day_lo, day_hi = _local_day(start, _safe_zone(visit.site.timezone))
        found = []
        for person in cleared_by_org.get(visit.organization_id, []):
            who = active.get(person.pk)
            if who is None or who.pk == visit.technician_id:
                continue
            served = [o.pk for o in who.served_organizations.all()]
            if served and visit.organization_id not in served:
                continue
            if not needs <= {s.pk for s in who.skills.all()}:
                continue
            if any(_overlaps(start, end, b, f) for b, f in leave.get(who.pk, ())):
                continue
            theirs = busy.get(who.pk, [])
            found.append(
                Suggestion(
                    technician=who,
                    travel_minutes=travel.minutes(bases.get(who.pk), site),
                    load_minutes=sum(
                        int((f - b).total_seconds() // 60)
                        for b, f in theirs
                        if day_lo <= b < day_hi
                    ),
                    busy=any(_overlaps(start, end, b, f) for b, f in theirs),
                )
            )
        item.suggestions = sorted(found, key=lambda s: s.rank_key)


def _flags(
    cleared_by_org: dict[int, list[User]],
    orgs: dict[int, Organization],
    leaves_by_person: dict[int, list[Leave]],
    start: date,
    end: date,
) -> list[Flag]:
    """Client-days on which everyone cleared at the client is on leave (weekdays only). A
    deactivated technician's clearance counts for no one: they are not there to go."""
    flags = []
    for org_id, cleared in cleared_by_org.items():
        people = [p for p in cleared if p.is_active]
        if not people or any(p.pk not in leaves_by_person for p in people):
            continue  # someone cleared there has no leave at all in the period
        org = orgs[org_id]
        tz = ZoneInfo(_safe_zone(org.timezone))
        day = start
        while day <= end:
            if day.weekday() < 5:
                b = datetime.combine(day, FLAG_HOURS[0], tzinfo=tz).astimezone(UTC)
                f = datetime.combine(day, FLAG_HOURS[1], tzinfo=tz).astimezone(UTC)
                if all(
                    any(_overlaps(b, f, lv.starts_at, lv.ends_at) for lv in leaves_by_person[p.pk])
                    for p in people
                ):
                    flags.append(Flag(org, day, tuple(people)))
            day += timedelta(days=1)
    return sorted(flags, key=lambda fl: (fl.day, fl.organization.name))
