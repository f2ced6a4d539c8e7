"""The webhooks' write side: set-up (create, change, rotate the secret, delete), the test
delivery and redelivery. Every function takes the acting user, checks that they are an
administrator (an active agent with `is_staff`) who serves the webhook's client, and runs in
one transaction. Nothing here sends: deliveries are queued and `sender` sends them.

Who may scope what: a webhook that is MSP-wide or team-only receives every client's tickets,
so only an administrator who serves every client may create or change one; an administrator
limited to some clients manages the webhooks of those clients.
"""

import secrets
from typing import Any
from urllib.parse import urlsplit

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import transaction
from django.utils.crypto import salted_hmac

from deskside.accounts.models import Organization, Team, User
from deskside.accounts.permissions import is_admin
from deskside.accounts.queries import served_organization_ids
from deskside.core import audit, clock, crypto, netguard, ratelimit, versioning
from deskside.webhooks import payloads, redact
from deskside.webhooks.exceptions import Conflict, InvalidInput, NotAllowed
from deskside.webhooks.models import PING, SECRET_PURPOSE, Delivery, Event, Webhook
from deskside.webhooks.sender import out_of_scope

_UNSET: Any = object()
_URL = URLValidator(schemes=["http", "https"])
MAX_NAME = 100
MAX_URL = 500
LIVE = {"deleted_at": None}  # an archived webhook is gone for every edit


def new_secret() -> str:
    """A fresh signing secret: 256 random bits."""
    return "whsec_" + secrets.token_urlsafe(32)


def require_admin(actor: User, what: str = "change webhooks") -> None:
    """Refuse anyone but an active agent with the admin role (`is_staff`)."""
    if not is_admin(actor):
        raise NotAllowed(f"only administrators may {what}")


def require_scope(actor: User, organization: Organization | None) -> None:
    """Refuse a scope the actor does not serve whole (see the module docstring)."""
    served = served_organization_ids(actor)
    if served is None:
        return
    if organization is None:
        raise NotAllowed(
            "a webhook without a client receives every client's tickets: only an "
            "administrator serving every client may set one up",
            field="organization",
        )
    if organization.pk not in served:
        raise InvalidInput(f"no organisation {organization.slug!r}", field="organization")


def clean_name(name: str) -> str:
    name = (name or "").strip()
    if not name:
        raise InvalidInput("a name is required", field="name")
    if len(name) > MAX_NAME:
        raise InvalidInput(f"at most {MAX_NAME} characters", field="name")
    return name


def clean_url(url: str) -> str:
    url = (url or "").strip()
    if not url:
        raise InvalidInput("a URL is required", field="url")
    if len(url) > MAX_URL:
        raise InvalidInput(f"at most {MAX_URL} characters", field="url")
    try:
        _URL(url)
    except ValidationError:
        raise InvalidInput(f"{url!r} is not an http:// or https:// URL", field="url") from None
    # Advice at save time (the name resolves now); the sender's guard decides at each send.
    if reason := netguard.problem(urlsplit(url).hostname or ""):
        raise InvalidInput(f"{url!r} {reason}", field="url")
    return url


def clean_events(events: list[str] | tuple[str, ...]) -> list[str]:
    if not isinstance(events, list | tuple) or not events:
        raise InvalidInput("choose at least one event", field="events")
    unknown = [e for e in events if e not in Event.values]
    if unknown:
        raise InvalidInput(
            f"unknown event {unknown[0]!r}; one of {', '.join(Event.values)}", field="events"
        )
    return [e for e in Event.values if e in events]  # canonical order, no repeats


AUDITED = ("name", "events", "organization", "team", "is_active")


def _snapshot(webhook: Webhook) -> dict[str, Any]:
    """The webhook for the audit log. Its URL may be its credential (see redact): it is kept
    masked, with a keyed fingerprint so that a change of its secret parts still shows."""
    values = audit.snapshot(webhook, AUDITED)
    mark = salted_hmac("deskside.audit.webhook-url", webhook.url).hexdigest()[:8]
    values["url"] = f"{redact.masked_url(webhook.url)} (#{mark})"
    return values


