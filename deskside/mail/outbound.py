"""Outgoing mail to customers: the acknowledgement of a new ticket, an agent's public reply,
the resolution notice.

An outbox. `event_written` (a handler on the tickets' event hook for the kinds of
KIND_FOR_EVENT, registered in MailConfig.ready) writes an `OutboundMail` row in the
transaction of the event, so a mail exists exactly when its event committed, and a
rolled-back change sends nothing. `send_due()` (run by `deskside worker` every few seconds)
claims queued rows with a conditional UPDATE (one worker per row, any number of workers),
renders them from the templates, sends them through Django's mail backend (SMTP in
production), records each sent mail on the ticket's timeline (an internal `mail_sent` event)
and its Message-ID for threading, and retries failures with back-off; after the last attempt
the failure is on the timeline (`mail_failed`).

At most once, by construction. Before the SMTP conversation starts the row is marked as
handed over (`handed_at`, with the text being sent) in its own commit; only then is the mail
handed to the server, and the row is marked sent right after the server's 250. Whatever stops
the worker in between (a kill, a crash, a database that refused the "sent" write) leaves a
row in "sending" with `handed_at`: after STALE_CLAIM it becomes "unknown" with a timeline
note, and is not sent again, because the customer may already have it. A row without
`handed_at` never reached the server and is queued again. The same holds for a conversation
that breaks after the DATA command without the server's answer (a timeout, a dropped
connection: see `Handover`). An administrator sends an "unknown" mail again deliberately
from the outbox (`requeue`), under the same Message-ID.

Threading: every mail carries `Message-ID` (`deskside.<ticket>.<id>.<token>@<our domain>`,
also how our own mail is recognised when it comes back), `In-Reply-To` (the newest message of the
ticket's thread), `References` (the thread's first message and its newest ones) and the
`[T-10423]` tag in the subject, which is what Gmail, Outlook and Apple Mail group by.
Automatic mails carry `Auto-Submitted` (RFC 3834) and `X-Auto-Response-Suppress` so that
out-of-office responders do not answer them.

Reply tokens: a mail goes to one recipient (one `OutboundMail` row each), and its Message-ID
carries `reply_token(ticket, address)`, an HMAC of the ticket number and the recipient's
address under a key derived from SECRET_KEY. A reply quotes it in `In-Reply-To`/`References`;
the pipeline (`deskside.mail.pipeline._thread`) lets the reply into the ticket when the token
matches the reply's (verified) From: address, and ignores a token made for someone else or
altered. Message-IDs sent before tokens (`deskside.<ticket>.<id>@...`) still thread, for people
in the ticket's conversation only.
"""

import contextlib
import contextvars
import logging
import smtplib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.core.mail.backends.smtp import EmailBackend as SmtpBackend
from django.db import transaction
from django.db.models import F
from django.urls import reverse
from django.utils.crypto import constant_time_compare, salted_hmac

from deskside.accounts.models import User
from deskside.core import clock
from deskside.core.baseurl import base_url
from deskside.mail import templates
from deskside.mail.addresses import directory
from deskside.mail.models import InboundMessage, Mailbox, MailKind, MessageRef, OutboundMail
from deskside.tickets.models import Channel, EventKind, Status, Ticket
from deskside.tickets.timeline import Happened, write_event

log = logging.getLogger(__name__)

KIND_FOR_EVENT = {
    EventKind.CREATED: MailKind.ACKNOWLEDGEMENT,
    EventKind.REPLY: MailKind.REPLY,
    EventKind.RESOLVED: MailKind.RESOLUTION,
}
AUTO_SUBMITTED = {
    MailKind.ACKNOWLEDGEMENT: "auto-replied",
    MailKind.RESOLUTION: "auto-generated",
}
NO_ACKNOWLEDGEMENT = (Channel.PHONE, Channel.WALK_UP, Channel.ALERT)
RETRY_MINUTES = (1, 5, 15, 60, 240)  # after attempt 1, 2, ...; then the mail has failed
MAX_ATTEMPTS = len(RETRY_MINUTES) + 1
STALE_CLAIM = timedelta(minutes=10)
# What rendering a mail reads: one query for the row instead of one per relation.
MAIL_RELATED = (
    "ticket__organization",
    "ticket__requester",
    "ticket__site",
    "event__actor",
    "requeued_by",
)
THREAD_REFERENCES = 10

_quiet: contextvars.ContextVar[bool] = contextvars.ContextVar("deskside_mail_quiet", default=False)


