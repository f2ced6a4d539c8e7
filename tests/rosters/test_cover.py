"""Leave, the gaps it opens, cover candidates and the working-time rules a cover must keep
(the rest between shifts and the weekly hours cap).

The fixture's cycle in the weeks used here (Berlin):
    week of 2 March: Ann early, Ben late, Cat nights, Dan off
    week of 9 March: Ann late, Ben nights, Cat off, Dan early
"""

from datetime import timedelta

import pytest

from deskside.core import clock
from deskside.core.models import AuditEntry
from deskside.rosters import queries, rules, services, working
from deskside.rosters.exceptions import InvalidInput, NotAllowed, RuleBroken
from deskside.rosters.models import Leave
from tests.rosters.conftest import berlin


@pytest.fixture(autouse=True)
def _now():
    with clock.frozen(berlin(2026, 3, 1, 12)):
        yield


@pytest.fixture
def holiday(admin, crew):
    """Ann on holiday Tuesday 3 and Wednesday 4 March: two early shifts lose their person."""
    return services.record_leave(
        actor=admin, user=crew[0], kind="holiday", starts_at=berlin(2026, 3, 3),
        ends_at=berlin(2026, 3, 5), reason="Family visit",
    )  # fmt: skip


def early(roster, day):
    return services.find_slot(roster, "E", berlin(2026, 3, day, 6))


def test_leave_removes_the_person_and_flags_the_gap(roster, crew, holiday):
    ann = crew[0]
    slot = early(roster, 4)
    assert slot.user_ids == () and slot.on_leave == (ann.pk,) and slot.below
    assert ann.pk not in working.working_ids(roster.team, berlin(2026, 3, 4, 9))
    assert working.working_ids(roster.team, berlin(2026, 3, 5, 9)) == {ann.pk}  # back
    gaps = queries.leave_gaps(holiday)
    assert [(g.slot.code, g.slot.start) for g in gaps] == [
        ("E", berlin(2026, 3, 3, 6)),
        ("E", berlin(2026, 3, 4, 6)),
    ]
    assert gaps[0].cell.label == "below minimum (0/1)"
    assert AuditEntry.objects.filter(object_type="rosters.leave", action="created").exists()


def test_leave_needs_a_reason_and_does_not_overlap(admin, crew, holiday, alice):
    with pytest.raises(InvalidInput) as caught:
        services.record_leave(actor=admin, user=crew[1], kind="sick", starts_at=berlin(2026, 3, 3),
                              ends_at=berlin(2026, 3, 4), reason=" ")  # fmt: skip
    assert caught.value.field == "reason"
    with pytest.raises(InvalidInput) as caught:
        services.record_leave(actor=admin, user=crew[0], kind="sick", starts_at=berlin(2026, 3, 4),
                              ends_at=berlin(2026, 3, 6), reason="Flu")  # fmt: skip
    assert caught.value.field == "starts_at"
    with pytest.raises(InvalidInput) as caught:
        services.record_leave(actor=admin, user=crew[1], kind="nap", starts_at=berlin(2026, 3, 3),
                              ends_at=berlin(2026, 3, 4), reason="x")  # fmt: skip
    assert caught.value.field == "kind"
    with pytest.raises(NotAllowed):  # Alice is no lead: not someone else's leave
        services.record_leave(actor=alice, user=crew[1], kind="sick", starts_at=berlin(2026, 3, 3),
                              ends_at=berlin(2026, 3, 4), reason="Flu")  # fmt: skip
    own = services.record_leave(actor=alice, user=alice, kind="training",
                                starts_at=berlin(2026, 3, 3), ends_at=berlin(2026, 3, 4),
                                reason="ITIL course")  # fmt: skip
    services.cancel_leave(actor=alice, leave=own)
    assert not Leave.objects.filter(pk=own.pk).exists()


def test_cover_candidates_of_a_gap(roster, crew, holiday):
    ann, ben, cat, dan = crew
    found = {c.user.pk: c for c in rules.candidates(roster, early(roster, 4))}
    # 6 hours of his last night (Sunday 22:00 to Monday 06:00) fall in the week, plus 8
    assert found[dan.pk].eligible and found[dan.pk].week_hours == 14
    assert not found[ben.pk].eligible and "rest rule" in found[ben.pk].reason  # late at 14:00
    assert found[ben.pk].rest_after == 0
    assert not found[cat.pk].eligible and "rest rule" in found[cat.pk].reason  # night to 06:00
    assert found[ann.pk].reason == "on leave (holiday)"
    assert next(iter(rules.candidates(roster, early(roster, 4)))).user == dan  # eligible first


