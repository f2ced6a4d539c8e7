"""What a plan may not touch: the technicians' other visits of the day are fixed commitments
(routed around, never moved), visits booked on another day stay there, and a rostered
technician with no shift that day is not working."""

from datetime import UTC, date, datetime, time, timedelta

import pytest

from deskside.accounts.models import Skill
from deskside.field.exceptions import InvalidInput, InvalidTransition
from deskside.field.models import Visit, VisitStatus
from deskside.field.services.planning import accept_plan, plan_day
from deskside.field.services.scheduling import schedule
from deskside.rosters import services as rosters
from tests.field.fixtures_route import *  # noqa: F403 (the fixtures)
from tests.field.fixtures_route import DAY, at


def _book(visit, tech, start, status=VisitStatus.SCHEDULED, actor=None):
    """`visit` booked for `tech` at `start` (through `schedule`), then moved on to `status`."""
    schedule(actor or tech, visit, tech, start)
    if status != VisitStatus.SCHEDULED:
        Visit.objects.filter(pk=visit.pk).update(status=status, checked_in_at=start)
    visit.refresh_from_db()
    return visit


def _spans(plan, tech):
    return [
        (s.start, s.start + timedelta(minutes=s.visit.duration_minutes), s)
        for s in plan.stops.filter(technician=tech).select_related("visit")
    ]


def test_nothing_is_planned_while_the_technician_is_on_site(
    field_leo, alice, acme_ticket, globex_ticket, visit_at
):
    on_site = _book(visit_at(globex_ticket, 9, 9, 120), field_leo, at(9), VisitStatus.ON_SITE)
    todo = [visit_at(acme_ticket, 8, 15, 60) for _ in range(4)]
    plan = plan_day(alice, DAY)
    spans = _spans(plan, field_leo)
    assert {s.visit_id for _a, _b, s in spans} == {v.pk for v in todo}
    for start, end, stop in spans:
        assert end <= at(9) or start >= at(11), (start, end)
        if start >= at(11):
            assert stop.arrival >= at(11)  # travels from Globex after 11:00
    assert not plan.stops.filter(visit=on_site).exists()
    accept_plan(alice, plan)
    on_site.refresh_from_db()
    assert on_site.status == VisitStatus.ON_SITE and on_site.scheduled_start == at(9)


def test_a_visit_at_a_client_the_planner_does_not_serve_is_routed_around(
    field_leo, acme_agent, alice, acme_ticket, globex_ticket, visit_at
):
    """Ann serves only Acme: Leo's Globex visit 10:00-14:00 is not hers to move, and she is
    not told about it, but nothing of hers is planned into it."""
    booked = _book(visit_at(globex_ticket, 10, 10, 240), field_leo, at(10), actor=alice)
    todo = [visit_at(acme_ticket, 8, 16, 60) for _ in range(3)]
    plan = plan_day(acme_agent, DAY)
    spans = _spans(plan, field_leo)
    assert len(spans) == 3
    for start, end, _stop in spans:
        assert end <= at(10) or start >= at(14)
    assert booked.public_id not in str(plan.unassigned) and plan.params["clients"] == [
        todo[0].organization_id
    ]


def test_a_follow_up_booked_on_wednesday_is_not_pulled_into_monday(
    field_leo, alice, acme_ticket, visit_at
):
    monday = DAY - timedelta(days=2)
    follow_up = visit_at(acme_ticket, 9, 17)
    follow_up.window_start = datetime.combine(monday, time(8), UTC)
    follow_up.window_end = follow_up.window_start + timedelta(days=7)
    follow_up.save()
    _book(follow_up, field_leo, at(9))  # Wednesday (DAY)
    plan = plan_day(alice, monday)
    assert not plan.stops.exists() and plan.unassigned == []
    accept_plan(alice, plan)
    follow_up.refresh_from_db()
    assert follow_up.scheduled_start == at(9)


