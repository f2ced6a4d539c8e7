"""Who works the desk: shift rosters, leave, cover and support duty.

A team's `Roster` names its shifts (`ShiftDefinition`: Early 06:00-14:00, Night 22:00-06:00
... in the roster's time zone; an end at or before the start crosses midnight) and a rota of
`RotaLine`s: one per agent, a pattern of `cycle_days` shift codes ("" = off) repeating from
`cycle_start` (7 days: a fixed weekly rota; 28: a four-week rotating cycle). `Leave` takes a
person off every shift it overlaps; `Cover` puts a person on one shift instance. A small team
may instead (or as well) run a `SupportDuty`: everyone, a fixed service desk of named people,
or a rotational duty handed over daily or weekly. `deskside.rosters.working` resolves all of it
with the on-call engine of `deskside.duty.oncall` and answers "who is working at t".
"""

from django.conf import settings
from django.db import models

from deskside.accounts.models import Team
from deskside.core import clock, versioning
from deskside.core.ids import new_public_id


class Roster(models.Model):
    public_id = models.CharField(max_length=16, unique=True, default=new_public_id, editable=False)
    team = models.OneToOneField(Team, on_delete=models.CASCADE, related_name="roster")
    timezone = models.CharField(max_length=64, default="UTC")
    cycle_start = models.DateField(help_text="Day 1 of the rota cycle (usually a Monday).")
    cycle_days = models.PositiveSmallIntegerField(
        default=7, help_text="7: the same week every week; 28: a four-week rotating cycle."
    )
    rest_hours = models.PositiveSmallIntegerField(
        default=11, help_text="The least rest between the end of one shift and the next."
    )
    weekly_hours_cap = models.PositiveSmallIntegerField(
        default=48, help_text="The most hours one person works in a week (Monday to Sunday)."
    )
    created_at = models.DateTimeField(default=clock.now)
    version = versioning.version_field()

    class Meta:
        ordering = ["team__name"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(cycle_days__gte=1, cycle_days__lte=366), name="roster_cycle"
            ),
        ]

    def __str__(self) -> str:
        return f"Roster of {self.team}"


class ShiftDefinition(models.Model):
    roster = models.ForeignKey(Roster, on_delete=models.CASCADE, related_name="shift_definitions")
    code = models.CharField(max_length=8, help_text='Short code used in rota patterns: "E".')
    name = models.CharField(max_length=60)
    start = models.CharField(max_length=5, help_text="Local start, HH:MM.")
    end = models.CharField(
        max_length=5, help_text="Local end, HH:MM; at or before the start: the next day."
    )
    days = models.JSONField(
        default=list,
        blank=True,
        help_text="Weekdays the shift starts on (Monday = 0); empty: every day.",
    )
    min_staff = models.PositiveSmallIntegerField(default=1)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["roster", "position", "start"]
        constraints = [
            models.UniqueConstraint(fields=["roster", "code"], name="shiftdef_code"),
        ]

    def __str__(self) -> str:
        return f"{self.name} {self.start}-{self.end}"


class RotaLine(models.Model):
    roster = models.ForeignKey(Roster, on_delete=models.CASCADE, related_name="lines")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    position = models.PositiveSmallIntegerField(default=0)
    pattern = models.JSONField(
        default=list, help_text="One shift code (or '' for off) per day of the cycle."
    )

    class Meta:
        ordering = ["roster", "position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["roster", "user"], name="rotaline_user"),
        ]

    def __str__(self) -> str:
        return f"{self.roster}: {self.user}"


class Leave(models.Model):
    class Kind(models.TextChoices):
        HOLIDAY = "holiday", "Holiday"
        SICK = "sick", "Sick"
        TRAINING = "training", "Training"
        OTHER = "other", "Other"

    public_id = models.CharField(max_length=16, unique=True, default=new_public_id, editable=False)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="leaves"
    )
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.HOLIDAY)
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    reason = models.CharField(max_length=200)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=clock.now)

    class Meta:
        ordering = ["starts_at"]
        indexes = [models.Index(fields=["user", "ends_at"], name="leave_user_end")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_at__gt=models.F("starts_at")), name="leave_ends_after"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} {self.get_kind_display()} {self.starts_at:%Y-%m-%d}"


class Cover(models.Model):
    public_id = models.CharField(max_length=16, unique=True, default=new_public_id, editable=False)
    roster = models.ForeignKey(Roster, on_delete=models.CASCADE, related_name="covers")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    code = models.CharField(max_length=8, help_text="The shift covered.")
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    covers_for = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reason = models.CharField(max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=clock.now)

    class Meta:
        ordering = ["starts_at"]
        indexes = [models.Index(fields=["roster", "ends_at"], name="cover_roster_end")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_at__gt=models.F("starts_at")), name="cover_ends_after"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} covers {self.code} {self.starts_at:%Y-%m-%d %H:%M}"


class SupportDuty(models.Model):
    class Mode(models.TextChoices):
        EVERYONE = "everyone", "Everyone"
        FIXED = "fixed", "Fixed service desk"
        ROTATIONAL = "rotational", "Rotational duty"

    class Period(models.TextChoices):
        DAILY = "daily", "Daily"
        WEEKLY = "weekly", "Weekly"

    team = models.OneToOneField(Team, on_delete=models.CASCADE, related_name="support_duty")
    mode = models.CharField(max_length=10, choices=Mode.choices, default=Mode.EVERYONE)
    period = models.CharField(max_length=6, choices=Period.choices, default=Period.WEEKLY)
    handoff_time = models.CharField(max_length=5, default="09:00", help_text="Local HH:MM.")
    timezone = models.CharField(max_length=64, default="UTC")
    starts_on = models.DateField(help_text="The day of the first hand-off.")
    updated_at = models.DateTimeField(default=clock.now)
    version = versioning.version_field()

    class Meta:
        verbose_name_plural = "support duties"

    def __str__(self) -> str:
        return f"Support duty of {self.team}: {self.get_mode_display()}"


class SupportDutyMember(models.Model):
    duty = models.ForeignKey(SupportDuty, on_delete=models.CASCADE, related_name="members")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    position = models.PositiveSmallIntegerField()

    class Meta:
        ordering = ["duty", "position"]
        constraints = [
            models.UniqueConstraint(fields=["duty", "position"], name="dutymember_position"),
            models.UniqueConstraint(fields=["duty", "user"], name="dutymember_user"),
        ]

    def __str__(self) -> str:
        return f"{self.duty}: {self.position}. {self.user}"
