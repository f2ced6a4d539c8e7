"""bench/alerts.py still runs against the current code (a few hundred events on SQLite in a
temporary directory, in both shapes: the events API and Alertmanager groups): figures are not
checked here; benchmarks are never timed assertions.

Also the path the group benchmark measures: an Alertmanager notification's repeats counted in
one statement (services._append_many), with the same outcomes, notes and order as one by one,
and two groups sharing keys in opposite orders racing without a deadlock."""

import json
import os
import subprocess
import sys
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from deskside.alerts import services as alerts
from deskside.alerts import setup as alert_setup
from deskside.alerts.models import Alert, AlertStatus
from deskside.alerts.payloads import ACKNOWLEDGE, RESOLVE, TRIGGER, AlertEvent
from deskside.core import clock
from deskside.tickets.models import EventKind, Ticket
from tests.alerts.conftest import INTAKE, intake
from tests.alerts.test_race import in_threads
from tests.test_bench import template  # noqa: F401 - the fixture

REPO = Path(__file__).resolve().parents[2]
T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def run_bench(database: Path, *extra: str) -> dict:
    name = f"test-{uuid.uuid4().hex[:8]}"
    env = {**os.environ, "DESKSIDE_BENCH_SQLITE_TEMPLATE": str(database)}  # starts migrated
    env.pop("DATABASE_URL", None)
    try:
        done = subprocess.run(  # noqa: S603 - our own script
            [sys.executable, "bench/alerts.py", "--name", name, "--runs", "1", "--clients", "1"]
            + ["--threads", "2", *extra],
            cwd=REPO,
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert done.returncode == 0, done.stderr[-3000:]
        report = (REPO / "bench" / "results" / f"alerts-{name}.md").read_text()
        result = json.loads((REPO / "bench" / "results" / f"alerts-{name}.json").read_text())
        return {"report": report, "run": result["runs"][0]}
    finally:
        for leftover in (REPO / "bench" / "results").glob(f"alerts-{name}.*"):
            leftover.unlink()


@pytest.mark.slow
def test_alert_bench_runs_on_small_data(template):  # noqa: F811 - the imported fixture
    result = run_bench(template, "--events", "300", "--keys", "10")
    run = result["run"]
    assert run["events"] == 300 and run["requests"] == 300 and run["errors"] == 0
    assert run["new_keys"] > 0
    # Keep-alive: one TCP connection per client thread for the whole run.
    assert run["connections"] == 2
    assert "events API, one event per request" in result["report"]
    assert "--threads 4` (gunicorn gthread workers" in result["report"]


@pytest.mark.slow
def test_alert_bench_runs_alertmanager_groups(template):  # noqa: F811 - the imported fixture
    result = run_bench(
        template, "--group", "5", "--events", "200", "--keys", "10", "--server-threads", "2"
    )
    run = result["run"]
    assert run["events"] == 200 and run["requests"] == 40 and run["errors"] == 0
    assert run["new_keys"] > 0
    assert run["connections"] == 2
    assert "Alertmanager groups of 5 alerts per request" in result["report"]
    assert "--threads 2`" in result["report"]


# -- the group's repeats in one statement ------------------------------------------------------


@pytest.fixture
def _clock():
    with clock.frozen(T0):
        yield


def fire(key: str, action: str = TRIGGER) -> AlertEvent:
    return AlertEvent(action=action, dedup_key=key, summary=f"Disk full on {key}", severity="error")


def outcomes(integration, *events: AlertEvent) -> list[str]:
    return [o.outcome for o in alerts.receive(integration=integration, events=list(events))]


def alert_updates(queries) -> int:
    return sum(1 for q in queries if q["sql"].lstrip().upper().startswith(("UPDATE", "WITH")))


@pytest.mark.usefixtures("_clock")
def test_a_groups_repeats_are_counted_in_one_statement(acme_alertmanager):
    integration, _ = acme_alertmanager
    assert outcomes(integration, fire("a"), fire("b"), fire("c")) == ["created"] * 3
    with CaptureQueriesContext(connection) as queries:
        answer = alerts.receive(integration=integration, events=[fire("c"), fire("a"), fire("b")])
    assert [(o.dedup_key, o.outcome, o.occurrences) for o in answer] == [
        ("c", "appended", 2),
        ("a", "appended", 2),
        ("b", "appended", 2),
    ]
    assert alert_updates(queries.captured_queries) == 1
    tickets = {a.dedup_key: a.ticket.number for a in Alert.objects.select_related("ticket")}
    assert [o.ticket for o in answer] == [tickets["c"], tickets["a"], tickets["b"]]
    assert Ticket.objects.count() == 3


@pytest.mark.usefixtures("_clock")
def test_a_mixed_group_keeps_its_order_and_outcomes(acme_alertmanager):
    integration, _ = acme_alertmanager
    outcomes(integration, fire("open"), fire("acked"), fire("gone"))
    alerts.acknowledge(
        integration=integration, organization=integration.organization, dedup_key="acked"
    )
    answer = outcomes(
        integration,
        fire("new"),
        fire("open"),
        fire("gone", RESOLVE),
        fire("acked"),
        fire("unknown", ACKNOWLEDGE),
    )
    assert answer == ["created", "appended", "resolved", "appended", "ignored"]
    acked = Alert.objects.get(dedup_key="acked")
    assert acked.status == AlertStatus.ACKNOWLEDGED and acked.occurrences == 2
    assert Ticket.objects.count() == 4


@pytest.mark.usefixtures("_clock")
def test_a_group_naming_a_key_twice_applies_in_order(acme_alertmanager):
    integration, _ = acme_alertmanager
    outcomes(integration, fire("k"), fire("other"))
    # Still firing, resolved, firing again: a new episode with a new ticket.
    answer = outcomes(integration, fire("k"), fire("k", RESOLVE), fire("k"), fire("other"))
    assert answer == ["appended", "resolved", "created", "appended"]
    assert Alert.objects.filter(dedup_key="k").count() == 2
    assert Ticket.objects.count() == 3


@pytest.mark.usefixtures("_clock")
def test_a_groups_repeats_are_noted_every_15_minutes(acme_alertmanager):
    integration, _ = acme_alertmanager
    outcomes(integration, fire("a"), fire("b"))
    for _ in range(16):
        clock.set_now(clock.now() + timedelta(minutes=1))
        assert outcomes(integration, fire("a"), fire("b")) == ["appended", "appended"]
    for ticket in Ticket.objects.all():
        notes = list(ticket.events.filter(kind=EventKind.ALERT).values_list("body", flat=True))
        assert notes == ["Alert fired again (16 occurrences)"]


@pytest.mark.usefixtures("_clock")
def test_a_groups_suppressed_alerts_stay_suppressed(acme_alertmanager, alice, acme):
    integration, _ = acme_alertmanager
    outcomes(integration, fire("open"))
    alert_setup.create_maintenance_window(
        actor=alice,
        organization=acme,
        starts_at=T0 - timedelta(minutes=5),
        ends_at=T0 + timedelta(hours=1),
        reason="Patching",
    )
    assert outcomes(integration, fire("quiet"), fire("open")) == ["suppressed", "appended"]
    assert outcomes(integration, fire("quiet"), fire("open")) == ["suppressed", "appended"]
    quiet = Alert.objects.get(dedup_key="quiet")
    assert quiet.status == AlertStatus.SUPPRESSED and quiet.occurrences == 2
    assert Ticket.objects.count() == 1


def test_an_alertmanager_group_of_repeats_over_http(acme_alertmanager):
    _, token = acme_alertmanager
    client = intake(token)
    group = {
        "version": "4",
        "status": "firing",
        "receiver": "deskside",
        "commonLabels": {"alertname": "DiskFull", "severity": "warning"},
        "alerts": [
            {"status": "firing", "labels": {"instance": f"h{i}"}, "fingerprint": f"fp{i}"}
            for i in range(5)
        ],
    }
    first = client.post(f"{INTAKE}/alertmanager", group)
    assert first.status_code == 202
    assert [a["outcome"] for a in first.json()["alerts"]] == ["created"] * 5
    again = client.post(f"{INTAKE}/alertmanager", group).json()["alerts"]
    assert [(a["dedup_key"], a["outcome"], a["occurrences"]) for a in again] == [
        (f"fp{i}", "appended", 2) for i in range(5)
    ]
    assert [a["ticket"] for a in again] == [a["ticket"] for a in first.json()["alerts"]]


@pytest.mark.django_db(transaction=True)
def test_groups_sharing_keys_in_opposite_orders_race_without_deadlock(acme_alertmanager):
    integration, _ = acme_alertmanager
    keys = [f"k{i:02d}" for i in range(20)]
    outcomes(integration, *[fire(k) for k in keys])
    rounds = 10

    def work(i: int) -> list[str]:
        order = keys if i % 2 else keys[::-1]
        done = []
        for _ in range(rounds):
            done += outcomes(integration, *[fire(k) for k in order])
        return done

    results, errors = in_threads(4, work)
    assert not errors, errors
    assert all(o == "appended" for r in results for o in r)
    assert set(Alert.objects.values_list("occurrences", flat=True)) == {1 + 4 * rounds}
