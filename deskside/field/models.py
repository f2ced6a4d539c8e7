"""Field service: technicians' profiles, on-site visits with their checklist, parts and
sign-off, client clearance, route plans, time entries, timesheets and billing rules.

Times are stored in UTC (shown in the site's or the viewer's zone). A visit belongs to one
ticket and is at one site of the ticket's client; `organization` repeats the ticket's client so
that tenancy, clearance and the board filter on one indexed column (an invariant kept by the
services: it always equals `ticket.organization`).
"""

from datetime import time, timedelta

from django.conf import settings
from django.db import models

from deskside.accounts.models import Organization, Site, Skill
from deskside.core import clock
from deskside.core.ids import new_public_id
from deskside.sla.models import Contract
from deskside.tickets.models import Attachment, Ticket


class Technician(models.Model):
    """An agent who goes on site: where the day starts (the home base, for travel and route
    planning) and the working hours used when no roster puts them on a shift."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="technician"
    )
    base_label = models.CharField(max_length=200, blank=True, help_text="Home base or depot.")
    base_latitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    base_longitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    day_start = models.TimeField(default=time(8, 0), help_text="In the technician's time zone.")
    day_end = models.TimeField(default=time(17, 0))
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["user__full_name"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(day_end__gt=models.F("day_start")),
                name="technician_day_ends_after_it_starts",
            ),
        ]

    def __str__(self) -> str:
        return str(self.user)


class VisitStatus(models.TextChoices):
    UNSCHEDULED = "unscheduled", "Unscheduled"
    SCHEDULED = "scheduled", "Scheduled"
    EN_ROUTE = "en_route", "En route"
    ON_SITE = "on_site", "On site"
    DONE = "done", "Done"
    NO_ACCESS = "no_access", "No access"
    NEEDS_ANOTHER = "needs_another", "Needs another visit"
    CANCELLED = "cancelled", "Cancelled"


# Statuses after which a visit does not change any more (a follow-up is a new visit).
FINAL_STATUSES = frozenset(
    {VisitStatus.DONE, VisitStatus.NO_ACCESS, VisitStatus.NEEDS_ANOTHER, VisitStatus.CANCELLED}
)
# Statuses in which a visit holds a place on a technician's day.
PLANNED_STATUSES = frozenset({VisitStatus.SCHEDULED, VisitStatus.EN_ROUTE, VisitStatus.ON_SITE})


class Visit(models.Model):
    """An on-site appointment for a ticket: the customer's window, the estimated duration, the
    skills it needs, one technician (and optionally a second, who may be shadowing for
    clearance), then what happened: check-in and check-out, work summary, parts, sign-off."""

    public_id = models.CharField(max_length=16, unique=True, default=new_public_id, editable=False)
    ticket = models.ForeignKey(Ticket, on_delete=models.PROTECT, related_name="visits")
    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="visits")
    site = models.ForeignKey(Site, on_delete=models.PROTECT, related_name="visits")
    status = models.CharField(
        max_length=20, choices=VisitStatus.choices, default=VisitStatus.UNSCHEDULED
    )
    window_start = models.DateTimeField(help_text="The earliest start the customer accepts.")
    window_end = models.DateTimeField(help_text="The latest start the customer accepts.")
    duration_minutes = models.PositiveSmallIntegerField(default=60)
    required_skills = models.ManyToManyField(Skill, blank=True, related_name="visits")
    instructions = models.TextField(blank=True, help_text="What the technician is to do.")
    technician = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="visits",
    )
    second_technician = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="second_visits",
    )
    second_is_shadowing = models.BooleanField(
        default=False, help_text="The second technician is learning this client (clearance)."
    )
    scheduled_start = models.DateTimeField(null=True, blank=True)
    route_order = models.PositiveSmallIntegerField(null=True, blank=True)
    travel_minutes = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="The leg from the previous stop (or the home base)."
    )
    en_route_at = models.DateTimeField(null=True, blank=True)
    checked_in_at = models.DateTimeField(null=True, blank=True)
    checked_out_at = models.DateTimeField(null=True, blank=True)
    work_summary = models.TextField(blank=True)
    outcome_note = models.TextField(blank=True, help_text="Why no access; what is still to do.")
    follow_up = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="follow_up_of"
    )
    signed_name = models.CharField(max_length=200, blank=True)
    signature = models.ForeignKey(
        Attachment, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    signed_at = models.DateTimeField(null=True, blank=True)
    signed_via = models.CharField(
        max_length=10, blank=True, choices=[("phone", "On the phone"), ("link", "Mailed link")]
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=clock.now)
    updated_at = models.DateTimeField(default=clock.now)

    class Meta:
        ordering = ["scheduled_start", "window_start", "id"]
        indexes = [
            models.Index(fields=["technician", "scheduled_start"], name="visit_tech_start"),
            models.Index(
                fields=["second_technician", "scheduled_start"], name="visit_second_start"
            ),
            models.Index(fields=["status", "window_start"], name="visit_status_window"),
            models.Index(fields=["organization", "status"], name="visit_org_status"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(window_end__gte=models.F("window_start")),
                name="visit_window_ordered",
            ),
            models.CheckConstraint(
                condition=models.Q(duration_minutes__gte=1), name="visit_duration_positive"
            ),
            models.CheckConstraint(
                condition=models.Q(second_technician__isnull=True)
                | ~models.Q(second_technician=models.F("technician")),
                name="visit_two_different_technicians",
            ),
        ]

    def __str__(self) -> str:
        return f"Visit {self.public_id} for {self.ticket_id}"

    @property
    def scheduled_end(self):
        if self.scheduled_start is None:
            return None
        return self.scheduled_start + timedelta(minutes=self.duration_minutes)

    @property
    def is_final(self) -> bool:
        return self.status in FINAL_STATUSES


class VisitChecklistItem(models.Model):
    """One step the technician ticks on site (copied from the ticket's work or typed in)."""

    visit = models.ForeignKey(Visit, on_delete=models.CASCADE, related_name="checklist")
    position = models.PositiveSmallIntegerField(default=0)
    text = models.CharField(max_length=300)
    required = models.BooleanField(default=True)
    done_at = models.DateTimeField(null=True, blank=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return self.text


class VisitPart(models.Model):
    """A part used on a visit (a toner, a disk, a cable), with its serial when it has one."""

    visit = models.ForeignKey(Visit, on_delete=models.CASCADE, related_name="parts")
    description = models.CharField(max_length=200)
    part_number = models.CharField(max_length=100, blank=True)
    serial = models.CharField(max_length=100, blank=True)
    quantity = models.PositiveSmallIntegerField(default=1)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=clock.now)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(quantity__gte=1), name="visit_part_quantity_positive"
            ),
        ]

    def __str__(self) -> str:
        return self.description


