"""Every report against values computed by hand from the desk in conftest.py (viewer: Alice,
New York; range 2-8 March 2026; now 10 March 12:00)."""

from datetime import datetime, time, timedelta
from urllib.parse import parse_qs, urlsplit

import pytest

from deskside.core.timezones import zone
from deskside.reports import queries
from deskside.reports.forms import ReportFilterForm
from deskside.sla.queries import sla_report
from deskside.tickets.forms import QueueFilterForm
from deskside.tickets.queries import queue, visible_tickets

from .conftest import END, NY, START

pytestmark = pytest.mark.django_db


def run(name, user, **extra):
    form = ReportFilterForm(
        {"from": START.isoformat(), "to": END.isoformat(), **extra},
        user=user,
        zone=zone(user.timezone),
    )
    assert form.is_valid(), form.errors
    return queries.run(name, visible_tickets(user), form.scope())


def values(cells):
    return [c.value for c in cells]


def opened(user, link):
    """The numbers of the tickets the queue shows for a report's link."""
    params = {k: v[0] for k, v in parse_qs(urlsplit(link).query).items()}
    form = QueueFilterForm(params, user=user)
    qs = queue(user, params.get("queue", "open"), **form.queue_filters())
    return sorted(t.number for t in qs)


def test_volume_by_channel_per_day_counts_the_last_local_evening(desk, now, alice):
    report = run("volume", alice, bucket="day", by="channel")
    assert report.columns == ["Day", "Phone", "Email", "Web portal", "Total"]
    by_day = {row[0].value: values(row[1:]) for row in report.rows}
    assert len(report.rows) == 7
    assert by_day["2026-03-02"] == [1, 1, 0, 2]
    assert by_day["2026-03-03"] == [0, 0, 1, 1]
    # 23:30 on the DST Sunday, the range's last day (03:30 UTC on the 9th): counted, that day.
    assert by_day["2026-03-08"] == [1, 0, 0, 1]
    assert values(report.totals) == ["Total", 2, 1, 1, 4]
    # The links open exactly the tickets counted (T5 at 00:10 the next day is not one of them).
    assert opened(alice, report.totals[-1].link) == sorted(
        desk[n].number for n in ("t1", "t2", "t3", "t4")
    )
    assert opened(alice, report.rows[6][1].link) == [desk["t4"].number]


def test_volume_by_client_per_week(desk, now, alice):
    report = run("volume", alice, bucket="week", by="client")
    assert report.columns == ["Week", "Acme Corp", "Globex", "Total"]
    assert [values(r) for r in report.rows] == [["2026-03-02", 3, 1, 4]]
    assert opened(alice, report.rows[0][2].link) == [desk["t3"].number]


def test_volume_in_another_zone_moves_the_edge(desk, now, alice):
    # For a viewer in Berlin the 8th ends at 23:00 UTC: T4 (03:30 UTC on the 9th) is out and
    # T6 (04:30 UTC on the 2nd) is in.
    alice.timezone = "Europe/Berlin"
    report = run("volume", alice, bucket="week", by="priority")
    assert values(report.totals) == ["Total", 1, 3, 4]
    assert report.columns == ["Week", "P2", "P3", "Total"]


def test_first_contact_resolution(desk, now, alice):
    report = run("first-contact", alice)
    assert [values(r) for r in report.rows] == [["Acme Corp", 2, 1, 50.0, "below"]]
    assert values(report.totals) == ["All clients", 2, 1, 50.0, "below"]
    assert opened(alice, report.totals[2].link) == [desk["t1"].number]
    assert opened(alice, report.totals[1].link) == sorted([desk["t1"].number, desk["t2"].number])


def test_response_times_by_priority_and_tier(desk, now, alice):
    report = run("response-times", alice)
    rows = [values(r) for r in report.rows]
    # P2 at L2: answered after 60 min, resolved after 50 h (the second resolution).
    assert rows[0] == ["P2", "L2", 1, 1.0, 1.0, 1, 50.0, 50.0]
    # P3 at L1: answered after 10 and 30 min (mean and median 20 min), T1 resolved in 30 min.
    assert rows[1] == ["P3", "L1", 2, 0.33, 0.33, 1, 0.5, 0.5]
    assert len(rows) == 2  # T4 (P1) has neither an answer nor a resolution yet
    assert opened(alice, report.rows[1][2].link) == sorted([desk["t1"].number, desk["t3"].number])


def test_sla_compliance_by_client(desk, now, alice):
    report = run("sla", alice)
    rows = [values(r) for r in report.rows]
    assert rows == [
        ["Acme Corp", 3, 1, 2, 0, 33.3, 1, 1, 1, 50.0],
        ["Globex", 1, 1, 0, 0, 100.0, 0, 1, 0, 0.0],
    ]
    assert values(report.totals) == ["All clients", 4, 2, 2, 0, 50.0, 1, 2, 1, 33.3]


def test_sla_compliance_agrees_with_the_sla_report(desk, now, alice, acme):
    report = run("sla", alice, client="acme")
    reference = sla_report(acme, since=report_since(), until=report_until())
    row = values(report.rows[0])
    assert row[1] == reference.total.tickets
    assert row[2:5] == [
        reference.total.first_response.met,
        reference.total.first_response.breached,
        reference.total.first_response.running,
    ]
    assert row[6:9] == [
        reference.total.resolution.met,
        reference.total.resolution.breached,
        reference.total.resolution.running,
    ]


def report_since():
    return datetime.combine(START, time(), NY)


