"""Stale edits through the ticket page (plain POST and htmx) and the API (If-Match or a
`version` field): refused with the message, nothing overwritten; the version is on the page
and in the ticket schema."""

import re

import pytest
from django.urls import reverse

from deskside.tickets import services
from deskside.tickets.models import Status
from deskside.tickets.queries import ticket_version
from tests.conftest import login


def act_url(ticket, action):
    return reverse("tickets:act", args=[ticket.number, action])


def page_version(html: str) -> int:
    versions = set(re.findall(r'name="version" value="(\d+)"', html))
    assert len(versions) == 1, versions  # every form carries the same version
    return int(versions.pop())


@pytest.fixture
def alice_page(alice):
    return login(alice)


def test_every_action_form_carries_the_version_the_page_was_rendered_from(
    alice_page, alice, acme_ticket
):
    html = alice_page.get(acme_ticket.get_absolute_url()).content.decode()
    assert page_version(html) == ticket_version(alice, acme_ticket)
    # the "Assign to me" button and the action forms
    assert html.count('name="version"') >= 8


def test_a_stale_status_change_from_the_page_is_refused(alice_page, acme_ticket, leo):
    html = alice_page.get(acme_ticket.get_absolute_url()).content.decode()
    version = page_version(html)
    services.set_status(actor=leo, ticket=acme_ticket, status=Status.PENDING_CUSTOMER)
    response = alice_page.post(
        act_url(acme_ticket, "status"), {"status": "on_hold", "reason": "", "version": version}
    )
    assert response.status_code == 422
    page = response.content.decode()
    assert "The status change was not done." in page
    assert "Leo Field changed this ticket at" in page
    assert "(status → Pending customer) since you opened it; reload to see the change." in page
    assert "Version:" not in page  # the hidden field's label is not shown
    acme_ticket.refresh_from_db()
    assert acme_ticket.status == Status.PENDING_CUSTOMER
    # the page now shows the stored ticket, so the same form sent again is based on it
    retry = page_version(page)
    assert retry > version
    response = alice_page.post(
        act_url(acme_ticket, "status"), {"status": "on_hold", "reason": "", "version": retry}
    )
    assert response.status_code == 302
    acme_ticket.refresh_from_db()
    assert acme_ticket.status == Status.ON_HOLD


