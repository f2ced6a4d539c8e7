"""Who sees which mail (deskside.mail.queries): one definition, and the pages, the API and
the download of an original all follow it. A customer or agent of client A never sees client
B's mail through any of them."""

import re

import pytest
from django.test import Client
from django.urls import reverse

from deskside.mail import queries
from deskside.mail.models import OutboundMail, Outcome
from deskside.mail.pipeline import Policy, receive
from tests.conftest import client_for
from tests.mail.test_pipeline import raw_mail


@pytest.fixture
def mail(acme, globex, carol, dave):
    """Carol's mail (an Acme ticket), Dave's (a Globex ticket), a stranger's held one."""
    from_carol = receive(raw_mail(), source="import", policy=Policy(organization=acme)).message
    from_dave = receive(
        raw_mail(sender="dave@globex.example", message_id="<g1@globex.example>"),
        source="import",
        policy=Policy(organization=globex),
    ).message
    held = receive(
        raw_mail(sender="nina@nowhere.example", message_id="<held@nowhere.example>"),
        source="import",
        policy=Policy(organization=acme, unknown_senders="quarantine"),
    ).message
    assert (from_carol.outcome, from_dave.outcome, held.outcome) == (
        Outcome.CREATED,
        Outcome.CREATED,
        Outcome.QUARANTINED,
    )
    return {"carol": from_carol, "dave": from_dave, "held": held}


def ids(qs) -> set[str]:
    return set(qs.values_list("public_id", flat=True))


def test_an_agent_serving_every_client_sees_every_message(alice, mail):
    assert ids(queries.messages_visible_to(alice)) == {m.public_id for m in mail.values()}
    assert {m.ticket_id for m in queries.outbox_visible_to(alice)} == {
        mail["carol"].ticket_id,
        mail["dave"].ticket_id,
    }


def test_a_restricted_agent_sees_their_clients_mail_and_the_ticketless(alice, acme, mail):
    alice.served_organizations.set([acme])
    assert ids(queries.messages_visible_to(alice)) == {
        mail["carol"].public_id,
        mail["held"].public_id,
    }
    assert {m.ticket_id for m in queries.outbox_visible_to(alice)} == {mail["carol"].ticket_id}
    assert queries.message_rows(alice).first().has_html is False


def test_customers_and_inactive_agents_list_no_mail(alice, carol, mail):
    assert not queries.messages_visible_to(carol).exists()
    assert not queries.outbox_visible_to(carol).exists()
    alice.is_active = False
    assert not queries.messages_visible_to(alice).exists()
    assert queries.original_for(alice, mail["carol"].public_id) is None


def test_the_original_goes_to_who_may_read_it(alice, admin, acme, carol, dave, olivia, mail):
    carols, daves, held = (mail[k].public_id for k in ("carol", "dave", "held"))
    alice.served_organizations.set([acme])
    assert queries.original_for(alice, carols) == mail["carol"]
    assert queries.original_for(alice, daves) is None  # a client she does not serve
    assert queries.original_for(alice, held) is None  # no ticket: administrators only
    assert queries.original_for(admin, held) == mail["held"]
    assert queries.original_for(carol, carols) == mail["carol"]
    assert queries.original_for(carol, daves) is None
    assert queries.original_for(carol, held) is None
    assert queries.original_for(dave, carols) is None
    assert queries.original_for(olivia, carols) is None  # a colleague: not her ticket
    assert queries.original_for(admin, "no-such-id") is None


def test_a_customer_gets_only_mail_sent_from_their_own_address(carol, mail):
    mail["carol"].sender = "CAROL@ACME.EXAMPLE"
    mail["carol"].save(update_fields=["sender"])
    assert queries.original_for(carol, mail["carol"].public_id) == mail["carol"]
    mail["carol"].sender = "someone@acme.example"
    mail["carol"].save(update_fields=["sender"])
    assert queries.original_for(carol, mail["carol"].public_id) is None


def _page_ids(user, name: str, prefix: str) -> set[str]:
    client = Client()
    client.force_login(user)
    html = client.get(reverse(name)).content.decode()
    return set(re.findall(rf'id="{prefix}-([^"]+)"', html))


def _api_ids(user, path: str) -> set[str]:
    return {row["public_id"] for row in client_for(user).get(path).json()["items"]}


def _downloadable(user, public_ids) -> set[str]:
    client = Client()
    client.force_login(user)
    return {
        public_id
        for public_id in public_ids
        if client.get(reverse("mail:raw", args=[public_id])).status_code == 200
    }


@pytest.mark.parametrize("restricted", [False, True])
def test_pages_api_and_download_follow_the_same_rule(alice, admin, acme, restricted, mail):
    if restricted:
        alice.served_organizations.set([acme])
        admin.served_organizations.set([acme])
    every = {m.public_id for m in mail.values()}
    for agent in (alice, admin):
        listed = ids(queries.messages_visible_to(agent))
        assert _page_ids(agent, "mail:received", "message") == listed
        assert _api_ids(agent, "/api/v1/mail/messages") == listed
        outbox = ids(queries.outbox_visible_to(agent))
        assert _page_ids(agent, "mail:outbox", "mail") == outbox
        assert _api_ids(agent, "/api/v1/mail/outbox") == outbox
        readable = {p for p in every if queries.original_for(agent, p) is not None}
        assert _downloadable(agent, every) == readable
        if restricted:
            assert mail["dave"].public_id not in listed | readable
            dave_mail = OutboundMail.objects.filter(ticket=mail["dave"].ticket)
            assert not ids(dave_mail) & outbox


def test_a_customer_reaches_only_their_own_original_through_any_door(carol, dave, mail):
    every = {m.public_id for m in mail.values()}
    for customer, own in ((carol, mail["carol"]), (dave, mail["dave"])):
        assert _downloadable(customer, every) == {own.public_id}
        assert client_for(customer).get("/api/v1/mail/messages").status_code == 403
        assert client_for(customer).get("/api/v1/mail/outbox").status_code == 403
        client = Client()
        client.force_login(customer)
        assert client.get(reverse("mail:received")).status_code == 302  # to the portal
