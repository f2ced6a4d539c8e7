"""Changing tickets through the API: create (idempotent), edit and the workflow actions.

Each endpoint: success, the other client's customer gets 404 and changes nothing, invalid
input is a 4xx naming the field, and customers are refused agent-only actions with 403.
"""

import pytest

from deskside.tickets import services
from deskside.tickets.models import EventKind, IdempotencyKey, Status, Ticket

URL = "/api/v1/tickets"


def url(ticket, action: str = "") -> str:
    return f"{URL}/{ticket.number}" + (f"/{action}" if action else "")


def assert_field(response, status: int, field: str) -> None:
    assert response.status_code == status, response.content
    body = response.json()
    assert body["field"] == field, body
    assert body["detail"]


def assert_unchanged(ticket) -> None:
    """Nothing was written: the ticket's timeline holds only its `created` event."""
    ticket.refresh_from_db()
    assert list(ticket.events.values_list("kind", flat=True)) == [EventKind.CREATED]


# -- create ------------------------------------------------------------------------------------


def test_customer_opens_a_ticket(as_carol, carol, acme_hq):
    response = as_carol.post(URL, {"subject": "Laptop won't boot", "description": "Black screen"})
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["organization"]["slug"] == "acme"
    assert body["requester"]["public_id"] == carol.public_id
    assert body["site"]["public_id"] == acme_hq.public_id
    assert body["channel"] == "api"
    assert body["priority"] == "P3"
    assert body["status"] == "new"
    ticket = Ticket.objects.by_number(body["number"])
    assert ticket.created_by == carol


