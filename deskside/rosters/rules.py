"""The working-time rules a cover must keep, and the cover candidates of a gap.

- **Rest rule**: at least the roster's `rest_hours` (default 11) between the end of one of
  the person's shifts and the start of their next, on any team: the proposed cover is
  counted against the shift before it and the shift after it.
- **Weekly hours cap**: the person's hours in the ISO week (Monday 00:00 to Monday 00:00 in
  the roster's zone) of the cover's start, the cover included, at most `weekly_hours_cap`
  (default 48). A shift crossing the week's edge counts with its hours inside the week.
- Nobody covers a shift they already work (or one overlapping it), nor during their leave.

Support-duty periods (`source == "duty"`, a whole day or week of being the service desk) are
no shifts in this sense and are left out of both rules. Everything is read through
`deskside.rosters.working` and the leave rows; nothing here writes.
"""

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from django.db.models import Q

from deskside.accounts.models import User
from deskside.rosters import working
from deskside.rosters.models import Leave, Roster, RotaLine

LONGEST_SHIFT = timedelta(hours=25)  # a 24-hour shift across an autumn DST change


@dataclass(frozen=True)
class Candidate:
    user: User
    eligible: bool
    reason: str  # why not ("" when eligible)
    week_hours: float  # hours in the cover's ISO week, the cover included
    rest_before: float | None  # hours since their last shift ended (None: none within reach)
    rest_after: float | None  # hours until their next shift starts


def _hours(delta: timedelta) -> float:
    return round(delta.total_seconds() / 3600, 2)


def _fmt(hours: float) -> str:
    return f"{hours:g} h"


def week_of(roster: Roster, at: datetime) -> tuple[datetime, datetime]:
    """The ISO week containing `at` in the roster's zone, as UTC instants [Monday, Monday)."""
    tz = ZoneInfo(roster.timezone)
    local = at.astimezone(tz).date()
    monday = local - timedelta(days=local.weekday())
    start = datetime.combine(monday, datetime.min.time(), tzinfo=tz).astimezone(UTC)
    end = datetime.combine(monday + timedelta(days=7), datetime.min.time(), tzinfo=tz).astimezone(
        UTC
    )
    return start, end


def assess(roster: Roster, user: User, start: datetime, end: datetime) -> Candidate:
    """Whether `user` may take the shift [start, end) of `roster`, and the figures why."""
    rest = timedelta(hours=roster.rest_hours)
    week_start, week_end = week_of(roster, start)
    lo = min(start - rest - LONGEST_SHIFT, week_start)
    hi = max(end + rest + LONGEST_SHIFT, week_end)
    own = [s for s in working.shifts_of_user(user, lo, hi) if s.source != "duty"]
    in_week = sum(
        (
            min(s.end, week_end) - max(s.start, week_start)
            for s in own
            if s.start < week_end and s.end > week_start
        ),
        timedelta(0),
    )
    week_hours = _hours(in_week + (min(end, week_end) - max(start, week_start)))
    before = [s for s in own if s.end <= start]
    after = [s for s in own if s.start >= end]
    last = max(before, key=lambda s: s.end, default=None)
    following = min(after, key=lambda s: s.start, default=None)
    rest_before = _hours(start - last.end) if last else None
    rest_after = _hours(following.start - end) if following else None

    def result(reason: str) -> Candidate:
        return Candidate(user, not reason, reason, week_hours, rest_before, rest_after)

    if not (user.is_active and user.is_agent):
        return result("not an active agent")
    clash = next((s for s in own if s.start < end and s.end > start), None)
    if clash is not None:
        return result(f"works {clash.name} then already")
    leave = (
        Leave.objects.filter(user=user, starts_at__lt=end, ends_at__gt=start)
        .order_by("starts_at")
        .first()
    )
    if leave is not None:
        return result(f"on leave ({leave.get_kind_display().lower()})")
    if last is not None and start - last.end < rest:
        return result(
            f"rest rule: only {_fmt(rest_before)} after their {last.name} shift "
            f"(at least {roster.rest_hours} h)"
        )
    if following is not None and following.start - end < rest:
        return result(
            f"rest rule: only {_fmt(rest_after)} before their {following.name} shift "
            f"(at least {roster.rest_hours} h)"
        )
    if week_hours > roster.weekly_hours_cap:
        return result(
            f"weekly cap: {_fmt(week_hours)} in that week (at most {roster.weekly_hours_cap} h)"
        )
    return result("")


def refusal(roster: Roster, user: User, start: datetime, end: datetime) -> str | None:
    """Why `user` may not cover [start, end) on `roster` (a sentence naming them), or None."""
    found = assess(roster, user, start, end)
    return None if found.eligible else f"{user} cannot cover: {found.reason}"


def pool(roster: Roster) -> list[User]:
    """Who may be asked to cover on `roster`: the team's active agents and the people on its
    rota, by name."""
    return list(
        User.objects.filter(
            Q(teams=roster.team_id)
            | Q(pk__in=RotaLine.objects.filter(roster=roster).values("user_id")),
            kind=User.Kind.AGENT,
            is_active=True,
        )
        .distinct()
        .order_by("full_name", "email")
    )


def candidates(roster: Roster, slot: working.Slot) -> list[Candidate]:
    """Everyone of the pool not already working the slot, eligible ones first (fewest hours
    in the week first: share the extra work), then the others with the reason why not."""
    taken = set(slot.user_ids)
    found = [assess(roster, user, slot.start, slot.end) for user in pool(roster)]
    found = [c for c in found if c.user.pk not in taken]
    return sorted(found, key=lambda c: (not c.eligible, c.week_hours, str(c.user)))
