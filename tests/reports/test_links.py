"""Every count of every report links to the ticket queue showing exactly the tickets it
counted (desk of conftest.py with its escalated tickets; viewer Alice,
New York, 2-8 March 2026)."""

import pytest

from deskside.reports.queries import REPORTS
from deskside.tickets.models import EventKind, TicketEvent, parse_number
from tests.conftest import login

from .conftest import QUERY
from .test_figures import opened, run

pytestmark = pytest.mark.django_db

# Counts of events, not tickets: the link lists the tickets with such events.
EVENT_COUNTS = {("reopens", "Resolutions"): EventKind.RESOLVED, ("reopens", "Reopenings"): None}


def linked_cells(report):
    for line in [*report.rows, report.totals] if report.totals else report.rows:
        for column, cell in zip(report.columns, line, strict=True):
            if cell.link is not None:
                yield column, cell


def events_of(numbers, kind):
    ids = [parse_number(n) for n in numbers]
    return TicketEvent.objects.filter(ticket_id__in=ids, kind=kind).count()


@pytest.mark.parametrize("name", list(REPORTS))
def test_every_count_opens_the_tickets_it_counts(escalated, now, alice, name):
    report = run(name, alice)
    checked = 0
    for column, cell in linked_cells(report):
        numbers = opened(alice, cell.link)
        kind = EVENT_COUNTS.get((name, column), "tickets")
        if kind == "tickets":
            assert len(numbers) == cell.value, (column, cell)
        else:
            # A ticket resolved twice is listed once: its events add up to the count.
            kind = kind or EventKind.REOPENED
            assert events_of(numbers, kind) == cell.value, (column, cell)
            assert all(events_of([n], kind) for n in numbers)
        checked += 1
    assert checked > 0


@pytest.mark.parametrize("name", list(REPORTS))
def test_every_count_has_a_link(escalated, now, alice, name):
    report = run(name, alice)
    for line in [*report.rows, report.totals] if report.totals else report.rows:
        for column, cell in zip(report.columns[1:], line[1:], strict=True):
            # Rates, hours and the workload's weighted load (points) are not ticket counts.
            if isinstance(cell.value, int) and "%" not in column and column != "Weighted load":
                assert cell.link, (name, column)


def test_sla_counts_open_their_tickets(desk, now, alice):
    report = run("sla", alice)
    number = {n: t.number for n, t in desk.items()}
    acme, totals = report.rows[0], report.totals
    # First response: T1 met (10 min of 60); T2 (60 of 30) and T4 (unanswered) breached.
    assert opened(alice, acme[2].link) == [number["t1"]]
    assert opened(alice, acme[3].link) == sorted([number["t2"], number["t4"]])
    assert opened(alice, acme[4].link) == []
    # Resolution: T1 met, T2 breached (50 h of 24), T4 running; T3 (Globex) open past due.
    assert opened(alice, acme[6].link) == [number["t1"]]
    assert opened(alice, acme[7].link) == [number["t2"]]
    assert opened(alice, acme[8].link) == [number["t4"]]
    assert opened(alice, totals[7].link) == sorted([number["t2"], number["t3"]])


def test_reopen_counts_open_their_tickets(desk, now, alice):
    report = run("reopens", alice)
    number = {n: t.number for n, t in desk.items()}
    resolutions, reopenings = report.totals[1], report.totals[2]
    assert resolutions.value == 3  # T1 once, T2 twice
    assert opened(alice, resolutions.link) == sorted([number["t1"], number["t2"]])
    assert opened(alice, reopenings.link) == [number["t2"]]


def test_pages_link_the_sla_and_escalation_counts(desk, now, alice):
    client = login(alice)
    html = client.get("/reports/sla/", QUERY).content.decode()
    for flag in ("fr_met", "fr_breached", "fr_running", "res_met", "res_breached", "res_running"):
        assert f"flag={flag}" in html, flag
    html = client.get("/reports/escalations/", QUERY).content.decode()
    for flag in ("handled_l1", "escalated_from_l1", "reached_l2", "escalated_from_l2"):
        assert f"flag={flag}" in html, flag
    page = client.get("/tickets/", {"queue": "all", "flag": "res_breached", **_range()})
    listed = page.content.decode()
    assert desk["t2"].number in listed and desk["t3"].number in listed
    assert desk["t1"].number not in listed


def _range():
    return {"created_after": "2026-03-02 05:00:00", "created_before": "2026-03-09 04:00:00"}
