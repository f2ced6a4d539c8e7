"""The mail channel's services (deskside.mail.services), called directly: administrators
only, one transaction each, errors that name the field; the pages and the API are adapters
over them (tests/mail/test_views.py, test_api.py)."""

import pytest

from deskside.accounts import services as accounts
from deskside.core import clock, versioning
from deskside.core.exceptions import DomainError
from deskside.mail import pipeline, services
from deskside.mail.exceptions import InvalidInput, MailError, NotAllowed
from deskside.mail.models import Mailbox, MailKind, MailTemplate, OutboundMail, Outcome
from deskside.mail.pipeline import Policy, receive
from deskside.mail.templates import DEFAULTS
from deskside.tickets.exceptions import TicketError
from tests.mail.test_pipeline import raw_mail

VALUES = {
    "name": "Help desk",
    "address": "help@desk.example",
    "is_active": True,
    "protocol": Mailbox.Protocol.IMAPS,
    "host": "imap.desk.example",
    "port": None,
    "username": "help",
    "password_env": "",
    "folder": "INBOX",
    "after_import": Mailbox.AfterImport.FLAG,
    "processed_folder": "",
    "organization": None,
    "team": None,
    "priority": 3,
    "unknown_senders": Mailbox.UnknownSenders.QUARANTINE,
    "unverified_mail": Mailbox.UnverifiedMail.QUARANTINE,
    "reopen_days": 14,
    "poll_seconds": 60,
}


@pytest.fixture
def held(acme):
    result = receive(
        raw_mail(sender="nina@nowhere.example", message_id="<held@nowhere.example>"),
        source="import",
        policy=Policy(organization=acme, unknown_senders="quarantine"),
    )
    assert result.outcome == Outcome.QUARANTINED
    return result.message


def test_mail_errors_are_domain_errors_the_adapters_map():
    assert issubclass(MailError, DomainError) and not issubclass(MailError, TicketError)
    assert (InvalidInput("x").status_code, NotAllowed("x").status_code) == (422, 403)


# -- the quarantine ----------------------------------------------------------------------------


def test_reprocess_takes_a_held_message_once_its_cause_is_fixed(admin, acme, held):
    again = services.reprocess_message(actor=admin, message=held)
    assert again.failed and again.message.outcome == Outcome.QUARANTINED

    nina = accounts.create_user(email="nina@nowhere.example", organization=acme)
    held.refresh_from_db()
    result = services.reprocess_message(actor=admin, message=held)

    assert result.outcome == Outcome.CREATED and result.ticket.requester == nina
    held.refresh_from_db()
    assert held.handled_by == admin
    with pytest.raises(InvalidInput) as caught:
        services.reprocess_message(actor=admin, message=held)
    assert caught.value.field == "outcome"


def test_discard_is_final_and_says_who(admin, held):
    before = clock.now()
    message = services.discard_message(actor=admin, message=held)
    assert message.outcome == Outcome.DISCARDED and message.handled_by == admin
    assert message.handled_at >= before
    with pytest.raises(InvalidInput):
        services.discard_message(actor=admin, message=held)  # a stale copy: read again


def test_only_administrators_work_the_quarantine(alice, carol, held):
    for user in (alice, carol):
        with pytest.raises(NotAllowed):
            services.reprocess_message(actor=user, message=held)
        with pytest.raises(NotAllowed):
            services.discard_message(actor=user, message=held)
    held.refresh_from_db()
    assert held.outcome == Outcome.QUARANTINED and held.handled_by is None


# -- the outbox --------------------------------------------------------------------------------


def test_retry_queues_a_failed_mail_again_and_only_that(admin, alice, acme, carol):
    ticket = receive(raw_mail(), source="import", policy=Policy(organization=acme)).ticket
    mail = OutboundMail.objects.get(ticket=ticket)  # the acknowledgement
    OutboundMail.objects.filter(pk=mail.pk).update(state=OutboundMail.State.FAILED, attempts=6)
    with pytest.raises(NotAllowed):
        services.retry_mail(actor=alice, mail=mail)

    assert services.retry_mail(actor=admin, mail=mail) is True

    mail.refresh_from_db()
    assert (mail.state, mail.attempts, mail.requeued_by) == ("queued", 0, admin)
    assert services.retry_mail(actor=admin, mail=mail) is False  # queued: nothing to do


