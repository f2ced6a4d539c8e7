"""Monitoring alert intake: integrations (a monitoring tool's own endpoint and token), the
alerts they raise (one open alert per de-duplication key, which owns one ticket) and the
maintenance windows that suppress a client's alerts.

Invariants:
- An integration's token is stored only as its SHA-256 (`token_hash`); the raw token is shown
  once, when it is made. `token_prefix` identifies it on the pages.
- At most one *open* alert (firing, acknowledged or suppressed) per (integration, client,
  dedup_key): a partial unique constraint, so two requests racing to open the same key end as
  one alert. The client is part of the identity everywhere (intake, resolve, storms, the
  previous episode a ticket names): on an MSP-wide integration two clients' monitoring may
  send the same key (`disk-full-c`), and one client's alert must never count on, or resolve,
  another's ticket.
- A client's integration (`organization` set) raises alerts for that client only; an MSP-wide
  integration (`organization` empty) reads the client from a label (`organization_label`).
"""

import hashlib
import secrets
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q

from deskside.accounts.models import Organization, Team
from deskside.core import clock, versioning
from deskside.core.ids import new_public_id
from deskside.tickets.models import Priority, Ticket

TOKEN_PREFIX = "dsa_"  # noqa: S105 - a prefix, not a secret

DEFAULT_SEVERITY_MAP: dict[str, str] = {
    "critical": "P1",
    "error": "P2",
    "major": "P2",
    "high": "P2",
    "warning": "P3",
    "medium": "P3",
    "info": "OPS",
    "low": "OPS",
}
# A severity the map does not know (or none at all) is treated as a warning.
FALLBACK_PRIORITY = "P3"


def default_severity_map() -> dict[str, str]:
    return dict(DEFAULT_SEVERITY_MAP)


def hash_token(raw: str) -> str:
    """SHA-256 of an integration token (256-bit random, so no salt is needed)."""
    return hashlib.sha256(raw.encode()).hexdigest()


def generate_token() -> str:
    return TOKEN_PREFIX + secrets.token_urlsafe(32)