def _audit(actor: User, action: str, webhook: Webhook, **values: Any) -> None:
    audit.record(actor, action, "webhooks.webhook", webhook.public_id, label=webhook.name, **values)


def create_webhook(
    *,
    actor: User,
    name: str,
    url: str,
    events: list[str],
    organization: Organization | None = None,
    team: Team | None = None,
    is_active: bool = True,
) -> Webhook:
    """Create a webhook with a fresh secret (read it back with `webhook.secret`)."""
    require_admin(actor, "create webhooks")
    require_scope(actor, organization)
    url = clean_url(url)  # looks the name up: before the transaction, which it would hold
    now = clock.now()
    with transaction.atomic():
        webhook = Webhook.objects.create(
            name=clean_name(name),
            url=url,
            events=clean_events(events),
            organization=organization,
            team=team,
            is_active=is_active,
            secret_encrypted=crypto.encrypt(SECRET_PURPOSE, new_secret()),
            created_by=actor,
            created_at=now,
            updated_at=now,
            secret_rotated_at=now,
        )
        _audit(actor, audit.CREATED, webhook, after=_snapshot(webhook))
    return webhook


def update_webhook(
    *,
    actor: User,
    webhook: Webhook,
    name: str = _UNSET,
    url: str = _UNSET,
    events: list[str] = _UNSET,
    organization: Organization | None = _UNSET,
    team: Team | None = _UNSET,
    is_active: bool = _UNSET,
    version: int | None = None,
) -> Webhook:
    """Change the arguments given. Deactivating cancels the deliveries still queued (a
    deactivated webhook sends nothing, and nothing old when it is switched on again), and so
    does a new client, team or URL: those payloads were written for the old scope and the old
    receiver (another client's ticket, or internal text), so they never go to the new one.

    `version` is the one the editor read: a webhook changed since (an edit, a secret rotation)
    raises VersionConflict, a deleted one Gone (core.versioning); only the fields given are
    written, so the secret and the deletion mark are never overwritten by a stale copy."""
    require_admin(actor)
    require_scope(actor, webhook.organization)
    if url is not _UNSET:
        url = clean_url(url)  # looks the name up: before the row is locked
    with transaction.atomic():
        versioning.lock(webhook, version, live=LIVE)
        require_scope(actor, webhook.organization)  # as it is now, not as the caller read it
        before = (webhook.organization_id, webhook.team_id, webhook.url)
        old = _snapshot(webhook)
        changed = ["updated_at"]
        if name is not _UNSET:
            webhook.name = clean_name(name)
            changed.append("name")
        if url is not _UNSET:
            webhook.url = url
            changed.append("url")
        if events is not _UNSET:
            webhook.events = clean_events(events)
            changed.append("events")
        if organization is not _UNSET:
            require_scope(actor, organization)
            webhook.organization = organization
            changed.append("organization")
        if team is not _UNSET:
            webhook.team = team
            changed.append("team")
        if is_active is not _UNSET:
            if is_active is None:
                raise InvalidInput("is_active cannot be null", field="is_active")
            webhook.is_active = bool(is_active)
            changed.append("is_active")
        webhook.updated_at = clock.now()
        versioning.save(webhook, changed, live=LIVE)
        audit.record_update(
            actor,
            "webhooks.webhook",
            webhook.public_id,
            label=webhook.name,
            before=old,
            after=_snapshot(webhook),
        )
        if not webhook.is_active:
            cancel_queued(webhook, "the webhook was deactivated")
        elif before != (webhook.organization_id, webhook.team_id, webhook.url):
            cancel_queued(webhook, "the webhook's client, team or URL changed before it was sent")
        return webhook


