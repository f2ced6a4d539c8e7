"""Shift handovers: the record one shift passes to the next, per team and hand-off.

A `Handover` exists once per (team, hand-off instant): the worker creates it at each hand-off
that `deskside.rosters.working.handoffs` reports (idempotent on that unique pair). While it is
open its sections are compiled live from the tickets (`deskside.handovers.compile`); at
sign-off they are frozen into `contents`, so the record the incoming shift acknowledges never
changes under them. Reminders are deadline rows (`Reminder.due_at`) claimed with a
conditional UPDATE; what they and the stakeholder tags send are outbox rows (`Notice`), each
claimed once before it is handed to its transport.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q

from deskside.accounts.models import Team
from deskside.core import clock
from deskside.core.ids import new_public_id
from deskside.tickets.models import Ticket


class HandoverSettings(models.Model):
    """A team's handover set-up (no row: the defaults). Reminders count from the hand-off."""

    team = models.OneToOneField(Team, on_delete=models.CASCADE, related_name="handover_settings")
    remind_incoming_after = models.PositiveSmallIntegerField(
        default=15, help_text="Minutes after the hand-off: remind the incoming agents."
    )
    remind_lead_after = models.PositiveSmallIntegerField(
        default=30, help_text="Minutes after the hand-off: remind the team lead."
    )
    updated_at = models.DateTimeField(default=clock.now)

    class Meta:
        verbose_name_plural = "handover settings"

    def __str__(self) -> str:
        return f"Handover settings of {self.team}"


DEFAULT_REMIND_INCOMING, DEFAULT_REMIND_LEAD = 15, 30


class ChecklistItem(models.Model):
    """One item of a team's handover checklist: pre-flight (checked as the shift starts) or
    post-flight (as it ends). A required item must be done before sign-off."""

    class Phase(models.TextChoices):
        PRE = "pre", "Pre-flight"
        POST = "post", "Post-flight"

    public_id = models.CharField(max_length=16, unique=True, default=new_public_id, editable=False)
    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="handover_items")
    phase = models.CharField(max_length=4, choices=Phase.choices)
    text = models.CharField(max_length=200)
    required = models.BooleanField(default=True)
    position = models.PositiveSmallIntegerField(default=0)
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["team", "phase", "position", "id"]

    def __str__(self) -> str:
        return f"{self.team}: {self.text}"


class Handover(models.Model):
    """One team's handover at one hand-off: the period (`shift_start`, `at`), the ending and
    starting shift names, the outgoing and incoming people, and its state:
    open -> signed off (contents frozen) -> acknowledged (by someone of the incoming shift)."""

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        SIGNED_OFF = "signed_off", "Signed off"
        ACKNOWLEDGED = "acknowledged", "Acknowledged"

    public_id = models.CharField(max_length=16, unique=True, default=new_public_id, editable=False)
    team = models.ForeignKey(Team, on_delete=models.PROTECT, related_name="handovers")
    at = models.DateTimeField(help_text="The hand-off: the ending shift's end.")
    shift_start = models.DateTimeField(help_text="Start of the ending shift: the period's start.")
    ending = models.CharField(max_length=100)
    starting = models.CharField(max_length=100)
    outgoing = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="handovers_out"
    )
    incoming = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="handovers_in"
    )
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.OPEN)
    notes = models.TextField(blank=True, help_text="The outgoing shift's overall notes.")
    contents = models.JSONField(
        null=True, blank=True, help_text="The sections, frozen at sign-off (null while open)."
    )
    compiled_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=clock.now)
    signed_off_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    signed_off_at = models.DateTimeField(null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    acknowledged_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["team", "at"], name="handover_one_per_team_handoff")
        ]
        indexes = [models.Index(fields=["-at"], name="handover_at")]

    def __str__(self) -> str:
        return f"{self.team}: {self.ending} -> {self.starting} at {self.at:%Y-%m-%d %H:%M}"

    @property
    def is_open(self) -> bool:
        return self.status == self.Status.OPEN


