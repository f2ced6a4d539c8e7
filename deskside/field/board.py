"""The dispatch board's read side: the technicians' visits placed in time over a day or a week,
the travel legs between them and the warnings a dispatcher must see. Only reads.

What the board shows
- Rows: the active technicians (`field.Technician` of an active agent) who serve at least one
  of the viewer's clients (all of them for a viewer who serves every client), optionally those
  of one team. A technician who serves every client is on every viewer's board.
- Visits: those the viewer may see (`queries.visits_visible_to`) in a board status (scheduled,
  en route, on site, done, no access, needs another visit) that overlap the period, on the row
  of their technician and, when there is one, of the second technician. A visit of a client
  the viewer does not serve is neither shown nor counted: the warnings of a restricted viewer
  are computed from what they may see (a decision: showing even a "busy" block would tell
  them about another client's visit).
- Legs: per technician and local day (the technician's zone), the leg into each visit from the
  one before it, or from the home base for the day's first. Its minutes are the visit's
  `travel_minutes` when a route plan set them (for the lead technician, whose route it is),
  else `field.travel.minutes` between the two sites (None when a place has no coordinates:
  "travel unknown", never a guess).

Warnings, per visit and technician row (each a code and a sentence; the page shows an icon
and the sentence, not a colour alone):
- `overlap`: another visit of the same technician (as lead or second) overlaps this one;
- `outside_hours`: with a roster (the technician has a rota line in a roster, or is a member of
  a rotational support duty: `rosters.working`), the visit is not inside their shifts; without
  one, not inside `Technician.day_start`-`day_end` of the visit's local day in their zone
  (`user.timezone`), every day of the week (the model has no working days);
- `leave`: a `rosters.Leave` of the technician overlaps the visit;
- `travel`: the previous visit's end + the leg's minutes is after this visit's start (not
  repeated when the two visits overlap: `overlap` says it);
- `not_cleared`: the clearance rule (`field.rules.solo_refusal`) refuses the visit's
  technicians today: a clearance revoked after the visit was scheduled shows here;
- `skill`: a required skill that neither of the visit's technicians has (a pair may cover
  each other's skills).

Queries: a constant number for any number of technicians and visits (technicians, their skills,
visits with their skills, clearances, leave, roster membership), plus a few per roster team
with technicians on it (`working.shifts` reads each team's set-up once).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.db.models import F, Q, QuerySet

from deskside.accounts.models import Team, User
from deskside.accounts.queries import served_organization_ids
from deskside.core import geometry
from deskside.core.timezones import zone
from deskside.field import travel
from deskside.field.models import Clearance, ClearanceStatus, Technician, Visit, VisitStatus
from deskside.field.queries import visits_visible_to
from deskside.field.rules import solo_refusal
from deskside.rosters import working
from deskside.rosters.models import Cover, Leave, RotaLine, SupportDuty, SupportDutyMember
from deskside.tickets.models import format_number

DAY = timedelta(days=1)
BOARD_STATUSES = (
    VisitStatus.SCHEDULED,
    VisitStatus.EN_ROUTE,
    VisitStatus.ON_SITE,
    VisitStatus.DONE,
    VisitStatus.NO_ACCESS,
    VisitStatus.NEEDS_ANOTHER,
)
# A visit lasts at most this long (scheduling.MAX_DURATION_MINUTES): one that started this much
# before the period may still reach into it.
LONGEST = timedelta(hours=12)
# The day view's time axis, in the viewer's zone: visits outside it are drawn at its edges.
DAY_VIEW_FROM = 6
DAY_VIEW_TO = 22
QUEUE_LIMIT = 50
VIEWS = ("day", "week")


@dataclass(frozen=True)
class BoardWarning:
    code: str  # overlap | outside_hours | leave | travel | not_cleared | skill
    text: str


@dataclass(frozen=True)
class Person:
    """A technician as the board needs them (what the clearance rule's reason names)."""

    pk: int
    name: str
    public_id: str = ""

    def __str__(self) -> str:
        return self.name


@dataclass
class BoardVisit:
    """The columns of a visit the board shows, read in one query without model instances (a
    week of 50 technicians is thousands of visits: building five model objects for each was
    most of the board's time)."""

    pk: int
    public_id: str
    ticket_id: int
    subject: str
    organization_id: int
    organization_name: str
    site_id: int
    site_name: str
    site_point: travel.Point | None
    status: str
    duration_minutes: int
    travel_minutes: int | None
    technician_id: int | None
    second_technician_id: int | None
    second_is_shadowing: bool
    scheduled_start: datetime
    technician: Person | None = None
    second_technician: Person | None = None
    skill_names: list[tuple[int, str]] = field(default_factory=list)

    @property
    def number(self) -> str:
        return format_number(self.ticket_id)

    @property
    def status_label(self) -> str:
        return VisitStatus(self.status).label

    @property
    def scheduled_end(self) -> datetime:
        return self.scheduled_start + timedelta(minutes=self.duration_minutes)


@dataclass
class Leg:
    """The drive into a visit: from the previous visit of the technician's day, or from base."""

    minutes: int | None
    source: str  # "plan" (the visit's travel_minutes) | "estimate" | "unknown"
    from_visit: BoardVisit | None  # None: from the home base
    late_minutes: int = 0  # how much the previous end + travel passes this visit's start

    @property
    def from_label(self) -> str:
        return self.from_visit.site_name if self.from_visit is not None else "base"


@dataclass
class Block:
    """One visit on one technician's row."""

    visit: BoardVisit
    role: str  # "lead" | "second"
    start: datetime
    end: datetime
    leg: Leg | None = None
    warnings: list[BoardWarning] = field(default_factory=list)
    pk_overlap: Block | None = None  # the first other block it overlaps
    left: int = 0  # the day view: gx-l-N / gx-w-N (tenths of a percent of the axis)
    width: int = 0

    @property
    def codes(self) -> list[str]:
        return [w.code for w in self.warnings]


@dataclass
class Row:
    technician: Technician
    user: User
    blocks: list[Block] = field(default_factory=list)
    rostered: bool = False
    shifts: list[tuple[datetime, datetime]] = field(default_factory=list)
    leave: list[tuple[datetime, datetime, str]] = field(default_factory=list)
    days: list[tuple[date, list[Block]]] = field(default_factory=list)  # the week: per day

    @property
    def warning_count(self) -> int:
        return sum(len(b.warnings) for b in self.blocks)


@dataclass
class Board:
    view: str
    day: date  # the day shown, or the Monday of the week
    days: list[date]
    start: datetime  # UTC
    end: datetime
    zone: ZoneInfo
    rows: list[Row]
    team: Team | None = None
    axis_start: datetime | None = None  # the day view's axis
    axis_end: datetime | None = None
    hours: list[tuple[int, int]] = field(default_factory=list)  # (hour, left tenths)

    @property
    def previous_day(self) -> date:
        return self.day - (DAY if self.view == "day" else 7 * DAY)

    @property
    def next_day(self) -> date:
        return self.day + (DAY if self.view == "day" else 7 * DAY)


# -- the period ----------------------------------------------------------------------------------


def monday(day: date) -> date:
    return day - timedelta(days=day.weekday())


def local(day: date, at: time, tz: ZoneInfo) -> datetime:
    """The UTC instant of `at` on `day` in `tz` (a time in a DST gap moves forward by the gap,
    as zoneinfo's fold=0 does; the board only places things, so that is good enough)."""
    return datetime.combine(day, at, tzinfo=tz).astimezone(UTC)


def period(view: str, day: date, tz: ZoneInfo) -> tuple[date, list[date], datetime, datetime]:
    """(first day, the days, start, end) of a day or a Monday-Sunday week in `tz`, in UTC."""
    first = day if view == "day" else monday(day)
    days = [first] if view == "day" else [first + timedelta(days=i) for i in range(7)]
    return first, days, local(days[0], time(0), tz), local(days[-1] + DAY, time(0), tz)


# -- who is on the board -------------------------------------------------------------------------


def technicians_for(viewer: User, team: Team | None = None) -> QuerySet[Technician]:
    """The active technicians who serve at least one of `viewer`'s clients (a technician who
    serves every client always does), optionally of `team`. Nobody for a non-agent."""
    qs = Technician.objects.filter(
        is_active=True, user__is_active=True, user__kind=User.Kind.AGENT
    ).select_related("user")
    if not viewer.is_authenticated or not viewer.is_active or not viewer.is_agent:
        return qs.none()
    ids = served_organization_ids(viewer)
    if ids is not None:
        through = User.served_organizations.through.objects
        restricted = through.values("user_id")
        serves_some = through.filter(organization_id__in=ids).values("user_id")
        qs = qs.filter(Q(user_id__in=serves_some) | ~Q(user_id__in=restricted))
    if team is not None:
        qs = qs.filter(user__teams=team)
    return qs.order_by("user__full_name", "user_id")


def board_teams() -> QuerySet[Team]:
    """Teams with at least one active technician: the board's team filter."""
    return (
        Team.objects.filter(members__technician__is_active=True, members__is_active=True)
        .distinct()
        .order_by("name")
    )


# -- the roster, leave, clearance, in a few queries ----------------------------------------------


def _rostered(user_ids: set[int]) -> tuple[set[int], set[int]]:
    """(who of `user_ids` works by a roster, the teams whose shifts can name them). Someone is
    rostered with a rota line in a roster that defines shifts, or as a member of a rotational
    support duty; a cover alone does not make a roster (it adds a shift to someone rostered)."""
    lines = RotaLine.objects.filter(
        user_id__in=user_ids, roster__shift_definitions__isnull=False
    ).values_list("user_id", "roster__team_id")
    duty = SupportDutyMember.objects.filter(
        user_id__in=user_ids, duty__mode=SupportDuty.Mode.ROTATIONAL
    ).values_list("user_id", "duty__team_id")
    rostered: set[int] = set()
    teams: set[int] = set()
    for user_id, team_id in [*lines.distinct(), *duty]:
        rostered.add(user_id)
        teams.add(team_id)
    if rostered:
        covers = Cover.objects.filter(user_id__in=rostered).values_list("roster__team_id")
        teams.update(t for (t,) in covers.distinct())
    return rostered, teams


def _shifts(
    rostered: set[int], team_ids: set[int], start: datetime, end: datetime
) -> dict[int, list[tuple[datetime, datetime]]]:
    """Each rostered person's shifts overlapping [start, end), merged where they touch (the
    same as `working.shifts_of_user` for each, reading each team's set-up once)."""
    found: dict[int, list[tuple[datetime, datetime]]] = defaultdict(list)
    teams = Team.objects.filter(id__in=team_ids).select_related("roster", "support_duty")
    for team in teams:
        for shift in working.shifts(team, start, end):
            if shift.user_id in rostered:
                # In UTC: comparing instants of one tzinfo is cheap, of two zones is not.
                found[shift.user_id].append(
                    (shift.start.astimezone(UTC), shift.end.astimezone(UTC))
                )
    return {user_id: _merged(spans) for user_id, spans in found.items()}


def _merged(spans: list[tuple[datetime, datetime]]) -> list[tuple[datetime, datetime]]:
    out: list[tuple[datetime, datetime]] = []
    for begin, finish in sorted(spans):
        if out and begin <= out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], finish))
        else:
            out.append((begin, finish))
    return out


