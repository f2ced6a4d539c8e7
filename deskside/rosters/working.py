"""Who works the desk, at any time: the one answer every app asks (assignment, handovers,
the navigation, staffing, field service).

Built on the on-call engine (`deskside.duty.oncall`): a shift definition is a daily layer
whose hand-off is the shift's local start in the roster's time zone, restricted to the window
start-end (an end at or before the start ends the next day). Its turns are the shift's
instances, DST-correct by construction: a 22:00-06:00 night lasts 7 hours on the night the
clocks go forward and 9 on the night they go back. Turn k is day k of the rota since
`cycle_start`; a rota line works it when its pattern says this shift's code on day
`k mod cycle_days`. A rotational support duty is a daily or weekly layer of its members.

Leave takes a person off every shift instance it overlaps (the whole shift: a manager covers
shifts, not hours); cover adds a person to the instance of its shift code it overlaps. A
support-duty person on leave hands the duty to the next member in rota order who is not.

Everything here only reads. Times are aware; results are in UTC.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from deskside.accounts.models import Team
from deskside.core import clock
from deskside.duty import oncall
from deskside.rosters.models import Cover, Leave, Roster, SupportDuty

DAY = timedelta(days=1)
REACH = timedelta(hours=26)  # longer than any shift: a day and a DST hour
MICRO = oncall.MICRO
DUTY_NAME = "Support duty"


@dataclass(frozen=True)
class RosterShift:
    """One person on one shift instance."""

    user_id: int
    team_id: int
    code: str
    name: str
    start: datetime
    end: datetime
    source: str  # "rota" | "cover" | "duty"

    @property
    def hours(self) -> float:
        return (self.end - self.start).total_seconds() / 3600


@dataclass(frozen=True)
class Slot:
    """One shift instance of a team: a definition on one day, with who works it."""

    team_id: int
    code: str
    name: str
    start: datetime
    end: datetime
    min_staff: int
    user_ids: tuple[int, ...]
    on_leave: tuple[int, ...]
    cover_ids: tuple[int, ...] = ()  # who of user_ids is there by cover, not by the rota

    @property
    def below(self) -> bool:
        return len(self.user_ids) < self.min_staff


@dataclass(frozen=True)
class Handoff:
    """A moment when one shift of a team ends and the next starts."""

    team_id: int
    at: datetime
    ending: str
    starting: str
    outgoing: tuple[int, ...]
    incoming: tuple[int, ...]
    shift_start: datetime


# --- the maths on plain data ------------------------------------------------------------------


def _utc(value: datetime) -> datetime:
    return oncall._utc(value)


def instances(
    *,
    zone: str,
    anchor: date,
    start_hhmm: str,
    end_hhmm: str,
    lo: datetime,
    hi: datetime,
    days: Sequence[int] = (),
) -> list[tuple[int, datetime, datetime]]:
    """The instances (day index k since `anchor`, start, end) of a daily shift start-end in
    `zone`, starting on the weekdays `days` (empty: every day), that overlap [lo, hi), whole
    (not cut to the period)."""
    zone = oncall.loadable_zone(zone)
    first = oncall.local_to_utc(
        datetime.combine(anchor, time(*oncall.parse_hhmm(start_hhmm))), ZoneInfo(zone)
    )
    spec = oncall.LayerSpec(
        id=None,
        position=0,
        zone=zone,
        starts_at=first,
        ends_at=None,
        shift_length=1,
        shift_unit="days",
        member_ids=(1,),
        restrictions=({"days": list(days), "start": start_hhmm, "end": end_hhmm},),
    )
    # A shift lasts at most a day (plus a DST hour): look that much wider, keep whole instances.
    pieces = oncall.layer_pieces(spec, _utc(lo) - REACH, _utc(hi) + REACH)
    seen: dict[int, tuple[datetime, datetime]] = {}
    for begin, finish, payload in pieces:
        turn = payload[5]
        # The first piece of a turn is the shift (a window edge in a DST gap can leave a
        # sliver of the next day's window inside a turn; it is not a shift).
        seen.setdefault(turn, (begin, finish))
    return [
        (turn, begin, finish)
        for turn, (begin, finish) in sorted(seen.items())
        if begin < _utc(hi) and finish > _utc(lo)
    ]


def _overlaps(start: datetime, end: datetime, other_start: datetime, other_end: datetime) -> bool:
    return start < other_end and other_start < end


def _leave_by_user(user_ids: Iterable[int], lo: datetime, hi: datetime) -> dict[int, list]:
    out: dict[int, list] = {}
    rows = Leave.objects.filter(
        user_id__in=set(user_ids), starts_at__lt=hi, ends_at__gt=lo
    ).order_by()
    for user_id, begin, finish in rows.values_list("user_id", "starts_at", "ends_at"):
        out.setdefault(user_id, []).append((begin, finish))
    return out


def _on_leave_during(leave: dict[int, list], user_id: int, start: datetime, end: datetime) -> bool:
    return any(_overlaps(start, end, b, f) for b, f in leave.get(user_id, ()))


def _roster(team: Team) -> Roster | None:
    try:
        roster = team.roster
    except Roster.DoesNotExist:
        return None
    return roster


def _duty(team: Team) -> SupportDuty | None:
    try:
        duty = team.support_duty
    except SupportDuty.DoesNotExist:
        return None
    return duty


@dataclass(frozen=True)
class _Definition:
    code: str
    name: str
    start: str
    end: str
    days: tuple[int, ...]
    min_staff: int


def _definitions(roster: Roster) -> list[_Definition]:
    rows = roster.shift_definitions.order_by("position", "start").values_list(
        "code", "name", "start", "end", "days", "min_staff"
    )
    return [
        _Definition(code, name, start, end, tuple(days or ()), min_staff)
        for code, name, start, end, days, min_staff in rows
    ]


def roster_slots(
    roster: Roster, start: datetime, end: datetime, *, definitions: list | None = None
) -> list[Slot]:
    """The roster's shift instances overlapping [start, end), with rota, cover and leave."""
    if _utc(start) >= _utc(end):
        return []
    definitions = _definitions(roster) if definitions is None else definitions
    if not definitions:
        return []
    lines = list(
        roster.lines.filter(user__is_active=True).order_by().values_list("user_id", "pattern")
    )
    found = []
    for definition in definitions:
        for turn, begin, finish in instances(
            zone=roster.timezone,
            anchor=roster.cycle_start,
            start_hhmm=definition.start,
            end_hhmm=definition.end,
            lo=start,
            hi=end,
            days=definition.days,
        ):
            day = turn % roster.cycle_days
            rota = tuple(
                user_id
                for user_id, pattern in lines
                if day < len(pattern or ()) and pattern[day] == definition.code
            )
            found.append((definition, begin, finish, rota))
    if not found:
        return []
    lo = min(item[1] for item in found)
    hi = max(item[2] for item in found)
    covers = list(
        Cover.objects.filter(roster=roster, starts_at__lt=hi, ends_at__gt=lo)
        .order_by()
        .values_list("user_id", "code", "starts_at", "ends_at")
    )
    people = {u for item in found for u in item[3]} | {c[0] for c in covers}
    leave = _leave_by_user(people, lo, hi)
    slots = []
    for definition, begin, finish, rota in found:
        covering = tuple(
            c[0]
            for c in covers
            if c[1] == definition.code and _overlaps(begin, finish, c[2], c[3]) and c[0] not in rota
        )
        everyone = rota + covering
        away = tuple(u for u in everyone if _on_leave_during(leave, u, begin, finish))
        slots.append(
            Slot(
                team_id=roster.team_id,
                code=definition.code,
                name=definition.name,
                start=begin,
                end=finish,
                min_staff=definition.min_staff,
                user_ids=tuple(u for u in everyone if u not in away),
                on_leave=tuple(u for u in rota if u in away),
                cover_ids=tuple(u for u in covering if u not in away),
            )
        )
    slots.sort(key=lambda s: (s.start, s.end, s.code))
    return slots


