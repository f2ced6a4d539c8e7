"""Recurring issues and ITIL problem records.

- `Cluster` / `ClusterTicket`: the result of the last detection pass (`detection.detect`):
  tickets of one client (and site, and ticket type) similar enough to be one recurring issue.
  Owned by the pass, which replaces every cluster in one transaction; never edited.
- `Dismissal`: an agent said "not a problem" about a cluster: its tickets, so that a later
  pass does not show the same tickets again (a cluster that grows past them comes back).
- `Problem` / `ProblemTicket`: the problem record (statement, root cause, workaround, status,
  owner, a KB article once it is a known error) and its linked incidents. Numbered `PRB-n`
  from its primary key (unique without a counter to lock, as tickets are).
- `ProblemChange`: the problem's own history: who changed what, when.
- `KnownErrorMatch`: a new ticket that looks like a known error's tickets, found when the
  ticket was created (`matching.event_written`), shown on the ticket page to agents.
- `DetectionState`: one row: when the worker's pass is next due (claimed with a conditional
  UPDATE) and what the last pass found.
"""

from django.conf import settings
from django.db import models
from django.urls import reverse

from deskside.accounts.models import Organization, Site
from deskside.core import clock
from deskside.core.ids import new_public_id
from deskside.kb.models import Article
from deskside.tickets.models import Ticket, TicketType

NUMBER_PREFIX = "PRB-"


def format_number(pk: int) -> str:
    return f"{NUMBER_PREFIX}{pk}"


def parse_number(number: str) -> int | None:
    """`PRB-12` (or `12`) -> primary key, or None when it is not a problem number."""
    text = (number or "").strip().upper().removeprefix(NUMBER_PREFIX)
    if not (text.isascii() and text.isdigit()) or len(text) > 15:
        return None
    return int(text) or None


class DetectionState(models.Model):
    """The detection pass's one row (pk 1): when it is next due, what the last pass did."""

    next_run_at = models.DateTimeField(default=clock.now)
    running_since = models.DateTimeField(null=True, blank=True)
    last_finished_at = models.DateTimeField(null=True, blank=True)
    last_tickets = models.PositiveIntegerField(default=0)
    last_clusters = models.PositiveIntegerField(default=0)
    last_seconds = models.FloatField(default=0.0)
    window_days = models.PositiveSmallIntegerField(default=14)
    min_size = models.PositiveSmallIntegerField(default=3)
    threshold = models.FloatField(default=0.35)

    def __str__(self) -> str:
        return f"detection due {self.next_run_at:%Y-%m-%d %H:%M}"


class Cluster(models.Model):
    """Tickets of one client (site, type) that look alike within the window."""

    public_id = models.CharField(max_length=16, unique=True, default=new_public_id, editable=False)
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    site = models.ForeignKey(
        Site, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    ticket_type = models.CharField(max_length=20, choices=TicketType.choices)
    label = models.CharField(max_length=250, help_text="The most representative subject.")
    terms = models.JSONField(default=list, help_text="The cluster's top terms.")
    size = models.PositiveIntegerField()
    cohesion = models.FloatField(default=0.0)
    first_at = models.DateTimeField()
    last_at = models.DateTimeField()
    window_days = models.PositiveSmallIntegerField()
    detected_at = models.DateTimeField(default=clock.now)
    tickets = models.ManyToManyField(Ticket, through="ClusterTicket", related_name="+")

    class Meta:
        ordering = ["-size", "id"]
        indexes = [models.Index(fields=["organization", "-size"], name="problems_cluster_org")]

    def __str__(self) -> str:
        return f"{self.label} ({self.size})"


class ClusterTicket(models.Model):
    cluster = models.ForeignKey(Cluster, on_delete=models.CASCADE, related_name="members")
    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="+")
    rank = models.PositiveIntegerField(default=0, help_text="0: the cluster's medoid.")

    class Meta:
        ordering = ["rank"]
        constraints = [
            models.UniqueConstraint(fields=["cluster", "ticket"], name="problems_cluster_ticket")
        ]

    def __str__(self) -> str:
        return f"{self.ticket_id} in {self.cluster_id}"