def _leave(user_ids: set[int], start: datetime, end: datetime) -> dict[int, list]:
    found: dict[int, list] = defaultdict(list)
    rows = Leave.objects.filter(user_id__in=user_ids, starts_at__lt=end, ends_at__gt=start)
    for leave in rows.order_by("starts_at"):
        found[leave.user_id].append((leave.starts_at, leave.ends_at, leave.get_kind_display()))
    return found


def _cleared(visits: list[BoardVisit]) -> dict[int, set[int]]:
    """Organisation id -> the ids of the visits' technicians cleared there (one query)."""
    people = {p for v in visits for p in (v.technician_id, v.second_technician_id) if p}
    orgs = {v.organization_id for v in visits}
    found: dict[int, set[int]] = defaultdict(set)
    if not people:
        return found
    rows = Clearance.objects.filter(
        technician_id__in=people, organization_id__in=orgs, status=ClearanceStatus.CLEARED
    ).values_list("organization_id", "technician_id")
    for org_id, person in rows:
        found[org_id].add(person)
    return found


COLUMNS = (
    "pk",
    "public_id",
    "ticket_id",
    "ticket__subject",
    "organization_id",
    "organization__name",
    "site_id",
    "site__name",
    "site__latitude",
    "site__longitude",
    "status",
    "duration_minutes",
    "travel_minutes",
    "technician_id",
    "second_technician_id",
    "second_is_shadowing",
    "scheduled_start",
)


