"""Who may change rosters, and the validation every roster service shares."""

import re
import zoneinfo
from datetime import UTC, datetime, timedelta

from deskside.accounts.models import Team, User
from deskside.accounts.permissions import is_admin, is_agent
from deskside.duty.oncall import parse_hhmm
from deskside.rosters.exceptions import InvalidInput, NotAllowed
from deskside.rosters.models import Roster, RotaLine

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
