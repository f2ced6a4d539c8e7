"""The read side of on-call schedules: who may see them, who is on call now, the calendar
grid, a person's shifts across schedules and the gaps/hours report.

Schedules belong to the MSP, not to a client: every active agent reads every schedule; only
administrators (`is_staff`) change them; customers see none (pages 404/redirect, API 403).
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from django.db.models import Q, QuerySet

from deskside.accounts.models import User
from deskside.accounts.permissions import is_admin, is_agent
from deskside.core import clock
from deskside.core.timezones import zone
from deskside.duty import oncall
from deskside.duty.models import LayerMember, Override, Schedule, Swap
from deskside.duty.oncall import Shift

LOOKAHEAD = timedelta(days=60)
STRIP = timedelta(days=7)
# People's colours on the calendar: the classes .oc-c0 ... .oc-c11 in deskside.css (a class,
# not a style attribute: the Content-Security-Policy allows no inline style).
PALETTE_SIZE = 12


def schedules_visible_to(user: User) -> QuerySet[Schedule]:
    if not is_agent(user):
        return Schedule.objects.none()
    return Schedule.objects.select_related("team")


def can_edit(user: User) -> bool:
    return is_admin(user)


def users_by_id(ids: Iterable[int]) -> dict[int, User]:
    ids = set(ids)
    if not ids:
        return {}
    return {u.pk: u for u in User.objects.filter(pk__in=ids)}


def colour_class(user_id: int | None) -> str:
    """The CSS class of a person's colour on the calendar (the same on every page); nobody's
    is transparent."""
    if user_id is None:
        return "oc-cnone"
    return f"oc-c{user_id % PALETTE_SIZE}"


# -- who is on call ----------------------------------------------------------------------------


@dataclass
class OnCallNow:
    schedule: Schedule
    user: User | None
    until: datetime | None  # the next hand-off (or the start of a gap), None: not within 60 days
    next_user: User | None
    source: str | None
    upcoming: list["Band"] = field(default_factory=list)  # the next STRIP_DAYS, as bands


def _now_and_next(found: Sequence[Shift], at: datetime) -> tuple:
    """(user_id now, source, next hand-off, next user_id) from shifts starting at `at`."""
    current = found[0] if found and found[0].start <= at else None
    current_id = current.user_id if current else None
    cursor = at
    for shift in found:
        if shift.start > cursor:  # a gap
            if current_id is not None:
                return current_id, current.source, cursor, None
            return None, None, shift.start, shift.user_id
        if shift.user_id != current_id:
            return current_id, current.source if current else None, shift.start, shift.user_id
        cursor = shift.end
    return current_id, current.source if current else None, None, None


def on_call_now(schedules: Iterable[Schedule], at: datetime | None = None) -> list[OnCallNow]:
    """For each schedule, who is on call at `at` (default now), until when, and who next."""
    at = (at or clock.now()).astimezone(UTC)
    rows = []
    for schedule in schedules:
        found = oncall.shifts(schedule, at, at + LOOKAHEAD)
        rows.append((schedule, found, *_now_and_next(found, at)))
    users = users_by_id(s.user_id for row in rows for s in row[1] if s.start < at + STRIP)
    return [
        OnCallNow(
            schedule,
            users.get(now_id),
            until,
            users.get(next_id),
            source,
            bands(found, at, at + STRIP, users),
        )
        for schedule, found, now_id, source, until, next_id in rows
    ]


# -- calendar grid -----------------------------------------------------------------------------


@dataclass
class Band:
    user: User | None
    start: datetime
    end: datetime
    left: float  # percent of the period (a day in the calendar)
    width: float
    colour_class: str
    source: str


def bands(found: Sequence[Shift], start: datetime, end: datetime, users: dict) -> list[Band]:
    """The shifts in [start, end) as bands placed by their share of the period."""
    length = (end - start).total_seconds()
    out = []
    for shift in found:
        begin, finish = max(shift.start, start), min(shift.end, end)
        if begin >= finish:
            continue
        out.append(
            Band(
                users.get(shift.user_id),
                begin,
                finish,
                round((begin - start).total_seconds() / length * 100, 3),
                round((finish - begin).total_seconds() / length * 100, 3),
                colour_class(shift.user_id),
                shift.source,
            )
        )
    return out


@dataclass
class DayRow:
    day: date
    start: datetime
    end: datetime
    bands: list[Band] = field(default_factory=list)
    is_today: bool = False


def calendar_days(
    schedule: Schedule, first_day: date, days: int, tz: ZoneInfo | None = None
) -> tuple[list[DayRow], dict[int, User]]:
    """One row per local day (in the schedule's zone) from `first_day`, each with coloured
    bands per shift placed by their share of that day (a DST day is 23 or 25 hours long)."""
    tz = tz or zone(schedule.timezone)
    # In UTC: subtracting two datetimes that share a tzinfo gives wall-clock time, which
    # would make every DST day 24 hours long.
    starts = [
        datetime.combine(first_day + timedelta(days=i), datetime.min.time(), tzinfo=tz).astimezone(
            UTC
        )
        for i in range(days + 1)
    ]
    found = oncall.shifts(schedule, starts[0], starts[-1])
    users = users_by_id(s.user_id for s in found)
    today = clock.now().astimezone(tz).date()
    rows = []
    index = 0
    for day_start, day_end in zip(starts, starts[1:], strict=False):
        local_day = day_start.astimezone(tz).date()
        row = DayRow(local_day, day_start, day_end, is_today=local_day == today)
        while index < len(found) and found[index].end <= day_start:
            index += 1
        probe = index
        while probe < len(found) and found[probe].start < day_end:
            probe += 1
        row.bands = bands(found[index:probe], day_start, day_end, users)
        rows.append(row)
    return rows, users


# -- report ------------------------------------------------------------------------------------


@dataclass
class HoursRow:
    user: User
    hours: float
    shifts: int
    percent: float  # of the covered hours
    colour_class: str


@dataclass
class Report:
    schedule: Schedule
    start: datetime
    end: datetime
    shifts: list[Shift]
    gaps: list[tuple[datetime, datetime]]
    rows: list[HoursRow]
    total_hours: float
    covered_hours: float
    gap_hours: float


def turn_key(shift: Shift) -> tuple:
    """What a shift is a piece of: one layer turn, one override, or one swapped turn."""
    if shift.source == "override":
        return ("override", shift.override_id)
    return ("turn", shift.layer_id, shift.turn)


def report(schedule: Schedule, start: datetime, end: datetime) -> Report:
    """Gaps (nobody on call) and on-call hours per person in [start, end). Every member of the
    schedule's layers has a row, with 0 hours when they had none (so the equal share counts
    them); `shifts` counts turns and overrides, not the pieces restriction windows cut."""
    start, end = start.astimezone(UTC), end.astimezone(UTC)  # elapsed hours, not wall-clock
    found = oncall.shifts(schedule, start, end, by_turn=True)
    holes = oncall.gaps(found, start, end)
    totals: dict[int, float] = dict.fromkeys(
        LayerMember.objects.filter(layer__schedule=schedule).values_list("user_id", flat=True),
        0.0,
    )
    for uid, hours in oncall.hours_by_user(found).items():
        totals[uid] = totals.get(uid, 0.0) + hours
    turns: dict[int, set] = {}
    for shift in found:
        turns.setdefault(shift.user_id, set()).add(turn_key(shift))
    users = users_by_id(totals)
    covered = sum(totals.values())
    rows = [
        HoursRow(
            users[uid],
            round(hours, 2),
            len(turns.get(uid, ())),
            round(hours / covered * 100, 1) if covered else 0.0,
            colour_class(uid),
        )
        for uid, hours in sorted(totals.items(), key=lambda item: (-item[1], item[0]))
        if uid in users
    ]
    total = (end - start).total_seconds() / 3600
    return Report(
        schedule,
        start,
        end,
        found,
        holes,
        rows,
        round(total, 2),
        round(covered, 2),
        round(sum((b - a).total_seconds() for a, b in holes) / 3600, 2),
    )


# -- a person's shifts -------------------------------------------------------------------------


def schedules_of(user: User) -> QuerySet[Schedule]:
    """Schedules `user` can be on call on: a layer member, an override or a swap."""
    return Schedule.objects.filter(
        Q(pk__in=LayerMember.objects.filter(user=user).values("layer__schedule"))
        | Q(pk__in=Override.objects.filter(user=user).values("schedule"))
        | Q(
            pk__in=Swap.objects.filter(
                Q(requester=user) | Q(partner=user), status=Swap.Status.ACCEPTED
            ).values("schedule")
        )
    ).distinct()


def person_shifts(user: User, start: datetime, end: datetime) -> list[tuple[Schedule, Shift]]:
    """Every final shift of `user` in [start, end) across schedules, in time order."""
    out = []
    for schedule in schedules_of(user):
        out.extend(
            (schedule, s) for s in oncall.shifts(schedule, start, end) if s.user_id == user.pk
        )
    out.sort(key=lambda pair: (pair[1].start, pair[0].name))
    return out


def swaps_awaiting(user: User) -> QuerySet[Swap]:
    """Proposed swaps `user` is asked to take, still running."""
    return (
        Swap.objects.filter(partner=user, status=Swap.Status.PROPOSED, ends_at__gt=clock.now())
        .select_related("schedule", "requester")
        .order_by("starts_at", "id")
    )


def member_choices(schedule: Schedule) -> list[User]:
    ids = LayerMember.objects.filter(layer__schedule=schedule).values("user_id")
    return list(User.objects.filter(pk__in=ids))


def active_agents() -> QuerySet[User]:
    return User.objects.filter(kind=User.Kind.AGENT, is_active=True)
