"""The one path every inbound message takes, whatever brought it: an IMAP poll
(`deskside.mail.imap`), direct delivery (`deskside smtpd`) or an import (`deskside mail
import`).

`receive(raw, ...)`:

1. parses the message (`deskside.mail.parse`, which never raises) and computes its dedup key:
   the Message-ID, or the SHA-256 of the raw bytes for a message without one. A key seen
   before is a duplicate: nothing more happens.
2. stores the raw bytes on disk (by content: `deskside.core.files.keep`, so a file already
   there counts only with the right size and hash, and a full disk leaves no partial file),
   then in one transaction records the message
   (`InboundMessage`) and acts on it:
   - our own mail coming back, and automatic mail (auto-replies, out-of-office, bounces,
     delivery and read reports, list traffic: `parse.automatic`) never open a ticket and are
     never answered; an automatic mail that belongs to a ticket's thread (a bounce of our
     answer, an out-of-office reply) is noted on that ticket, internally;
   - the sender's verification (`deskside.mail.senders`: DKIM, SPF, DMARC alignment or a
     trusted Authentication-Results, checked before the transaction and kept on the record):
     a message whose sender is not verified never acts as its sender; the mailbox's policy
     holds it in quarantine (`unverified_sender`) or keeps it as an internal note marked
     "sender not verified" (`_unverified`). Only verified mail goes on below;
   - a sender above the rate limit is held in quarantine (a mail storm makes no tickets);
   - the sender becomes a person (`find_sender`): a known user; an unknown address of a
     client's registered mail domain becomes a contact of that client; anyone else follows
     the mailbox's rule (a contact of its organisation, or quarantine for review);
   - the thread (`find_ticket`) by `In-Reply-To`/`References` against every Message-ID we
     received or sent, then by the `[T-10423]` tag in the subject; never by subject text.
     A customer joins a ticket by mail only if they are in its conversation
     (`in_conversation`: requester, watchers, the client's organisation admins, addresses
     the desk wrote to about it, addresses in To/Cc of a message on it); a colleague who is
     not opens a new ticket, linked to the one named by internal notes on both, and the
     agent decides. A reply quoting the reply token the desk made for its From: address
     (`outbound.reply_token`) joins; a token made for someone else, or altered, names
     nothing. Agents join the tickets they can see. A
     reply joins its ticket with the quoted history and signature stripped
     (`deskside.mail.replies`); a reply to a closed ticket, or to one resolved longer ago
     than the mailbox's `reopen_days`, opens a follow-up linked to it; a resolved ticket
     reopens. Anything else opens a ticket. The To/Cc addresses of a verified message are
     recorded on its ticket (`MailParticipant`): they are in its conversation from then on.
   Files become ticket attachments; files over the size limit and repairs made while reading
   are listed in an internal note on the ticket; the whole original stays downloadable.
3. When acting fails for any reason but an unavailable database, the transaction is rolled
   back and the message is kept in quarantine with the error (its raw bytes are on disk):
   admins reprocess or discard it in the quarantine page, with the options it came in with.
   One bad message never stops the others.
"""

import contextlib
import logging
import re
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, InterfaceError, OperationalError, transaction

from deskside.accounts import services as accounts
from deskside.accounts.models import Organization, Team, User
from deskside.core import clock
from deskside.core.exceptions import DomainError
from deskside.core.files import keep, removed_on_error
from deskside.mail import conversation, outbound, replies, senders
from deskside.mail.addresses import directory
from deskside.mail.models import (
    InboundMessage,
    Mailbox,
    MessageRef,
    Outcome,
    SenderCheck,
    Source,
    raw_path,
)
from deskside.mail.parse import ParsedMail, clean, digest, parse
from deskside.tickets import services as tickets
from deskside.tickets.exceptions import StorageUnavailable
from deskside.tickets.models import (
    Channel,
    EventKind,
    Priority,
    Status,
    Ticket,
    parse_number,
)
from deskside.tickets.queries import visible_tickets
from deskside.tickets.timeline import store_attachments, write_event

log = logging.getLogger(__name__)

DUPLICATE = "duplicate"
COUNTED = (Outcome.CREATED, Outcome.APPENDED, Outcome.FOLLOW_UP)
_TAG = re.compile(r"\[\s*T-(\d{1,15})\s*\]", re.IGNORECASE)
_PREFIX = re.compile(r"^\s*(?:(?:re|aw|fwd?|wg|sv|antw|vs)(?:\[\d+\])?\s*:\s*)+", re.IGNORECASE)


