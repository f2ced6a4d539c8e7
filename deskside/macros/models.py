"""Macros (canned replies): a text with placeholders, posted as a public reply or an internal
note, optionally with actions (set the status or the priority, hand the ticket to a team, add
a watcher), applied to a ticket in one step through the ticket services
(`deskside.macros.services.apply_macro`)."""

from django.conf import settings
from django.db import models

from deskside.accounts.models import Team
from deskside.core import clock
from deskside.core.ids import new_public_id
from deskside.tickets.models import Priority, Status


class ReplyKind(models.TextChoices):
    REPLY = "reply", "Public reply"
    NOTE = "note", "Internal note"


# The statuses a macro may set: the working statuses and resolved (whose resolution is the
# macro's text). Closing is final and never a one-click side effect.
MACRO_STATUSES = (
    Status.OPEN,
    Status.PENDING_CUSTOMER,
    Status.PENDING_VENDOR,
    Status.ON_HOLD,
    Status.RESOLVED,
)


class Macro(models.Model):
    """A canned reply of one team (or global: `team` null), addressed by `public_id`.

    Invariants kept by `macros.services`: `body` only uses the placeholders of
    `macros.placeholders.PLACEHOLDERS`; a macro that resolves is a public reply (its text is
    the resolution the customer reads); `usage_count` counts each application, `last_used_at`
    the last one. Never edited in the admin; every change writes an audit entry.
    """

    public_id = models.CharField(max_length=16, unique=True, default=new_public_id, editable=False)
    name = models.CharField(max_length=100)
    team = models.ForeignKey(
        Team,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="macros",
        help_text="Null: a global macro every agent may use.",
    )
    body = models.TextField(help_text="The text, with placeholders such as {{ticket.number}}.")
    reply_kind = models.CharField(max_length=10, choices=ReplyKind.choices, default=ReplyKind.REPLY)
    set_status = models.CharField(
        max_length=20,
        blank=True,
        choices=[(s.value, s.label) for s in MACRO_STATUSES],
        help_text="Empty: the status is left alone.",
    )
    set_priority = models.PositiveSmallIntegerField(null=True, blank=True, choices=Priority.choices)
    set_team = models.ForeignKey(
        Team, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    add_watcher = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    is_active = models.BooleanField(default=True)
    usage_count = models.PositiveIntegerField(default=0)
    last_used_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(default=clock.now)
    updated_at = models.DateTimeField(default=clock.now)

    class Meta:
        ordering = ["name", "id"]
        indexes = [models.Index(fields=["team", "is_active"], name="macro_team_active")]

    def __str__(self) -> str:
        return self.name

    @property
    def scope_label(self) -> str:
        return self.team.name if self.team_id else "Global"
