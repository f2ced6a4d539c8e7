"""One bad alert never blocks its group: an Alertmanager notification with an unknown client,
another client's label or a malformed alert is answered 202, its good alerts are taken, and
each refused alert is kept as an intake error of the integration (reason, field, key, count,
first and last seen, a bounded sample), shown on the integration's page and in the API, and
cleared by an administrator. A bad document is still refused whole (400/422)."""

import json
from datetime import UTC, datetime, timedelta

import pytest
from django.urls import reverse

from deskside.accounts import services as accounts
from deskside.accounts.models import Tier
from deskside.alerts import setup as alert_setup
from deskside.alerts.exceptions import AlertError
from deskside.alerts.models import Alert, AlertStatus, IntakeError
from deskside.core import clock
from deskside.tickets.models import Status, Ticket
from tests.alerts.conftest import INTAKE, intake
from tests.alerts.test_intake import am_alert, am_payload, trigger
from tests.conftest import client_for

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
AM = f"{INTAKE}/alertmanager"
EVENTS = f"{INTAKE}/events"
API = "/api/v1"


@pytest.fixture(autouse=True)
def _clock():
    with clock.frozen(T0):
        yield


def move(minutes: float) -> None:
    clock.set_now(clock.now() + timedelta(minutes=minutes))


# -- Alertmanager groups -----------------------------------------------------------------------


def test_an_unknown_client_in_a_group_does_not_block_the_others(msp_alertmanager, acme):
    """The issue's case: Alertmanager re-posts a group every group_interval, the bad alert
    included (resolved or not): the good alert's ticket still opens and still resolves."""
    integration, token = msp_alertmanager
    client = intake(token)
    bad = am_alert(fingerprint="b", client="nowhere")
    answer = client.post(AM, am_payload(am_alert(fingerprint="a"), bad))
    assert answer.status_code == 202
    body = answer.json()
    assert body["status"] == "partial" and body["rejected"] == 1
    good, refused = body["alerts"]
    assert good["outcome"] == "created" and good["ticket"].startswith("T-")
    assert refused == {
        "dedup_key": "b",
        "outcome": "rejected",
        "alert": None,
        "ticket": None,
        "detail": "no client with the slug 'nowhere'",
        "field": "alerts[1].labels.client",
    }
    assert list(Alert.objects.values_list("dedup_key", flat=True)) == ["a"]
    error = IntakeError.objects.get()
    assert (error.integration, error.dedup_key, error.field) == (integration, "b", "labels.client")
    assert (error.reason, error.count, error.status_code) == (
        "no client with the slug 'nowhere'",
        1,
        422,
    )
    assert error.first_seen == error.last_seen == T0
    assert json.loads(error.sample)["labels"]["client"] == "nowhere"

    # group_interval later: the same group again; one error row, counted twice.
    move(5)
    again = client.post(AM, am_payload(am_alert(fingerprint="a"), bad)).json()["alerts"]
    assert [a["outcome"] for a in again] == ["appended", "rejected"]
    error.refresh_from_db()
    assert (error.count, error.first_seen, error.last_seen) == (2, T0, T0 + timedelta(minutes=5))

    # Both resolve: the good alert's resolve is not lost behind the bad one.
    move(5)
    resolved = client.post(
        AM,
        am_payload(am_alert("resolved", fingerprint="a"), {**bad, "status": "resolved"}),
    )
    assert resolved.status_code == 202
    assert [a["outcome"] for a in resolved.json()["alerts"]] == ["resolved", "rejected"]
    assert Alert.objects.get().status == AlertStatus.RESOLVED
    assert Ticket.objects.get().status == Status.RESOLVED
    assert IntakeError.objects.get().count == 3


def test_a_client_token_naming_another_client_is_rejected_never_a_ticket_for_it(
    acme_alertmanager, acme, globex
):
    _, token = acme_alertmanager
    answer = intake(token).post(
        AM, am_payload(am_alert(fingerprint="g", client="globex"), am_alert(fingerprint="a"))
    )
    assert answer.status_code == 202
    refused, taken = answer.json()["alerts"]
    assert refused["outcome"] == "rejected"
    assert refused["field"] == "alerts[0].labels.client"
    assert refused["detail"] == "this integration raises alerts for Acme Corp only"
    assert taken["outcome"] == "created"
    assert not Ticket.objects.filter(organization=globex).exists()
    assert Ticket.objects.get().organization == acme
    assert IntakeError.objects.get().status_code == 403


def test_an_msp_wide_alert_without_the_client_label_is_rejected(msp_alertmanager):
    _, token = msp_alertmanager
    alert = am_alert()
    del alert["labels"]["client"]
    answer = intake(token).post(AM, am_payload(alert))
    assert answer.status_code == 202
    (refused,) = answer.json()["alerts"]
    assert refused["outcome"] == "rejected" and refused["field"] == "alerts[0].labels.client"
    assert answer.json()["status"] == "partial"
    assert not Alert.objects.exists()
    assert IntakeError.objects.get().field == "labels.client"