def _duty_member_ids(duty: SupportDuty) -> list[int]:
    return list(
        duty.members.filter(user__is_active=True)
        .order_by("position")
        .values_list("user_id", flat=True)
    )


def duty_turns(
    duty: SupportDuty, start: datetime, end: datetime, *, members: list[int] | None = None
) -> list[tuple]:
    """A rotational duty's turns overlapping [start, end): (start, end, rota user id, turn).
    `members`: the duty's active members in rota order, when the caller has read them."""
    members = _duty_member_ids(duty) if members is None else members
    if not members:
        return []
    zone = oncall.loadable_zone(duty.timezone)
    first = oncall.local_to_utc(
        datetime.combine(duty.starts_on, time(*oncall.parse_hhmm(duty.handoff_time))),
        ZoneInfo(zone),
    )
    weekly = duty.period == SupportDuty.Period.WEEKLY
    spec = oncall.LayerSpec(
        id=None,
        position=0,
        zone=zone,
        starts_at=first,
        ends_at=None,
        shift_length=1,
        shift_unit="weeks" if weekly else "days",
        member_ids=tuple(members),
        restrictions=(),
    )
    span = timedelta(days=8 if weekly else 2)
    pieces = oncall._turns(spec, _utc(start) - span, _utc(end) + span)
    return [
        (begin, finish, payload[0], payload[5])
        for begin, finish, payload in pieces
        if begin < _utc(end) and finish > _utc(start)
    ]


