"""Escalation policies, paging rules, contact methods, running escalations and their pages.

A contract's PagingRule says which tickets page (every P1, P2 outside business hours, alerts
from a severity up) and through which EscalationPolicy. A policy is an ordered list of
EscalationSteps (the on-call person of a schedule, a named user, or every member of a team,
then wait N minutes), run `repeat` more times, then optionally the team lead. A ticket that
pages gets one Escalation: the running chain, whose `next_at` is the deadline row the worker
claims (deskside.paging.worker). Each person notified at a step gets one Page per contact
method (in the person's order); a unique constraint makes a second page for the same
(escalation, round, step, person, channel) impossible, whatever a worker replays.
"""

from urllib.parse import urlsplit

from django.conf import settings
from django.db import models

from deskside.accounts.models import Team
from deskside.core import clock, crypto, versioning
from deskside.core.ids import new_public_id
from deskside.duty.models import Schedule
from deskside.sla.models import Contract
from deskside.tickets.models import Ticket

CONTACT_PURPOSE = "paging-contact"

# Apprise schemes shown by name (the rest by their scheme).
SERVICE_NAMES = {
    "slack": "Slack",
    "msteams": "Teams",
    "ntfy": "ntfy",
    "ntfys": "ntfy",
    "json": "webhook",
    "jsons": "webhook",
    "xml": "webhook",
    "form": "webhook",
    "forms": "webhook",
    "mailto": "email",
    "mailtos": "email",
    "tgram": "Telegram",
    "discord": "Discord",
    "pover": "Pushover",
    "twilio": "SMS (Twilio)",
    "signal": "Signal",
    "matrix": "Matrix",
    "mmost": "Mattermost",
    "rocket": "Rocket.Chat",
}


class ContactMethod(models.Model):
    """One way to reach a person: an email address (sent through Django's mail backend, so a
    reply comes back to the desk) or an Apprise URL (Slack, Teams, ntfy, webhooks, SMS
    gateways ...). The address is stored encrypted: Apprise URLs carry tokens. A page goes to
    each active method of the person, in `position` order."""

    class Kind(models.TextChoices):
        EMAIL = "email", "Email"
        APPRISE = "apprise", "Apprise URL"

    public_id = models.CharField(max_length=16, unique=True, default=new_public_id, editable=False)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="contact_methods"
    )
    kind = models.CharField(max_length=10, choices=Kind.choices)
    address_encrypted = models.TextField(editable=False)
    scheme = models.CharField(max_length=30, blank=True, help_text="The URL's scheme, kept clear.")
    label = models.CharField(max_length=100, blank=True)
    position = models.PositiveSmallIntegerField(default=0)
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(default=clock.now)
    version = versioning.version_field()

    class Meta:
        ordering = ["user", "position", "id"]

    def __str__(self) -> str:
        return f"{self.user}: {self.label or self.service}"

    @property
    def address(self) -> str:
        return crypto.decrypt(CONTACT_PURPOSE, self.address_encrypted)

    @address.setter
    def address(self, raw: str) -> None:
        self.address_encrypted = crypto.encrypt(CONTACT_PURPOSE, raw)
        self.scheme = "" if self.kind == self.Kind.EMAIL else urlsplit(raw).scheme.lower()[:30]

    @property
    def service(self) -> str:
        """What the channel is called in the timeline: "email", "Slack", "Teams" ..."""
        if self.kind == self.Kind.EMAIL:
            return "email"
        return SERVICE_NAMES.get(self.scheme, self.scheme or "Apprise")

    @property
    def shown(self) -> str:
        """The address as pages show it: an email address in full, an Apprise URL only by its
        service (the rest holds tokens)."""
        if self.kind == self.Kind.EMAIL:
            return self.address
        return f"{self.scheme}://…"


class EscalationPolicy(models.Model):
    """Who is notified, in which order, when nobody acknowledges."""

    public_id = models.CharField(max_length=16, unique=True, default=new_public_id, editable=False)
    name = models.CharField(max_length=100, unique=True)
    slug = models.SlugField(max_length=60, unique=True)
    team = models.ForeignKey(
        Team, null=True, blank=True, on_delete=models.SET_NULL, related_name="escalation_policies"
    )
    repeat = models.PositiveSmallIntegerField(
        default=0, help_text="How many more times the whole chain runs when nobody acknowledges."
    )
    notify_team_lead = models.BooleanField(
        default=False, help_text="After the last round, page the team's lead as a final step."
    )
    description = models.TextField(blank=True)
    created_at = models.DateTimeField(default=clock.now)
    version = versioning.version_field()

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "escalation policies"

    def __str__(self) -> str:
        return self.name


