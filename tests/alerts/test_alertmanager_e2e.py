"""End to end with a real client: Debian's Prometheus Alertmanager, started per test in a
temporary directory on free loopback ports, posts its webhook to Deskside's live server
(pytest-django's `live_server`) with the integration's token. An alert fires: one ticket; it
keeps firing and Alertmanager re-notifies: still one ticket, more occurrences; it resolves: the
ticket follows the integration's rule. A group with one bad alert is taken (the good alert's
ticket opens and resolves, Alertmanager counts no failed notification). And Alertmanager's
own PagerDuty notifier (`pagerduty_configs`), pointed at Deskside's PagerDuty Events v2 path
with an integration token as its routing key, opens and resolves a ticket.

Alertmanager is installed by scripts/test (`apt-get install prometheus-alertmanager`). Without
it these tests fail rather than skip: CI installs it, and a skipped end-to-end test would pass
unnoticed.
"""

import json
import shutil
import socket
import subprocess
import time
import urllib.request
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from deskside.accounts.models import Organization
from deskside.alerts import setup as alert_setup
from deskside.alerts.models import Alert, AlertStatus, IntakeError
from deskside.tickets.models import Channel, Priority, Status, Ticket

# slow: starts a real Prometheus Alertmanager
pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]

ALERTMANAGER = "/usr/bin/prometheus-alertmanager"
HOST = "127.0.0.1"
WAIT_SECONDS = 30.0


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


def config(url: str, token: str, *, pagerduty: bool = False) -> str:
    # group_wait/group_interval 1s and repeat_interval 2s: a still-firing alert is sent again
    # every few seconds (Alertmanager re-sends on a group_interval tick after repeat_interval).
    if pagerduty:  # Alertmanager's own PagerDuty notifier (Events v2), pointed at Deskside
        pagerduty_config = {"routing_key": token, "url": url, "send_resolved": True}
        receiver = {"pagerduty_configs": [pagerduty_config]}
    else:
        receiver = {
            "webhook_configs": [
                {
                    "url": url,
                    "send_resolved": True,
                    "http_config": {"authorization": {"credentials": token}},
                }
            ]
        }
    return json.dumps(
        {
            "route": {
                "receiver": "deskside",
                "group_by": ["alertname", "instance"],
                "group_wait": "1s",
                "group_interval": "1s",
                "repeat_interval": "2s",
            },
            "receivers": [{"name": "deskside", **receiver}],
        }
    )


class Alertmanager:
    def __init__(self, port: int, process: subprocess.Popen, log: Path) -> None:
        self.port = port
        self.process = process
        self.log = log

    def post_alerts(self, alerts: list[dict]) -> None:
        request = urllib.request.Request(  # loopback, our own server
            f"http://{HOST}:{self.port}/api/v2/alerts",
            data=json.dumps(alerts).encode(),
            headers={"Content-Type": "application/json"},
            method="POST",
        )
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
            assert response.status == 200

    def failed_notifications(self) -> float:
        """Alertmanager's own count of notifications that failed (its /metrics)."""
        url = f"http://{HOST}:{self.port}/metrics"
        with urllib.request.urlopen(url, timeout=10) as response:  # loopback
            text = response.read().decode()
        return sum(
            float(line.rsplit(" ", 1)[1])
            for line in text.splitlines()
            if line.startswith("alertmanager_notifications_failed_total{")
        )

    def wait_until(self, what: str, check: Callable[[], bool]) -> None:
        deadline = time.monotonic() + WAIT_SECONDS
        while time.monotonic() < deadline:
            if check():
                return
            if self.process.poll() is not None:
                pytest.fail(f"Alertmanager exited: {self.log.read_text()[-2000:]}")
            time.sleep(0.2)
        pytest.fail(
            f"timed out waiting for {what}; Alertmanager log:\n{self.log.read_text()[-3000:]}"
        )


def start_alertmanager(
    tmp_path: Path, url: str, token: str, *, pagerduty: bool = False
) -> Alertmanager:
    if shutil.which(ALERTMANAGER) is None:
        pytest.fail(
            f"{ALERTMANAGER} is missing: run scripts/test (it installs Debian's "
            "prometheus-alertmanager) or: sudo apt-get install prometheus-alertmanager"
        )
    (tmp_path / "alertmanager.yml").write_text(config(url, token, pagerduty=pagerduty))
    port = free_port()
    log = tmp_path / "alertmanager.log"
    process = subprocess.Popen(  # noqa: S603 - fixed program, our arguments
        [
            ALERTMANAGER,
            f"--config.file={tmp_path / 'alertmanager.yml'}",
            f"--storage.path={tmp_path / 'data'}",
            f"--web.listen-address={HOST}:{port}",
            "--cluster.listen-address=",
            "--log.level=debug",
        ],
        stdout=log.open("w"),
        stderr=subprocess.STDOUT,
    )
    manager = Alertmanager(port, process, log)

    def ready() -> bool:
        try:
            with urllib.request.urlopen(f"http://{HOST}:{port}/-/ready", timeout=2) as r:
                return r.status == 200
        except OSError:
            return False

    manager.wait_until("Alertmanager to start", ready)
    return manager


def stop(manager: Alertmanager) -> None:
    manager.process.terminate()
    try:
        manager.process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        manager.process.kill()
        manager.process.wait()