def _visits(viewer: User, ids: set[int], lo: datetime, hi: datetime) -> list[BoardVisit]:
    """The visits the viewer may see of the technicians `ids` in a board status starting in
    [lo, hi), with their technicians' names and required skills (three queries)."""
    qs = (
        visits_visible_to(viewer)
        .filter(Q(technician_id__in=ids) | Q(second_technician_id__in=ids))
        .filter(status__in=BOARD_STATUSES, scheduled_start__gte=lo, scheduled_start__lt=hi)
    )
    found = []
    for row in qs.order_by("scheduled_start", "id").values_list(*COLUMNS):
        pk, public_id, ticket_id, subject, org_id, org_name, site_id, site_name, lat, lon = row[:10]
        found.append(
            BoardVisit(
                pk,
                public_id,
                ticket_id,
                subject,
                org_id,
                org_name,
                site_id,
                site_name,
                travel.point(lat, lon),
                *row[10:],
            )
        )
    if not found:
        return found
    people_ids = {p for v in found for p in (v.technician_id, v.second_technician_id) if p}
    people = {
        pk: Person(pk, full_name or email, public_id)
        for pk, full_name, email, public_id in User.objects.filter(pk__in=people_ids).values_list(
            "pk", "full_name", "email", "public_id"
        )
    }
    by_pk = {v.pk: v for v in found}
    through = Visit.required_skills.through.objects.filter(visit_id__in=qs.values("pk"))
    for visit_id, skill_id, name in through.order_by("skill__name").values_list(
        "visit_id", "skill_id", "skill__name"
    ):
        if visit_id in by_pk:
            by_pk[visit_id].skill_names.append((skill_id, name))
    for v in found:
        v.technician = people.get(v.technician_id)
        v.second_technician = people.get(v.second_technician_id)
    return found


