"""Planning a day from the database (field.services.planning): what is planned, the rules
(skills, clearance, leave, shift), accept (all or nothing, through `schedule`) and discard."""

import pytest

from deskside.accounts.models import Skill
from deskside.field.exceptions import InvalidTransition, NotCleared
from deskside.field.models import (
    ClearanceStatus,
    RoutePlanStatus,
    Visit,
    VisitStatus,
)
from deskside.field.services.planning import accept_plan, discard_plan, plan_day
from deskside.rosters.models import Leave
from deskside.tickets.models import EventKind
from tests.field.fixtures_route import *  # noqa: F403 (the fixtures)
from tests.field.fixtures_route import DAY, at, clear


def test_plan_the_day_proposes_routes_within_windows_and_shift(
    field_leo, alice, acme_ticket, globex_ticket, visit_at, printers
):
    a = visit_at(acme_ticket, 9, 10, 60, skills=[printers])
    b = visit_at(globex_ticket, 13, 15, 45)
    plan = plan_day(alice, DAY)
    assert plan.status == RoutePlanStatus.PROPOSED
    stops = {s.visit_id: s for s in plan.stops.all()}
    assert set(stops) == {a.pk, b.pk}
    for visit in (a, b):
        stop = stops[visit.pk]
        assert stop.technician_id == field_leo.pk
        assert visit.window_start <= stop.start <= visit.window_end
        assert at(8) <= stop.arrival <= stop.start
    assert stops[a.pk].position == 1 and stops[b.pk].position == 2
    assert stops[b.pk].travel_minutes > 0
    assert plan.total_travel_minutes > 0
    assert plan.unassigned == []
    assert sorted(plan.params["clients"]) == sorted([a.organization_id, b.organization_id])
    # Nothing is scheduled until the plan is accepted.
    assert Visit.objects.get(pk=a.pk).status == VisitStatus.UNSCHEDULED


def test_reasons_skills_clearance_and_other_days(
    field_leo, alice, acme, acme_ticket, visit_at, printers
):
    ladder = Skill.objects.create(name="Ladder work")
    needs_ladder = visit_at(acme_ticket, 9, 12, skills=[ladder])
    tomorrow = visit_at(acme_ticket, 9, 12)
    tomorrow.window_start = tomorrow.window_start.replace(day=11)
    tomorrow.window_end = tomorrow.window_end.replace(day=11)
    tomorrow.save()
    plan = plan_day(alice, DAY)
    reasons = {u["visit"]: u for u in plan.unassigned}
    assert reasons[needs_ladder.public_id]["code"] == "skills"
    assert "(Ladder work)" in reasons[needs_ladder.public_id]["reason"]
    assert tomorrow.public_id not in reasons
    assert not plan.stops.filter(visit=tomorrow).exists()

    clear(field_leo, acme, ClearanceStatus.SHADOWING)
    plain = visit_at(acme_ticket, 9, 12)
    plan = plan_day(alice, DAY)
    codes = {u["visit"]: u["code"] for u in plan.unassigned}
    assert codes[plain.public_id] == "clearance"


def test_a_technician_on_leave_is_left_out(field_leo, alice, acme_ticket, visit_at):
    visit = visit_at(acme_ticket, 9, 12)
    Leave.objects.create(user=field_leo, starts_at=at(0), ends_at=at(23), reason="Holiday")
    plan = plan_day(alice, DAY)
    assert not plan.stops.exists()
    assert any("on leave" in note for note in plan.params["notes"])
    assert {u["visit"] for u in plan.unassigned} == {visit.public_id}


def test_a_window_outside_the_shift_says_so(field_leo, alice, acme_ticket, visit_at):
    visit = visit_at(acme_ticket, 19, 21)
    plan = plan_day(alice, DAY)
    assert plan.unassigned == [
        {
            "visit": visit.public_id,
            "code": "shift",
            "reason": "no technician who may go can reach it and finish within their shift",
        }
    ]


def test_accept_schedules_every_stop_with_route_order_and_travel(
    field_leo, alice, acme_ticket, globex_ticket, visit_at
):
    a = visit_at(acme_ticket, 9, 10)
    b = visit_at(globex_ticket, 13, 15)
    plan = plan_day(alice, DAY)
    accept_plan(alice, plan)
    plan.refresh_from_db()
    assert plan.status == RoutePlanStatus.ACCEPTED and plan.decided_by == alice
    for visit, order in ((a, 1), (b, 2)):
        visit.refresh_from_db()
        stop = plan.stops.get(visit=visit)
        assert visit.status == VisitStatus.SCHEDULED
        assert visit.technician == field_leo
        assert visit.scheduled_start == stop.start
        assert visit.route_order == order
        assert visit.travel_minutes == stop.travel_minutes
        assert visit.ticket.events.filter(kind=EventKind.VISIT, data__action="scheduled").exists()
    with pytest.raises(InvalidTransition):
        accept_plan(alice, plan)
    with pytest.raises(InvalidTransition):
        discard_plan(alice, plan)


def test_accept_is_refused_as_a_whole_when_one_schedule_is_refused(
    field_leo, alice, acme, acme_ticket, globex_ticket, visit_at
):
    a = visit_at(globex_ticket, 9, 10)
    b = visit_at(acme_ticket, 13, 15)
    plan = plan_day(alice, DAY)
    assert plan.stops.count() == 2
    clear(field_leo, acme, ClearanceStatus.REVOKED)  # after the plan was made
    with pytest.raises(NotCleared) as refused:
        accept_plan(alice, plan)
    assert b.public_id in refused.value.message and "nothing was scheduled" in refused.value.message
    for visit in (a, b):
        visit.refresh_from_db()
        assert visit.status == VisitStatus.UNSCHEDULED and visit.technician is None
    plan.refresh_from_db()
    assert plan.status == RoutePlanStatus.PROPOSED


def test_discard_schedules_nothing(field_leo, alice, acme_ticket, visit_at):
    visit = visit_at(acme_ticket, 9, 10)
    plan = plan_day(alice, DAY)
    discard_plan(alice, plan)
    plan.refresh_from_db()
    visit.refresh_from_db()
    assert plan.status == RoutePlanStatus.DISCARDED
    assert visit.status == VisitStatus.UNSCHEDULED


def test_same_data_same_plan(field_leo, alice, acme_ticket, globex_ticket, visit_at, leo):
    for start in (9, 10, 11, 13):
        visit_at(acme_ticket, start, start + 2, 30)
        visit_at(globex_ticket, start, start + 2, 30)
    one = plan_day(alice, DAY)
    two = plan_day(alice, DAY)

    def shape(plan):
        return [
            (s.visit_id, s.technician_id, s.position, s.start, s.travel_minutes)
            for s in plan.stops.order_by("technician_id", "position")
        ]

    assert shape(one) == shape(two)
    assert one.unassigned == two.unassigned
