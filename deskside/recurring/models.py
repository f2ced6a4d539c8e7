"""Recurring operational tickets: per client, a schedule as an RFC 5545 recurrence rule
(`dateutil.rrule`) in the client's local time that opens an OPS ticket from a template at
each occurrence ("patching on the second Tuesday at 22:00 client time").

Exactly one ticket per occurrence: an `Occurrence` row is unique per (schedule, instant) and is
written in the same transaction as its ticket, so two workers racing for the same occurrence
produce one ticket (the loser's INSERT fails and its transaction rolls back). `next_run_at` is
the schedule's deadline column, claimed by the worker with a conditional UPDATE. Occurrences
missed while no worker ran are caught up once (the latest missed one opens a ticket, the
others are recorded as skipped) or all skipped, by the schedule's `missed_policy`.
"""

from django.conf import settings
from django.db import models

from deskside.accounts.models import Organization, Site, Team
from deskside.core import clock
from deskside.core.ids import new_public_id
from deskside.tickets.models import Priority, Ticket
from deskside.workorders.models import WorkOrderTemplate


class MissedPolicy(models.TextChoices):
    CATCH_UP_ONCE = "catch_up_once", "Catch up once"
    SKIP = "skip", "Skip missed occurrences"


class Schedule(models.Model):
    """When and what: `rule` is the RRULE body (`FREQ=MONTHLY;BYDAY=+2TU`), `starts_at_local`
    the first occurrence's local date and time (the DTSTART, naive, in `timezone`): the rule's
    times are local wall-clock times, so 22:00 stays 22:00 across DST."""

    public_id = models.CharField(max_length=16, unique=True, default=new_public_id, editable=False)
    organization = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="recurring_schedules"
    )
    name = models.CharField(max_length=200)
    rule = models.CharField(
        max_length=500, help_text="RFC 5545 RRULE, e.g. FREQ=MONTHLY;BYDAY=+2TU"
    )
    starts_at_local = models.DateTimeField(
        help_text="The first occurrence, in the schedule's time zone (stored naive)."
    )
    timezone = models.CharField(max_length=64)
    missed_policy = models.CharField(
        max_length=20, choices=MissedPolicy.choices, default=MissedPolicy.CATCH_UP_ONCE
    )
    is_active = models.BooleanField(default=True)
    # The ticket's template.
    subject = models.CharField(max_length=250)
    description = models.TextField(blank=True)
    priority = models.PositiveSmallIntegerField(choices=Priority.choices, default=Priority.OPS)
    requester = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    site = models.ForeignKey(
        Site, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    team = models.ForeignKey(
        Team, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    checklist = models.ForeignKey(
        WorkOrderTemplate,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="recurring_schedules",
        help_text="A work order template whose checklist each ticket carries.",
    )
    next_run_at = models.DateTimeField(null=True, blank=True, db_index=True)
    last_occurrence_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=clock.now)
    updated_at = models.DateTimeField(default=clock.now)

    class Meta:
        ordering = ["organization__name", "name"]

    def __str__(self) -> str:
        return self.name


class OccurrenceStatus(models.TextChoices):
    OPENED = "opened", "Ticket opened"
    SKIPPED = "skipped", "Skipped (missed while no worker ran)"


class Occurrence(models.Model):
    """One occurrence of a schedule that has been dealt with: its ticket, or skipped."""

    schedule = models.ForeignKey(Schedule, on_delete=models.CASCADE, related_name="occurrences")
    occurs_at = models.DateTimeField()
    status = models.CharField(max_length=10, choices=OccurrenceStatus.choices)
    ticket = models.OneToOneField(
        Ticket, null=True, blank=True, on_delete=models.PROTECT, related_name="recurrence"
    )
    created_at = models.DateTimeField(default=clock.now)

    class Meta:
        ordering = ["schedule_id", "-occurs_at"]
        constraints = [
            models.UniqueConstraint(fields=["schedule", "occurs_at"], name="occurrence_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.schedule_id} at {self.occurs_at:%Y-%m-%d %H:%M} UTC"