class Integration(models.Model):
    """A monitoring tool's way in: its kind (Alertmanager webhook or the generic events API),
    its token, the client it raises alerts for (or none: MSP-wide, routed by a label), how
    severities map to priorities, what a resolve does to the ticket, the team its tickets go
    to, who sees an alert's details (`alert_details`: agents only by default), and the flood
    threshold above which a client's new alerts are grouped into one storm ticket of that
    client (`AlertStorm`)."""

    class Kind(models.TextChoices):
        ALERTMANAGER = "alertmanager", "Prometheus Alertmanager"
        EVENTS = "events", "Events API (PagerDuty Events v2 shaped)"

    class ResolveRule(models.TextChoices):
        RESOLVE = "resolve", "Resolve the ticket"
        CLOSE = "close", "Close the ticket"
        NOTE = "note", "Only add a note"

    class Details(models.TextChoices):
        INTERNAL = "internal", "In an internal note (agents only)"
        PUBLIC = "public", "In the ticket's description (the customer sees them)"

    public_id = models.CharField(max_length=16, unique=True, default=new_public_id, editable=False)
    name = models.CharField(max_length=100)
    kind = models.CharField(max_length=20, choices=Kind.choices)
    organization = models.ForeignKey(
        Organization,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="alert_integrations",
        help_text="Empty: MSP-wide, the client comes from the organisation label.",
    )
    organization_label = models.CharField(max_length=100, default="client")
    token_hash = models.CharField(max_length=64, unique=True)
    token_prefix = models.CharField(max_length=12)
    severity_map = models.JSONField(default=default_severity_map)
    resolve_rule = models.CharField(
        max_length=10, choices=ResolveRule.choices, default=ResolveRule.RESOLVE
    )
    team = models.ForeignKey(
        Team, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    alert_details = models.CharField(
        max_length=10,
        choices=Details.choices,
        default=Details.INTERNAL,
        help_text="Where an alert's details (source host, key, labels, annotations, payload "
        "fields) go. Internal: the customer sees only the alert's summary.",
    )
    flood_threshold = models.PositiveIntegerField(
        default=20,
        help_text="The most new alerts within the window that open tickets of their own; "
        "further new alerts are grouped onto one storm ticket. 0: never group.",
    )
    flood_window_minutes = models.PositiveIntegerField(default=5)
    service_user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="alert_integration",
        help_text="The agent the timeline names for this integration's actions.",
    )
    is_active = models.BooleanField(default=True)
    last_event_at = models.DateTimeField(null=True, blank=True)
    version = versioning.version_field()
    created_at = models.DateTimeField(default=clock.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def priority_for(self, severity: str) -> int:
        label = (self.severity_map or {}).get((severity or "").strip().lower(), FALLBACK_PRIORITY)
        try:
            return int(Priority.from_label(label))
        except KeyError:
            return int(Priority.from_label(FALLBACK_PRIORITY))


class AlertStatus(models.TextChoices):
    FIRING = "firing", "Firing"
    ACKNOWLEDGED = "acknowledged", "Acknowledged"
    SUPPRESSED = "suppressed", "Suppressed"
    RESOLVED = "resolved", "Resolved"


OPEN_ALERT_STATUSES = (AlertStatus.FIRING, AlertStatus.ACKNOWLEDGED, AlertStatus.SUPPRESSED)


class Alert(models.Model):
    """One firing episode of a monitored problem, identified by (integration, organization,
    dedup_key): the organization is the client the alert is for.

    Repeats while it is open count `occurrences`; a resolve ends it; a later trigger of the
    same key opens a new alert (and a new ticket). `ticket` is its own ticket; an alert grouped
    into a storm has none and points to the storm's ticket instead (`storm_ticket`); a
    suppressed alert (maintenance window) has neither.
    """

    public_id = models.CharField(max_length=16, unique=True, default=new_public_id, editable=False)
    integration = models.ForeignKey(Integration, on_delete=models.CASCADE, related_name="alerts")
    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+")
    dedup_key = models.CharField(max_length=255)
    status = models.CharField(max_length=12, choices=AlertStatus.choices)
    severity = models.CharField(max_length=40, blank=True)
    source = models.CharField(max_length=255, blank=True)
    summary = models.CharField(max_length=1024)
    details = models.JSONField(default=dict, blank=True)
    labels = models.JSONField(default=dict, blank=True)
    ticket = models.ForeignKey(
        Ticket, on_delete=models.SET_NULL, null=True, blank=True, related_name="alerts"
    )
    storm_ticket = models.ForeignKey(
        Ticket, on_delete=models.SET_NULL, null=True, blank=True, related_name="storm_alerts"
    )
    maintenance_window = models.ForeignKey(
        "MaintenanceWindow",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="alerts",
    )
    occurrences = models.PositiveIntegerField(default=1)
    first_seen = models.DateTimeField()
    last_seen = models.DateTimeField()
    # When the timeline last said "fired again": at most once per REPEAT_NOTE_MINUTES.
    noted_at = models.DateTimeField()
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    resolved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-last_seen"]
        constraints = [
            models.UniqueConstraint(
                fields=["integration", "organization", "dedup_key"],
                condition=Q(status__in=["firing", "acknowledged", "suppressed"]),
                name="alerts_one_open_alert_per_client_key",
            )
        ]
        indexes = [
            # The storm count: a client's new alerts of the integration within the window.
            models.Index(
                fields=["integration", "organization", "first_seen"],
                name="alerts_integ_org_first_seen",
            ),
            # Earlier episodes of a client's key (a new alert names the ticket of the one before).
            models.Index(
                fields=["integration", "organization", "dedup_key", "-first_seen"],
                name="alerts_integ_org_key",
            ),
            models.Index(fields=["organization", "-last_seen"], name="alerts_org_last_seen"),
            models.Index(fields=["status", "-last_seen"], name="alerts_status_last_seen"),
        ]

    def __str__(self) -> str:
        return f"{self.summary} ({self.dedup_key})"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_ALERT_STATUSES

    @property
    def shown_ticket(self) -> Ticket | None:
        return self.ticket or self.storm_ticket


class AlertStorm(models.Model):
    """A client's alert storm on an integration: the ticket its new alerts are grouped onto
    while more than the integration's `flood_threshold` arrive within its window, when the
    last one was grouped (`last_at`) and when the timeline last said so (`noted_at`). One row
    per (integration, client): a flood of one client's alerts never swallows another
    client's, and a storm ticket belongs to the client whose alerts it holds."""

    integration = models.ForeignKey(Integration, on_delete=models.CASCADE, related_name="storms")
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    ticket = models.ForeignKey(
        Ticket, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    last_at = models.DateTimeField(null=True, blank=True)
    noted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["integration", "organization"], name="alerts_one_storm_per_client"
            )
        ]

    def __str__(self) -> str:
        return f"{self.integration}: {self.organization}"


