"""Customer satisfaction: one survey per ticket, and the follow-up a bad rating opens.

- `Survey`: the one question ("how did we do?": good, okay or bad, and an optional comment)
  asked of a ticket's requester when the ticket is resolved. One row per ticket, written by
  `deskside.surveys.services.resolved` in the transaction of the resolution. A ticket that is
  reopened and resolved again while its survey is unanswered moves the survey to the latest
  resolution (its time, the assignee and team then, the answer window); an answered survey
  keeps its answer (once per ticket). Who resolved and who was assigned at that resolution is
  kept here, so the report does not change when the ticket is reassigned later.
- `FollowUp`: the task a bad rating opens for the lead of the ticket's team (`Team.lead`):
  listed at /surveys/follow-ups/, done with a note that goes on the ticket's timeline.
"""

from datetime import datetime, timedelta

from django.conf import settings
from django.db import models

from deskside.accounts.models import Organization, Team
from deskside.core import clock
from deskside.core.ids import new_public_id
from deskside.tickets.models import Ticket, format_number

# A survey can be answered for this long after the resolution it asks about (the link in the
# mail, the portal, the API); later answers are refused with a clear page.
ANSWER_DAYS = 30
MAX_COMMENT = 2000


class Rating(models.TextChoices):
    GOOD = "good", "Good"
    OKAY = "okay", "Okay"
    BAD = "bad", "Bad"


class Via(models.TextChoices):
    LINK = "link", "Link in the mail"
    PORTAL = "portal", "Customer portal"
    API = "api", "API"


class Survey(models.Model):
    """The satisfaction survey of one ticket (see the module docstring).

    Invariants kept by `surveys.services`: `rating`, `comment`, `answered_at` and `via` are
    written once, by one conditional UPDATE (answered_at still empty), so a survey has at most
    one answer whatever races; `resolved_at` is the ticket's latest resolution while the
    survey is unanswered."""

    public_id = models.CharField(max_length=16, unique=True, default=new_public_id, editable=False)
    ticket = models.OneToOneField(Ticket, on_delete=models.CASCADE, related_name="+")
    organization = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="+", db_index=False
    )
    requester = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    agent = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="The assignee when the ticket was resolved (else who resolved it).",
    )
    team = models.ForeignKey(
        Team, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    resolved_at = models.DateTimeField(help_text="The latest resolution the survey asks about.")
    resolutions = models.PositiveSmallIntegerField(default=1)
    rating = models.CharField(max_length=4, choices=Rating.choices, blank=True)
    comment = models.TextField(blank=True)
    answered_at = models.DateTimeField(null=True, blank=True)
    via = models.CharField(max_length=6, choices=Via.choices, blank=True)
    created_at = models.DateTimeField(default=clock.now)

    class Meta:
        ordering = ["-resolved_at", "-id"]
        indexes = [
            # The report reads a period of one client, or of all: a range of resolved_at.
            models.Index(fields=["organization", "resolved_at"], name="survey_org_resolved"),
            # The report over all clients: a range of resolved_at with every column it
            # groups and counts by, so the report reads this index alone (bench/csat.py).
            models.Index(
                fields=["resolved_at", "organization", "agent", "team", "rating", "answered_at"],
                name="survey_report",
            ),
        ]

    def __str__(self) -> str:
        return f"survey of {format_number(self.ticket_id)}"

    @property
    def ticket_number(self) -> str:
        return format_number(self.ticket_id)

    @property
    def closes_at(self) -> datetime:
        return self.resolved_at + timedelta(days=ANSWER_DAYS)

    @property
    def is_answered(self) -> bool:
        return self.answered_at is not None

    def is_open(self) -> bool:
        """Unanswered and within its answer window (read on the desk's clock)."""
        return self.answered_at is None and clock.now() < self.closes_at


class FollowUp(models.Model):
    """The task a bad rating opens: the lead of the ticket's team (at resolution) calls the
    customer back and writes down what was done. `lead` is None when the team has no lead (or
    the ticket no team): any agent who serves the client may take it. Done once, with a note
    that is written on the ticket's timeline."""

    public_id = models.CharField(max_length=16, unique=True, default=new_public_id, editable=False)
    survey = models.OneToOneField(Survey, on_delete=models.CASCADE, related_name="follow_up")
    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="+")
    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+")
    team = models.ForeignKey(
        Team, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    lead = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(default=clock.now)
    done_at = models.DateTimeField(null=True, blank=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["-id"]
        indexes = [models.Index(fields=["done_at", "-id"], name="followup_open")]

    def __str__(self) -> str:
        return f"follow-up of {format_number(self.ticket_id)}"

    @property
    def ticket_number(self) -> str:
        return format_number(self.ticket_id)
