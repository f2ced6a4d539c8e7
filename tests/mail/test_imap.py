"""The IMAP poller against a real server (Dovecot, started per test by the `dovecot` fixture):
IMAPS and STARTTLS, the three ways of marking a message taken, errors kept on the mailbox,
and what is due when."""

from datetime import timedelta
from email.message import EmailMessage

import pytest
from django.db import OperationalError

from deskside.core import clock
from deskside.mail import imap
from deskside.mail.models import InboundMessage, Mailbox, Outcome
from deskside.tickets.models import EventKind, Ticket
from tests.mail.dovecot import dovecot_server  # noqa: F401 - the `dovecot` fixture
from tests.mailauth import arrived_verified

# slow: starts a real Dovecot
pytestmark = [pytest.mark.slow, pytest.mark.django_db]

SENDER = "pat@customer.example"  # an unknown sender: the mailbox creates the contact
SEEN = "\\Seen"


def raw_mail(
    subject="Printer on floor 2 jams",
    *,
    sender=SENDER,
    message_id="<m1@customer.example>",
    body="The printer jams on every page.\n",
    **headers,
) -> bytes:
    msg = EmailMessage()
    msg["From"] = sender
    msg["To"] = "help@desk.example"
    msg["Subject"] = subject
    msg["Message-ID"] = message_id
    for name, value in headers.items():
        msg[name.replace("_", "-")] = value
    msg.set_content(body)
    return arrived_verified(msg.as_bytes())


# No From, a multipart type without its closing boundary, a body that is not base64, bytes
# that are no charset's. The pipeline files it under a stand-in sender or holds it in
# quarantine; either way it is taken.
BROKEN = (
    b"Subject: =?utf-8?b?broken?= \xff\xfe\r\n"
    b'Content-Type: multipart/mixed; boundary="zzz"\r\n'
    b"Content-Transfer-Encoding: base64\r\n"
    b"\r\n"
    b"--zzz\r\n"
    b"Content-Type: text/plain; charset=no-such-charset\r\n"
    b"Content-Transfer-Encoding: base64\r\n"
    b"\r\n"
    b"%%% not base64 \x80\x81 ===\r\n"
)


@pytest.fixture
def insecure_tls(monkeypatch):
    """Dovecot's certificate is self-signed."""
    monkeypatch.setenv(imap.INSECURE_TLS_ENV, "1")


def make_mailbox(dovecot, organization, **fields) -> Mailbox:
    fields.setdefault("protocol", Mailbox.Protocol.IMAPS)
    fields.setdefault(
        "port",
        dovecot.imaps_port if fields["protocol"] == Mailbox.Protocol.IMAPS else dovecot.imap_port,
    )
    password = fields.pop("password", dovecot.password)
    mailbox = Mailbox(
        name=fields.pop("name", "Help desk"),
        address=fields.pop("address", "help@desk.example"),
        host=dovecot.host,
        username=dovecot.user,
        organization=organization,
        unknown_senders=Mailbox.UnknownSenders.CREATE,
        **fields,
    )
    mailbox.set_password(password)
    mailbox.save()
    return mailbox


def test_imaps_takes_new_mail_replies_auto_replies_and_broken_mail(dovecot, acme, insecure_tls):
    mailbox = make_mailbox(dovecot, acme)
    dovecot.append(raw_mail())
    dovecot.append(
        raw_mail(
            "Automatic reply: Printer on floor 2 jams",
            sender="robot@customer.example",
            message_id="<auto1@customer.example>",
            body="I am out of the office until Monday.\n",
            Auto_Submitted="auto-replied",
            In_Reply_To="<m1@customer.example>",
        )
    )
    dovecot.append(BROKEN)

    first = imap.poll(mailbox)

    assert first.error == ""
    assert (first.fetched, first.automatic, first.created + first.quarantined) == (3, 1, 2)
    request = InboundMessage.objects.get(message_id="m1@customer.example")
    assert request.outcome == Outcome.CREATED
    ticket = request.ticket
    assert ticket.subject == "Printer on floor 2 jams"
    assert ticket.requester.email == SENDER
    assert ticket.organization == acme
    auto = InboundMessage.objects.get(message_id="auto1@customer.example")
    assert auto.outcome == Outcome.AUTO_REPLY
    assert auto.ticket == ticket  # noted on the ticket it answers, internally; no new ticket
    broken = InboundMessage.objects.get(sender="")
    assert broken.mailbox == mailbox
    assert broken.outcome in (Outcome.CREATED, Outcome.QUARANTINED)
    assert Ticket.objects.count() == 1 + (broken.outcome == Outcome.CREATED)
    assert all(SEEN in flags for _, flags in dovecot.list_folder())

    dovecot.append(
        raw_mail(
            f"Re: [{ticket.number}] Printer on floor 2 jams",
            message_id="<m2@customer.example>",
            body="It jams on page 2 as well.\n",
        )
    )
    second = imap.poll(mailbox)

    assert (second.fetched, second.appended, second.created) == (1, 1, 0)
    assert InboundMessage.objects.get(message_id="m2@customer.example").ticket == ticket
    reply = ticket.events.get(kind=EventKind.REPLY)
    assert reply.body == "It jams on page 2 as well."
    assert reply.actor.email == SENDER
    assert InboundMessage.objects.filter(mailbox=mailbox).count() == 4
    messages = dovecot.list_folder()
    assert len(messages) == 4
    assert all(SEEN in flags for _, flags in messages)

    third = imap.poll(mailbox)

    assert third == imap.PollResult()
    mailbox.refresh_from_db()
    assert mailbox.last_error == ""
    assert mailbox.last_polled_at is not None