class Held(Exception):
    """The message goes to quarantine for review: `reason` (a code) and `detail` say why."""

    def __init__(self, reason: str, detail: str) -> None:
        super().__init__(detail)
        self.reason, self.detail = reason, detail


@dataclass(frozen=True)
class Policy:
    """What to do with a message: a mailbox's settings, or an import's options."""

    mailbox: Mailbox | None = None
    organization: Organization | None = None
    team: Team | None = None
    priority: int = Priority.P3
    unknown_senders: str = Mailbox.UnknownSenders.QUARANTINE
    unverified_mail: str = Mailbox.UnverifiedMail.QUARANTINE
    reopen_days: int = 14
    rate_limit: bool = True
    notify: bool = True
    # An operator importing mail they vouch for (`deskside mail import --senders-verified`):
    # its senders count as verified, and the verdict says who vouched.
    vouched: bool = False

    def options(self) -> dict[str, Any]:
        """What is kept with a message so that a reprocess applies the same policy."""
        return {
            "organization": self.organization.pk if self.organization else None,
            "team": self.team.pk if self.team else None,
            "priority": self.priority,
            "unknown_senders": self.unknown_senders,
            "unverified_mail": self.unverified_mail,
            "reopen_days": self.reopen_days,
            "rate_limit": self.rate_limit,
            "notify": self.notify,
            "vouched": self.vouched,
        }

    @classmethod
    def restore(cls, mailbox: Mailbox | None, options: dict[str, Any]) -> "Policy":
        """The policy a message was received with (its mailbox's current settings, with the
        options of that intake: an import's organisation, no notifications ...)."""
        if not options:
            return cls.of(mailbox) if mailbox else cls()
        organization = Organization.objects.filter(pk=options.get("organization")).first()
        team = Team.objects.filter(pk=options.get("team")).first()
        return cls(
            mailbox=mailbox,
            organization=organization,
            team=team,
            priority=options.get("priority", Priority.P3),
            unknown_senders=options.get("unknown_senders", Mailbox.UnknownSenders.QUARANTINE),
            unverified_mail=options.get(
                "unverified_mail",
                mailbox.unverified_mail if mailbox else Mailbox.UnverifiedMail.QUARANTINE,
            ),
            reopen_days=options.get("reopen_days", 14),
            rate_limit=options.get("rate_limit", True),
            notify=options.get("notify", True),
            vouched=options.get("vouched", False),
        )

    @classmethod
    def of(cls, mailbox: Mailbox, **changes: Any) -> "Policy":
        values = {
            "mailbox": mailbox,
            "organization": mailbox.organization,
            "team": mailbox.team,
            "priority": mailbox.priority,
            "unknown_senders": mailbox.unknown_senders,
            "unverified_mail": mailbox.unverified_mail,
            "reopen_days": mailbox.reopen_days,
        }
        return cls(**{**values, **changes})


@dataclass
class Result:
    outcome: str  # an Outcome value or DUPLICATE
    message: InboundMessage | None
    ticket: Ticket | None = None

    @property
    def failed(self) -> bool:
        return self.outcome == Outcome.QUARANTINED


@dataclass(frozen=True)
class Handled:
    """What a reply handler did with a message: the ticket it concerned, the event it wrote
    (or None), and the reason and detail kept on the message's record."""

    ticket: Ticket | None
    event: Any
    reason: str
    detail: str


ReplyHandler = Callable[[ParsedMail], Handled | None]
_reply_handlers: list[ReplyHandler] = []


def register_reply_handler(handler: ReplyHandler) -> None:
    """Let an app that sends mail under Message-IDs of its own (deskside.paging's pages) take
    the replies to that mail before they are threaded onto a ticket. Apps build on mail, never
    the other way, so they register here (in their AppConfig.ready). A handler returns None
    for a message that is not its business, or what it did (the message is then finished with
    outcome APPENDED); it may raise Held to quarantine the message."""
    if handler not in _reply_handlers:
        _reply_handlers.append(handler)


def dedup_key(parsed: ParsedMail, sha: str) -> str:
    return f"id:{parsed.message_id}"[:255] if parsed.message_id else f"sha256:{sha}"


