"""The directory under /api/v1/: organisations, sites, users, teams and the caller (`/me`).

Every read goes through the visibility functions of `accounts.queries`, so a customer's token
sees their own organisation, its sites and people, and the agents' names; nothing else.
Organisations are addressed by slug, sites and users by public id, teams by slug.
"""

import datetime as dt
from typing import Any

from django.db.models import QuerySet
from django.http import HttpRequest
from ninja import Field, Query, Router, Schema
from ninja.errors import HttpError

from deskside.accounts.models import Organization, Site, Team, User
from deskside.accounts.permissions import is_admin
from deskside.accounts.queries import organizations_visible_to, sites_visible_to
from deskside.accounts.schemas import (
    OrganizationRef,
    SiteRef,
    TeamRef,
    UserOut,
)
from deskside.core import audit
from deskside.core.api import PageOut, PageParams, Text, get_or_404, page_out
from deskside.core.pagination import paginate

router = Router(tags=["directory"])


class OrganizationOut(Schema):
    slug: str
    name: str
    is_msp: bool
    timezone: str
    email_domains: str


class SiteOut(Schema):
    public_id: str
    name: str
    organization: OrganizationRef
    address: str
    timezone: str
    latitude: float | None
    longitude: float | None
    access_notes: str


class MeOut(UserOut):
    is_org_admin: bool
    timezone: str
    teams: list[TeamRef]
    site: SiteRef | None

    @staticmethod
    def resolve_teams(obj: User) -> list[Team]:
        return list(obj.teams.all())


class TeamOut(Schema):
    slug: str
    name: str
    tier: str


# -- endpoints ---------------------------------------------------------------------------------


def _user(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


def _organization_or_404(user: User, slug: str) -> Organization:
    return get_or_404(organizations_visible_to(user), f"no organisation {slug!r}", slug=slug)


@router.get("/me", response=MeOut, summary="The user the token belongs to")
def me(request: HttpRequest) -> User:
    return _user(request)


@router.get(
    "/organizations",
    response=PageOut[OrganizationOut],
    summary="Organisations the caller may see",
)
def list_organizations(request: HttpRequest, params: Query[PageParams]) -> dict[str, object]:
    qs = organizations_visible_to(_user(request)).order_by("name", "slug")
    return page_out(paginate(request, qs, page=params.page, limit=params.limit))


@router.get("/organizations/{slug}", response=OrganizationOut, summary="One organisation")
def get_organization(request: HttpRequest, slug: Text) -> Organization:
    return _organization_or_404(_user(request), slug)


@router.get(
    "/organizations/{slug}/sites",
    response=PageOut[SiteOut],
    summary="The sites of one organisation",
)
def list_organization_sites(
    request: HttpRequest, slug: Text, params: Query[PageParams]
) -> dict[str, object]:
    user = _user(request)
    organization = _organization_or_404(user, slug)
    qs: QuerySet[Site] = sites_visible_to(user).filter(organization=organization)
    qs = qs.order_by("name", "id")
    return page_out(paginate(request, qs, page=params.page, limit=params.limit))


@router.get("/sites/{public_id}", response=SiteOut, summary="One site")
def get_site(request: HttpRequest, public_id: Text) -> Site:
    return get_or_404(
        sites_visible_to(_user(request)), f"no site {public_id!r}", public_id=public_id
    )


@router.get("/teams", response=PageOut[TeamOut], summary="Support teams")
def list_teams(request: HttpRequest, params: Query[PageParams]) -> dict[str, object]:
    qs = Team.objects.order_by("tier", "name")
    return page_out(paginate(request, qs, page=params.page, limit=params.limit))


# -- the audit log ------------------------------------------------------------------------------
# `GET /api/v1/audit` (deskside.core.audit), administrators only (active agents with the admin
# role): any other token gets 403. The filters are the page's: `actor` (a user id, or an e-mail
# address or part of one), `object_type` ("sla.contract"), `action`, `object_id` (the object's
# public id, slug or number), and `since`/`until` (date-times; one without a zone is UTC;
# `until` excluded). Newest first, paginated like every list: follow `next` until it is null.


class AuditFilters(PageParams):
    actor: Text | None = Field(
        None, max_length=200, description="A user id, or an e-mail address (or part of one)."
    )
    object_type: Text | None = Field(
        None, max_length=60, description='The kind of object, e.g. "sla.contract".'
    )
    action: Text | None = Field(
        None, max_length=40, description='"created", "updated", "deleted" or a service\'s verb.'
    )
    object_id: Text | None = Field(
        None, max_length=100, description="The object's public id, slug or number."
    )
    since: dt.datetime | None = Field(None, description="Entries at or after this time.")
    until: dt.datetime | None = Field(None, description="Entries before this time.")


class AuditEntryOut(Schema):
    id: int
    created_at: dt.datetime
    actor: str | None = Field(description="The actor's e-mail address; null for the system.")
    action: str
    object_type: str
    object_id: str
    object_label: str
    before: dict[str, Any] | None = Field(description="Changed fields' old values (JSON).")
    after: dict[str, Any] | None = Field(description="Changed fields' new values (JSON).")

    @staticmethod
    def resolve_actor(obj: Any) -> str | None:
        return obj.actor_label or None


def _utc(value: dt.datetime | None) -> dt.datetime | None:
    """`value` in UTC (one without a zone is UTC); past the calendar's ends, its end."""
    if value is None:
        return None
    if value.tzinfo is None:
        return value.replace(tzinfo=dt.UTC)
    try:
        return value.astimezone(dt.UTC)
    except OverflowError:  # 0001-01-01T00:00+01:00 is before the first representable instant
        edge = dt.datetime.min if value.year == dt.MINYEAR else dt.datetime.max  # noqa: DTZ901
        return edge.replace(tzinfo=dt.UTC)


@router.get(
    "/audit",
    response=PageOut[AuditEntryOut],
    tags=["audit"],
    summary="The audit log of configuration changes (administrators)",
)
def list_audit(request: HttpRequest, params: Query[AuditFilters]) -> dict[str, object]:
    if not is_admin(request.user):
        raise HttpError(403, "only administrators read the audit log")
    qs = audit.entries(
        actor=params.actor,
        object_type=params.object_type,
        action=params.action,
        object_id=params.object_id,
        since=_utc(params.since),
        until=_utc(params.until),
    )
    return page_out(paginate(request, qs, page=params.page, limit=params.limit))