# -- mailboxes ---------------------------------------------------------------------------------


def test_create_then_update_a_mailbox_and_its_password(admin):
    mailbox = services.create_mailbox(actor=admin, values=VALUES, password="s3cret")
    assert mailbox.pk and mailbox.version == 1 and mailbox.password() == "s3cret"

    services.update_mailbox(actor=admin, mailbox=mailbox, values={**VALUES, "name": "Desk"})
    row = Mailbox.objects.get()
    assert (row.name, row.version, row.password()) == ("Desk", 2, "s3cret")  # kept
    services.update_mailbox(actor=admin, mailbox=row, values=VALUES, password="", version=2)
    assert Mailbox.objects.get().password() == ""


def test_a_stale_or_deleted_mailbox_is_never_overwritten(admin):
    mailbox = services.create_mailbox(actor=admin, values=VALUES)
    Mailbox.objects.filter(pk=mailbox.pk).update(last_error="timeout")
    services.update_mailbox(actor=admin, mailbox=mailbox, values=VALUES, version=1)
    assert Mailbox.objects.get().last_error == "timeout"  # the poller's field, not written
    with pytest.raises(versioning.VersionConflict):
        services.update_mailbox(actor=admin, mailbox=mailbox, values=VALUES, version=1)
    Mailbox.objects.all().delete()
    with pytest.raises(versioning.Gone):
        services.update_mailbox(actor=admin, mailbox=mailbox, values=VALUES, version=2)
    assert not Mailbox.objects.exists()


def test_mailbox_settings_are_the_named_ones_and_for_administrators(admin, alice):
    with pytest.raises(InvalidInput):
        services.create_mailbox(actor=admin, values={**VALUES, "last_error": "x"})
    with pytest.raises(NotAllowed):
        services.create_mailbox(actor=alice, values=VALUES)
    assert not Mailbox.objects.exists()


# -- the texts of outgoing mail ----------------------------------------------------------------


def test_save_and_reset_a_text(admin):
    kind = MailKind.REPLY
    services.save_template(actor=admin, kind=kind, subject="Re: {{ ticket.number }}", body="Hi")
    row = MailTemplate.objects.get()
    assert (row.subject, row.body, row.updated_by, row.version) == (
        "Re: {{ ticket.number }}",
        "Hi",
        admin,
        1,
    )
    assert services.reset_template(actor=admin, kind=kind) is True
    assert services.reset_template(actor=admin, kind=kind) is False
    default = DEFAULTS[kind]
    services.save_template(actor=admin, kind=kind, subject="x", body="y", version=0)
    services.save_template(
        actor=admin, kind=kind, subject=default.subject, body=default.body, version=1
    )
    assert not MailTemplate.objects.exists()  # the default text is no edited text


def test_a_text_must_render_and_be_edited_by_an_administrator(admin, alice):
    with pytest.raises(InvalidInput) as caught:
        services.save_template(actor=admin, kind="reply", subject="x", body="  ")
    assert caught.value.field == "body"
    with pytest.raises(InvalidInput):
        services.save_template(actor=admin, kind="reply", subject="x", body="{% if %}")
    with pytest.raises(InvalidInput) as caught:
        services.save_template(actor=admin, kind="fax", subject="x", body="y")
    assert caught.value.field == "kind"
    with pytest.raises(NotAllowed):
        services.save_template(actor=alice, kind="reply", subject="x", body="y")
    with pytest.raises(NotAllowed):
        services.reset_template(actor=alice, kind="reply")
    assert not MailTemplate.objects.exists()


def test_a_quarantine_detail_with_a_nul_is_stored_without_it(held):
    # Found by tests/mail/test_fuzz.py on PostgreSQL: a detail quoting the message (its sender,
    # a DKIM domain) with a NUL failed to save ("text fields cannot contain NUL").
    result = pipeline._quarantine_error(held, pipeline.Held("unverified_sender", "from a\x00b"))
    held.refresh_from_db()
    assert (result.outcome, held.detail) == (Outcome.QUARANTINED, "from ab")
