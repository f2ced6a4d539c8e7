"""On-call schedules: who answers the pager, when.

A Schedule has Layers. A layer is a rotation: its participants (LayerMember, in order) take
turns of `shift_length` hours, days or weeks, the first turn starting at `starts_at` (its local
time in the layer's zone is the hand-off time), optionally only inside its restriction windows
(weeknights 18:00-08:00, weekends ...). Where several layers have someone, the layer with the
highest `position` wins; follow-the-sun is one layer per region, each restricted to its
region's working day in its own time zone. Overrides put one person on call for a period over
every layer; an accepted Swap hands one person's shifts in a period to another (and, for a
two-way swap, the other's shifts in a second period back). `deskside.duty.oncall` resolves all
of it into the final shifts.
"""

import secrets

from django.conf import settings
from django.db import models

from deskside.accounts.models import Team
from deskside.core import clock, versioning
from deskside.core.ids import new_public_id


def new_feed_token() -> str:
    return secrets.token_urlsafe(24)


class Schedule(models.Model):
    public_id = models.CharField(max_length=16, unique=True, default=new_public_id, editable=False)
    name = models.CharField(max_length=100, unique=True)
    slug = models.SlugField(max_length=60, unique=True)
    timezone = models.CharField(max_length=64, default="UTC")
    description = models.TextField(blank=True)
    team = models.ForeignKey(
        Team, null=True, blank=True, on_delete=models.SET_NULL, related_name="schedules"
    )
    feed_token = models.CharField(
        max_length=64,
        default=new_feed_token,
        help_text="The secret in the schedule's iCalendar feed address.",
    )
    created_at = models.DateTimeField(default=clock.now)
    version = versioning.version_field()

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Layer(models.Model):
    class Unit(models.TextChoices):
        HOURS = "hours", "Hours"
        DAYS = "days", "Days"
        WEEKS = "weeks", "Weeks"

    schedule = models.ForeignKey(Schedule, on_delete=models.CASCADE, related_name="layers")
    name = models.CharField(max_length=100)
    position = models.PositiveSmallIntegerField(
        default=0, help_text="Where layers overlap, the highest position wins."
    )
    timezone = models.CharField(
        max_length=64,
        blank=True,
        help_text="Zone of the hand-off time and restrictions; empty means the schedule's.",
    )
    starts_at = models.DateTimeField(help_text="The first hand-off.")
    ends_at = models.DateTimeField(null=True, blank=True)
    shift_length = models.PositiveIntegerField(default=1)
    shift_unit = models.CharField(max_length=5, choices=Unit.choices, default=Unit.WEEKS)
    restrictions = models.JSONField(
        default=list,
        blank=True,
        help_text='Windows the layer covers, e.g. [{"days": [0, 1, 2, 3, 4], "start": "18:00", '
        '"end": "08:00"}] (Monday = 0; an end at or before the start crosses midnight). '
        "Empty: around the clock.",
    )
    created_at = models.DateTimeField(default=clock.now)
    version = versioning.version_field()

    class Meta:
        ordering = ["schedule", "-position", "id"]
        constraints = [
            models.CheckConstraint(condition=models.Q(shift_length__gte=1), name="layer_shift_1"),
        ]

    def __str__(self) -> str:
        return f"{self.schedule} / {self.name}"

    @property
    def zone(self) -> str:
        return self.timezone or self.schedule.timezone


class LayerMember(models.Model):
    layer = models.ForeignKey(Layer, on_delete=models.CASCADE, related_name="members")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    position = models.PositiveSmallIntegerField()

    class Meta:
        ordering = ["layer", "position"]
        constraints = [
            models.UniqueConstraint(fields=["layer", "position"], name="layer_member_position"),
        ]

    def __str__(self) -> str:
        return f"{self.layer}: {self.position}. {self.user}"


class Override(models.Model):
    """`user` is on call for the whole period, whatever the layers say."""

    schedule = models.ForeignKey(Schedule, on_delete=models.CASCADE, related_name="overrides")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    reason = models.CharField(max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=clock.now)

    class Meta:
        ordering = ["starts_at"]
        indexes = [models.Index(fields=["schedule", "ends_at"], name="override_sched_end")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_at__gt=models.F("starts_at")), name="override_ends_after"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} on {self.schedule} {self.starts_at:%Y-%m-%d %H:%M}"


class Swap(models.Model):
    """`requester` gives their shifts in [starts_at, ends_at) to `partner`; for a two-way swap
    the partner's shifts in [return_starts_at, return_ends_at) go to the requester. Applies
    once the partner (or a schedule admin) accepts it."""

    class Status(models.TextChoices):
        PROPOSED = "proposed", "Proposed"
        ACCEPTED = "accepted", "Accepted"
        DECLINED = "declined", "Declined"
        CANCELLED = "cancelled", "Cancelled"

    schedule = models.ForeignKey(Schedule, on_delete=models.CASCADE, related_name="swaps")
    requester = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    partner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    return_starts_at = models.DateTimeField(null=True, blank=True)
    return_ends_at = models.DateTimeField(null=True, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PROPOSED)
    note = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(default=clock.now)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["starts_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_at__gt=models.F("starts_at")), name="swap_ends_after"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.requester} -> {self.partner} on {self.schedule}"


class PersonFeed(models.Model):
    """The secret in one person's iCalendar feed of their on-call shifts across schedules."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="oncall_feed"
    )
    token = models.CharField(max_length=64, unique=True, default=new_feed_token)
    created_at = models.DateTimeField(default=clock.now)

    def __str__(self) -> str:
        return f"feed of {self.user}"
