"""Idempotency keys on create, reply, note and call (issue 11, item 9): the same key with the
same request replays the first answer and writes nothing; the key with a different request is
a 409 naming it; a key over 200 characters is a 422, never cut; racing duplicates end with one
reply (and one mail) on both databases."""

import pytest

from deskside.mail.models import OutboundMail
from deskside.tickets import idempotency
from deskside.tickets import services as tickets
from deskside.tickets.models import EventKind, IdempotencyKey, Ticket
from tests.alerts.test_race import in_threads
from tests.conftest import client_for

URL = "/api/v1/tickets"
FIELD = "Idempotency-Key"


def url(ticket, action: str) -> str:
    return f"{URL}/{ticket.number}/{action}"


def refused(response, status: int, key: str | None = None) -> None:
    assert response.status_code == status, response.content
    body = response.json()
    assert body["field"] == FIELD, body
    if key is not None:
        assert repr(key) in body["detail"], body


# -- keys that are too long --------------------------------------------------------------------


def test_a_key_over_200_characters_is_refused_not_cut(as_carol):
    long_key = "k" * 200
    assert as_carol.post(URL, {"subject": "One"}, HTTP_IDEMPOTENCY_KEY=long_key).status_code == 201

    # Before, both were cut to the same 200 characters and the second got the first ticket.
    response = as_carol.post(URL, {"subject": "Two"}, HTTP_IDEMPOTENCY_KEY=long_key + "x")

    refused(response, 422)
    assert "200 characters" in response.json()["detail"]
    assert list(Ticket.objects.values_list("subject", flat=True)) == ["One"]


def test_a_key_over_200_characters_on_a_reply_is_refused(as_alice, acme_ticket):
    response = as_alice.post(
        url(acme_ticket, "reply"), {"body": "Hi"}, HTTP_IDEMPOTENCY_KEY="r" * 201
    )
    refused(response, 422)
    assert not acme_ticket.events.filter(kind=EventKind.REPLY).exists()


# -- create ------------------------------------------------------------------------------------


def test_a_key_reused_with_a_different_body_is_a_409_naming_it(as_carol):
    first = as_carol.post(URL, {"subject": "Printer jam"}, HTTP_IDEMPOTENCY_KEY="abc-123")

    other = as_carol.post(URL, {"subject": "VPN drops"}, HTTP_IDEMPOTENCY_KEY="abc-123")

    assert first.status_code == 201
    refused(other, 409, "abc-123")
    assert list(Ticket.objects.values_list("subject", flat=True)) == ["Printer jam"]


def test_the_same_body_in_another_order_or_with_defaults_spelled_out_replays(as_carol):
    first = as_carol.post(
        URL, {"subject": "Printer jam", "priority": "P3"}, HTTP_IDEMPOTENCY_KEY="same"
    )
    again = as_carol.post(
        URL, {"priority": "P3", "subject": "Printer jam"}, HTTP_IDEMPOTENCY_KEY="same"
    )
    defaults = as_carol.post(URL, {"subject": "Printer jam"}, HTTP_IDEMPOTENCY_KEY="same")

    assert (first.status_code, again.status_code, defaults.status_code) == (201, 200, 200)
    assert again.json()["number"] == defaults.json()["number"] == first.json()["number"]
    assert Ticket.objects.count() == 1


def test_keys_kept_from_before_fingerprints_still_replay(as_carol, carol):
    first = as_carol.post(URL, {"subject": "Old"}, HTTP_IDEMPOTENCY_KEY="legacy")
    IdempotencyKey.objects.filter(key="legacy").update(request_hash="")

    again = as_carol.post(URL, {"subject": "Old, retried"}, HTTP_IDEMPOTENCY_KEY="legacy")

    assert again.status_code == 200 and again.json()["number"] == first.json()["number"]


# -- replies, notes and calls ------------------------------------------------------------------


def test_a_retried_reply_replays_the_first_and_mails_once(as_alice, acme_ticket):
    payload = {"body": "Please restart the router."}
    first = as_alice.post(url(acme_ticket, "reply"), payload, HTTP_IDEMPOTENCY_KEY="reply-1")
    again = as_alice.post(url(acme_ticket, "reply"), payload, HTTP_IDEMPOTENCY_KEY="reply-1")

    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json() == first.json()
    assert acme_ticket.events.filter(kind=EventKind.REPLY).count() == 1
    assert OutboundMail.objects.filter(ticket=acme_ticket, kind="reply").count() == 1
    row = IdempotencyKey.objects.get(key="reply-1")
    assert (row.action, row.ticket, row.event.kind) == ("reply", acme_ticket, EventKind.REPLY)


def test_a_reply_key_reused_with_another_body_or_ticket_or_action_is_a_409(
    as_alice, acme_ticket, make_ticket, carol
):
    other_ticket = make_ticket(carol, subject="Second")
    first = as_alice.post(url(acme_ticket, "reply"), {"body": "One"}, HTTP_IDEMPOTENCY_KEY="k")
    assert first.status_code == 201

    refused(
        as_alice.post(url(acme_ticket, "reply"), {"body": "Two"}, HTTP_IDEMPOTENCY_KEY="k"),
        409,
        "k",
    )
    refused(
        as_alice.post(url(other_ticket, "reply"), {"body": "One"}, HTTP_IDEMPOTENCY_KEY="k"), 409
    )
    refused(as_alice.post(url(acme_ticket, "note"), {"body": "One"}, HTTP_IDEMPOTENCY_KEY="k"), 409)

    assert Ticket.objects.get(pk=acme_ticket.pk).events.filter(kind=EventKind.REPLY).count() == 1
    assert not other_ticket.events.filter(kind=EventKind.REPLY).exists()
    assert not acme_ticket.events.filter(kind=EventKind.NOTE).exists()