class TicketNote(models.Model):
    """The outgoing shift's note on one ticket of the handover."""

    handover = models.ForeignKey(Handover, on_delete=models.CASCADE, related_name="ticket_notes")
    ticket = models.ForeignKey(Ticket, on_delete=models.PROTECT, related_name="handover_notes")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    body = models.TextField()
    created_at = models.DateTimeField(default=clock.now)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.handover_id} on {self.ticket_id}"


class ChecklistCheck(models.Model):
    """One checklist item done on one handover (the item's text is kept: items change)."""

    handover = models.ForeignKey(Handover, on_delete=models.CASCADE, related_name="checks")
    item = models.ForeignKey(ChecklistItem, on_delete=models.CASCADE, related_name="+")
    text = models.CharField(max_length=200)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    done_at = models.DateTimeField(default=clock.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["handover", "item"], name="handover_check_once")
        ]

    def __str__(self) -> str:
        return f"{self.handover_id}: {self.text}"


class Feedback(models.Model):
    """The incoming shift writing back to the shift before (the night team to the day team)."""

    handover = models.ForeignKey(Handover, on_delete=models.CASCADE, related_name="feedback")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    body = models.TextField()
    created_at = models.DateTimeField(default=clock.now)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"Feedback on {self.handover_id}"


class Reminder(models.Model):
    """A deadline row: remind the incoming agents (or the lead) at `due_at` unless the
    handover was acknowledged. Claimed pending -> sent by one conditional UPDATE in the
    transaction that writes its notices: written once, whatever the workers do."""

    class Stage(models.TextChoices):
        INCOMING = "incoming", "Incoming agents"
        LEAD = "lead", "Team lead"

    class State(models.TextChoices):
        PENDING = "pending", "Pending"
        SENT = "sent", "Sent"
        CANCELLED = "cancelled", "Not needed (acknowledged)"

    handover = models.ForeignKey(Handover, on_delete=models.CASCADE, related_name="reminders")
    stage = models.CharField(max_length=10, choices=Stage.choices)
    due_at = models.DateTimeField()
    state = models.CharField(max_length=10, choices=State.choices, default=State.PENDING)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["due_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["handover", "stage"], name="handover_reminder_once")
        ]
        indexes = [
            models.Index(
                fields=["due_at"], condition=Q(state="pending"), name="handover_reminder_due"
            )
        ]

    def __str__(self) -> str:
        return f"{self.handover_id} {self.stage} at {self.due_at}"


class Notice(models.Model):
    """One message to one person through one channel: a stakeholder tag or a reminder. An
    outbox row, claimed queued -> sending before it is handed to its transport; a worker
    killed after the claim leaves it "sending" (it may have gone out), never sent again."""

    class Reason(models.TextChoices):
        MENTION = "mention", "Tagged in a handover"
        REMIND_INCOMING = "remind_incoming", "Reminder: acknowledge the handover"
        REMIND_LEAD = "remind_lead", "Reminder to the lead: handover not acknowledged"

    class State(models.TextChoices):
        QUEUED = "queued", "Queued"
        SENDING = "sending", "Sending"
        SENT = "sent", "Sent"
        FAILED = "failed", "Failed"

    handover = models.ForeignKey(Handover, on_delete=models.CASCADE, related_name="notices")
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    reason = models.CharField(max_length=20, choices=Reason.choices)
    source = models.CharField(
        max_length=40, help_text='What caused it: "notes", "note:<id>", "reminder:<stage>".'
    )
    channel = models.CharField(
        max_length=30, help_text='"account" (the account\'s address) or "cm:<contact method id>".'
    )
    subject = models.CharField(max_length=250)
    body = models.TextField(blank=True)
    state = models.CharField(max_length=10, choices=State.choices, default=State.QUEUED)
    created_at = models.DateTimeField(default=clock.now)
    claimed_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    error = models.TextField(blank=True)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(
                fields=["handover", "source", "recipient", "channel"], name="handover_notice_once"
            )
        ]
        indexes = [
            models.Index(fields=["id"], condition=Q(state="queued"), name="handover_notice_queued")
        ]

    def __str__(self) -> str:
        return f"{self.reason} to {self.recipient_id} via {self.channel}: {self.state}"
