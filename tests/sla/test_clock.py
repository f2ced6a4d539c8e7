"""The SLA clocks as tickets move, with the clock moved by hand (see conftest for the week,
the calendars and the contracts)."""

from datetime import timedelta

import pytest

from deskside.sla.engine import FIRST_WARNED, RESOLUTION_WARNED, terms_for
from deskside.sla.models import SLATarget
from deskside.tickets import services as tickets
from deskside.tickets.models import EventKind, Priority, Status, Ticket
from tests.sla.conftest import berlin


def fresh(ticket):
    ticket.refresh_from_db()
    return ticket


def reply(actor, ticket, body="On it."):
    tickets.add_reply(actor=actor, ticket=ticket, body=body)
    return fresh(ticket)


def status(actor, ticket, to):
    tickets.set_status(actor=actor, ticket=ticket, status=to)
    return fresh(ticket)


def working_minutes(ticket, start, end):
    return terms_for(ticket).calendar.minutes_between(start, end)


# -- creation --------------------------------------------------------------------------------


def test_creation_sets_due_times_in_office_hours(contracts, at, make_ticket, carol):
    at(berlin(2, 10))
    t = make_ticket(carol)
    assert t.first_response_due == berlin(2, 11)
    # 480 minutes: Monday 10-17 (420) and Tuesday 9-10 (60).
    assert t.resolution_due == berlin(3, 10)
    assert t.next_response_due is None
    assert t.first_responded_at is None
    # The first look is the first-response warning at 75 %: 45 of 60 minutes.
    assert t.sla_check_at == berlin(2, 10, 45)
    assert t.sla_fired == 0
    assert fresh(t).first_response_due == berlin(2, 11)  # stored, not only in memory


def test_creation_late_in_the_day_runs_on_the_next_morning(contracts, at, make_ticket, carol):
    at(berlin(2, 16, 30))
    t = make_ticket(carol)
    assert t.first_response_due == berlin(3, 9, 30)
    assert t.sla_check_at == berlin(3, 9, 15)


def test_holiday_and_weekend_do_not_count(contracts, at, make_ticket, carol):
    at(berlin(5, 16, 30))  # Thursday; Friday is a holiday
    t = make_ticket(carol)
    assert t.first_response_due == berlin(9, 9, 30)  # Monday
    assert t.resolution_due == berlin(9, 16, 30)


def test_p1_counts_around_the_clock(contracts, at, make_ticket, carol):
    at(berlin(7, 12))  # Saturday
    t = make_ticket(carol, priority=Priority.P1)
    assert t.first_response_due == berlin(7, 12, 15)
    assert t.resolution_due == berlin(7, 16)
    assert t.sla_check_at == berlin(7, 12, 11) + timedelta(seconds=15)  # 75 % of 15 minutes


def test_client_without_contract_gets_the_default(contracts, at, make_ticket, dave):
    at(berlin(2, 10))
    t = make_ticket(dave)
    assert t.first_response_due == berlin(2, 14)
    # 2400 minutes = 40 working hours: Mon 7, Tue-Thu 24, (Fri holiday) Mon 8, Tue 1.
    assert t.resolution_due == berlin(10, 10)


def test_no_contract_at_all_means_no_due_times(acme_contract, at, make_ticket, dave, alice):
    at(berlin(2, 10))
    t = make_ticket(dave)  # Globex has no contract and there is no default one
    assert (t.first_response_due, t.resolution_due, t.sla_check_at) == (None, None, None)
    t = reply(alice, t)
    assert t.first_responded_at == berlin(2, 10)
    assert t.sla_check_at is None


def test_own_contract_without_the_priority_has_no_target(contracts, at, make_ticket, carol, dave):
    """A client's contract replaces the default one: a priority it leaves out has no SLA."""
    _, default = contracts
    SLATarget.objects.create(contract=default, priority=Priority.P2, first_response_minutes=30)
    at(berlin(2, 10))
    assert make_ticket(carol, priority=Priority.P2).first_response_due is None
    assert make_ticket(dave, priority=Priority.P2).first_response_due == berlin(2, 10, 30)


def test_terms_of_a_target_calendar_override(contracts, at, make_ticket, carol):
    at(berlin(2, 10))
    t = make_ticket(carol, priority=Priority.P1)
    assert terms_for(t).calendar.spec.always_open
    assert not terms_for(make_ticket(carol)).calendar.spec.always_open


# -- responses -------------------------------------------------------------------------------


def test_agent_reply_meets_first_response_and_customer_starts_next(
    contracts, at, make_ticket, carol, alice
):
    at(berlin(2, 10))
    t = make_ticket(carol)
    at(berlin(2, 10, 5))
    t = reply(carol, t, "Any news?")  # before the first response: no second clock
    assert t.next_response_due is None
    at(berlin(2, 10, 30))
    t = reply(alice, t)
    assert t.first_responded_at == berlin(2, 10, 30)
    assert t.status == Status.OPEN
    assert t.next_response_due is None
    assert t.sla_check_at == berlin(2, 16)  # now the resolution warning (360 of 480 minutes)

    at(berlin(2, 15))
    t = reply(carol, t, "Still broken.")
    assert t.next_response_due == berlin(2, 17)  # 120 working minutes
    assert t.sla_check_at == berlin(2, 16)  # the resolution warning still comes first
    at(berlin(2, 15, 10))
    t = reply(carol, t, "Hello?")  # a second message does not restart the clock
    assert t.next_response_due == berlin(2, 17)

    at(berlin(2, 16, 15))
    t = reply(alice, t)
    assert t.next_response_due is None
    assert t.first_responded_at == berlin(2, 10, 30)  # the first response stays the first