def report_until():
    return datetime.combine(END + timedelta(days=1), time(), NY)


def test_backlog_and_ageing(desk, now, alice):
    report = run("backlog", alice)
    rows = {r[0].value: values(r[1:]) for r in report.rows}
    assert report.columns == ["Age", "P1", "P2", "P3", "OPS", "Total"]
    assert rows["< 1 day"] == [0, 0, 0, 0, 0]
    assert rows["1–3 days"] == [1, 0, 0, 0, 1]  # T4, 36.5 h old
    assert rows["3–7 days"] == [0, 0, 1, 0, 1]  # T3, 6 days 22 h old
    assert values(report.totals) == ["All open", 1, 0, 1, 0, 2]
    assert opened(alice, report.rows[2][-1].link) == [desk["t3"].number]
    assert opened(alice, report.totals[-1].link) == sorted([desk["t3"].number, desk["t4"].number])


def test_escalation_rate_by_category_and_tier(desk, now, alice):
    report = run("escalations", alice)
    assert report.columns == [
        "Category (type)",
        "Tickets",
        "Escalated",
        "Escalation rate %",
        "Handled at L1",
        "From L1",
        "L1 escalation rate %",
        "Reached L2",
        "From L2",
        "L2 escalation rate %",
    ]
    rows = [values(r) for r in report.rows]
    # Incidents T1, T2, T4 all start at L1; T2 left L1 for L2 and stays there.
    assert rows == [
        ["Incident", 3, 1, 33.3, 3, 1, 33.3, 1, 0, 0.0],
        ["Service request", 1, 0, 0.0, 1, 0, 0.0, 0, 0, None],
        ["Operational", 0, 0, None, 0, 0, None, 0, 0, None],
    ]
    assert values(report.totals) == ["All types", 4, 1, 25.0, 4, 1, 25.0, 1, 0, 0.0]
    assert opened(alice, report.totals[2].link) == [desk["t2"].number]


def test_escalation_rate_per_tier(escalated, now, alice):
    report = run("escalations", alice)
    rows = {r[0].value: values(r[1:]) for r in report.rows}
    # T7 was handled at L1 and left it; T7 and T8 reached L2 and both went on to L3.
    assert rows["Operational"] == [2, 2, 100.0, 1, 1, 100.0, 2, 2, 100.0]
    # Of the 5 tickets handled at L1 (all but T8), T2 and T7 left L1: 40 %; of the 3 that
    # reached L2 (T2, T7, T8), T7 and T8 went on to L3: 66.7 %.
    assert values(report.totals) == ["All types", 6, 3, 50.0, 5, 2, 40.0, 3, 2, 66.7]
    assert report.chart.series["From L1 %"] == [33.3, 0.0, 100.0, 40.0]
    assert report.chart.series["From L2 %"] == [0.0, None, 100.0, 66.7]
    number = {n: t.number for n, t in escalated.items()}
    totals = report.totals
    handled = ("t1", "t2", "t3", "t4", "t7")
    assert opened(alice, totals[4].link) == sorted(number[n] for n in handled)
    assert opened(alice, totals[5].link) == sorted([number["t2"], number["t7"]])
    assert opened(alice, totals[7].link) == sorted(number[n] for n in ("t2", "t7", "t8"))
    assert opened(alice, totals[8].link) == sorted([number["t7"], number["t8"]])


def test_agent_workload(desk, now, alice):
    report = run("workload", alice)
    # Open now whatever the range (T5 of the 9th counts for Alice); resolved: of the range.
    assert [values(r) for r in report.rows] == [
        ["Alice Agent", 2, 4, 1],
        ["Leo Field", 1, 4, 1],
    ]
    assert values(report.totals) == ["All agents", 3, 8, 2]
    assert opened(alice, report.rows[0][1].link) == sorted([desk["t3"].number, desk["t5"].number])
    assert opened(alice, report.rows[1][3].link) == [desk["t2"].number]


def test_reopen_rate(desk, now, alice):
    report = run("reopens", alice)
    assert [values(r) for r in report.rows] == [["Acme Corp", 3, 1, 33.3, 1]]
    assert values(report.totals) == ["All clients", 3, 1, 33.3, 1]
    assert opened(alice, report.rows[0][4].link) == [desk["t2"].number]


def test_filters_narrow_every_report(desk, now, alice):
    assert values(run("volume", alice, client="globex", bucket="week").totals)[-1] == 1
    assert values(run("volume", alice, priority="P1", bucket="week").totals)[-1] == 1
    assert values(run("volume", alice, team="desktop-support-l2", bucket="week").totals)[-1] == 1


def test_a_tier_lowered_again_is_counted_once(desk, now, alice):
    # T2 left L1 for L2; an agent then puts it back at L1 (accepting a triage suggestion): it
    # is at L1 now AND escalated out of L1, and still one ticket handled at L1.
    from deskside.accounts.models import Tier  # noqa: PLC0415
    from deskside.tickets.models import Ticket  # noqa: PLC0415
    from deskside.triage.services import set_fields  # noqa: PLC0415

    set_fields(actor=alice, ticket=Ticket.objects.get(pk=desk["t2"].pk), values={"tier": Tier.L1})
    report = run("escalations", alice)
    incidents = values(report.rows[0])
    assert incidents[:7] == ["Incident", 3, 1, 33.3, 3, 1, 33.3]
    handled = report.rows[0][4]
    assert len(opened(alice, handled.link)) == handled.value == 3
