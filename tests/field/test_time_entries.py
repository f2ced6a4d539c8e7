"""Timers, logged durations, editing, and the weekly timesheet's flow and locks."""

from datetime import date, time, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from deskside.accounts import queries as accounts_queries
from deskside.accounts import services as accounts
from deskside.accounts.models import Tier
from deskside.core import clock
from deskside.field.exceptions import InvalidInput, InvalidTransition, NotAllowed
from deskside.field.models import TimeEntry, TimeKind, TimesheetStatus
from deskside.field.queries import time as tq
from deskside.field.queries.day import may_view_day_of
from deskside.field.services import clearance
from deskside.field.services import time as svc
from tests.field.fixtures_time import *  # noqa: F403
from tests.field.fixtures_time import LAST_MONDAY, MONDAY, NOW, make_visit


def test_one_running_timer_starting_another_stops_the_first(leo, acme_ticket, make_ticket, carol):
    other = make_ticket(carol, subject="Scanner jams")
    first = svc.start_timer(leo, ticket=acme_ticket)
    with clock.frozen(NOW + timedelta(minutes=20)):
        second = svc.start_timer(leo, ticket=other, kind=TimeKind.TRAVEL)
    first.refresh_from_db()
    assert first.ended_at == NOW + timedelta(minutes=20) and first.minutes == 20
    assert second.ended_at is None
    assert list(TimeEntry.objects.filter(agent=leo, ended_at=None)) == [second]
    assert svc.running_entry(leo) == second


def test_stop_without_a_timer_is_refused(leo):
    with pytest.raises(InvalidTransition):
        svc.stop_timer(leo)


def test_timers_of_different_agents_are_independent(leo, tara, acme_ticket):
    svc.start_timer(leo, ticket=acme_ticket)
    svc.start_timer(tara, ticket=acme_ticket)
    assert TimeEntry.objects.filter(ended_at=None).count() == 2


def test_customers_log_no_time(carol, acme_ticket):
    with pytest.raises(NotAllowed):
        svc.start_timer(carol, ticket=acme_ticket)


def test_an_agent_who_does_not_serve_the_client_logs_no_time(sam, globex_ticket):
    with pytest.raises(NotAllowed):
        svc.log_time(sam, ticket=globex_ticket, day=MONDAY, minutes=10)


def test_a_visit_must_be_of_the_ticket(leo, acme_ticket, make_ticket, carol):
    visit = make_visit(make_ticket(carol, subject="Other"), leo)
    with pytest.raises(InvalidInput) as err:
        svc.log_time(leo, ticket=acme_ticket, visit=visit, day=MONDAY, minutes=10)
    assert err.value.field == "visit"


@pytest.mark.parametrize("minutes", [0, -5, 24 * 60 + 1])
def test_durations_are_one_minute_to_a_day(leo, acme_ticket, minutes):
    with pytest.raises(InvalidInput) as err:
        svc.log_time(leo, ticket=acme_ticket, day=MONDAY, minutes=minutes)
    assert err.value.field == "minutes"


def test_no_time_in_the_future(leo, acme_ticket):
    with pytest.raises(InvalidInput) as err:
        svc.log_time(leo, ticket=acme_ticket, day=date(2026, 12, 10), minutes=10)
    assert err.value.field == "date"
    with pytest.raises(InvalidInput) as err:  # today, but later than now
        svc.log_time(leo, ticket=acme_ticket, day=NOW.date(), start=time(16, 0), minutes=10)
    assert err.value.field == "start"


def test_a_logged_duration_starts_at_nine_in_the_agents_zone(leo, acme_ticket):
    leo.timezone = "America/New_York"
    leo.save()
    entry = svc.log_time(leo, ticket=acme_ticket, day=MONDAY, minutes=30)
    assert entry.started_at.isoformat() == "2026-12-07T14:00:00+00:00"
    assert entry.ended_at - entry.started_at == timedelta(minutes=30)