def test_internal_note_is_no_response(contracts, at, make_ticket, carol, alice):
    at(berlin(2, 10))
    t = make_ticket(carol)
    tickets.add_note(actor=alice, ticket=t, body="Checking the spooler")
    assert fresh(t).first_responded_at is None


def test_phone_intake_meets_the_first_response_at_once(contracts, at, alice, acme, carol):
    at(berlin(2, 10))
    t = tickets.intake_call(
        actor=alice, organization=acme, requester=carol, subject="Cannot print", minutes=4
    )
    t = fresh(t)
    assert t.first_responded_at == berlin(2, 10)
    assert t.first_response_due == berlin(2, 11)
    assert t.sla_check_at == berlin(2, 16)  # only the resolution clock is left


# -- pauses ----------------------------------------------------------------------------------


WAITING = [Status.PENDING_CUSTOMER, Status.PENDING_VENDOR, Status.ON_HOLD]


@pytest.mark.parametrize("waiting", WAITING)
def test_waiting_pauses_and_resuming_restores_the_time_left(
    contracts, at, make_ticket, carol, alice, waiting
):
    at(berlin(2, 10))
    t = make_ticket(carol, assignee=alice)
    before = (t.first_response_due, t.resolution_due)
    at(berlin(2, 10, 20))
    t = status(alice, t, waiting)
    assert t.sla_paused_at == berlin(2, 10, 20)
    assert t.sla_check_at is None  # nothing fires while paused
    assert (t.first_response_due, t.resolution_due) == before
    at(berlin(2, 14))
    t = status(alice, t, Status.OPEN)
    assert t.sla_paused_at is None
    assert t.first_response_due == berlin(2, 14, 40)  # 40 minutes were left
    assert t.resolution_due == berlin(3, 13, 40)  # 460 minutes were left
    paused = working_minutes(t, berlin(2, 10, 20), berlin(2, 14))
    assert working_minutes(t, before[0], t.first_response_due) == paused == 220
    assert working_minutes(t, before[1], t.resolution_due) == paused
    assert t.sla_check_at == berlin(2, 14, 25)


def test_pause_over_weekend_and_holiday_shifts_by_the_working_time_paused(
    contracts, at, make_ticket, carol, alice
):
    at(berlin(5, 10))  # Thursday
    t = make_ticket(carol, assignee=alice)
    assert t.resolution_due == berlin(9, 10)
    at(berlin(5, 10, 30))
    t = reply(alice, t)
    at(berlin(5, 16))
    t = status(alice, t, Status.PENDING_VENDOR)
    at(berlin(9, 10))  # Monday, after the holiday and the weekend
    t = status(alice, t, Status.OPEN)
    # Paused: Thursday 16-17 and Monday 9-10 = 120 working minutes, not four days.
    assert working_minutes(t, berlin(5, 16), berlin(9, 10)) == 120
    assert t.resolution_due == berlin(9, 12)


def test_customer_reply_to_a_waiting_ticket_resumes_it(contracts, at, make_ticket, carol, alice):
    at(berlin(2, 10))
    t = make_ticket(carol, assignee=alice)
    at(berlin(2, 10, 10))
    t = reply(alice, t)
    at(berlin(2, 10, 30))
    t = status(alice, t, Status.PENDING_CUSTOMER)
    at(berlin(2, 13))
    t = reply(carol, t, "Here is the log.")
    assert t.status == Status.OPEN
    assert t.sla_paused_at is None
    assert t.next_response_due == berlin(2, 15)
    assert t.resolution_due == berlin(3, 12, 30)  # 150 minutes paused


def test_customer_writing_while_paused_starts_a_paused_next_response(
    contracts, at, make_ticket, carol, alice
):
    at(berlin(2, 10))
    t = make_ticket(carol, assignee=alice)
    at(berlin(2, 10, 10))
    t = reply(alice, t)
    at(berlin(2, 10, 30))
    t = status(alice, t, Status.PENDING_VENDOR)
    at(berlin(2, 11))
    t = reply(carol, t, "Any word from the vendor?")
    assert t.status == Status.PENDING_VENDOR  # still waiting on the vendor
    assert t.sla_check_at is None
    at(berlin(2, 14))
    t = status(alice, t, Status.OPEN)
    assert t.next_response_due == berlin(2, 16)  # the whole 120 minutes from the resume


