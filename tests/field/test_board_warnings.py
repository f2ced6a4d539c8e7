"""The dispatch board's read side (deskside.field.board): visits placed on their technicians'
rows, the travel legs, and every warning."""

from datetime import time, timedelta

import pytest

from deskside.field import board as board_reads
from deskside.field.models import ClearanceStatus, Visit, VisitStatus
from deskside.rosters import services as rosters
from deskside.tickets.models import Ticket
from tests.field.fixtures_board import *  # noqa: F403
from tests.field.fixtures_board import DAY, at


def _row(found, user):
    return next(r for r in found.rows if r.user == user)


def _codes(found, user):
    return [b.codes for b in _row(found, user).blocks]


def test_visits_on_the_lead_and_second_rows(
    alice, carol, acme, acme_north, make_tech, clear, make_visit
):
    leo = make_tech("Leo Tech")
    nia = make_tech("Nia Shadow")
    clear(leo, acme)
    make_visit(carol, acme_north, tech=leo, start=at(9), second=nia, shadowing=True)
    found = board_reads.board(alice, day=DAY)
    assert [b.role for b in _row(found, leo).blocks] == ["lead"]
    assert [b.role for b in _row(found, nia).blocks] == ["second"]
    assert _codes(found, leo) == [[]]  # cleared, within hours, no overlap


def test_overlap_with_another_visit_as_lead_or_second(
    alice, carol, acme, acme_north, make_tech, clear, make_visit
):
    leo = make_tech("Leo Tech")
    max_ = make_tech("Max Lead")
    clear(leo, acme)
    clear(max_, acme)
    make_visit(carol, acme_north, tech=leo, start=at(9), duration=90)
    make_visit(carol, acme_north, tech=max_, start=at(10), second=leo)  # 10:00, Leo second
    make_visit(carol, acme_north, tech=leo, start=at(14))  # alone
    found = board_reads.board(alice, day=DAY)
    codes = _codes(found, leo)
    assert "overlap" in codes[0] and "overlap" in codes[1]
    assert "overlap" not in codes[2]
    assert "overlap" not in _codes(found, max_)[0]
    text = next(w.text for w in _row(found, leo).blocks[0].warnings if w.code == "overlap")
    assert "North office" in text


def test_outside_own_hours_in_the_technicians_zone(
    alice, carol, acme, acme_north, make_tech, clear, make_visit
):
    # 08:00-17:00 in New York is 13:00-22:00 UTC that week
    leo = make_tech("Leo Tech", timezone="America/New_York")
    clear(leo, acme)
    make_visit(carol, acme_north, tech=leo, start=at(12))  # 07:00 in New York
    make_visit(carol, acme_north, tech=leo, start=at(15))  # 10:00
    make_visit(carol, acme_north, tech=leo, start=at(21, 30))  # 16:30-17:30: ends after
    found = board_reads.board(alice, day=DAY)
    codes = _codes(found, leo)
    assert ["outside_hours" in c for c in codes] == [True, False, True]
    text = next(w.text for w in _row(found, leo).blocks[0].warnings)
    assert "08:00-17:00 America/New_York" in text


def test_outside_the_roster_shift_when_rostered(
    alice, admin, carol, acme, acme_north, desktop_team, make_tech, clear, make_visit
):
    """With a roster, its shifts count, not the technician's own hours."""
    leo = make_tech("Leo Tech", day_start=time(8), day_end=time(17))
    clear(leo, acme)
    roster = rosters.create_roster(
        actor=admin, team=desktop_team, timezone="UTC", cycle_start=DAY, cycle_days=7
    )
    rosters.add_shift(actor=admin, roster=roster, code="L", name="Late", start="12:00", end="20:00")
    rosters.set_line(actor=admin, roster=roster, user=leo, pattern=["L"] * 7)
    make_visit(carol, acme_north, tech=leo, start=at(9))  # inside own hours, before the shift
    make_visit(carol, acme_north, tech=leo, start=at(18))  # after own hours, inside the shift
    found = board_reads.board(alice, day=DAY)
    row = _row(found, leo)
    assert row.rostered
    assert row.shifts == [(at(12), at(20))]
    codes = _codes(found, leo)
    assert "outside_hours" in codes[0]
    assert "outside_hours" not in codes[1]
    assert "12:00-20:00" in next(w.text for w in row.blocks[0].warnings)


