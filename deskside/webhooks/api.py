"""Outbound webhooks under /api/v1/:

    GET    /webhooks                                        list (paginated)
    POST   /webhooks                                        create (answers with the secret)
    GET    /webhooks/{id}                                   one webhook
    PATCH  /webhooks/{id}                                   change the fields sent
    DELETE /webhooks/{id}                                   delete (archive; log kept)
    POST   /webhooks/{id}/rotate-secret                     a new secret (answers with it)
    POST   /webhooks/{id}/ping                              queue a test delivery
    GET    /webhooks/{id}/deliveries?status=                the delivery log, newest first
    POST   /webhooks/{id}/deliveries/{delivery}/redeliver   queue the payload again

Agents only: a customer's token gets 403 everywhere. Every agent may read the webhooks they
can see (`queries.webhooks_visible_to`); writes need the admin role (`is_staff`). The role is
checked first thing in each write view, which runs after django-ninja has parsed the body: a
body that does not parse (a missing field, an unknown event) is 422 for anyone, and a
non-admin sending a well-formed body gets 403 before anything is looked up or changed.
`secret` is shown to administrators only (null for other agents) and only on one webhook
(GET /webhooks/{id}, create, rotate): the list leaves it out. The full `url` is shown to
administrators only; other agents get it masked (`redact.masked_url`: no user, password, path
or query), since a receiver's URL is often its credential. Bad input is 422 naming the field;
a client the caller does not serve is 422 in the body and a webhook they cannot see 404.
"""

from datetime import datetime
from typing import Any, Literal

from django.http import Http404, HttpRequest
from ninja import Field, Query, Router, Schema, Status

from deskside.accounts.models import Organization, Team, User
from deskside.accounts.permissions import is_admin
from deskside.accounts.queries import organizations_visible_to
from deskside.accounts.schemas import OrganizationRef, TeamRef
from deskside.core import crypto
from deskside.core.api import PageOut, PageParams, Text, page_out
from deskside.core.pagination import paginate
from deskside.webhooks import redact, services
from deskside.webhooks.exceptions import InvalidInput, NotAllowed
from deskside.webhooks.models import Delivery, Webhook
from deskside.webhooks.queries import deliveries_of, webhook_for, webhooks_visible_to

router = Router(tags=["webhooks"])

EventName = Literal[
    "ticket.created",
    "ticket.escalated",
    "ticket.paged",
    "ticket.acknowledged",
    "ticket.resolved",
    "ticket.sla_warning",
    "ticket.sla_breached",
]
DeliveryStatus = Literal["queued", "sending", "delivered", "failed", "cancelled"]


# -- schemas -----------------------------------------------------------------------------------


def _is_admin(context: Any) -> bool:
    return is_admin(getattr((context or {}).get("request"), "user", None))


class WebhookSummaryOut(Schema):
    id: str = Field(alias="public_id")
    name: str
    url: str = Field(description="In full for administrators; masked for other agents.")
    organization: OrganizationRef | None = Field(description="Null: every client.")
    team: TeamRef | None = Field(description="Null: any team.")
    events: list[str]
    is_active: bool
    secret_rotated_at: datetime
    created_at: datetime
    updated_at: datetime
    version: int = Field(description="Send it back with a change: 409 if it moved on since.")

    @staticmethod
    def resolve_url(obj: Webhook, context: Any) -> str:
        return obj.url if _is_admin(context) else redact.masked_url(obj.url)


class WebhookOut(WebhookSummaryOut):
    secret: str | None = Field(description="The signing secret; null unless an administrator.")

    @staticmethod
    def resolve_secret(obj: Webhook, context: Any) -> str | None:
        if not _is_admin(context):
            return None
        try:
            return obj.secret
        except crypto.Unreadable:
            return None


class WebhookIn(Schema):
    name: Text
    url: Text
    events: list[EventName] = Field(min_length=1)
    organization: Text | None = Field(None, description="Client slug; null: every client.")
    team: Text | None = Field(None, description="Team slug; null: any team.")
    is_active: bool = True


class WebhookPatch(Schema):
    version: int | None = Field(
        None, ge=1, description="The version you read; 409 if the webhook changed since."
    )
    name: Text | None = None
    url: Text | None = None
    events: list[EventName] | None = None
    organization: Text | None = None
    team: Text | None = None
    is_active: bool | None = None


class DeliveryOut(Schema):
    id: str = Field(alias="public_id")
    event: str
    status: str
    attempts: int
    next_attempt_at: datetime | None
    last_status_code: int | None
    last_error: str
    duration_ms: int | None
    payload: dict[str, Any]
    redelivery_of: str | None
    created_at: datetime
    delivered_at: datetime | None

    @staticmethod
    def resolve_next_attempt_at(obj: Delivery) -> datetime | None:
        return obj.next_attempt_at if obj.status == Delivery.Status.QUEUED else None

    @staticmethod
    def resolve_redelivery_of(obj: Delivery) -> str | None:
        return obj.redelivery_of.public_id if obj.redelivery_of_id else None


class DeliveryFilters(PageParams):
    status: DeliveryStatus | None = None


# -- helpers -----------------------------------------------------------------------------------


def _agent(request: HttpRequest) -> User:
    user: User = request.user  # type: ignore[assignment]
    if not user.is_agent:
        raise NotAllowed("only agents may use webhooks")
    return user


