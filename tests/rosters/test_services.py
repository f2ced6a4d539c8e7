"""The roster services: rosters, presets, shifts, rota lines and the rotating-cycle generator,
with their validation, permissions and audit entries; shifts across midnight and DST."""

from datetime import date, timedelta

import pytest

from deskside.core import clock
from deskside.core.models import AuditEntry
from deskside.rosters import services, working
from deskside.rosters.exceptions import InUse, InvalidInput, NotAllowed
from tests.rosters.conftest import CYCLE_START, berlin


@pytest.fixture(autouse=True)
def _now():
    with clock.frozen(berlin(2026, 3, 4, 12)):
        yield


def test_a_roster_with_the_three_shift_preset(roster):
    shifts = list(roster.shift_definitions.order_by("position"))
    assert [(s.code, s.start, s.end, s.days) for s in shifts] == [
        ("E", "06:00", "14:00", []),
        ("L", "14:00", "22:00", []),
        ("N", "22:00", "06:00", []),
    ]
    assert roster.cycle_days == 28 and roster.rest_hours == 11 and roster.weekly_hours_cap == 48
    kinds = set(AuditEntry.objects.values_list("object_type", flat=True))
    assert {"rosters.roster", "rosters.shift", "rosters.rota"} <= kinds


def test_business_hours_preset_works_monday_to_friday(admin, desktop_team, leo):
    roster = services.create_roster(
        actor=admin, team=desktop_team, timezone="Europe/Berlin", cycle_start=CYCLE_START,
        preset="business",
    )  # fmt: skip
    services.set_line(actor=admin, roster=roster, user=leo, pattern=["D"] * 7)
    found = working.slots(desktop_team, berlin(2026, 3, 2), berlin(2026, 3, 9))
    assert [s.start.astimezone(berlin(2026, 3, 2).tzinfo).strftime("%a %H:%M") for s in found] == [
        "Mon 09:00", "Tue 09:00", "Wed 09:00", "Thu 09:00", "Fri 09:00",
    ]  # fmt: skip
    assert working.working_ids(desktop_team, berlin(2026, 3, 7, 12)) == frozenset()
    assert working.working_ids(desktop_team, berlin(2026, 3, 6, 12)) == {leo.pk}


def test_night_shifts_cross_midnight_and_follow_dst(roster, helpdesk):
    def night(day):
        found = working.slots(helpdesk, day, day + timedelta(days=1))
        return next(s for s in found if s.code == "N" and s.start >= day)

    ordinary = night(berlin(2026, 3, 10))
    assert ordinary.start == berlin(2026, 3, 10, 22) and ordinary.end == berlin(2026, 3, 11, 6)
    spring = night(berlin(2026, 3, 28))  # clocks go forward on Sunday 29 March
    assert spring.end - spring.start == timedelta(hours=7)
    autumn = night(berlin(2026, 10, 24))  # clocks go back on Sunday 25 October
    assert autumn.end - autumn.start == timedelta(hours=9)
    assert autumn.end == berlin(2026, 10, 25, 6)


def test_the_rotating_cycle_day_by_day(roster, crew):
    lines = {line.user_id: line.pattern for line in roster.lines.all()}
    ann, ben, cat, dan = crew
    assert lines[ann.pk][:7] == ["E"] * 7 and lines[ann.pk][21:] == [""] * 7
    assert lines[ben.pk][:7] == ["L"] * 7  # one week further on
    assert lines[dan.pk][:7] == [""] * 7
    # Day i of the cycle is cycle_start + i (mod 28): 2026-03-04 is day 58, day 2 of week 0;
    # 2026-03-11 is day 9, in week 1, where everybody has moved one step on.
    assert (date(2026, 3, 4) - CYCLE_START).days % 28 == 2
    assert (date(2026, 3, 11) - CYCLE_START).days % 28 == 9

    def by_code(day):
        found = working.slots(roster.team, berlin(2026, 3, day, 0), berlin(2026, 3, day, 23))
        return {s.code: s.user_ids for s in found if s.start.date() == date(2026, 3, day)}

    assert by_code(4) == {"E": (ann.pk,), "L": (ben.pk,), "N": (cat.pk,)}
    assert by_code(11) == {"E": (dan.pk,), "L": (ann.pk,), "N": (ben.pk,)}
    four_weeks_later = working.working_ids(roster.team, berlin(2026, 4, 1, 8))
    assert four_weeks_later == working.working_ids(roster.team, berlin(2026, 3, 4, 8)) == {ann.pk}


def test_roster_validation(admin, roster, crew, desktop_team):
    with pytest.raises(InvalidInput) as caught:
        services.set_line(actor=admin, roster=roster, user=crew[0], pattern=["E"] * 7)
    assert caught.value.field == "pattern" and "28 days" in caught.value.message
    with pytest.raises(InvalidInput) as caught:
        services.set_line(actor=admin, roster=roster, user=crew[0], pattern=["X"] * 28)
    assert "X" in caught.value.message
    with pytest.raises(InvalidInput) as caught:
        services.create_roster(actor=admin, team=desktop_team, timezone="Mars/Olympus")
    assert caught.value.field == "timezone"
    with pytest.raises(InvalidInput) as caught:
        services.create_roster(actor=admin, team=roster.team)
    assert caught.value.field == "team"
    with pytest.raises(InvalidInput) as caught:
        services.add_shift(actor=admin, roster=roster, code="E", name="x", start="1:00", end="2")
    assert caught.value.field == "code"
    with pytest.raises(InvalidInput) as caught:
        services.add_shift(actor=admin, roster=roster, code="M", name="Mid", start="25:00", end="2")
    assert caught.value.field == "start"
    with pytest.raises(InvalidInput) as caught:
        services.update_roster(
            actor=admin, roster=roster, timezone="Europe/Berlin", cycle_start=CYCLE_START,
            cycle_days=7, rest_hours=11, weekly_hours_cap=48,
        )  # fmt: skip
    assert caught.value.field == "cycle_days"
    with pytest.raises(InUse):
        services.delete_shift(actor=admin, shift=roster.shift_definitions.get(code="N"))


def test_who_may_edit(roster, alice, hanna, crew):
    with pytest.raises(NotAllowed):
        services.add_shift(
            actor=alice, roster=roster, code="M", name="Mid", start="10:00", end="18:00"
        )
    shift = services.add_shift(
        actor=hanna, roster=roster, code="M", name="Mid", start="10:00", end="18:00", days=[5, 6]
    )
    assert shift.days == [5, 6]
    entry = AuditEntry.objects.filter(object_type="rosters.shift", object_id="help-desk-l1:M")
    assert entry.get().actor == hanna
    services.update_shift(actor=hanna, shift=shift, name="Weekend", start="10:00", end="18:00",
                          min_staff=2, days=[5, 6])  # fmt: skip
    shift.refresh_from_db()
    assert shift.name == "Weekend" and shift.min_staff == 2
    services.delete_shift(actor=hanna, shift=shift)
    assert not roster.shift_definitions.filter(code="M").exists()