class ClearanceStatus(models.TextChoices):
    NOT_CLEARED = "not_cleared", "Not cleared"
    SHADOWING = "shadowing", "Shadowing"
    CLEARED = "cleared", "Cleared"
    REVOKED = "revoked", "Revoked"


class Clearance(models.Model):
    """Whether a technician may work alone at a client: not cleared -> shadowing (as the second
    technician on real visits with a cleared one) -> cleared, signed off by the client's regular
    technician or a lead; or revoked. No row means not cleared."""

    technician = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="clearances"
    )
    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="clearances"
    )
    status = models.CharField(
        max_length=20, choices=ClearanceStatus.choices, default=ClearanceStatus.NOT_CLEARED
    )
    shadow_visits_required = models.PositiveSmallIntegerField(default=2)
    regular_technician = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="The client's regular technician, who shows the newcomer around.",
    )
    signed_off_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    signed_off_at = models.DateTimeField(null=True, blank=True)
    note = models.TextField(blank=True)
    created_at = models.DateTimeField(default=clock.now)
    updated_at = models.DateTimeField(default=clock.now)

    class Meta:
        ordering = ["organization__name", "technician__full_name"]
        constraints = [
            models.UniqueConstraint(
                fields=["technician", "organization"], name="one_clearance_per_client"
            ),
        ]
        indexes = [models.Index(fields=["organization", "status"], name="clearance_org_status")]

    def __str__(self) -> str:
        return f"{self.technician} at {self.organization}: {self.get_status_display()}"


class ClearanceEvent(models.Model):
    """The history of one clearance: every change of status, who made it and why."""

    clearance = models.ForeignKey(Clearance, on_delete=models.CASCADE, related_name="events")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    from_status = models.CharField(max_length=20, choices=ClearanceStatus.choices)
    to_status = models.CharField(max_length=20, choices=ClearanceStatus.choices)
    note = models.TextField(blank=True)
    created_at = models.DateTimeField(default=clock.now)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.from_status} -> {self.to_status}"


class RoutePlanStatus(models.TextChoices):
    PROPOSED = "proposed", "Proposed"
    ACCEPTED = "accepted", "Accepted"
    DISCARDED = "discarded", "Discarded"


class RoutePlan(models.Model):
    """One day's plan from the route solver: proposed, then accepted (its stops become the
    visits' schedule, through the same clearance rule as every other way to schedule) or
    discarded. Kept, so a dispatcher can compare what was proposed with what was done."""

    public_id = models.CharField(max_length=16, unique=True, default=new_public_id, editable=False)
    day = models.DateField()
    status = models.CharField(
        max_length=10, choices=RoutePlanStatus.choices, default=RoutePlanStatus.PROPOSED
    )
    total_travel_minutes = models.PositiveIntegerField(default=0)
    solve_seconds = models.FloatField(default=0)
    unassigned = models.JSONField(default=list, blank=True, help_text="[{visit, reason}]")
    params = models.JSONField(default=dict, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=clock.now)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["day", "status"], name="routeplan_day_status")]

    def __str__(self) -> str:
        return f"Route plan {self.day} ({self.status})"


