"""Tickets and their append-only timeline.

A ticket's human number is derived from its primary key (`T-` + id + NUMBER_OFFSET): unique
and safe under any amount of concurrent creation without a counter row to lock, and parsed
back to the key for look-ups (`Ticket.objects.by_number("T-10423")`).
"""

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import BooleanField, F, Func, Q
from django.urls import reverse

from deskside.accounts.models import Organization, Site, Team, Tier
from deskside.core import clock
from deskside.core.ids import new_public_id
from deskside.core.search import SearchIndex

NUMBER_PREFIX = "T-"
NUMBER_OFFSET = 10000


class Priority(models.IntegerChoices):
    """Stored as a number so that sorting by priority puts P1 first and OPS last."""

    P1 = 1, "P1"
    P2 = 2, "P2"
    P3 = 3, "P3"
    OPS = 4, "OPS"

    @classmethod
    def from_label(cls, label: str) -> "Priority":
        for member in cls:
            if member.label == label.upper():
                return member
        raise KeyError(label)


class TicketType(models.TextChoices):
    INCIDENT = "incident", "Incident"
    SERVICE_REQUEST = "service_request", "Service request"
    OPERATIONAL = "operational", "Operational"


class Channel(models.TextChoices):
    PHONE = "phone", "Phone"
    WALK_UP = "walk_up", "Walk-up"
    EMAIL = "email", "Email"
    WEB = "web", "Web portal"
    ALERT = "alert", "Monitoring alert"
    API = "api", "API"


class Status(models.TextChoices):
    NEW = "new", "New"
    OPEN = "open", "Open"
    PENDING_CUSTOMER = "pending_customer", "Pending customer"
    PENDING_VENDOR = "pending_vendor", "Pending vendor"
    ON_HOLD = "on_hold", "On hold"
    RESOLVED = "resolved", "Resolved"
    CLOSED = "closed", "Closed"


OPEN_STATUSES = (
    Status.NEW,
    Status.OPEN,
    Status.PENDING_CUSTOMER,
    Status.PENDING_VENDOR,
    Status.ON_HOLD,
)
WAITING_STATUSES = (Status.PENDING_CUSTOMER, Status.PENDING_VENDOR, Status.ON_HOLD)

# The allowed status changes. Closed is final: a customer who writes again gets a follow-up.
TRANSITIONS: dict[str, frozenset[str]] = {
    Status.NEW: frozenset(
        {
            Status.OPEN,
            Status.PENDING_CUSTOMER,
            Status.PENDING_VENDOR,
            Status.ON_HOLD,
            Status.RESOLVED,
            Status.CLOSED,
        }
    ),
    Status.OPEN: frozenset(
        {
            Status.PENDING_CUSTOMER,
            Status.PENDING_VENDOR,
            Status.ON_HOLD,
            Status.RESOLVED,
            Status.CLOSED,
        }
    ),
    Status.PENDING_CUSTOMER: frozenset(
        {Status.OPEN, Status.PENDING_VENDOR, Status.ON_HOLD, Status.RESOLVED, Status.CLOSED}
    ),
    Status.PENDING_VENDOR: frozenset(
        {Status.OPEN, Status.PENDING_CUSTOMER, Status.ON_HOLD, Status.RESOLVED, Status.CLOSED}
    ),
    Status.ON_HOLD: frozenset(
        {
            Status.OPEN,
            Status.PENDING_CUSTOMER,
            Status.PENDING_VENDOR,
            Status.RESOLVED,
            Status.CLOSED,
        }
    ),
    Status.RESOLVED: frozenset({Status.OPEN, Status.CLOSED}),
    Status.CLOSED: frozenset(),
}


class TicketQuerySet(models.QuerySet["Ticket"]):
    def open(self) -> "TicketQuerySet":
        return self.filter(status__in=OPEN_STATUSES)

    def by_number(self, number: str) -> "Ticket":
        """Return the ticket numbered `number` (raises DoesNotExist for a malformed one)."""
        pk = parse_number(number)
        if pk is None:
            raise self.model.DoesNotExist(f"no ticket {number!r}")
        return self.get(pk=pk)


def format_number(pk: int) -> str:
    """The human number of the ticket with primary key `pk` (`T-10423`)."""
    return f"{NUMBER_PREFIX}{pk + NUMBER_OFFSET}"