def receive(
    raw: bytes,
    *,
    source: str,
    policy: Policy | None = None,
    envelope_from: str = "",
) -> Result:
    """Take in one raw message (see the module docstring). Raises only when the message could
    not be kept: the database is unavailable or busy (OperationalError, InterfaceError) or the
    raw bytes or an attachment could not be written (OSError: a full disk); the caller then
    keeps the message for a later try (IMAP leaves it unmarked, smtpd answers 451) and nothing
    of it is recorded. Every other failure is a quarantine."""
    policy = policy or Policy()
    sha = digest(raw)
    parsed = parse(raw, envelope_from=envelope_from)
    key = dedup_key(parsed, sha)
    if InboundMessage.objects.filter(dedup_key=key).exists():  # (cheaper than loading it)
        seen = InboundMessage.objects.select_related("ticket").get(dedup_key=key)
        if seen.digest == sha:  # the same bytes again: mend an original a crash left cut short
            keep(seen.raw.name, raw, digest=sha)
        return Result(DUPLICATE, seen, seen.ticket)
    path = raw_path(sha)
    keep(path, raw, digest=sha)
    message = InboundMessage(
        mailbox=policy.mailbox,
        source=source,
        dedup_key=key,
        digest=sha,
        raw=path,
        size=len(raw),
        outcome=Outcome.QUARANTINED,
        options=policy.options(),
        envelope_from=envelope_from[:254],
    )
    _describe(message, parsed)
    _verify(message, raw, policy)  # (DNS lookups: before the transaction, not inside it)
    try:
        # (a rollback takes the attachment files with the rows: removed_on_error)
        with removed_on_error(), transaction.atomic():
            _act(message, parsed, policy)  # inserts the message row last (`_finish`)
    except (OperationalError, InterfaceError):
        raise  # the database is unavailable or busy: the caller keeps the message and retries
    except StorageUnavailable as exc:  # an attachment did not fit on the disk: the same
        raise OSError(exc.errno, exc.message) from exc
    except IntegrityError as exc:
        seen = InboundMessage.objects.filter(dedup_key=key).first()
        if seen is not None:  # the same message, received at this moment elsewhere
            return Result(DUPLICATE, seen, seen.ticket)
        return _quarantine_error(message, exc)
    except Exception as exc:
        return _quarantine_error(message, exc)
    return Result(message.outcome, message, message.ticket)


def reprocess(message: InboundMessage, *, actor: User, policy: Policy | None = None) -> Result:
    """Run a quarantined message through the pipeline again (after the cause was fixed: a
    contact created, a mailbox rule changed ...). It stays in quarantine if it fails again."""
    if policy is None:
        policy = Policy.restore(message.mailbox, message.options)
    with message.raw.open("rb") as fh:
        raw = fh.read()
    parsed = parse(raw, envelope_from=message.envelope_from)
    checked = InboundMessage(source=message.source, sender=parsed.sender)
    _verify(checked, raw, policy)  # again: a sender's DNS may have been mended since
    try:
        with removed_on_error(), transaction.atomic():
            message = InboundMessage.objects.select_for_update().get(pk=message.pk)
            if message.outcome != Outcome.QUARANTINED:
                return Result(message.outcome, message, message.ticket)
            message.handled_at, message.handled_by = clock.now(), actor
            message.sender_check = checked.sender_check
            message.sender_check_reason = checked.sender_check_reason
            _act(message, parsed, policy, rate_limit=False)
    except (OperationalError, InterfaceError):
        raise
    except Exception as exc:
        return _quarantine_error(message, exc)
    return Result(message.outcome, message, message.ticket)


def discard(message: InboundMessage, *, actor: User) -> None:
    """Drop a quarantined message for good (its raw bytes stay on disk, its row says who
    discarded it and when)."""
    InboundMessage.objects.filter(pk=message.pk, outcome=Outcome.QUARANTINED).update(
        outcome=Outcome.DISCARDED, handled_at=clock.now(), handled_by=actor
    )


def _describe(message: InboundMessage, parsed: ParsedMail) -> None:
    message.message_id = parsed.message_id
    message.sender = parsed.sender
    message.subject = parsed.subject
    message.html = parsed.html