def test_a_message_fetched_again_is_a_duplicate_and_is_marked(dovecot, acme, insecure_tls):
    mailbox = make_mailbox(dovecot, acme)
    dovecot.append(raw_mail())
    imap.poll(mailbox)
    dovecot.append(raw_mail())  # the same Message-ID again (a second copy, or a crash before)

    result = imap.poll(mailbox)

    assert (result.fetched, result.duplicates, result.created) == (1, 1, 0)
    assert Ticket.objects.count() == 1
    assert all(SEEN in flags for _, flags in dovecot.list_folder())


@pytest.mark.parametrize(
    "hidden",
    [(), ("MOVE",), ("MOVE", "UIDPLUS")],
    ids=["move", "copy-uid-expunge", "copy-expunge"],
)
def test_starttls_move_mode_empties_the_folder(dovecot, acme, insecure_tls, monkeypatch, hidden):
    has_capability = imap.IMAPClient.has_capability
    monkeypatch.setattr(
        imap.IMAPClient,
        "has_capability",
        lambda self, name: name.upper() not in hidden and has_capability(self, name),
    )
    mailbox = make_mailbox(
        dovecot,
        acme,
        protocol=Mailbox.Protocol.STARTTLS,
        after_import=Mailbox.AfterImport.MOVE,
        processed_folder="Processed",
    )
    dovecot.append(raw_mail())
    dovecot.append(raw_mail("VPN drops", message_id="<m2@customer.example>"))

    result = imap.poll(mailbox)

    assert (result.error, result.fetched, result.created) == ("", 2, 2)
    assert dovecot.list_folder("INBOX") == []
    assert len(dovecot.list_folder("Processed")) == 2
    assert imap.poll(mailbox) == imap.PollResult()


def test_delete_mode_removes_taken_mail(dovecot, acme, insecure_tls):
    mailbox = make_mailbox(dovecot, acme, after_import=Mailbox.AfterImport.DELETE)
    dovecot.append(raw_mail())

    result = imap.poll(mailbox)

    assert (result.error, result.created) == ("", 1)
    assert dovecot.list_folder("INBOX") == []


def test_a_wrong_password_is_kept_as_the_mailbox_error(dovecot, acme, insecure_tls):
    secret = "not-the-password-9"
    mailbox = make_mailbox(dovecot, acme, password=secret)
    dovecot.append(raw_mail())

    result = imap.poll(mailbox)

    mailbox.refresh_from_db()
    assert result.error
    assert mailbox.last_error == result.error
    assert mailbox.last_error.startswith(f"logging in as {dovecot.user}:")
    assert "\n" not in mailbox.last_error
    assert secret not in mailbox.last_error
    assert mailbox.last_polled_at is not None
    assert InboundMessage.objects.count() == 0
    assert imap.check(mailbox) == mailbox.last_error

    mailbox.set_password(dovecot.password)
    mailbox.save()
    assert imap.check(mailbox) == ""
    assert imap.poll(mailbox).created == 1
    mailbox.refresh_from_db()
    assert mailbox.last_error == ""


def test_the_password_may_come_from_the_environment(dovecot, acme, monkeypatch):
    mailbox = make_mailbox(
        dovecot,
        acme,
        protocol=Mailbox.Protocol.IMAP,
        password="",
        password_env="DESKSIDE_MAILBOX_PW",
    )
    dovecot.append(raw_mail())

    missing = imap.poll(mailbox)
    assert missing.error == "no password: the environment variable DESKSIDE_MAILBOX_PW is not set"
    assert dovecot.list_folder() != []

    monkeypatch.setenv("DESKSIDE_MAILBOX_PW", dovecot.password)
    assert imap.poll(mailbox).created == 1


