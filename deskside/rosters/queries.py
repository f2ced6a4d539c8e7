"""The read side of rosters: who may see them, the week grid of a team, who is on the desk
now (and next), a person's own schedule, leave and the gaps it opens.

Rosters belong to the MSP, not to a client: every active agent reads every roster (an agent
limited to some clients still sees who works the desk: no client's data is on these pages);
administrators and each team's lead edit them; customers see none (pages send them to the
portal, the API answers 403). Who works when is always `deskside.rosters.working`.
"""

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from django.db.models import QuerySet

from deskside.accounts.models import Team, User
from deskside.accounts.permissions import is_agent
from deskside.core import clock
from deskside.rosters import working
from deskside.rosters.models import Cover, Leave, Roster

NEXT_LOOKAHEAD = timedelta(days=3)


def rosters_visible_to(user: User) -> QuerySet[Roster]:
    if not is_agent(user):
        return Roster.objects.none()
    return Roster.objects.select_related("team", "team__lead").order_by("team__name")


def leave_visible_to(user: User) -> QuerySet[Leave]:
    if not is_agent(user):
        return Leave.objects.none()
    return Leave.objects.select_related("user", "created_by").order_by("starts_at", "id")


def users_by_id(ids: Iterable[int]) -> dict[int, User]:
    ids = set(ids)
    if not ids:
        return {}
    return {u.pk: u for u in User.objects.filter(pk__in=ids)}


def local_midnight(day: date, tz: ZoneInfo) -> datetime:
    return datetime.combine(day, datetime.min.time(), tzinfo=tz).astimezone(UTC)


def monday_of(day: date) -> date:
    return day - timedelta(days=day.weekday())


# -- the week grid -----------------------------------------------------------------------------


@dataclass
class Cell:
    codes: list[str] = field(default_factory=list)  # shift codes starting that day
    titles: list[str] = field(default_factory=list)
    leave: str = ""  # "holiday" ... when a rota'd shift that day is lost to leave
    cover: bool = False


@dataclass
class SlotCell:
    slot: working.Slot
    staffed: int
    state: str  # "below" | "minimum" | "above"
    label: str  # the words the colour says


@dataclass
class PersonRow:
    user: User
    cells: list[Cell]
    hours: float


@dataclass
class ShiftRow:
    code: str
    name: str
    times: str
    min_staff: int
    cells: list[SlotCell | None]


@dataclass
class Week:
    roster: Roster
    days: list[date]
    people: list[PersonRow]
    shifts: list[ShiftRow]
    gaps: list[SlotCell]


def slot_state(slot: working.Slot) -> SlotCell:
    staffed = len(slot.user_ids)
    if slot.below:
        state, label = "below", f"below minimum ({staffed}/{slot.min_staff})"
    elif staffed == slot.min_staff:
        state, label = "minimum", f"at minimum ({staffed}/{slot.min_staff})"
    else:
        state, label = "above", f"above minimum ({staffed}/{slot.min_staff})"
    return SlotCell(slot, staffed, state, label)


def week(roster: Roster, first_day: date) -> Week:
    """The seven local days from `first_day` (a Monday on the pages) in the roster's zone:
    per person the shift codes starting each day (cover marked, leave shown where it took a
    rota'd shift away), per shift definition the slot of each day with its staffing state."""
    tz = ZoneInfo(roster.timezone)
    days = [first_day + timedelta(days=i) for i in range(7)]
    start, end = local_midnight(days[0], tz), local_midnight(days[-1] + timedelta(days=1), tz)
    team = roster.team
    found = working.shifts(team, start, end)
    slots = working.slots(team, start, end)
    definitions = list(roster.shift_definitions.order_by("position", "start"))
    on_leave = {uid for slot in slots for uid in slot.on_leave}
    line_ids = [line.user_id for line in roster.lines.order_by("position", "id")]
    ids = list(dict.fromkeys([*line_ids, *(s.user_id for s in found), *on_leave]))
    users = users_by_id(ids)
    leave_kinds = _leave_kinds(on_leave, start, end)
    rows: dict[int, PersonRow] = {
        uid: PersonRow(users[uid], [Cell() for _ in days], 0.0) for uid in ids if uid in users
    }
    for shift in found:
        row = rows.get(shift.user_id)
        index = (shift.start.astimezone(tz).date() - first_day).days
        if row is None or not 0 <= index < 7:
            continue
        cell = row.cells[index]
        cell.codes.append(shift.code)
        cell.cover = cell.cover or shift.source == "cover"
        cell.titles.append(
            f"{shift.name} {shift.start.astimezone(tz):%H:%M}-{shift.end.astimezone(tz):%H:%M}"
            + (" (cover)" if shift.source == "cover" else "")
        )
        row.hours += (shift.end - shift.start).total_seconds() / 3600
    by_code: dict[str, list[SlotCell | None]] = {d.code: [None] * 7 for d in definitions}
    gaps = []
    for slot in slots:
        index = (slot.start.astimezone(tz).date() - first_day).days
        if not 0 <= index < 7:
            continue
        cell = slot_state(slot)
        by_code.setdefault(slot.code, [None] * 7)[index] = cell
        if slot.below:
            gaps.append(cell)
        for uid in slot.on_leave:
            if uid in rows and not rows[uid].cells[index].leave:
                rows[uid].cells[index].leave = leave_kinds.get(uid, "leave")
    for row in rows.values():
        row.hours = round(row.hours, 1)
    shift_rows = [
        ShiftRow(d.code, d.name, f"{d.start}-{d.end}", d.min_staff, by_code.get(d.code, []))
        for d in definitions
    ]
    return Week(roster, days, list(rows.values()), shift_rows, gaps)