def test_agent_opens_an_assigned_ticket(as_alice, carol, leo, alice, olivia, desktop_team):
    response = as_alice.post(
        URL,
        {
            "subject": "Monitor flickers",
            "organization": "acme",
            "requester": carol.public_id,
            "priority": "P2",
            "type": "incident",
            "channel": "phone",
            "team": "desktop-support-l2",
            "tier": "L2",
            "assignee": leo.public_id,
            "watchers": [olivia.public_id],
        },
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["assignee"]["public_id"] == leo.public_id
    assert body["team"] == {"slug": "desktop-support-l2", "name": "Desktop Support L2"}
    assert body["status"] == "open"
    assert body["priority"] == "P2"
    assert [w["public_id"] for w in body["watchers"]] == [olivia.public_id]


def test_create_with_a_parent(as_alice, carol, acme_ticket):
    response = as_alice.post(
        URL, {"subject": "Child", "requester": carol.public_id, "parent": acme_ticket.number}
    )
    assert response.status_code == 201
    assert response.json()["parent"] == acme_ticket.number


@pytest.mark.parametrize(
    ("payload", "status", "field"),
    [
        ({}, 422, "subject"),
        ({"subject": "   "}, 422, "subject"),
        ({"subject": "x" * 251}, 422, "subject"),
        ({"subject": "Hi", "priority": "P9"}, 422, "priority"),
        ({"subject": "Hi", "priority": "P1"}, 422, "priority"),  # the desk sets P1
        ({"subject": "Hi", "type": "question"}, 422, "type"),
        ({"subject": "Hi", "channel": "phone"}, 422, "channel"),
        ({"subject": "Hi", "organization": "globex"}, 422, "organization"),
        ({"subject": "Hi", "site": "nope"}, 422, "site"),
        ({"subject": "Hi", "team": "no-such-team"}, 422, "team"),
        ({"subject": "Hi", "assignee": "nobody"}, 422, "assignee"),
        ({"subject": "Hi", "watchers": ["nobody"]}, 422, "watchers"),
        ({"subject": "Hi", "parent": "T-99999"}, 422, "parent"),
        ({"subject": "Hi", "sbuject": "typo"}, 422, "sbuject"),
    ],
)
def test_customer_create_refuses_bad_input(as_carol, payload, status, field):
    assert_field(as_carol.post(URL, payload), status, field)
    assert not Ticket.objects.exists()


def test_customer_cannot_route_or_assign(as_carol, leo, alice, acme_ticket):
    # An agent who never worked on the customer's tickets is no one to them (issue 12 item 10).
    response = as_carol.post(URL, {"subject": "Hi", "assignee": leo.public_id})
    assert response.status_code == 422 and response.json()["field"] == "assignee"
    # One who did (Alice logged acme_ticket) may not be assigned by a customer either.
    response = as_carol.post(URL, {"subject": "Hi", "assignee": alice.public_id})
    assert response.status_code == 403
    assert Ticket.objects.count() == 1


def test_other_clients_customer_cannot_open_for_acme_or_name_its_people(
    as_dave, carol, acme_hq, acme_ticket
):
    assert_field(as_dave.post(URL, {"subject": "Hi", "organization": "acme"}), 422, "organization")
    assert_field(as_dave.post(URL, {"subject": "Hi", "site": acme_hq.public_id}), 422, "site")
    assert_field(
        as_dave.post(URL, {"subject": "Hi", "requester": carol.public_id}), 422, "requester"
    )
    assert_field(as_dave.post(URL, {"subject": "Hi", "parent": acme_ticket.number}), 422, "parent")
    assert Ticket.objects.count() == 1


def test_agent_create_with_a_customer_as_assignee_names_the_field(as_alice, carol):
    response = as_alice.post(
        URL, {"subject": "Hi", "requester": carol.public_id, "assignee": carol.public_id}
    )
    assert_field(response, 422, "assignee")


# -- idempotency -------------------------------------------------------------------------------


def test_idempotency_key_makes_a_retry_return_the_first_ticket(as_carol, carol):
    payload = {"subject": "Printer jam"}
    first = as_carol.post(URL, payload, HTTP_IDEMPOTENCY_KEY="abc-123")
    second = as_carol.post(URL, payload, HTTP_IDEMPOTENCY_KEY="abc-123")
    assert first.status_code == 201
    assert second.status_code == 200
    assert second.json()["number"] == first.json()["number"]
    assert Ticket.objects.count() == 1
    assert IdempotencyKey.objects.filter(user=carol, key="abc-123").count() == 1
    third = as_carol.post(URL, payload, HTTP_IDEMPOTENCY_KEY="abc-124")
    assert third.status_code == 201
    assert Ticket.objects.count() == 2


def test_idempotency_keys_are_per_user(as_carol, as_olivia):
    first = as_carol.post(URL, {"subject": "One"}, HTTP_IDEMPOTENCY_KEY="same")
    other = as_olivia.post(URL, {"subject": "Two"}, HTTP_IDEMPOTENCY_KEY="same")
    assert (first.status_code, other.status_code) == (201, 201)
    assert first.json()["number"] != other.json()["number"]


def test_without_a_key_each_post_opens_a_ticket(as_carol):
    assert as_carol.post(URL, {"subject": "One"}).status_code == 201
    assert as_carol.post(URL, {"subject": "One"}).status_code == 201
    assert Ticket.objects.count() == 2


def test_blank_idempotency_key_is_refused(as_carol):
    response = as_carol.post(URL, {"subject": "One"}, HTTP_IDEMPOTENCY_KEY="   ")
    assert_field(response, 422, "Idempotency-Key")
    assert not Ticket.objects.exists()


# -- edit --------------------------------------------------------------------------------------


def test_agent_edits_a_ticket(as_alice, acme_ticket, make_ticket, carol):
    parent = make_ticket(carol, subject="Office move")
    response = as_alice.patch(
        url(acme_ticket),
        {"subject": "Printer offline (floor 2)", "priority": "P1", "parent": parent.number},
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["subject"] == "Printer offline (floor 2)"
    assert body["priority"] == "P1"
    assert body["parent"] == parent.number
    assert body["site"] is not None
    event = acme_ticket.events.get(kind=EventKind.CHANGED)
    assert event.data["changes"]["priority"] == ["P3", "P1"]

    cleared = as_alice.patch(url(acme_ticket), {"site": None, "parent": None}).json()
    assert cleared["site"] is None
    assert cleared["parent"] is None


def test_empty_patch_changes_nothing(as_alice, acme_ticket):
    response = as_alice.patch(url(acme_ticket), {})
    assert response.status_code == 200
    assert_unchanged(acme_ticket)


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"subject": ""}, "subject"),
        ({"subject": None}, "subject"),
        ({"description": None}, "description"),
        ({"priority": "urgent"}, "priority"),
        ({"type": "bug"}, "type"),
        ({"site": "nope"}, "site"),
        ({"parent": "T-99999"}, "parent"),
        ({"parent": "not-a-number"}, "parent"),
        ({"status": "closed"}, "status"),
    ],
)
def test_edit_refuses_bad_input(as_alice, acme_ticket, payload, field):
    assert_field(as_alice.patch(url(acme_ticket), payload), 422, field)
    assert_unchanged(acme_ticket)


