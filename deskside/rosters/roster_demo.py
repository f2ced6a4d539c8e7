"""The demo's desk roster (called by deskside.demo after the directory): the help desk runs
around the clock in New York on three 8-hour shifts, its three L1 agents rotating weekly
through early, late and night (one person per shift, every day), and one of them is on
holiday tomorrow and the day after, which leaves two early shifts below minimum: the gap the
roster page flags and the leave page offers cover for.

A weekly rotation of three people over seven days is 56 hours a week, so the demo's cap is
60 (a real desk of three would add a fourth person: "for every three you think you need, add
one"). Built through the services, as an administrator's clicks would.
"""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from deskside.accounts.models import Team, User
from deskside.core import clock
from deskside.rosters import services
from deskside.rosters.models import Roster

NEW_YORK = ZoneInfo("America/New_York")


def seed_demo(*, teams: dict[str, Team], l1: list[User]) -> Roster:
    """The help desk's roster and one holiday that opens a gap (`teams` by slug)."""
    admin = User.objects.get(email="admin@deskside.example")
    today = clock.now().astimezone(NEW_YORK).date()
    roster = services.create_roster(
        actor=admin,
        team=teams["help-desk-l1"],
        timezone="America/New_York",
        cycle_start=today - timedelta(days=today.weekday()),
        weekly_hours_cap=60,
        preset="three",
    )
    services.generate_rota(
        actor=admin, roster=roster, users=l1, cycle=["E", "L", "N"], unit="weeks", offset=1
    )
    roster.refresh_from_db()  # the generator set the cycle's length (21 days)
    tomorrow = today + timedelta(days=1)
    away = next(
        line.user
        for line in roster.lines.select_related("user").order_by("position")
        if line.pattern[(tomorrow - roster.cycle_start).days % roster.cycle_days] == "E"
    )
    # From tomorrow's early shift (after their last night, if they had one), for two days.
    start = datetime.combine(tomorrow, datetime.min.time(), tzinfo=NEW_YORK).replace(hour=6)
    services.record_leave(
        actor=admin,
        user=away,
        kind="holiday",
        starts_at=start,
        ends_at=start + timedelta(days=2),
        reason="Long weekend with family (booked in the spring)",
    )
    return roster
