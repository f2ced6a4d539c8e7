"""Read side of saved views: which views a person sees, a view's URL, its tickets and counts.

Every ticket a view shows or counts comes from `tickets.queries.queue(viewer, ...)`, so a
shared view never shows (or counts) a ticket of a client the viewer does not serve.
"""

from typing import Any
from urllib.parse import urlencode

from django.db.models import Q, QuerySet
from django.http import QueryDict
from django.urls import reverse

from deskside.accounts.models import User
from deskside.accounts.permissions import is_admin
from deskside.tickets.forms import DEFAULT_COLUMNS, QueueFilterForm, queue_name
from deskside.tickets.models import TicketQuerySet
from deskside.tickets.queries import queue
from deskside.workspace.models import FILTER_KEYS, SavedView

COUNT_CAP = 99
"""Counts stop here: a sidebar shows "99+" rather than counting a queue of thousands."""


def views_visible_to(user: User) -> QuerySet[SavedView]:
    """The views `user` sees, default ones first: the defaults, their own, and those shared
    with a team they belong to. Agents only; anybody else sees none."""
    qs = SavedView.objects.select_related("team", "owner")
    if not user.is_authenticated or not user.is_active or not user.is_agent:
        return qs.none()
    teams = User.teams.through.objects.filter(user=user).values("team_id")
    return qs.filter(Q(is_default=True) | Q(owner=user) | Q(team__in=teams))


def views_listed_for(user: User) -> QuerySet[SavedView]:
    """The views `user` sees (`views_visible_to`) and, for an administrator, every team's
    shared view too, which they manage (the views page and the API; the sidebar lists only
    the visible ones)."""
    visible = views_visible_to(user)
    if not is_admin(user):
        return visible
    return SavedView.objects.select_related("team", "owner").filter(
        Q(pk__in=visible.values("pk")) | Q(team__isnull=False)
    )


def view_params(view: SavedView) -> dict[str, str]:
    """The queue page's GET parameters of `view` (its filters, sort and columns)."""
    stored = view.filters
    params = {k: str(stored[k]) for k in FILTER_KEYS if stored.get(k) not in ("", None)}
    if view.sort and view.sort != "newest":
        params["sort"] = view.sort
    if view.columns and list(view.columns) != list(DEFAULT_COLUMNS):
        params["cols"] = ",".join(view.columns)
    return params


def view_url(view: SavedView) -> str:
    """The queue page showing `view` (with `view=` so the sidebar marks it)."""
    return f"{reverse('tickets:queue')}?{urlencode({**view_params(view), 'view': view.public_id})}"


def view_tickets(user: User, view: SavedView) -> TicketQuerySet:
    """The tickets of `view` as `user` sees them (tickets.queries.queue: their tenancy).

    Filters are read as the queue page reads them (QueueFilterForm), except that a client
    `user` does not serve is kept (so the view shows nothing) instead of dropped (which would
    widen the view to every client they serve)."""
    data = QueryDict(mutable=True)
    data.update(view_params(view))
    filters = QueueFilterForm(data, user=user).queue_filters()
    wanted = view.filters.get("organization")
    if wanted and filters["organization"] is None:
        filters["organization"] = str(wanted)
    return queue(user, queue_name(view.filters.get("queue")), **filters)


def capped_count(qs: QuerySet[Any], cap: int = COUNT_CAP) -> int:
    """How many rows `qs` has, counting at most cap + 1 of them (cap + 1 means "over cap")."""
    return qs.order_by().values("pk")[: cap + 1].count()


def view_counts(user: User, views: list[SavedView], cap: int = COUNT_CAP) -> dict[int, int]:
    """Each view's capped count of tickets for `user`, by the view's primary key."""
    return {view.pk: capped_count(view_tickets(user, view), cap) for view in views}


def shown_count(count: int, cap: int = COUNT_CAP) -> str:
    return f"{cap}+" if count > cap else str(count)