@contextlib.contextmanager
def quiet() -> Iterator[None]:
    """Queue no mail for the events written inside (an import of old mail answers nobody)."""
    token = _quiet.set(True)
    try:
        yield
    finally:
        _quiet.reset(token)


def domain() -> str:
    return settings.DEFAULT_FROM_EMAIL.rpartition("@")[2].strip(">").strip() or "localhost"


def is_ours(message_id: str) -> bool:
    """Whether a Message-ID is one we generated."""
    return message_id.startswith("deskside.") and message_id.endswith("@" + domain())


TOKEN_SALT = "deskside.mail.outbound.reply_token"  # noqa: S105 (a salt, not a secret)


def reply_token(ticket_number: str, address: str) -> str:
    """The reply token of mail about a ticket to one address (an HMAC keyed from SECRET_KEY:
    nobody can make one without it, and it names both the ticket and the address)."""
    value = f"{ticket_number.upper()}:{address.strip().lower()}"
    # 80 bits: guessing one takes 2**79 tries on average; short enough to keep the
    # Message-ID header on one line for the usual domain lengths.
    return salted_hmac(TOKEN_SALT, value, algorithm="sha256").hexdigest()[:20]


def token_in(message_id: str) -> tuple[str, str] | None:
    """(ticket number, token) of one of our Message-IDs that carries a reply token."""
    if not is_ours(message_id):
        return None
    parts = message_id.rpartition("@")[0].split(".")
    if len(parts) != 4 or not parts[3]:
        return None
    return parts[1], parts[3]


def token_matches(message_id: str, address: str) -> bool:
    """Whether a Message-ID of ours carries the reply token of `address` for its ticket."""
    found = token_in(message_id)
    if found is None or not address:
        return False
    number, token = found
    return constant_time_compare(token, reply_token(number, address))


def recipients(ticket: Ticket, kind: str) -> list[str]:
    """Who gets a mail of `kind`: the requester, and for replies and resolutions the customers
    who watch the ticket; active customers with an address only."""
    people = [ticket.requester]
    if kind != MailKind.ACKNOWLEDGEMENT:
        people += list(ticket.watchers.filter(kind="customer"))
    emails = [
        p.email
        for p in people
        if p.is_customer and p.is_active and p.email and not p.email.endswith(".invalid")
    ]
    return list(dict.fromkeys(emails))


def event_written(happened: Happened) -> None:
    """Queue the mail an event calls for (see the module docstring). SLA warnings and breaches
    are not heard: `deskside.sla.notify` mails those to the assignee and the team lead itself,
    so nothing is sent twice."""
    instance = happened.event
    kind = KIND_FOR_EVENT.get(happened.kind)
    if kind is None or not instance.is_public:
        return
    if not settings.DESKSIDE_MAIL_NOTIFY or _quiet.get():
        return
    ticket = instance.ticket
    if kind == MailKind.REPLY and (instance.actor is None or not instance.actor.is_agent):
        return  # a customer's own reply is not mailed back to them
    if kind == MailKind.ACKNOWLEDGEMENT and ticket.channel in NO_ACKNOWLEDGEMENT:
        return  # they were on the phone with the desk; alerts have no customer to thank
    for address in recipients(ticket, kind):  # one mail each: each has its own reply token
        mail = OutboundMail(ticket=ticket, event=instance, kind=kind, recipients=address)
        token = reply_token(ticket.number, address)
        mail.message_id = f"deskside.{ticket.number}.{mail.public_id}.{token}@{domain()}"
        mail.save(force_insert=True)


# -- sending -----------------------------------------------------------------------------------


@dataclass
class SendResult:
    sent: int = 0
    retried: int = 0
    failed: int = 0
    unknown: int = 0