class Dismissal(models.Model):
    """ "Not a problem": the tickets of a dismissed cluster (sorted ids)."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    ticket_ids = models.JSONField(default=list)
    label = models.CharField(max_length=250)
    dismissed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    dismissed_at = models.DateTimeField(default=clock.now)

    class Meta:
        indexes = [
            models.Index(fields=["organization", "dismissed_at"], name="problems_dismissal_org")
        ]

    def __str__(self) -> str:
        return f"dismissed {self.label}"


class ProblemStatus(models.TextChoices):
    OPEN = "open", "Open"
    INVESTIGATING = "investigating", "Investigating"
    KNOWN_ERROR = "known_error", "Known error"
    RESOLVED = "resolved", "Resolved"
    CLOSED = "closed", "Closed"


ACTIVE_STATUSES = (ProblemStatus.OPEN, ProblemStatus.INVESTIGATING, ProblemStatus.KNOWN_ERROR)

# The allowed status changes: forward along ITIL's path; a resolved problem may open again
# (the fix did not hold); closed is final.
TRANSITIONS: dict[str, frozenset[str]] = {
    ProblemStatus.OPEN: frozenset(
        {
            ProblemStatus.INVESTIGATING,
            ProblemStatus.KNOWN_ERROR,
            ProblemStatus.RESOLVED,
            ProblemStatus.CLOSED,
        }
    ),
    ProblemStatus.INVESTIGATING: frozenset(
        {ProblemStatus.KNOWN_ERROR, ProblemStatus.RESOLVED, ProblemStatus.CLOSED}
    ),
    ProblemStatus.KNOWN_ERROR: frozenset(
        {ProblemStatus.INVESTIGATING, ProblemStatus.RESOLVED, ProblemStatus.CLOSED}
    ),
    ProblemStatus.RESOLVED: frozenset({ProblemStatus.INVESTIGATING, ProblemStatus.CLOSED}),
    ProblemStatus.CLOSED: frozenset(),
}


class Problem(models.Model):
    """An ITIL problem: the cause behind recurring incidents, numbered PRB-n.

    Invariants kept by `problems.services`: status moves along TRANSITIONS; a known error has
    a workaround; `organization` set means every linked ticket is that client's (null: a
    problem across clients); every change writes a ProblemChange."""

    organization = models.ForeignKey(
        Organization,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="Null: a problem across clients.",
    )
    title = models.CharField(max_length=250)
    statement = models.TextField(blank=True)
    root_cause = models.TextField(blank=True)
    workaround = models.TextField(blank=True)
    status = models.CharField(
        max_length=20, choices=ProblemStatus.choices, default=ProblemStatus.OPEN
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    article = models.ForeignKey(
        Article, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=clock.now)
    updated_at = models.DateTimeField(default=clock.now)
    resolved_at = models.DateTimeField(null=True, blank=True)
    tickets = models.ManyToManyField(Ticket, through="ProblemTicket", related_name="problems")

    class Meta:
        ordering = ["-id"]
        indexes = [models.Index(fields=["status", "organization"], name="problems_status_org")]

    def __str__(self) -> str:
        return f"{self.number} {self.title}"

    def get_absolute_url(self) -> str:
        return reverse("problems:detail", args=[self.number])

    @property
    def number(self) -> str:
        return format_number(self.pk) if self.pk else ""

    @property
    def is_active(self) -> bool:
        return self.status in ACTIVE_STATUSES


class ProblemTicket(models.Model):
    """A linked incident."""

    problem = models.ForeignKey(Problem, on_delete=models.CASCADE, related_name="links")
    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="problem_links")
    linked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    linked_at = models.DateTimeField(default=clock.now)

    class Meta:
        ordering = ["-ticket_id"]
        constraints = [
            models.UniqueConstraint(fields=["problem", "ticket"], name="problems_problem_ticket")
        ]

    def __str__(self) -> str:
        return f"{self.ticket_id} linked to {self.problem_id}"


class ProblemChange(models.Model):
    """One step of a problem's history: `action` (created, changed, linked, unlinked) and, for
    a change, the fields' old and new values."""

    problem = models.ForeignKey(Problem, on_delete=models.CASCADE, related_name="changes")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    at = models.DateTimeField(default=clock.now)
    action = models.CharField(max_length=20)
    changes = models.JSONField(default=dict, blank=True)
    note = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["-id"]

    def __str__(self) -> str:
        return f"{self.action} {self.problem_id}"


class KnownErrorMatch(models.Model):
    """A ticket that, when it was created, looked like the tickets of a known error."""

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="+")
    problem = models.ForeignKey(Problem, on_delete=models.CASCADE, related_name="matches")
    score = models.FloatField()
    created_at = models.DateTimeField(default=clock.now)

    class Meta:
        ordering = ["-score"]
        constraints = [
            models.UniqueConstraint(fields=["ticket", "problem"], name="problems_match_unique")
        ]

    def __str__(self) -> str:
        return f"{self.ticket_id} ~ {self.problem_id}"