def test_the_week_is_the_agents_monday(leo, acme_ticket):
    """Sunday 23:00 in Auckland is already Monday there: UTC says Sunday, the week is Monday's."""
    leo.timezone = "Pacific/Auckland"
    leo.save()
    entry = svc.log_time(leo, ticket=acme_ticket, day=MONDAY, start=time(1, 0), minutes=30)
    assert entry.started_at.date() == MONDAY - timedelta(days=1)  # Sunday in UTC
    assert entry.timesheet.week_start == MONDAY


def test_edit_and_delete_own_entries_only(leo, tara, acme_ticket):
    entry = svc.log_time(leo, ticket=acme_ticket, day=MONDAY, minutes=30, note="first")
    changed = svc.update_entry(leo, entry, minutes=45, note="printer fixed", day=date(2026, 12, 8))
    assert (changed.minutes, changed.note) == (45, "printer fixed")
    assert changed.started_at.date() == date(2026, 12, 8)
    with pytest.raises(NotAllowed):
        svc.update_entry(tara, entry, minutes=10)
    with pytest.raises(NotAllowed):
        svc.delete_entry(tara, entry)
    svc.delete_entry(leo, entry)
    assert not TimeEntry.objects.exists()


def test_moving_an_entry_to_another_week_moves_its_timesheet(leo, acme_ticket):
    entry = svc.log_time(leo, ticket=acme_ticket, day=MONDAY, minutes=30)
    moved = svc.update_entry(leo, entry, day=LAST_MONDAY)
    assert moved.timesheet.week_start == LAST_MONDAY


# -- timesheets -------------------------------------------------------------------------------


def test_the_flow_submit_return_resubmit_approve(leo, lead, acme_ticket):
    entry = svc.log_time(leo, ticket=acme_ticket, day=MONDAY, minutes=30)
    sheet = entry.timesheet
    svc.submit_timesheet(leo, sheet)
    sheet.refresh_from_db()
    assert sheet.status == TimesheetStatus.SUBMITTED and sheet.submitted_at == NOW
    with pytest.raises(InvalidTransition):  # locked while submitted
        svc.update_entry(leo, entry, minutes=40)
    with pytest.raises(InvalidInput):
        svc.return_timesheet(lead, sheet, note=" ")
    svc.return_timesheet(lead, sheet, note="Tuesday is missing")
    sheet.refresh_from_db()
    assert (sheet.status, sheet.note, sheet.decided_by) == (
        TimesheetStatus.RETURNED,
        "Tuesday is missing",
        lead,
    )
    svc.log_time(leo, ticket=acme_ticket, day=date(2026, 12, 8), minutes=60)  # editable again
    svc.submit_timesheet(leo, sheet)
    svc.approve_timesheet(lead, sheet)
    sheet.refresh_from_db()
    assert sheet.status == TimesheetStatus.APPROVED


def test_an_approved_week_is_locked(leo, lead, acme_ticket):
    entry = svc.log_time(leo, ticket=acme_ticket, day=LAST_MONDAY, minutes=30)
    svc.submit_timesheet(leo, entry.timesheet)
    svc.approve_timesheet(lead, entry.timesheet)
    for attempt in (
        lambda: svc.update_entry(leo, entry, minutes=10),
        lambda: svc.delete_entry(leo, entry),
        lambda: svc.log_time(leo, ticket=acme_ticket, day=LAST_MONDAY, minutes=5),
        lambda: svc.update_entry(
            leo, svc.log_time(leo, ticket=acme_ticket, day=MONDAY, minutes=5), day=LAST_MONDAY
        ),
        lambda: svc.submit_timesheet(leo, entry.timesheet),
        lambda: svc.return_timesheet(lead, entry.timesheet, note="too late"),
    ):
        with pytest.raises(InvalidTransition):
            attempt()
    entry.refresh_from_db()
    assert entry.minutes == 30


def test_no_submit_while_a_timer_of_the_week_runs(leo, acme_ticket):
    running = svc.start_timer(leo, ticket=acme_ticket)
    with pytest.raises(InvalidTransition):
        svc.submit_timesheet(leo, running.timesheet)
    svc.stop_timer(leo)
    svc.submit_timesheet(leo, running.timesheet)


def test_no_submit_of_a_week_not_started(leo):
    sheet = svc.timesheet_for(leo, MONDAY + timedelta(days=7))
    with pytest.raises(InvalidTransition):
        svc.submit_timesheet(leo, sheet)