def test_edit_refuses_a_site_of_another_client(as_alice, acme_ticket, globex_site):
    response = as_alice.patch(url(acme_ticket), {"site": globex_site.public_id})
    assert_field(response, 422, "site")


def test_customer_cannot_edit(as_carol, acme_ticket):
    assert as_carol.patch(url(acme_ticket), {"subject": "Mine now"}).status_code == 403
    assert_unchanged(acme_ticket)


def test_other_clients_customer_cannot_edit(as_dave, acme_ticket):
    assert as_dave.patch(url(acme_ticket), {"subject": "Hacked"}).status_code == 404
    assert_unchanged(acme_ticket)


# -- assign ------------------------------------------------------------------------------------


def test_assign(as_alice, acme_ticket, leo):
    response = as_alice.post(
        url(acme_ticket, "assign"), {"assignee": leo.public_id, "team": "desktop-support-l2"}
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["assignee"]["public_id"] == leo.public_id
    assert body["team"]["slug"] == "desktop-support-l2"
    assert body["status"] == "open"
    unassigned = as_alice.post(url(acme_ticket, "assign"), {"assignee": None}).json()
    assert unassigned["assignee"] is None


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({}, "assignee"),
        ({"assignee": "nobody"}, "assignee"),
        ({"assignee": None, "team": "no-such-team"}, "team"),
    ],
)
def test_assign_refuses_bad_input(as_alice, acme_ticket, leo, payload, field):
    assert_field(as_alice.post(url(acme_ticket, "assign"), payload), 422, field)
    assert_unchanged(acme_ticket)


def test_assign_to_a_customer_names_the_field(as_alice, acme_ticket, carol):
    assert_field(
        as_alice.post(url(acme_ticket, "assign"), {"assignee": carol.public_id}), 422, "assignee"
    )


def test_customers_cannot_assign(as_carol, as_dave, acme_ticket, leo, alice):
    assert (
        as_carol.post(url(acme_ticket, "assign"), {"assignee": alice.public_id}).status_code == 403
    )
    # Leo never worked on Carol's tickets: for her he does not exist (422 naming the field).
    assert as_carol.post(url(acme_ticket, "assign"), {"assignee": leo.public_id}).status_code == 422
    assert as_dave.post(url(acme_ticket, "assign"), {"assignee": leo.public_id}).status_code == 404
    assert_unchanged(acme_ticket)


# -- escalate ----------------------------------------------------------------------------------

TRIAGE = {"symptoms": "No link light", "steps_tried": "Swapped cable", "impact": "One user"}


def test_escalate(as_alice, acme_ticket, tara):
    response = as_alice.post(
        url(acme_ticket, "escalate"),
        {**TRIAGE, "tier": "L3", "team": "network-l3", "assignee": tara.public_id},
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["tier"], body["team"]["slug"], body["escalation_count"]) == ("L3", "network-l3", 1)
    assert body["assignee"]["public_id"] == tara.public_id
    event = acme_ticket.events.get(kind=EventKind.ESCALATED)
    assert event.data["steps_tried"] == "Swapped cable"


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({**TRIAGE}, "tier"),
        ({**TRIAGE, "tier": "L9"}, "tier"),
        ({**TRIAGE, "tier": "L1"}, "tier"),
        ({"tier": "L2", "symptoms": "x", "impact": "y"}, "steps_tried"),
        ({**TRIAGE, "tier": "L2", "symptoms": " "}, "symptoms"),
        ({**TRIAGE, "tier": "L2", "team": "no-such-team"}, "team"),
        ({**TRIAGE, "tier": "L2", "team": "network-l3"}, "team"),
        ({**TRIAGE, "tier": "L2", "assignee": "nobody"}, "assignee"),
    ],
)
def test_escalate_refuses_bad_input(as_alice, acme_ticket, network_team, payload, field):
    assert_field(as_alice.post(url(acme_ticket, "escalate"), payload), 422, field)
    assert_unchanged(acme_ticket)


