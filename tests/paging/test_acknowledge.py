"""Acknowledging, each of the four ways, stops the chain and gives the ticket to the person:
the signed link (a GET never acknowledges; a tampered or expired link is refused), the agent
pages, the API, and a reply to the page email (which does not become a reply on the ticket)."""

import json
import re
from datetime import timedelta
from email.message import EmailMessage

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from deskside.accounts import services as accounts
from deskside.accounts.models import Tier
from deskside.mail.models import InboundMessage
from deskside.mail.pipeline import receive
from deskside.paging import services
from deskside.paging.models import Escalation, Page
from deskside.paging.worker import paging_pass
from deskside.tickets.models import EventKind
from deskside.webhooks import payloads
from tests.conftest import client_for
from tests.mailauth import mark_verified
from tests.paging.conftest import T0


def _link(message) -> str:
    return re.search(r"http://[^\s]+/paging/ack/[^\s]+/", message.body).group(0)


def _path(link: str) -> str:
    return link.split("://", 1)[1].split("/", 1)[1].join(["/", ""])


def _stopped(ticket, user, via: str) -> None:
    escalation = Escalation.objects.get(ticket=ticket)
    assert escalation.status == "acknowledged"
    assert escalation.next_at is None
    assert escalation.acknowledged_by == user and escalation.acknowledged_via == via
    ticket.refresh_from_db()
    assert ticket.assignee == user
    event = ticket.events.get(kind=EventKind.ACKNOWLEDGED)
    assert event.actor == user and not event.is_public and event.data["via"] == via


def _later_pages(ticket, at) -> int:
    before = Page.objects.filter(ticket=ticket).count()
    for minute in range(1, 45):
        at(T0 + timedelta(minutes=minute))
        paging_pass()
    return Page.objects.filter(ticket=ticket).count() - before


def test_the_signed_link_get_confirms_post_acknowledges(p1, at, alice, client):
    paging_pass()
    path = _path(_link(mail.outbox[0]))
    page = client.get(path)  # a link preview, or the person opening it
    assert page.status_code == 200
    assert b"Acknowledge</button>" in page.content
    assert Escalation.objects.get(ticket=p1).status == "active"

    done = client.post(path)
    assert done.status_code == 200 and b"Acknowledged" in done.content
    _stopped(p1, alice, "link")
    assert _later_pages(p1, at) == 0

    again = client.post(path)
    assert again.status_code == 409


def test_a_tampered_or_expired_link_is_refused(p1, at, client):
    paging_pass()
    path = _path(_link(mail.outbox[0]))
    token = path.rstrip("/").rsplit("/", 1)[1]
    tampered = path.replace(token, token[:-2] + ("AA" if token[-2:] != "AA" else "BB"))
    assert client.get(tampered).status_code == 400
    assert client.post(tampered).status_code == 400
    at(T0 + timedelta(hours=24, minutes=1))
    response = client.post(path)
    assert response.status_code == 400 and b"expired" in response.content
    assert Escalation.objects.get(ticket=p1).status != "acknowledged"


def test_the_agent_pages_acknowledge(p1, at, leo, client):
    paging_pass()
    at(T0 + timedelta(minutes=5))
    paging_pass()  # Leo paged
    client.force_login(leo)
    index = client.get(reverse("paging:index"))
    assert index.status_code == 200 and p1.number.encode() in index.content
    escalation = Escalation.objects.get(ticket=p1)
    response = client.post(reverse("paging:acknowledge", args=[escalation.public_id]))
    assert response.status_code == 302
    _stopped(p1, leo, "page")


def test_the_ticket_panel_fragment_and_its_htmx_button(p1, at, tara, client):
    paging_pass()
    client.force_login(tara)
    panel = client.get(reverse("paging:ticket_panel", args=[p1.number]))
    assert panel.status_code == 200
    assert b"<html" not in panel.content and b"Acknowledge" in panel.content
    assert b"Alice Agent" in panel.content
    escalation = Escalation.objects.get(ticket=p1)
    after = client.post(
        reverse("paging:acknowledge", args=[escalation.public_id]), HTTP_HX_REQUEST="true"
    )
    assert after.status_code == 200 and b"Acknowledged" in after.content
    assert json.loads(after.headers["HX-Trigger"]) == {"ticket-changed": {}}  # page reloads
    _stopped(p1, tara, "page")