class Handover:
    """Where the SMTP conversation of the mail being sent got to: the line between "the server
    certainly does not have it" (sent again safely) and "it may have it" (never sent again
    without an administrator).

    With Django's SMTP backend the session is opened before the mail is handed over, so a
    refused connection or login is a plain failure, and `smtplib`'s DATA step is watched: a
    mail is `accepted` once the server answered 250 to its end of data (whatever happens to
    the session afterwards), and in `doubt` when the conversation broke after the DATA
    command without an answer from the server (a timeout, a dropped connection): the server
    may have taken it. An explicit refusal (any SMTP reply code) is never in doubt. Other
    backends (console, locmem, file, third-party APIs) cannot be watched: their errors count
    as failures, retried as before."""

    def __init__(self, backend: Any) -> None:
        self.backend = backend
        self.in_data = False
        self.accepted = False
        self._watched: smtplib.SMTP | None = None

    def open(self) -> None:
        """Open the backend's session now (outside the hand-over) and watch it."""
        self.in_data = self.accepted = False
        if not isinstance(self.backend, SmtpBackend):
            return
        self.backend.open()
        session = self.backend.connection
        if session is None or session is self._watched:
            return
        self._watched = session
        data = session.data

        def watched_data(msg: Any) -> tuple[int, bytes]:
            self.in_data = True
            code, reply = data(msg)
            self.accepted = code == 250  # smtplib raises for any other answer to DATA itself
            return code, reply

        session.data = watched_data  # type: ignore[method-assign]

    def in_doubt(self, exc: BaseException) -> bool:
        return self.in_data and not isinstance(exc, smtplib.SMTPResponseException)


def send_due(now: datetime | None = None, *, limit: int = 100) -> SendResult:
    """Send the queued mails that are due (see the module docstring). Safe in any number of
    workers at once: a mail is sent by the worker whose claim matched it, at most once unless
    an administrator sends it again."""
    started = clock.now()
    now = now or started
    result = SendResult()
    recover_stale(now, result)
    due = list(
        OutboundMail.objects.filter(state=OutboundMail.State.QUEUED, next_attempt_at__lte=now)
        .order_by("next_attempt_at", "id")
        .values_list("pk", flat=True)[:limit]
    )
    if not due:
        return result
    connection = get_connection(fail_silently=False)
    handover = Handover(connection)
    try:
        for pk in due:
            claimed = OutboundMail.objects.filter(pk=pk, state=OutboundMail.State.QUEUED).update(
                state=OutboundMail.State.SENDING,
                # The moment of this claim, not the pass's start: a pass that waits on a slow
                # server must not hand other workers claims that already look stale.
                claimed_at=now + (clock.now() - started),
                handed_at=None,
                attempts=F("attempts") + 1,
            )
            if claimed:
                _send_one(
                    OutboundMail.objects.select_related(*MAIL_RELATED).get(pk=pk),
                    handover,
                    now,
                    result,
                )
    finally:
        with contextlib.suppress(Exception):
            connection.close()
    return result


def recover_stale(now: datetime, result: SendResult) -> None:
    """Rows a worker left in "sending" for STALE_CLAIM (it died, or its database write failed):
    one never handed to the mail server is queued again; one that was (`handed_at`) may have
    reached the customer, so it becomes "unknown" with a timeline note and is not sent again
    (an administrator may, from the outbox)."""
    stale = OutboundMail.objects.filter(
        state=OutboundMail.State.SENDING, claimed_at__lt=now - STALE_CLAIM
    )
    stale.filter(handed_at__isnull=True).update(state=OutboundMail.State.QUEUED)
    for pk in stale.filter(handed_at__isnull=False).values_list("pk", flat=True):
        mail = OutboundMail.objects.select_related("ticket").get(pk=pk)
        _unknown(mail, "the worker stopped while handing it to the mail server", result)


def _send_one(mail: OutboundMail, handover: Handover, now: datetime, result: SendResult) -> None:
    try:
        message = build(mail)
        if not message.to:
            raise ValueError("no recipient left (our own mailbox addresses are never written to)")
        handover.open()  # a refused connection or login: the server has nothing yet
    except Exception as exc:
        _close(handover)
        _failed(mail, exc, now, result)
        return
    # From here on the mail server may have the mail: say so first, in its own commit, with
    # what is being sent (a resend sends the same text under the same Message-ID).
    if not OutboundMail.objects.filter(
        pk=mail.pk, state=OutboundMail.State.SENDING, claimed_at=mail.claimed_at
    ).update(handed_at=clock.now(), subject=message.subject[:250], body=message.body):
        return  # no longer ours (taken back as stale): not sent by this worker
    try:
        handover.backend.send_messages([message])
    except Exception as exc:
        _close(handover)  # a broken session: the next mail opens a new one
        if not handover.accepted:
            if handover.in_doubt(exc):
                _unknown(mail, f"{type(exc).__name__}: {exc}", result)
            else:
                _failed(mail, exc, now, result)
            return
        # Accepted (250), then the session failed: the mail is sent.
    _mark_sent(mail, message)
    result.sent += 1