def test_resolve_stops_and_reopen_resumes_with_the_time_left(
    contracts, at, make_ticket, carol, alice
):
    at(berlin(2, 10))
    t = make_ticket(carol, assignee=alice)
    at(berlin(2, 10, 10))
    t = reply(alice, t)
    at(berlin(2, 12))
    tickets.resolve_ticket(actor=alice, ticket=t, resolution="Driver reinstalled")
    t = fresh(t)
    assert t.sla_check_at is None
    assert t.sla_paused_at == berlin(2, 12)
    at(berlin(4, 9))  # Wednesday morning: the fix did not hold
    tickets.reopen_ticket(actor=carol, ticket=t, reason="Broken again")
    t = fresh(t)
    # 360 minutes were left at Monday 12:00 (12-17 and Tuesday 9-10).
    assert t.resolution_due == berlin(4, 15)
    assert t.sla_check_at == berlin(4, 13)


def test_a_breach_before_the_pause_stays_a_breach(contracts, at, make_ticket, carol, alice):
    at(berlin(2, 10))
    t = make_ticket(carol, assignee=alice)
    at(berlin(2, 11, 30))  # the first response was due at 11:00
    t = status(alice, t, Status.ON_HOLD)
    at(berlin(2, 14))
    t = status(alice, t, Status.OPEN)
    assert t.first_response_due == berlin(2, 11)


# -- priority changes ------------------------------------------------------------------------


def test_priority_change_recounts_from_creation_keeping_used_time(
    contracts, at, make_ticket, carol, alice
):
    at(berlin(2, 10))
    t = make_ticket(carol, assignee=alice)
    at(berlin(2, 10, 30))
    t = status(alice, t, Status.PENDING_CUSTOMER)
    at(berlin(2, 11, 30))
    t = status(alice, t, Status.OPEN)
    at(berlin(2, 11, 50))
    tickets.update_ticket(actor=alice, ticket=t, priority=Priority.P1)
    t = fresh(t)
    # P1 counts 24x7 from the creation, less the hour paused: 240 minutes -> 15:00.
    assert t.resolution_due == berlin(2, 15)
    # Counted from the creation, the 15-minute first response would have been due at 10:15,
    # in the past: it counts its 15 minutes from the change instead (P3's was due at 12:00).
    assert t.first_response_due == berlin(2, 12, 5)
    assert t.sla_check_at == berlin(2, 12, 1) + timedelta(
        seconds=15
    )  # its warning, at 75 % of 15 minutes


def test_priority_change_while_paused_agrees_with_one_after(
    contracts, at, make_ticket, carol, alice
):
    at(berlin(2, 10))
    t = make_ticket(carol, assignee=alice)
    at(berlin(2, 10, 30))
    t = status(alice, t, Status.PENDING_CUSTOMER)
    at(berlin(2, 11))
    tickets.update_ticket(actor=alice, ticket=t, priority=Priority.P1)
    t = fresh(t)
    assert t.sla_check_at is None  # still paused
    at(berlin(2, 11, 30))
    t = status(alice, t, Status.OPEN)
    assert t.resolution_due == berlin(2, 15)  # as when changed after the pause


def test_priority_change_keeps_the_next_response_start(contracts, at, make_ticket, carol, alice):
    at(berlin(2, 10))
    t = make_ticket(carol, assignee=alice)
    at(berlin(2, 10, 5))
    t = reply(alice, t)
    at(berlin(2, 11))
    t = reply(carol, t, "It is down for everyone now")
    at(berlin(2, 11, 10))
    tickets.update_ticket(actor=alice, ticket=t, priority=Priority.P1)
    t = fresh(t)
    assert t.next_response_due == berlin(2, 11, 30)  # 30 minutes from the customer's message


def test_priority_change_clears_fired_bits_of_moved_clocks_only(
    contracts, at, make_ticket, carol, alice
):
    acme_contract, _ = contracts
    SLATarget.objects.create(
        contract=acme_contract,
        priority=Priority.P2,
        first_response_minutes=30,
        resolution_minutes=480,  # as P3: the resolution clock does not move
    )
    at(berlin(2, 10))
    t = make_ticket(carol, assignee=alice)
    Ticket.objects.filter(pk=t.pk).update(sla_fired=FIRST_WARNED | RESOLUTION_WARNED)
    at(berlin(2, 10, 20))
    tickets.update_ticket(actor=alice, ticket=t, priority=Priority.P2)
    t = fresh(t)
    assert t.first_response_due == berlin(2, 10, 30)
    assert t.resolution_due == berlin(3, 10)
    # The first response may warn again (its due time moved); the resolution warning stays sent.
    assert t.sla_fired == RESOLUTION_WARNED
    assert t.sla_check_at == berlin(2, 10, 22) + timedelta(seconds=30)


def test_priority_change_to_one_without_target_clears_the_clocks(
    contracts, at, make_ticket, carol, alice
):
    at(berlin(2, 10))
    t = make_ticket(carol)
    tickets.update_ticket(actor=alice, ticket=t, priority=Priority.OPS)
    t = fresh(t)
    assert (t.first_response_due, t.resolution_due, t.sla_check_at) == (None, None, None)
    assert t.events.filter(kind=EventKind.CHANGED).count() == 1