def test_a_booked_visit_the_plan_cannot_place_keeps_its_time_and_nothing_overlaps(
    field_leo, alice, acme_ticket, visit_at
):
    ladder = Skill.objects.create(name="Ladder work")
    # Booked by hand for Leo, who lacks the skill: the plan cannot give it to anyone, so it
    # stays as booked, and the plan routes Leo around it.
    booked = _book(
        visit_at(acme_ticket, 8, 16, 120, skills=[ladder]), field_leo, at(10), actor=alice
    )
    others = [visit_at(acme_ticket, 8, 16, 60) for _ in range(5)]
    plan = plan_day(alice, DAY)
    reasons = {u["visit"]: u for u in plan.unassigned}
    assert reasons[booked.public_id]["code"] == "skills"
    assert reasons[booked.public_id]["reason"].endswith("it stays as booked")
    spans = _spans(plan, field_leo)
    assert {s.visit_id for _a, _b, s in spans} == {v.pk for v in others}
    for start, end, _stop in spans:
        assert end <= at(10) or start >= at(12)
    accept_plan(alice, plan)
    booked.refresh_from_db()
    assert booked.scheduled_start == at(10) and booked.technician == field_leo


def test_a_rostered_technician_with_no_shift_that_day_is_not_working(
    field_leo, admin, alice, acme_ticket, desktop_team, visit_at
):
    roster = rosters.create_roster(actor=admin, team=desktop_team, cycle_start=DAY, cycle_days=7)
    rosters.add_shift(
        actor=admin, roster=roster, code="E", name="Early", start="06:00", end="14:00"
    )
    # DAY is the first day of the cycle: off; the next day works the early shift.
    rosters.set_line(
        actor=admin, roster=roster, user=field_leo, pattern=["", "E", "E", "E", "E", "", ""]
    )
    visit = visit_at(acme_ticket, 9, 12)
    plan = plan_day(alice, DAY)
    assert not plan.stops.exists()
    assert any("no roster shift that day" in note for note in plan.params["notes"])
    assert {u["visit"] for u in plan.unassigned} == {visit.public_id}
    # The next day, the early shift: 06:00-14:00.
    later = visit_at(acme_ticket, 9, 12)
    later.window_start += timedelta(days=1)
    later.window_end += timedelta(days=1)
    later.save()
    assert plan_day(alice, DAY + timedelta(days=1)).stops.filter(visit=later).exists()


def test_hours_are_taken_in_the_technicians_zone_within_the_planners_day(
    field_leo, alice, acme_ticket, visit_at
):
    """Alice plans DAY in UTC; Leo works 08:00-17:00 in Auckland (UTC+13 in March): within
    her day, 00:00-04:00 and 19:00-24:00 UTC. The time between is his night."""
    field_leo.timezone = "Pacific/Auckland"
    field_leo.save(update_fields=["timezone"])
    night = visit_at(acme_ticket, 10, 14)
    evening = visit_at(acme_ticket, 20, 22)
    plan = plan_day(alice, DAY)
    assert {s.visit_id for s in plan.stops.all()} == {evening.pk}
    assert {u["visit"]: u["code"] for u in plan.unassigned} == {night.public_id: "no_slot"}


@pytest.mark.parametrize("day", [date(1, 1, 1), date(9999, 12, 31), date(1899, 12, 31)])
def test_far_off_days_are_refused_naming_the_day(alice, day):
    with pytest.raises(InvalidInput) as refused:
        plan_day(alice, day)
    assert refused.value.field == "day"


def test_accept_refuses_a_plan_overtaken_by_a_booking(field_leo, alice, acme_ticket, visit_at):
    """Leo was booked over a stop after the plan was made: accepting would double-book him."""
    todo = visit_at(acme_ticket, 9, 9, 60)
    plan = plan_day(alice, DAY)
    assert plan.stops.get().start == at(9)
    _book(visit_at(acme_ticket, 9, 10, 30), field_leo, at(9, 30), actor=alice)
    with pytest.raises(InvalidTransition) as refused:
        accept_plan(alice, plan)
    assert todo.public_id in refused.value.message and refused.value.field == "technician"
    todo.refresh_from_db()
    assert todo.status == VisitStatus.UNSCHEDULED
