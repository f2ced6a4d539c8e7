"""Outgoing mail is sent at most once, whatever stops the worker (issue 11, item 8).

A real SMTP server (aiosmtpd) on loopback counts what it was given. A worker "killed" after
the server accepted a mail (a BaseException raised where the row is marked sent, which no
`except Exception` catches, as a SIGKILL would not be caught) leaves the mail "unknown" on the
next pass, with a timeline note, instead of sending it again; a connection that breaks after
DATA without the server's answer does the same; a mail that never reached the server is sent
again; an administrator sends an "unknown" mail again from the outbox, deliberately."""

import email
import socket
import threading
from datetime import timedelta
from email import policy

import pytest
from aiosmtpd.controller import Controller
from django.db import connections
from django.test import Client
from django.urls import reverse

from deskside.accounts.models import Tier
from deskside.core import clock
from deskside.mail import outbound
from deskside.mail import worker as mail_worker
from deskside.mail.models import MessageRef, OutboundMail
from deskside.tickets import services as tickets
from deskside.tickets.models import EventKind


class Crash(BaseException):
    """The worker process stops here (nothing in the worker catches it, as with a kill)."""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Server:
    """An SMTP server's handler that keeps every message it is given. `answers` are what it
    says to the end of data, one per message (then "250 OK"): an SMTP reply, or "drop" to
    keep the message and close the connection without answering (the outage case)."""

    def __init__(self) -> None:
        self.messages: list[email.message.EmailMessage] = []
        self.answers: list[str] = []
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):
        with self.lock:
            self.messages.append(email.message_from_bytes(envelope.content, policy=policy.default))
            answer = self.answers.pop(0) if self.answers else "250 OK"
        if answer == "drop":
            server.transport.close()
            return "250 OK"  # never reaches the client: the connection is gone
        return answer

    def ids(self) -> list[str]:
        return [m["Message-ID"] for m in self.messages]


@pytest.fixture
def smtp(settings):
    handler = Server()
    server = Controller(handler, hostname="127.0.0.1", port=free_port())
    server.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", server.port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_TIMEOUT = 10
    settings.DEFAULT_FROM_EMAIL = "desk@msp.example"
    yield handler
    server.stop()


def crash_when_marking_sent(monkeypatch) -> None:
    """Make the worker stop after the server accepted the mail, before its row says "sent"."""
    real = outbound.write_event

    def write_event(ticket, kind, *args, **kwargs):
        if kind == EventKind.MAIL_SENT:
            raise Crash
        return real(ticket, kind, *args, **kwargs)

    monkeypatch.setattr(outbound, "write_event", write_event)


def after_stale_claim(now):
    return now + outbound.STALE_CLAIM + timedelta(seconds=1)


# -- a worker killed mid-send ------------------------------------------------------------------


def test_a_worker_killed_after_the_server_accepted_never_sends_the_mail_twice(
    alice, acme_ticket, smtp, monkeypatch
):
    tickets.add_reply(actor=alice, ticket=acme_ticket, body="On my way.")
    crash_when_marking_sent(monkeypatch)
    now = clock.now()

    with pytest.raises(Crash):
        outbound.send_due(now)
    assert len(smtp.messages) == 1  # the customer has it
    monkeypatch.undo()  # the next worker runs the real code
    outbound.send_due(now)  # still claimed by the dead worker: left alone
    later = after_stale_claim(now)
    first = outbound.send_due(later)
    outbound.send_due(later + timedelta(hours=5))

    assert len(smtp.messages) == 1  # never a second copy
    mail = OutboundMail.objects.get()
    assert mail.state == OutboundMail.State.UNKNOWN and first.unknown == 1
    assert "worker stopped" in mail.last_error
    assert mail.subject and "On my way." in mail.body  # what the customer may have
    note = acme_ticket.events.get(kind=EventKind.MAIL_FAILED)
    assert note.data["unknown"] is True and note.data["mail"] == mail.public_id
    assert not note.is_public
    assert "may or may not have been sent" in note.body
    assert not acme_ticket.events.filter(kind=EventKind.MAIL_SENT).exists()