def _duty_now(duty: SupportDuty, at: datetime) -> frozenset[int] | None:
    if duty.mode == SupportDuty.Mode.EVERYONE:
        return None
    members = _duty_member_ids(duty)
    away = on_leave(members, at)
    if duty.mode == SupportDuty.Mode.FIXED:
        return frozenset(u for u in members if u not in away)
    turns = duty_turns(duty, at, at + MICRO, members=members)
    if not turns:
        return frozenset()
    rota_person = turns[0][2]
    order = members[members.index(rota_person) :] + members[: members.index(rota_person)]
    for user_id in order:  # the person on duty, or the next in the rota who is not away
        if user_id not in away:
            return frozenset({user_id})
    return frozenset()


# --- the public reads -------------------------------------------------------------------------


def on_leave(user_ids: Iterable[int], at: datetime) -> set[int]:
    """Which of `user_ids` are on leave at `at`."""
    ids = set(user_ids)
    if not ids:
        return set()
    return set(
        Leave.objects.filter(user_id__in=ids, starts_at__lte=at, ends_at__gt=at).values_list(
            "user_id", flat=True
        )
    )


def on_duty_ids(team: Team, at: datetime | None = None) -> frozenset[int] | None:
    """The team's support-duty people at `at`: the fixed service desk, or the one person on
    rotational duty (the next in the rota when that person is on leave); None when the team
    has no support duty or its mode is "everyone"."""
    duty = _duty(team)
    if duty is None:
        return None
    return _duty_now(duty, at or clock.now())


def working_ids(team: Team, at: datetime | None = None) -> frozenset[int] | None:
    """Who works `team`'s desk at `at` (default now): the support-duty people when the team's
    mode is fixed or rotational; else the roster's people on shift (rota + cover - leave);
    None when the team has neither (no schedule: every active member counts, and callers
    still drop people on leave with `on_leave`)."""
    at = at or clock.now()
    duty = on_duty_ids(team, at)
    if duty is not None:
        return duty
    roster = _roster(team)
    definitions = _definitions(roster) if roster is not None else []
    if not definitions:
        return None
    people: set[int] = set()
    for slot in roster_slots(roster, at, at + MICRO, definitions=definitions):
        if slot.start <= at < slot.end:
            people.update(slot.user_ids)
    return frozenset(people)


@dataclass(frozen=True)
class Working:
    """Who works a team's desk at one instant, and until when that answer holds at least."""

    on_duty: frozenset[int] | None  # `on_duty_ids`
    ids: frozenset[int] | None  # `working_ids`
    until: datetime | None  # the next shift start or end, or duty hand-off (None: none seen)


def working_at(team: Team, at: datetime, *, horizon: timedelta = DAY) -> Working:
    """`on_duty_ids` and `working_ids` of `team` at `at` in one read of its set-up, with the
    first moment after `at` (within `horizon`) when the answer may change: for callers that
    remember it (assignment decisions)."""
    duty = _duty(team)
    if duty is not None and duty.mode != SupportDuty.Mode.EVERYONE:
        on_duty = _duty_now(duty, at)
        until = None
        if duty.mode == SupportDuty.Mode.ROTATIONAL:
            turns = duty_turns(duty, at, at + MICRO)
            until = turns[0][1] if turns else None
        return Working(on_duty, on_duty, until)
    roster = _roster(team)
    definitions = _definitions(roster) if roster is not None else []
    if not definitions:
        return Working(None, None, None)
    found = roster_slots(roster, at, at + horizon, definitions=definitions)
    people = frozenset(u for s in found if s.start <= at < s.end for u in s.user_ids)
    changes = [t for s in found for t in (s.start, s.end) if t > at]
    return Working(None, people, min(changes, default=None))


def working_teams(user, at: datetime | None = None) -> list[Team]:
    """The teams whose desk `user` works at `at`."""
    at = at or clock.now()
    candidates = Team.objects.filter(
        id__in=set(user.teams.values_list("id", flat=True))
        | set(Roster.objects.filter(lines__user=user).values_list("team_id", flat=True))
        | set(Roster.objects.filter(covers__user=user).values_list("team_id", flat=True))
    ).select_related("roster", "support_duty")
    return [team for team in candidates if user.pk in (working_ids(team, at) or ())]