def _verify(message: InboundMessage, raw: bytes, policy: Policy) -> None:
    """Record whether the sender is verified (deskside.mail.senders)."""
    if policy.vouched:
        verdict = senders.Verdict(
            senders.PASS, "imported by an operator who vouched for the senders"
        )
    else:
        verdict = senders.check(raw, source=message.source)
        domain = message.sender.rpartition("@")[2].lower()
        if verdict.verified and verdict.domain != domain:  # (a From: our parser read otherwise)
            verdict = senders.Verdict(
                senders.NONE, f"{verdict.domain} was verified, not the sender's domain {domain}"
            )
    message.sender_check, message.sender_check_reason = verdict.result, verdict.reason[:500]


def _quarantine_error(message: InboundMessage, exc: Exception) -> Result:
    """Keep a message whose handling failed: the transaction was rolled back, so record it
    again (or update its row, on a reprocess) as quarantined with the error."""
    if isinstance(exc, Held):
        reason, detail = exc.reason, exc.detail
    else:
        log.exception("inbound mail %s failed", message.dedup_key)
        reason = "error"
        detail = "".join(traceback.format_exception_only(type(exc), exc)).strip()[:4000]
    # Cleaned like every stored text (no NUL: PostgreSQL refuses it): a detail quotes what the
    # message said about itself (its sender, a DKIM domain) and must not lose it again.
    message.outcome, message.reason, message.detail = Outcome.QUARANTINED, reason, clean(detail)
    message.ticket = message.event = None
    if message.pk and InboundMessage.objects.filter(pk=message.pk).exists():
        message.save()
    else:
        message.pk = None
        message.save(force_insert=True)
    return Result(Outcome.QUARANTINED, message)


# -- acting on a message -----------------------------------------------------------------------


def _act(
    message: InboundMessage, parsed: ParsedMail, policy: Policy, *, rate_limit: bool = True
) -> None:
    data = {"via": "email", "message": message.public_id}
    if outbound.is_ours(parsed.message_id) or parsed.sender in directory.own_addresses():
        _finish(message, Outcome.OWN_MAIL, "own_mail", "our own address or Message-ID")
        return
    if parsed.automatic:
        ticket = find_ticket(parsed, sender=None, extra_ids=parsed.quoted_ids)
        event = None
        if ticket is not None:
            event = write_event(
                ticket,
                EventKind.MAIL_AUTO,
                None,
                body=parsed.text[:2000],
                data={**data, "reason": parsed.automatic, "from": parsed.sender},
            )
        _finish(message, Outcome.AUTO_REPLY, "automatic", parsed.automatic, ticket, event)
        return
    if message.sender_check != SenderCheck.PASS:
        _unverified(message, parsed, policy, data, rate_limit=rate_limit)
        return
    data["sender_check"] = SenderCheck.PASS
    for handler in _reply_handlers:  # a reply to a page acknowledges it (deskside.paging)
        handled = handler(parsed)
        if handled is not None:
            _finish(
                message,
                Outcome.APPENDED,
                handled.reason,
                handled.detail,
                handled.ticket,
                handled.event,
            )
            return
    sender = _sender(parsed, policy, rate_limit=rate_limit)
    ticket, named = _thread(parsed, sender=sender)
    files = [
        SimpleUploadedFile(p.filename, p.data, content_type=p.content_type)
        for p in parsed.attachments
    ]
    reason = detail = ""
    with outbound.quiet() if not policy.notify else contextlib.nullcontext():
        if ticket is not None and not _follow_up_due(ticket, policy):
            event = tickets.add_mail_reply(
                sender=sender,
                ticket=ticket,
                body=replies.strip_reply(parsed.text) or "(no text)",
                attachments=files,
                data=data,
            )
            outcome = Outcome.APPENDED
        else:
            earlier = ticket
            ticket = _open(sender, parsed, policy, files, data, earlier, named=named)
            event = None  # the ticket's first event is the mail
            outcome = Outcome.CREATED if earlier is None else Outcome.FOLLOW_UP
            if earlier is None and named is not None:
                reason = "not_in_conversation"
                detail = (
                    f"{sender.email} named {named.number} but is not in its conversation: "
                    f"opened {ticket.number}, linked to it"
                )
        _notes(ticket, parsed, message)
        conversation.record_participants(ticket, parsed)
    if parsed.message_id:
        MessageRef.objects.create(message_id=parsed.message_id, ticket=ticket)
    _finish(message, outcome, reason, detail, ticket, event)


