"""PagerDuty Events v2 compatibility, with PagerDuty's own Python client (`pagerduty` on PyPI,
in the test extra) as the sender against Deskside's live server (pytest-django's
`live_server`): the client sends the routing key in the body and posts to `<base>/v2/enqueue`,
exactly as it does to events.pagerduty.com; only its base URL points at Deskside (and, since
it takes https:// base URLs only, a transport carries its requests to the plain-HTTP live
server). Also the same
wire format without the client: the routing key on Deskside's own events path, and the
answers PagerDuty's API documents (202 with status/message/dedup_key; 400 "invalid event")."""

from datetime import UTC, datetime

import httpx2
import pytest
from pagerduty import EventsApiV2Client, HttpError

from deskside.alerts.models import Alert, AlertStatus, IntakeError
from deskside.core import clock
from deskside.tickets.models import Channel, Priority, Status, Ticket
from tests.alerts.conftest import INTAKE, intake

pytestmark = pytest.mark.django_db(transaction=True)

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
BASE = "/api/v1/integrations/events"  # the client appends /v2/enqueue
ENQUEUE = f"{BASE}/v2/enqueue"


@pytest.fixture(autouse=True)
def _clock():
    with clock.frozen(T0):
        yield


class PlainHttp(httpx2.BaseTransport):
    """The client takes only https:// base URLs; the live server speaks plain HTTP. This
    transport sends each request unchanged but for its scheme, over a real socket: only TLS
    is left out."""

    def __init__(self) -> None:
        self.inner = httpx2.HTTPTransport()

    def handle_request(self, request: httpx2.Request) -> httpx2.Response:
        request.url = request.url.copy_with(scheme="http")
        return self.inner.handle_request(request)

    def close(self) -> None:
        self.inner.close()


def pd_client(live_server, routing_key: str) -> EventsApiV2Client:
    base = live_server.url.replace("http://", "https://", 1) + BASE
    client = EventsApiV2Client(routing_key, base_url=base, transport=PlainHttp())
    client.max_http_attempts = 1  # a server error fails the test at once, no retry loop
    return client


def test_the_official_client_triggers_acknowledges_and_resolves(live_server, acme_events, acme):
    integration, token = acme_events
    client = pd_client(live_server, token)

    key = client.trigger(
        "Disk C: 95 % full on fileserver-1",
        "fileserver-1",
        dedup_key="fileserver-1/disk",
        severity="critical",
        custom_details={"free_gb": 4},
        links=[{"href": "http://nagios.example/fs1", "text": "Nagios"}],
    )
    assert key == "fileserver-1/disk"
    alert = Alert.objects.get()
    ticket = alert.ticket
    assert (ticket.organization, ticket.channel, ticket.priority) == (
        acme,
        Channel.ALERT,
        Priority.P1,
    )
    assert alert.source == "fileserver-1"
    assert alert.details["custom_details"] == {"free_gb": 4}
    assert alert.details["links"][0]["text"] == "Nagios"
    assert token not in str(alert.details)

    # A repeat counts on the same alert; acknowledge and resolve follow it.
    assert client.trigger("Disk C: 95 % full", "fileserver-1", dedup_key=key) == key
    assert Alert.objects.get().occurrences == 2
    assert client.acknowledge(key) == key
    assert Alert.objects.get().status == AlertStatus.ACKNOWLEDGED
    assert client.resolve(key) == key
    assert Alert.objects.get().status == AlertStatus.RESOLVED
    assert Ticket.objects.get().status == Status.RESOLVED

    # No dedup_key: Deskside makes one and the client gets it back, as from PagerDuty.
    made = client.trigger("CPU load 30 on app-1", "app-1")
    assert Alert.objects.filter(dedup_key=made).exists()


def test_the_official_client_gets_400_for_a_refused_event(live_server, acme_events, globex):
    _, token = acme_events
    with pytest.raises(HttpError) as unknown:
        pd_client(live_server, "not-a-deskside-key").trigger("x", "y")
    assert unknown.value.response.status_code == 400

    # Acme's key naming Globex: refused (400 here), recorded, no ticket for Globex.
    with pytest.raises(HttpError) as foreign:
        pd_client(live_server, token).send_event(
            "trigger",
            dedup_key="k",
            payload={"summary": "s", "source": "h", "severity": "error"},
            organization="globex",
        )
    body = foreign.value.response.json()
    assert foreign.value.response.status_code == 400
    assert body["status"] == "invalid event"
    assert body["errors"] == ["this integration raises alerts for Acme Corp only"]
    assert body["field"] == "organization"
    assert not Ticket.objects.exists()
    assert IntakeError.objects.get().status_code == 403


def test_the_wire_format_on_both_paths(acme_events):
    _, token = acme_events
    event = {
        "routing_key": token,
        "event_action": "trigger",
        "dedup_key": "srv-1/ping",
        "payload": {"summary": "srv-1 down", "source": "srv-1", "severity": "critical"},
    }
    answer = intake(None).post(ENQUEUE, event)
    assert answer.status_code == 202
    assert answer.json() | {"outcome": None} == {
        "status": "success",
        "message": "Event processed",
        "dedup_key": "srv-1/ping",
        "outcome": None,
        "alert": Alert.objects.get().public_id,
        "ticket": Alert.objects.get().ticket.number,
        "occurrences": 1,
    }
    # Deskside's own path takes the routing key in the body too.
    again = intake(None).post(f"{INTAKE}/events", event)
    assert again.status_code == 202 and again.json()["outcome"] == "appended"

    # Refusals: PagerDuty's shape and status on its path, Deskside's on its own.
    bad = {"routing_key": token, "event_action": "explode"}
    pd = intake(None).post(ENQUEUE, bad)
    assert pd.status_code == 400
    assert pd.json() == {
        "status": "invalid event",
        "message": "Event object is invalid",
        "errors": ["event_action must be one of trigger, acknowledge, resolve"],
        "detail": "event_action must be one of trigger, acknowledge, resolve",
        "field": "event_action",
    }
    assert intake(None).post(f"{INTAKE}/events", bad).status_code == 422
    wrong = intake(None).post(ENQUEUE, {**event, "routing_key": "nope"})
    assert wrong.status_code == 400 and wrong.json()["field"] == "Authorization"
    own = intake(None).post(f"{INTAKE}/events", {**event, "routing_key": "nope"})
    assert own.status_code == 401
    not_json = intake(None).generic("POST", ENQUEUE, b"{oops", content_type="application/json")
    assert not_json.status_code == 400