@pytest.mark.parametrize(
    ("bad", "field", "key"),
    [
        ("x", "alerts[1]", ""),
        ({"status": "odd", "labels": {"a": "b"}, "fingerprint": "f"}, "alerts[1].status", "f"),
        ({"status": "firing", "labels": {}}, "alerts[1].labels", ""),
        ({"status": "firing", "labels": {"a": 1}}, "alerts[1].labels.a", ""),
        (
            {"status": "firing", "labels": {"a": "b"}, "startsAt": "yesterday"},
            "alerts[1].startsAt",
            "from-labels",
        ),
        (
            {"status": "firing", "labels": {"a": "b"}, "fingerprint": 5},
            "alerts[1].fingerprint",
            "from-labels",
        ),
    ],
)
def test_a_malformed_alert_is_rejected_alone(acme_alertmanager, bad, field, key):
    _, token = acme_alertmanager
    answer = intake(token).post(AM, am_payload(am_alert(fingerprint="good"), bad))
    assert answer.status_code == 202
    taken, refused = answer.json()["alerts"]
    assert taken["outcome"] == "created"
    assert refused["outcome"] == "rejected" and refused["field"] == field
    assert refused["detail"]
    assert list(Alert.objects.values_list("dedup_key", flat=True)) == ["good"]
    error = IntakeError.objects.get()
    if key == "from-labels":  # no fingerprint: the key its labels would have given
        assert len(error.dedup_key) == 32
    else:
        assert error.dedup_key == key


def test_a_group_of_only_bad_alerts_is_still_answered_202(msp_alertmanager):
    _, token = msp_alertmanager
    answer = intake(token).post(
        AM,
        am_payload(am_alert(fingerprint="1", client="x"), am_alert(fingerprint="2", client="y")),
    )
    assert answer.status_code == 202
    assert answer.json()["rejected"] == 2
    assert IntakeError.objects.count() == 2
    assert not Alert.objects.exists() and not Ticket.objects.exists()


@pytest.mark.parametrize(
    ("payload", "status", "field"),
    [
        (b"not json", 400, None),
        (b'{"version": "3", "alerts": []}', 422, "version"),
        (b'{"version": "4"}', 422, "alerts"),
    ],
)
def test_a_bad_document_is_refused_whole_and_recorded(acme_alertmanager, payload, status, field):
    integration, token = acme_alertmanager
    answer = intake(token).generic("POST", AM, payload, content_type="application/json")
    assert answer.status_code == status
    assert answer.json()["field"] == field
    error = IntakeError.objects.get()
    assert (error.integration, error.dedup_key, error.field) == (integration, "", field or "")
    assert error.sample == payload.decode()
    assert not Alert.objects.exists()


def test_refusals_with_nul_and_lone_surrogates_are_recorded(msp_alertmanager):
    """Text PostgreSQL cannot store (NUL) or nothing can encode (a lone surrogate) in a refused
    alert does not turn the answer into a 500: the record keeps a cleaned copy."""
    _, token = msp_alertmanager
    body = (
        b'{"version": "4", "alerts": [{"status": "firing", "fingerprint": "k\\u0000\\udfff",'
        b' "labels": {"alertname": "x", "client": "no\\u0000where\\udfff"}}]}'
    )
    answer = intake(token).generic("POST", AM, body, content_type="application/json")
    assert answer.status_code == 202
    assert answer.json()["alerts"][0]["outcome"] == "rejected"
    error = IntakeError.objects.get()
    assert "\x00" not in error.dedup_key + error.reason + error.sample
    assert error.dedup_key.startswith("k")


def test_the_sample_is_bounded(msp_alertmanager):
    _, token = msp_alertmanager
    big = am_alert(fingerprint="big", client="nowhere", text="x" * 20_000)
    intake(token).post(AM, am_payload(big))
    sample = IntakeError.objects.get().sample
    assert len(sample) == IntakeError.SAMPLE_CHARS and sample.endswith("…")


# -- events API --------------------------------------------------------------------------------


def test_a_refused_event_is_answered_4xx_and_recorded_without_its_token(acme_events, globex):
    integration, token = acme_events
    answer = intake(token).post(EVENTS, trigger(organization="globex"))
    assert answer.status_code == 403
    assert answer.json()["field"] == "organization"
    # The same refusal sent PagerDuty's way (the token in the body) counts on the same row.
    answer = intake(None).post(EVENTS, trigger(organization="globex", routing_key=token))
    assert answer.status_code == 403
    error = IntakeError.objects.get()
    assert (error.count, error.field, error.dedup_key) == (2, "organization", "disk-c")
    assert token not in error.sample
    assert json.loads(error.sample)["routing_key"] == "[token]"
    # A malformed event too, keyed by its field.
    intake(token).post(EVENTS, {"event_action": "explode"})
    assert IntakeError.objects.filter(field="event_action").count() == 1
    assert not Alert.objects.exists()


