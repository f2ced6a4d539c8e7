"""Racing workers send each notification mail once: the conditional UPDATE that claims a row
has one winner (threads with their own connections, on SQLite and PostgreSQL)."""

import pytest
from django.core import mail

from deskside.notifications import delivery
from deskside.notifications.models import NotificationMail
from deskside.tickets import services as tickets
from tests.core.races import in_threads

pytestmark = pytest.mark.django_db(transaction=True)


def test_two_workers_send_each_mail_once(alice, leo, tara, acme_ticket):
    for i in range(10):
        tickets.add_note(actor=alice, ticket=acme_ticket, body=f"@leo @tara look {i}")
    assert NotificationMail.objects.filter(state="queued").count() == 20
    results, errors = in_threads(delivery.send_due, delivery.send_due, delivery.send_due)
    assert errors == []
    assert sum(r.sent for r in results) == 20
    assert len(mail.outbox) == 20
    assert (
        sorted(m.to[0] for m in mail.outbox) == ["leo@msp.example"] * 10 + ["tara@msp.example"] * 10
    )
    assert NotificationMail.objects.exclude(state="sent").count() == 0
