"""Notifications: what an agent is told about tickets (assigned to them, escalated to their
team or tier, a customer replied, a mention in a note, an SLA warning or breach, a page), and
how each person wants to hear of each kind.

A `Notification` is written by `deskside.notifications.fanout` (a handler on the tickets'
event hook) in the transaction of the event that caused it, so it exists exactly when its
event committed. A person reads their own only (`queries`).
"""

from django.conf import settings
from django.db import models
from django.db.models import Q

from deskside.accounts.models import Organization
from deskside.core import clock
from deskside.tickets.models import Ticket, TicketEvent, format_number


class Kind(models.TextChoices):
    ASSIGNED = "assigned", "Assigned to me"
    ESCALATED = "escalated", "Escalated to my team or tier"
    REPLIED = "replied", "A customer replied on my ticket"
    MENTIONED = "mentioned", "Mentioned in a note"
    SLA = "sla", "SLA warning or breach on my ticket"
    PAGED = "paged", "Paged"
    VENDOR = "vendor", "A vendor case went quiet on my ticket"
    KB_REVIEW = "kb_review", "A knowledge-base article I own is due for review"


class Channel(models.TextChoices):
    PAGE = "page", "In the page"
    MAIL = "mail", "By mail"
    BOTH = "both", "In the page and by mail"
    NONE = "none", "Not at all"


# A person without a preference row for a kind gets this. Every kind is shown in the page; a
# mention is also mailed, because it is addressed to one person by name, who may not have the
# desk open. Pages reach people through their own contact methods (the paging app) and SLA
# warnings and breaches are already mailed to the assignee and team lead (sla.notify), so
# mailing those again by default would say everything twice.
DEFAULT_CHANNEL: dict[str, str] = {
    Kind.ASSIGNED: Channel.PAGE,
    Kind.ESCALATED: Channel.PAGE,
    Kind.REPLIED: Channel.PAGE,
    Kind.MENTIONED: Channel.BOTH,
    Kind.SLA: Channel.PAGE,
    Kind.PAGED: Channel.PAGE,
    Kind.VENDOR: Channel.PAGE,
    # Addressed to one person (the article's owner), once per due date, about something no
    # ticket page will show them: mailed too, as a mention is.
    Kind.KB_REVIEW: Channel.BOTH,
}
IN_PAGE = (Channel.PAGE, Channel.BOTH)
BY_MAIL = (Channel.MAIL, Channel.BOTH)
UNREAD = Q(read_at__isnull=True)


class Notification(models.Model):
    """One thing one agent is told about one ticket, shown in their notification centre.

    Most are about a ticket (`ticket`); a few are about something else (a knowledge-base
    article due for review): those have no ticket and a `link` (a path on this site) instead,
    and `organization`, the client whose data they are about (None when nobody's).
    `read_at` is None until they open it or mark it read. `event` is None for events written
    by a raw bulk INSERT (SLA warnings and breaches have no id when the hook hears them).
    Two indexes serve the two reads the navigation and the centre make for one person, each
    one index range: the newest first (recipient, -id), and the unread ones (the same, only
    over unread rows: a partial index that stays as small as what people have not read yet).
    """

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="notifications",
        db_index=False,  # leads both composite indexes
    )
    kind = models.CharField(max_length=20, choices=Kind.choices)
    ticket = models.ForeignKey(
        Ticket, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    link = models.CharField(
        max_length=200,
        blank=True,
        default="",
        db_default="",  # bulk INSERTs that name no link (core.bulk) write ""
        help_text="Where it leads when it is not about a ticket.",
    )
    # Whose data a notification without a ticket is about (a client's runbook), so an agent
    # who stops serving that client stops seeing it; None: nobody's (a global article). A
    # ticket's notification leaves it None: the ticket's client decides.
    organization = models.ForeignKey(
        Organization,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
        db_index=False,  # never looked up by client: only checked on the rows already found
    )
    event = models.ForeignKey(
        TicketEvent,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,  # never looked up by event
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,
    )
    title = models.CharField(max_length=200)
    text = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(default=clock.now)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-id"]
        indexes = [
            models.Index(fields=["recipient", "-id"], name="notification_recipient_id"),
            models.Index(fields=["recipient", "-id"], condition=UNREAD, name="notification_unread"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} for {self.recipient_id}: {self.title}"

    @property
    def ticket_number(self) -> str:
        """The ticket's number, or "" for a notification about something else."""
        return format_number(self.ticket_id) if self.ticket_id else ""

    @property
    def is_unread(self) -> bool:
        return self.read_at is None


class NotificationPreference(models.Model):
    """How one person hears of one kind (no row: DEFAULT_CHANNEL)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="notification_preferences",
        db_index=False,  # leads the unique constraint
    )
    kind = models.CharField(max_length=20, choices=Kind.choices)
    channel = models.CharField(max_length=10, choices=Channel.choices)
    updated_at = models.DateTimeField(default=clock.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "kind"], name="notification_pref_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} {self.kind}: {self.channel}"


class NotificationMail(models.Model):
    """A notification to mail (preference "mail" or "both"): an outbox row written with the
    notification, sent by the worker (`deskside.notifications.delivery`), at most once."""

    class State(models.TextChoices):
        QUEUED = "queued", "Queued"
        SENDING = "sending", "Sending"
        SENT = "sent", "Sent"
        FAILED = "failed", "Failed"

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    ticket = models.ForeignKey(
        Ticket, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    link = models.CharField(
        max_length=200,
        blank=True,
        default="",
        db_default="",  # bulk INSERTs that name no link (core.bulk) write ""
        help_text="Where it leads when it is not about a ticket.",
    )
    kind = models.CharField(max_length=20, choices=Kind.choices)
    subject = models.CharField(max_length=250)
    body = models.TextField(blank=True)
    state = models.CharField(max_length=10, choices=State.choices, default=State.QUEUED)
    created_at = models.DateTimeField(default=clock.now)
    claimed_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)

    class Meta:
        ordering = ["id"]
        indexes = [
            models.Index(
                fields=["id"], condition=Q(state="queued"), name="notification_mail_queued"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} to {self.recipient_id}: {self.state}"
