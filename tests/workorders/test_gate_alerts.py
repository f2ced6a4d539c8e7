"""The QC gate meets the monitoring integrations too: an alert whose ticket became a work order
resolves (the monitor's delivery is accepted), and the ticket stays open with a note saying
why, until the work order is complete."""

import pytest

from deskside.alerts.models import Alert, AlertStatus
from deskside.tickets.models import EventKind, Status, Ticket
from deskside.workorders.services import orders
from tests.alerts.conftest import INTAKE, acme_events, intake  # noqa: F401 - fixture
from tests.workorders.fixtures_orders import *  # noqa: F403

pytestmark = pytest.mark.django_db
EVENTS = f"{INTAKE}/events"


def test_an_alert_resolution_leaves_an_incomplete_work_order_open(acme_events, alice, plain):  # noqa: F811
    _, token = acme_events
    client = intake(token)
    number = client.post(
        EVENTS,
        {
            "event_action": "trigger",
            "dedup_key": "ups-1",
            "payload": {"summary": "UPS on battery", "severity": "critical", "source": "ups-1"},
        },
    ).json()["ticket"]
    ticket = Ticket.objects.by_number(number)
    orders.start_on_ticket(alice, ticket, plain)  # the UPS is to be replaced on site

    answer = client.post(EVENTS, {"event_action": "resolve", "dedup_key": "ups-1"})
    assert answer.status_code == 202
    assert answer.json()["outcome"] == "resolved"
    assert Alert.objects.get().status == AlertStatus.RESOLVED
    ticket.refresh_from_db()
    assert ticket.status not in (Status.RESOLVED, Status.CLOSED)
    note = ticket.events.filter(kind=EventKind.ALERT, body__contains="The ticket stays open").get()
    assert "cannot be resolved yet" in note.data["alert"]["refused"]
