"""Bulk scheduling of a project's children as visits: into the dispatch queue, or back to back
on one technician's days, each child on its own (a refused one does not stop the others), the
clearance rule asked for each."""

from datetime import date, time
from zoneinfo import ZoneInfo

import pytest

from deskside.field.models import Visit, VisitStatus
from deskside.workorders.exceptions import InvalidInput
from deskside.workorders.models import WorkOrder
from deskside.workorders.queries import projects as queries
from deskside.workorders.services import project_visits, projects
from tests.field.fixtures_clearance import clear
from tests.workorders.fixtures_projects import *  # noqa: F403 (the fixtures)
from tests.workorders.fixtures_projects import csv_bytes

MONDAY, TUESDAY = date(2026, 12, 14), date(2026, 12, 15)


@pytest.fixture
def project(alice, new_project, now):
    data = csv_bytes(*(f",D-{i},3.{i},4.{i},,," for i in range(1, 5)))
    return projects.create_project(alice, new_project(), data).project


def _plan(**kwargs):
    kwargs.setdefault("first_day", MONDAY)
    kwargs.setdefault("last_day", TUESDAY)
    kwargs.setdefault("day_start", time(9, 0))
    kwargs.setdefault("day_end", time(12, 0))
    return project_visits.BulkVisits(**kwargs)


def _local(visit):
    return visit.scheduled_start.astimezone(ZoneInfo("America/New_York"))


def test_unscheduled_visits_wait_in_the_dispatch_queue(alice, project):
    result = project_visits.schedule_children(alice, project, _plan(duration_minutes=45))
    assert len(result.created) == 4 and not result.refused and not result.scheduled
    assert result.summary() == "Created 4 visits"
    visits = list(Visit.objects.order_by("id"))
    assert {v.status for v in visits} == {VisitStatus.UNSCHEDULED}
    first = visits[0]
    assert first.site.name == "HQ" and first.duration_minutes == 45
    assert first.window_start.isoformat() == "2026-12-14T14:00:00+00:00"  # 09:00 in Boston
    assert first.window_end.isoformat() == "2026-12-15T16:15:00+00:00"  # 12:00 - 45 min
    assert queries.progress(project).with_visit == 4
    again = project_visits.schedule_children(alice, project, _plan())
    assert again.summary() == "Created 0 visits"  # "all unscheduled": none left


def test_back_to_back_on_a_cleared_technician(alice, leo, admin, acme, project):
    clear(leo, acme, admin)
    result = project_visits.schedule_children(alice, project, _plan(technician=leo))
    assert result.summary() == "Created 4 visits (4 scheduled for Leo Field)"
    starts = [
        _local(v).strftime("%a %H:%M")
        for v in Visit.objects.order_by("scheduled_start")
        if v.technician == leo
    ]
    assert starts == ["Mon 09:00", "Mon 10:00", "Mon 11:00", "Tue 09:00"]


def test_the_clearance_rule_refuses_each_child_with_its_reason(alice, maria, project):
    result = project_visits.schedule_children(alice, project, _plan(technician=maria))
    assert not result.created and len(result.refused) == 4
    assert "Maria Santos is not cleared for Acme Corp" in result.refused[0].reason
    assert result.summary().startswith("Created 0 visits (0 scheduled for Maria Santos), 4 refused")
    assert not Visit.objects.exists()  # a refused child's visit is not left behind


def test_a_refused_child_does_not_stop_the_others(
    alice, leo, admin, acme, new_project, olivia, floor4, now
):
    clear(leo, acme, admin)
    data = csv_bytes(",D-1,,,,Floor 4,", ",D-2,,,,,", ",D-3,,,,Floor 4,")
    project = projects.create_project(alice, new_project(requester=olivia), data).project
    result = project_visits.schedule_children(
        alice, project, _plan(technician=leo, day_end=time(10, 0))
    )
    numbers = [w.ticket.number for w in WorkOrder.objects.filter(project=project).order_by("id")]
    assert result.created == [numbers[0], numbers[2]]
    assert result.refused == [project_visits.Refused(numbers[1], "has no site to visit")]
    assert f"1 refused: {numbers[1]} has no site to visit" in result.summary()
    starts = [_local(v).strftime("%a %H:%M") for v in Visit.objects.order_by("scheduled_start")]
    assert starts == ["Mon 09:00", "Tue 09:00"]


def test_no_room_left_is_a_refusal(alice, leo, admin, acme, project):
    clear(leo, acme, admin)
    result = project_visits.schedule_children(
        alice, project, _plan(technician=leo, last_day=MONDAY, duration_minutes=90)
    )
    assert len(result.scheduled) == 2 and len(result.refused) == 2
    assert "no room left in the window" in result.refused[0].reason


def test_a_row_window_and_duration_win(alice, leo, admin, acme, new_project, now):
    clear(leo, acme, admin)
    header = "user,desk,window_start,window_end,duration"
    data = csv_bytes(",D-1,2026-12-15 10:30,2026-12-15 11:00,30", header=header)
    project = projects.create_project(alice, new_project(), data).project
    project_visits.schedule_children(alice, project, _plan(technician=leo))
    visit = Visit.objects.get()
    assert visit.duration_minutes == 30
    assert _local(visit).strftime("%a %H:%M") == "Tue 10:30"


def test_a_queued_visit_is_scheduled_not_doubled(alice, leo, admin, acme, project):
    clear(leo, acme, admin)
    project_visits.schedule_children(alice, project, _plan())
    chosen = [w.public_id for w in WorkOrder.objects.filter(project=project).order_by("id")[:2]]
    result = project_visits.schedule_children(
        alice, project, _plan(technician=leo), work_orders=chosen
    )
    assert not result.created and len(result.scheduled) == 2
    assert Visit.objects.count() == 4
    assert Visit.objects.filter(status=VisitStatus.SCHEDULED).count() == 2
    again = project_visits.schedule_children(
        alice, project, _plan(technician=leo), work_orders=chosen
    )
    assert [r.reason for r in again.refused] == ["has a visit planned already"] * 2


def test_bad_input_names_the_field(alice, project):
    with pytest.raises(InvalidInput) as bad:
        project_visits.schedule_children(alice, project, _plan(last_day=date(2026, 12, 1)))
    assert bad.value.field == "last_day"
    with pytest.raises(InvalidInput) as bad:
        project_visits.schedule_children(alice, project, _plan(day_end=time(8, 0)))
    assert bad.value.field == "day_end"
    with pytest.raises(InvalidInput) as bad:
        project_visits.schedule_children(alice, project, _plan(), work_orders=["nope"])
    assert bad.value.field == "work_orders"
    assert not Visit.objects.exists()
