"""End to end on loopback: a real SMTP client (smtplib) delivers to `deskside smtpd`'s receiver,
an agent answers, the answer leaves through Django's SMTP backend to a real SMTP server
(aiosmtpd) that captures it, and the customer's reply to that captured mail lands on the same
ticket. The receiver runs in a thread of the test process (the same code `deskside smtpd`
serves), so the test database is the one it writes to."""

import email
import smtplib
import socket
from email import policy
from email.message import EmailMessage

import pytest
from aiosmtpd.controller import Controller
from django.db import DatabaseError

from deskside.mail import outbound, smtpd
from deskside.mail.models import InboundMessage, Mailbox, Outcome
from deskside.tickets import services as tickets
from deskside.tickets.models import Channel, EventKind, Ticket
from tests.mailauth import mark_verified

pytestmark = pytest.mark.django_db(transaction=True)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Capture:
    """An SMTP server's handler that keeps every message it is given."""

    def __init__(self) -> None:
        self.messages: list[email.message.EmailMessage] = []
        self.envelopes: list[tuple[str, list[str]]] = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(email.message_from_bytes(envelope.content, policy=policy.default))
        self.envelopes.append((envelope.mail_from, list(envelope.rcpt_tos)))
        return "250 OK"


@pytest.fixture
def capture(settings):
    handler = Capture()
    server = Controller(handler, hostname="127.0.0.1", port=free_port())
    server.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", server.port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.DEFAULT_FROM_EMAIL = "desk@msp.example"
    yield handler
    server.stop()


@pytest.fixture
def helpbox(acme):
    return Mailbox.objects.create(
        name="Help",
        address="help@msp.example",
        protocol=Mailbox.Protocol.DELIVERY,
        organization=acme,
        unknown_senders=Mailbox.UnknownSenders.CREATE,
    )


@pytest.fixture
def receiver():
    server = smtpd.controller("127.0.0.1", free_port())
    server.start()
    yield server
    server.stop()


def deliver(server, message: EmailMessage, to: list[str] | None = None) -> None:
    with smtplib.SMTP(server.hostname, server.port, timeout=10) as client:
        client.send_message(message, to_addrs=to)


def customer_mail(subject: str, body: str, **headers: str) -> EmailMessage:
    msg = EmailMessage()
    msg["From"] = "Carol Customer <carol@acme.example>"
    msg["To"] = "help@msp.example"
    msg["Subject"] = subject
    msg["Message-ID"] = email.utils.make_msgid(domain="acme.example")
    for name, value in headers.items():
        msg[name] = value
    msg.set_content(body)
    return mark_verified(msg)


def test_mail_in_answer_out_reply_in_on_one_ticket(carol, alice, helpbox, capture, receiver):
    first = customer_mail("Laptop will not boot", "It beeps three times and stops.\n")
    deliver(receiver, first)

    ticket = Ticket.objects.get()
    assert ticket.channel == Channel.EMAIL and ticket.requester == carol
    assert ticket.description == "It beeps three times and stops."

    tickets.add_reply(actor=alice, ticket=ticket, body="Please hold the power button 30 s.")
    assert outbound.send_due().sent == 2
    ack, answer = capture.messages
    assert capture.envelopes[1][1] == ["carol@acme.example"]
    assert ack["Auto-Submitted"] == "auto-replied"
    assert answer["Auto-Submitted"] is None
    first_id = first["Message-ID"]
    assert ack["In-Reply-To"] == first_id
    assert answer["In-Reply-To"] == ack["Message-ID"]
    assert answer["References"].split() == [first_id, ack["Message-ID"]]
    assert answer["Subject"] == f"Re: [{ticket.number}] Laptop will not boot"
    assert answer["Reply-To"] == "help@msp.example"
    assert "Please hold the power button 30 s." in answer.get_content()

    # The customer answers the captured mail from their mail client.
    reply = customer_mail(
        "Re: " + answer["Subject"],
        "That worked, thank you!\n\n"
        "On Mon, 23 Nov 2026 at 10:00, Deskside <desk@msp.example> wrote:\n"
        "> Please hold the power button 30 s.\n",
        **{"In-Reply-To": answer["Message-ID"], "References": answer["References"]},
    )
    reply.replace_header("Subject", "Re: Laptop will not boot")  # a client that drops tags
    deliver(receiver, reply)

    assert Ticket.objects.count() == 1
    last = ticket.events.filter(kind=EventKind.REPLY).last()
    assert last.actor == carol
    assert last.body == "That worked, thank you!"
    sent = ticket.events.filter(kind=EventKind.MAIL_SENT)
    assert [e.data["kind"] for e in sent] == ["acknowledgement", "reply"]


def test_the_same_delivery_twice_makes_one_ticket(carol, helpbox, capture, receiver):
    message = customer_mail("Printer", "Out of toner.\n")
    deliver(receiver, message)
    deliver(receiver, message)  # an MTA that retried after a lost 250

    assert Ticket.objects.count() == 1
    assert InboundMessage.objects.get().outcome == Outcome.CREATED


def test_lmtp_answers_once_per_recipient(carol, helpbox, capture):
    """RFC 2033: after DATA, one reply per accepted recipient. (Python's smtplib.LMTP reads
    only one, so the conversation is spoken on a plain socket.)"""
    server = smtpd.controller("127.0.0.1", free_port(), lmtp=True)
    server.start()
    message = customer_mail("Scanner", "It scans blank pages.\n").as_bytes()
    try:
        with socket.create_connection((server.hostname, server.port), timeout=10) as sock:
            lines = sock.makefile("rb")

            def say(command: bytes) -> bytes:
                sock.sendall(command + b"\r\n")
                reply = lines.readline()
                while reply[3:4] == b"-":
                    reply = lines.readline()
                return reply

            assert lines.readline().startswith(b"220")
            assert say(b"LHLO client.example").startswith(b"250")
            assert say(b"MAIL FROM:<carol@acme.example>").startswith(b"250")
            assert say(b"RCPT TO:<help@msp.example>").startswith(b"250")
            assert say(b"RCPT TO:<it@msp.example>").startswith(b"250")
            assert say(b"DATA").startswith(b"354")
            sock.sendall(message.replace(b"\n", b"\r\n") + b".\r\n")
            answers = [lines.readline(), lines.readline()]
            assert all(a.startswith(b"250") for a in answers), answers
            assert say(b"QUIT").startswith(b"221")
    finally:
        server.stop()
    assert InboundMessage.objects.get().source == "lmtp"
    assert Ticket.objects.count() == 1


def test_a_database_outage_answers_451_so_the_mta_retries(
    carol, helpbox, capture, receiver, monkeypatch
):
    def down(*args, **kwargs):
        raise DatabaseError("server closed the connection")

    monkeypatch.setattr(smtpd, "receive", down)
    with pytest.raises(smtplib.SMTPDataError) as refused:
        deliver(receiver, customer_mail("VPN", "Down.\n"))
    assert refused.value.smtp_code == 451
    assert not InboundMessage.objects.exists()