def test_certificates_are_verified_unless_told_otherwise(dovecot, acme, monkeypatch):
    monkeypatch.delenv(imap.INSECURE_TLS_ENV, raising=False)
    mailbox = make_mailbox(dovecot, acme)

    error = imap.check(mailbox)

    assert error.startswith(f"connecting to {dovecot.host}:{dovecot.imaps_port}: ")
    assert "certificate not trusted" in error


def test_an_unreachable_server_is_an_error_not_a_crash(dovecot, acme, insecure_tls):
    mailbox = make_mailbox(dovecot, acme, port=1)  # nothing listens there

    result = imap.poll(mailbox)

    assert result.error.startswith(f"connecting to {dovecot.host}:1: ")


def test_a_database_failure_stops_the_poll_and_leaves_the_message_untaken(
    dovecot, acme, insecure_tls, monkeypatch
):
    mailbox = make_mailbox(dovecot, acme)
    dovecot.append(raw_mail())
    dovecot.append(raw_mail("VPN drops", message_id="<m2@customer.example>"))
    receive = imap.receive
    calls = []

    def failing_second(raw, **kwargs):
        calls.append(raw)
        if len(calls) == 2:
            raise OperationalError("database is locked")
        return receive(raw, **kwargs)

    monkeypatch.setattr(imap, "receive", failing_second)

    with pytest.raises(OperationalError):
        imap.poll(mailbox)

    (first_uid, first), (_, second) = dovecot.list_folder()
    assert SEEN in first
    assert SEEN not in second
    monkeypatch.setattr(imap, "receive", receive)
    assert imap.poll(mailbox).created == 1
    assert Ticket.objects.count() == 2


def test_any_other_failure_of_the_pipeline_is_kept_on_the_mailbox(
    dovecot, acme, insecure_tls, monkeypatch
):
    mailbox = make_mailbox(dovecot, acme)
    dovecot.append(raw_mail())

    def full_disk(raw, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(imap, "receive", full_disk)

    with pytest.raises(OSError):
        imap.poll(mailbox)

    mailbox.refresh_from_db()
    assert mailbox.last_error == "stopped by an error: [Errno 28] No space left on device"
    [(_, flags)] = dovecot.list_folder()
    assert SEEN not in flags


def test_moving_into_the_folder_polled_is_refused(dovecot, acme, insecure_tls):
    mailbox = make_mailbox(
        dovecot, acme, after_import=Mailbox.AfterImport.MOVE, processed_folder="INBOX"
    )
    dovecot.append(raw_mail())

    result = imap.poll(mailbox)

    assert result.error.startswith("the processed folder is the folder polled")
    assert InboundMessage.objects.count() == 0


def test_delivery_mailboxes_are_never_polled(acme):
    mailbox = Mailbox.objects.create(
        name="Delivered", address="in@desk.example", protocol=Mailbox.Protocol.DELIVERY
    )

    assert imap.poll(mailbox) == imap.PollResult()
    mailbox.refresh_from_db()
    assert mailbox.last_polled_at is None


def test_poll_due_polls_only_what_is_due_and_survives_a_failing_mailbox(
    dovecot, acme, insecure_tls
):
    now = clock.now()
    stale = make_mailbox(
        dovecot,
        acme,
        name="Stale",
        address="stale@desk.example",
        poll_seconds=60,
        last_polled_at=now - timedelta(seconds=61),
        port=1,  # fails, and is polled first (mailboxes go in creation order)
    )
    due = make_mailbox(dovecot, acme)
    recent = make_mailbox(
        dovecot,
        acme,
        name="Recent",
        address="recent@desk.example",
        poll_seconds=60,
        last_polled_at=now - timedelta(seconds=30),
    )
    make_mailbox(dovecot, acme, name="Off", address="off@desk.example", is_active=False)
    Mailbox.objects.create(
        name="Delivered", address="in@desk.example", protocol=Mailbox.Protocol.DELIVERY
    )
    dovecot.append(raw_mail())

    polled = dict(imap.poll_due(now))

    assert set(polled) == {due, stale}
    assert polled[stale].error.startswith("connecting to")
    assert polled[due].error == ""
    assert polled[due].created == 1
    recent.refresh_from_db()
    assert recent.last_polled_at == now - timedelta(seconds=30)
    assert imap.poll_due(now) == []  # both were just polled