def test_customers_cannot_escalate(as_carol, as_dave, acme_ticket):
    payload = {**TRIAGE, "tier": "L2"}
    assert as_carol.post(url(acme_ticket, "escalate"), payload).status_code == 403
    assert as_dave.post(url(acme_ticket, "escalate"), payload).status_code == 404
    assert_unchanged(acme_ticket)


# -- reply, note, calls ------------------------------------------------------------------------


def test_customer_replies(as_carol, carol, acme_ticket):
    response = as_carol.post(url(acme_ticket, "reply"), {"body": "Still broken"})
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["kind"] == "reply"
    assert body["is_public"] is True
    assert body["actor"]["public_id"] == carol.public_id


def test_reply_refuses_bad_input_and_closed_tickets(as_carol, as_alice, acme_ticket):
    assert_field(as_carol.post(url(acme_ticket, "reply"), {"body": ""}), 422, "body")
    assert_field(as_carol.post(url(acme_ticket, "reply"), {}), 422, "body")
    assert as_alice.post(url(acme_ticket, "close")).status_code == 200
    assert_field(as_carol.post(url(acme_ticket, "reply"), {"body": "hello?"}), 409, "status")


def test_other_clients_customer_cannot_reply(as_dave, acme_ticket):
    assert as_dave.post(url(acme_ticket, "reply"), {"body": "hi"}).status_code == 404
    assert_unchanged(acme_ticket)


def test_agent_writes_a_note(as_alice, acme_ticket):
    response = as_alice.post(url(acme_ticket, "note"), {"body": "Toner code 42"})
    assert response.status_code == 201
    assert response.json()["kind"] == "note"
    assert response.json()["is_public"] is False


def test_notes_are_agent_only(as_alice, as_carol, as_dave, acme_ticket):
    assert as_carol.post(url(acme_ticket, "note"), {"body": "x"}).status_code == 403
    assert as_dave.post(url(acme_ticket, "note"), {"body": "x"}).status_code == 404
    assert_unchanged(acme_ticket)
    assert_field(as_alice.post(url(acme_ticket, "note"), {"body": "  "}), 422, "body")


def test_log_a_call(as_alice, acme_ticket):
    response = as_alice.post(
        url(acme_ticket, "calls"), {"minutes": 7, "body": "Walked through reset", "inbound": False}
    )
    assert response.status_code == 201
    assert response.json()["data"] == {"minutes": 7, "inbound": False}


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"minutes": -1, "body": "x"}, "minutes"),
        ({"minutes": 1441, "body": "x"}, "minutes"),
        ({"minutes": "lots", "body": "x"}, "minutes"),
        ({"minutes": 3}, "body"),
        ({"minutes": 3, "body": ""}, "body"),
    ],
)
def test_log_call_refuses_bad_input(as_alice, acme_ticket, payload, field):
    assert_field(as_alice.post(url(acme_ticket, "calls"), payload), 422, field)
    assert_unchanged(acme_ticket)


def test_customers_cannot_log_calls(as_carol, as_dave, acme_ticket):
    payload = {"minutes": 3, "body": "x"}
    assert as_carol.post(url(acme_ticket, "calls"), payload).status_code == 403
    assert as_dave.post(url(acme_ticket, "calls"), payload).status_code == 404
    assert_unchanged(acme_ticket)


# -- resolve, reopen, close, status --------------------------------------------------------------


def test_resolve_then_customer_reopens(as_alice, as_carol, acme_ticket):
    response = as_alice.post(url(acme_ticket, "resolve"), {"resolution": "Replaced toner"})
    assert response.status_code == 200
    assert response.json()["status"] == "resolved"
    assert response.json()["resolved_at"] is not None
    reopened = as_carol.post(url(acme_ticket, "reopen"), {"reason": "It jammed again"})
    assert reopened.status_code == 200
    assert reopened.json()["status"] == "open"
    assert reopened.json()["resolved_at"] is None


def test_resolve_refuses_bad_input_and_customers(as_alice, as_carol, as_dave, acme_ticket):
    assert_field(as_alice.post(url(acme_ticket, "resolve"), {}), 422, "resolution")
    assert_field(as_alice.post(url(acme_ticket, "resolve"), {"resolution": " "}), 422, "resolution")
    assert as_carol.post(url(acme_ticket, "resolve"), {"resolution": "x"}).status_code == 403
    assert as_dave.post(url(acme_ticket, "resolve"), {"resolution": "x"}).status_code == 404
    assert_unchanged(acme_ticket)


