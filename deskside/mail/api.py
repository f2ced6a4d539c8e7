"""The email channel under /api/v1/mail/:

    GET  /mail/messages?outcome=quarantined   received mail, newest first (paginated)
    POST /mail/messages/{public_id}/reprocess a quarantined message through the pipeline again
    POST /mail/messages/{public_id}/discard   drop a quarantined message
    POST /mail/inbound?mailbox=NAME           deliver one raw message (the body, message/rfc822)
    GET  /mail/outbox?state=failed            outgoing mail, newest first (paginated)

Agents only: a customer's token gets 403. Every agent reads the messages of the tickets they
can see and the messages that made no ticket (quarantine, automatic mail); reprocessing,
discarding and delivering need the admin role (`is_staff`). `/inbound` is for a system that
hands mail over HTTP instead of SMTP: the same pipeline as `deskside smtpd`, the same answer
for a message already received ("duplicate"); a message that cannot be stored now (a full
disk) gets 507 (503 for another storage failure) with nothing recorded: send it again later.
"""

from datetime import datetime

from django.conf import settings
from django.http import HttpRequest
from ninja import Field, Query, Router, Schema

from deskside.accounts.models import User
from deskside.accounts.permissions import is_admin
from deskside.core.api import PageOut, PageParams, get_or_404, page_out
from deskside.core.pagination import paginate
from deskside.mail import pipeline, services
from deskside.mail.exceptions import InvalidInput, NotAllowed
from deskside.mail.models import InboundMessage, Mailbox, OutboundMail, Outcome, Source
from deskside.mail.queries import messages_visible_to, outbox_visible_to
from deskside.tickets.exceptions import StorageUnavailable, TooLarge

router = Router(tags=["mail"])


class MessageOut(Schema):
    public_id: str
    received_at: datetime
    source: str
    mailbox: str | None = Field(description="Name of the mailbox it came through.")
    message_id: str
    sender: str
    subject: str
    outcome: str
    reason: str
    detail: str
    sender_check: str = Field(
        description="Sender verification: pass, fail, none (not verified), or empty when not "
        "checked (our own or automatic mail)."
    )
    sender_check_reason: str = Field(description="Why, in words.")
    ticket: str | None = Field(description="Number of the ticket it opened or joined.")

    @staticmethod
    def resolve_mailbox(obj: InboundMessage) -> str | None:
        return obj.mailbox.name if obj.mailbox else None

    @staticmethod
    def resolve_ticket(obj: InboundMessage) -> str | None:
        return obj.ticket.number if obj.ticket_id else None


class MessageFilter(PageParams):
    outcome: str | None = Field(None, description="created, appended, quarantined ...")


class OutboxOut(Schema):
    public_id: str
    created_at: datetime
    kind: str
    ticket: str
    recipients: str
    subject: str
    message_id: str
    state: str
    attempts: int
    next_attempt_at: datetime
    sent_at: datetime | None
    last_error: str

    @staticmethod
    def resolve_ticket(obj: OutboundMail) -> str:
        return obj.ticket.number


class OutboxFilter(PageParams):
    state: str | None = Field(None, description="queued, sending, sent, failed or unknown")


def _agent(request: HttpRequest) -> User:
    user: User = request.user  # type: ignore[assignment]
    if not user.is_agent:
        raise NotAllowed("only agents may use the mail channel's records")
    return user


def _admin(request: HttpRequest, what: str) -> User:
    user = _agent(request)
    if not is_admin(user):
        raise NotAllowed(f"only admins may {what}")
    return user


def _message(user: User, public_id: str) -> InboundMessage:
    return get_or_404(messages_visible_to(user), f"no message {public_id!r}", public_id=public_id)


@router.get("/mail/messages", response=PageOut[MessageOut], summary="Received mail")
def list_messages(request: HttpRequest, params: Query[MessageFilter]) -> dict[str, object]:
    qs = messages_visible_to(_agent(request)).select_related("mailbox", "ticket")
    if params.outcome:
        if params.outcome not in Outcome.values:
            raise InvalidInput(
                f"outcome must be one of {', '.join(Outcome.values)}", field="outcome"
            )
        qs = qs.filter(outcome=params.outcome)
    return page_out(paginate(request, qs.order_by("-id"), page=params.page, limit=params.limit))