def _close(handover: Handover) -> None:
    with contextlib.suppress(Exception):
        handover.backend.close()


def _mark_sent(mail: OutboundMail, message: EmailMessage) -> None:
    """Record a mail the server accepted: its state, its Message-ID in the thread, and the
    ticket's timeline. A row taken back meanwhile as "unknown" is known now."""
    resent = f"\nSent again by {mail.requeued_by.get_full_name()}" if mail.requeued_by else ""
    with transaction.atomic():
        if not OutboundMail.objects.filter(
            pk=mail.pk,
            state__in=(OutboundMail.State.SENDING, OutboundMail.State.UNKNOWN),
            claimed_at=mail.claimed_at,
        ).update(state=OutboundMail.State.SENT, sent_at=clock.now(), last_error=""):
            log.error("mail %s was accepted but is no longer this worker's", mail.public_id)
            return
        if not MessageRef.objects.filter(message_id=mail.message_id, ticket=mail.ticket).exists():
            MessageRef.objects.create(message_id=mail.message_id, ticket=mail.ticket, outbound=True)
        write_event(
            mail.ticket,
            EventKind.MAIL_SENT,
            None,
            body=f"To: {', '.join(message.to)}\nSubject: {message.subject}{resent}",
            data={
                "mail": mail.public_id,
                "kind": mail.kind,
                "to": message.to,
                "message_id": mail.message_id,
            },
        )


def _unknown(mail: OutboundMail, why: str, result: SendResult) -> None:
    """A mail the server may or may not have: "unknown", never sent again by the worker (a
    second copy of a reply is worse than asking an administrator), with a timeline note."""
    error = why[:2000]
    with transaction.atomic():
        if not OutboundMail.objects.filter(
            pk=mail.pk, state=OutboundMail.State.SENDING, claimed_at=mail.claimed_at
        ).update(state=OutboundMail.State.UNKNOWN, last_error=error):
            return  # settled meanwhile by its own worker
        write_event(
            mail.ticket,
            EventKind.MAIL_FAILED,
            None,
            body=f"The {MailKind(mail.kind).label.lower()} to {mail.recipients} may or may not "
            f"have been sent ({error}). It is not sent again by itself: an administrator can "
            "send it again from the outbox.",
            data={
                "mail": mail.public_id,
                "kind": mail.kind,
                "error": error,
                "unknown": True,
                "message_id": mail.message_id,
            },
        )
    log.error("mail %s to %s: outcome unknown: %s", mail.public_id, mail.recipients, error)
    result.unknown += 1


def requeue(mail: OutboundMail, *, actor: User) -> bool:
    """An administrator's "send again" for a failed mail, or for one whose outcome is unknown
    (the customer may get it twice; it keeps its Message-ID, by which many mail systems drop
    a second copy). Queued now with its attempts counted from zero; who asked is kept and
    written on the "Mail sent" event. False when the mail is in neither state."""
    return bool(
        OutboundMail.objects.filter(
            pk=mail.pk, state__in=(OutboundMail.State.FAILED, OutboundMail.State.UNKNOWN)
        ).update(
            state=OutboundMail.State.QUEUED,
            next_attempt_at=clock.now(),
            attempts=0,
            claimed_at=None,
            handed_at=None,
            requeued_by=actor,
            requeued_at=clock.now(),
        )
    )


def _permanent(exc: Exception) -> bool:
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        return all(code >= 500 for code, _ in exc.recipients.values())
    if isinstance(exc, smtplib.SMTPResponseException):
        return exc.smtp_code >= 500
    return isinstance(exc, ValueError)


def _failed(mail: OutboundMail, exc: Exception, now: datetime, result: SendResult) -> None:
    error = f"{type(exc).__name__}: {exc}"[:2000]
    attempts = mail.attempts
    # Only while the claim is still this worker's: a row taken back as stale and claimed by
    # another worker is that worker's to send or fail (else it would be queued once more).
    ours = OutboundMail.objects.filter(
        pk=mail.pk, state=OutboundMail.State.SENDING, claimed_at=mail.claimed_at
    )
    if attempts < MAX_ATTEMPTS and not _permanent(exc):
        ours.update(
            state=OutboundMail.State.QUEUED,
            next_attempt_at=now + timedelta(minutes=RETRY_MINUTES[attempts - 1]),
            last_error=error,
        )
        log.warning(
            "mail %s to %s failed (attempt %d), retrying: %s",
            mail.public_id,
            mail.recipients,
            attempts,
            error,
        )
        result.retried += 1
        return
    with transaction.atomic():
        if not ours.update(state=OutboundMail.State.FAILED, last_error=error):
            return
        write_event(
            mail.ticket,
            EventKind.MAIL_FAILED,
            None,
            body=f"The {MailKind(mail.kind).label.lower()} to {mail.recipients} could not be "
            f"sent after {attempts} attempt(s): {error}",
            data={"mail": mail.public_id, "kind": mail.kind, "error": error},
        )
    log.error("mail %s to %s failed for good: %s", mail.public_id, mail.recipients, error)
    result.failed += 1


