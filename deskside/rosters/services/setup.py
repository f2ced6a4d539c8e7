"""Rosters, their shift definitions (presets or custom) and rota lines (fixed, or generated
as a rotating cycle). Administrators and the team's lead; each one transaction with its audit
entry."""

import zoneinfo
from collections.abc import Sequence
from datetime import date, datetime, timedelta

from django.db import transaction

from deskside.accounts.models import Team, User
from deskside.core import audit, clock, versioning
from deskside.rosters.exceptions import InUse, InvalidInput
from deskside.rosters.models import Roster, RotaLine, ShiftDefinition
from deskside.rosters.services.common import (
    CODE,
    MAX_CYCLE_DAYS,
    MAX_SHIFTS,
    PRESETS,
    ROSTER_AUDITED,
    SHIFT_AUDITED,
    _hhmm,
    _member,
    _whole,
    require_editor,
    validate_pattern,
    validate_timezone,
)

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
