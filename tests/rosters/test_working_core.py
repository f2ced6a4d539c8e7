"""The one answer to "who works the desk at t" (deskside.rosters.working): roster shifts built
on the on-call engine (midnight, DST), rota cycles, leave, cover, support duty, hand-offs."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from deskside.accounts import services as accounts
from deskside.accounts.models import Tier
from deskside.rosters import working
from deskside.rosters.models import (
    Cover,
    Leave,
    Roster,
    RotaLine,
    ShiftDefinition,
    SupportDuty,
    SupportDutyMember,
)

BERLIN = ZoneInfo("Europe/Berlin")
UTC = ZoneInfo("UTC")
CYCLE = ["E"] * 7 + ["L"] * 7 + ["N"] * 7 + [""] * 7  # four weeks: early, late, night, off


def berlin(*args) -> datetime:
    return datetime(*args, tzinfo=BERLIN)


@pytest.fixture
def agents(msp, helpdesk):
    return [
        accounts.create_user(
            email=f"agent{i}@msp.example",
            full_name=f"Agent {i}",
            kind="agent",
            tier=Tier.L1,
            organization=msp,
            teams=[helpdesk],
        )
        for i in range(4)
    ]


@pytest.fixture
def roster(helpdesk, agents):
    """Three 8-hour shifts around the clock in Berlin, a four-week cycle, each agent one week
    further on (so every shift has exactly one person every day)."""
    roster = Roster.objects.create(
        team=helpdesk, timezone="Europe/Berlin", cycle_start=date(2026, 1, 5), cycle_days=28
    )
    for position, (code, name, start, end) in enumerate(
        [
            ("E", "Early", "06:00", "14:00"),
            ("L", "Late", "14:00", "22:00"),
            ("N", "Night", "22:00", "06:00"),
        ]
    ):
        ShiftDefinition.objects.create(
            roster=roster, code=code, name=name, start=start, end=end, position=position
        )
    for offset, agent in enumerate(agents):
        RotaLine.objects.create(
            roster=roster,
            user=agent,
            position=offset,
            pattern=CYCLE[-7 * offset :] + CYCLE[: -7 * offset] if offset else CYCLE,
        )
    return roster


def test_a_night_shift_crosses_midnight_and_follows_dst(helpdesk, roster):
    # Spring forward in Berlin: 2026-03-29 02:00 -> 03:00. The night of the 28th is 7 hours.
    nights = [
        s
        for s in working.slots(helpdesk, berlin(2026, 3, 28, 12), berlin(2026, 3, 29, 12))
        if s.code == "N"
    ]
    assert [(s.start, s.end) for s in nights] == [(berlin(2026, 3, 28, 22), berlin(2026, 3, 29, 6))]
    assert nights[0].end - nights[0].start == timedelta(hours=7)
    # Fall back: 2026-10-25 03:00 -> 02:00. That night is 9 hours; the early shift still 06:00.
    autumn = working.slots(helpdesk, berlin(2026, 10, 24, 23), berlin(2026, 10, 25, 7))
    night = next(s for s in autumn if s.code == "N")
    assert night.end - night.start == timedelta(hours=9)
    early = next(s for s in autumn if s.code == "E")
    assert early.start == berlin(2026, 10, 25, 6)


def test_the_rota_cycle_puts_each_agent_on_the_shift_of_their_cycle_day(helpdesk, roster, agents):
    # Day 0 of the cycle (Mon 5 Jan 2026): agent 0 early, agent 1 off (its week 0 is the
    # cycle's last week), agent 2 night, agent 3 late.
    day0 = working.slots(helpdesk, berlin(2026, 1, 5, 0), berlin(2026, 1, 6, 0))
    by_code = {
        s.code: s.user_ids for s in day0 if s.start.astimezone(BERLIN).date() == date(2026, 1, 5)
    }
    assert by_code == {"E": (agents[0].pk,), "L": (agents[3].pk,), "N": (agents[2].pk,)}
    # Four weeks later the cycle repeats; one week later everyone moved one step on.
    assert working.working_ids(helpdesk, berlin(2026, 2, 2, 10)) == {agents[0].pk}
    assert working.working_ids(helpdesk, berlin(2026, 1, 12, 10)) == {agents[1].pk}
    assert working.working_ids(helpdesk, berlin(2026, 1, 12, 23)) == {agents[3].pk}
    # 03:00 on a Tuesday is still Monday's night shift.
    assert working.working_ids(helpdesk, berlin(2026, 1, 6, 3)) == {agents[2].pk}


def test_leave_takes_the_person_off_and_flags_the_gap_and_cover_fills_it(
    helpdesk, roster, agents, admin
):
    Leave.objects.create(
        user=agents[0],
        kind="sick",
        starts_at=berlin(2026, 1, 6, 0),
        ends_at=berlin(2026, 1, 7, 0),
        reason="flu",
        created_by=admin,
    )
    early = next(
        s
        for s in working.slots(helpdesk, berlin(2026, 1, 6, 7), berlin(2026, 1, 6, 8))
        if s.code == "E"
    )
    assert early.user_ids == () and early.on_leave == (agents[0].pk,) and early.below
    assert working.working_ids(helpdesk, berlin(2026, 1, 6, 10)) == frozenset()
    assert working.on_leave([a.pk for a in agents], berlin(2026, 1, 6, 10)) == {agents[0].pk}
    Cover.objects.create(
        roster=roster,
        user=agents[1],
        code="E",
        starts_at=early.start,
        ends_at=early.end,
        covers_for=agents[0],
        created_by=admin,
    )
    early = next(
        s
        for s in working.slots(helpdesk, berlin(2026, 1, 6, 7), berlin(2026, 1, 6, 8))
        if s.code == "E"
    )
    assert (
        early.user_ids == (agents[1].pk,) and early.cover_ids == (agents[1].pk,) and not early.below
    )
    assert working.working_ids(helpdesk, berlin(2026, 1, 6, 10)) == {agents[1].pk}
    mine = working.shifts_of_user(agents[1], berlin(2026, 1, 6, 0), berlin(2026, 1, 7, 0))
    assert [(s.code, s.source) for s in mine] == [("E", "cover")]
    assert working.working_teams(agents[1], berlin(2026, 1, 6, 10)) == [helpdesk]


def test_handoffs_name_who_goes_off_and_who_comes_on(helpdesk, roster, agents):
    found = working.handoffs(helpdesk, berlin(2026, 1, 5, 12), berlin(2026, 1, 6, 12))
    assert [(h.at, h.ending, h.starting) for h in found] == [
        (berlin(2026, 1, 5, 14), "Early", "Late"),
        (berlin(2026, 1, 5, 22), "Late", "Night"),
        (berlin(2026, 1, 6, 6), "Night", "Early"),
    ]
    assert found[0].outgoing == (agents[0].pk,) and found[0].incoming == (agents[3].pk,)
    assert found[0].shift_start == berlin(2026, 1, 5, 6)


def test_a_business_hours_desk_hands_over_to_the_next_morning(desktop_team, leo):
    roster = Roster.objects.create(
        team=desktop_team, timezone="Europe/Berlin", cycle_start=date(2026, 1, 5)
    )
    ShiftDefinition.objects.create(
        roster=roster, code="D", name="Day", start="09:00", end="17:00", days=[0, 1, 2, 3, 4]
    )
    RotaLine.objects.create(roster=roster, user=leo, pattern=["D"] * 5 + ["", ""])
    found = working.handoffs(desktop_team, berlin(2026, 1, 9, 12), berlin(2026, 1, 9, 18))
    assert len(found) == 1
    assert found[0].at == berlin(2026, 1, 9, 17)
    assert found[0].incoming == (leo.pk,)  # Monday's day shift, after the weekend
    assert working.working_ids(desktop_team, berlin(2026, 1, 10, 10)) == frozenset()


def test_without_roster_or_duty_nobody_is_singled_out(helpdesk):
    assert working.working_ids(helpdesk) is None
    assert working.on_duty_ids(helpdesk) is None
    assert working.handoffs(helpdesk, berlin(2026, 1, 5), berlin(2026, 1, 6)) == []


def test_support_duty_fixed_and_rotational(helpdesk, agents, admin):
    duty = SupportDuty.objects.create(
        team=helpdesk, mode="fixed", timezone="Europe/Berlin", starts_on=date(2026, 3, 23)
    )
    for position, agent in enumerate(agents[:3]):
        SupportDutyMember.objects.create(duty=duty, user=agent, position=position)
    assert working.working_ids(helpdesk, berlin(2026, 3, 24, 10)) == {a.pk for a in agents[:3]}
    duty.mode, duty.period, duty.handoff_time = "rotational", "daily", "09:00"
    duty.save()
    assert working.on_duty_ids(helpdesk, berlin(2026, 3, 23, 10)) == {agents[0].pk}
    assert working.on_duty_ids(helpdesk, berlin(2026, 3, 24, 8, 59)) == {agents[0].pk}
    # Across spring forward (29 March) the 09:00 hand-off stays 09:00 local.
    assert working.on_duty_ids(helpdesk, berlin(2026, 3, 29, 8, 59)) == {agents[2].pk}
    assert working.on_duty_ids(helpdesk, berlin(2026, 3, 29, 9, 0)) == {agents[0].pk}
    # The person on duty on leave: the next in the rota takes it.
    Leave.objects.create(
        user=agents[0],
        kind="holiday",
        starts_at=berlin(2026, 3, 29, 0),
        ends_at=berlin(2026, 3, 30, 0),
        reason="away",
        created_by=admin,
    )
    assert working.working_ids(helpdesk, berlin(2026, 3, 29, 12)) == {agents[1].pk}
    found = working.handoffs(helpdesk, berlin(2026, 3, 29, 0), berlin(2026, 3, 30, 0))
    assert [(h.at, h.outgoing, h.incoming) for h in found] == [
        (berlin(2026, 3, 29, 9), (agents[2].pk,), (agents[0].pk,))
    ]
    duty.period = "weekly"
    duty.save()
    assert working.on_duty_ids(helpdesk, berlin(2026, 4, 1, 12)) == {agents[1].pk}
    duty.mode = "everyone"
    duty.save()
    assert working.on_duty_ids(helpdesk, berlin(2026, 4, 1, 12)) is None


def test_a_shift_runs_only_on_its_weekdays(desktop_team, leo):
    roster = Roster.objects.create(
        team=desktop_team, timezone="Europe/Berlin", cycle_start=date(2026, 1, 5)
    )
    ShiftDefinition.objects.create(
        roster=roster, code="D", name="Day", start="09:00", end="17:00", days=[0, 1, 2, 3, 4]
    )
    week = working.slots(desktop_team, berlin(2026, 1, 5), berlin(2026, 1, 12))
    assert [s.start.astimezone(BERLIN).weekday() for s in week] == [0, 1, 2, 3, 4]
    assert all(s.below for s in week)  # nobody on the rota yet


def test_working_at_answers_once_with_the_next_change(helpdesk, roster, agents, admin):
    found = working.working_at(helpdesk, berlin(2026, 1, 5, 10))
    assert found.on_duty is None and found.ids == {agents[0].pk}
    assert found.until == berlin(2026, 1, 5, 14)  # the early shift's end
    assert found.ids == working.working_ids(helpdesk, berlin(2026, 1, 5, 10))
    duty = SupportDuty.objects.create(
        team=helpdesk,
        mode="rotational",
        period="daily",
        timezone="Europe/Berlin",
        starts_on=date(2026, 1, 5),
    )
    for position, agent in enumerate(agents[:2]):
        SupportDutyMember.objects.create(duty=duty, user=agent, position=position)
    helpdesk.refresh_from_db()
    found = working.working_at(helpdesk, berlin(2026, 1, 6, 10))
    assert found.on_duty == found.ids == {agents[1].pk}
    assert found.until == berlin(2026, 1, 7, 9)  # the next 09:00 hand-off
