"""The demo's desk rosters (issue 15): called by deskside.demo after the directory exists.

- **Help Desk L1 works around the clock**: three 8-hour shifts in New York time, Early
  06:00-14:00, Late 14:00-22:00, Night 22:00-06:00 (crossing midnight), at least two people on
  Early and Late and one at Night. Eight agents (the demo's three L1 agents and five more made
  here) form four crews of two on a four-week rotating cycle: each crew works one week of the
  cycle's pattern below and moves to the next week's line the week after, so every day has one
  crew on each shift. The rotation goes forward (Early -> Late -> Night) with at least two days
  off between blocks: no less than 11 hours' rest, at most 48 hours a week.
- **Internal IT**, a small internal team of three, runs a weekly rotational support duty
  handed over on Mondays at 09:00 New York time.
- **A gap ahead**: one Early-crew agent is on sick leave tomorrow, so that Early shift has one
  person where it needs two (flagged on the roster's week grid and the leave's page, with the
  people who may cover it).

The roster, its shifts and rota lines are written as rows (a four-crew cycle is clearer as
data than as clicks); the leave and the support duty go through their services (audited).
deskside.demo loads it once.
"""

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from deskside.accounts import services as accounts
from deskside.accounts.models import Team, Tier, User
from deskside.core import clock
from deskside.rosters import services, supportduty
from deskside.rosters.models import Leave, Roster, RotaLine, ShiftDefinition

NEW_YORK = "America/New_York"
SHIFTS = [
    # code, name, start, end, min staff
    ("E", "Early", "06:00", "14:00", 2),
    ("L", "Late", "14:00", "22:00", 2),
    ("N", "Night", "22:00", "06:00", 1),
]
# The four weeks of the cycle, Monday to Sunday ("-" = off). On each weekday the four lines
# hold E, L, N and one day off, so the four crews (one a line each week) cover every shift.
CYCLE = [
    "EEEEE--",
    "--LLLLL",
    "LL-NNNN",
    "NNN--EE",
]
MORE_L1 = [
    ("dev@deskside.example", "Dev Patel"),
    ("eva@deskside.example", "Eva Novak"),
    ("farah@deskside.example", "Farah Haddad"),
    ("gus@deskside.example", "Gus Berg"),
    ("hana@deskside.example", "Hana Sato"),
]
INTERNAL_IT = [
    ("ivy@deskside.example", "Ivy Chen"),
    ("jon@deskside.example", "Jon Reyes"),
    ("kai@deskside.example", "Kai Larsen"),
]


def crew_pattern(crew: int) -> list[str]:
    """Crew `crew`'s 28 days: the cycle's lines from line `crew` on, one week each."""
    days = "".join(CYCLE[(crew + week) % len(CYCLE)] for week in range(len(CYCLE)))
    return [code if code != "-" else "" for code in days]


def _monday(weeks_back: int) -> date:
    today = clock.now().astimezone(ZoneInfo(NEW_YORK)).date()
    return today - timedelta(days=today.weekday() + 7 * weeks_back)


def seed_demo(*, teams: dict[str, Team], l1: list[User], password: str) -> dict[str, object]:
    """Make the demo's rosters with its teams (`teams` by slug) and L1 agents (`l1`); new
    agents get `password`. Returns what it made, by name, for the demo's summary and tests."""
    admin = User.objects.get(email="admin@deskside.example")
    msp = admin.organization
    helpdesk = teams["help-desk-l1"]

    def agent(email: str, name: str, tier: str, team: Team) -> User:
        return accounts.create_user(
            email=email,
            full_name=name,
            password=password,
            kind="agent",
            tier=tier,
            organization=msp,
            teams=[team],
            timezone=NEW_YORK,
        )

    desk = list(l1) + [agent(e, n, Tier.L1, helpdesk) for e, n in MORE_L1]
    roster = Roster.objects.create(
        team=helpdesk, timezone=NEW_YORK, cycle_start=_monday(2), cycle_days=28
    )
    for position, (code, name, start, end, min_staff) in enumerate(SHIFTS):
        ShiftDefinition.objects.create(
            roster=roster,
            code=code,
            name=name,
            start=start,
            end=end,
            min_staff=min_staff,
            position=position,
        )
    for position, person in enumerate(desk):
        RotaLine.objects.create(
            roster=roster, user=person, position=position, pattern=crew_pattern(position % 4)
        )

    # Tomorrow's Early crew loses one of its two people for the day: a gap still ahead, which
    # a manager can cover (a shift that is over cannot be covered).
    zone = ZoneInfo(NEW_YORK)
    today = clock.now().astimezone(zone).date()
    tomorrow = today + timedelta(days=1)
    day = (tomorrow - roster.cycle_start).days % roster.cycle_days
    early = next(p for i, p in enumerate(desk) if crew_pattern(i % 4)[day] == "E")
    leave = services.record_leave(
        actor=admin,
        user=early,
        kind=Leave.Kind.SICK,
        starts_at=datetime.combine(tomorrow, time(0), tzinfo=zone),
        ends_at=datetime.combine(tomorrow + timedelta(days=1), time(0), tzinfo=zone),
        reason="Medical appointment",
    )

    internal = accounts.create_team(name="Internal IT", tier=Tier.L2)
    it_people = [agent(e, n, Tier.L2, internal) for e, n in INTERNAL_IT]
    internal.lead = it_people[0]
    internal.save(update_fields=["lead"])
    duty = supportduty.set_support_duty(
        actor=admin,
        team=internal,
        mode="rotational",
        members=it_people,
        period="weekly",
        handoff_time="09:00",
        timezone=NEW_YORK,
        starts_on=_monday(3),
    )
    return {"roster": roster, "leave": leave, "duty": duty, "internal_it": internal}
