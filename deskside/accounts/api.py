"""The directory under /api/v1/: organisations, sites, users, teams and the caller (`/me`).

Every read goes through the visibility functions of `accounts.queries`, so a customer's token
sees their own organisation, its sites and people, and the agents' names; nothing else.
Organisations are addressed by slug, sites and users by public id, teams by slug.
"""

from typing import Annotated, Any, Generic, Literal, TypeVar

from django.db.models import QuerySet
from django.http import Http404, HttpRequest
from ninja import Field, Query, Router, Schema
from pydantic import AfterValidator

from deskside.accounts.exceptions import InvalidInput
from deskside.accounts.models import Organization, Site, Team, User
from deskside.accounts.queries import organizations_visible_to, sites_visible_to
from deskside.core.pagination import DEFAULT_LIMIT, MAX_LIMIT, MAX_PAGE, Page, paginate
from deskside.tickets.queries import people_visible_to, person_shown_to

T = TypeVar("T")

router = Router(tags=["directory"])


# -- schemas shared by every router ------------------------------------------------------------


def _no_nul(value: str) -> str:
    # PostgreSQL text cannot hold NUL; refuse it here as bad input instead of failing in SQL.
    if "\x00" in value:
        raise ValueError("must not contain NUL characters")
    return value


Text = Annotated[str, AfterValidator(_no_nul)]
"""Every free-text input (body fields, query and path parameters) is a `Text`."""


class PageParams(Schema):
    """Query parameters of every list: the page number and its size."""

    page: int = Field(1, ge=1, le=MAX_PAGE, description="Page number, from 1 to 2000.")
    limit: int = Field(DEFAULT_LIMIT, ge=1, le=MAX_LIMIT, description="Rows per page (max 100).")


class PageOut(Schema, Generic[T]):
    """A page of a list. There is no total count: follow `next` until it is null."""

    items: list[T]
    next: str | None = Field(description="URL of the next page; null on the last page.")
    page: int


def page_out(page: Page) -> dict[str, object]:
    return {"items": page.items, "next": page.next, "page": page.page}


def caller(context: Any) -> User | None:
    """The user a response is being built for, from a schema resolver's `context`."""
    return getattr((context or {}).get("request"), "user", None)


def caller_is_agent(context: Any) -> bool:
    """Whether that user is an agent (agent-only fields resolve to null for anyone else)."""
    return bool(getattr(caller(context), "is_agent", False))


def agent_for_customer(person: User, context: Any) -> bool:
    """Whether `person` is an agent shown to a customer (or anyone not an agent): then only
    their display name is shown, as in the portal (first name; no email, tier or
    organisation)."""
    return person.is_agent and not caller_is_agent(context) and caller(context) != person


def shown_email(person: User, context: Any) -> str | None:
    """`person`'s email as the caller may see it: customers see their own organisation's
    people's addresses, never the agents' (the portal shows agents by name only)."""
    return None if agent_for_customer(person, context) else person.email


def shown_name(person: User, context: Any) -> str:
    """`person`'s name as the caller may see it: an agent's display name (first name) for a
    customer, as the portal shows it; the full name otherwise."""
    return person_shown_to(caller(context), person)


class UserRef(Schema):
    public_id: str
    name: str
    name: str = Field(description="For a customer, an agent's display name (first name).")
    email: str | None = Field(description="Null for agents when the caller is a customer.")

    @staticmethod
    def resolve_name(obj: User, context: Any) -> str:
        return shown_name(obj, context)

    @staticmethod
    def resolve_email(obj: User, context: Any) -> str | None:
        return shown_email(obj, context)


class OrganizationRef(Schema):
    slug: str
    name: str


class SiteRef(Schema):
    public_id: str
    name: str


class TeamRef(Schema):
    slug: str
    name: str


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


class UserOut(Schema):
    public_id: str
    name: str = Field(description="For a customer, an agent's display name (first name).")
    email: str | None = Field(description="Null for agents when the caller is a customer.")
    kind: str
    tier: str | None = Field(
        description="L1, L2 or L3 for agents; null for customers, and for agents when the "
        "caller is a customer."
    )
    organization: OrganizationRef | None = Field(
        description="Null for agents when the caller is a customer."
    )

    @staticmethod
    def resolve_name(obj: User, context: Any) -> str:
        return shown_name(obj, context)

    @staticmethod
    def resolve_tier(obj: User, context: Any) -> str | None:
        return None if agent_for_customer(obj, context) else (obj.tier or None)

    @staticmethod
    def resolve_organization(obj: User, context: Any) -> Organization | None:
        return None if agent_for_customer(obj, context) else obj.organization

    @staticmethod
    def resolve_email(obj: User, context: Any) -> str | None:
        return shown_email(obj, context)


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


class UserFilters(PageParams):
    kind: Literal["agent", "customer"] | None = None
    organization: Text | None = Field(None, description="Organisation slug.")


# -- endpoints ---------------------------------------------------------------------------------


def _user(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


def _organization_or_404(user: User, slug: str) -> Organization:
    organization = organizations_visible_to(user).filter(slug=slug).first()
    if organization is None:
        raise Http404(f"no organisation {slug!r}")
    return organization


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
    site = sites_visible_to(_user(request)).filter(public_id=public_id).first()
    if site is None:
        raise Http404(f"no site {public_id!r}")
    return site


@router.get("/users", response=PageOut[UserOut], summary="People the caller may see")
def list_users(request: HttpRequest, params: Query[UserFilters]) -> dict[str, object]:
    user = _user(request)
    qs = people_visible_to(user)
    if params.kind:
        qs = qs.filter(kind=params.kind)
    if params.organization:
        organization = organizations_visible_to(user).filter(slug=params.organization).first()
        if organization is None:
            raise InvalidInput(f"no organisation {params.organization!r}", field="organization")
        qs = qs.filter(organization=organization)
    qs = qs.order_by("full_name", "email")
    return page_out(paginate(request, qs, page=params.page, limit=params.limit))


@router.get("/teams", response=PageOut[TeamOut], summary="Support teams")
def list_teams(request: HttpRequest, params: Query[PageParams]) -> dict[str, object]:
    qs = Team.objects.order_by("tier", "name")
    return page_out(paginate(request, qs, page=params.page, limit=params.limit))