def _skills(visits: list[BoardVisit]) -> dict[int, set[int]]:
    """The skills of every technician on `visits` (one query)."""
    people = {p for v in visits for p in (v.technician_id, v.second_technician_id) if p}
    found: dict[int, set[int]] = defaultdict(set)
    if people:
        rows = User.skills.through.objects.filter(user_id__in=people)
        for user_id, skill_id in rows.values_list("user_id", "skill_id"):
            found[user_id].add(skill_id)
    return found


# -- the board -----------------------------------------------------------------------------------


def _fmt(at: datetime, tz: ZoneInfo) -> str:
    return at.astimezone(tz).strftime("%H:%M")


def _inside(begin: datetime, finish: datetime, spans: list[tuple[datetime, datetime]]) -> bool:
    return any(s <= begin and finish <= e for s, e in spans)


def _own_hours(technician: Technician, tz: ZoneInfo, day: date) -> tuple[datetime, datetime]:
    """The technician's own hours on a local day, in UTC (cached: a row asks for each visit)."""
    key = (tz.key, day, technician.day_start, technician.day_end)
    found = _OWN_HOURS.get(key)
    if found is None:
        found = (local(day, technician.day_start, tz), local(day, technician.day_end, tz))
        if len(_OWN_HOURS) > 10_000:
            _OWN_HOURS.clear()
        _OWN_HOURS[key] = found
    return found


_OWN_HOURS: dict[tuple, tuple[datetime, datetime]] = {}


def _hours_warning(row: Row, block: Block, shifts: list, tz: ZoneInfo) -> BoardWarning | None:
    if row.rostered:
        if _inside(block.start, block.end, shifts):
            return None
        near = [
            f"{_fmt(s, tz)}-{_fmt(e, tz)}"
            for s, e in shifts
            if s.astimezone(tz).date() == block.start.astimezone(tz).date()
        ]
        where = f"their shift that day: {', '.join(near)} {tz.key}" if near else "no shift that day"
        return BoardWarning("outside_hours", f"outside {row.user}'s roster shift ({where})")
    t = row.technician
    # day_end is after day_start (a constraint): the hours are within one local day, the day
    # the visit starts on.
    begin, finish = _own_hours(t, tz, block.start.astimezone(tz).date())
    if begin <= block.start and block.end <= finish:
        return None
    return BoardWarning(
        "outside_hours",
        f"outside {row.user}'s working hours ({t.day_start:%H:%M}-{t.day_end:%H:%M} {tz.key})",
    )