class RouteStop(models.Model):
    """One visit in a proposed route: whose route, its place, the leg before it, the arrival
    and the planned start (the arrival or, if early, the window's start)."""

    plan = models.ForeignKey(RoutePlan, on_delete=models.CASCADE, related_name="stops")
    visit = models.ForeignKey(Visit, on_delete=models.CASCADE, related_name="+")
    technician = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    position = models.PositiveSmallIntegerField()
    travel_minutes = models.PositiveSmallIntegerField(default=0)
    arrival = models.DateTimeField()
    start = models.DateTimeField()

    class Meta:
        ordering = ["technician_id", "position"]

    def __str__(self) -> str:
        return f"{self.technician_id} #{self.position}"


class BillingRule(models.Model):
    """How a contract bills time: the hourly rate, whether travel is billed, the rounding. With
    no rule a client's time is logged but not billable. Shadowing and training are never billed
    (the MSP's investment, not the client's meter)."""

    contract = models.OneToOneField(Contract, on_delete=models.CASCADE, related_name="billing")
    hourly_rate = models.DecimalField(max_digits=10, decimal_places=2)
    currency = models.CharField(max_length=3, default="USD")
    bill_travel = models.BooleanField(default=False)
    round_up_to_minutes = models.PositiveSmallIntegerField(
        default=15, help_text="Each billable entry is rounded up to a multiple of this (1: none)."
    )
    updated_at = models.DateTimeField(default=clock.now)

    class Meta:
        ordering = ["contract__name"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(hourly_rate__gte=0), name="billing_rate_not_negative"
            ),
            models.CheckConstraint(
                condition=models.Q(round_up_to_minutes__gte=1), name="billing_rounding_positive"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.contract}: {self.hourly_rate} {self.currency}/h"


class TimeKind(models.TextChoices):
    WORK = "work", "Work"
    TRAVEL = "travel", "Travel"
    SHADOWING = "shadowing", "Shadowing"
    TRAINING = "training", "Training"


class TimesheetStatus(models.TextChoices):
    OPEN = "open", "Open"
    SUBMITTED = "submitted", "Submitted"
    APPROVED = "approved", "Approved"
    RETURNED = "returned", "Returned for changes"


class Timesheet(models.Model):
    """One agent's week (Monday to Sunday in the agent's zone): submitted by the agent,
    approved (or returned) by a lead; an approved week's entries no longer change."""

    agent = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="timesheets"
    )
    week_start = models.DateField(help_text="The Monday of the week.")
    status = models.CharField(
        max_length=10, choices=TimesheetStatus.choices, default=TimesheetStatus.OPEN
    )
    submitted_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["-week_start", "agent__full_name"]
        constraints = [
            models.UniqueConstraint(fields=["agent", "week_start"], name="one_timesheet_per_week"),
        ]

    def __str__(self) -> str:
        return f"{self.agent} week of {self.week_start}"


class TimeEntry(models.Model):
    """Time an agent spent: on a ticket (and maybe one of its visits), or training with no
    ticket. Started and stopped, or given as a duration; `billable`, `rate` and `currency` are
    decided when the entry is stopped or saved, by the client's contract rule (`BillingRule`)."""

    public_id = models.CharField(max_length=16, unique=True, default=new_public_id, editable=False)
    agent = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="time_entries"
    )
    ticket = models.ForeignKey(
        Ticket, null=True, blank=True, on_delete=models.PROTECT, related_name="time_entries"
    )
    visit = models.ForeignKey(
        Visit, null=True, blank=True, on_delete=models.PROTECT, related_name="time_entries"
    )
    organization = models.ForeignKey(
        Organization, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    kind = models.CharField(max_length=10, choices=TimeKind.choices, default=TimeKind.WORK)
    started_at = models.DateTimeField()
    ended_at = models.DateTimeField(null=True, blank=True, help_text="Empty while running.")
    minutes = models.PositiveIntegerField(null=True, blank=True)
    billable = models.BooleanField(default=False)
    billed_minutes = models.PositiveIntegerField(default=0)
    rate = models.DecimalField(max_digits=10, decimal_places=2, null=True, blank=True)
    currency = models.CharField(
        max_length=3,
        blank=True,
        default="",
        help_text="The rule's currency when the entry was priced (kept with the rate).",
    )
    note = models.CharField(max_length=500, blank=True)
    timesheet = models.ForeignKey(
        Timesheet, null=True, blank=True, on_delete=models.SET_NULL, related_name="entries"
    )
    created_at = models.DateTimeField(default=clock.now)

    class Meta:
        ordering = ["-started_at", "-id"]
        indexes = [
            models.Index(fields=["agent", "started_at"], name="time_agent_started"),
            models.Index(fields=["organization", "started_at"], name="time_org_started"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ticket__isnull=False) | models.Q(kind="training"),
                name="time_entry_has_ticket_unless_training",
            ),
            models.CheckConstraint(
                condition=models.Q(ended_at__isnull=True)
                | models.Q(ended_at__gte=models.F("started_at")),
                name="time_entry_ends_after_start",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.agent} {self.kind} {self.minutes or 0} min"
