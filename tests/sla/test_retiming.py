"""Recomputing open tickets after a set-up change, in short transactions (sla.retiming): slices,
the request's budget, the worker carrying on, a stale second worker, and progress shown on
the contract page and in the API's answer."""

from datetime import UTC, datetime, timedelta

import pytest
from django.test import Client

from deskside.core.clock import frozen
from deskside.sla import retiming
from deskside.sla import services as sla
from deskside.sla.models import Retiming, SetupVersion
from deskside.sla.services import TargetTerms
from deskside.tickets.models import EventKind, Priority, TicketEvent
from tests.conftest import client_for

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)  # a Monday
API = "/api/v1"


@pytest.fixture
def always(admin):
    return sla.create_calendar(actor=admin, name="24x7", definition={"24x7": True})


@pytest.fixture
def std(admin, always):
    return sla.create_contract(
        actor=admin,
        name="Standard",
        calendar=always,
        is_default=True,
        targets=[TargetTerms(Priority.P3, 240, None, 2880)],
    ).contract


@pytest.fixture
def five(std, make_ticket, carol):
    with frozen(T0):
        return [make_ticket(carol, subject=f"Ticket {i}") for i in range(5)]


def _shorter(admin, std):
    return sla.update_contract(
        actor=admin, contract=std, targets=[TargetTerms(Priority.P3, 5, None, 50)]
    )


def _resolution_dues(tickets):
    for ticket in tickets:
        ticket.refresh_from_db()
    return {ticket.resolution_due for ticket in tickets}


def test_each_slice_is_its_own_short_piece_of_work(admin, std, five, monkeypatch):
    # No time for more than one ticket per slice: five slices, each advancing the cursor.
    monkeypatch.setattr(retiming, "SLICE_SECONDS", 0)
    slices = []
    real = retiming._slice

    def counted(job):
        slices.append(job.cursor)
        return real(job)

    monkeypatch.setattr(retiming, "_slice", counted)
    with frozen(T0 + timedelta(minutes=1)):
        saved = _shorter(admin, std)
    assert saved.retimed == 5
    assert saved.retiming is None  # finished within the request
    assert _resolution_dues(five) == {T0 + timedelta(minutes=50)}
    assert slices == [0, *(t.pk for t in five[:-1])]  # five slices of one; the last finishes
    job = Retiming.objects.get()
    assert (job.total, job.done, job.moved, job.cursor) == (5, 5, 5, five[-1].pk)
    assert job.finished_at == T0 + timedelta(minutes=1)
    assert job.lease_until is None
    assert job.contract == std
    events = TicketEvent.objects.filter(kind=EventKind.SLA, actor=admin)
    assert events.count() == 5
    assert {e.data["reason"] for e in events} == {"contract Standard changed (targets)"}


def test_the_worker_finishes_what_the_request_had_no_time_for(admin, std, five, monkeypatch):
    monkeypatch.setattr(retiming, "REQUEST_BUDGET_SECONDS", 0)
    with frozen(T0 + timedelta(minutes=1)):
        saved = _shorter(admin, std)
    assert saved.retimed == 0
    assert saved.retiming is not None and not saved.retiming.finished
    assert _resolution_dues(five) == {T0 + timedelta(minutes=2880)}  # not yet
    job = Retiming.objects.get()
    assert (job.done, job.total, job.lease_until) == (0, 5, None)  # left for the worker at once

    with frozen(T0 + timedelta(minutes=2)):
        assert retiming.resume() == 5
    assert _resolution_dues(five) == {T0 + timedelta(minutes=50)}
    job.refresh_from_db()
    assert job.finished and job.moved == 5
    with frozen(T0 + timedelta(minutes=3)):
        assert retiming.resume() == 0  # nothing left, nothing twice
    assert TicketEvent.objects.filter(kind=EventKind.SLA, actor=admin).count() == 5