def test_a_create_key_reused_for_a_reply_is_a_409(as_carol):
    ticket = as_carol.post(URL, {"subject": "Printer"}, HTTP_IDEMPOTENCY_KEY="one").json()
    response = as_carol.post(
        f"{URL}/{ticket['number']}/reply", {"body": "Any news?"}, HTTP_IDEMPOTENCY_KEY="one"
    )
    refused(response, 409, "one")
    assert "another action (create)" in response.json()["detail"]


def test_notes_and_calls_replay_too(as_alice, acme_ticket):
    note = {"body": "Checked the switch."}
    call = {"minutes": 6, "body": "Walked through a reset", "inbound": True}
    responses = [
        as_alice.post(url(acme_ticket, "note"), note, HTTP_IDEMPOTENCY_KEY="n1"),
        as_alice.post(url(acme_ticket, "note"), note, HTTP_IDEMPOTENCY_KEY="n1"),
        as_alice.post(url(acme_ticket, "calls"), call, HTTP_IDEMPOTENCY_KEY="c1"),
        as_alice.post(url(acme_ticket, "calls"), call, HTTP_IDEMPOTENCY_KEY="c1"),
    ]
    assert [r.status_code for r in responses] == [201, 200, 201, 200]
    assert responses[3].json()["data"] == {"minutes": 6, "inbound": True}
    kinds = list(acme_ticket.events.values_list("kind", flat=True))
    assert kinds.count(EventKind.NOTE) == 1 and kinds.count(EventKind.CALL) == 1
    changed = {**call, "minutes": 7}
    refused(as_alice.post(url(acme_ticket, "calls"), changed, HTTP_IDEMPOTENCY_KEY="c1"), 409)


def test_a_refused_request_leaves_its_key_free(as_alice, alice, acme_ticket):
    blank = as_alice.post(url(acme_ticket, "reply"), {"body": "  "}, HTTP_IDEMPOTENCY_KEY="free")
    assert blank.status_code == 422 and blank.json()["field"] == "body"
    assert not IdempotencyKey.objects.filter(key="free").exists()

    fixed = as_alice.post(url(acme_ticket, "reply"), {"body": "Hi"}, HTTP_IDEMPOTENCY_KEY="free")
    assert fixed.status_code == 201


def test_keys_are_per_user_and_never_cross_clients(as_carol, as_olivia, as_dave, acme_ticket):
    mine = as_carol.post(url(acme_ticket, "reply"), {"body": "Hi"}, HTTP_IDEMPOTENCY_KEY="same")
    hers = as_olivia.post(url(acme_ticket, "reply"), {"body": "Hi"}, HTTP_IDEMPOTENCY_KEY="same")
    foreign = as_dave.post(url(acme_ticket, "reply"), {"body": "Hi"}, HTTP_IDEMPOTENCY_KEY="same")

    assert (mine.status_code, hers.status_code, foreign.status_code) == (201, 201, 404)
    assert acme_ticket.events.filter(kind=EventKind.REPLY).count() == 2


def test_the_schema_documents_the_key_on_replies_notes_and_calls(anon):
    paths = anon.get("/api/v1/openapi.json").json()["paths"]
    for action in ("reply", "note", "calls"):
        operation = paths["/api/v1/tickets/{number}/" + action]["post"]
        assert FIELD in {p["name"] for p in operation["parameters"]}
        assert {"200", "201"} <= set(operation["responses"])


# -- racing duplicates -------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_racing_duplicate_replies_end_as_one_reply_and_one_mail(alice, acme_ticket):
    clients = [client_for(alice) for _ in range(6)]

    def work(i: int):
        response = clients[i].post(
            url(acme_ticket, "reply"), {"body": "On my way."}, HTTP_IDEMPOTENCY_KEY="race"
        )
        return response.status_code, response.json()

    results, errors = in_threads(6, work)

    assert not errors, errors
    assert sorted(status for status, _ in results) == [200] * 5 + [201]
    assert len({body["created_at"] for _, body in results}) == 1
    assert acme_ticket.events.filter(kind=EventKind.REPLY).count() == 1
    assert OutboundMail.objects.filter(ticket=acme_ticket, kind="reply").count() == 1
    assert IdempotencyKey.objects.filter(key="race").count() == 1


@pytest.mark.django_db(transaction=True)
def test_racing_replies_with_one_key_and_different_bodies_write_one(alice, acme_ticket):
    def work(i: int):
        return idempotency.once(
            actor=alice,
            key="race-2",
            action="reply",
            ticket=acme_ticket,
            fields={"body": f"Body {i % 2}"},
            run=lambda: tickets.add_reply(actor=alice, ticket=acme_ticket, body=f"Body {i % 2}"),
        )

    results, errors = in_threads(4, work)

    assert acme_ticket.events.filter(kind=EventKind.REPLY).count() == 1
    assert len(results) + len(errors) == 4
    assert all(type(e).__name__ == "IdempotencyConflict" for e in errors), errors
    assert sum(not r.replayed for r in results) == 1
