"""The recurring pass: one ticket per occurrence at the local time, what it is opened with (a
plain OPS ticket, or a work order with the checklist), the next deadline, a downtime caught up
once or skipped by policy, and an owner who can no longer act."""

from datetime import UTC, datetime, timedelta

import pytest

from deskside.core import audit, clock
from deskside.recurring import services, worker
from deskside.recurring.models import MissedPolicy, Occurrence, OccurrenceStatus, Schedule
from deskside.tickets.models import Channel, EventKind, Priority, Ticket, TicketType
from deskside.workorders.models import WorkOrder
from deskside.workorders.services import templates
from deskside.workorders.services.templates import ItemSpec, VersionSpec

pytestmark = pytest.mark.django_db

# Acme (New York): the second Tuesdays of 2027 at 22:00 EST are these instants in UTC.
JAN = datetime(2027, 1, 13, 3, 0, tzinfo=UTC)
FEB = datetime(2027, 2, 10, 3, 0, tzinfo=UTC)
MAR = datetime(2027, 3, 10, 3, 0, tzinfo=UTC)  # still EST (EDT from 14 March)
APR = datetime(2027, 4, 14, 2, 0, tzinfo=UTC)  # EDT


def run(at: datetime) -> worker.PassResult:
    with clock.frozen(at):
        return worker.recurring_pass()


def test_the_first_run_is_the_first_occurrence_after_creation(now, make_schedule):
    schedule = make_schedule()
    assert schedule.next_run_at == JAN
    assert run(JAN - timedelta(seconds=1)).claimed == 0  # not due yet


def test_an_occurrence_opens_one_ops_ticket_and_sets_the_next_deadline(
    now, make_schedule, carol, acme_hq, desktop_team, leo
):
    schedule = make_schedule(
        description="Apply the month's updates.", site=acme_hq, team=desktop_team, assignee=leo
    )
    result = run(JAN + timedelta(seconds=20))
    assert (result.claimed, result.opened, result.skipped) == (1, 1, 0)
    ticket = Ticket.objects.get()
    assert ticket.subject == "Monthly patching · 12 Jan 2027"  # the local date
    assert (ticket.type, ticket.priority, ticket.channel) == (
        TicketType.OPERATIONAL,
        Priority.OPS,
        Channel.API,
    )
    assert (ticket.requester, ticket.site, ticket.team, ticket.assignee) == (
        carol,
        acme_hq,
        desktop_team,
        leo,
    )
    assert ticket.created_by == schedule.created_by
    created = ticket.events.get(kind=EventKind.CREATED)
    assert created.data["recurring"] == schedule.public_id
    assert created.data["occurrence"] == JAN.isoformat()
    occurrence = Occurrence.objects.get()
    assert (occurrence.occurs_at, occurrence.status, occurrence.ticket) == (
        JAN,
        OccurrenceStatus.OPENED,
        ticket,
    )
    schedule.refresh_from_db()
    assert (schedule.next_run_at, schedule.last_occurrence_at) == (FEB, JAN)
    again = run(JAN + timedelta(minutes=1))
    assert (again.claimed, again.opened) == (0, 0)
    assert run(FEB + timedelta(seconds=5)).opened == 1
    assert Ticket.objects.count() == 2


def test_a_downtime_of_three_months_is_caught_up_once(now, make_schedule):
    schedule = make_schedule()
    result = run(datetime(2027, 4, 1, 12, tzinfo=UTC))
    assert (result.opened, result.skipped) == (1, 2)
    rows = list(Occurrence.objects.order_by("occurs_at").values_list("occurs_at", "status"))
    assert rows == [
        (JAN, OccurrenceStatus.SKIPPED),
        (FEB, OccurrenceStatus.SKIPPED),
        (MAR, OccurrenceStatus.OPENED),
    ]
    assert Ticket.objects.get().subject == "Monthly patching · 9 Mar 2027"
    schedule.refresh_from_db()
    assert schedule.next_run_at == APR and schedule.last_occurrence_at == MAR
    assert run(datetime(2027, 4, 2, tzinfo=UTC)).claimed == 0  # nothing twice


def test_skip_policy_skips_what_is_more_than_an_hour_late(now, make_schedule):
    make_schedule(missed_policy=MissedPolicy.SKIP)
    result = run(datetime(2027, 4, 1, 12, tzinfo=UTC))
    assert (result.opened, result.skipped) == (0, 3)
    assert not Ticket.objects.exists()
    late_but_in_grace = run(APR + timedelta(minutes=59))
    assert late_but_in_grace.opened == 1
    assert Occurrence.objects.filter(status=OccurrenceStatus.OPENED).get().occurs_at == APR


