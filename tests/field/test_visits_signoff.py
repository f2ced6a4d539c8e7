"""The sign-off link mailed to the requester: queued durably in the mail outbox (rendered with
the link by the worker), then the page without login: good, expired, tampered, reused, another
visit's, a requester who changed; nothing stored when refused."""

import base64
from datetime import timedelta

import pytest
from django.test import Client

from deskside.core import clock
from deskside.field import signoff_links
from deskside.field.exceptions import InvalidInput, InvalidTransition, NotAllowed
from deskside.field.models import Visit
from deskside.field.services import signoff, visits
from deskside.mail import outbound
from deskside.mail.models import OutboundMail
from deskside.tickets.models import Attachment, EventKind
from tests.field.fixtures_visits import *  # noqa: F403
from tests.field.fixtures_visits import NOW, PNG

DATA_URL = "data:image/png;base64," + base64.b64encode(PNG).decode()


def _link(visit) -> str:
    mail = OutboundMail.objects.get(ticket=visit.ticket)
    body = outbound.build(mail).body
    [line] = [x for x in body.splitlines() if "/field/sign/" in x]
    return "/" + line.strip().split("://", 1)[1].split("/", 1)[1]  # the path of the URL


def test_sending_queues_one_mail_to_the_requester_with_the_link_not_on_the_timeline(
    done, alice, carol
):
    mail = signoff.send_link(alice, done)
    assert mail.state == OutboundMail.State.QUEUED and mail.recipients == carol.email
    message = outbound.build(mail)
    assert message.to == [carol.email] and f"[{done.ticket.number}]" in message.subject
    assert "/field/sign/" + done.public_id in message.body and "Leo" in message.body
    event = done.ticket.events.filter(kind=EventKind.VISIT).order_by("-pk").first()
    assert event.data["action"] == "signoff_link" and not event.is_public
    assert "/field/sign/" not in event.body and "token" not in event.data


def test_who_and_when_a_link_may_be_sent(visit, on_site, alice, dave, carol):
    with pytest.raises(NotAllowed):
        signoff.send_link(dave, on_site)
    carol.email = ""
    carol.save()
    with pytest.raises(InvalidInput) as error:
        signoff.send_link(alice, on_site)
    assert error.value.field == "requester"
    assert not OutboundMail.objects.exists()


def test_no_link_before_the_technician_is_on_site(visit, alice):
    with pytest.raises(InvalidTransition):
        signoff.send_link(alice, visit)


def test_the_good_link_shows_the_visit_and_signs_once(done, alice):
    signoff.send_link(alice, done)
    path = _link(done)
    page = Client().get(path)
    assert page.status_code == 200
    text = page.content.decode()
    assert "HQ" in text and "Leo" in text and "Printed a test page" in text
    assert "Field" not in text.split("Technician")[1][:40]  # first name only
    assert "key is with reception" not in text and "Toner" not in text  # nothing internal
    assert 'data-signature-for="id_signature"' in text and "field/signature.js" in text
    answer = Client().post(path, {"name": "Carol Customer", "signature": DATA_URL})
    assert answer.status_code == 200 and "Thank you" in answer.content.decode()
    done.refresh_from_db()
    assert done.signed_via == "link" and done.signed_name == "Carol Customer"
    with done.signature.file.open("rb") as fh:
        assert fh.read() == PNG
    again = Client().post(path, {"name": "Mallory", "signature": DATA_URL})
    assert again.status_code == 409 and "signed already" in again.content.decode()
    assert Client().get(path).status_code == 409
    done.refresh_from_db()
    assert done.signed_name == "Carol Customer"


def test_form_errors_store_nothing(done, alice):
    signoff.send_link(alice, done)
    path = _link(done)
    for data, field in (
        ({"name": "", "signature": DATA_URL}, "This field is required"),
        ({"name": "Carol", "signature": ""}, "draw the signature"),
        ({"name": "Carol", "signature": "data:image/png;base64,!!!"}, "could not be read"),
        (
            {
                "name": "Carol",
                "signature": "data:image/png;base64," + base64.b64encode(b"GIF89a").decode(),
            },
            "not a PNG",
        ),
    ):
        answer = Client().post(path, data)
        assert answer.status_code == 400 and field in answer.content.decode()
    done.refresh_from_db()
    assert done.signed_at is None and not Attachment.objects.exists()