def _overlaps(a_start, a_end, b_start, b_end) -> bool:
    return a_start < b_end and b_start < a_end


def _mark_overlaps(blocks: list[Block]) -> None:
    """Each block's first overlapping block (`blocks` sorted by start: the later blocks that
    start before one's end are the ones it overlaps)."""
    for i, block in enumerate(blocks):
        for other in blocks[i + 1 :]:
            if other.start >= block.end:
                break
            if block.pk_overlap is None:
                block.pk_overlap = other
            if other.pk_overlap is None:
                other.pk_overlap = block


def _leg(row: Row, block: Block, before: Block | None, tz: ZoneInfo) -> Leg:
    """The leg into `block` from `before` (the previous visit that day) or the home base, with
    the travel warning when it cannot fit."""
    visit = block.visit
    if block.role == "lead" and visit.travel_minutes is not None:
        minutes, source = visit.travel_minutes, "plan"
    else:
        if before is not None and before.visit.site_id == visit.site_id:
            minutes = 0
        else:
            there = before.visit.site_point if before is not None else None
            if before is None:
                there = travel.base_point(row.technician)
            minutes = travel.minutes(there, visit.site_point)
        source = "unknown" if minutes is None else "estimate"
    leg = Leg(minutes, source, before.visit if before is not None else None)
    if before is None or minutes is None or before.end > block.start:
        return leg  # overlapping visits: the overlap warning says it
    arrival = before.end + timedelta(minutes=minutes)
    if arrival > block.start:
        leg.late_minutes = int((arrival - block.start).total_seconds() // 60)
        block.warnings.append(
            BoardWarning(
                "travel",
                f"{minutes} min from {before.visit.site_name}: arrives "
                f"{_fmt(arrival, tz)}, {leg.late_minutes} min after the start",
            )
        )
    return leg


def _warn_row(row: Row, shifts: list, leave: list, start: datetime, end: datetime) -> None:
    """The warnings that depend on the technician's own day: overlap, hours, leave, travel."""
    tz = zone(row.user.timezone)
    blocks = sorted(row.blocks, key=lambda b: (b.start, b.end, b.visit.pk))
    _mark_overlaps(blocks)
    previous: Block | None = None
    previous_day: date | None = None
    for block in blocks:
        if (other := block.pk_overlap) is not None:
            block.warnings.append(
                BoardWarning(
                    "overlap",
                    f"overlaps {other.visit.number} at {other.visit.site_name} "
                    f"({_fmt(other.start, tz)}-{_fmt(other.end, tz)})",
                )
            )
        if (warning := _hours_warning(row, block, shifts, tz)) is not None:
            block.warnings.append(warning)
        if any(_overlaps(block.start, block.end, b, f) for b, f, _ in leave):
            kind = next(k for b, f, k in leave if _overlaps(block.start, block.end, b, f))
            block.warnings.append(BoardWarning("leave", f"{row.user} is on leave ({kind.lower()})"))
        # The leg into this visit: from the previous visit of the same local day, else base.
        today = block.start.astimezone(tz).date()
        before = previous if previous is not None and previous_day == today else None
        block.leg = _leg(row, block, before, tz)
        if before is None or block.end >= before.end:
            previous, previous_day = block, today
    row.blocks = [b for b in blocks if b.end > start and b.start < end]


def _warn_visit(block: Block, cleared: dict[int, set[int]], skills: dict[int, set[int]]) -> None:
    """The warnings that depend on the visit: clearance and skills."""
    visit = block.visit
    reason = solo_refusal(
        visit.organization_id,
        visit.technician,
        visit.second_technician,
        organization_name=visit.organization_name,
        cleared=cleared.get(visit.organization_id, set()),
    )
    if reason:
        block.warnings.append(BoardWarning("not_cleared", reason))
    if not visit.skill_names:
        return
    people = {p for p in (visit.technician_id, visit.second_technician_id) if p}
    have = set().union(*(skills.get(p, set()) for p in people)) if people else set()
    missing = [name for pk, name in visit.skill_names if pk not in have]
    if missing:
        names = ", ".join(missing)
        block.warnings.append(BoardWarning("skill", f"needs {names}: nobody on the visit has it"))


def _place(board: Board, block: Block) -> None:
    if board.axis_start is None or board.axis_end is None:
        return
    span = (board.axis_end - board.axis_start).total_seconds()
    begin = max(block.start, board.axis_start)
    finish = min(block.end, board.axis_end)
    left = (begin - board.axis_start).total_seconds() / span * 100
    width = max(0.0, (finish - begin).total_seconds() / span * 100)
    block.left = min(geometry.tenths(left), geometry.TENTHS - 10)
    block.width = max(10, min(geometry.tenths(width), geometry.TENTHS - block.left))


def board(
    viewer: User,
    *,
    day: date,
    view: str = "day",
    team: Team | None = None,
    technician_ids: list[int] | None = None,
) -> Board:
    """The board of `viewer` for the `day` (or its Monday-Sunday week) in the viewer's zone:
    one row per technician (`technicians_for`), each visit placed with its leg and warnings."""
    if view not in VIEWS:
        raise ValueError(f"view is one of {VIEWS}")
    tz = zone(viewer.timezone)
    first, days, start, end = period(view, day, tz)
    result = Board(view=view, day=first, days=days, start=start, end=end, zone=tz, rows=[])
    result.team = team
    if view == "day":
        result.axis_start = local(first, time(DAY_VIEW_FROM), tz)
        result.axis_end = local(first, time(DAY_VIEW_TO), tz)
        span = (result.axis_end - result.axis_start).total_seconds()
        for hour in range(DAY_VIEW_FROM, DAY_VIEW_TO, 2):
            at = local(first, time(hour), tz)
            result.hours.append(
                (hour, geometry.tenths((at - result.axis_start).total_seconds() / span * 100))
            )
    techs = technicians_for(viewer, team)
    if technician_ids is not None:
        techs = techs.filter(user_id__in=technician_ids)
    rows = {t.user_id: Row(technician=t, user=t.user) for t in techs}
    result.rows = list(rows.values())
    if not rows:
        return result
    ids = set(rows)
    visits = _visits(viewer, ids, start - LONGEST, end + DAY)
    # A day either side: the legs and overlaps of the period's first and last visits.
    lo, hi = start - DAY, end + DAY
    rostered, team_ids = _rostered(ids)
    shifts = _shifts(rostered, team_ids, lo, hi) if rostered else {}
    leave = _leave(ids, lo, hi)
    cleared = _cleared(visits)
    skills = _skills(visits)
    for visit in visits:
        begin = visit.scheduled_start
        finish = visit.scheduled_end
        for role, person in (("lead", visit.technician_id), ("second", visit.second_technician_id)):
            if person in rows:
                rows[person].blocks.append(Block(visit, role, begin, finish))
    for user_id, row in rows.items():
        row.rostered = user_id in rostered
        row.shifts = [s for s in shifts.get(user_id, []) if s[1] > start and s[0] < end]
        row.leave = [lv for lv in leave.get(user_id, []) if lv[1] > start and lv[0] < end]
        _warn_row(row, shifts.get(user_id, []), leave.get(user_id, []), start, end)
        by_day: dict[date, list[Block]] = defaultdict(list)
        for block in row.blocks:
            _warn_visit(block, cleared, skills)
            _place(result, block)
            by_day[block.start.astimezone(tz).date()].append(block)
        row.days = [(d, by_day.get(d, [])) for d in days]
    return result


def unscheduled(viewer: User) -> QuerySet[Visit]:
    """The queue: visits waiting for a technician that `viewer` may see, the ticket's SLA due
    first (no SLA clock last), then the customer's window, oldest first."""
    return (
        visits_visible_to(viewer)
        .filter(status=VisitStatus.UNSCHEDULED)
        .select_related("ticket", "site", "organization")
        .prefetch_related("required_skills")
        .order_by(F("ticket__sla_due").asc(nulls_last=True), "window_start", "created_at", "id")
    )
