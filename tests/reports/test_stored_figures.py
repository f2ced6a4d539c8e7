"""The reports' stored per-ticket figures (`reports.figures`): every report gives the same
table from the stored rows (and the monthly duration rollup) as from the tickets themselves,
before and after tickets change, before and after the worker's pass; the hook marks changed
tickets; a build resumes; the rollup stays the sum of the rows.

The desk is the reports' fixture (tests/reports/conftest.py), week of 2-8 March 2026 in New
York, with T7/T8 escalated; a range of February to April makes March a whole UTC month, read
from the rollup."""

from dataclasses import replace
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest

from deskside import cli
from deskside.accounts.models import Tier
from deskside.core import clock
from deskside.reports import figures
from deskside.reports.models import DurationRollup, FiguresMark, FiguresState, TicketFigures
from deskside.reports.queries import REPORTS, run
from deskside.reports.scope import Scope
from deskside.tickets import services as tickets
from deskside.tickets.models import EventKind, Priority, Ticket, TicketEvent
from deskside.tickets.queries import visible_tickets
from deskside.tickets.timeline import events_written

NY = ZoneInfo("America/New_York")
WEEK = Scope(date(2026, 3, 2), date(2026, 3, 8), NY)
QUARTER = Scope(date(2026, 2, 1), date(2026, 4, 30), NY)


def table(report) -> tuple:
    return (
        [[(c.value, c.link) for c in row] for row in report.rows],
        [(c.value, c.link) for c in report.totals],
    )


def from_tickets(name, qs, scope) -> tuple:
    """The report worked out from the tickets alone (as before any build)."""
    saved = list(FiguresState.objects.values_list("pk", "through_ticket"))
    FiguresState.objects.update(through_ticket=None)
    try:
        return table(run(name, qs, scope))
    finally:
        for pk, through in saved:
            FiguresState.objects.filter(pk=pk).update(through_ticket=through)


def scopes(desk, helpdesk) -> list[Scope]:
    acme = desk["t1"].organization
    return [
        WEEK,
        QUARTER,
        replace(QUARTER, organization=acme),
        replace(QUARTER, team=helpdesk),
        replace(QUARTER, priority=Priority.P3),
        replace(WEEK, zone=ZoneInfo("Asia/Kolkata")),  # a half-hour zone: no whole-hour edge
    ]


def assert_same(desk, helpdesk, qs=None):
    qs = Ticket.objects.all() if qs is None else qs
    for scope in scopes(desk, helpdesk):
        for name in REPORTS:
            assert table(run(name, qs, scope)) == from_tickets(name, qs, scope), (name, scope)


def assert_rollup_is_the_sum_of_the_rows():
    for figure in DurationRollup.Figure.values:
        rows = TicketFigures.objects.filter(**{f"{figure}_seconds__isnull": False}).values_list(
            "created_at", "team_id", "priority", "tier", f"{figure}_minute", f"{figure}_seconds"
        )
        expected: dict[tuple, list[int]] = {}
        for created, team, priority, tier, minute, seconds in rows:
            month = created.astimezone(UTC).date().replace(day=1)
            counts = expected.setdefault((month, team or 0, priority, tier, minute), [0, 0])
            counts[0] += 1
            counts[1] += seconds
        rolled = DurationRollup.objects.filter(figure=figure)
        assert {
            (r.month, r.team_id, r.priority, r.tier, r.minute): [r.tickets, r.seconds]
            for r in rolled
        } == expected
        assert not DurationRollup.objects.filter(tickets=0).exists()


@pytest.fixture
def spread(escalated, carol, alice, make_ticket):
    """Tickets in February and April too, so the quarter has edges and a whole month, and
    one on the evening of 28 February in New York: 1 March in UTC, in the March rollup."""
    for moment, priority in (
        (datetime(2026, 2, 10, 9, tzinfo=NY), Priority.P2),
        (datetime(2026, 2, 28, 20, tzinfo=NY), Priority.P1),
        (datetime(2026, 4, 20, 15, tzinfo=NY), Priority.P3),
    ):
        with clock.frozen(moment):
            ticket = make_ticket(carol, priority=priority)
            tickets.resolve_ticket(actor=alice, ticket=ticket, resolution="Done.")
    return escalated


def test_every_report_is_the_same_from_the_stored_figures(spread, now, helpdesk):
    assert FiguresMark.objects.exists()  # the services' events marked every ticket
    assert figures.build()
    figures.catch_up()
    assert not FiguresMark.objects.exists()
    assert TicketFigures.objects.count() == Ticket.objects.count()
    assert figures.stored_through() == Ticket.objects.order_by("-pk").first().pk
    assert DurationRollup.objects.filter(month=date(2026, 3, 1), priority=Priority.P1).exists()
    assert_rollup_is_the_sum_of_the_rows()
    assert_same(spread, helpdesk)