def _admin(request: HttpRequest, what: str) -> User:
    user = _agent(request)
    services.require_admin(user, what)
    return user


def _webhook_or_404(user: User, public_id: str) -> Webhook:
    webhook = webhook_for(user, public_id)
    if webhook is None:
        raise Http404(f"no webhook {public_id!r}")
    return webhook


def _organization(user: User, slug: str | None) -> Organization | None:
    if slug is None:
        return None
    organization = organizations_visible_to(user).filter(slug=slug, is_msp=False).first()
    if organization is None:
        raise InvalidInput(f"no client {slug!r}", field="organization")
    return organization


def _team(slug: str | None) -> Team | None:
    if slug is None:
        return None
    team = Team.objects.filter(slug=slug).first()
    if team is None:
        raise InvalidInput(f"no team {slug!r}", field="team")
    return team


# -- webhooks ----------------------------------------------------------------------------------


@router.get("/webhooks", response=PageOut[WebhookSummaryOut], summary="Webhooks")
def list_webhooks(request: HttpRequest, params: Query[PageParams]) -> dict[str, object]:
    qs = webhooks_visible_to(_agent(request))
    return page_out(paginate(request, qs, page=params.page, limit=params.limit))


@router.post("/webhooks", response={201: WebhookOut}, summary="Create a webhook (admins)")
def create_webhook(request: HttpRequest, payload: WebhookIn) -> Status[Webhook]:
    user = _admin(request, "create webhooks")
    webhook = services.create_webhook(
        actor=user,
        name=payload.name,
        url=payload.url,
        events=list(payload.events),
        organization=_organization(user, payload.organization),
        team=_team(payload.team),
        is_active=payload.is_active,
    )
    return Status(201, webhook)


@router.get("/webhooks/{public_id}", response=WebhookOut, summary="One webhook")
def get_webhook(request: HttpRequest, public_id: Text) -> Webhook:
    return _webhook_or_404(_agent(request), public_id)


@router.patch("/webhooks/{public_id}", response=WebhookOut, summary="Change a webhook (admins)")
def update_webhook(request: HttpRequest, public_id: Text, payload: WebhookPatch) -> Webhook:
    """Only the fields sent change; `organization` and `team` may be null to widen the scope.
    `is_active: false` cancels the deliveries still queued."""
    user = _admin(request, "change webhooks")
    webhook = _webhook_or_404(user, public_id)
    changes = payload.model_dump(exclude_unset=True)
    for field in ("name", "url", "events", "is_active", "version"):
        if field in changes and changes[field] is None:
            raise InvalidInput(f"{field} cannot be null", field=field)
    if "organization" in changes:
        changes["organization"] = _organization(user, changes["organization"])
    if "team" in changes:
        changes["team"] = _team(changes["team"])
    return services.update_webhook(actor=user, webhook=webhook, **changes)


@router.delete("/webhooks/{public_id}", response={204: None}, summary="Delete (admins)")
def delete_webhook(request: HttpRequest, public_id: Text) -> Status[None]:
    user = _admin(request, "delete webhooks")
    services.delete_webhook(actor=user, webhook=_webhook_or_404(user, public_id))
    return Status(204, None)


@router.post(
    "/webhooks/{public_id}/rotate-secret", response=WebhookOut, summary="New secret (admins)"
)
def rotate_secret(request: HttpRequest, public_id: Text) -> Webhook:
    user = _admin(request, "rotate webhook secrets")
    return services.rotate_secret(actor=user, webhook=_webhook_or_404(user, public_id))


@router.post(
    "/webhooks/{public_id}/ping", response={202: DeliveryOut}, summary="Send a test (admins)"
)
def ping(request: HttpRequest, public_id: Text) -> Status[Delivery]:
    """Queues a `ping` delivery; the worker sends it within seconds (see its status in
    /deliveries)."""
    user = _admin(request, "send test deliveries")
    return Status(202, services.send_ping(actor=user, webhook=_webhook_or_404(user, public_id)))


@router.get(
    "/webhooks/{public_id}/deliveries",
    response=PageOut[DeliveryOut],
    summary="The delivery log",
)
def list_deliveries(
    request: HttpRequest, public_id: Text, params: Query[DeliveryFilters]
) -> dict[str, object]:
    webhook = _webhook_or_404(_agent(request), public_id)
    qs = deliveries_of(webhook, params.status).select_related("redelivery_of")
    return page_out(paginate(request, qs, page=params.page, limit=params.limit))


@router.post(
    "/webhooks/{public_id}/deliveries/{delivery_id}/redeliver",
    response={202: DeliveryOut},
    summary="Redeliver (admins)",
)
def redeliver(request: HttpRequest, public_id: Text, delivery_id: Text) -> Status[Delivery]:
    """Queues the delivery's payload again as a new delivery (409 while it is still queued,
    when the webhook is deactivated, or when its scope changed so that the payload no longer
    fits it)."""
    user = _admin(request, "redeliver webhooks")
    webhook = _webhook_or_404(user, public_id)
    delivery = Delivery.objects.filter(webhook=webhook, public_id=delivery_id).first()
    if delivery is None:
        raise Http404(f"no delivery {delivery_id!r}")
    delivery.webhook = webhook
    copy = services.redeliver(actor=user, delivery=delivery)
    copy.redelivery_of = delivery
    return Status(202, copy)
