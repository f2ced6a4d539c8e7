"""Outbound webhooks: subscriptions of a client's or a team's system to ticket events, and the
log of every delivery.

A `Webhook` names a URL, the events it wants and its scope (a client, a team, both, or
neither = every ticket of every client). Its signing secret is stored encrypted
(`core.crypto`, purpose "webhook-secret") because it must be read back to sign each request.
A `Delivery` is one event for one webhook: its payload is frozen when the event is written
(what was true then is what the receiver gets, even after a retry hours later), and its
`next_attempt_at` is the indexed deadline the worker claims with a conditional UPDATE.
"""

from django.conf import settings
from django.db import models

from deskside.accounts.models import Organization, Team
from deskside.core import clock, crypto, versioning
from deskside.core.ids import new_public_id
from deskside.tickets.models import TicketEvent

SECRET_PURPOSE = "webhook-secret"  # noqa: S105 - a key-derivation label, not a secret


class Event(models.TextChoices):
    """The events a webhook can subscribe to (`ping` is only sent by "send test")."""

    CREATED = "ticket.created", "Ticket created"
    ESCALATED = "ticket.escalated", "Ticket escalated"
    PAGED = "ticket.paged", "On-call paged"
    ACKNOWLEDGED = "ticket.acknowledged", "Page acknowledged"
    RESOLVED = "ticket.resolved", "Ticket resolved"
    SLA_WARNING = "ticket.sla_warning", "SLA target due soon"
    SLA_BREACHED = "ticket.sla_breached", "SLA target breached"


PING = "ping"


class Webhook(models.Model):
    """A subscription: POST the chosen events of the tickets in scope to `url`, signed.

    Scope: `organization` limits it to one client's tickets, `team` to the tickets of one team
    (at the moment of the event); both set means both must match; neither means every ticket
    (MSP-wide). A client-scoped webhook never receives internal text (see `payloads`).
    Deleting archives it (`deleted_at`): the delivery log stays, and rows queued by a web
    process that had not yet seen the change still point at a real row.
    """

    public_id = models.CharField(max_length=16, unique=True, default=new_public_id, editable=False)
    name = models.CharField(max_length=100)
    url = models.URLField(max_length=500)
    secret_encrypted = models.TextField()
    organization = models.ForeignKey(
        Organization,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="webhooks",
    )
    team = models.ForeignKey(
        Team, null=True, blank=True, on_delete=models.PROTECT, related_name="webhooks"
    )
    events = models.JSONField(default=list, help_text="Event names, e.g. ticket.created.")
    is_active = models.BooleanField(default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(default=clock.now)
    updated_at = models.DateTimeField(default=clock.now)
    secret_rotated_at = models.DateTimeField(default=clock.now)
    deleted_at = models.DateTimeField(null=True, blank=True)
    version = versioning.version_field()

    class Meta:
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return self.name

    @property
    def secret(self) -> str:
        """The signing secret in clear (raises core.crypto.Unreadable after a key change)."""
        return crypto.decrypt(SECRET_PURPOSE, self.secret_encrypted)

    @property
    def is_internal(self) -> bool:
        """MSP-wide and team-only webhooks are the MSP's own systems: they get internal text."""
        return self.organization_id is None

    @property
    def scope_label(self) -> str:
        parts = []
        if self.organization_id:
            parts.append(f"client {self.organization.name}")
        if self.team_id:
            parts.append(f"team {self.team.name}")
        return " and ".join(parts) or "every ticket (MSP-wide)"

    def event_labels(self) -> list[str]:
        return [Event(e).label for e in self.events if e in Event.values]


class Delivery(models.Model):
    """One event sent (or to be sent) to one webhook, with its attempts.

    queued -> sending (claimed by one worker) -> delivered, or back to queued with a later
    `next_attempt_at`, or failed after the last attempt; cancelled when its webhook was
    deactivated or deleted before it went out, or when the webhook's scope no longer fits the
    payload (`organization`, `internal`: see `sender.out_of_scope`).
    """

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        SENDING = "sending", "Sending"
        DELIVERED = "delivered", "Delivered"
        FAILED = "failed", "Failed"
        CANCELLED = "cancelled", "Cancelled"

    public_id = models.CharField(max_length=16, unique=True, default=new_public_id, editable=False)
    webhook = models.ForeignKey(Webhook, on_delete=models.CASCADE, related_name="deliveries")
    ticket_event = models.ForeignKey(
        TicketEvent, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    event = models.CharField(max_length=40)
    payload = models.JSONField()
    # Who the frozen payload was written for, checked again when it is sent and redelivered:
    # the client of its ticket (null for a ping) and whether it holds internal text.
    organization = models.ForeignKey(
        Organization,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
    )
    internal = models.BooleanField(default=False)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(default=clock.now)
    claimed_at = models.DateTimeField(null=True, blank=True)
    last_status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    duration_ms = models.PositiveIntegerField(null=True, blank=True)
    redelivery_of = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=clock.now)
    delivered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-id"]
        indexes = [
            models.Index(fields=["status", "next_attempt_at"], name="webhook_delivery_due"),
            models.Index(fields=["webhook", "-id"], name="webhook_delivery_log"),
        ]

    def __str__(self) -> str:
        return f"{self.event} {self.public_id}"