def _unverified(
    message: InboundMessage,
    parsed: ParsedMail,
    policy: Policy,
    data: dict[str, Any],
    *,
    rate_limit: bool,
) -> None:
    """A message whose sender is not verified (`fail`, and `none` alike: nothing proves who
    wrote it). It never acts as its sender: under the mailbox's `quarantine` policy it is held
    (reason `unverified_sender`); under `note` what it says becomes an internal note marked
    "sender not verified" on the ticket it threads onto (no reply, no reopening, no status or
    SLA change, nothing mailed), or, for a customer's new request, on a new ticket opened
    without an acknowledgement (an answer to a forged address would be backscatter).
    Mail from an agent's address that threads onto no ticket is held whatever the policy: no
    ticket is opened in an agent's name on an unverified message. Replies to pages are not
    offered to the page handler (an acknowledgement acts as the paged agent)."""
    why = message.sender_check_reason or "not checked"
    held = Held(
        "unverified_sender",
        f"the sender {parsed.sender or '(none)'} could not be verified: {why}",
    )
    if policy.unverified_mail != Mailbox.UnverifiedMail.NOTE:
        raise held
    sender = _sender(parsed, policy, rate_limit=rate_limit)
    ticket = find_ticket(parsed, sender=sender)
    if ticket is None and not sender.is_customer:
        raise held
    data = {
        **data,
        "sender_check": message.sender_check,
        "sender_check_reason": why,
        "from": parsed.sender,
    }
    files = [
        SimpleUploadedFile(p.filename, p.data, content_type=p.content_type)
        for p in parsed.attachments
    ]
    with outbound.quiet():  # nothing is mailed on an unverified message's account
        if ticket is not None:
            body = replies.strip_reply(parsed.text) or "(no text)"
            outcome = Outcome.APPENDED
        else:
            ticket = _open_unverified(sender, parsed, policy, data)
            body = parsed.text or "(no text)"
            outcome = Outcome.CREATED
        event = write_event(ticket, EventKind.NOTE, None, body=body, data=data)
        store_attachments(sender, ticket, event, files, public=False)
        _notes(ticket, parsed, message)
    if parsed.message_id:
        MessageRef.objects.create(message_id=parsed.message_id, ticket=ticket)
    _finish(message, outcome, "unverified_sender", why, ticket, event)


def _open_unverified(
    sender: User, parsed: ParsedMail, policy: Policy, data: dict[str, Any]
) -> Ticket:
    """A customer's new request whose sender is not verified: the ticket is opened (its
    subject and requester are what the message claims) with a description that says so; the
    text goes to an internal note."""
    try:
        return tickets.create_ticket(
            actor=sender,
            ticket=tickets.NewTicket(
                subject=parsed.subject,
                organization=sender.organization,
                requester=sender,
                description="Received by email from an unverified sender: the message is kept "
                "for the service desk to review.",
                channel=Channel.EMAIL,
                priority=policy.priority,
                event_data=data,
                intake_team=policy.team,
            ),
        ).ticket
    except StorageUnavailable:
        raise
    except DomainError as exc:
        raise Held("refused", f"the ticket could not be opened: {exc}") from exc


def _finish(
    message: InboundMessage,
    outcome: str,
    reason: str,
    detail: str,
    ticket: Ticket | None = None,
    event: Any = None,
) -> None:
    message.outcome, message.reason, message.detail = outcome, reason, detail[:4000]
    message.ticket, message.event = ticket, event
    message.save()


def _sender(parsed: ParsedMail, policy: Policy, *, rate_limit: bool) -> User:
    """Who the message is from, after the per-sender rate limit (Held beyond it); the
    organisation's stand-in requester for mail without any sender address."""
    if not parsed.sender:
        return _unknown_sender(policy)
    if rate_limit and policy.rate_limit:
        _check_rate(parsed.sender)
    return find_sender(parsed, policy)


def _check_rate(sender: str) -> None:
    limit = settings.DESKSIDE_MAIL_RATE_LIMIT
    minutes = settings.DESKSIDE_MAIL_RATE_MINUTES
    since = clock.now() - timedelta(minutes=minutes)
    recent = InboundMessage.objects.filter(
        sender=sender, received_at__gte=since, outcome__in=COUNTED
    ).count()
    if limit and recent >= limit:
        raise Held(
            "rate_limited",
            f"{sender} sent more than {limit} messages in {minutes} minutes; held as a "
            "possible mail storm",
        )


