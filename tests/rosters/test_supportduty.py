"""Support duty (issue 15 item 2): the service's modes, rights, checks and audit, and the
rotation as the pages show it (today's and the next hand-offs), daily and weekly across DST
changes, with the clock frozen."""

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest

from deskside.core import clock
from deskside.core.models import AuditEntry
from deskside.core.versioning import VersionConflict
from deskside.rosters import supportduty, working
from deskside.rosters.exceptions import InvalidInput, NotAllowed
from deskside.rosters.models import Leave, SupportDuty
from deskside.rosters.supportduty_queries import overview
from tests.rosters.supportduty_fixtures import *  # noqa: F403 (the fixtures)

BERLIN = ZoneInfo("Europe/Berlin")


def utc(*args) -> datetime:
    return datetime(*args, tzinfo=UTC)


def test_a_team_without_duty_is_everyone(it_team, bea):
    with clock.frozen(utc(2026, 11, 4, 15)):
        view = overview(it_team)
    assert view.mode == "everyone" and view.duty is None
    assert view.on_duty == [] and view.handoffs == []
    assert working.on_duty_ids(it_team) is None


def test_everyone_mode_keeps_its_members_but_names_nobody_on_duty(set_duty, it_team, bea, cid):
    set_duty("everyone", [bea, cid])
    with clock.frozen(utc(2026, 11, 4, 15)):
        assert working.on_duty_ids(it_team) is None
        assert [u.email for u in overview(it_team).members] == [bea.email, cid.email]


def test_a_fixed_service_desk_is_its_named_people_at_any_time(set_duty, it_team, alice, bea, cid):
    set_duty("fixed", [bea, cid])
    for instant in (utc(2026, 11, 4, 3), utc(2026, 11, 7, 23, 59)):
        with clock.frozen(instant):
            assert [u.email for u in overview(it_team).on_duty] == [bea.email, cid.email]
            assert overview(it_team).handoffs == []
    # Bea's leave takes her off the desk; Cid remains.
    Leave.objects.create(
        user=bea, starts_at=utc(2026, 11, 5), ends_at=utc(2026, 11, 6), reason="Holiday"
    )
    with clock.frozen(utc(2026, 11, 5, 12)):
        assert [u.email for u in overview(it_team).on_duty] == [cid.email]


def test_a_daily_rotation_hands_off_at_nine_local_across_the_autumn_change(
    set_duty, it_team, alice, bea, cid
):
    # New York falls back on Sunday 1 November 2026: 09:00 is 13:00 UTC before, 14:00 after.
    set_duty("rotational", [alice, bea, cid], period="daily", starts_on=date(2026, 10, 26))

    def on_duty(at):
        with clock.frozen(at):
            return [u.email for u in overview(it_team).on_duty]

    # Turn k is member k mod 3 from Monday 26 October: Sat 31 Cid, Sun 1 Alice, Mon 2 Bea.
    assert on_duty(utc(2026, 10, 31, 12, 59)) == [bea.email]
    assert on_duty(utc(2026, 10, 31, 13)) == [cid.email]
    assert on_duty(utc(2026, 11, 1, 13, 59)) == [cid.email]  # 08:59 EST: Cid's 25-hour day
    assert on_duty(utc(2026, 11, 1, 14)) == [alice.email]
    with clock.frozen(utc(2026, 11, 1, 10)):  # 05:00 EST on Sunday
        view = overview(it_team, turns=2)
    rows = [
        (h.at, [u.email for u in h.outgoing], [u.email for u in h.incoming], h.past)
        for h in view.handoffs
    ]
    assert rows == [
        (utc(2026, 11, 1, 14), [cid.email], [alice.email], False),
        (utc(2026, 11, 2, 14), [alice.email], [bea.email], False),
    ]
    assert view.next_handoff.at == utc(2026, 11, 1, 14)


def test_a_weekly_rotation_keeps_monday_nine_across_the_spring_change(set_duty, it_team, bea, cid):
    # Berlin springs forward on Sunday 29 March 2026: Monday 09:00 is 08:00 UTC before, 07:00 after.
    set_duty(
        "rotational",
        [bea, cid],
        period="weekly",
        timezone="Europe/Berlin",
        starts_on=date(2026, 3, 16),
    )
    with clock.frozen(utc(2026, 3, 30, 6, 59)):
        assert [u.email for u in overview(it_team).on_duty] == [cid.email]
    with clock.frozen(utc(2026, 3, 30, 12)):
        view = overview(it_team, turns=2)
    assert [u.email for u in view.on_duty] == [bea.email]
    assert [(h.at, h.past) for h in view.handoffs] == [
        (utc(2026, 3, 30, 7), True),  # today's, done (09:00 CEST)
        (utc(2026, 4, 6, 7), False),
        (utc(2026, 4, 13, 7), False),
    ]
    assert [u.email for u in view.handoffs[0].incoming] == [bea.email]


