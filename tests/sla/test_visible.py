"""What agents see of the SLA: `sla_due` follows the clocks, the state (ok, at risk, breached,
paused) is the same in Python (badges) and in SQL (filters), the queue rows and the ticket page
show the time left in colour, and the queue and the API filter "at risk" and "breached" and
sort by time left. Customers never see SLA fields.

The ticket of the `ticket` fixture: Acme P3 opened Monday 2 March 10:00 Berlin, first response
due 11:00 (warning 10:45), resolution due Tuesday 10:00 (warning Monday 16:00)."""

from importlib import import_module

import pytest
from django.apps import apps

from deskside.core import clock
from deskside.sla import worker
from deskside.tickets import deadlines
from deskside.tickets import services as tickets
from deskside.tickets.models import Status, Ticket
from deskside.tickets.queries import queue
from tests.conftest import client_for
from tests.sla.conftest import berlin

STATES = ("ok", "at_risk", "breached", "paused")


@pytest.fixture
def ticket(contracts, at, make_ticket, carol, alice):
    at(berlin(2, 10))
    return make_ticket(carol, assignee=alice, subject="Scanner jams")


def reload(ticket):
    return Ticket.objects.get(pk=ticket.pk)


def state_everywhere(ticket):
    """The ticket's state from the Python rule, after checking that the SQL filters agree:
    exactly the filter of its state holds the ticket."""
    now = clock.now()
    ticket = reload(ticket)
    state = deadlines.sla_state(ticket, now)
    matching = [
        s
        for s in STATES
        if deadlines.sla_filter(Ticket.objects.filter(pk=ticket.pk), s, now).exists()
    ]
    assert matching == ([state] if state else []), (state, matching)
    return state


def test_sla_due_follows_the_clocks(ticket, at, alice, carol):
    assert ticket.sla_due == berlin(2, 11)  # the first response comes first
    at(berlin(2, 10, 30))
    tickets.add_reply(actor=alice, ticket=ticket, body="Looking at it")
    assert reload(ticket).sla_due == berlin(3, 10)  # now the resolution
    at(berlin(2, 10, 40))
    tickets.add_reply(actor=carol, ticket=reload(ticket), body="Still jams")
    assert reload(ticket).sla_due == berlin(2, 12, 40)  # the next response, 120 min
    tickets.resolve_ticket(actor=alice, ticket=reload(ticket), resolution="Rollers cleaned")
    assert reload(ticket).sla_due is None
    tickets.reopen_ticket(actor=carol, ticket=reload(ticket), reason="Jams again")
    assert reload(ticket).sla_due is not None


def test_states_agree_in_python_and_sql_through_a_ticket_life(ticket, at, alice):
    assert state_everywhere(ticket) == "ok"
    at(berlin(2, 10, 45))
    worker.tick()  # the first-response warning
    assert state_everywhere(ticket) == "at_risk"
    at(berlin(2, 11))
    assert state_everywhere(ticket) == "breached"  # past due before the worker ran
    worker.tick()
    assert state_everywhere(ticket) == "breached"
    at(berlin(2, 11, 5))
    tickets.add_reply(actor=alice, ticket=reload(ticket), body="On it")
    # the late first response is history; the resolution clock (warns Monday 16:00) is on time
    assert state_everywhere(ticket) == "ok"
    tickets.set_status(actor=alice, ticket=reload(ticket), status=Status.PENDING_CUSTOMER)
    assert state_everywhere(ticket) == "paused"
    at(berlin(4, 12))  # its due time passes on the wall clock while paused: not breached
    assert reload(ticket).sla_due < berlin(4, 12)
    assert state_everywhere(ticket) == "paused"
    tickets.set_status(actor=alice, ticket=reload(ticket), status=Status.OPEN)
    assert state_everywhere(ticket) == "ok"
    assert reload(ticket).sla_due > berlin(4, 12)  # resumed with the time it had left
    tickets.resolve_ticket(actor=alice, ticket=reload(ticket), resolution="Fixed")
    assert state_everywhere(ticket) is None


def test_a_ticket_breached_before_its_pause_stays_breached(ticket, at, alice):
    at(berlin(2, 11, 30))
    tickets.set_status(actor=alice, ticket=reload(ticket), status=Status.ON_HOLD)
    at(berlin(2, 12))
    assert state_everywhere(ticket) == "breached"


def test_queue_filters_and_sorts_by_time_left(contracts, at, make_ticket, carol, alice):
    at(berlin(2, 9))
    early = make_ticket(carol, subject="Early")  # first response due 10:00
    at(berlin(2, 9, 30))
    late = make_ticket(carol, subject="Late")  # due 10:30
    none = make_ticket(carol, subject="No SLA", priority=2)  # Acme has no P2 target
    at(berlin(2, 10, 10))
    assert list(queue(alice, "open", sort="due")) == [early, late, none]
    assert list(queue(alice, "open", sla="breached")) == [early]
    assert list(queue(alice, "open", sla="at_risk")) == []
    worker.tick()  # late's warning (10:15) is not due yet, early's breach fires
    at(berlin(2, 10, 16))
    worker.tick()
    assert list(queue(alice, "open", sla="at_risk")) == [late]