def find_sender(parsed: ParsedMail, policy: Policy) -> User:
    """The person who wrote (see the module docstring); raises Held when the mailbox's rule
    says to hold mail from unknown senders, or a contact cannot be created."""
    address = parsed.sender
    user = User.objects.filter(email=address).order_by().first()
    if user is not None:
        if not user.is_active:
            raise Held("inactive_sender", f"{address} belongs to a deactivated user")
        return user
    organization = directory.organization_for(address.rpartition("@")[2])
    if organization is None:
        if policy.unknown_senders != Mailbox.UnknownSenders.CREATE or policy.organization is None:
            raise Held(
                "unknown_sender",
                f"{address} is not a known contact and its domain is no client's: create the "
                "contact (or register the domain on the client), then reprocess",
            )
        organization = policy.organization
    try:
        return accounts.create_user(
            email=address, full_name=parsed.sender_name[:200], organization=organization
        )
    except Exception as exc:
        raise Held("bad_sender", f"cannot create a contact for {address!r}: {exc}") from exc


def _unknown_sender(policy: Policy) -> User:
    """The stand-in requester of mail without any sender address, one per organisation (an
    address under the reserved `.invalid` domain, which is never written to): the ticket is
    still made, and its note says the sender could not be found."""
    if policy.organization is None:
        raise Held("no_sender", "no sender address in the message and no default organisation")
    address = f"unknown-sender@{policy.organization.slug}.invalid"
    user = User.objects.filter(email=address).first()
    return user or accounts.create_user(
        email=address, full_name="Unknown sender", organization=policy.organization
    )


def _allowed(sender: User | None, ticket: Ticket) -> bool:
    if sender is None:
        return True  # automatic mail is only noted, internally
    if sender.is_customer:
        return conversation.in_conversation(sender, ticket)
    return visible_tickets(sender).filter(pk=ticket.pk).exists()


def _survivor(ticket: Ticket) -> Ticket:
    seen = set()
    while ticket.merged_into_id is not None and ticket.pk not in seen:
        seen.add(ticket.pk)
        ticket = ticket.merged_into
    return ticket


def find_ticket(
    parsed: ParsedMail, *, sender: User | None, extra_ids: list[str] | None = None
) -> Ticket | None:
    """The ticket a message belongs to, by its threading headers (against every Message-ID
    we received or sent), then by the ticket tag in its subject; never by subject text.
    Only a ticket the sender may join by mail (`_allowed`) is a match. `extra_ids`: the
    Message-IDs of messages a bounce or report carries (the mail of ours that it is about)."""
    return _thread(parsed, sender=sender, extra_ids=extra_ids)[0]


def _thread(
    parsed: ParsedMail, *, sender: User | None, extra_ids: list[str] | None = None
) -> tuple[Ticket | None, Ticket | None]:
    """(the ticket found as `find_ticket` does, the first ticket of the sender's own client
    that the message named but the sender is not in the conversation of)."""
    candidates: list[int] = []
    vouched: set[int] = set()  # tickets a reply token of the sender's names
    ids = parsed.thread_ids + (extra_ids or [])
    if sender is not None and sender.is_customer:
        # A Message-ID of ours with a reply token counts only with the token of the sender's
        # own address: one made for someone else, or altered, names nothing.
        kept = []
        for i in ids:
            if outbound.token_in(i) is None:
                kept.append(i)
            elif outbound.token_matches(i, sender.email):
                kept.append(i)
                if pk := parse_number(i.split(".")[1]):
                    vouched.add(pk)
        ids = kept
    if ids:
        refs = dict(
            MessageRef.objects.filter(message_id__in=ids[:50]).values_list(
                "message_id", "ticket_id"
            )
        )
        candidates += [refs[i] for i in ids if i in refs]
        # One of our Message-IDs names its ticket, should its row be missing.
        candidates += [
            pk for i in ids if outbound.is_ours(i) and (pk := parse_number(i.split(".")[1]))
        ]
    candidates += [pk for n in _TAG.findall(parsed.subject) if (pk := parse_number(n))]
    named = None
    for pk in dict.fromkeys(candidates):
        ticket = Ticket.objects.filter(pk=pk).order_by().first()
        if ticket is None:
            continue
        if ticket.merged_into_id is not None:
            ticket = _survivor(ticket)
        if (
            pk in vouched
            and sender.organization_id == ticket.organization_id
            and not conversation.removed_by_agent(sender, ticket)
        ):
            return ticket, None  # the desk wrote to this very address about it
        if _allowed(sender, ticket):
            return ticket, None
        if (
            named is None
            and sender is not None
            and sender.is_customer
            and ticket.organization_id == sender.organization_id
        ):
            named = ticket
    return None, named