@router.post(
    "/mail/messages/{public_id}/reprocess", response=MessageOut, summary="Reprocess a message"
)
def reprocess(request: HttpRequest, public_id: str) -> InboundMessage:
    user = _admin(request, "reprocess mail")
    result = services.reprocess_message(actor=user, message=_message(user, public_id))
    return InboundMessage.objects.select_related("mailbox", "ticket").get(pk=result.message.pk)


@router.post("/mail/messages/{public_id}/discard", response=MessageOut, summary="Discard")
def discard(request: HttpRequest, public_id: str) -> InboundMessage:
    user = _admin(request, "discard mail")
    message = services.discard_message(actor=user, message=_message(user, public_id))
    return InboundMessage.objects.select_related("mailbox", "ticket").get(pk=message.pk)


class InboundOut(Schema):
    outcome: str = Field(description="created, appended, ..., quarantined, or duplicate")
    message: MessageOut | None


def _raw_message(request: HttpRequest) -> bytes:
    """The request's body, up to DESKSIDE_MAX_MESSAGE_BYTES (not Django's smaller limit for
    every other body: a message may carry attachments up to DESKSIDE_MAX_ATTACHMENT_MB).
    TooLarge (413) past it, told by Content-Length before anything is read."""
    limit = settings.DESKSIDE_MAX_MESSAGE_BYTES
    too_large = TooLarge(
        f"the message is larger than {limit // 2**20} MiB (DESKSIDE_MAX_MESSAGE_MB): "
        "nothing was kept",
        field="body",
    )
    try:
        declared = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        declared = 0
    if declared > limit:
        raise too_large
    raw = request.read(limit + 1)  # read(), not .body: .body applies Django's limit
    if len(raw) > limit:
        raise too_large
    return raw


@router.post(
    "/mail/inbound",
    response=InboundOut,
    summary="Deliver a raw message",
    openapi_extra={
        "requestBody": {
            "required": True,
            "description": "The raw message, up to DESKSIDE_MAX_MESSAGE_MB (50 MiB by default).",
            "content": {"message/rfc822": {"schema": {"type": "string", "format": "binary"}}},
        }
    },
)
def inbound(request: HttpRequest, mailbox: str | None = None) -> dict[str, object]:
    _admin(request, "deliver mail")
    raw = _raw_message(request)
    if not raw.strip():
        raise InvalidInput("the body must be the raw message (message/rfc822)", field="body")
    policy = pipeline.Policy()
    if mailbox:
        box = Mailbox.objects.filter(name=mailbox).first()
        if box is None:
            raise InvalidInput(f"no mailbox named {mailbox!r}", field="mailbox")
        policy = pipeline.Policy.of(box)
    try:
        result = pipeline.receive(raw, source=Source.API, policy=policy)
    except OSError as exc:  # nothing was recorded: the caller may send it again later
        raise StorageUnavailable.of(exc, field="body") from exc
    message = result.message
    if message is not None:
        message = InboundMessage.objects.select_related("mailbox", "ticket").get(pk=message.pk)
    return {"outcome": result.outcome, "message": message}


@router.get("/mail/outbox", response=PageOut[OutboxOut], summary="Outgoing mail")
def list_outbox(request: HttpRequest, params: Query[OutboxFilter]) -> dict[str, object]:
    qs = outbox_visible_to(_agent(request))
    if params.state:
        if params.state not in OutboundMail.State.values:
            raise InvalidInput(
                f"state must be one of {', '.join(OutboundMail.State.values)}", field="state"
            )
        qs = qs.filter(state=params.state)
    qs = qs.select_related("ticket").order_by("-id")
    return page_out(paginate(request, qs, page=params.page, limit=params.limit))