def test_a_worker_killed_before_handing_the_mail_over_sends_it_once_later(
    alice, acme_ticket, smtp, monkeypatch
):
    tickets.add_reply(actor=alice, ticket=acme_ticket, body="On my way.")

    def build(mail):
        raise Crash

    monkeypatch.setattr(outbound, "build", build)
    now = clock.now()
    with pytest.raises(Crash):
        outbound.send_due(now)
    monkeypatch.undo()
    assert OutboundMail.objects.get().state == OutboundMail.State.SENDING

    result = outbound.send_due(after_stale_claim(now))

    assert (result.sent, result.unknown, len(smtp.messages)) == (1, 0, 1)
    assert OutboundMail.objects.get().state == OutboundMail.State.SENT


# -- the conversation breaks -------------------------------------------------------------------


def test_a_connection_dropped_after_data_without_an_answer_is_not_sent_again(
    alice, acme_ticket, smtp
):
    """The server took the message and the connection died before its 250 reached us (the
    15 s outage): the mail may be delivered, so it is not retried."""
    tickets.add_reply(actor=alice, ticket=acme_ticket, body="On my way.")
    smtp.answers = ["drop"]
    now = clock.now()

    first = outbound.send_due(now)
    for minutes in (2, 10, 30, 120, 300):
        outbound.send_due(now + timedelta(minutes=minutes))

    assert len(smtp.messages) == 1
    assert (first.sent, first.retried, first.unknown) == (0, 0, 1)
    mail = OutboundMail.objects.get()
    assert mail.state == OutboundMail.State.UNKNOWN
    assert "SMTPServerDisconnected" in mail.last_error
    assert acme_ticket.events.get(kind=EventKind.MAIL_FAILED).data["unknown"] is True


def test_a_refusal_at_the_end_of_data_is_retried_and_sent_once(alice, acme_ticket, smtp):
    """A 4xx answer to the end of data is the server saying it did not take the mail."""
    tickets.add_reply(actor=alice, ticket=acme_ticket, body="On my way.")
    smtp.answers = ["451 4.3.0 Try again later"]
    now = clock.now()

    first = outbound.send_due(now)
    second = outbound.send_due(now + timedelta(minutes=2))

    assert (first.retried, first.unknown, second.sent) == (1, 0, 1)
    assert len(smtp.messages) == 2  # refused once, accepted once
    mail = OutboundMail.objects.get()
    assert mail.state == OutboundMail.State.SENT and mail.attempts == 2
    assert not acme_ticket.events.filter(kind=EventKind.MAIL_FAILED).exists()


def test_one_session_carries_a_batch_and_a_broken_one_is_replaced(alice, make_ticket, carol, smtp):
    replies = [make_ticket(carol, subject=f"Issue {i}") for i in range(3)]
    for ticket in replies:
        tickets.add_reply(actor=alice, ticket=ticket, body="Looking at it.")
    smtp.answers = ["250 OK", "drop"]

    result = outbound.send_due()

    assert (result.sent, result.unknown) == (2, 1)
    states = sorted(OutboundMail.objects.values_list("state", flat=True))
    assert states == ["sent", "sent", "unknown"]
    assert len(smtp.messages) == 3


# -- racing workers ----------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_racing_workers_send_each_mail_once(alice, make_ticket, carol, smtp):
    for i in range(6):
        tickets.add_reply(actor=alice, ticket=make_ticket(carol, subject=f"N{i}"), body="Hi")
    barrier = threading.Barrier(3)
    errors: list[BaseException] = []

    def work() -> None:
        try:
            barrier.wait(timeout=10)
            outbound.send_due()
        except BaseException as exc:  # reported by the test
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=work) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)

    assert not errors, errors
    assert sorted(smtp.ids()) == sorted(
        f"<{m}>" for m in OutboundMail.objects.values_list("message_id", flat=True)
    )
    assert set(OutboundMail.objects.values_list("state", flat=True)) == {"sent"}


# -- the administrator decides -----------------------------------------------------------------