def _follow_up_due(ticket: Ticket, policy: Policy) -> bool:
    """A closed ticket, or one resolved longer ago than the reopen window, gets a follow-up
    instead of the reply."""
    if ticket.status == Status.CLOSED:
        return True
    if ticket.status == Status.RESOLVED and ticket.resolved_at is not None:
        return clock.now() - ticket.resolved_at > timedelta(days=policy.reopen_days)
    return False


def clean_subject(subject: str) -> str:
    """A subject without reply/forward prefixes and our ticket tags (for a follow-up)."""
    return " ".join(_PREFIX.sub("", _TAG.sub("", subject)).split()) or subject


def _open(
    sender: User,
    parsed: ParsedMail,
    policy: Policy,
    files: list[SimpleUploadedFile],
    data: dict[str, Any],
    earlier: Ticket | None,
    *,
    named: Ticket | None = None,
) -> Ticket:
    """A new ticket from the sender: a follow-up of `earlier` (a closed or long-resolved
    ticket of theirs), or, for a contact who named `named` but is not in its conversation,
    a ticket of their own linked to it by internal notes on both (the agent decides whether
    to merge it or add them as a watcher; they are not told the other ticket's state)."""
    if earlier is not None:
        named = None
    organization = sender.organization if sender.is_customer else policy.organization
    if organization is None:
        organization = sender.organization
    if organization is None:
        raise Held("no_organization", f"{sender} is an agent; no organisation to file it under")
    subject = clean_subject(parsed.subject) if earlier or named else parsed.subject
    if earlier is not None:
        data = {**data, "follow_up_of": earlier.number}
    if named is not None:
        data = {**data, "named": named.number}
    try:
        ticket = tickets.create_ticket(
            actor=sender,
            ticket=tickets.NewTicket(
                subject=subject,
                organization=organization,
                requester=sender,
                description=parsed.text,
                channel=Channel.EMAIL,
                priority=policy.priority,
                event_data=data,
                intake_team=policy.team,
            ),
            attachments=files,
        ).ticket
    except StorageUnavailable:
        raise  # not the message's fault: the caller keeps it and tries again
    except DomainError as exc:
        raise Held("refused", f"the ticket could not be opened: {exc}") from exc
    if earlier is not None:
        write_event(
            earlier,
            EventKind.LINKED,
            None,
            public=True,
            body=f"The customer wrote again after closure: follow-up {ticket.number}",
            data={"follow_up": ticket.number},
        )
        write_event(
            ticket,
            EventKind.LINKED,
            None,
            public=True,
            body=f"Follow-up of {earlier.number}",
            data={"follow_up_of": earlier.number},
        )
    if named is not None:
        write_event(
            named,
            EventKind.LINKED,
            None,
            body=f"{sender.get_full_name() or sender.email} wrote about this ticket by mail "
            f"but is not in its conversation: opened {ticket.number} for them",
            data={"linked": ticket.number, "reason": "not_in_conversation"},
        )
        write_event(
            ticket,
            EventKind.LINKED,
            None,
            body=f"The mail named {named.number}, whose conversation the sender is not in",
            data={"linked": named.number, "reason": "not_in_conversation"},
        )
    return ticket


def _notes(ticket: Ticket, parsed: ParsedMail, message: InboundMessage) -> None:
    """An internal note listing what could not be kept or had to be repaired."""
    lines = []
    limit = settings.DESKSIDE_MAX_ATTACHMENT_BYTES
    for name, size in parsed.too_big:
        lines.append(
            f"The attachment {name} ({size / 2**20:.1f} MB) is larger than the "
            f"{limit / 2**20:.0f} MB limit and was not stored as a file."
        )
    lines += [p[0].upper() + p[1:] + "." for p in parsed.problems]
    if not lines:
        return
    lines.append("The original message is kept and can be downloaded from this ticket.")
    write_event(
        ticket,
        EventKind.NOTE,
        None,
        body="\n".join(lines),
        data={"via": "email", "message": message.public_id, "problems": True},
    )


__all__ = ["DUPLICATE", "Outcome", "Policy", "Result", "Source", "discard", "receive", "reprocess"]