def test_an_expired_link_is_refused(done, alice):
    signoff.send_link(alice, done)
    path = _link(done)
    with clock.frozen(NOW + timedelta(days=signoff_links.LINK_DAYS, seconds=1)):
        answer = Client().post(path, {"name": "Carol", "signature": DATA_URL})
    assert answer.status_code == 410 and "expired" in answer.content.decode()
    with clock.frozen(NOW + timedelta(days=signoff_links.LINK_DAYS)):
        assert Client().get(path).status_code == 200  # the last second still counts
    done.refresh_from_db()
    assert done.signed_at is None


def test_a_tampered_link_is_refused(done, alice):
    signoff.send_link(alice, done)
    path = _link(done)
    token = path.rstrip("/").rsplit("/", 1)[1]
    forged = token[:-2] + ("AA" if not token.endswith("AA") else "BB")
    answer = Client().post(
        f"/field/sign/{done.public_id}/{forged}/", {"name": "Carol", "signature": DATA_URL}
    )
    assert answer.status_code == 400 and "not valid" in answer.content.decode()
    assert Client().get(f"/field/sign/{done.public_id}/nonsense/").status_code == 400
    done.refresh_from_db()
    assert done.signed_at is None


def test_another_visits_link_does_not_sign_this_one(done, alice, acme_hq):
    other = Visit.objects.create(
        ticket=done.ticket,
        organization=done.organization,
        site=acme_hq,
        window_start=NOW,
        window_end=NOW,
    )
    signoff.send_link(alice, done)
    token = _link(done).rstrip("/").rsplit("/", 1)[1]
    answer = Client().post(
        f"/field/sign/{other.public_id}/{token}/", {"name": "Carol", "signature": DATA_URL}
    )
    assert answer.status_code == 400
    assert not Visit.objects.filter(signed_at__isnull=False).exists()


def test_a_link_for_a_former_requester_is_refused(done, alice, olivia):
    signoff.send_link(alice, done)
    path = _link(done)
    ticket = done.ticket
    ticket.requester = olivia
    ticket.save(update_fields=["requester"])
    assert Client().get(path).status_code == 400


def test_signed_on_the_phone_first_the_link_is_used(done, alice, leo):
    signoff.send_link(alice, done)
    path = _link(done)
    visits.sign_on_phone(leo, done, "Carol Customer", PNG)
    assert Client().get(path).status_code == 409


def test_the_mail_points_at_its_own_event_when_another_visit_writes_in_between(
    done, alice, monkeypatch
):
    """Another visit of the ticket writes its event between the link's event and the mail row
    (another request committing): the mail keeps the link's event, so it still has a link."""
    real = signoff.visit_event

    def and_another(visit, actor, action, body="", **data):
        mine = real(visit, actor, action, body, **data)
        real(visit, actor, "rescheduled", "Another visit moved", visit_was="V-OTHER")
        return mine

    monkeypatch.setattr(signoff, "visit_event", and_another)
    mail = signoff.send_link(alice, done)
    assert mail.event.data["action"] == "signoff_link"
    assert "/field/sign/" + done.public_id in outbound.build(mail).body


def test_the_mail_gives_the_visits_date_in_the_sites_zone(done, alice):
    # Checked in at 14:00 UTC on 9 Dec: already 10 Dec at a site on UTC+14.
    done.site.timezone = "Pacific/Kiritimati"
    done.site.save()
    body = outbound.build(signoff.send_link(alice, done)).body
    assert "on 10 Dec 2026 with your name" in body and "UTC" not in body
    # The page without login shows the same day.
    page = Client().get(_link(done))
    assert "Thursday 10 December 2026" in page.content.decode()
    done.site.timezone = "America/Los_Angeles"  # 06:00 on 9 Dec there
    done.site.save()
    assert "on 09 Dec 2026 with" in outbound.build(OutboundMail.objects.get()).body
