"""What a customer does on a ticket: reply, add files, reopen, close; and what another
client's customer cannot do."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from deskside.tickets import services
from deskside.tickets.models import Attachment, EventKind, Status


def action(ticket, name: str) -> str:
    return reverse(f"portal:{name}", args=[ticket.number])


def detail(ticket) -> str:
    return reverse("portal:detail", args=[ticket.number])


def test_reply_adds_a_public_event_and_reopens_pending(signed_in, alice, carol, acme_ticket):
    services.set_status(actor=alice, ticket=acme_ticket, status=Status.PENDING_CUSTOMER)
    response = signed_in(carol).post(action(acme_ticket, "reply"), {"body": "It is still offline."})
    assert response.status_code == 302
    assert response["Location"] == detail(acme_ticket)
    acme_ticket.refresh_from_db()
    assert acme_ticket.status == Status.OPEN
    event = acme_ticket.events.filter(kind=EventKind.REPLY).get()
    assert event.is_public
    assert event.actor == carol
    assert event.body == "It is still offline."
    page = signed_in(carol).get(detail(acme_ticket))
    assert "It is still offline." in page.text
    assert "In progress" in page.text


def test_reply_to_a_resolved_ticket_reopens_it(signed_in, alice, carol, acme_ticket):
    services.resolve_ticket(actor=alice, ticket=acme_ticket, resolution="Restarted the spooler")
    signed_in(carol).post(action(acme_ticket, "reply"), {"body": "It broke again."})
    acme_ticket.refresh_from_db()
    assert acme_ticket.status == Status.OPEN


def test_reply_with_files_stores_and_links_them(signed_in, carol, acme_ticket):
    response = signed_in(carol).post(
        action(acme_ticket, "reply"),
        {
            "body": "Photos of the error",
            "attachments": [
                SimpleUploadedFile("front.jpg", b"jpeg-1", content_type="image/jpeg"),
                SimpleUploadedFile("back.jpg", b"jpeg-2", content_type="image/jpeg"),
            ],
        },
    )
    assert response.status_code == 302
    event = acme_ticket.events.get(kind=EventKind.REPLY)
    files = list(event.attachments.order_by("filename"))
    assert [a.filename for a in files] == ["back.jpg", "front.jpg"]
    assert all(a.is_public and a.uploaded_by == carol for a in files)
    assert files[0].file.read() == b"jpeg-2"
    page = signed_in(carol).get(detail(acme_ticket))
    for a in files:
        assert reverse("tickets:attachment", args=[a.public_id]) in page.text


def test_empty_reply_is_an_error_and_writes_nothing(signed_in, carol, acme_ticket):
    before = acme_ticket.events.count()
    response = signed_in(carol).post(action(acme_ticket, "reply"), {"body": "  "})
    assert response.status_code == 422
    assert response.context["reply_form"].errors["body"]
    assert acme_ticket.events.count() == before


def test_reply_to_a_closed_ticket_is_refused(signed_in, alice, carol, acme_ticket):
    services.close_ticket(actor=alice, ticket=acme_ticket)
    response = signed_in(carol).post(action(acme_ticket, "reply"), {"body": "Hello?"})
    assert response.status_code == 409
    assert "closed" in response.text
    assert not acme_ticket.events.filter(kind=EventKind.REPLY).exists()


def test_internal_attachment_is_not_listed(signed_in, alice, carol, acme_ticket):
    services.add_note(
        actor=alice,
        ticket=acme_ticket,
        body="config dump",
        attachments=[SimpleUploadedFile("router-secrets.cfg", b"enable secret")],
    )
    internal = Attachment.objects.get()
    page = signed_in(carol).get(detail(acme_ticket))
    assert "router-secrets.cfg" not in page.text
    assert internal.public_id not in page.text


def test_attach_files_without_a_reply(signed_in, carol, acme_ticket):
    response = signed_in(carol).post(
        action(acme_ticket, "attach"),
        {"attachments": [SimpleUploadedFile("screen.png", b"png", content_type="image/png")]},
    )
    assert response.status_code == 302
    attachment = Attachment.objects.get()
    assert attachment.ticket == acme_ticket and attachment.is_public
    page = signed_in(carol).get(detail(acme_ticket))
    assert "screen.png" in page.text
    assert reverse("tickets:attachment", args=[attachment.public_id]) in page.text


def test_attach_without_files_is_an_error(signed_in, carol, acme_ticket):
    response = signed_in(carol).post(action(acme_ticket, "attach"), {})
    assert response.status_code == 422
    assert not Attachment.objects.exists()


def test_reopen_a_resolved_ticket(signed_in, alice, carol, acme_ticket):
    services.resolve_ticket(actor=alice, ticket=acme_ticket, resolution="Cleared the queue")
    response = signed_in(carol).post(action(acme_ticket, "reopen"), {"reason": "Still broken"})
    assert response.status_code == 302
    acme_ticket.refresh_from_db()
    assert acme_ticket.status == Status.OPEN
    assert acme_ticket.events.filter(kind=EventKind.REOPENED, body="Still broken").exists()


def test_reopen_an_open_ticket_is_refused(signed_in, carol, acme_ticket):
    response = signed_in(carol).post(action(acme_ticket, "reopen"), {})
    assert response.status_code == 409
    assert "only a resolved ticket can be reopened" in response.text
    acme_ticket.refresh_from_db()
    assert acme_ticket.status == Status.NEW


def test_requester_closes_her_ticket(signed_in, carol, acme_ticket):
    response = signed_in(carol).post(action(acme_ticket, "close"), {"reason": "Fixed itself"})
    assert response.status_code == 302
    acme_ticket.refresh_from_db()
    assert acme_ticket.status == Status.CLOSED
    page = signed_in(carol).get(detail(acme_ticket))
    assert "This request is closed" in page.text
    assert action(acme_ticket, "reply") not in page.text


def test_org_admin_cannot_close_a_colleagues_ticket(signed_in, olivia, acme_ticket):
    response = signed_in(olivia).post(action(acme_ticket, "close"), {})
    assert response.status_code == 403
    assert "only the requester" in response.text
    acme_ticket.refresh_from_db()
    assert acme_ticket.status == Status.NEW


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("reply", {"body": "Let me in"}),
        ("reopen", {}),
        ("close", {}),
        ("attach", {"attachments": [SimpleUploadedFile("x.txt", b"x")]}),
    ],
)
def test_other_client_cannot_act_on_the_ticket(signed_in, alice, dave, acme_ticket, name, data):
    services.resolve_ticket(actor=alice, ticket=acme_ticket, resolution="Done")
    before = acme_ticket.events.count()
    response = signed_in(dave).post(action(acme_ticket, name), data)
    assert response.status_code == 404
    acme_ticket.refresh_from_db()
    assert acme_ticket.status == Status.RESOLVED
    assert acme_ticket.events.count() == before
    assert not Attachment.objects.exists()


@pytest.mark.parametrize("name", ["reply", "reopen", "close", "attach"])
def test_actions_are_post_only(signed_in, carol, acme_ticket, name):
    assert signed_in(carol).get(action(acme_ticket, name)).status_code == 405
