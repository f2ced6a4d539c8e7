"""The write side of desk rosters: a team's roster (time zone, rota cycle, rest rule, weekly
hours cap), its shift definitions (presets or custom), the rota lines that put agents on
shifts (a fixed weekly pattern, or a rotating cycle generated with an offset per agent), leave
and cover.

Who may do what (checked here, so every adapter gets the same answer):

- a roster, its shifts and rota lines: administrators (`is_staff`) and the team's lead;
- leave: administrators, the lead of a team the person is on, and the person themselves
  (an agent records their own holiday or sick day); the same people cancel it;
- cover: administrators and the team's lead. A cover that would put someone on a shift they
  already work, during their leave, with less rest than the roster's `rest_hours` before or
  after, or over the roster's `weekly_hours_cap` in the ISO week of the shift is refused with
  `RuleBroken` naming the rule (`deskside.rosters.rules`).

Each function is one transaction and writes its audit entry (`core.audit`) in it. Who works
when is read through `deskside.rosters.working`, never recomputed here.
"""

import re
import zoneinfo
from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta

from django.db import transaction

from deskside.accounts.models import Team, User
from deskside.accounts.permissions import is_admin, is_agent
from deskside.core import audit, clock, versioning
from deskside.duty.oncall import parse_hhmm
from deskside.rosters import rules, working
from deskside.rosters.exceptions import InUse, InvalidInput, NotAllowed, RuleBroken
from deskside.rosters.models import Cover, Leave, Roster, RotaLine, ShiftDefinition

MAX_CYCLE_DAYS = 12 * 7
MAX_LEAVE = timedelta(days=366)
MAX_SHIFTS = 12
CODE = re.compile(r"^[A-Z0-9]{1,4}$")
PRESETS: dict[str, tuple[tuple[str, str, str, str, tuple[int, ...]], ...]] = {
    # code, name, start, end (local), weekdays it starts on (empty: every day)
    "three": (
        ("E", "Early", "06:00", "14:00", ()),
        ("L", "Late", "14:00", "22:00", ()),
        ("N", "Night", "22:00", "06:00", ()),
    ),
    "business": (("D", "Day", "09:00", "17:00", (0, 1, 2, 3, 4)),),
}
PRESET_LABELS = {
    "three": "Three 8-hour shifts (06-14, 14-22, 22-06)",
    "business": "Business hours (09-17, Monday to Friday)",
    "custom": "Custom (add shifts yourself)",
}
ROSTER_AUDITED = ("timezone", "cycle_start", "cycle_days", "rest_hours", "weekly_hours_cap")
SHIFT_AUDITED = ("code", "name", "start", "end", "days", "min_staff", "position")
LEAVE_AUDITED = ("user", "kind", "starts_at", "ends_at", "reason")
COVER_AUDITED = ("user", "code", "starts_at", "ends_at", "covers_for", "reason")


# -- who may -----------------------------------------------------------------------------------


def can_edit(actor: User, team: Team) -> bool:
    """Administrators and the team's lead edit its roster and put people on cover."""
    return is_admin(actor) or (is_agent(actor) and team.lead_id == actor.pk)


def require_editor(actor: User, team: Team) -> None:
    if not is_agent(actor):
        raise NotAllowed("only agents use rosters")
    if not can_edit(actor, team):
        raise NotAllowed(f"only administrators and the lead of {team.name} edit its roster")


def can_manage_leave(actor: User, person: User) -> bool:
    """The person themselves, administrators, and the lead of a team the person is on."""
    if not is_agent(actor):
        return False
    if is_admin(actor) or actor.pk == person.pk:
        return True
    return Team.objects.filter(lead=actor, members=person).exists() or (
        RotaLine.objects.filter(user=person, roster__team__lead=actor).exists()
    )


# -- validation --------------------------------------------------------------------------------


def validate_timezone(name: str, field: str = "timezone") -> str:
    name = (name or "").strip()
    try:
        zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError) as exc:
        raise InvalidInput(f"unknown time zone {name!r}", field=field) from exc
    return name


