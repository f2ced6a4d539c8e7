"""One limit for a mail message, DESKSIDE_MAX_MESSAGE_MB, whichever way it comes: `deskside
smtpd` answers a larger one with 552 (the sending MTA bounces it or keeps it) and keeps nothing;
the API's answer is a JSON 413 (tests/api/test_contract.py)."""

import smtplib

import pytest

from deskside.mail import smtpd
from deskside.mail.models import InboundMessage, Mailbox
from deskside.tickets.models import Ticket
from tests.api.test_contract import message_of
from tests.mail.test_smtp_e2e import free_port

pytestmark = pytest.mark.django_db(transaction=True)

LIMIT = 2**20


@pytest.fixture
def small_receiver(settings, acme):
    settings.DESKSIDE_MAX_MESSAGE_BYTES = LIMIT
    Mailbox.objects.create(
        name="Help",
        address="help@desk.example",
        protocol=Mailbox.Protocol.DELIVERY,
        organization=acme,
    )
    server = smtpd.controller("127.0.0.1", free_port())
    server.start()
    yield server
    server.stop()


def _send(server, raw: bytes) -> None:
    with smtplib.SMTP(server.hostname, server.port, timeout=10) as client:
        # bytes go out as they are: SMTP's line ends are CRLF
        client.sendmail("carol@acme.example", ["help@desk.example"], raw.replace(b"\n", b"\r\n"))


def test_smtpd_takes_a_message_up_to_the_limit_and_refuses_a_larger_one(small_receiver, carol):
    # SMTP counts the message as sent (CRLF line ends, dot-stuffed): leave room for those. The
    # client announces the size (ESMTP SIZE), so the refusal comes at MAIL FROM, before DATA.
    with pytest.raises(smtplib.SMTPResponseException) as refused:
        _send(small_receiver, message_of(LIMIT + 1000))
    assert refused.value.smtp_code == 552
    assert not InboundMessage.objects.exists()

    _send(small_receiver, message_of(LIMIT - 40_000))
    assert Ticket.objects.get().requester == carol
