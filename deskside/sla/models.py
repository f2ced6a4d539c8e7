"""Contracts, SLA targets and business calendars.

A client's Contract names the business Calendar its targets are counted in, the share of a
target at which to warn, and what to do on a breach; one SLATarget per priority gives the
minutes for the first response, the next response (after the customer writes) and the
resolution, optionally on a calendar of its own (a P1 counted 24x7). The contract with
`is_default` serves every client without one of its own.
"""

from functools import cached_property

from django.conf import settings
from django.db import models

from deskside.accounts.models import Organization, Team
from deskside.core import clock, versioning
from deskside.core.ids import new_public_id
from deskside.sla.calendar import BusinessCalendar, CalendarSpec, calendar_for
from deskside.tickets.models import Priority


class Calendar(models.Model):
    """A business calendar: time zone, weekly hours, holidays (see sla.calendar.CalendarSpec
    for the JSON kept in `definition`)."""

    public_id = models.CharField(max_length=16, unique=True, default=new_public_id, editable=False)
    name = models.CharField(max_length=100, unique=True)
    definition = models.JSONField(help_text="The calendar in the JSON form of CalendarSpec.")
    created_at = models.DateTimeField(default=clock.now)
    updated_at = models.DateTimeField(default=clock.now)
    version = versioning.version_field()

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @cached_property
    def spec(self) -> CalendarSpec:
        return CalendarSpec.from_json(self.definition)

    @property
    def engine(self) -> BusinessCalendar:
        """The shared, precomputed engine of this definition."""
        return calendar_for(self.spec)

    @property
    def timezone(self) -> str:
        return self.spec.timezone


class Contract(models.Model):
    """What the MSP promised one client (or, with `is_default`, every client without one)."""

    class OnBreach(models.TextChoices):
        NOTIFY = "notify", "Notify the assignee and the team lead"
        RAISE_TIER = "raise_tier", "Notify and raise the ticket one tier"
        REASSIGN = "reassign", "Notify and hand the ticket to the breach team"

    public_id = models.CharField(max_length=16, unique=True, default=new_public_id, editable=False)
    name = models.CharField(max_length=200)
    organization = models.OneToOneField(
        Organization, null=True, blank=True, on_delete=models.PROTECT, related_name="contract"
    )
    is_default = models.BooleanField(default=False)
    calendar = models.ForeignKey(Calendar, on_delete=models.PROTECT, related_name="contracts")
    warning_percent = models.PositiveSmallIntegerField(
        default=75, help_text="Warn when this share of a target is used up."
    )
    on_breach = models.CharField(max_length=20, choices=OnBreach.choices, default=OnBreach.NOTIFY)
    breach_team = models.ForeignKey(
        Team,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="Where a breached ticket goes when the rule is to reassign.",
    )
    created_at = models.DateTimeField(default=clock.now)
    version = versioning.version_field()

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["is_default"],
                condition=models.Q(is_default=True),
                name="one_default_contract",
            ),
            models.CheckConstraint(
                condition=models.Q(is_default=False) | models.Q(organization__isnull=True),
                name="default_contract_has_no_client",
            ),
            models.CheckConstraint(
                condition=models.Q(warning_percent__gte=1, warning_percent__lte=99),
                name="warning_percent_1_to_99",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class SLATarget(models.Model):
    """A contract's targets for one priority, in minutes of working time; empty = no target."""

    contract = models.ForeignKey(Contract, on_delete=models.CASCADE, related_name="targets")
    priority = models.PositiveSmallIntegerField(choices=Priority.choices)
    first_response_minutes = models.PositiveIntegerField(null=True, blank=True)
    next_response_minutes = models.PositiveIntegerField(null=True, blank=True)
    resolution_minutes = models.PositiveIntegerField(null=True, blank=True)
    calendar = models.ForeignKey(
        Calendar,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="Count this priority on another calendar (e.g. P1 around the clock).",
    )

    class Meta:
        ordering = ["contract", "priority"]
        constraints = [
            models.UniqueConstraint(
                fields=["contract", "priority"], name="one_target_per_priority"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.contract} {Priority(self.priority).label}"


class SetupVersion(models.Model):
    """One row whose `token` changes (a new random value) with every saved or deleted calendar,
    contract or target, in the same transaction. Each process keeps the whole SLA set-up in
    memory and reads only this token to know whether its copy still holds (sla.engine
    .terms_for); a random value, not a counter, so a rolled-back change can never be mistaken
    for a later one."""

    token = models.CharField(max_length=32)

    class Meta:
        verbose_name = "SLA set-up version"

    def __str__(self) -> str:
        return self.token


class Retiming(models.Model):
    """Recomputing the due times of the open tickets a set-up change moved (sla.retiming).

    Written in the transaction of the change (a contract's terms or client, a calendar's
    definition); then worked through in short transactions of its own, each a slice of the
    tickets in id order after `cursor`, so that no configuration change holds the database's
    write lock for long. Whoever holds the lease (`lease_until`) works on it: the request that
    made the change first, then `deskside worker` when the request's budget ran out or its
    process ended."""

    public_id = models.CharField(max_length=16, unique=True, default=new_public_id, editable=False)
    reason = models.CharField(max_length=300)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    contract = models.ForeignKey(
        Contract, null=True, blank=True, on_delete=models.SET_NULL, related_name="retimings"
    )
    calendar = models.ForeignKey(
        Calendar, null=True, blank=True, on_delete=models.SET_NULL, related_name="retimings"
    )
    scope = models.JSONField(
        help_text='The tickets concerned: {"clients": [client id, ...], "default": bool, '
        '"priorities": [1, 2] or null}.'
    )
    cursor = models.BigIntegerField(default=0, help_text="The last ticket id done.")
    total = models.PositiveIntegerField(default=0, help_text="Open tickets in scope at the start.")
    done = models.PositiveIntegerField(default=0)
    moved = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(default=clock.now)
    finished_at = models.DateTimeField(null=True, blank=True)
    lease_until = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-id"]
        indexes = [
            models.Index(
                fields=["lease_until"],
                condition=models.Q(finished_at__isnull=True),
                name="retiming_unfinished",
            )
        ]

    def __str__(self) -> str:
        return self.reason

    @property
    def finished(self) -> bool:
        return self.finished_at is not None

    @property
    def percent(self) -> int:
        if self.finished or not self.total:
            return 100
        return min(99, self.done * 100 // self.total)
