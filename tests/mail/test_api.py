"""The email channel's API: agents read, admins reprocess, discard and deliver; customers get
403; an agent who does not serve a client never sees its mail."""

from django.test import Client

from deskside.mail.models import InboundMessage, Mailbox, OutboundMail, Outcome
from deskside.mail.pipeline import Policy, receive
from deskside.tickets.models import Ticket
from tests.conftest import client_for
from tests.mail.test_pipeline import raw_mail

API = "/api/v1/mail"


def raw_post(client: Client, path: str, raw: bytes):
    return Client.post(client, path, raw, content_type="message/rfc822")  # not JSON


def test_agents_list_received_mail_customers_get_403(alice, carol, acme):
    receive(raw_mail(), source="import", policy=Policy(organization=acme))
    receive(raw_mail(sender="x@nowhere.example", message_id="<q@x>"), source="import")

    body = client_for(alice).get(f"{API}/messages").json()
    assert [m["outcome"] for m in body["items"]] == ["quarantined", "created"]
    held = client_for(alice).get(f"{API}/messages?outcome=quarantined").json()["items"]
    assert held[0]["reason"] == "unknown_sender" and held[0]["ticket"] is None
    assert client_for(carol).get(f"{API}/messages").status_code == 403
    assert client_for(carol).get(f"{API}/outbox").status_code == 403
    bad = client_for(alice).get(f"{API}/messages?outcome=nonsense")
    assert bad.status_code == 422 and bad.json()["field"] == "outcome"


def test_an_agent_sees_only_the_mail_of_clients_they_serve(alice, carol, dave, acme, globex):
    alice.served_organizations.set([acme])
    receive(raw_mail(), source="import", policy=Policy(organization=acme))
    receive(
        raw_mail(sender="dave@globex.example", message_id="<g@x>"),
        source="import",
        policy=Policy(organization=globex),
    )
    globex_message = InboundMessage.objects.get(message_id="g@x")

    senders = [m["sender"] for m in client_for(alice).get(f"{API}/messages").json()["items"]]
    assert senders == ["carol@acme.example"]
    outbox = client_for(alice).get(f"{API}/outbox").json()["items"]
    assert {m["recipients"] for m in outbox} == {"carol@acme.example"}
    alice.is_staff = True
    alice.save()
    path = f"{API}/messages/{globex_message.public_id}/discard"
    assert client_for(alice).post(path).status_code == 404


def test_admin_reprocesses_after_the_cause_is_fixed_and_discards(admin, alice, acme):
    receive(raw_mail(sender="new@acme.example"), source="imap")  # unknown: quarantined
    message = InboundMessage.objects.get()
    path = f"{API}/messages/{message.public_id}"

    assert client_for(alice).post(f"{path}/reprocess").status_code == 403  # not an admin
    again = client_for(admin).post(f"{path}/reprocess").json()
    assert again["outcome"] == "quarantined"  # the cause is still there

    acme.email_domains = "acme.example"
    acme.save()
    fixed = client_for(admin).post(f"{path}/reprocess").json()
    assert fixed["outcome"] == "created" and fixed["ticket"]
    assert client_for(admin).post(f"{path}/discard").status_code == 422  # not held any more

    receive(raw_mail(sender="spam@nowhere.example", message_id="<s@x>"), source="imap")
    spam = InboundMessage.objects.get(message_id="s@x")
    gone = client_for(admin).post(f"{API}/messages/{spam.public_id}/discard").json()
    assert gone["outcome"] == Outcome.DISCARDED


def test_inbound_delivers_a_raw_message_through_the_pipeline(admin, carol, acme):
    Mailbox.objects.create(
        name="Help", address="help@msp.example", protocol="delivery", organization=acme
    )
    client = client_for(admin)

    first = raw_post(client, f"{API}/inbound?mailbox=Help", raw_mail())
    assert first.status_code == 200 and first.json()["outcome"] == "created"
    assert first.json()["message"]["mailbox"] == "Help"
    again = raw_post(client, f"{API}/inbound", raw_mail())
    assert again.json()["outcome"] == "duplicate"
    assert Ticket.objects.count() == 1
    assert OutboundMail.objects.count() == 1  # acknowledged once

    empty = raw_post(client, f"{API}/inbound", b"")
    assert empty.status_code == 422 and empty.json()["field"] == "body"
    unknown = raw_post(client, f"{API}/inbound?mailbox=Nope", raw_mail(message_id="<n@x>"))
    assert unknown.status_code == 422 and unknown.json()["field"] == "mailbox"
    assert raw_post(client_for(carol), f"{API}/inbound", raw_mail()).status_code == 403