def test_a_retiming_whose_request_died_waits_for_its_lease_then_resumes(
    admin, std, five, monkeypatch
):
    # A request that stopped after planning (its process was killed): the lease is still held.
    with frozen(T0 + timedelta(minutes=1)):
        job = retiming.plan(
            actor=admin, reason="test", clients=[retiming.Client.of(std)], contract=std
        )
    with frozen(T0 + timedelta(minutes=1, seconds=30)):
        assert retiming.resume() == 0  # someone may still be working on it
    assert _resolution_dues(five) == {T0 + timedelta(minutes=2880)}
    # The terms changed meanwhile (without a retiming of their own, as the dead request left it).
    std.targets.filter(priority=Priority.P3).update(resolution_minutes=50)
    SetupVersion.objects.update(token="changed")  # the terms cache reads them afresh
    with frozen(T0 + timedelta(minutes=2, seconds=1)):
        assert retiming.resume() == 5
    job.refresh_from_db()
    assert job.finished
    assert _resolution_dues(five) == {T0 + timedelta(minutes=50)}


def test_a_stale_second_worker_does_not_redo_a_slice(admin, std, five, monkeypatch):
    monkeypatch.setattr(retiming, "REQUEST_BUDGET_SECONDS", 0)
    with frozen(T0 + timedelta(minutes=1)):
        _shorter(admin, std)
    first = Retiming.objects.get()
    second = Retiming.objects.get()  # read before the first worker's slice
    with frozen(T0 + timedelta(minutes=2)):
        assert retiming._slice(first) == 5
        assert retiming._slice(second) is None  # its cursor is stale: the slice is refused
    assert TicketEvent.objects.filter(kind=EventKind.SLA, actor=admin).count() == 5
    stored = Retiming.objects.get()
    assert (stored.done, stored.moved) == (5, 5)


def test_only_the_tickets_of_the_changed_priorities_and_clients_are_walked(
    admin, std, five, make_ticket, carol, dave
):
    with frozen(T0):
        urgent = make_ticket(carol, subject="Server down", priority=Priority.P2)
        other_client = make_ticket(dave, subject="Globex")
    with frozen(T0 + timedelta(minutes=1)):
        client_contract = sla.create_contract(
            actor=admin,
            name="Acme",
            calendar=std.calendar,
            organization=carol.organization,
            targets=[TargetTerms(Priority.P3, 5, None, 60)],
        )
    job = Retiming.objects.get(contract=client_contract.contract)
    assert job.scope == {
        "clients": [carol.organization_id],
        "default": False,
        "priorities": None,
    }
    assert job.total == 6  # carol's five P3 and one P2; not Globex's
    other_client.refresh_from_db()
    assert other_client.resolution_due == T0 + timedelta(minutes=2880)
    with frozen(T0 + timedelta(minutes=2)):
        sla.update_contract(
            actor=admin,
            contract=client_contract.contract,
            targets=[TargetTerms(Priority.P3, 5, None, 30)],
        )
    latest = Retiming.objects.filter(contract=client_contract.contract).first()
    assert latest.scope["priorities"] == [Priority.P3]
    assert latest.total == 5
    urgent.refresh_from_db()
    assert urgent.resolution_due is None  # no P2 target at Acme


def test_the_contract_page_and_the_api_show_a_retiming_under_way(admin, std, five, monkeypatch):
    monkeypatch.setattr(retiming, "REQUEST_BUDGET_SECONDS", 0)
    api = client_for(admin)
    with frozen(T0 + timedelta(minutes=1)):
        answer = api.patch(
            f"{API}/contracts/{std.public_id}",
            {
                "targets": [
                    {"priority": "P3", "first_response_minutes": 5, "resolution_minutes": 50}
                ]
            },
        )
    assert answer.status_code == 200, answer.content
    body = answer.json()
    assert body["retimed"] == 0
    assert body["retiming"]["done"] == 0 and body["retiming"]["total"] == 5
    page = Client()
    page.force_login(admin)
    html = page.get(f"/sla/contracts/{std.public_id}/").content.decode()
    assert "Recomputing due times" in html
    assert '<progress id="retiming-' in html and 'value="0" max="5"' in html
    with frozen(T0 + timedelta(minutes=2)):
        retiming.resume()
    html = page.get(f"/sla/contracts/{std.public_id}/").content.decode()
    assert "Recomputing due times" not in html
    monkeypatch.undo()  # the request's own budget again: five tickets fit in it
    with frozen(T0 + timedelta(minutes=3)):
        done = api.patch(
            f"{API}/contracts/{std.public_id}",
            {"targets": [{"priority": "P3", "resolution_minutes": 60}]},
        ).json()
    assert done["retiming"] is None and done["retimed"] == 5