def test_cover_fills_the_gap(roster, crew, holiday, hanna):
    ann, ben, cat, dan = crew
    cover = services.add_cover(actor=hanna, roster=roster, user=dan, code="E",
                               starts_at=berlin(2026, 3, 4, 6), covers_for=ann,
                               reason="Ann's holiday")  # fmt: skip
    assert cover.ends_at == berlin(2026, 3, 4, 14)
    slot = early(roster, 4)
    assert slot.user_ids == (dan.pk,) and not slot.below
    mine = working.shifts_of_user(dan, berlin(2026, 3, 4), berlin(2026, 3, 5))
    assert [(s.code, s.source) for s in mine] == [("E", "cover")]
    assert [g.slot.start for g in queries.leave_gaps(holiday)] == [berlin(2026, 3, 3, 6)]
    services.remove_cover(actor=hanna, cover=cover)
    assert early(roster, 4).below


def test_cover_refusals_name_the_rule(roster, crew, holiday, alice, admin):
    ann, ben, cat, dan = crew
    with pytest.raises(RuleBroken, match="works Late then already"):
        services.add_cover(actor=admin, roster=roster, user=ben, code="L",
                           starts_at=berlin(2026, 3, 4, 14))  # fmt: skip
    with pytest.raises(RuleBroken, match="on leave"):
        services.add_cover(actor=admin, roster=roster, user=ann, code="L",
                           starts_at=berlin(2026, 3, 4, 14))  # fmt: skip
    with pytest.raises(NotAllowed):
        services.add_cover(actor=alice, roster=roster, user=dan, code="E",
                           starts_at=berlin(2026, 3, 4, 6))  # fmt: skip
    with pytest.raises(InvalidInput) as caught:
        services.add_cover(actor=admin, roster=roster, user=dan, code="E",
                           starts_at=berlin(2026, 3, 4, 7))  # fmt: skip
    assert caught.value.field == "starts_at"
    with clock.frozen(berlin(2026, 3, 4, 14)), pytest.raises(InvalidInput, match="is over"):
        services.add_cover(actor=admin, roster=roster, user=dan, code="E",
                           starts_at=berlin(2026, 3, 4, 6))  # fmt: skip


def test_rest_rule_late_then_early(roster, crew, admin):
    """Dan is off the week of 2 March and early from Monday 9 March 06:00. A late cover on
    Sunday 8 March ends at 22:00: 8 hours of rest. Refused with the 11-hour rule, accepted
    with 8."""
    dan = crew[3]
    sunday_late = berlin(2026, 3, 8, 14)
    with pytest.raises(RuleBroken) as caught:
        services.add_cover(actor=admin, roster=roster, user=dan, code="L", starts_at=sunday_late)
    assert "rest rule: only 8 h before their Early shift (at least 11 h)" in caught.value.message
    assert caught.value.status_code == 409
    services.update_roster(
        actor=admin, roster=roster, timezone=roster.timezone, cycle_start=roster.cycle_start,
        cycle_days=roster.cycle_days, rest_hours=8, weekly_hours_cap=roster.weekly_hours_cap,
    )  # fmt: skip
    roster.refresh_from_db()
    cover = services.add_cover(actor=admin, roster=roster, user=dan, code="L",
                               starts_at=sunday_late)  # fmt: skip
    assert cover.ends_at - cover.starts_at == timedelta(hours=8)


def test_weekly_cap_counts_the_iso_week(roster, crew, admin):
    """Cat's last night of the week of 2 March ends Monday 9 March 06:00: 6 hours of it fall
    in the next ISO week. With a 14-hour cap one late cover (6 + 8) fits, a second does not."""
    cat = crew[2]
    services.update_roster(
        actor=admin, roster=roster, timezone=roster.timezone, cycle_start=roster.cycle_start,
        cycle_days=roster.cycle_days, rest_hours=11, weekly_hours_cap=14,
    )  # fmt: skip
    roster.refresh_from_db()
    first = rules.assess(roster, cat, berlin(2026, 3, 11, 14), berlin(2026, 3, 11, 22))
    assert first.eligible and first.week_hours == 14
    services.add_cover(actor=admin, roster=roster, user=cat, code="L",
                       starts_at=berlin(2026, 3, 11, 14))  # fmt: skip
    with pytest.raises(RuleBroken, match=r"weekly cap: 22 h in that week \(at most 14 h\)"):
        services.add_cover(actor=admin, roster=roster, user=cat, code="L",
                           starts_at=berlin(2026, 3, 13, 14))  # fmt: skip