def parse_number(number: str) -> int | None:
    """`T-10423` (or `10423`) -> primary key, or None when it is not a ticket number."""
    text = number.strip().upper().removeprefix(NUMBER_PREFIX)
    if not (text.isascii() and text.isdigit()) or len(text) > 15:
        return None
    pk = int(text) - NUMBER_OFFSET
    return pk if pk > 0 else None


# Bits of Ticket.sla_fired: which warnings and breaches the SLA worker already acted on
# (tickets.deadlines uses them; they live here for the partial index below).
FIRST_WARNED, FIRST_BREACHED = 1, 2
NEXT_WARNED, NEXT_BREACHED = 4, 8
RESOLUTION_WARNED, RESOLUTION_BREACHED = 16, 32


class BitsEqual(Func):
    """`(field & mask) = value` with the two numbers written into the SQL, not bound as
    parameters: SQLite uses a partial index only for a query whose WHERE repeats the index's
    condition term for term, and a bound parameter never matches the index's literal."""

    output_field = BooleanField()

    def __init__(self, field: str, mask: int, value: int) -> None:
        super().__init__(F(field))
        self.mask, self.value = int(mask), int(value)

    def as_sql(self, compiler: Any, connection: Any, **extra: Any) -> tuple[str, list[Any]]:
        sql, params = compiler.compile(self.source_expressions[0])
        return f"({sql} & {self.mask}) = {self.value}", list(params)


# A ticket the SLA worker warned about for a clock that still runs, whether or not it has
# breached since (the "at risk" filter is this, not breached: tickets.deadlines.sla_filter).
# It does not depend on the time, so it is the condition of the partial index
# ticket_sla_warned, which holds only the few tickets it matches: the queue filtered
# "at risk" reads those instead of every ticket with an SLA.
SLA_WARNED = (
    Q(
        BitsEqual("sla_fired", FIRST_WARNED | FIRST_BREACHED, FIRST_WARNED),
        first_responded_at__isnull=True,
        first_response_due__isnull=False,
    )
    | Q(
        BitsEqual("sla_fired", NEXT_WARNED | NEXT_BREACHED, NEXT_WARNED),
        next_response_due__isnull=False,
    )
    | Q(
        BitsEqual("sla_fired", RESOLUTION_WARNED | RESOLUTION_BREACHED, RESOLUTION_WARNED),
        resolution_due__isnull=False,
    )
)
HAS_SLA = Q(sla_due__isnull=False)  # an open ticket with a running or paused clock