@pytest.fixture
def alertmanager(tmp_path, live_server, admin, acme, network_team) -> Iterator[tuple]:
    integration, token = alert_setup.create_integration(
        actor=admin, name="Prometheus", kind="alertmanager", team=network_team
    )
    manager = start_alertmanager(
        tmp_path, f"{live_server.url}/api/v1/integrations/alertmanager", token
    )
    yield manager, integration
    stop(manager)


@pytest.fixture
def alertmanager_as_pagerduty(tmp_path, live_server, admin, acme) -> Iterator[tuple]:
    """Alertmanager with a `pagerduty_configs` receiver whose url is Deskside's PagerDuty
    Events v2 path and whose routing key is an events integration's token."""
    integration, token = alert_setup.create_integration(
        actor=admin, name="Acme via PagerDuty", kind="events", organization=acme
    )
    manager = start_alertmanager(
        tmp_path,
        f"{live_server.url}/api/v1/integrations/events/v2/enqueue",
        token,
        pagerduty=True,
    )
    yield manager, integration
    stop(manager)


def disk_alert(ends_at: datetime | None = None) -> dict:
    alert = {
        "labels": {
            "alertname": "DiskFull",
            "instance": "fileserver-1:9100",
            "severity": "critical",
            "client": "acme",
        },
        "annotations": {"summary": "Disk / is 98 % full on fileserver-1"},
        "generatorURL": "http://prometheus.example/graph",
        "startsAt": (datetime.now(UTC) - timedelta(minutes=1)).isoformat(),
    }
    if ends_at is not None:
        alert["endsAt"] = ends_at.isoformat()
    return alert


def test_alertmanager_fires_repeats_and_resolves_one_ticket(alertmanager, acme):
    manager, integration = alertmanager
    manager.post_alerts([disk_alert()])
    manager.wait_until("the first ticket", lambda: Ticket.objects.count() == 1)
    ticket = Ticket.objects.get()
    assert ticket.organization == Organization.objects.get(slug="acme")
    assert ticket.channel == Channel.ALERT
    assert ticket.priority == Priority.P1  # severity critical
    assert ticket.team == integration.team
    assert ticket.subject == "[CRITICAL] Disk / is 98 % full on fileserver-1"
    assert ticket.requester.email == "monitoring@acme.invalid"
    created = ticket.events.get(kind="created")
    assert created.data["alert"]["severity"] == "critical"

    # Fired again (and re-notified while it keeps firing): still one ticket, more occurrences.
    manager.post_alerts([disk_alert()])
    manager.wait_until("a repeat notification", lambda: Alert.objects.get().occurrences >= 2)
    assert Ticket.objects.count() == 1
    assert Alert.objects.count() == 1

    # Resolved (endsAt in the past): the integration's rule resolves the ticket.
    manager.post_alerts([disk_alert(ends_at=datetime.now(UTC) - timedelta(seconds=1))])
    manager.wait_until(
        "the ticket to be resolved",
        lambda: Ticket.objects.get().status == Status.RESOLVED,
    )
    alert = Alert.objects.get()
    assert alert.status == AlertStatus.RESOLVED
    assert alert.ticket_id == ticket.pk
    assert Ticket.objects.count() == 1
    resolved = Ticket.objects.get().events.get(kind="resolved")
    assert resolved.body == "Monitoring reports this is over: Disk / is 98 % full on fileserver-1"
    assert resolved.actor == integration.service_user


def test_a_bad_alert_does_not_block_its_group(alertmanager, acme):
    """One alert of the group names no known client: the group's good alert still opens its
    ticket and resolves it, Alertmanager counts no failed notification (so it does not
    re-post the group forever), and the bad alert is an intake error."""
    manager, integration = alertmanager
    stray = disk_alert()
    stray["labels"] = {**stray["labels"], "client": "nowhere", "mount": "/var"}
    manager.post_alerts([disk_alert(), stray])
    manager.wait_until("the good alert's ticket", lambda: Ticket.objects.count() == 1)
    manager.wait_until("the intake error", lambda: IntakeError.objects.exists())
    error = IntakeError.objects.get()
    assert error.integration == integration and error.field == "labels.client"

    ended = datetime.now(UTC) - timedelta(seconds=1)
    stray_resolved = {**stray, "endsAt": ended.isoformat()}
    manager.post_alerts([disk_alert(ends_at=ended), stray_resolved])
    manager.wait_until(
        "the good alert's ticket to be resolved",
        lambda: Ticket.objects.get().status == Status.RESOLVED,
    )
    assert manager.failed_notifications() == 0
    assert Ticket.objects.get().organization == acme


def test_alertmanagers_pagerduty_notifier_works_against_deskside(alertmanager_as_pagerduty, acme):
    manager, integration = alertmanager_as_pagerduty
    manager.post_alerts([disk_alert()])
    manager.wait_until("the ticket", lambda: Ticket.objects.count() == 1)
    alert = Alert.objects.get()
    assert alert.integration == integration
    assert alert.ticket.organization == acme
    assert "DiskFull" in alert.summary
    assert alert.details["client"] == "Alertmanager"

    manager.post_alerts([disk_alert(ends_at=datetime.now(UTC) - timedelta(seconds=1))])
    manager.wait_until(
        "the ticket to be resolved", lambda: Ticket.objects.get().status == Status.RESOLVED
    )
    assert Alert.objects.get().status == AlertStatus.RESOLVED
    assert manager.failed_notifications() == 0