def test_a_malformed_body_is_recorded_without_the_token(acme_events):
    _, token = acme_events
    body = b'{"routing_key": "' + token.encode() + b'", oops'
    answer = intake(token).generic("POST", EVENTS, body, content_type="application/json")
    assert answer.status_code == 400
    sample = IntakeError.objects.get().sample
    assert token not in sample and "[token]" in sample


# -- the agents' API and page ------------------------------------------------------------------


@pytest.fixture
def refused(msp_alertmanager):
    integration, token = msp_alertmanager
    client = intake(token)
    client.post(AM, am_payload(am_alert(fingerprint="1", client="x")))
    move(1)
    client.post(AM, am_payload(am_alert(fingerprint="2", client="y")))
    return integration


def test_agents_list_intake_errors_latest_first(refused, alice, django_assert_max_num_queries):
    url = f"{API}/integrations/{refused.public_id}/intake-errors"
    client = client_for(alice)
    with django_assert_max_num_queries(8):  # token, served clients, integration, page
        page = client.get(url).json()
    assert [e["dedup_key"] for e in page["items"]] == ["2", "1"]
    first = page["items"][0]
    assert first["reason"] == "no client with the slug 'y'"
    assert first["field"] == "labels.client" and first["count"] == 1
    assert json.loads(first["sample"])["fingerprint"] == "2"


def test_admins_clear_one_or_all(refused, admin, alice):
    url = f"{API}/integrations/{refused.public_id}/intake-errors"
    one = IntakeError.objects.get(dedup_key="1")
    assert client_for(alice).delete(url).status_code == 403  # agents read, admins clear
    assert client_for(admin).delete(f"{url}/nope").status_code == 404
    assert client_for(admin).delete(f"{url}/{one.public_id}").status_code == 204
    assert list(IntakeError.objects.values_list("dedup_key", flat=True)) == ["2"]
    assert client_for(admin).delete(url).status_code == 204
    assert not IntakeError.objects.exists()


def test_customers_and_agents_of_other_clients_see_no_intake_errors(acme_alertmanager, carol, rita):
    integration, token = acme_alertmanager
    intake(token).post(AM, am_payload(am_alert(fingerprint="g", client="globex")))
    url = f"{API}/integrations/{integration.public_id}/intake-errors"
    assert client_for(carol).get(url).status_code == 403
    assert client_for(carol).delete(url).status_code == 403
    assert client_for(rita).get(url).status_code == 404  # serves Globex only
    assert IntakeError.objects.count() == 1


def test_an_msp_wide_integrations_errors_are_for_agents_serving_every_client(refused, rita, client):
    """Its samples may carry any client's alert: an agent serving only Globex sees the
    integration but not its refusals."""
    url = f"{API}/integrations/{refused.public_id}/intake-errors"
    assert client_for(rita).get(url).json()["items"] == []
    one = IntakeError.objects.first()
    assert client_for(rita).delete(f"{url}/{one.public_id}").status_code == 404
    client.force_login(rita)
    page = client.get(reverse("alerts:integration", args=[refused.public_id])).content.decode()
    assert "no client with the slug" not in page and "agents serving every client" in page


@pytest.fixture
def rita(msp, globex):
    user = accounts.create_user(
        email="rita@msp.example", full_name="Rita", kind="agent", tier=Tier.L1, organization=msp
    )
    user.served_organizations.set([globex])
    return user


def test_the_integration_page_shows_and_clears_intake_errors(refused, admin, alice, client):
    page_url = reverse("alerts:integration", args=[refused.public_id])
    client.force_login(alice)
    page = client.get(page_url).content.decode()
    assert "Refused alerts" in page and "no client with the slug &#x27;y&#x27;" in page
    assert "Clear all" not in page  # not an administrator
    listing = client.get(reverse("alerts:integrations")).content.decode()
    assert "2 refused" in listing
    clear_url = reverse("alerts:intake_errors_clear", args=[refused.public_id])
    assert client.post(clear_url).status_code == 403
    client.force_login(admin)
    assert "Clear all" in client.get(page_url).content.decode()
    one = IntakeError.objects.get(dedup_key="1")
    assert client.post(clear_url, {"error": one.public_id}).status_code == 302
    assert IntakeError.objects.count() == 1
    client.post(clear_url)
    assert not IntakeError.objects.exists()
    assert "everything this integration sent was taken" in client.get(page_url).content.decode()


def test_clearing_is_for_administrators_only(refused, alice):
    with pytest.raises(AlertError) as error:
        alert_setup.clear_intake_errors(actor=alice, integration=refused)
    assert error.value.status_code == 403
    assert IntakeError.objects.count() == 2