def slots(team: Team, start: datetime, end: datetime) -> list[Slot]:
    """The team's shift instances overlapping [start, end) (none without a roster)."""
    roster = _roster(team)
    return roster_slots(roster, start, end) if roster is not None else []


def shifts(team: Team, start: datetime, end: datetime) -> list[RosterShift]:
    """People's shift instances overlapping [start, end): the roster's (rota and cover, not
    the ones on leave) and, for a rotational or fixed support duty, the duty turns."""
    out = []
    duty = _duty(team)
    if duty is not None and duty.mode == SupportDuty.Mode.ROTATIONAL:
        for begin, finish, user_id, _turn in duty_turns(duty, start, end):
            out.append(RosterShift(user_id, team.pk, "D", DUTY_NAME, begin, finish, "duty"))
    for slot in slots(team, start, end):
        for user_id in slot.user_ids:
            source = "cover" if user_id in slot.cover_ids else "rota"
            out.append(
                RosterShift(user_id, team.pk, slot.code, slot.name, slot.start, slot.end, source)
            )
    out.sort(key=lambda s: (s.start, s.user_id))
    return out


def shifts_of_user(user, start: datetime, end: datetime) -> list[RosterShift]:
    """`user`'s shift instances overlapping [start, end), across every team."""
    team_ids = set(Roster.objects.filter(lines__user=user).values_list("team_id", flat=True))
    team_ids |= set(Roster.objects.filter(covers__user=user).values_list("team_id", flat=True))
    team_ids |= set(
        SupportDuty.objects.filter(members__user=user).values_list("team_id", flat=True)
    )
    found = []
    for team in Team.objects.filter(id__in=team_ids):
        found.extend(s for s in shifts(team, start, end) if s.user_id == user.pk)
    found.sort(key=lambda s: s.start)
    return found


def handoffs(team: Team, start: datetime, end: datetime) -> list[Handoff]:
    """The moments in (start, end] when a shift of the team ends: the ends of its roster's
    shift instances (or, with a rotational support duty, the duty's hand-offs), with who goes
    off and who comes on."""
    lo, hi = _utc(start), _utc(end)
    duty = _duty(team)
    if duty is not None and duty.mode == SupportDuty.Mode.ROTATIONAL:
        turns = duty_turns(duty, lo - 8 * DAY, hi + 8 * DAY)
        out = []
        for before, after in zip(turns, turns[1:], strict=False):
            if lo < before[1] <= hi:
                out.append(
                    Handoff(
                        team.pk,
                        before[1],
                        DUTY_NAME,
                        DUTY_NAME,
                        (before[2],),
                        (after[2],),
                        before[0],
                    )
                )
        return out
    found = slots(team, lo - 2 * DAY, hi + 8 * DAY)
    out = []
    for moment in sorted({s.end for s in found if lo < s.end <= hi}):
        ending = [s for s in found if s.end == moment]
        starting = [s for s in found if s.start <= moment < s.end and s.user_ids]
        if not starting:  # nobody comes on at once (a business-hours desk): the next shift
            later = [s for s in found if s.start > moment and s.user_ids]
            first = min((s.start for s in later), default=None)
            starting = [s for s in later if s.start == first]
        out.append(
            Handoff(
                team_id=team.pk,
                at=moment,
                ending=" + ".join(_names(ending)),
                starting=" + ".join(_names(starting)),
                outgoing=_people(ending),
                incoming=_people(starting),
                shift_start=min(s.start for s in ending),
            )
        )
    return out


def _names(found: Sequence[Slot]) -> list[str]:
    return list(dict.fromkeys(s.name for s in found))


def _people(found: Sequence[Slot]) -> tuple[int, ...]:
    return tuple(dict.fromkeys(u for s in found for u in s.user_ids))


def week_start(day: date) -> date:
    """The Monday of `day`'s week."""
    return day - timedelta(days=day.weekday())


def local_day_bounds(day: date, zone: str) -> tuple[datetime, datetime]:
    """[00:00 of `day`, 00:00 of the next day) in `zone`, as UTC."""
    tz = ZoneInfo(oncall.loadable_zone(zone))
    begin = datetime.combine(day, time(0), tzinfo=tz).astimezone(UTC)
    finish = datetime.combine(day + DAY, time(0), tzinfo=tz).astimezone(UTC)
    return begin, finish