def test_rostered_with_no_shift_that_day(
    alice, admin, carol, acme, acme_north, desktop_team, make_tech, clear, make_visit
):
    leo = make_tech("Leo Tech")
    clear(leo, acme)
    roster = rosters.create_roster(actor=admin, team=desktop_team, cycle_start=DAY, cycle_days=7)
    rosters.add_shift(
        actor=admin, roster=roster, code="E", name="Early", start="06:00", end="14:00"
    )
    rosters.set_line(actor=admin, roster=roster, user=leo, pattern=["", "E", "E", "E", "E", "", ""])
    make_visit(carol, acme_north, tech=leo, start=at(9))  # Monday: off
    found = board_reads.board(alice, day=DAY)
    warning = _row(found, leo).blocks[0].warnings[0]
    assert warning.code == "outside_hours" and "no shift that day" in warning.text


def test_on_leave(alice, admin, carol, acme, acme_north, make_tech, clear, make_visit):
    leo = make_tech("Leo Tech")
    clear(leo, acme)
    rosters.record_leave(
        actor=admin, user=leo, kind="sick", starts_at=at(0), ends_at=at(12), reason="flu"
    )
    make_visit(carol, acme_north, tech=leo, start=at(9))
    make_visit(carol, acme_north, tech=leo, start=at(13))
    found = board_reads.board(alice, day=DAY)
    codes = _codes(found, leo)
    assert "leave" in codes[0] and "leave" not in codes[1]
    assert "sick" in next(w.text for w in _row(found, leo).blocks[0].warnings if w.code == "leave")
    assert len(_row(found, leo).leave) == 1


def test_travel_that_cannot_fit(
    alice, carol, acme, acme_north, acme_south, make_tech, clear, make_visit
):
    leo = make_tech("Leo Tech")
    clear(leo, acme)
    make_visit(carol, acme_north, tech=leo, start=at(9))  # until 10:00
    make_visit(carol, acme_south, tech=leo, start=at(10, 30))  # ~80 min away: cannot fit
    make_visit(carol, acme_south, tech=leo, start=at(11, 30))  # same site: 0 min
    make_visit(carol, acme_north, tech=leo, start=at(15))  # plenty of time
    found = board_reads.board(alice, day=DAY)
    blocks = _row(found, leo).blocks
    assert blocks[0].leg.from_visit is None and blocks[0].leg.source == "estimate"
    assert blocks[1].leg.minutes > 30 and blocks[1].leg.late_minutes > 0
    assert [("travel" in b.codes) for b in blocks] == [False, True, False, False]
    assert blocks[2].leg.minutes == 0
    assert "North office" in next(w.text for w in blocks[1].warnings if w.code == "travel")


def test_a_route_plans_travel_minutes_are_used(
    alice, carol, acme, acme_north, acme_south, make_tech, clear, make_visit
):
    leo = make_tech("Leo Tech")
    clear(leo, acme)
    make_visit(carol, acme_north, tech=leo, start=at(9))
    make_visit(carol, acme_south, tech=leo, start=at(10, 30), travel_minutes=25)
    blocks = _row(board_reads.board(alice, day=DAY), leo).blocks
    assert (blocks[1].leg.minutes, blocks[1].leg.source) == (25, "plan")
    assert "travel" not in blocks[1].codes


def test_travel_unknown_without_coordinates(
    alice, carol, acme, acme_hq, acme_north, make_tech, clear, make_visit
):
    leo = make_tech("Leo Tech")
    clear(leo, acme)
    make_visit(carol, acme_north, tech=leo, start=at(9))
    make_visit(carol, acme_hq, tech=leo, start=at(10))  # HQ has no coordinates
    blocks = _row(board_reads.board(alice, day=DAY), leo).blocks
    assert (blocks[1].leg.minutes, blocks[1].leg.source) == (None, "unknown")
    assert "travel" not in blocks[1].codes


def test_not_cleared_after_a_revocation(
    alice, carol, acme, acme_north, make_tech, clear, make_visit
):
    leo = make_tech("Leo Tech")
    clear(leo, acme)
    make_visit(carol, acme_north, tech=leo, start=at(9))
    assert _codes(board_reads.board(alice, day=DAY), leo) == [[]]
    clear(leo, acme, ClearanceStatus.REVOKED)
    found = board_reads.board(alice, day=DAY)
    warning = _row(found, leo).blocks[0].warnings[0]
    assert warning.code == "not_cleared" and "Acme Corp" in warning.text


def test_shadowing_with_a_cleared_lead_is_not_a_warning(
    alice, carol, acme, acme_north, make_tech, clear, make_visit
):
    leo = make_tech("Leo Tech")
    nia = make_tech("Nia Shadow")
    clear(leo, acme)
    clear(nia, acme, ClearanceStatus.SHADOWING)
    make_visit(carol, acme_north, tech=leo, start=at(9), second=nia, shadowing=True)
    found = board_reads.board(alice, day=DAY)
    assert "not_cleared" not in _codes(found, nia)[0]