def test_reopen_without_a_body(as_carol, alice, acme_ticket):
    services.resolve_ticket(actor=alice, ticket=acme_ticket, resolution="done")
    response = as_carol.generic("POST", url(acme_ticket, "reopen"))
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "open"


def test_reopen_refuses_an_unresolved_ticket_and_other_clients(
    as_carol, as_dave, alice, acme_ticket
):
    assert_field(as_carol.post(url(acme_ticket, "reopen")), 409, "status")
    assert_field(as_carol.post(url(acme_ticket, "reopen"), {"reason": 5}), 422, "reason")
    services.resolve_ticket(actor=alice, ticket=acme_ticket, resolution="done")
    assert as_dave.post(url(acme_ticket, "reopen")).status_code == 404
    acme_ticket.refresh_from_db()
    assert acme_ticket.status == Status.RESOLVED


def test_requester_closes_their_ticket(as_carol, acme_ticket):
    response = as_carol.post(url(acme_ticket, "close"), {"reason": "Works now"})
    assert response.status_code == 200
    assert response.json()["status"] == "closed"
    assert response.json()["closed_at"] is not None
    assert_field(as_carol.post(url(acme_ticket, "close")), 409, "status")


def test_close_refused_to_others(as_olivia, as_dave, acme_ticket):
    assert as_olivia.post(url(acme_ticket, "close")).status_code == 403  # not the requester
    assert as_dave.post(url(acme_ticket, "close")).status_code == 404
    assert_unchanged(acme_ticket)


def test_set_status(as_alice, acme_ticket):
    response = as_alice.post(url(acme_ticket, "status"), {"status": "pending_customer"})
    assert response.status_code == 200
    assert response.json()["status"] == "pending_customer"


@pytest.mark.parametrize(
    ("payload", "field"),
    [({}, "status"), ({"status": "resolved"}, "status"), ({"status": "sleeping"}, "status")],
)
def test_set_status_refuses_bad_input(as_alice, acme_ticket, payload, field):
    assert_field(as_alice.post(url(acme_ticket, "status"), payload), 422, field)
    assert_unchanged(acme_ticket)


def test_customers_cannot_set_status(as_carol, as_dave, acme_ticket):
    assert as_carol.post(url(acme_ticket, "status"), {"status": "on_hold"}).status_code == 403
    assert as_dave.post(url(acme_ticket, "status"), {"status": "on_hold"}).status_code == 404
    assert_unchanged(acme_ticket)


# -- merge -------------------------------------------------------------------------------------


def test_merge(as_alice, make_ticket, carol, acme_ticket):
    duplicate = make_ticket(carol, subject="Printer still offline")
    response = as_alice.post(url(duplicate, "merge"), {"into": acme_ticket.number})
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["status"] == "closed"
    assert body["merged_into"] == acme_ticket.number


@pytest.mark.parametrize(
    ("into", "status", "field"),
    [
        (None, 422, "into"),
        ("T-99999", 422, "into"),
        ("garbage", 422, "into"),
        ("self", 422, "into"),
        ("globex", 422, "into"),
    ],
)
def test_merge_refuses_bad_targets(as_alice, acme_ticket, globex_ticket, into, status, field):
    target = {"self": acme_ticket.number, "globex": globex_ticket.number}.get(into, into)
    payload = {} if target is None else {"into": target}
    assert_field(as_alice.post(url(acme_ticket, "merge"), payload), status, field)
    assert_unchanged(acme_ticket)


def test_customers_cannot_merge(as_carol, as_dave, make_ticket, carol, acme_ticket):
    other = make_ticket(carol, subject="Another")
    assert as_carol.post(url(other, "merge"), {"into": acme_ticket.number}).status_code == 403
    assert as_dave.post(url(other, "merge"), {"into": acme_ticket.number}).status_code == 404
    assert_unchanged(other)


def test_unknown_field_error_body(as_alice, acme_ticket):
    """The exact body docs/api.md shows for a typo."""
    response = as_alice.patch(url(acme_ticket), {"priorty": "P1"})
    assert response.status_code == 422
    assert response.json() == {
        "detail": "priorty: Extra inputs are not permitted",
        "field": "priorty",
        "errors": [{"field": "priorty", "message": "Extra inputs are not permitted"}],
    }