def _leave_kinds(ids: set[int], start: datetime, end: datetime) -> dict[int, str]:
    if not ids:
        return {}
    rows = Leave.objects.filter(user_id__in=ids, starts_at__lt=end, ends_at__gt=start)
    return {leave.user_id: leave.get_kind_display().lower() for leave in rows}


# -- on the desk now ---------------------------------------------------------------------------


@dataclass
class DeskNow:
    team: Team
    roster: Roster | None
    working: list[User] | None  # None: no schedule (every active member counts)
    next_at: datetime | None
    next_people: list[User]
    next_name: str


def desk_now(teams: Iterable[Team], at: datetime | None = None) -> list[DeskNow]:
    """Per team: who works its desk at `at` (default now: `working.working_ids`) and the next
    hand-off within three days (when, to whom, which shift)."""
    at = at or clock.now()
    out = []
    for team in teams:
        ids = working.working_ids(team, at)
        nxt = next(iter(working.handoffs(team, at, at + NEXT_LOOKAHEAD)), None)
        users = users_by_id([*(ids or ()), *(nxt.incoming if nxt else ())])
        out.append(
            DeskNow(
                team,
                getattr(team, "roster", None),
                None if ids is None else sorted((users[i] for i in ids if i in users), key=str),
                nxt.at if nxt else None,
                sorted((users[i] for i in nxt.incoming if i in users), key=str) if nxt else [],
                nxt.starting if nxt else "",
            )
        )
    return out


def roster_teams() -> QuerySet[Team]:
    """Teams with a roster or a support duty (the ones "on the desk now" says something of)."""
    return (
        Team.objects.filter(roster__isnull=False)
        .select_related("roster")
        .order_by("name")
        .distinct()
    )


# -- a person's schedule -----------------------------------------------------------------------


@dataclass
class MyShift:
    shift: working.RosterShift
    team: Team | None


def my_shifts(user: User, start: datetime, end: datetime) -> list[MyShift]:
    found = working.shifts_of_user(user, start, end)
    teams = Team.objects.in_bulk({s.team_id for s in found})
    return [MyShift(s, teams.get(s.team_id)) for s in sorted(found, key=lambda s: s.start)]


# -- leave and its gaps ------------------------------------------------------------------------


@dataclass
class Gap:
    roster: Roster
    slot: working.Slot
    cell: SlotCell


def rosters_of(user: User) -> list[Roster]:
    """Rosters `user` works on: a rota line, or a member of the roster's team."""
    return list(
        Roster.objects.filter(team__members=user).select_related("team")
        | Roster.objects.filter(lines__user=user).select_related("team")
    )


def leave_gaps(leave: Leave) -> list[Gap]:
    """The shift instances the leave takes its person off that are now below minimum."""
    out = []
    for roster in {r.pk: r for r in rosters_of(leave.user)}.values():
        out.extend(
            Gap(roster, slot, slot_state(slot))
            for slot in working.slots(roster.team, leave.starts_at, leave.ends_at)
            if leave.user_id in slot.on_leave and slot.below
        )
    return sorted(out, key=lambda g: (g.slot.start, g.roster.team.name))


def covers_of(roster: Roster, start: datetime, end: datetime) -> QuerySet[Cover]:
    return (
        roster.covers.filter(starts_at__lt=end, ends_at__gt=start)
        .select_related("user", "covers_for", "created_by")
        .order_by("starts_at", "id")
    )