class EscalationStep(models.Model):
    """One step of a policy: notify someone, then wait `wait_minutes` before the next step."""

    class Target(models.TextChoices):
        SCHEDULE = "schedule", "On-call person of a schedule"
        USER = "user", "A named person"
        TEAM = "team", "Every member of a team"

    policy = models.ForeignKey(EscalationPolicy, on_delete=models.CASCADE, related_name="steps")
    position = models.PositiveSmallIntegerField()
    target = models.CharField(max_length=10, choices=Target.choices)
    schedule = models.ForeignKey(
        Schedule, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    team = models.ForeignKey(
        Team, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    wait_minutes = models.PositiveIntegerField(default=5)

    class Meta:
        ordering = ["policy", "position"]
        constraints = [
            models.UniqueConstraint(fields=["policy", "position"], name="escalation_step_position"),
            models.CheckConstraint(
                condition=(
                    models.Q(target="schedule", schedule__isnull=False)
                    | models.Q(target="user", user__isnull=False)
                    | models.Q(target="team", team__isnull=False)
                ),
                name="escalation_step_has_target",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.policy} step {self.position + 1}: {self.describe()}"

    def describe(self) -> str:
        if self.target == self.Target.SCHEDULE:
            return f"on call for {self.schedule}"
        if self.target == self.Target.USER:
            return str(self.user.get_full_name() if self.user else "?")
        return f"everyone in {self.team}"


class PagingRule(models.Model):
    """Which of a contract's tickets page, and through which policy."""

    class P2(models.TextChoices):
        NEVER = "never", "Never"
        AFTER_HOURS = "after_hours", "Outside the contract's business hours"
        ALWAYS = "always", "Always"

    class Severity(models.TextChoices):
        NONE = "none", "No alert pages by its severity"
        CRITICAL = "critical", "Critical"
        ERROR = "error", "Error and above"
        WARNING = "warning", "Warning and above"

    contract = models.OneToOneField(Contract, on_delete=models.CASCADE, related_name="paging_rule")
    policy = models.ForeignKey(EscalationPolicy, on_delete=models.PROTECT, related_name="rules")
    page_p1 = models.BooleanField(default=True, help_text="Page every P1, at any hour.")
    p2 = models.CharField(max_length=12, choices=P2.choices, default=P2.AFTER_HOURS)
    alert_severity = models.CharField(
        max_length=10,
        choices=Severity.choices,
        default=Severity.CRITICAL,
        help_text="Alerts of this severity or worse page whatever the ticket's priority.",
    )
    updated_at = models.DateTimeField(default=clock.now)
    version = versioning.version_field()

    def __str__(self) -> str:
        return f"{self.contract}: {self.policy}"


class Escalation(models.Model):
    """One ticket's running chain. `step` and `cycle` name the next step to run (0-based;
    `step` equal to the number of steps is the team lead, beyond it the end), `next_at` when:
    the deadline row the worker claims with a conditional UPDATE on (id, step, cycle, next_at).
    At most one active escalation per ticket."""

    class Status(models.TextChoices):
        ACTIVE = "active", "Paging"
        ACKNOWLEDGED = "acknowledged", "Acknowledged"
        EXHAUSTED = "exhausted", "Nobody acknowledged"
        CANCELLED = "cancelled", "Stopped"

    class Via(models.TextChoices):
        LINK = "link", "the link in the page"
        PAGE = "page", "the paging page"
        API = "api", "the API"
        EMAIL = "email", "a reply to the page email"

    public_id = models.CharField(max_length=16, unique=True, default=new_public_id, editable=False)
    ticket = models.ForeignKey(Ticket, on_delete=models.PROTECT, related_name="escalations")
    policy = models.ForeignKey(EscalationPolicy, on_delete=models.PROTECT, related_name="+")
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.ACTIVE)
    reason = models.CharField(max_length=100, blank=True, help_text="Why the ticket pages.")
    step = models.PositiveSmallIntegerField(default=0)
    cycle = models.PositiveSmallIntegerField(default=0)
    next_at = models.DateTimeField(null=True, blank=True, db_index=True)
    started_at = models.DateTimeField(default=clock.now)
    ended_at = models.DateTimeField(null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    acknowledged_via = models.CharField(max_length=10, choices=Via.choices, blank=True)

    class Meta:
        ordering = ["-started_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["ticket"],
                condition=models.Q(status="active"),
                name="one_active_escalation_per_ticket",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.ticket.number}: {self.get_status_display()}"

    @property
    def is_open(self) -> bool:
        """Still waiting for someone to acknowledge (paging, or nobody left to page)."""
        return self.status in (self.Status.ACTIVE, self.Status.EXHAUSTED)


class Page(models.Model):
    """One notification to one person through one channel at one step of one round."""

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        SENDING = "sending", "Sending"
        SENT = "sent", "Sent"
        FAILED = "failed", "Failed"
        # The worker stopped between handing the page to its transport and hearing back: it
        # may well have arrived, so it is neither "sent" nor "failed" (and never sent again).
        UNKNOWN = "unknown", "Unknown (worker stopped while sending)"
        CANCELLED = "cancelled", "Not sent (chain stopped)"

    public_id = models.CharField(max_length=16, unique=True, default=new_public_id, editable=False)
    escalation = models.ForeignKey(Escalation, on_delete=models.CASCADE, related_name="pages")
    ticket = models.ForeignKey(Ticket, on_delete=models.PROTECT, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    contact_method = models.ForeignKey(
        ContactMethod, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    channel = models.CharField(
        max_length=30,
        help_text='"cm:<id>" of the contact method, or "account" (the account\'s email address).',
    )
    service = models.CharField(max_length=30, help_text='"email", "Slack" ... as shown.')
    step = models.PositiveSmallIntegerField()
    cycle = models.PositiveSmallIntegerField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    error = models.TextField(blank=True)
    created_at = models.DateTimeField(default=clock.now)
    claimed_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(
                fields=["escalation", "cycle", "step", "user", "channel"],
                name="one_page_per_step_person_channel",
            ),
        ]
        indexes = [models.Index(fields=["status", "id"], name="page_status")]

    def __str__(self) -> str:
        return f"{self.ticket.number} → {self.user} via {self.service}"