class Ticket(models.Model):
    """One IT support request from intake to closure.

    Invariants kept by `tickets.services`: every change writes a TicketEvent in the same
    transaction; status only moves along TRANSITIONS; a merged ticket is closed and points to
    its survivor through `merged_into`.
    """

    # The foreign keys that lead a composite index below (organization, requester, team,
    # assignee) get no index of their own: every index is written on every UPDATE that is not
    # HOT, and the SLA worker and the services update tickets all day.
    organization = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="tickets", db_index=False
    )
    requester = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="requested_tickets",
        db_index=False,
    )
    site = models.ForeignKey(
        Site, null=True, blank=True, on_delete=models.SET_NULL, related_name="tickets"
    )
    subject = models.CharField(max_length=250)
    description = models.TextField(blank=True)
    type = models.CharField(max_length=20, choices=TicketType.choices, default=TicketType.INCIDENT)
    priority = models.PositiveSmallIntegerField(choices=Priority.choices, default=Priority.P3)
    channel = models.CharField(max_length=10, choices=Channel.choices, default=Channel.WEB)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.NEW)
    tier = models.CharField(max_length=2, choices=Tier.choices, default=Tier.L1)
    team = models.ForeignKey(
        Team,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="tickets",
        db_index=False,
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="assigned_tickets",
        db_index=False,
    )
    watchers = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="watched_tickets"
    )
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="children"
    )
    merged_into = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="merged_tickets"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    first_contact_resolution = models.BooleanField(default=False)
    escalation_count = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField(default=clock.now)
    updated_at = models.DateTimeField(default=clock.now)
    resolved_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)

    # SLA clocks, kept by the sla app through tickets.clock (see there). Due times are columns so
    # queues sort by time left; sla_check_at is the next instant the SLA worker must look at
    # this ticket (a warning or a breach), claimed with a conditional UPDATE.
    first_response_due = models.DateTimeField(null=True, blank=True)
    first_responded_at = models.DateTimeField(null=True, blank=True)
    next_response_due = models.DateTimeField(null=True, blank=True)
    resolution_due = models.DateTimeField(null=True, blank=True)
    sla_paused_at = models.DateTimeField(null=True, blank=True)
    sla_due = models.DateTimeField(
        null=True,
        blank=True,
        db_index=True,
        help_text="Earliest due time of the active clocks (tickets.deadlines.earliest_due).",
    )
    sla_check_at = models.DateTimeField(null=True, blank=True, db_index=True)
    sla_fired = models.PositiveSmallIntegerField(
        default=0, help_text="Bit set of the SLA warnings and breaches already acted on."
    )

    objects = TicketQuerySet.as_manager()

    class Meta:
        ordering = ["-id"]
        indexes = [
            # Queue look-ups: each filter column leads, the id (newest first) follows, so a
            # page of a queue at a million tickets is an index range scan, not a sort.
            models.Index(fields=["status", "-id"], name="ticket_status_id"),
            models.Index(fields=["organization", "status", "-id"], name="ticket_org_status_id"),
            models.Index(fields=["assignee", "status", "-id"], name="ticket_assignee_status_id"),
            models.Index(fields=["team", "status", "-id"], name="ticket_team_status_id"),
            models.Index(fields=["priority", "status", "-id"], name="ticket_prio_status_id"),
            models.Index(fields=["requester", "-id"], name="ticket_requester_id"),
            models.Index(fields=["-updated_at"], name="ticket_updated"),
            # A client's tickets newest first (the portal list of an organisation admin, the
            # queue filtered by client): a page is a range scan, not a sort of all of them.
            models.Index(fields=["organization", "-id"], name="ticket_org_id"),
            # A client's tickets of a period (the SLA report): the period's rows only.
            models.Index(fields=["organization", "created_at"], name="ticket_org_created"),
            # Every client's tickets of a period (the desk reports over a year of all
            # clients): a range scan in creation (so nearly id, page) order, not a skip-scan
            # of each client's range with random page reads.
            models.Index(fields=["created_at"], name="ticket_created"),
            # Tickets with an SLA newest first ("breached" queue: read in order, stop at a
            # page), and those the SLA worker warned about ("at risk"); see SLA_WARNED.
            models.Index(fields=["-id"], condition=HAS_SLA, name="ticket_sla_id"),
            models.Index(
                fields=["sla_due"], condition=HAS_SLA & SLA_WARNED, name="ticket_sla_warned"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.subject}"

    def get_absolute_url(self) -> str:
        return reverse("tickets:detail", args=[self.number])

    @property
    def number(self) -> str:
        return format_number(self.pk) if self.pk else ""

    @property
    def priority_label(self) -> str:
        return Priority(self.priority).label

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES


class EventKind(models.TextChoices):
    CREATED = "created", "Created"
    CHANGED = "changed", "Changed"
    REPLY = "reply", "Public reply"
    NOTE = "note", "Internal note"
    CALL = "call", "Call logged"
    ASSIGNED = "assigned", "Assigned"
    ESCALATED = "escalated", "Escalated"
    STATUS = "status", "Status changed"
    RESOLVED = "resolved", "Resolved"
    REOPENED = "reopened", "Reopened"
    CLOSED = "closed", "Closed"
    MERGED = "merged", "Merged"
    MERGED_IN = "merged_in", "Ticket merged in"
    ATTACHMENT = "attachment", "Attachment added"
    WATCHERS = "watchers", "Watchers changed"
    LINKED = "linked", "Linked"
    SLA = "sla", "SLA clock"
    SLA_WARNING = "sla_warning", "SLA warning"
    SLA_BREACH = "sla_breach", "SLA breached"
    MAIL_SENT = "mail_sent", "Mail sent"
    MAIL_FAILED = "mail_failed", "Mail not delivered"
    MAIL_AUTO = "mail_auto", "Automatic mail received"
    ALERT = "alert", "Monitoring alert"
    PAGED = "paged", "Paged"
    PAGE_FAILED = "page_failed", "Page not delivered"
    ACKNOWLEDGED = "acknowledged", "Acknowledged"
    VISIT = "visit", "On-site visit"
    REMOTE = "remote", "Remote session"
    WORK_ORDER = "work_order", "Work order"
    ASSET = "asset", "Asset"
    VENDOR = "vendor", "Vendor case"


class TicketEventQuerySet(models.QuerySet["TicketEvent"]):
    def public(self) -> "TicketEventQuerySet":
        return self.filter(is_public=True)


class TicketEvent(models.Model):
    """One step on a ticket's timeline. Append-only: never edited, never deleted.

    `is_public` decides whether the customer sees it in the portal. `data` holds the kind's
    details (changed fields with old and new values, call duration, triage notes ...).
    """

    ticket = models.ForeignKey(Ticket, on_delete=models.PROTECT, related_name="events")
    kind = models.CharField(max_length=20, choices=EventKind.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(default=clock.now)
    is_public = models.BooleanField(default=False)
    body = models.TextField(blank=True)
    data = models.JSONField(default=dict, blank=True)

    objects = TicketEventQuerySet.as_manager()

    class Meta:
        ordering = ["id"]
        indexes = [
            models.Index(fields=["ticket", "id"], name="event_ticket_id"),
            # One kind's events of a set of tickets (the escalation and reopen reports): read
            # from the index alone, not every event of each ticket.
            models.Index(fields=["kind", "ticket"], name="event_kind_ticket"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} on {self.ticket_id} by {self.actor_id}"

    def save(self, *args: object, **kwargs: object) -> None:
        if self.pk is not None:
            raise RuntimeError("ticket events are append-only")
        super().save(*args, **kwargs)  # type: ignore[arg-type]

    def delete(self, *args: object, **kwargs: object) -> tuple[int, dict[str, int]]:
        raise RuntimeError("ticket events are append-only")


def attachment_path(instance: "Attachment", filename: str) -> str:
    now = clock.now()
    return f"attachments/{now:%Y/%m}/{instance.public_id}"


class Attachment(models.Model):
    """A file on a ticket, stored in the data directory and served only through a view that
    checks the ticket's visibility (and, for files on internal notes, that the viewer is an
    agent)."""

    public_id = models.CharField(max_length=16, unique=True, default=new_public_id, editable=False)
    ticket = models.ForeignKey(Ticket, on_delete=models.PROTECT, related_name="attachments")
    event = models.ForeignKey(
        TicketEvent, null=True, blank=True, on_delete=models.PROTECT, related_name="attachments"
    )
    file = models.FileField(upload_to=attachment_path, max_length=200)
    filename = models.CharField(max_length=255)
    content_type = models.CharField(max_length=100, default="application/octet-stream")
    size = models.PositiveBigIntegerField()
    is_public = models.BooleanField(default=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(default=clock.now)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return self.filename


class IdempotencyKey(models.Model):
    """An `Idempotency-Key` a user sent with a request that wrote something: what it was for
    (the action, the ticket, the event it wrote, the SHA-256 of the canonical request), so
    that a retry of that request replays its result and another request with the same key is
    refused (see `deskside.tickets.idempotency`). Unique per user and key."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=200)
    action = models.CharField(max_length=20, default="create")
    request_hash = models.CharField(
        max_length=64, blank=True, help_text="Empty for keys kept from before (they replay)."
    )
    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="+")
    event = models.ForeignKey(
        TicketEvent, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    created_at = models.DateTimeField(default=clock.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "key"], name="idempotency_unique_key"),
        ]

    def __str__(self) -> str:
        return self.key


class TicketSearch(models.Model):
    """The text a ticket is found by. `public_text` (subject, description, public replies) is
    what a customer may search; `internal_text` (notes, call logs) only agents. The full-text
    index over these columns is backend-specific (see core.search and the migration)."""

    ticket = models.OneToOneField(
        Ticket, primary_key=True, on_delete=models.CASCADE, related_name="search"
    )
    public_text = models.TextField(blank=True)
    internal_text = models.TextField(blank=True)

    def __str__(self) -> str:
        return f"search text of {self.ticket_id}"


TICKET_SEARCH = SearchIndex(
    table="tickets_ticketsearch",
    key="ticket_id",
    public_column="public_text",
    internal_column="internal_text",
)