def cancel_queued(webhook: Webhook, reason: str) -> int:
    return Delivery.objects.filter(webhook=webhook, status=Delivery.Status.QUEUED).update(
        status=Delivery.Status.CANCELLED, last_error=reason
    )


@transaction.atomic
def rotate_secret(*, actor: User, webhook: Webhook) -> Webhook:
    """Give the webhook a new secret. Deliveries sent from now on, retries of older ones
    included, are signed with it. The row is locked for the rotation and its version bumped:
    an edit drawn before it cannot write the old secret back (it is refused, or writes only
    its own fields). A deleted webhook raises Gone."""
    require_admin(actor, "rotate webhook secrets")
    require_scope(actor, webhook.organization)
    versioning.lock(webhook, live=LIVE)
    webhook.secret_encrypted = crypto.encrypt(SECRET_PURPOSE, new_secret())
    webhook.secret_rotated_at = webhook.updated_at = clock.now()
    versioning.save(webhook, ["secret_encrypted", "secret_rotated_at", "updated_at"], live=LIVE)
    _audit(actor, "secret_rotated", webhook)  # the secret itself is never recorded
    return webhook


@transaction.atomic
def delete_webhook(*, actor: User, webhook: Webhook) -> None:
    """Archive the webhook: it disappears from lists and the API, sends nothing more (queued
    deliveries are cancelled), and its delivery log is kept in the database."""
    require_admin(actor, "delete webhooks")
    require_scope(actor, webhook.organization)
    versioning.lock(webhook, live=LIVE)  # deleted twice at once: the second one is Gone
    _audit(actor, audit.DELETED, webhook, before=_snapshot(webhook))
    webhook.is_active = False
    webhook.deleted_at = webhook.updated_at = clock.now()
    versioning.save(webhook, ["is_active", "deleted_at", "updated_at"], live=LIVE)
    cancel_queued(webhook, "the webhook was deleted")


def _require_active(webhook: Webhook) -> None:
    if not webhook.is_active:
        raise Conflict("the webhook is deactivated: activate it first", field="is_active")


@transaction.atomic
def send_ping(*, actor: User, webhook: Webhook) -> Delivery:
    """Queue a `ping` delivery (the worker sends it within seconds). Rate-limited per person
    (ratelimit.Limited)."""
    require_admin(actor, "send test deliveries")
    require_scope(actor, webhook.organization)
    _require_active(webhook)
    ratelimit.count_test_send(actor, "webhook ping")
    delivery = Delivery(webhook=webhook, event=PING, next_attempt_at=clock.now())
    delivery.payload = {
        "id": delivery.public_id,
        **payloads.for_ping(webhook, actor.get_full_name()),
    }
    delivery.save(force_insert=True)
    return delivery


@transaction.atomic
def redeliver(*, actor: User, delivery: Delivery) -> Delivery:
    """Queue the same payload again as a new delivery (its own id, `redelivery_of` the old
    one), to be sent now whatever became of the first. Refused (409) when the webhook's scope
    changed so that the payload no longer fits it (another client's ticket, or internal text
    for a webhook now scoped to a client)."""
    webhook = delivery.webhook
    require_admin(actor, "redeliver webhooks")
    require_scope(actor, webhook.organization)
    _require_active(webhook)
    if delivery.status in (Delivery.Status.QUEUED, Delivery.Status.SENDING):
        raise Conflict("this delivery is still queued: it will be sent", field="delivery")
    reason = out_of_scope(delivery, webhook)
    if reason:
        raise Conflict(f"cannot redeliver: {reason}", field="delivery")
    copy = Delivery(
        webhook=webhook,
        ticket_event_id=delivery.ticket_event_id,
        event=delivery.event,
        organization_id=delivery.organization_id,
        internal=delivery.internal,
        redelivery_of=delivery,
        next_attempt_at=clock.now(),
    )
    copy.payload = {**delivery.payload, "id": copy.public_id}
    copy.save(force_insert=True)
    return copy