def test_a_required_skill_nobody_on_the_visit_has(
    alice, carol, acme, acme_north, make_tech, clear, make_visit, skill
):
    printers, network = skill("Printers"), skill("Networking")
    leo = make_tech("Leo Tech", skills=[printers])
    nia = make_tech("Nia Net", skills=[network])
    clear(leo, acme)
    make_visit(carol, acme_north, tech=leo, start=at(9), skills=[printers])
    make_visit(carol, acme_north, tech=leo, start=at(11), skills=[network])
    make_visit(carol, acme_north, tech=leo, start=at(13), skills=[network], second=nia)
    codes = _codes(board_reads.board(alice, day=DAY), leo)
    assert ["skill" in c for c in codes] == [False, True, False]


def test_final_and_cancelled_visits(alice, carol, acme, acme_north, make_tech, clear, make_visit):
    leo = make_tech("Leo Tech")
    clear(leo, acme)
    done = make_visit(carol, acme_north, tech=leo, start=at(9))
    gone = make_visit(carol, acme_north, tech=leo, start=at(11))
    Visit.objects.filter(pk=done.pk).update(status=VisitStatus.DONE)
    Visit.objects.filter(pk=gone.pk).update(status=VisitStatus.CANCELLED)
    blocks = _row(board_reads.board(alice, day=DAY), leo).blocks
    assert [b.visit.pk for b in blocks] == [done.pk]


def test_the_week_puts_each_visit_on_its_day(
    alice, carol, acme, acme_north, make_tech, clear, make_visit
):
    leo = make_tech("Leo Tech")
    clear(leo, acme)
    window = (at(0), at(0) + timedelta(days=6))
    make_visit(carol, acme_north, tech=leo, start=at(9), window=window)
    make_visit(carol, acme_north, tech=leo, start=at(9) + timedelta(days=2), window=window)
    found = board_reads.board(alice, day=DAY + timedelta(days=3), view="week")
    assert found.day == DAY and len(found.days) == 7
    row = _row(found, leo)
    assert [len(blocks) for _, blocks in row.days] == [1, 0, 1, 0, 0, 0, 0]
    assert found.start == at(0) and found.end == at(0) + timedelta(days=7)


def test_team_filter_and_served_technicians(
    alice, carol, acme, globex, make_tech, network_team, admin_serving
):
    leo = make_tech("Leo Tech")  # serves everyone
    tom = make_tech("Tom Net", teams=[network_team], serves=[acme])
    gil = make_tech("Gil Globex", serves=[globex])
    rows = lambda viewer, **kw: [r.user for r in board_reads.board(viewer, day=DAY, **kw).rows]  # noqa: E731
    assert rows(alice) == [gil, leo, tom]
    assert rows(alice, team=network_team) == [tom]
    only_acme = admin_serving(acme, email="acme-only@msp.example")
    assert rows(only_acme) == [leo, tom]


def test_the_queue_order(alice, carol, acme, acme_north, make_ticket, make_visit):
    late = make_visit(carol, acme_north, window=(at(8), at(12)))
    early = make_visit(carol, acme_north, window=(at(10), at(12)))
    no_sla_first_window = make_visit(carol, acme_north, window=(at(6), at(12)))
    no_sla_later = make_visit(carol, acme_north, window=(at(9), at(12)))
    Ticket.objects.filter(pk=late.ticket_id).update(sla_due=at(18))
    Ticket.objects.filter(pk=early.ticket_id).update(sla_due=at(11))
    order = list(board_reads.unscheduled(alice))
    assert order == [early, late, no_sla_first_window, no_sla_later]


@pytest.mark.parametrize("view", ["day", "week"])
def test_few_queries_for_many_technicians(
    alice,
    carol,
    acme,
    acme_north,
    acme_south,
    make_tech,
    clear,
    make_visit,
    django_assert_max_num_queries,
    skill,
    view,
    admin,
    desktop_team,
):
    printers = skill("Printers")
    roster = rosters.create_roster(actor=admin, team=desktop_team, cycle_start=DAY, cycle_days=7)
    rosters.add_shift(actor=admin, roster=roster, code="D", name="Day", start="07:00", end="19:00")
    for i in range(6):
        tech = make_tech(f"Tech {i}", skills=[printers] if i % 2 else [])
        clear(tech, acme)
        if i % 3 == 0:
            rosters.set_line(actor=admin, roster=roster, user=tech, pattern=["D"] * 7)
        for hour in (8, 10, 15):
            make_visit(
                carol,
                acme_north if hour < 12 else acme_south,
                tech=tech,
                start=at(hour),
                skills=[printers],
            )
    with django_assert_max_num_queries(20):
        found = board_reads.board(alice, day=DAY, view=view)
    assert sum(len(r.blocks) for r in found.rows) == 18
