"""Automatic assignment: each team's rule, the tickets' required skills, and the worker's
record of the last shift hand-off it handled per team.

Who works the desk is never stored here: `deskside.rosters.working` answers it. The rule row
is also the lock that serialises the decisions of one team (`services.auto_assign` locks it
with SELECT ... FOR UPDATE; SQLite's IMMEDIATE transactions serialise them anyway), and it
keeps the round-robin's state (who got the last ticket), so racing creations stay fair.
"""

from django.conf import settings
from django.db import models

from deskside.accounts.models import Skill, Team
from deskside.core import clock
from deskside.tickets.models import Ticket


class Mode(models.TextChoices):
    OFF = "off", "Off"
    ROUND_ROBIN = "round_robin", "Round-robin"
    LEAST_LOADED = "least_loaded", "Least-loaded"
    SKILLS_FIRST = "skills_first", "Skills first"


DEFAULT_CAP = 15
MAX_CAP = 1000


class AssignmentRule(models.Model):
    """How `team`'s new unassigned tickets are given to its people. One per team.

    `cap`: the most open tickets an agent may hold and still get a new one (None: no cap).
    `last_user`: who got the team's last automatic assignment (the round-robin's place)."""

    team = models.OneToOneField(Team, on_delete=models.CASCADE, related_name="assignment_rule")
    mode = models.CharField(max_length=20, choices=Mode.choices, default=Mode.OFF)
    cap = models.PositiveSmallIntegerField(null=True, blank=True, default=DEFAULT_CAP)
    last_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    last_assigned_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(default=clock.now)

    class Meta:
        ordering = ["team__name"]

    def __str__(self) -> str:
        return f"{self.team}: {self.get_mode_display()}"


class RequiredSkill(models.Model):
    """A skill a ticket needs (the skills-first rule matches it against agents' skills)."""

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="required_skills")
    skill = models.ForeignKey(Skill, on_delete=models.CASCADE, related_name="+")

    class Meta:
        ordering = ["skill__name"]
        constraints = [
            models.UniqueConstraint(fields=["ticket", "skill"], name="required_skill_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.ticket_id} needs {self.skill_id}"


class HandoffMark(models.Model):
    """The last shift hand-off of `team` whose unacknowledged tickets the worker moved on.

    The worker claims the next hand-off with a conditional UPDATE of `done_until` (from the
    value it read to the hand-off's time): one worker wins, so each hand-off is handled once,
    and the moves commit with the claim or not at all."""

    team = models.OneToOneField(Team, on_delete=models.CASCADE, related_name="+")
    done_until = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.team_id} handled until {self.done_until:%Y-%m-%d %H:%M}"