def test_who_approves(leo, lead, tara, alice, admin, acme_ticket):
    sheet = svc.log_time(leo, ticket=acme_ticket, day=MONDAY, minutes=30).timesheet
    svc.submit_timesheet(leo, sheet)
    for stranger in (tara, alice):  # a lead of another team; a colleague in no team of leo's
        with pytest.raises(NotAllowed):
            svc.approve_timesheet(stranger, sheet)
    with pytest.raises(NotAllowed):
        svc.submit_timesheet(lead, sheet)  # only the agent submits
    assert svc.may_approve(lead, leo) and svc.may_approve(admin, leo)
    svc.approve_timesheet(admin, sheet)


def test_a_lead_never_approves_their_own_week(lead, admin, acme_ticket):
    sheet = svc.log_time(lead, ticket=acme_ticket, day=MONDAY, minutes=30).timesheet
    svc.submit_timesheet(lead, sheet)
    with pytest.raises(NotAllowed):
        svc.approve_timesheet(lead, sheet)
    admin.teams.add(*lead.teams.all())
    svc.approve_timesheet(admin, sheet)


def test_an_admin_never_approves_their_own_week(admin, acme_ticket):
    sheet = svc.log_time(admin, ticket=acme_ticket, day=MONDAY, minutes=30).timesheet
    svc.submit_timesheet(admin, sheet)
    with pytest.raises(NotAllowed):
        svc.approve_timesheet(admin, sheet)


def test_a_lead_serving_one_client_does_not_sign_off_anothers_time(
    leo, lead, acme, acme_ticket, globex_ticket
):
    lead.served_organizations.set([acme])
    sheet = svc.log_time(leo, ticket=globex_ticket, day=MONDAY, minutes=30).timesheet
    svc.submit_timesheet(leo, sheet)
    with pytest.raises(NotAllowed):
        svc.approve_timesheet(lead, sheet)


def test_a_leads_decision_locks_the_week_row_only(leo, lead, acme_ticket):
    """approve/return joined the agent and locked the user row too (FOR UPDATE without OF),
    against start_timer which locks the user row first: a deadlock. Only the week is locked."""
    for decide in (
        lambda sheet: svc.return_timesheet(lead, sheet, note="fix"),
        lambda sheet: svc.approve_timesheet(lead, sheet),
    ):
        sheet = svc.log_time(leo, ticket=acme_ticket, day=LAST_MONDAY, minutes=5).timesheet
        svc.submit_timesheet(leo, sheet)
        with CaptureQueriesContext(connection) as seen:
            decide(sheet)
        locks = [q["sql"] for q in seen.captured_queries if "FOR UPDATE" in q["sql"]]
        if connection.features.has_select_for_update_of:
            assert locks and all('FOR UPDATE OF "field_timesheet"' in sql for sql in locks)


def test_one_rule_of_who_is_a_lead(leo, lead, admin, sam, desktop_team):
    """Clearance sign-off, timesheet approval, the technician's day and the timesheets page
    all ask `accounts.queries.is_lead_of`: an active administrator, or an active agent who
    leads one of the person's teams; a deactivated lead is nobody's lead."""
    gone = accounts.create_user(
        email="gone@msp.example", full_name="Gone Lead", kind="agent", organization=leo.organization
    )
    other = accounts.create_team(name="Night desk", tier=Tier.L2)
    other.lead = gone
    other.save()
    other.members.add(leo)
    gone.is_active = False
    gone.save()
    expected = {lead: True, admin: True, sam: False, gone: False}
    for actor, is_lead in expected.items():
        assert accounts_queries.is_lead_of(actor, leo) is is_lead, actor
        assert clearance.is_lead(actor, leo) is is_lead, actor
        assert svc.may_approve(actor, leo) is is_lead, actor
        assert may_view_day_of(actor, leo) is is_lead, actor
        assert tq.is_lead(actor) is is_lead, actor
    assert svc.leads_of(leo) == accounts_queries.leads_of(leo) == {lead.pk}
    assert not svc.may_approve(lead, lead) and may_view_day_of(leo, leo)