def test_the_outbox_shows_unknown_mail_and_an_admin_sends_it_again(admin, alice, acme_ticket, smtp):
    tickets.add_reply(actor=alice, ticket=acme_ticket, body="On my way.")
    smtp.answers = ["drop"]
    outbound.send_due()
    mail = OutboundMail.objects.get()
    retry = reverse("mail:retry", args=[mail.public_id])
    as_alice, as_admin = Client(), Client()
    as_alice.force_login(alice)
    as_admin.force_login(admin)

    page = as_alice.get(reverse("mail:outbox")).content.decode()
    assert "Unknown: maybe sent" in page and 'id="outbox-unknown"' in page
    assert retry not in page  # only administrators decide
    assert as_alice.post(retry).status_code == 403
    page = as_admin.get(reverse("mail:outbox"), {"state": "unknown"}).content.decode()
    assert retry in page and "Send again anyway" in page

    assert as_admin.post(retry).status_code == 302
    mail.refresh_from_db()
    assert mail.state == OutboundMail.State.QUEUED and mail.requeued_by == admin
    mail_worker.mail_pass()

    assert len(smtp.messages) == 2
    assert smtp.messages[0]["Message-ID"] == smtp.messages[1]["Message-ID"]
    mail.refresh_from_db()
    assert mail.state == OutboundMail.State.SENT
    sent = acme_ticket.events.get(kind=EventKind.MAIL_SENT)
    assert "Sent again by Root Admin" in sent.body
    assert MessageRef.objects.filter(message_id=mail.message_id).count() == 1
    page = as_admin.get(reverse("mail:outbox")).content.decode()
    assert "sent again by Root Admin" in page and 'id="outbox-unknown"' not in page


def test_a_sent_mail_cannot_be_sent_again(admin, alice, acme_ticket, smtp):
    tickets.add_reply(actor=alice, ticket=acme_ticket, body="On my way.")
    outbound.send_due()
    mail = OutboundMail.objects.get()

    assert outbound.requeue(mail, actor=admin) is False
    assert OutboundMail.objects.get().state == OutboundMail.State.SENT


def test_the_unknown_mail_of_another_client_is_not_found(
    admin, admin_serving, alice, acme, globex_ticket, smtp
):
    tickets.add_reply(actor=alice, ticket=globex_ticket, body="Hi")
    OutboundMail.objects.update(state=OutboundMail.State.UNKNOWN)
    mail = OutboundMail.objects.get()
    restricted = admin_serving(
        acme,
        email="ron@msp.example",
        full_name="Ron Restricted",
        password="ron-pass-1234",
        tier=Tier.L1,
    )
    client = Client()
    client.force_login(restricted)

    assert client.post(reverse("mail:retry", args=[mail.public_id])).status_code == 404
    assert OutboundMail.objects.get().state == OutboundMail.State.UNKNOWN


def test_a_failure_after_the_claim_was_taken_over_leaves_the_other_worker_s_claim(
    alice, acme_ticket, smtp
):
    """Worker A waits on a dead server past the stale time; worker B takes the mail back and
    claims it; A's connection then fails. A's failure must not queue B's mail again (it would
    be sent twice) nor mark it failed (found in review)."""
    tickets.add_reply(actor=alice, ticket=acme_ticket, body="On my way.")
    now = clock.now()
    OutboundMail.objects.update(state=OutboundMail.State.SENDING, claimed_at=now, attempts=1)
    stale_view = OutboundMail.objects.get()  # what worker A holds
    OutboundMail.objects.update(claimed_at=after_stale_claim(now), attempts=2)  # B's claim
    result = outbound.SendResult()

    outbound._failed(stale_view, ConnectionRefusedError("refused"), now, result)
    stale_view.attempts = outbound.MAX_ATTEMPTS  # and on A's last attempt
    outbound._failed(stale_view, ConnectionRefusedError("refused"), now, result)

    mail = OutboundMail.objects.get()
    assert mail.state == OutboundMail.State.SENDING
    assert mail.claimed_at == after_stale_claim(now)
    assert not acme_ticket.events.filter(kind=EventKind.MAIL_FAILED).exists()
