"""Triage suggestions learned from the desk's own history: the trained models, the admin's
auto-apply settings per field, the worker's training schedule and the outbox of new tickets
waiting for an automatic triage.

The model is stored as a row (`TriageModel.blob`: the pickled, zlib-compressed estimator), not
as a file under the data directory: every web server and worker reads the same row wherever it
runs (DESIGN.md: stateless web servers, workers on any machine), a row is written atomically
with its figures in one transaction (no temp+fsync+rename dance, no half-written file), it is
backed up with the database, and the last good model is simply the newest row whose state is
`ready`. Older rows are pruned down to `KEEP` by the trainer.
"""

from django.conf import settings
from django.db import models

from deskside.core import clock
from deskside.tickets.models import Ticket

FIELDS = ("team", "tier", "type", "priority")  # what is suggested, in the order shown
MIN_HISTORY = 150  # resolved tickets below which no model is trained (training.py says why)
KEEP = 3  # model rows kept: the newest few, so an admin can see the last versions' figures


class ModelState(models.TextChoices):
    READY = "ready", "Ready"
    NOT_ENOUGH = "not_enough", "Not enough history"
    FAILED = "failed", "Failed"


class TriageModel(models.Model):
    """One training run: its figures and, when `state` is ready, the model itself.

    `version` grows by one per run. `metrics` holds, per field, the accuracy on the held-back
    slice (the most recent 20 % of the resolved tickets, by creation time), the baseline
    ("always the most common answer" of the training slice) and the slice sizes. A run with
    too little history stores no blob (`state` not_enough) and leaves the last ready model in
    use."""

    version = models.PositiveIntegerField(unique=True)
    state = models.CharField(max_length=12, choices=ModelState.choices)
    trained_at = models.DateTimeField(default=clock.now, db_index=True)
    trained_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    history = models.PositiveIntegerField(help_text="Resolved tickets the run saw.")
    seconds = models.FloatField(default=0.0, help_text="Training time.")
    metrics = models.JSONField(default=dict, blank=True)
    message = models.TextField(blank=True)
    blob = models.BinaryField(null=True, blank=True, editable=False)
    size = models.PositiveIntegerField(default=0, help_text="Bytes of the stored model.")
    sha256 = models.CharField(max_length=64, blank=True)

    class Meta:
        ordering = ["-version"]

    def __str__(self) -> str:
        return f"triage model v{self.version} ({self.get_state_display()})"


class FieldSetting(models.Model):
    """Auto-apply for one field: off by default; on, a new ticket gets the suggested value
    when the model's confidence is at least `threshold` (0.5 to 0.99)."""

    field = models.CharField(max_length=10, unique=True)
    auto_apply = models.BooleanField(default=False)
    threshold = models.FloatField(default=0.9)
    updated_at = models.DateTimeField(default=clock.now)

    class Meta:
        ordering = ["field"]

    def __str__(self) -> str:
        state = f"auto at {self.threshold:.0%}" if self.auto_apply else "suggest only"
        return f"{self.field}: {state}"


class Schedule(models.Model):
    """The one row that says when the worker trains next (nightly, or now on request).

    The worker claims a run with a conditional UPDATE of `next_run_at` (from the value it read
    to the next night), so with any number of workers one trains."""

    next_run_at = models.DateTimeField(db_index=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    requested_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"next training at {self.next_run_at:%Y-%m-%d %H:%M}"


class Job(models.Model):
    """A new ticket waiting for the auto-apply (written by the `triage.auto` hook handler in
    the ticket's creation transaction, done by the worker's triage lane: `done_at` set with a
    conditional UPDATE in the transaction that applies, so once). `outcome` says what was
    applied or why not."""

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(default=clock.now)
    done_at = models.DateTimeField(null=True, blank=True)
    outcome = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["created_at"]
        indexes = [
            models.Index(
                fields=["created_at"],
                name="triage_job_due",
                condition=models.Q(done_at__isnull=True),
            )
        ]

    def __str__(self) -> str:
        return f"triage of ticket {self.ticket_id}"
