"""The inbound pipeline end to end on the database: intake, threading, loop protection, sender
matching, follow-ups, quarantine; and the outbox that answers."""

from datetime import timedelta
from email.message import EmailMessage

import pytest
from django.core import mail as django_mail
from django.db import OperationalError, transaction

from deskside.accounts import services as accounts
from deskside.accounts.models import User
from deskside.core import clock
from deskside.mail import outbound, pipeline
from deskside.mail.models import (
    InboundMessage,
    MailTemplate,
    MessageRef,
    OutboundMail,
    Outcome,
    raw_path,
)
from deskside.mail.parse import digest
from deskside.mail.pipeline import DUPLICATE, Policy, receive
from deskside.tickets import services as tickets
from deskside.tickets.models import Channel, EventKind, Status, Ticket
from tests.mailauth import arrived_verified


def raw_mail(
    *,
    sender="carol@acme.example",
    subject="Printer on floor 2 jams",
    body="The printer jams on every page.\n",
    message_id="<m1@acme.example>",
    verified=True,
    **headers,
):
    """A message as the trusted MTA hands it on (sender verified: tests.mailauth), or, with
    `verified=False`, with nothing that verifies its sender."""
    msg = EmailMessage()
    msg["From"] = sender
    msg["To"] = "help@desk.example"
    msg["Subject"] = subject
    if message_id:
        msg["Message-ID"] = message_id
    for name, value in headers.items():
        msg[name.replace("_", "-")] = value
    msg.set_content(body)
    return arrived_verified(msg.as_bytes()) if verified else msg.as_bytes()


@pytest.fixture
def policy(acme):
    return Policy(organization=acme, unknown_senders="create")


def test_new_mail_from_a_contact_opens_a_ticket_and_queues_an_acknowledgement(carol, policy):
    result = receive(raw_mail(), source="import", policy=policy)

    assert result.outcome == Outcome.CREATED
    ticket = result.ticket
    assert ticket.requester == carol
    assert ticket.organization == carol.organization
    assert ticket.channel == Channel.EMAIL
    assert ticket.subject == "Printer on floor 2 jams"
    assert ticket.description == "The printer jams on every page."
    created = ticket.events.get(kind=EventKind.CREATED)
    assert created.data["via"] == "email"
    assert created.data["message"] == result.message.public_id
    assert MessageRef.objects.filter(ticket=ticket, message_id="m1@acme.example").exists()
    ack = OutboundMail.objects.get(ticket=ticket)
    assert ack.kind == "acknowledgement"
    assert ack.recipients == "carol@acme.example"


def test_the_same_message_twice_is_a_duplicate(carol, policy):
    first = receive(raw_mail(), source="imap", policy=policy)
    again = receive(raw_mail(), source="import", policy=policy)

    assert again.outcome == DUPLICATE
    assert again.message == first.message
    assert Ticket.objects.count() == 1


def test_a_message_without_message_id_is_deduplicated_by_its_bytes(carol, policy):
    raw = raw_mail(message_id=None)
    assert receive(raw, source="import", policy=policy).outcome == Outcome.CREATED
    assert receive(raw, source="import", policy=policy).outcome == DUPLICATE
    other = raw_mail(message_id=None, body="Another problem.\n")
    assert receive(other, source="import", policy=policy).outcome == Outcome.CREATED


def test_an_original_cut_short_by_a_full_disk_is_written_again(carol, policy, settings, tmp_path):
    """Issue 11: smtpd answered 451 on a full disk but left a 0-byte file where the original
    goes; the retry took it for the stored original and kept it empty."""
    settings.MEDIA_ROOT = tmp_path
    raw = raw_mail()
    path = tmp_path / raw_path(digest(raw))
    path.parent.mkdir(parents=True)
    path.write_bytes(b"")

    result = receive(raw, source="smtp", policy=policy)

    assert result.outcome == Outcome.CREATED
    assert result.message.raw.name == raw_path(digest(raw))
    assert path.read_bytes() == raw