def test_the_api_acknowledges(p1, at, leo):
    paging_pass()
    api = client_for(leo)
    response = api.post(f"/api/v1/tickets/{p1.number}/acknowledge")
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "acknowledged"
    _stopped(p1, leo, "api")
    again = api.post(f"/api/v1/tickets/{p1.number}/acknowledge")
    assert again.status_code == 409
    assert again.json()["detail"] == f"Leo Field already acknowledged {p1.number}"


def _reply(page_mail, sender: str) -> bytes:
    msg = EmailMessage()
    msg["From"] = sender
    msg["To"] = "desk@msp.example"
    msg["Subject"] = "Re: " + page_mail.subject
    msg["Message-ID"] = "<reply-1@phone.example>"
    msg["In-Reply-To"] = page_mail.extra_headers["Message-ID"]
    msg["References"] = page_mail.extra_headers["Message-ID"]
    msg.set_content("ack, on it\n\n> quoted page\n")
    return mark_verified(msg).as_bytes()


def test_a_reply_to_the_page_email_acknowledges(p1, at, alice):
    paging_pass()
    result = receive(_reply(mail.outbox[0], "Alice <alice@msp.example>"), source="import")
    assert result.outcome == "appended" and result.message.reason == "page_ack"
    _stopped(p1, alice, "email")
    assert not p1.events.filter(kind=EventKind.REPLY).exists()  # not a reply to the customer


def test_a_reply_from_an_email_contact_method_acknowledges(p1, at, alice):
    services.add_contact_method(actor=alice, user=alice, kind="email", address="a@pager.example")
    paging_pass()
    result = receive(_reply(mail.outbox[0], "a@pager.example"), source="import")
    assert result.message.reason == "page_ack"
    _stopped(p1, alice, "email")


def test_a_reply_from_someone_else_is_held_not_posted(p1, at):
    paging_pass()
    result = receive(_reply(mail.outbox[0], "mallory@evil.example"), source="import")
    assert result.outcome == "quarantined" and result.message.reason == "page_reply"
    assert Escalation.objects.get(ticket=p1).status == "active"
    assert not p1.events.filter(kind=EventKind.REPLY).exists()
    assert InboundMessage.objects.count() == 1


def test_acknowledging_after_exhaustion_still_works(p1, at, tara):
    for minute in range(0, 45):
        at(T0 + timedelta(minutes=minute))
        paging_pass()
    assert Escalation.objects.get(ticket=p1).status == "exhausted"
    services.acknowledge_ticket(actor=tara, ticket=p1, via="page")
    _stopped(p1, tara, "page")


def test_two_acknowledgements_one_wins(p1, at, alice, leo):
    paging_pass()
    services.acknowledge_ticket(actor=alice, ticket=p1, via="api")
    with pytest.raises(services.AlreadyDone):
        services.acknowledge_ticket(actor=leo, ticket=p1, via="api")
    _stopped(p1, alice, "api")


def test_an_out_of_office_answer_to_a_page_does_not_acknowledge(p1, at):
    paging_pass()
    msg = EmailMessage()
    msg["From"] = "alice@msp.example"
    msg["Subject"] = "Automatic reply: " + mail.outbox[0].subject
    msg["Message-ID"] = "<ooo-1@msp.example>"
    msg["In-Reply-To"] = mail.outbox[0].extra_headers["Message-ID"]
    msg["Auto-Submitted"] = "auto-replied"
    msg.set_content("I am out of the office.")
    result = receive(msg.as_bytes(), source="import")
    assert result.outcome == "auto_reply"
    assert Escalation.objects.get(ticket=p1).status == "active"


def test_the_link_works_in_a_browser_with_csrf_checks(p1, at, alice):

    paging_pass()
    path = _path(_link(mail.outbox[0]))
    browser = Client(enforce_csrf_checks=True)
    page = browser.get(path)
    token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', page.content).group(1)
    assert browser.post(path).status_code == 403  # no token: refused, nothing done
    done = browser.post(path, {"csrfmiddlewaretoken": token.decode()})
    assert done.status_code == 200
    _stopped(p1, alice, "link")


