"""The demo's rosters (deskside.rosters.demo.seed_demo): a 24x7 desk on three 8-hour shifts
with a four-week rotating cycle at minimum staff everywhere but the gap that tomorrow's leave
opens; the rota keeps 11 hours' rest and 48 hours a week; Internal IT on a weekly duty."""

from collections import defaultdict
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from deskside.accounts import services as accounts
from deskside.accounts.models import Tier
from deskside.core import clock
from deskside.rosters import demo, working
from deskside.rosters.models import Leave


@pytest.mark.parametrize(
    "now",
    [
        datetime(2026, 12, 9, 17, tzinfo=UTC),  # Wednesday noon in New York
        datetime(2026, 12, 14, 1, tzinfo=UTC),  # Sunday 20:00 in New York
    ],
    ids=["wednesday", "sunday"],
)
def test_the_demo_rosters(db, helpdesk, now):
    msp = accounts.create_organization(name="Northwind", slug="northwind", is_msp=True)
    accounts.create_user(
        email="admin@deskside.example", kind="agent", tier=Tier.L3, organization=msp, is_staff=True
    )
    l1 = [
        accounts.create_user(
            email=f"l1-{i}@deskside.example",
            kind="agent",
            tier=Tier.L1,
            organization=msp,
            teams=[helpdesk],
        )
        for i in range(3)
    ]
    with clock.frozen(now):
        made = demo.seed_demo(teams={"help-desk-l1": helpdesk}, l1=l1, password="x-demo-pass")
        slots = working.slots(helpdesk, now - timedelta(days=14), now + timedelta(days=28))
        it_on_duty = working.on_duty_ids(made["internal_it"])
    leave = made["leave"]
    assert isinstance(leave, Leave)
    assert {s.code for s in slots} == {"E", "L", "N"}
    below = [s for s in slots if s.below]
    assert [(s.code, s.start) for s in below] == [
        (
            "E",
            next(
                s.start
                for s in slots
                if s.code == "E" and leave.starts_at <= s.start < leave.ends_at
            ),
        )
    ]
    assert below[0].on_leave == (leave.user_id,)
    assert below[0].start > now  # a gap ahead, still to be covered
    new_york = ZoneInfo(demo.NEW_YORK)
    # Every person's shifts: at least 11 hours apart, at most 48 hours in any Monday-Sunday week.
    by_person = defaultdict(list)
    for slot in slots:
        for user_id in (*slot.user_ids, *slot.on_leave):
            by_person[user_id].append((slot.start, slot.end))
    assert len(by_person) == 8
    for shifts in by_person.values():
        shifts.sort()
        for (_, end), (start, _) in zip(shifts, shifts[1:], strict=False):
            assert start - end >= timedelta(hours=11)
        weeks = defaultdict(float)
        for start, end in shifts:
            local = start.astimezone(new_york)
            weeks[local.isocalendar()[:2]] += (end - start).total_seconds() / 3600
        assert max(weeks.values()) <= 48
    assert it_on_duty is not None and len(it_on_duty) == 1