def thread_headers(ticket: Ticket, own_id: str) -> tuple[str, list[str]]:
    """(In-Reply-To, References) for a new mail on the ticket's thread."""
    ids = [
        i
        for i in MessageRef.objects.filter(ticket=ticket)
        .order_by("id")
        .values_list("message_id", flat=True)
        if i != own_id
    ]
    if not ids:
        return "", []
    references = list(dict.fromkeys([ids[0], *ids[-(THREAD_REFERENCES - 1) :]]))
    return ids[-1], references


def mailbox_of(ticket: Ticket) -> Mailbox | None:
    """The mailbox the ticket came in through, if any (replies go to its address)."""
    first = (
        InboundMessage.objects.filter(ticket=ticket, mailbox__isnull=False)
        .select_related("mailbox")
        .order_by("id")
        .first()
    )
    return first.mailbox if first else None


ContextProvider = Callable[[OutboundMail], dict[str, Any]]
_providers: dict[str, ContextProvider] = {}


def provide_context(name: str, provider: ContextProvider) -> None:
    """Let an app that builds on mail add template variables to outgoing mails (the surveys'
    links in the resolution notice): `provider(mail)` runs when a row is rendered and returns
    plain values. Registered in the app's ready(); the same name again replaces it."""
    _providers[name] = provider


def context(mail: OutboundMail, mailbox: Mailbox | None) -> dict[str, Any]:
    extra: dict[str, Any] = {}
    for provider in _providers.values():
        extra.update(provider(mail))
    ticket = mail.ticket
    event = mail.event
    actor = event.actor if event else None
    return {
        "ticket": {
            "number": ticket.number,
            "subject": ticket.subject,
            "priority_label": ticket.priority_label,
            "status": Status(ticket.status).label,
            "organization": ticket.organization.name,
            "site": ticket.site.name if ticket.site_id else "",
        },
        "requester_name": ticket.requester.get_full_name(),
        "agent_name": actor.get_full_name() if actor else settings.DESKSIDE_DESK_NAME,
        "body": event.body if event else "",
        "ticket_url": base_url() + reverse("portal:detail", args=[ticket.number]),
        "desk_name": settings.DESKSIDE_DESK_NAME,
        "reopen_days": mailbox.reopen_days if mailbox else 14,
        "survey": "",
        **extra,
    }


def build(mail: OutboundMail) -> EmailMessage:
    """The message for an outbox row, with its threading and loop-protection headers."""
    ticket = mail.ticket
    mailbox = mailbox_of(ticket)
    values = context(mail, mailbox)
    text = templates.render(templates.current(mail.kind), values)
    body = text.body
    if values["survey"] and values["survey"] not in body:  # an edited text without {{ survey }}
        body = f"{body.rstrip()}\n\n{values['survey']}\n"
    subject = text.subject
    if f"[{ticket.number}]" not in subject:  # an edited template must still thread
        subject = f"[{ticket.number}] {subject}"
    own = directory.own_addresses()
    to = [
        a.strip() for a in mail.recipients.split(",") if a.strip() and a.strip().lower() not in own
    ]
    headers = {"Message-ID": f"<{mail.message_id}>", "X-Deskside-Ticket": ticket.number}
    in_reply_to, references = thread_headers(ticket, mail.message_id)
    if in_reply_to:
        headers["In-Reply-To"] = f"<{in_reply_to}>"
        headers["References"] = " ".join(f"<{r}>" for r in references)
    if auto := AUTO_SUBMITTED.get(mail.kind):
        headers["Auto-Submitted"] = auto
        headers["X-Auto-Response-Suppress"] = "All"
    return EmailMessage(
        subject=subject,
        body=body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=to,
        reply_to=[mailbox.address] if mailbox else None,
        headers=headers,
    )
