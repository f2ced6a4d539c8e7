"""Who has a ticket open right now: one row per (agent, ticket), refreshed by the ticket page's
poll (`services.heartbeat`). A row older than PRESENCE_TTL is no longer shown, and the page
deletes its row when it closes (`services.leave`); a row left by a closed laptop is simply
overwritten when that agent opens the ticket again, so the table stays as small as the
number of tickets agents have open."""

from datetime import timedelta

from django.conf import settings
from django.db import models

from deskside.tickets.models import Ticket

# A page polls every 10 s: three missed polls and the agent is gone.
PRESENCE_TTL = timedelta(seconds=30)


class Presence(models.Model):
    class State(models.TextChoices):
        VIEWING = "viewing", "Viewing"
        REPLYING = "replying", "Replying"

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="+")
    state = models.CharField(max_length=10, choices=State.choices, default=State.VIEWING)
    seen_at = models.DateTimeField()

    class Meta:
        constraints = [
            # The upsert's conflict target, and the way in for "who is on this ticket".
            models.UniqueConstraint(fields=["ticket", "user"], name="live_presence_ticket_user")
        ]

    def __str__(self) -> str:
        return f"{self.user_id} {self.state} {self.ticket_id} at {self.seen_at:%H:%M:%S}"