class MaintenanceWindow(models.Model):
    """A period in which a client's alerts are recorded (suppressed, counted) but open no
    ticket. `matchers` ({label: value}, all must match) narrows it to some alerts; empty
    matches all of the client's alerts. Ending early sets `ends_at` to the moment it ended."""

    public_id = models.CharField(max_length=16, unique=True, default=new_public_id, editable=False)
    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="maintenance_windows"
    )
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    reason = models.CharField(max_length=500)
    matchers = models.JSONField(default=dict, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(default=clock.now)

    class Meta:
        ordering = ["-starts_at"]
        indexes = [models.Index(fields=["organization", "ends_at"], name="alerts_mw_org_ends")]

    def __str__(self) -> str:
        return f"{self.organization}: {self.reason}"

    def matches(self, labels: dict[str, Any]) -> bool:
        return all(str(labels.get(k, "")) == str(v) for k, v in (self.matchers or {}).items())

    def state(self) -> str:
        now = clock.now()
        if now < self.starts_at:
            return "scheduled"
        return "active" if now < self.ends_at else "ended"


class IntakeError(models.Model):
    """An alert (or event, or a whole request) an integration sent that Deskside refused: an
    unknown or foreign client, a malformed alert in a group, a bad document. One row per
    (integration, `fingerprint`): the hash of the refused alert's de-duplication key (empty
    when none could be told), the field at fault and the reason, so a sender that posts the
    same bad alert again and again raises `count` and moves `last_seen` instead of adding
    rows. `sample` keeps the latest refused alert as JSON text, at most SAMPLE_CHARS and
    without the token. Agents clear them once the sender is fixed."""

    SAMPLE_CHARS = 4000

    public_id = models.CharField(max_length=16, unique=True, default=new_public_id, editable=False)
    integration = models.ForeignKey(
        Integration, on_delete=models.CASCADE, related_name="intake_errors"
    )
    fingerprint = models.CharField(max_length=64)
    dedup_key = models.CharField(max_length=255, blank=True)
    field = models.CharField(max_length=255, blank=True)
    reason = models.CharField(max_length=1024)
    status_code = models.PositiveSmallIntegerField(default=422)
    count = models.PositiveIntegerField(default=1)
    first_seen = models.DateTimeField()
    last_seen = models.DateTimeField()
    sample = models.TextField(blank=True)

    class Meta:
        ordering = ["-last_seen"]
        constraints = [
            models.UniqueConstraint(
                fields=["integration", "fingerprint"], name="alerts_intake_error_once"
            )
        ]
        indexes = [
            models.Index(fields=["integration", "-last_seen"], name="alerts_intake_err_last_seen")
        ]

    def __str__(self) -> str:
        return f"{self.reason} ({self.count}x)"
