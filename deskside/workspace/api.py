"""Saved views under /api/v1/views: list, create, read, change, delete; a view's tickets
(paginated like GET /api/v1/tickets) and the counts of the caller's views.

A view the caller does not see (another agent's personal view, a team's they are not in) is a
404; one they see but may not change is a 403 (the services decide). Customers see no views.
"""

from typing import Any

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema, Status
from pydantic import ConfigDict

from deskside.accounts.models import Team, User
from deskside.accounts.schemas import TeamRef, UserRef
from deskside.core.api import PageOut, PageParams, Text, get_or_404, page_out
from deskside.core.pagination import paginate
from deskside.tickets.schemas import BulkFilter, TicketOut
from deskside.workspace import services
from deskside.workspace.exceptions import InvalidInput
from deskside.workspace.models import SavedView
from deskside.workspace.queries import (
    COUNT_CAP,
    view_counts,
    view_tickets,
    view_url,
    views_listed_for,
    views_visible_to,
)

router = Router(tags=["saved views"])


class ViewOut(Schema):
    public_id: str
    name: str
    is_default: bool = Field(description="One of the default queues: everyone's, unchangeable.")
    owner: UserRef | None
    team: TeamRef | None = Field(description="The team it is shared with; null: personal.")
    filters: dict[str, str] = Field(description="The queue filters (GET /api/v1/tickets names).")
    sort: str
    columns: list[str]
    url: str = Field(description="The queue page showing this view.")

    @staticmethod
    def resolve_url(obj: SavedView) -> str:
        return view_url(obj)


class Strict(Schema):
    model_config = ConfigDict(extra="forbid")


class ViewIn(Strict):
    name: Text = Field(max_length=80)
    team: Text | None = Field(None, description="Team slug to share with; null: personal.")
    filters: BulkFilter = Field(default_factory=BulkFilter)
    sort: Text = "newest"
    columns: list[Text] = Field(default_factory=list, description="Empty: the default columns.")


class ViewPatch(Strict):
    """Only the fields sent change; `team` null makes the view personal again."""

    name: Text = Field(None, max_length=80)  # type: ignore[assignment]
    team: Text | None = None
    filters: BulkFilter = None  # type: ignore[assignment]
    sort: Text = None  # type: ignore[assignment]
    columns: list[Text] = None  # type: ignore[assignment]


class ViewCountOut(Schema):
    view: str = Field(description="The view's public id.")
    count: int = Field(description=f"Tickets, counted up to {COUNT_CAP + 1}.")
    more: bool = Field(description=f"True when over {COUNT_CAP} (shown as {COUNT_CAP}+).")


def _user(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


def _team(slug: str | None) -> Team | None:
    if slug is None:
        return None
    team = Team.objects.filter(slug=slug).first()
    if team is None:
        raise InvalidInput(f"no team {slug!r}", field="team")
    return team


def _filters(value: BulkFilter) -> dict[str, Any]:
    return value.model_dump(exclude_none=True)


def _view(user: User, public_id: str) -> SavedView:
    return get_or_404(views_listed_for(user), f"no view {public_id!r}", public_id=public_id)


@router.get("/views", response=PageOut[ViewOut], summary="The caller's saved views")
def list_views(request: HttpRequest, params: Query[PageParams]) -> dict[str, object]:
    """Default views first, then the caller's own and their teams' views (an administrator:
    every team's)."""
    qs = views_listed_for(_user(request))
    return page_out(paginate(request, qs, page=params.page, limit=params.limit))


@router.post("/views", response={201: ViewOut}, summary="Save a view")
def create_view(request: HttpRequest, payload: ViewIn) -> Status[SavedView]:
    view = services.create_view(
        actor=_user(request),
        name=payload.name,
        team=_team(payload.team),
        filters=_filters(payload.filters),
        sort=payload.sort,
        columns=payload.columns,
    )
    return Status(201, view)


@router.get("/views/counts", response=list[ViewCountOut], summary="Counts of the caller's views")
def counts(request: HttpRequest) -> list[dict[str, object]]:
    """Each view's tickets as the caller sees them (their clients only), counted up to
    COUNT_CAP + 1."""
    user = _user(request)
    views = list(views_visible_to(user))
    found = view_counts(user, views)
    return [
        {"view": v.public_id, "count": found[v.pk], "more": found[v.pk] > COUNT_CAP} for v in views
    ]


@router.get("/views/{public_id}", response=ViewOut, summary="One saved view")
def get_view(request: HttpRequest, public_id: str) -> SavedView:
    return _view(_user(request), public_id)


@router.patch("/views/{public_id}", response=ViewOut, summary="Rename, share or change a view")
def update_view(request: HttpRequest, public_id: str, payload: ViewPatch) -> SavedView:
    user = _user(request)
    view = _view(user, public_id)
    sent = payload.model_dump(exclude_unset=True)
    changes: dict[str, Any] = {}
    if "name" in sent:
        changes["name"] = payload.name
    if "team" in sent:
        changes["team"] = _team(payload.team)
    if "filters" in sent:
        changes["filters"] = _filters(payload.filters) if payload.filters else {}
    if "sort" in sent:
        changes["sort"] = payload.sort
    if "columns" in sent:
        changes["columns"] = payload.columns or []
    return services.update_view(actor=user, view=view, **changes)


@router.delete("/views/{public_id}", response={204: None}, summary="Delete a view")
def delete_view(request: HttpRequest, public_id: str) -> Status[None]:
    user = _user(request)
    services.delete_view(actor=user, view=_view(user, public_id))
    return Status(204, None)


@router.get(
    "/views/{public_id}/tickets", response=PageOut[TicketOut], summary="A saved view's tickets"
)
def view_ticket_list(
    request: HttpRequest, public_id: str, params: Query[PageParams]
) -> dict[str, object]:
    """The view's tickets in its sort, as the caller sees them (their clients only)."""
    user = _user(request)
    qs = view_tickets(user, _view(user, public_id))
    return page_out(paginate(request, qs, page=params.page, limit=params.limit))