def test_a_member_on_leave_hands_the_duty_to_the_next(set_duty, it_team, alice, bea, cid):
    set_duty("rotational", [alice, bea, cid], period="daily", starts_on=date(2026, 10, 26))
    Leave.objects.create(
        user=bea, starts_at=utc(2026, 10, 27), ends_at=utc(2026, 10, 29), reason="Sick", kind="sick"
    )
    with clock.frozen(utc(2026, 10, 27, 15)):  # Bea's turn
        assert [u.email for u in overview(it_team).on_duty] == [cid.email]
    # The hand-offs as they will happen: Cid takes Bea's Tuesday, then keeps her own Wednesday.
    with clock.frozen(utc(2026, 10, 26, 15)):
        rows = overview(it_team, turns=3).handoffs
    emails = [
        ([u.email for u in h.outgoing], [u.email for u in h.incoming], [u.email for u in h.away])
        for h in rows
    ]
    assert [h.at for h in rows] == [
        utc(2026, 10, 27, 13),
        utc(2026, 10, 28, 13),
        utc(2026, 10, 29, 13),
    ]
    assert emails == [
        ([alice.email], [cid.email], [bea.email]),
        ([cid.email], [cid.email], []),
        ([cid.email], [alice.email], []),
    ]


def test_the_lead_and_administrators_edit_nobody_else(it_team, admin, alice, bea, cid, tara, carol):
    duty = supportduty.set_support_duty(
        actor=alice, team=it_team, mode="fixed", members=[bea], timezone="UTC"
    )
    assert duty.mode == "fixed"
    supportduty.set_support_duty(actor=admin, team=it_team, mode="fixed", members=[cid])
    for outsider in (bea, tara, carol):
        with pytest.raises(NotAllowed):
            supportduty.set_support_duty(actor=outsider, team=it_team, mode="everyone")
    assert supportduty.can_edit(alice, it_team) and supportduty.can_edit(admin, it_team)
    assert not any(supportduty.can_edit(u, it_team) for u in (bea, tara, carol, None))
    assert [m.user for m in SupportDuty.objects.get(team=it_team).members.all()] == [cid]


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"mode": "sometimes"}, "mode"),
        ({"mode": "rotational", "members": []}, "members"),
        ({"mode": "fixed", "members": "leo"}, "members"),  # not in the team
        ({"mode": "fixed", "members": "bea,bea"}, "members"),
        ({"mode": "rotational", "period": "hourly"}, "period"),
        ({"mode": "rotational", "handoff_time": "25:00"}, "handoff_time"),
        ({"mode": "rotational", "handoff_time": "9am"}, "handoff_time"),
        ({"mode": "rotational", "timezone": "Mars/Olympus"}, "timezone"),
    ],
)
def test_bad_input_names_its_field_and_changes_nothing(set_duty, bea, leo, kwargs, field):
    people = {"bea": bea, "leo": leo}
    members = kwargs.pop("members", "bea")
    kwargs["members"] = [people[n] for n in members.split(",")] if members else []
    with pytest.raises(InvalidInput) as caught:
        set_duty(**kwargs)
    assert caught.value.field == field
    assert not SupportDuty.objects.exists()
    assert not AuditEntry.objects.filter(object_type="rosters.support_duty").exists()


def test_the_hand_off_time_is_kept_as_hh_mm(set_duty, bea):
    assert set_duty("rotational", [bea], handoff_time="7:30").handoff_time == "07:30"


def test_each_change_is_audited_with_the_fields_that_changed(set_duty, admin, it_team, bea, cid):
    set_duty("rotational", [bea, cid], period="weekly")
    created = AuditEntry.objects.get(object_type="rosters.support_duty")
    assert (created.action, created.object_id, created.actor) == ("created", it_team.slug, admin)
    assert created.after["members"] == [bea.email, cid.email]
    assert created.after["mode"] == "rotational"

    set_duty("rotational", [cid, bea], period="weekly")  # the order is the rotation: a change
    set_duty("rotational", [cid, bea], period="weekly")  # nothing changed: no entry
    updates = list(AuditEntry.objects.filter(action="updated").order_by("id"))
    assert len(updates) == 1
    assert updates[0].before == {"members": [bea.email, cid.email]}
    assert updates[0].after == {"members": [cid.email, bea.email]}


def test_a_stale_edit_is_refused(set_duty, bea, cid):
    first = set_duty("fixed", [bea])
    set_duty("fixed", [bea, cid], version=first.version)
    with pytest.raises(VersionConflict):
        set_duty("everyone", [], version=first.version)
    assert SupportDuty.objects.get().mode == "fixed"


def test_defaults_come_from_the_current_duty(admin, it_team, bea):
    with clock.frozen(datetime(2026, 12, 9, 3, tzinfo=BERLIN)):  # 8 December in New York
        duty = supportduty.set_support_duty(
            actor=admin, team=it_team, mode="rotational", members=[bea], timezone="America/New_York"
        )
    assert duty.starts_on == date(2026, 12, 8)
    again = supportduty.set_support_duty(actor=admin, team=it_team, mode="fixed", members=[bea])
    assert (again.timezone, again.starts_on) == ("America/New_York", date(2026, 12, 8))