def test_queue_rows_show_time_left_in_colour(ticket, at, client, alice, make_ticket, carol):
    client.force_login(alice)
    at(berlin(2, 10, 20))
    page = client.get("/tickets/", {"queue": "open"}).content.decode()
    assert 'class="sla sla-ok"' in page and "40m left" in page
    at(berlin(2, 10, 50))
    worker.tick()
    page = client.get("/tickets/", {"queue": "open"}).content.decode()
    assert 'class="sla sla-at_risk"' in page and "10m left" in page
    at(berlin(2, 12, 5))
    page = client.get("/tickets/", {"queue": "open", "sla": "breached"}).content.decode()
    assert 'class="sla sla-breached"' in page and "1h 5m over" in page
    assert "Scanner jams" in page
    page = client.get("/tickets/", {"queue": "open", "sla": "at_risk"}).content.decode()
    assert "Scanner jams" not in page


def test_ticket_page_shows_each_clock_with_working_time_left(ticket, at, client, alice):
    client.force_login(alice)
    at(berlin(2, 16, 30))  # Monday: first response overdue; resolution due Tue 10:00
    tickets.add_reply(actor=alice, ticket=reload(ticket), body="Sorry for the wait")
    page = client.get(f"/tickets/{ticket.number}/").content.decode()
    assert "First response" in page and 'class="sla sla-breached">late</span>' in page
    # 30 working minutes today and 60 on Tuesday morning: 17h 30m on the wall clock
    assert "17h 30m left · 1h 30m of working time" in page
    tickets.set_status(actor=alice, ticket=reload(ticket), status=Status.PENDING_CUSTOMER)
    at(berlin(3, 9))
    page = client.get(f"/tickets/{ticket.number}/").content.decode()
    assert "Clocks paused since" in page
    assert 'class="sla sla-paused">paused</span> <span class="muted">1h 30m of working' in page


def test_api_filters_and_sla_fields_for_agents_only(ticket, at, alice, carol, dave):
    at(berlin(2, 11, 30))
    as_alice, as_carol = client_for(alice), client_for(carol)
    body = as_alice.get("/api/v1/tickets", {"sla": "breached"}).json()
    assert [t["number"] for t in body["items"]] == [ticket.number]
    assert body["items"][0]["sla_state"] == "breached"
    assert body["items"][0]["sla_due"].startswith("2026-03-02T10:00:00")
    assert as_alice.get("/api/v1/tickets", {"sla": "at_risk"}).json()["items"] == []
    assert as_alice.get(f"/api/v1/tickets/{ticket.number}").json()["sla_state"] == "breached"

    mine = as_carol.get(f"/api/v1/tickets/{ticket.number}").json()
    assert mine["sla_state"] is None and mine["sla_due"] is None
    listed = as_carol.get("/api/v1/tickets").json()["items"]
    assert [(t["sla_state"], t["sla_due"]) for t in listed] == [(None, None)]
    refused = as_carol.get("/api/v1/tickets", {"sla": "breached"})
    assert refused.status_code == 403
    assert refused.json()["field"] == "sla"
    refused = client_for(dave).get("/api/v1/tickets", {"sort": "due"})
    assert refused.status_code == 403 and refused.json()["field"] == "sort"
    bad = as_alice.get("/api/v1/tickets", {"sla": "late"})
    assert bad.status_code == 422 and "sla" in bad.content.decode()


def test_migration_fills_sla_due_of_existing_tickets(ticket):
    migration = import_module("deskside.tickets.migrations.0004_ticket_sla_due")
    Ticket.objects.filter(pk=ticket.pk).update(sla_due=None)
    migration.fill(apps, None)
    assert reload(ticket).sla_due == berlin(2, 11)


def test_a_warned_ticket_that_waits_shows_paused_not_a_countdown(ticket, at, client, alice):
    at(berlin(2, 10, 46))
    worker.tick()  # the first-response warning
    at(berlin(2, 10, 50))
    tickets.set_status(actor=alice, ticket=reload(ticket), status=Status.PENDING_CUSTOMER)
    at(berlin(2, 12))  # the first response's due time (11:00) has passed on the wall clock
    client.force_login(alice)
    page = client.get("/tickets/", {"queue": "open"}).content.decode()
    assert 'class="sla sla-at_risk"' in page  # still warned: amber
    assert "At risk: </span>paused</span>" in page
    assert "left</span>" not in page


def test_a_ticket_closed_without_resolving_shows_its_clock_ended(ticket, at, client, alice):
    at(berlin(2, 10, 30))
    tickets.close_ticket(actor=alice, ticket=reload(ticket), reason="Duplicate of a call")
    at(berlin(2, 12))
    client.force_login(alice)
    page = client.get(f"/tickets/{ticket.number}/").content.decode()
    assert 'class="sla sla-ok">met</span>' in page  # closed 10:30, resolution due Tuesday
    assert "working time left" not in page and "sla-paused" not in page
