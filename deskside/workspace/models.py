"""Saved views: a named queue filter, sort and set of columns, personal or shared with a team.

A view is the queue page's URL with a name: `filters` holds the page's own GET parameters
(queue, organization slug, priority label, status, tier, team slug, assignee public id, `q`,
sla), so opening a view is opening that URL and the tickets app needs to know nothing of
views. Counts and the API read the tickets through `tickets.queries.queue`, so tenancy holds:
a view shared with a team shows each member only the tickets of the clients they serve.
"""

from django.conf import settings
from django.db import models

from deskside.accounts.models import Team
from deskside.core import clock
from deskside.core.ids import new_public_id

FILTER_KEYS = (
    "queue",
    "organization",
    "priority",
    "status",
    "tier",
    "team",
    "assignee",
    "q",
    "sla",
)
"""The queue page's filter parameters a view keeps (tickets.forms.QueueFilterForm)."""


class SavedView(models.Model):
    """One saved view. Personal: `owner` set, no `team`. Shared: `team` set (its members see
    it; `owner` is who shared it). Default (`is_default`): one of the built-in queues (mine, my
    teams, unassigned, all open, all), created by a data migration, seen by every agent,
    listed first, never deleted or changed."""

    public_id = models.CharField(max_length=16, unique=True, default=new_public_id, editable=False)
    name = models.CharField(max_length=80)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="saved_views",
    )
    team = models.ForeignKey(
        Team, null=True, blank=True, on_delete=models.CASCADE, related_name="saved_views"
    )
    is_default = models.BooleanField(default=False)
    position = models.PositiveSmallIntegerField(default=100)
    filters = models.JSONField(default=dict, blank=True)
    sort = models.CharField(max_length=20, default="newest")
    columns = models.JSONField(default=list, blank=True)
    created_at = models.DateTimeField(default=clock.now)
    updated_at = models.DateTimeField(default=clock.now)

    class Meta:
        ordering = ("-is_default", "position", "name", "id")

    def __str__(self) -> str:
        return self.name

    @property
    def is_shared(self) -> bool:
        return self.team_id is not None or self.is_default
