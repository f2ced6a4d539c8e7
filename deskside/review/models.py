"""The daily open-ticket review: who looked at which ticket on which day (ReviewMark), and
the review's one setting (ReviewSettings: when an open ticket counts as "open long")."""

from django.conf import settings
from django.db import models

from deskside.core import clock
from deskside.core.ids import new_public_id
from deskside.tickets.models import Ticket, TicketEvent

DEFAULT_OPEN_DAYS = 7
MAX_NOTE = 2000


class ReviewMark(models.Model):
    """`reviewer` looked at `ticket` in the daily review of `day` (the reviewer's own calendar
    day when they marked it, in their time zone), with an optional `note`.

    One mark per ticket and day (a second reviewer sees who did it). Written only by
    `review.services.mark_reviewed`; when a note was given it is also an internal note on the
    ticket's timeline (`event`)."""

    public_id = models.CharField(max_length=16, unique=True, default=new_public_id, editable=False)
    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="review_marks")
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="review_marks"
    )
    day = models.DateField()
    note = models.TextField(blank=True)
    at = models.DateTimeField(default=clock.now)
    event = models.ForeignKey(
        TicketEvent, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-day", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["ticket", "day"], name="review_one_mark_per_day"),
        ]
        indexes = [
            # The history: days newest first, and one reviewer's marks newest first.
            models.Index(fields=["-day", "-id"], name="review_day_id"),
            models.Index(fields=["reviewer", "-day", "-id"], name="review_reviewer_day"),
        ]

    def __str__(self) -> str:
        return f"{self.ticket_id} reviewed {self.day} by {self.reviewer_id}"


class ReviewSettings(models.Model):
    """The review's set-up: one row (pk 1). Changed by an administrator through
    `review.services.set_open_days`, which writes an audit entry."""

    open_days = models.PositiveSmallIntegerField(
        default=DEFAULT_OPEN_DAYS, help_text="An open ticket older than this many days is listed."
    )
    updated_at = models.DateTimeField(default=clock.now)

    class Meta:
        verbose_name_plural = "review settings"

    def __str__(self) -> str:
        return f"open beyond {self.open_days} days"

    @classmethod
    def current(cls) -> "ReviewSettings":
        """The one row, or an unsaved default when nobody has changed the setting yet."""
        return cls.objects.filter(pk=1).first() or cls(pk=1)