def test_a_signed_in_agent_acknowledges_a_link_as_themselves(p1, at, alice, leo, client):
    paging_pass()
    path = _path(_link(mail.outbox[0]))  # Alice's page, forwarded to Leo
    client.force_login(leo)
    confirm = client.get(path)
    assert b"You are signed in as Leo Field: you acknowledge as yourself" in confirm.content
    done = client.post(path)
    assert done.status_code == 200 and b"assigned to Leo Field" in done.content
    _stopped(p1, leo, "link")
    event = p1.events.get(kind=EventKind.ACKNOWLEDGED)
    assert event.data["page"] == Page.objects.get(user=alice).public_id


def test_a_signed_in_agent_who_does_not_serve_the_client_cannot_use_a_link(
    p1, at, msp, globex, client
):

    gina = accounts.create_user(
        email="gina@msp.example",
        full_name="Gina Globex",
        kind="agent",
        tier=Tier.L1,
        organization=msp,
    )
    gina.served_organizations.set([globex])
    paging_pass()
    path = _path(_link(mail.outbox[0]))
    client.force_login(gina)
    assert client.post(path).status_code == 403
    assert Escalation.objects.get(ticket=p1).status == "active"
    client.logout()
    assert client.post(path).status_code == 200  # not signed in: as the paged person
    _stopped(p1, Page.objects.get().user, "link")


@pytest.mark.parametrize("forged", ["unsigned", "wrong signature"])
def test_a_forged_page_message_id_is_not_an_acknowledgement(p1, at, alice, forged):
    """Agents see pages' public ids; without the Message-ID's HMAC a reply names no page and
    goes the normal way."""
    paging_pass()
    page = Page.objects.get()
    real = mail.outbox[0].extra_headers["Message-ID"]
    domain = real.rsplit("@", 1)[1]
    signature = "" if forged == "unsigned" else ".0123456789abcdef0123456789abcdef"
    mail.outbox[0].extra_headers["Message-ID"] = (
        f"<deskside.page.{page.public_id}{signature}@{domain}>"
    )
    result = receive(_reply(mail.outbox[0], "Alice <alice@msp.example>"), source="import")
    assert result.message.reason not in ("page_ack", "page_reply"), result.outcome
    assert Escalation.objects.get(ticket=p1).status == "active"
    assert not p1.events.filter(kind=EventKind.ACKNOWLEDGED).exists()


def test_paged_and_acknowledged_number_the_step_alike(p1, at, leo):
    """Issue 11: ticket.paged said `step: 0` where ticket.acknowledged said `step: 1` for the
    same page. Both now count from 1, as the page's text and the paging pages do."""
    paging_pass()  # step 1, round 1: Alice
    at(T0 + timedelta(minutes=5))
    paging_pass()  # step 2, round 1: Leo
    leos = Page.objects.get(ticket=p1, user=leo)
    services.acknowledge(actor=leo, escalation=leos.escalation, via="link", page=leos)

    paged = p1.events.filter(kind=EventKind.PAGED).order_by("id")
    assert [(e.data["name"], e.data["step"], e.data["cycle"]) for e in paged] == [
        ("Alice Agent", 1, 1),
        ("Leo Field", 2, 1),
    ]
    acked = p1.events.get(kind=EventKind.ACKNOWLEDGED)
    assert (acked.data["step"], acked.data["cycle"]) == (2, 1)
    # What a client's webhook receives for the page and its acknowledgement.
    sent = [payloads.for_event(e, internal=False)["data"] for e in (paged[1], acked)]
    assert sent == [
        {"name": "Leo Field", "step": 2, "cycle": 1},
        {"via": "link", "step": 2, "cycle": 1},
    ]


def test_acknowledging_from_the_ticket_names_the_last_step_paged(p1, at, alice):
    paging_pass()  # step 1 pages Alice; the chain's next step is 2
    services.acknowledge_ticket(actor=alice, ticket=p1, via="page")
    paged = p1.events.get(kind=EventKind.PAGED)
    acked = p1.events.get(kind=EventKind.ACKNOWLEDGED)
    assert (paged.data["step"], paged.data["cycle"]) == (1, 1)
    assert (acked.data["step"], acked.data["cycle"]) == (1, 1)