def _whole(value: object, field: str, low: int, high: int, what: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise InvalidInput(f"{what} is a whole number from {low} to {high}", field=field)
    return value


def _hhmm(value: str, field: str) -> str:
    try:
        hours, minutes = parse_hhmm((value or "").strip())
    except ValueError as exc:
        raise InvalidInput(f"{value!r} is not a time of day (HH:MM)", field=field) from exc
    if hours == 24:
        raise InvalidInput("use 00:00 for midnight", field=field)
    return f"{hours:02d}:{minutes:02d}"


def _aware(value: datetime | None, field: str) -> datetime:
    if value is None:
        raise InvalidInput("a date and time is required", field=field)
    if value.tzinfo is None:
        raise InvalidInput("a time zone offset is required (e.g. 2026-03-02T09:00Z)", field=field)
    return value.astimezone(UTC)


def _codes(roster: Roster) -> set[str]:
    return set(roster.shift_definitions.values_list("code", flat=True))


def validate_pattern(roster: Roster, pattern: object, field: str = "pattern") -> list[str]:
    """A list of exactly `cycle_days` entries, each a shift code of the roster or "" (off)."""
    if not isinstance(pattern, list | tuple):
        raise InvalidInput("the pattern is a list of shift codes, one per day", field=field)
    if len(pattern) != roster.cycle_days:
        raise InvalidInput(
            f"the pattern needs {roster.cycle_days} days (the roster's cycle), not {len(pattern)}",
            field=field,
        )
    known = _codes(roster)
    out = []
    for index, code in enumerate(pattern):
        code = (code or "").strip().upper() if isinstance(code, str | type(None)) else code
        if not isinstance(code, str) or (code and code not in known):
            raise InvalidInput(
                f"day {index + 1}: {code!r} is no shift of this roster "
                f"({', '.join(sorted(known)) or 'none yet'}; empty = off)",
                field=field,
            )
        out.append(code)
    return out


def _member(roster: Roster, user: object, field: str = "user") -> User:
    if not isinstance(user, User) or not user.is_agent or not user.is_active:
        raise InvalidInput("only active agents work shifts", field=field)
    return user


# -- rosters -----------------------------------------------------------------------------------


def _roster_audit(actor: User, action: str, roster: Roster, **values: object) -> None:
    audit.record(
        actor, action, "rosters.roster", roster.team.slug, label=roster.team.name, **values
    )


def _roster_fields(
    *,
    timezone: str,
    cycle_start: date | None,
    cycle_days: object,
    rest_hours: object,
    weekly_hours_cap: object,
) -> dict:
    if not isinstance(cycle_start, date) or isinstance(cycle_start, datetime):
        raise InvalidInput("the first day of the cycle is a date", field="cycle_start")
    return {
        "timezone": validate_timezone(timezone),
        "cycle_start": cycle_start,
        "cycle_days": _whole(cycle_days, "cycle_days", 1, MAX_CYCLE_DAYS, "the cycle's length"),
        "rest_hours": _whole(rest_hours, "rest_hours", 0, 24, "the rest between shifts"),
        "weekly_hours_cap": _whole(
            weekly_hours_cap, "weekly_hours_cap", 1, 168, "the weekly hours cap"
        ),
    }


@transaction.atomic
def create_roster(
    *,
    actor: User,
    team: Team,
    timezone: str = "UTC",
    cycle_start: date | None = None,
    cycle_days: int = 7,
    rest_hours: int = 11,
    weekly_hours_cap: int = 48,
    preset: str = "custom",
    min_staff: int = 1,
) -> Roster:
    """The roster of `team` (one per team), with the shifts of `preset` ("three": 06-14,
    14-22, 22-06; "business": 09-17, whose rota lines then work Monday to Friday; "custom":
    none yet). `cycle_start` defaults to the Monday of this week in the team's zone."""
    require_editor(actor, team)
    if Roster.objects.filter(team=team).exists():
        raise InvalidInput(f"{team.name} has a roster already", field="team")
    if cycle_start is None:
        today = clock.now().astimezone(zoneinfo.ZoneInfo(validate_timezone(timezone))).date()
        cycle_start = today - timedelta(days=today.weekday())
    fields = _roster_fields(
        timezone=timezone,
        cycle_start=cycle_start,
        cycle_days=cycle_days,
        rest_hours=rest_hours,
        weekly_hours_cap=weekly_hours_cap,
    )
    roster = Roster.objects.create(team=team, **fields)
    _roster_audit(actor, audit.CREATED, roster, after=audit.snapshot(roster, ROSTER_AUDITED))
    if preset != "custom":
        _add_preset(actor, roster, preset, min_staff)
    return roster


@transaction.atomic
def update_roster(
    *,
    actor: User,
    roster: Roster,
    timezone: str,
    cycle_start: date,
    cycle_days: int,
    rest_hours: int,
    weekly_hours_cap: int,
    version: int | None = None,
) -> Roster:
    """Change the zone, cycle or rules. A new cycle length is refused while rota lines of
    another length exist (generate the rota again, or change the lines first). `version` is
    the one the editor read (VersionConflict if the roster changed since)."""
    require_editor(actor, roster.team)
    roster = versioning.lock(roster, version)
    old = audit.snapshot(roster, ROSTER_AUDITED)
    fields = _roster_fields(
        timezone=timezone,
        cycle_start=cycle_start,
        cycle_days=cycle_days,
        rest_hours=rest_hours,
        weekly_hours_cap=weekly_hours_cap,
    )
    if fields["cycle_days"] != roster.cycle_days and roster.lines.exists():
        raise InvalidInput(
            f"the rota lines have {roster.cycle_days} days; generate the rota again or remove "
            "the lines before changing the cycle's length",
            field="cycle_days",
        )
    for name, value in fields.items():
        setattr(roster, name, value)
    versioning.save(roster, list(fields))
    audit.record_update(
        actor,
        "rosters.roster",
        roster.team.slug,
        label=roster.team.name,
        before=old,
        after=audit.snapshot(roster, ROSTER_AUDITED),
    )
    return roster


@transaction.atomic
def delete_roster(*, actor: User, roster: Roster) -> None:
    """Delete a roster with its shifts, rota lines and covers (leave belongs to people and
    stays)."""
    require_editor(actor, roster.team)
    _roster_audit(actor, audit.DELETED, roster, before=audit.snapshot(roster, ROSTER_AUDITED))
    roster.delete()


# -- shift definitions -------------------------------------------------------------------------


def _shift_audit(actor: User, action: str, shift: ShiftDefinition, **values: object) -> None:
    team = shift.roster.team
    audit.record(
        actor,
        action,
        "rosters.shift",
        f"{team.slug}:{shift.code}",
        label=f"{team.name}: {shift.name}",
        **values,
    )


def _shift_fields(roster: Roster, shift: ShiftDefinition | None, **given: object) -> dict:
    code = str(given["code"] or "").strip().upper()
    if not CODE.match(code):
        raise InvalidInput("a code is 1 to 4 capital letters or digits (E, L, N)", field="code")
    clash = roster.shift_definitions.filter(code=code)
    if shift is not None:
        clash = clash.exclude(pk=shift.pk)
    if clash.exists():
        raise InvalidInput(f"the roster has a shift {code} already", field="code")
    name = str(given["name"] or "").strip()
    if not name or len(name) > 60:
        raise InvalidInput("a name of 1 to 60 characters is required", field="name")
    start = _hhmm(str(given["start"]), "start")
    end = _hhmm(str(given["end"]), "end")
    days = given.get("days") or []
    if not isinstance(days, list | tuple) or any(
        isinstance(d, bool) or not isinstance(d, int) or not 0 <= d <= 6 for d in days
    ):
        raise InvalidInput("days are weekday numbers (Monday = 0 ... Sunday = 6)", field="days")
    days = sorted(set(days))
    return {
        "code": code,
        "name": name,
        "start": start,
        "end": end,
        "days": [] if len(days) == 7 else days,
        "min_staff": _whole(given["min_staff"], "min_staff", 0, 100, "the minimum staff"),
    }


@transaction.atomic
def add_shift(
    *,
    actor: User,
    roster: Roster,
    code: str,
    name: str,
    start: str,
    end: str,
    min_staff: int = 1,
    days: Sequence[int] = (),
    position: int | None = None,
) -> ShiftDefinition:
    """A shift of the roster: local start and end ("HH:MM" in the roster's zone; an end at or
    before the start ends the next day, so 22:00-06:00 is a night), the weekdays it starts on
    (Monday = 0; empty: every day), the minimum staff."""
    require_editor(actor, roster.team)
    roster = Roster.objects.select_for_update().select_related("team").get(pk=roster.pk)
    if roster.shift_definitions.count() >= MAX_SHIFTS:
        raise InvalidInput(f"a roster has at most {MAX_SHIFTS} shifts", field="code")
    fields = _shift_fields(
        roster,
        None,
        code=code,
        name=name,
        start=start,
        end=end,
        min_staff=min_staff,
        days=list(days),
    )
    if position is None:
        position = roster.shift_definitions.count()
    shift = ShiftDefinition.objects.create(roster=roster, position=position, **fields)
    _shift_audit(actor, audit.CREATED, shift, after=audit.snapshot(shift, SHIFT_AUDITED))
    return shift


def _add_preset(actor: User, roster: Roster, preset: str, min_staff: int) -> list:
    if preset not in PRESETS:
        raise InvalidInput(f"unknown preset {preset!r} ({', '.join(PRESETS)})", field="preset")
    return [
        add_shift(
            actor=actor,
            roster=roster,
            code=code,
            name=name,
            start=start,
            end=end,
            min_staff=min_staff,
            days=days,
        )
        for code, name, start, end, days in PRESETS[preset]
    ]


@transaction.atomic
def add_preset(
    *, actor: User, roster: Roster, preset: str, min_staff: int = 1
) -> list[ShiftDefinition]:
    """Add the shifts of a preset ("three" or "business"); refused when a code exists."""
    require_editor(actor, roster.team)
    return _add_preset(actor, roster, preset, min_staff)


@transaction.atomic
def update_shift(
    *,
    actor: User,
    shift: ShiftDefinition,
    name: str,
    start: str,
    end: str,
    min_staff: int,
    days: Sequence[int] = (),
    position: int | None = None,
) -> ShiftDefinition:
    """Change a shift's name, times, weekdays or minimum staff (its code stays: rota lines
    use it)."""
    roster = shift.roster
    require_editor(actor, roster.team)
    shift = ShiftDefinition.objects.select_for_update().get(pk=shift.pk)
    old = audit.snapshot(shift, SHIFT_AUDITED)
    fields = _shift_fields(
        roster,
        shift,
        code=shift.code,
        name=name,
        start=start,
        end=end,
        min_staff=min_staff,
        days=list(days),
    )
    for key, value in fields.items():
        setattr(shift, key, value)
    if position is not None:
        shift.position = position
    shift.save()
    audit.record_update(
        actor,
        "rosters.shift",
        f"{roster.team.slug}:{shift.code}",
        label=f"{roster.team.name}: {shift.name}",
        before=old,
        after=audit.snapshot(shift, SHIFT_AUDITED),
    )
    return shift


@transaction.atomic
def delete_shift(*, actor: User, shift: ShiftDefinition) -> None:
    """Remove a shift; refused (InUse) while a rota line or a coming cover uses its code."""
    roster = shift.roster
    require_editor(actor, roster.team)
    used = [line for line in roster.lines.all() if shift.code in line.pattern]
    if used:
        raise InUse(f"{len(used)} rota line(s) use {shift.code}; change them first", field="code")
    if roster.covers.filter(code=shift.code, ends_at__gt=clock.now()).exists():
        raise InUse(f"a coming cover uses {shift.code}; remove it first", field="code")
    _shift_audit(actor, audit.DELETED, shift, before=audit.snapshot(shift, SHIFT_AUDITED))
    shift.delete()


# -- rota lines --------------------------------------------------------------------------------


def _lines_snapshot(roster: Roster) -> dict:
    return {
        "lines": [
            {"user": audit.ref(line.user), "pattern": list(line.pattern)}
            for line in roster.lines.select_related("user").order_by("position", "id")
        ]
    }


@transaction.atomic
def set_line(
    *,
    actor: User,
    roster: Roster,
    user: User,
    pattern: Sequence[str],
    position: int | None = None,
) -> RotaLine:
    """Put `user` on the rota with `pattern` (one shift code or "" per day of the cycle; day
    i is `cycle_start + i`, repeating), replacing their line if they have one."""
    require_editor(actor, roster.team)
    roster = Roster.objects.select_for_update().select_related("team").get(pk=roster.pk)
    user = _member(roster, user)
    before = _lines_snapshot(roster)
    pattern = validate_pattern(roster, list(pattern))
    line = roster.lines.filter(user=user).first()
    if line is None:
        line = RotaLine(roster=roster, user=user, position=roster.lines.count())
    line.pattern = pattern
    if position is not None:
        line.position = position
    line.save()
    audit.record_update(
        actor,
        "rosters.rota",
        roster.team.slug,
        label=roster.team.name,
        before=before,
        after=_lines_snapshot(roster),
    )
    return line


@transaction.atomic
def remove_line(*, actor: User, line: RotaLine) -> None:
    """Take a person off the rota (their covers stay)."""
    roster = line.roster
    require_editor(actor, roster.team)
    before = _lines_snapshot(roster)
    line.delete()
    audit.record_update(
        actor,
        "rosters.rota",
        roster.team.slug,
        label=roster.team.name,
        before=before,
        after=_lines_snapshot(roster),
    )


def rotating_patterns(
    cycle: Sequence[str],
    people: int,
    *,
    unit_days: int = 7,
    offset: int = 1,
    cycle_start: date,
    workdays: Sequence[int] = (0, 1, 2, 3, 4, 5, 6),
) -> list[list[str]]:
    """The patterns of a rotating rota: `cycle` is one code per unit (a week by default;
    e.g. ["E", "L", "N", ""]: a week early, a week late, a week of nights, a week off), the
    cycle lasts len(cycle) * unit_days days, and person k starts `k * offset` units further
    on (so with four people and offset 1, every week has one person on each). On a day whose
    weekday is not in `workdays` everybody is off (a business-hours rota works Monday to
    Friday)."""
    length = len(cycle) * unit_days
    out = []
    for person in range(people):
        pattern = []
        for day in range(length):
            unit = (day // unit_days + person * offset) % len(cycle)
            weekday = (cycle_start + timedelta(days=day)).weekday()
            pattern.append(cycle[unit] if weekday in workdays else "")
        out.append(pattern)
    return out


@transaction.atomic
def generate_rota(
    *,
    actor: User,
    roster: Roster,
    users: Sequence[User],
    cycle: Sequence[str],
    unit: str = "weeks",
    offset: int = 1,
    workdays: Sequence[int] = (0, 1, 2, 3, 4, 5, 6),
) -> list[RotaLine]:
    """Replace the roster's rota with a rotating one (see `rotating_patterns`): the roster's
    cycle becomes len(cycle) weeks (or days, with unit "days"), the people are put on in the
    order given, each `offset` units after the one before."""
    require_editor(actor, roster.team)
    roster = Roster.objects.select_for_update().select_related("team").get(pk=roster.pk)
    if unit not in ("weeks", "days"):
        raise InvalidInput("the unit is weeks or days", field="unit")
    unit_days = 7 if unit == "weeks" else 1
    if not cycle or len(cycle) * unit_days > MAX_CYCLE_DAYS:
        raise InvalidInput(
            f"the cycle has 1 to {MAX_CYCLE_DAYS // unit_days} {unit}", field="cycle"
        )
    if not users:
        raise InvalidInput("choose the people of the rota", field="users")
    if len({u.pk for u in users}) != len(users):
        raise InvalidInput("a person is on the rota once", field="users")
    for user in users:
        _member(roster, user, "users")
    _whole(offset, "offset", 0, len(cycle), "the offset")
    days = sorted({int(d) for d in workdays if isinstance(d, int) and 0 <= d <= 6})
    if not days:
        raise InvalidInput("choose the days people work", field="workdays")
    before = _lines_snapshot(roster)
    before["cycle_days"] = roster.cycle_days
    roster.cycle_days = len(cycle) * unit_days
    versioning.save(roster, ["cycle_days"])
    patterns = rotating_patterns(
        [str(code or "").strip().upper() for code in cycle],
        len(users),
        unit_days=unit_days,
        offset=offset,
        cycle_start=roster.cycle_start,
        workdays=days,
    )
    checked = [validate_pattern(roster, pattern, "cycle") for pattern in patterns]
    roster.lines.all().delete()
    lines = RotaLine.objects.bulk_create(
        RotaLine(roster=roster, user=user, position=index, pattern=pattern)
        for index, (user, pattern) in enumerate(zip(users, checked, strict=True))
    )
    after = _lines_snapshot(roster)
    after["cycle_days"] = roster.cycle_days
    audit.record_update(
        actor,
        "rosters.rota",
        roster.team.slug,
        label=roster.team.name,
        before=before,
        after=after,
    )
    return lines


# -- leave -------------------------------------------------------------------------------------


def _leave_audit(actor: User, action: str, leave: Leave, **values: object) -> None:
    audit.record(
        actor,
        action,
        "rosters.leave",
        str(leave.pk),
        label=f"{leave.user}: {leave.get_kind_display()}",
        **values,
    )


@transaction.atomic
def record_leave(
    *,
    actor: User,
    user: User,
    kind: str,
    starts_at: datetime | None,
    ends_at: datetime | None,
    reason: str,
) -> Leave:
    """Leave or absence of `user` in [starts_at, ends_at): holiday, sick, training or other,
    with a reason. It takes the person off every shift it overlaps (`working`); the gap it
    opens is `queries.leave_gaps`. Overlapping leave of the same person is refused."""
    if not can_manage_leave(actor, user):
        raise NotAllowed("only the person, their team lead or an administrator records leave")
    if not user.is_agent:
        raise InvalidInput("leave is for agents", field="user")
    if kind not in Leave.Kind.values:
        raise InvalidInput(f"the kind is one of {', '.join(Leave.Kind.values)}", field="kind")
    starts_at, ends_at = _aware(starts_at, "starts_at"), _aware(ends_at, "ends_at")
    if ends_at <= starts_at:
        raise InvalidInput("the end must be after the start", field="ends_at")
    if ends_at - starts_at > MAX_LEAVE:
        raise InvalidInput("leave is at most 366 days at a time", field="ends_at")
    reason = (reason or "").strip()
    if not reason:
        raise InvalidInput("a reason is required", field="reason")
    if len(reason) > 200:
        raise InvalidInput("at most 200 characters", field="reason")
    User.objects.select_for_update().filter(pk=user.pk).first()  # one leave at a time per person
    if Leave.objects.filter(user=user, starts_at__lt=ends_at, ends_at__gt=starts_at).exists():
        raise InvalidInput(f"{user} is on leave in part of that period already", field="starts_at")
    leave = Leave.objects.create(
        user=user,
        kind=kind,
        starts_at=starts_at,
        ends_at=ends_at,
        reason=reason,
        created_by=actor,
        created_at=clock.now(),
    )
    _leave_audit(actor, audit.CREATED, leave, after=audit.snapshot(leave, LEAVE_AUDITED))
    return leave


@transaction.atomic
def cancel_leave(*, actor: User, leave: Leave) -> None:
    """Cancel leave (the person is back on their shifts); covers made for it stay."""
    if not can_manage_leave(actor, leave.user):
        raise NotAllowed("only the person, their team lead or an administrator cancels leave")
    _leave_audit(actor, "cancelled", leave, before=audit.snapshot(leave, LEAVE_AUDITED))
    leave.delete()


# -- cover -------------------------------------------------------------------------------------


def find_slot(roster: Roster, code: str, starts_at: datetime) -> working.Slot:
    """The shift instance of `roster` with `code` starting at `starts_at` (InvalidInput if
    there is none)."""
    starts_at = _aware(starts_at, "starts_at")
    for slot in working.slots(roster.team, starts_at, starts_at + timedelta(minutes=1)):
        if slot.code == code and slot.start == starts_at:
            return slot
    raise InvalidInput(
        f"{roster.team.name} has no {code or 'shift'} starting at {starts_at:%Y-%m-%d %H:%M}Z",
        field="starts_at",
    )


@transaction.atomic
def add_cover(
    *,
    actor: User,
    roster: Roster,
    user: User,
    code: str,
    starts_at: datetime,
    covers_for: User | None = None,
    reason: str = "",
) -> Cover:
    """Put `user` on the shift instance (`code` starting at `starts_at`) of the roster.
    Refused (RuleBroken, naming the rule) when they work then already, are on leave, would
    rest less than the roster's `rest_hours` before or after, or would pass the weekly hours
    cap in the ISO week (in the roster's zone) of the shift."""
    require_editor(actor, roster.team)
    roster = Roster.objects.select_for_update().select_related("team").get(pk=roster.pk)
    user = _member(roster, user)
    code = (code or "").strip().upper()
    slot = find_slot(roster, code, starts_at)
    User.objects.select_for_update().filter(pk=user.pk).first()  # two covers of one person: one
    refusal = rules.refusal(roster, user, slot.start, slot.end)
    if refusal is not None:
        raise RuleBroken(refusal, field="user")
    reason = (reason or "").strip()[:200]
    cover = Cover.objects.create(
        roster=roster,
        user=user,
        code=code,
        starts_at=slot.start,
        ends_at=slot.end,
        covers_for=covers_for,
        reason=reason,
        created_by=actor,
    )
    audit.record(
        actor,
        audit.CREATED,
        "rosters.cover",
        str(cover.pk),
        label=f"{roster.team.name}: {user} on {code}",
        after=audit.snapshot(cover, COVER_AUDITED),
    )
    return cover


@transaction.atomic
def remove_cover(*, actor: User, cover: Cover) -> None:
    """Take a cover away again."""
    roster = cover.roster
    require_editor(actor, roster.team)
    audit.record(
        actor,
        audit.DELETED,
        "rosters.cover",
        str(cover.pk),
        label=f"{roster.team.name}: {cover.user} on {cover.code}",
        before=audit.snapshot(cover, COVER_AUDITED),
    )
    cover.delete()


__all__ = ["PRESETS", "PRESET_LABELS", "RuleBroken", "can_edit"]