def test_a_checklist_makes_each_ticket_a_work_order(now, make_schedule, admin):
    template = templates.create_template(
        None,
        name="Monthly patching",
        kind="operational",
        spec=VersionSpec(
            subject="Patching",
            priority=Priority.P3,
            ticket_type=TicketType.OPERATIONAL,
            items=[ItemSpec("Updates approved in the RMM"), ItemSpec("Servers rebooted")],
        ),
    )
    make_schedule(checklist=template)
    assert run(JAN + timedelta(seconds=5)).opened == 1
    order = WorkOrder.objects.get()
    ticket = order.ticket
    assert ticket.subject == "Monthly patching · 12 Jan 2027"
    assert ticket.priority == Priority.OPS  # the schedule's, over the template's P3
    assert order.items.count() == 2
    assert ticket.events.get(kind=EventKind.CREATED).data["recurring"]
    assert Occurrence.objects.get().ticket == ticket


def test_a_deactivated_owner_pauses_the_schedule_with_the_reason(now, make_schedule, leo):
    schedule = make_schedule(actor=leo)
    leo.is_active = False
    leo.save()
    result = run(JAN + timedelta(seconds=5))
    assert (result.opened, result.failed) == (0, 1)
    assert not Ticket.objects.exists()
    assert Occurrence.objects.get().status == OccurrenceStatus.SKIPPED
    schedule.refresh_from_db()
    assert not schedule.is_active and schedule.next_run_at is None
    assert "deactivated" in services.pause_reason(schedule)
    entry = audit.entries(object_type=services.OBJECT_TYPE, action="paused").get()
    assert entry.actor is None


def test_resuming_hands_the_schedule_to_the_agent_and_skips_the_paused_time(
    now, make_schedule, leo, alice
):
    schedule = make_schedule(actor=leo)
    leo.is_active = False
    leo.save()
    run(JAN + timedelta(seconds=5))
    with clock.frozen(datetime(2027, 3, 1, tzinfo=UTC)):
        resumed = services.resume_schedule(actor=alice, schedule=schedule)
    assert resumed.created_by == alice and resumed.next_run_at == MAR
    assert services.pause_reason(resumed) == ""
    result = run(MAR + timedelta(seconds=5))
    assert (result.opened, result.skipped) == (1, 0)  # February fell while paused: not caught up
    assert Ticket.objects.get().created_by == alice


def test_the_pass_only_reads_due_schedules(now, make_schedule, django_assert_max_num_queries):
    for i in range(5):
        make_schedule(name=f"Later {i}", starts_at_local=datetime(2027, 6, 1, 9))
    with django_assert_max_num_queries(1):
        assert run(JAN + timedelta(seconds=5)).claimed == 0
    assert Schedule.objects.filter(next_run_at__isnull=False).count() == 5


def test_an_ended_rule_has_no_next_run(now, make_schedule):
    schedule = make_schedule(rule="FREQ=MONTHLY;BYDAY=+2TU;COUNT=13")  # Jan 2026 .. Jan 2027
    assert schedule.next_run_at == JAN
    run(JAN + timedelta(seconds=5))
    schedule.refresh_from_db()
    assert schedule.next_run_at is None and schedule.last_occurrence_at == JAN


def test_a_typo_fixed_after_an_occurrence_fell_due_does_not_hide_it(now, make_schedule, alice):
    schedule = make_schedule(description="Aply the updates.")
    with clock.frozen(JAN + timedelta(seconds=10)):  # due at 22:00, fixed at 22:00:10
        edited = services.update_schedule(
            actor=alice, schedule=schedule, description="Apply the updates."
        )
    assert (edited.next_run_at, edited.updated_at) == (JAN, now)  # the timing is untouched
    result = run(JAN + timedelta(seconds=20))
    assert (result.opened, result.skipped) == (1, 0)
    ticket = Ticket.objects.get()
    assert ticket.description == "Apply the updates."  # opened with the edit
    assert Occurrence.objects.get().occurs_at == JAN
    assert audit.entries(object_type=services.OBJECT_TYPE).count() == 2  # created, updated


def test_a_timing_edit_still_starts_afresh(now, make_schedule, alice):
    schedule = make_schedule()
    later = JAN + timedelta(seconds=10)
    with clock.frozen(later):
        edited = services.update_schedule(
            actor=alice, schedule=schedule, rule="FREQ=MONTHLY;BYDAY=+2TU;BYHOUR=21;BYMINUTE=0"
        )
    assert (edited.next_run_at, edited.updated_at) == (FEB - timedelta(hours=1), later)
    assert run(JAN + timedelta(seconds=20)).claimed == 0  # January's past is not opened
    assert not Occurrence.objects.exists()
