"""The client, team, priority and date filters on every report, against values computed by
hand from the desk of conftest.py (viewer Alice, New York, 2-8 March 2026, now 10 March):

    client=globex               T3 only
    team=desktop-support-l2     T2 only (escalated to that team)
    priority=P3                 T1 and T3 (T5, T6 are outside the range)
    from=2026-03-03             T3 and T4 (Monday's T1 and T2 drop out)

Each case gives the report's totals line (the rows for the response times, which has none).
The workload's open columns are "now", whatever the range: only the client, team and priority
narrow them.
"""

import pytest

from .test_figures import opened, run, values

pytestmark = pytest.mark.django_db

GLOBEX = {"client": "globex"}
L2_TEAM = {"team": "desktop-support-l2"}
P3 = {"priority": "P3"}
LATER = {"from": "2026-03-03"}

CASES = {
    "volume": [
        (GLOBEX, ["Total", 1, 1]),  # Web portal
        (L2_TEAM, ["Total", 1, 1]),  # Email
        (P3, ["Total", 1, 1, 2]),  # Phone (T1), Web portal (T3)
        (LATER, ["Total", 1, 1, 2]),  # Phone (T4), Web portal (T3)
    ],
    "first-contact": [
        (GLOBEX, ["All clients", 0, 0, None, ""]),
        (L2_TEAM, ["All clients", 1, 0, 0.0, "below"]),
        (P3, ["All clients", 1, 1, 100.0, "above"]),
        (LATER, ["All clients", 0, 0, None, ""]),
    ],
    "response-times": [
        (GLOBEX, [["P3", "L1", 1, 0.5, 0.5, 0, None, None]]),
        (L2_TEAM, [["P2", "L2", 1, 1.0, 1.0, 1, 50.0, 50.0]]),
        (P3, [["P3", "L1", 2, 0.33, 0.33, 1, 0.5, 0.5]]),
        (LATER, [["P3", "L1", 1, 0.5, 0.5, 0, None, None]]),
    ],
    "sla": [
        (GLOBEX, ["All clients", 1, 1, 0, 0, 100.0, 0, 1, 0, 0.0]),
        (L2_TEAM, ["All clients", 1, 0, 1, 0, 0.0, 0, 1, 0, 0.0]),
        (P3, ["All clients", 2, 2, 0, 0, 100.0, 1, 1, 0, 50.0]),
        (LATER, ["All clients", 2, 1, 1, 0, 50.0, 0, 1, 1, 0.0]),
    ],
    "backlog": [
        (GLOBEX, ["All open", 0, 0, 1, 0, 1]),
        (L2_TEAM, ["All open", 0, 0, 0, 0, 0]),
        (P3, ["All open", 1, 1]),  # one column, P3
        (LATER, ["All open", 1, 0, 1, 0, 2]),
    ],
    "escalations": [
        (GLOBEX, ["All types", 1, 0, 0.0, 1, 0, 0.0, 0, 0, None]),
        (L2_TEAM, ["All types", 1, 1, 100.0, 1, 1, 100.0, 1, 0, 0.0]),
        (P3, ["All types", 2, 0, 0.0, 2, 0, 0.0, 0, 0, None]),
        (LATER, ["All types", 2, 0, 0.0, 2, 0, 0.0, 0, 0, None]),
    ],
    "workload": [
        (GLOBEX, ["All agents", 1, 2, 0]),  # T3 open with Alice
        (L2_TEAM, ["All agents", 0, 0, 1]),  # T2 resolved by Leo
        (P3, ["All agents", 2, 4, 1]),  # T3, T5 open with Alice; T1 resolved
        (LATER, ["All agents", 3, 8, 0]),  # T3, T5 (Alice), T4 (Leo, P1) open
    ],
    "reopens": [
        (GLOBEX, ["All clients", 0, 0, None, 0]),
        (L2_TEAM, ["All clients", 2, 1, 50.0, 1]),
        (P3, ["All clients", 1, 0, 0.0, 0]),
        (LATER, ["All clients", 0, 0, None, 0]),
    ],
}
TICKETS = {"client": ["t3"], "team": ["t2"], "priority": ["t1", "t3"], "from": ["t3", "t4"]}


@pytest.mark.parametrize(
    ("name", "filters", "expected"),
    [
        pytest.param(name, filters, expected, id=f"{name}-{next(iter(filters))}")
        for name, cases in CASES.items()
        for filters, expected in cases
    ],
)
def test_filter_narrows_the_report(desk, now, alice, name, filters, expected):
    report = run(name, alice, **filters)
    if name == "response-times":
        assert [values(r) for r in report.rows] == expected
    else:
        assert values(report.totals) == expected
    # Every link keeps the filter: it opens only tickets the filter selects (the workload's
    # open column also T5: open now, outside the range, P3 at Acme with the help desk).
    key = next(iter(filters))
    allowed = {desk[n].number for n in TICKETS[key]}
    if name == "workload" and key in ("priority", "from"):
        allowed.add(desk["t5"].number)
    for line in [*report.rows, report.totals] if report.totals else report.rows:
        for cell in line:
            if cell.link is not None:
                assert set(opened(alice, cell.link)) <= allowed, (cell, filters)
