"""The monthly client report: whether a client gets it (and on which day), and one delivery
row per client and month, the outbox of the mailing."""

from django.conf import settings
from django.db import models

from deskside.accounts.models import Organization
from deskside.core import clock


class MonthlyReportSetting(models.Model):
    """A client's monthly report: on or off, and the day of the month it is mailed (1-28,
    for the month before). Changed only through `reports.services.set_monthly_report`,
    which writes the audit entry."""

    organization = models.OneToOneField(
        Organization, on_delete=models.CASCADE, related_name="monthly_report"
    )
    enabled = models.BooleanField(default=False)
    day_of_month = models.PositiveSmallIntegerField(default=1)
    updated_at = models.DateTimeField(default=clock.now)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    def __str__(self) -> str:
        state = "on" if self.enabled else "off"
        return f"monthly report of {self.organization}: {state}, day {self.day_of_month}"


class MonthlyReportDelivery(models.Model):
    """The mailing of one client's report of one month (`month`: its first day), unique per
    client and month: the daily pass creates it once and claims it once (queued -> sending
    with a conditional UPDATE) before anything is sent, so a restarted or second worker never
    mails it twice. A row left in "sending" (a worker killed mid-send) is not sent again: the
    admins may already have it; an administrator re-queues it from the admin."""

    class State(models.TextChoices):
        QUEUED = "queued", "Queued"
        SENDING = "sending", "Sending"
        SENT = "sent", "Sent"
        FAILED = "failed", "Failed"
        SKIPPED = "skipped", "No recipients"

    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="monthly_report_deliveries"
    )
    month = models.DateField()
    state = models.CharField(max_length=10, choices=State.choices, default=State.QUEUED)
    recipients = models.TextField(blank=True, help_text="Comma-separated addresses.")
    created_at = models.DateTimeField(default=clock.now)
    claimed_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)

    class Meta:
        ordering = ["-month", "organization_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "month"], name="monthly_delivery_unique"
            )
        ]
        indexes = [models.Index(fields=["state", "id"], name="monthly_delivery_state")]

    def __str__(self) -> str:
        return f"{self.organization} {self.month:%Y-%m}: {self.state}"


class TicketFigures(models.Model):
    """One ticket's figures for the year-long reports, stored so that a report reads one
    narrow row per ticket instead of working them out from the ticket and its timeline
    (`reports.figures`, docs/reports.md "Stored figures").

    The columns copied from the ticket keep the ticket's names, so `Scope.narrow` filters
    these rows as it filters tickets. Written only by `reports.figures` (the worker's pass and
    `deskside reports figures`); a report reads a row only while its ticket is unchanged
    since (no `FiguresMark`)."""

    # No foreign-key constraint: on PostgreSQL it would take a key-share lock on every ticket
    # a pass stores, and the services lock tickets FOR UPDATE (a merge locks two).
    ticket = models.OneToOneField(
        "tickets.Ticket",
        on_delete=models.CASCADE,
        primary_key=True,
        db_constraint=False,
        related_name="+",
    )
    created_at = models.DateTimeField()
    organization = models.ForeignKey(
        Organization,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        db_index=False,
        related_name="+",
    )
    team = models.ForeignKey(
        "accounts.Team",
        null=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        db_index=False,
        related_name="+",
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        db_index=False,
        related_name="+",
    )
    priority = models.PositiveSmallIntegerField()
    type = models.CharField(max_length=20)
    tier = models.CharField(max_length=2)
    is_resolved = models.BooleanField()
    response_seconds = models.BigIntegerField(null=True)
    response_minute = models.BigIntegerField(null=True)
    resolve_seconds = models.BigIntegerField(null=True)
    resolve_minute = models.BigIntegerField(null=True)
    escalated = models.BooleanField()
    left_l1 = models.BooleanField(help_text="escalated out of L1 at least once")
    left_l2 = models.BooleanField(help_text="escalated out of L2 at least once")
    resolutions = models.PositiveIntegerField()
    reopenings = models.PositiveIntegerField()

    class Meta:
        verbose_name_plural = "ticket figures"
        indexes = [models.Index(fields=["created_at"], name="figures_created")]

    def __str__(self) -> str:
        return f"figures of ticket {self.ticket_id}"


class FiguresMark(models.Model):
    """A ticket whose stored figures may be out of date: written by the tickets' event hook
    in the transaction of every event that can change a figure, deleted by the pass that
    stores the ticket's figures again. Reports work such tickets out from the ticket."""

    ticket_id = models.BigIntegerField()

    class Meta:
        indexes = [models.Index(fields=["ticket_id"], name="figuresmark_ticket")]

    def __str__(self) -> str:
        return f"ticket {self.ticket_id} changed"


class FiguresState(models.Model):
    """The one row saying how far the stored figures reach: every ticket with an id up to
    `through_ticket` has its row (or a mark), as of the last (re)build. Tickets above it are
    worked out from the ticket. No row: nothing is stored yet, every report works from the
    tickets. `building_from` is the resume point of a build in progress."""

    through_ticket = models.BigIntegerField(null=True)
    building_from = models.BigIntegerField(null=True)
    building_to = models.BigIntegerField(null=True)
    updated_at = models.DateTimeField(default=clock.now)

    def __str__(self) -> str:
        return f"figures through ticket {self.through_ticket}"


class DurationRollup(models.Model):
    """The stored figures' durations summed per UTC month: how many tickets of the month
    (by creation), of a team, priority and tier, took `minute` (the stored `*_minute`) to
    their first response or resolution, and their seconds. The response-time report reads
    whole months of a year from here (a few rows per minute of duration instead of one per
    ticket) when it counts every client. Kept equal to the sum of the `TicketFigures` rows by
    every write of those rows, in the same transaction (`reports.figures`)."""

    class Figure(models.TextChoices):
        RESPONSE = "response", "First response"
        RESOLVE = "resolve", "Resolution"

    month = models.DateField(help_text="the first day of the UTC month")
    team_id = models.BigIntegerField(help_text="0: no team")
    priority = models.PositiveSmallIntegerField()
    tier = models.CharField(max_length=2)
    figure = models.CharField(max_length=8, choices=Figure.choices)
    minute = models.BigIntegerField()
    tickets = models.BigIntegerField()
    seconds = models.BigIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["month", "team_id", "priority", "tier", "figure", "minute"],
                name="durationrollup_key",
            )
        ]

    def __str__(self) -> str:
        return f"{self.figure} {self.month:%Y-%m} P{self.priority} {self.tier}: {self.tickets}"
