"""Submitting a request by web form."""

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from deskside.tickets.models import Attachment, Channel, Priority, Status, Ticket, TicketType

NEW = "/portal/new/"


def form_data(**overrides):
    data = {
        "subject": "Outlook keeps asking for my password",
        "description": "Since this morning, every five minutes.",
        "type": TicketType.INCIDENT,
        "priority": str(int(Priority.P2)),
        "site": "",
        "request_key": "",
    }
    data.update(overrides)
    return data


def test_form_offers_only_customer_choices(signed_in, carol, acme_hq, globex_site):
    page = signed_in(carol).get(NEW)
    assert page.status_code == 200
    assert "High (P2)" in page.text and "Normal (P3)" in page.text
    assert "Routine (OPS)" in page.text
    assert 'value="1"' not in page.text  # no P1 option
    assert acme_hq.public_id in page.text
    assert globex_site.public_id not in page.text
    assert "Berlin office" not in page.text
    assert "Service request" in page.text or "service request" in page.text


def test_submit_creates_a_web_ticket(signed_in, carol, acme, acme_hq):
    response = signed_in(carol).post(
        NEW,
        form_data(
            type=TicketType.SERVICE_REQUEST,
            site=acme_hq.public_id,
            attachments=[
                SimpleUploadedFile("error.png", b"\x89PNG fake", content_type="image/png"),
                SimpleUploadedFile("log.txt", b"line 1\nline 2", content_type="text/plain"),
            ],
        ),
    )
    ticket = Ticket.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("portal:detail", args=[ticket.number])
    assert ticket.channel == Channel.WEB
    assert ticket.requester == carol
    assert ticket.created_by == carol
    assert ticket.organization == acme
    assert ticket.site == acme_hq
    assert ticket.priority == Priority.P2
    assert ticket.type == TicketType.SERVICE_REQUEST
    assert ticket.status == Status.NEW
    assert ticket.description == "Since this morning, every five minutes."
    files = list(ticket.attachments.order_by("filename"))
    assert [a.filename for a in files] == ["error.png", "log.txt"]
    assert all(a.is_public for a in files)
    assert files[1].file.read() == b"line 1\nline 2"
    page = signed_in(carol).get(response["Location"])
    assert f"{ticket.number}" in page.text
    for a in files:
        assert reverse("tickets:attachment", args=[a.public_id]) in page.text


def test_site_defaults_to_the_customers_own(signed_in, carol, acme_hq):
    signed_in(carol).post(NEW, form_data())
    assert Ticket.objects.get().site == acme_hq


def test_empty_subject_keeps_what_was_typed(signed_in, carol):
    response = signed_in(carol).post(
        NEW,
        form_data(
            subject="   ",
            attachments=[SimpleUploadedFile("a.txt", b"x", content_type="text/plain")],
        ),
    )
    assert response.status_code == 422
    assert not Ticket.objects.exists()
    assert not Attachment.objects.exists()
    assert response.context["form"].errors["subject"]
    assert "Since this morning, every five minutes." in response.text
    assert "attach your files again" in response.text


def test_forged_p1_is_refused(signed_in, carol):
    response = signed_in(carol).post(NEW, form_data(priority=str(int(Priority.P1))))
    assert response.status_code == 422
    assert response.context["form"].errors["priority"]
    assert not Ticket.objects.exists()
    assert "Outlook keeps asking for my password" in response.text


def test_forged_site_of_another_client_is_refused(signed_in, carol, globex_site):
    response = signed_in(carol).post(NEW, form_data(site=globex_site.public_id))
    assert response.status_code == 422
    assert response.context["form"].errors["site"]
    assert not Ticket.objects.exists()


def test_forged_type_is_refused(signed_in, carol):
    response = signed_in(carol).post(NEW, form_data(type=TicketType.OPERATIONAL))
    assert response.status_code == 422
    assert not Ticket.objects.exists()


def test_double_submit_opens_one_ticket(signed_in, carol):
    client = signed_in(carol)
    key = client.get(NEW).context["form"].initial["request_key"]
    assert key
    first = client.post(NEW, form_data(request_key=key))
    second = client.post(NEW, form_data(request_key=key))
    assert Ticket.objects.count() == 1
    assert first["Location"] == second["Location"]
    client.post(NEW, form_data(request_key="another-key"))
    assert Ticket.objects.count() == 2


def test_a_form_sent_again_with_other_words_is_a_new_request(signed_in, carol):
    """Back after sending, the text changed, sent again: the same form key with other content
    is a new request (no 409 for a customer), and sending that twice still opens one."""
    client = signed_in(carol)
    key = client.get(NEW).context["form"].initial["request_key"]
    first = client.post(NEW, form_data(request_key=key))
    edited = form_data(request_key=key, description="It also fails on my phone.")
    second = client.post(NEW, edited)
    again = client.post(NEW, edited)
    assert first.status_code == second.status_code == again.status_code == 302
    assert Ticket.objects.count() == 2
    assert first["Location"] != second["Location"] == again["Location"]
    assert Ticket.objects.filter(description="It also fails on my phone.").count() == 1


def test_service_error_becomes_a_form_error(signed_in, carol, settings):
    settings.DESKSIDE_MAX_ATTACHMENT_BYTES = 10
    response = signed_in(carol).post(
        NEW,
        form_data(attachments=[SimpleUploadedFile("big.bin", b"x" * 100)]),
    )
    assert response.status_code == 422
    assert "big.bin" in str(response.context["form"].errors["attachments"])
    assert not Ticket.objects.exists()
    assert "Outlook keeps asking for my password" in response.text


def test_agent_cannot_submit_through_the_portal(signed_in, alice):
    response = signed_in(alice).post(NEW, form_data())
    assert response.status_code == 302
    assert not Ticket.objects.exists()