def test_a_stale_htmx_action_answers_the_page_with_the_message(alice_page, acme_ticket, leo):
    version = page_version(alice_page.get(acme_ticket.get_absolute_url()).content.decode())
    services.update_ticket(actor=leo, ticket=acme_ticket, priority="P1")
    response = alice_page.post(
        act_url(acme_ticket, "resolve"),
        {"resolution": "Rebooted", "version": version},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200  # htmx swaps only 2xx answers
    assert "Leo Field changed this ticket at" in response.content.decode()
    assert "(priority → P1)" in response.content.decode()
    acme_ticket.refresh_from_db()
    assert acme_ticket.status != Status.RESOLVED


def test_a_note_from_a_stale_page_is_taken(alice_page, acme_ticket, leo):
    version = page_version(alice_page.get(acme_ticket.get_absolute_url()).content.decode())
    services.set_status(actor=leo, ticket=acme_ticket, status=Status.ON_HOLD)
    response = alice_page.post(act_url(acme_ticket, "note"), {"body": "Seen", "version": version})
    assert response.status_code == 302
    assert acme_ticket.events.filter(body="Seen").exists()


def test_a_form_without_a_version_is_not_checked(alice_page, acme_ticket, leo):
    services.set_status(actor=leo, ticket=acme_ticket, status=Status.ON_HOLD)
    response = alice_page.post(act_url(acme_ticket, "status"), {"status": "pending_vendor"})
    assert response.status_code == 302


# -- the API -----------------------------------------------------------------------------------


def test_the_ticket_schema_has_the_version(as_alice, as_carol, alice, carol, acme_ticket, leo):
    services.add_note(actor=leo, ticket=acme_ticket, body="internal")
    body = as_alice.get(f"/api/v1/tickets/{acme_ticket.number}").json()
    assert body["version"] == ticket_version(alice, acme_ticket)
    # a customer's version moves only with what they can see
    assert as_carol.get(f"/api/v1/tickets/{acme_ticket.number}").json()["version"] == (
        ticket_version(carol, acme_ticket)
    )
    assert ticket_version(carol, acme_ticket) < body["version"]


@pytest.mark.parametrize("how", ["if-match", "quoted", "field"])
def test_a_stale_api_change_is_a_409(as_alice, acme_ticket, leo, how):
    version = as_alice.get(f"/api/v1/tickets/{acme_ticket.number}").json()["version"]
    services.set_status(actor=leo, ticket=acme_ticket, status=Status.PENDING_CUSTOMER)
    payload = {"status": "on_hold"}
    headers = {}
    if how == "field":
        payload["version"] = version
    else:
        headers["HTTP_IF_MATCH"] = str(version) if how == "if-match" else f'W/"{version}"'
    response = as_alice.post(f"/api/v1/tickets/{acme_ticket.number}/status", payload, **headers)
    assert response.status_code == 409
    body = response.json()
    assert body["field"] == "version"
    assert body["detail"].startswith("Leo Field changed this ticket at")
    assert (
        body["version"] == as_alice.get(f"/api/v1/tickets/{acme_ticket.number}").json()["version"]
    )
    assert body["version"] > version
    acme_ticket.refresh_from_db()
    assert acme_ticket.status == Status.PENDING_CUSTOMER


def test_the_current_version_and_a_star_pass(as_alice, acme_ticket):
    url = f"/api/v1/tickets/{acme_ticket.number}"
    version = as_alice.get(url).json()["version"]
    response = as_alice.patch(url, {"priority": "P2", "version": version})
    assert response.status_code == 200
    assert response.json()["version"] > version
    response = as_alice.post(f"{url}/status", {"status": "on_hold"}, HTTP_IF_MATCH="*")
    assert response.status_code == 200


@pytest.mark.parametrize("value", ['"abc"', "12a", "9" * 30])
def test_a_malformed_if_match_is_a_422(as_alice, acme_ticket, value):
    response = as_alice.post(
        f"/api/v1/tickets/{acme_ticket.number}/status", {"status": "on_hold"}, HTTP_IF_MATCH=value
    )
    assert response.status_code == 422
    assert response.json()["field"] == "version"
    response = as_alice.post(
        f"/api/v1/tickets/{acme_ticket.number}/status", {"status": "on_hold", "version": 10**30}
    )
    assert response.status_code == 422


def test_api_replies_check_only_other_replies(as_alice, acme_ticket, leo):
    url = f"/api/v1/tickets/{acme_ticket.number}"
    version = as_alice.get(url).json()["version"]
    services.set_status(actor=leo, ticket=acme_ticket, status=Status.ON_HOLD)
    response = as_alice.post(f"{url}/reply", {"body": "On it", "version": version})
    assert response.status_code == 201
    version = as_alice.get(url).json()["version"]
    services.add_reply(actor=leo, ticket=acme_ticket, body="Done already")
    response = as_alice.post(f"{url}/reply", {"body": "Again"}, HTTP_IF_MATCH=str(version))
    assert response.status_code == 409
    assert response.json()["detail"].startswith("Leo Field replied to this ticket")
    # a note takes no version
    assert as_alice.post(f"{url}/note", {"body": "x", "version": 1}).status_code == 422


def test_a_customers_stale_reply_is_refused_through_the_api(as_carol, acme_ticket, leo):
    url = f"/api/v1/tickets/{acme_ticket.number}"
    version = as_carol.get(url).json()["version"]
    services.add_reply(actor=leo, ticket=acme_ticket, body="Please restart it")
    response = as_carol.post(f"{url}/reply", {"body": "Hello?"}, HTTP_IF_MATCH=str(version))
    assert response.status_code == 409


@pytest.mark.parametrize(
    ("action", "payload"),
    [
        ("assign", {"assignee": None}),
        ("escalate", {"tier": "L2", "symptoms": "s", "steps_tried": "t", "impact": "i"}),
        ("resolve", {"resolution": "Fixed"}),
        ("close", {}),
        ("merge", {"into": "OTHER"}),
    ],
)
def test_every_api_write_takes_the_version(
    as_alice, acme_ticket, make_ticket, carol, leo, action, payload
):
    url = f"/api/v1/tickets/{acme_ticket.number}"
    version = as_alice.get(url).json()["version"]
    if payload.get("into") == "OTHER":
        payload = {"into": make_ticket(carol, subject="Other").number}
    services.assign_ticket(actor=leo, ticket=acme_ticket, assignee=leo)
    response = as_alice.post(f"{url}/{action}", {**payload, "version": version})
    assert response.status_code == 409, response.content