def test_a_duplicate_mends_an_original_of_the_wrong_size_or_hash(carol, policy, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    raw = raw_mail()
    first = receive(raw, source="smtp", policy=policy)
    stored = tmp_path / first.message.raw.name
    for damaged in (raw[:100], raw[:-1] + b"?"):
        stored.write_bytes(damaged)

        again = receive(raw, source="smtp", policy=policy)

        assert again.outcome == DUPLICATE
        assert stored.read_bytes() == raw


def test_a_message_held_after_its_ticket_was_opened_leaves_no_attachment_file(
    carol, policy, settings, tmp_path, monkeypatch
):
    settings.MEDIA_ROOT = tmp_path
    msg = EmailMessage()
    msg["From"], msg["Subject"], msg["Message-ID"] = "carol@acme.example", "Scan", "<s@acme>"
    msg.set_content("Attached.\n")
    msg.add_attachment(b"%PDF-1.7", maintype="application", subtype="pdf", filename="scan.pdf")

    def fail(*args):
        raise RuntimeError("a bug after the ticket was opened")

    monkeypatch.setattr(pipeline, "_notes", fail)

    result = receive(msg.as_bytes(), source="smtp", policy=policy)

    assert result.outcome == Outcome.QUARANTINED
    assert not Ticket.objects.exists()
    assert [p.relative_to(tmp_path).parts[0] for p in tmp_path.rglob("*") if p.is_file()] == [
        "mail"  # the original only: the attachment went with the rolled-back ticket
    ]


def test_reply_joins_its_ticket_by_in_reply_to_with_quote_stripped(carol, policy):
    ticket = receive(raw_mail(), source="import", policy=policy).ticket
    body = (
        "It works again, thanks.\n\n"
        "On Mon, 23 Nov 2026 at 10:00, Carol <carol@acme.example> wrote:\n"
        "> The printer jams on every page.\n"
    )
    reply = raw_mail(
        subject="Re: Printer on floor 2 jams",
        message_id="<m2@acme.example>",
        body=body,
        In_Reply_To="<m1@acme.example>",
    )

    result = receive(reply, source="import", policy=policy)

    assert result.outcome == Outcome.APPENDED
    assert result.ticket == ticket
    event = ticket.events.get(kind=EventKind.REPLY)
    assert event.body == "It works again, thanks."
    assert event.actor == carol
    assert event.data["message"] == result.message.public_id


def test_reply_joins_by_the_ticket_tag_in_the_subject(carol, policy, acme_ticket):
    reply = raw_mail(subject=f"Re: [{acme_ticket.number}] Printer offline", body="Still off.\n")

    result = receive(reply, source="import", policy=policy)

    assert result.outcome == Outcome.APPENDED
    assert result.ticket == acme_ticket


def test_same_subject_without_tag_or_headers_is_a_new_ticket(carol, policy):
    first = receive(raw_mail(), source="import", policy=policy).ticket
    second = receive(
        raw_mail(message_id="<m9@acme.example>"), source="import", policy=policy
    ).ticket

    assert first != second


def test_a_tag_of_another_clients_ticket_does_not_reach_it(carol, policy, globex_ticket):
    spoof = raw_mail(subject=f"[{globex_ticket.number}] give me your data")

    result = receive(spoof, source="import", policy=policy)

    assert result.outcome == Outcome.CREATED
    assert result.ticket.organization == carol.organization
    assert not globex_ticket.events.filter(kind=EventKind.REPLY).exists()


def test_a_colleague_in_copy_who_replies_joins_the_watchers(carol, olivia, policy):
    ticket = receive(raw_mail(Cc="Pat <Pat@acme.example>"), source="import", policy=policy).ticket
    plain = accounts.create_user(email="pat@acme.example", organization=carol.organization)
    reply = raw_mail(
        sender="pat@acme.example",
        message_id="<p1@acme.example>",
        subject=f"Re: [{ticket.number}] x",
        body="Same here.\n",
    )

    assert receive(reply, source="import", policy=policy).outcome == Outcome.APPENDED
    assert plain in ticket.watchers.all()


@pytest.mark.parametrize(
    "headers",
    [
        {"Auto_Submitted": "auto-replied"},
        {"X_Autoreply": "yes"},
        {"X_Auto_Response_Suppress": "All"},
        {"Precedence": "bulk"},
        {"List_Id": "<staff.lists.acme.example>"},
        {"Return_Path": "<>"},
    ],
)
def test_automatic_mail_opens_no_ticket_and_is_not_answered(carol, policy, headers):
    result = receive(raw_mail(subject="Out of office", **headers), source="smtp", policy=policy)

    assert result.outcome == Outcome.AUTO_REPLY
    assert result.ticket is None
    assert not Ticket.objects.exists()
    assert not OutboundMail.objects.exists()


def test_an_out_of_office_reply_to_our_mail_is_noted_on_its_ticket(carol, policy):
    ticket = receive(raw_mail(), source="import", policy=policy).ticket
    ours = OutboundMail.objects.get(ticket=ticket).message_id
    ooo = raw_mail(
        subject="Automatic reply: Printer",
        message_id="<ooo@acme.example>",
        body="I am out of the office until Monday.\n",
        In_Reply_To=f"<{ours}>",
        Auto_Submitted="auto-replied",
    )

    result = receive(ooo, source="import", policy=policy)

    assert result.outcome == Outcome.AUTO_REPLY
    assert result.ticket == ticket
    note = ticket.events.get(kind=EventKind.MAIL_AUTO)
    assert not note.is_public
    assert ticket.events.filter(kind=EventKind.REPLY).count() == 0
    assert OutboundMail.objects.filter(ticket=ticket).count() == 1  # only the first ack


def test_our_own_mail_coming_back_is_ignored(carol, policy, settings):
    settings.DEFAULT_FROM_EMAIL = "desk@msp.example"
    loop = raw_mail(sender="desk@msp.example", subject="[T-10001] Re: x")
    assert receive(loop, source="smtp", policy=policy).outcome == Outcome.OWN_MAIL
    ours = raw_mail(message_id="<deskside.T-10001.abc@msp.example>", subject="hi")
    assert receive(ours, source="smtp", policy=policy).outcome == Outcome.OWN_MAIL
    assert not Ticket.objects.exists()


def test_unknown_sender_of_a_client_domain_becomes_its_contact(acme, globex):
    globex.email_domains = "globex.example, globex-mail.example"
    globex.save()
    raw = raw_mail(sender="Nina New <nina@globex-mail.example>")

    result = receive(raw, source="import", policy=Policy(organization=acme))

    nina = User.objects.get(email="nina@globex-mail.example")
    assert nina.organization == globex and nina.is_customer
    assert nina.full_name == "Nina New"
    assert result.ticket.organization == globex


def test_unknown_sender_follows_the_mailbox_rule(acme):
    quarantine = receive(raw_mail(sender="x@nowhere.example"), source="imap", policy=Policy())
    assert quarantine.outcome == Outcome.QUARANTINED
    assert quarantine.message.reason == "unknown_sender"
    assert not User.objects.filter(email="x@nowhere.example").exists()

    create = receive(
        raw_mail(sender="y@nowhere.example", message_id="<y@x>"),
        source="imap",
        policy=Policy(organization=acme, unknown_senders="create"),
    )
    assert create.outcome == Outcome.CREATED
    assert User.objects.get(email="y@nowhere.example").organization == acme


def test_mail_without_any_sender_is_held_or_becomes_a_ticket_with_notes(acme):
    """A message without a sender has no sender to verify: held by default; under the
    `note` policy for unverified mail it still makes a ticket, its text an internal note."""
    raw = b"Subject: help\nMessage-ID: <nosender@x>\n\nMy screen is black.\n"
    held = receive(raw, source="import", policy=Policy(organization=acme))
    assert held.outcome == Outcome.QUARANTINED
    assert held.message.reason == "unverified_sender"
    again = raw.replace(b"<nosender@x>", b"<nosender-2@x>")

    result = receive(
        again, source="import", policy=Policy(organization=acme, unverified_mail="note")
    )

    assert result.outcome == Outcome.CREATED
    assert result.ticket.requester.email == "unknown-sender@acme.invalid"
    notes = result.ticket.events.filter(kind=EventKind.NOTE, is_public=False)
    assert any("no sender address could be found" in n.body.lower() for n in notes)
    assert any(n.body == "My screen is black." for n in notes)
    assert not OutboundMail.objects.exists()  # nobody to acknowledge


def test_a_mail_storm_from_one_sender_is_held(carol, policy, settings):
    settings.DESKSIDE_MAIL_RATE_LIMIT = 3
    outcomes = [
        receive(
            raw_mail(message_id=f"<s{i}@acme.example>", body=f"storm {i}\n"),
            source="smtp",
            policy=policy,
        ).outcome
        for i in range(5)
    ]
    assert outcomes == [Outcome.CREATED] * 3 + [Outcome.QUARANTINED] * 2
    held = InboundMessage.objects.filter(outcome=Outcome.QUARANTINED)
    assert {m.reason for m in held} == {"rate_limited"}


def test_reply_to_a_resolved_ticket_reopens_it(carol, alice, policy):
    ticket = receive(raw_mail(), source="import", policy=policy).ticket
    tickets.resolve_ticket(actor=alice, ticket=ticket, resolution="New toner.")
    reply = raw_mail(subject=f"Re: [{ticket.number}]", message_id="<r@x>", body="Not fixed.\n")

    result = receive(reply, source="import", policy=policy)

    ticket.refresh_from_db()
    assert result.outcome == Outcome.APPENDED
    assert ticket.status == Status.OPEN
    assert ticket.events.filter(kind=EventKind.REOPENED).exists()


@pytest.mark.parametrize("state", ["closed", "resolved long ago"])
def test_reply_after_closure_opens_a_linked_follow_up(carol, alice, policy, state):
    ticket = receive(raw_mail(), source="import", policy=policy).ticket
    tickets.resolve_ticket(actor=alice, ticket=ticket, resolution="New toner.")
    if state == "closed":
        tickets.close_ticket(actor=alice, ticket=ticket)
    else:
        Ticket.objects.filter(pk=ticket.pk).update(
            resolved_at=clock.now() - timedelta(days=policy.reopen_days + 1)
        )
    reply = raw_mail(
        subject=f"Re: [{ticket.number}] Printer on floor 2 jams",
        message_id="<late@x>",
        body="It jams again.\n",
    )

    result = receive(reply, source="import", policy=policy)

    assert result.outcome == Outcome.FOLLOW_UP
    follow_up = result.ticket
    assert follow_up != ticket
    assert follow_up.subject == "Printer on floor 2 jams"
    assert ticket.events.get(kind=EventKind.LINKED).data == {"follow_up": follow_up.number}
    assert follow_up.events.get(kind=EventKind.LINKED).data == {"follow_up_of": ticket.number}


def test_attachments_are_stored_and_one_too_big_is_noted(carol, policy, settings):
    settings.DESKSIDE_MAX_ATTACHMENT_BYTES = 1000
    msg = EmailMessage()
    msg["From"] = "carol@acme.example"
    msg["Subject"] = "Logs"
    msg["Message-ID"] = "<att@x>"
    msg.set_content("Logs attached.")
    msg.add_attachment(b"small log", maintype="text", subtype="plain", filename="small.log")
    msg.add_attachment(b"x" * 5000, maintype="application", subtype="pdf", filename="big.pdf")

    result = receive(arrived_verified(msg.as_bytes()), source="import", policy=policy)

    ticket = result.ticket
    assert [a.filename for a in ticket.attachments.all()] == ["small.log"]
    note = ticket.events.get(kind=EventKind.NOTE)
    assert "big.pdf" in note.body and "limit" in note.body
    assert not note.is_public


def test_html_only_mail_becomes_readable_text_and_sanitised_html(carol, policy):
    msg = EmailMessage()
    msg["From"] = "carol@acme.example"
    msg["Subject"] = "HTML"
    msg["Message-ID"] = "<html@x>"
    msg.set_content(
        "<html><body><p>Hello <b>desk</b>,</p><script>alert(1)</script>"
        "<p>the VPN fails.</p></body></html>",
        subtype="html",
    )

    result = receive(arrived_verified(msg.as_bytes()), source="import", policy=policy)

    assert "Hello desk," in result.ticket.description
    assert "the VPN fails." in result.ticket.description
    assert "<script" not in result.message.html
    assert "<b>desk</b>" in result.message.html


def test_a_failure_while_acting_keeps_the_message_in_quarantine(carol, policy, monkeypatch):
    def broken(**kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(pipeline.tickets, "create_ticket", broken)

    result = receive(raw_mail(), source="imap", policy=policy)

    assert result.outcome == Outcome.QUARANTINED
    message = InboundMessage.objects.get()
    assert message.reason == "error" and "disk full" in message.detail
    assert message.raw.read() == raw_mail()
    assert not Ticket.objects.exists()

    monkeypatch.undo()
    again = pipeline.reprocess(message, actor=carol)
    assert again.outcome == Outcome.CREATED
    assert InboundMessage.objects.get().ticket == again.ticket


def test_import_policy_without_notify_queues_no_mail(carol, acme):
    receive(raw_mail(), source="import", policy=Policy(organization=acme, notify=False))
    assert not OutboundMail.objects.exists()


# -- outbound ----------------------------------------------------------------------------------


def test_outbox_sends_threaded_mail_and_records_it(carol, alice, policy, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    ticket = receive(raw_mail(), source="import", policy=policy).ticket
    tickets.add_reply(actor=alice, ticket=ticket, body="Please restart it.")

    result = outbound.send_due()

    assert result.sent == 2
    ack, reply = django_mail.outbox
    assert ack.to == ["carol@acme.example"]
    assert f"[{ticket.number}]" in ack.subject
    assert ack.extra_headers["Auto-Submitted"] == "auto-replied"
    assert ack.extra_headers["In-Reply-To"] == "<m1@acme.example>"
    assert "Auto-Submitted" not in reply.extra_headers
    assert reply.subject.startswith("Re: [")
    assert "Please restart it." in reply.body
    ack_id = ack.extra_headers["Message-ID"]
    assert reply.extra_headers["In-Reply-To"] == ack_id
    assert reply.extra_headers["References"] == f"<m1@acme.example> {ack_id}"
    sent = ticket.events.filter(kind=EventKind.MAIL_SENT)
    assert sent.count() == 2 and not sent[0].is_public
    assert outbound.send_due().sent == 0  # each mail once


def test_a_customer_reply_to_our_mail_threads_by_its_message_id(carol, alice, policy, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    ticket = receive(raw_mail(), source="import", policy=policy).ticket
    outbound.send_due()
    ack_id = django_mail.outbox[0].extra_headers["Message-ID"]
    reply = raw_mail(subject="Re: something else", message_id="<c2@x>", In_Reply_To=ack_id)

    assert receive(reply, source="import", policy=policy).ticket == ticket


def test_a_failing_mail_server_is_retried_then_recorded(carol, policy, settings, monkeypatch):
    ticket = receive(raw_mail(), source="import", policy=policy).ticket

    def refuse(self, messages):
        raise ConnectionRefusedError("connection refused")

    monkeypatch.setattr("django.core.mail.backends.locmem.EmailBackend.send_messages", refuse)
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    now = clock.now()
    assert outbound.send_due(now).retried == 1
    mail = OutboundMail.objects.get()
    assert mail.state == "queued" and mail.attempts == 1
    assert "connection refused" in mail.last_error
    assert outbound.send_due(now).retried == 0  # not due yet
    for _ in range(outbound.MAX_ATTEMPTS - 1):
        now += timedelta(hours=5)
        outbound.send_due(now)
    mail.refresh_from_db()
    assert mail.state == "failed"
    assert ticket.events.get(kind=EventKind.MAIL_FAILED).body.count("connection refused") == 1


def test_no_mail_for_phone_tickets_and_customer_replies(carol, alice, acme_ticket):
    tickets.add_reply(actor=carol, ticket=acme_ticket, body="Thanks")
    assert not OutboundMail.objects.exists()
    tickets.add_reply(actor=alice, ticket=acme_ticket, body="Fixed?")
    assert OutboundMail.objects.get().kind == "reply"


def test_rolled_back_change_queues_nothing(carol, alice, acme_ticket):

    with pytest.raises(RuntimeError), transaction.atomic():
        tickets.add_reply(actor=alice, ticket=acme_ticket, body="x")
        raise RuntimeError
    assert not OutboundMail.objects.exists()


def test_a_busy_database_is_raised_so_the_message_is_kept_by_its_source(carol, policy, monkeypatch):

    def locked(**kwargs):
        raise OperationalError("database is locked")

    monkeypatch.setattr(pipeline.tickets, "create_ticket", locked)
    with pytest.raises(OperationalError):
        receive(raw_mail(), source="imap", policy=policy)
    assert not InboundMessage.objects.exists()  # not recorded: it will be fetched again


def test_reprocess_applies_the_options_the_message_came_in_with(acme, alice):
    quiet = Policy(organization=acme, notify=False)  # an import: answers nobody
    held = receive(raw_mail(sender="new@acme.example"), source="import", policy=quiet)
    assert held.message.reason == "unknown_sender"
    acme.email_domains = "acme.example"
    acme.save()

    again = pipeline.reprocess(held.message, actor=alice)

    assert again.outcome == Outcome.CREATED
    assert not OutboundMail.objects.exists()  # still quiet


def test_a_mail_template_sees_plain_values_not_the_ticket(carol, alice, policy, settings):

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    MailTemplate.objects.create(
        kind="acknowledgement",
        subject="Got it",
        body="[{{ ticket.requester.password }}][{{ ticket.events.all }}] {{ ticket.number }}",
    )
    ticket = receive(raw_mail(), source="import", policy=policy).ticket

    outbound.send_due()

    (ack,) = django_mail.outbox
    assert ack.body == f"[][] {ticket.number}"
    assert ack.subject == f"[{ticket.number}] Got it"  # the tag is kept for threading