def test_a_stored_row_is_not_read_once_its_ticket_changed(
    spread, now, helpdesk, alice, carol, desktop_team, make_ticket
):
    figures.figures_pass()
    t2, t3, t4 = (Ticket.objects.get(pk=spread[n].pk) for n in ("t2", "t3", "t4"))
    with clock.frozen(datetime(2026, 3, 10, 11, tzinfo=NY)):
        tickets.reopen_ticket(actor=alice, ticket=t2, reason="Still no mail.")
        tickets.resolve_ticket(actor=alice, ticket=t3, resolution="Set up.")
        tickets.escalate_ticket(
            actor=alice,
            ticket=Ticket.objects.get(pk=t4.pk),
            tier=Tier.L2,
            symptoms="Back.",
            steps_tried="None.",
            impact="One.",
            team=desktop_team,
            assignee=None,
        )
    with clock.frozen(datetime(2026, 3, 6, 8, tzinfo=NY)):
        make_ticket(carol, priority=Priority.P1)  # created in the week, after the build
    assert set(FiguresMark.objects.values_list("ticket_id", flat=True)) >= {t2.pk, t3.pk, t4.pk}
    assert_same(spread, helpdesk)  # the marked and the new are worked out from the tickets
    figures.figures_pass()
    assert not FiguresMark.objects.exists()
    assert_rollup_is_the_sum_of_the_rows()
    assert_same(spread, helpdesk)


def test_a_viewer_limited_to_one_client_gets_that_client_only(
    spread, now, helpdesk, admin_serving, globex
):
    figures.figures_pass()
    agent = admin_serving(globex, email="gina@msp.example")
    qs = visible_tickets(agent)
    assert_same(spread, helpdesk, qs)
    volume = run("reopens", qs, QUARTER)
    assert "Acme" not in str([[c.value for c in row] for row in volume.rows])


def test_a_build_resumes_where_it_stopped(spread, now, helpdesk, monkeypatch):
    monkeypatch.setattr(figures, "BATCH", 2)
    assert figures.build(budget=0) is False  # one batch of two tickets, then the budget
    state = FiguresState.objects.get()
    assert state.through_ticket is None and state.building_from is not None
    assert TicketFigures.objects.count() == 2
    assert_same(spread, helpdesk)  # nothing is read from a build that is not done
    while not figures.build(budget=0):
        pass
    assert FiguresState.objects.get().building_from is None
    assert TicketFigures.objects.count() == Ticket.objects.count()
    assert_rollup_is_the_sum_of_the_rows()
    assert_same(spread, helpdesk)
    # A rebuild stores every row again and leaves the rollup equal to them.
    assert figures.build(rebuild=True)
    assert_rollup_is_the_sum_of_the_rows()


def test_a_ticket_written_without_an_event_is_stored_by_extend(
    spread, now, helpdesk, carol, make_ticket
):
    figures.figures_pass()
    with clock.frozen(datetime(2026, 3, 4, 8, tzinfo=NY)):
        ticket = make_ticket(carol, priority=Priority.P2)
    FiguresMark.objects.filter(ticket_id=ticket.pk).delete()  # as an import's raw INSERT
    assert_same(spread, helpdesk)  # above through_ticket: worked out from the ticket
    assert figures.extend() == 1
    assert figures.stored_through() == ticket.pk
    assert TicketFigures.objects.filter(ticket_id=ticket.pk).exists()
    assert_same(spread, helpdesk)


def test_the_hook_marks_changes_but_not_the_outboxes_results(desk, now):
    figures.figures_pass()
    assert not FiguresMark.objects.exists()
    t1 = desk["t1"]
    quiet = [TicketEvent(ticket=t1, kind=EventKind.MAIL_SENT, data={})]
    events_written(quiet, kinds=[EventKind.MAIL_SENT])
    assert not FiguresMark.objects.exists()
    tickets.add_note(actor=t1.assignee, ticket=t1, body="Checked again.")
    assert list(FiguresMark.objects.values_list("ticket_id", flat=True)) == [t1.pk]


def test_the_command_stores_the_figures(desk, now, capsys):
    assert cli.main(["reports", "figures", "--quiet"]) == 0
    out = capsys.readouterr().out
    assert f"figures stored through ticket {Ticket.objects.order_by('-pk').first().pk:,}" in out
    assert TicketFigures.objects.count() == Ticket.objects.count()
    assert cli.main(["reports", "figures", "--rebuild", "--quiet"]) == 0
    assert TicketFigures.objects.count() == Ticket.objects.count()
