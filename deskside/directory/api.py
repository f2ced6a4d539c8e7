"""The directory's editing API under /api/v1/directory/:

    GET    /directory/clients                        clients the caller serves
    POST   /directory/clients                        create (admins serving every client)
    GET    /directory/clients/{slug}                 one client
    PATCH  /directory/clients/{slug}                 change (admins serving it)
    GET    /directory/clients/{slug}/sites           its sites
    POST   /directory/clients/{slug}/sites           add a site (admins serving it)
    PATCH  /directory/sites/{id}                     change a site (admins serving its client)
    GET    /directory/contacts?q=&client=&active=    contacts, searched by name, email, phone
    POST   /directory/contacts                       add a contact (agents serving the client)
    GET    /directory/contacts/{id}                  one contact
    PATCH  /directory/contacts/{id}                  change a contact
    POST   /directory/contacts/{id}/deactivate       never deleted: deactivated
    POST   /directory/contacts/{id}/reactivate
    GET    /directory/contacts/{id}/tickets          their tickets the caller may see, newest first
    POST   /directory/contacts/import                a CSV file: dry run (default) or import
    GET    /directory/agents                         agents (admins)
    POST   /directory/agents                         add an agent (admins serving every client)
    PATCH  /directory/agents/{id}                    change one (roles audited by set_roles)
    POST   /directory/agents/{id}/deactivate, /reactivate
    GET    /directory/teams                          teams with lead and members (admins)
    POST   /directory/teams                          create (admins serving every client)
    PATCH  /directory/teams/{slug}                   change name, tier, lead, members

Agents only: a customer's token gets 403 everywhere. Rows of a client the caller does not
serve are 404 (their existence is not confirmed); naming such a client in a body is 422 on
that field. Who may change what is the services' (deskside.directory.services): 403 with the
reason. The read-only directory (`/organizations`, `/sites/{id}`, `/teams`, `/users`) stays
where it was (accounts and tickets).
"""

from datetime import datetime
from typing import Any

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema, Status
from ninja.errors import HttpError
from pydantic import ConfigDict

from deskside.accounts.models import Organization, Site, Team, User
from deskside.accounts.permissions import is_admin, is_agent
from deskside.accounts.queries import agents as active_agents
from deskside.accounts.schemas import OrganizationRef, SiteRef, TeamRef, UserRef
from deskside.core.api import PageOut, PageParams, Text, get_or_404, page_out
from deskside.core.pagination import paginate
from deskside.directory import queries, services
from deskside.directory.exceptions import BadFile, InvalidInput

router = Router(tags=["directory"])


class Strict(Schema):
    """Input schemas refuse unknown fields, so a typo is a 422, not a silent no-op."""

    model_config = ConfigDict(extra="forbid")


# -- schemas -----------------------------------------------------------------------------------


class DirectoryClientOut(Schema):
    slug: str
    name: str
    is_msp: bool
    timezone: str
    email_domains: str
    notes: str


class DirectoryClientIn(Strict):
    name: Text = Field(max_length=200)
    slug: Text = Field("", max_length=60, description="Made from the name when empty.")
    timezone: Text = Field("UTC", max_length=64)
    email_domains: Text = Field("", max_length=500, description="Comma-separated.")
    notes: Text = ""


class DirectoryClientPatch(Strict):
    name: Text = Field(None, max_length=200)  # type: ignore[assignment]
    slug: Text = Field(None, max_length=60)  # type: ignore[assignment]
    timezone: Text = Field(None, max_length=64)  # type: ignore[assignment]
    email_domains: Text = Field(None, max_length=500)  # type: ignore[assignment]
    notes: Text = None  # type: ignore[assignment]


class DirectorySiteOut(Schema):
    public_id: str
    name: str
    organization: OrganizationRef
    address: str
    timezone: str
    latitude: float | None
    longitude: float | None
    access_notes: str


class DirectorySiteIn(Strict):
    name: Text = Field(max_length=200)
    address: Text = ""
    timezone: Text = Field("", max_length=64, description="Empty: the client's.")
    latitude: float | None = Field(None, ge=-90, le=90)
    longitude: float | None = Field(None, ge=-180, le=180)
    access_notes: Text = ""


class DirectorySitePatch(Strict):
    name: Text = Field(None, max_length=200)  # type: ignore[assignment]
    address: Text = None  # type: ignore[assignment]
    timezone: Text = Field(None, max_length=64)  # type: ignore[assignment]
    latitude: float | None = Field(None, ge=-90, le=90)
    longitude: float | None = Field(None, ge=-180, le=180)
    access_notes: Text = None  # type: ignore[assignment]


class DirectoryContactOut(Schema):
    public_id: str
    name: str = Field(alias="full_name")
    email: str
    phone: str
    mobile: str
    phone_e164: str = Field(description="The phone number in E.164; empty if none.")
    mobile_e164: str
    organization: OrganizationRef
    site: SiteRef | None
    is_org_admin: bool
    is_vip: bool
    is_active: bool


class DirectoryContactIn(Strict):
    email: Text = Field(max_length=254)
    name: Text = Field("", max_length=200)
    organization: Text = Field(description="The client's slug.")
    site: Text | None = Field(None, description="Public id of a site of that client.")
    phone: Text = Field("", max_length=50, description="Any format; kept as typed.")
    mobile: Text = Field("", max_length=50)
    is_org_admin: bool = False
    is_vip: bool = False


class DirectoryContactPatch(Strict):
    email: Text = Field(None, max_length=254)  # type: ignore[assignment]
    name: Text = Field(None, max_length=200)  # type: ignore[assignment]
    organization: Text = Field(None, description="Move to another client you serve.")  # type: ignore[assignment]
    site: Text | None = Field(None, description="Site public id; null clears it.")
    phone: Text = Field(None, max_length=50)  # type: ignore[assignment]
    mobile: Text = Field(None, max_length=50)  # type: ignore[assignment]
    is_org_admin: bool = None  # type: ignore[assignment]
    is_vip: bool = None  # type: ignore[assignment]


class DirectoryContactFilters(PageParams):
    q: Text | None = Field(None, max_length=200, description="Words of a name or email; a phone.")
    client: Text | None = Field(None, max_length=60, description="A client's slug.")
    active: bool | None = Field(True, description="true (default), false, or null for all.")


class DirectoryContactTicketOut(Schema):
    number: str
    subject: str
    status: str
    priority: str = Field(alias="priority_label")
    organization: OrganizationRef
    assignee: UserRef | None
    created_at: datetime
    updated_at: datetime


class DirectoryImportIn(Strict):
    csv: Text = Field(description="The CSV file's text (UTF-8), header row first.")
    dry_run: bool = Field(True, description="true: only say what each row would do.")


class DirectoryImportRowOut(Schema):
    line: int
    email: str
    client: str
    action: str = Field(description="create, update, unchanged or error.")
    message: str = Field(description="Why an error; which fields an update changes.")


class DirectoryImportOut(Schema):
    dry_run: bool
    applied: bool
    created: int
    updated: int
    unchanged: int
    errors: int
    ignored_columns: list[str]
    rows: list[DirectoryImportRowOut]


class DirectoryAgentOut(Schema):
    public_id: str
    name: str = Field(alias="full_name")
    email: str
    phone: str
    mobile: str
    tier: str
    is_staff: bool
    is_active: bool
    teams: list[TeamRef]
    served_organizations: list[OrganizationRef] = Field(description="Empty: every client.")

    @staticmethod
    def resolve_teams(obj: User) -> list[Team]:
        return list(obj.teams.all())

    @staticmethod
    def resolve_served_organizations(obj: User) -> list[Organization]:
        return list(obj.served_organizations.all())


class DirectoryAgentIn(Strict):
    email: Text = Field(max_length=254)
    name: Text = Field(max_length=200)
    tier: Text = Field("L1", max_length=2)
    teams: list[Text] = Field(default_factory=list, description="Team slugs.")
    served_organizations: list[Text] = Field(
        default_factory=list, description="Client slugs; empty: every client."
    )
    is_staff: bool = False
    phone: Text = Field("", max_length=50)
    mobile: Text = Field("", max_length=50)


class DirectoryAgentPatch(Strict):
    email: Text = Field(None, max_length=254)  # type: ignore[assignment]
    name: Text = Field(None, max_length=200)  # type: ignore[assignment]
    tier: Text = Field(None, max_length=2)  # type: ignore[assignment]
    teams: list[Text] = None  # type: ignore[assignment]
    served_organizations: list[Text] = None  # type: ignore[assignment]
    is_staff: bool = None  # type: ignore[assignment]
    phone: Text = Field(None, max_length=50)  # type: ignore[assignment]
    mobile: Text = Field(None, max_length=50)  # type: ignore[assignment]


class DirectoryTeamOut(Schema):
    slug: str
    name: str
    tier: str
    lead: UserRef | None
    members: list[UserRef]

    @staticmethod
    def resolve_members(obj: Team) -> list[User]:
        return list(obj.members.all())


class DirectoryTeamIn(Strict):
    name: Text = Field(max_length=100)
    tier: Text = Field("L1", max_length=2)
    lead: Text | None = Field(None, description="Public id of an agent.")
    members: list[Text] = Field(default_factory=list, description="Public ids of agents.")


class DirectoryTeamPatch(Strict):
    name: Text = Field(None, max_length=100)  # type: ignore[assignment]
    tier: Text = Field(None, max_length=2)  # type: ignore[assignment]
    lead: Text | None = Field(None, description="Public id of an agent; null: no lead.")
    members: list[Text] = None  # type: ignore[assignment]


# -- look-ups ----------------------------------------------------------------------------------


def _agent(request: HttpRequest) -> User:
    user: User = request.user  # type: ignore[assignment]
    if not is_agent(user):
        raise HttpError(403, "the directory is for agents")
    return user


def _admin(request: HttpRequest) -> User:
    user = _agent(request)
    if not is_admin(user):
        raise HttpError(403, "agents and teams are for administrators")
    return user


def _client_or_404(user: User, slug: str) -> Organization:
    return get_or_404(queries.clients_visible_to(user), f"no client {slug!r}", slug=slug)


def _client_field(user: User, slug: str, field: str = "organization") -> Organization:
    client = queries.client_for(user, slug)
    if client is None:
        raise InvalidInput(f"no client {slug!r} among the clients you serve", field=field)
    return client


def _site_field(organization: Organization, public_id: str | None) -> Site | None:
    if public_id is None:
        return None
    site = Site.objects.filter(organization=organization, public_id=public_id).first()
    if site is None:
        raise InvalidInput(f"no site {public_id!r} of {organization.name}", field="site")
    return site


def _contact_or_404(user: User, public_id: str) -> User:
    return get_or_404(
        queries.contacts_visible_to(user), f"no contact {public_id!r}", public_id=public_id
    )


def _teams_field(slugs: list[str]) -> list[Team]:
    teams = {t.slug: t for t in Team.objects.filter(slug__in=slugs)}
    if missing := [s for s in slugs if s not in teams]:
        raise InvalidInput(f"no team {missing[0]!r}", field="teams")
    return [teams[s] for s in dict.fromkeys(slugs)]


def _clients_field(user: User, slugs: list[str]) -> list[Organization]:
    clients = {o.slug: o for o in queries.clients_visible_to(user).filter(slug__in=slugs)}
    if missing := [s for s in slugs if s not in clients]:
        raise InvalidInput(f"no client {missing[0]!r}", field="served_organizations")
    return [clients[s] for s in dict.fromkeys(slugs)]


def _agents_field(public_ids: list[str], field: str) -> list[User]:
    found = {a.public_id: a for a in active_agents().filter(public_id__in=public_ids)}
    if missing := [p for p in public_ids if p not in found]:
        raise InvalidInput(f"no active agent {missing[0]!r}", field=field)
    return [found[p] for p in dict.fromkeys(public_ids)]


def _renamed(changes: dict[str, Any]) -> dict[str, Any]:
    if "name" in changes:
        changes["full_name"] = changes.pop("name")
    return changes


def _not_null(changes: dict[str, Any], *fields: str) -> None:
    for field in fields:
        if field in changes and changes[field] is None:
            raise InvalidInput(f"{field} cannot be null", field=field)


# -- clients and sites -------------------------------------------------------------------------


@router.get("/clients", response=PageOut[DirectoryClientOut], summary="Clients the caller serves")
def list_clients(request: HttpRequest, params: Query[PageParams]) -> dict[str, object]:
    qs = queries.clients_visible_to(_agent(request))
    return page_out(paginate(request, qs, page=params.page, limit=params.limit))


@router.post("/clients", response={201: DirectoryClientOut}, summary="Create a client (admins)")
def create_client(request: HttpRequest, payload: DirectoryClientIn) -> Status[Organization]:
    client = services.create_organization(actor=_agent(request), **payload.model_dump())
    return Status(201, client)


@router.get("/clients/{slug}", response=DirectoryClientOut, summary="One client")
def get_client(request: HttpRequest, slug: Text) -> Organization:
    return _client_or_404(_agent(request), slug)


@router.patch("/clients/{slug}", response=DirectoryClientOut, summary="Change a client (admins)")
def update_client(request: HttpRequest, slug: Text, payload: DirectoryClientPatch) -> Organization:
    user = _agent(request)
    client = _client_or_404(user, slug)
    changes = payload.model_dump(exclude_unset=True)
    _not_null(changes, *changes)
    return services.update_organization(actor=user, organization=client, **changes)


@router.get("/clients/{slug}/sites", response=PageOut[DirectorySiteOut], summary="A client's sites")
def list_sites(request: HttpRequest, slug: Text, params: Query[PageParams]) -> dict[str, object]:
    user = _agent(request)
    client = _client_or_404(user, slug)
    qs = queries.sites_of(user, client).select_related("organization")
    return page_out(paginate(request, qs, page=params.page, limit=params.limit))


@router.post(
    "/clients/{slug}/sites", response={201: DirectorySiteOut}, summary="Add a site (admins)"
)
def create_site(request: HttpRequest, slug: Text, payload: DirectorySiteIn) -> Status[Site]:
    user = _agent(request)
    client = _client_or_404(user, slug)
    site = services.create_site(actor=user, organization=client, **payload.model_dump())
    return Status(201, site)


@router.patch("/sites/{public_id}", response=DirectorySiteOut, summary="Change a site (admins)")
def update_site(request: HttpRequest, public_id: Text, payload: DirectorySitePatch) -> Site:
    user = _agent(request)
    site = get_or_404(
        Site.objects.select_related("organization").filter(
            organization__in=queries.clients_visible_to(user)
        ),
        f"no site {public_id!r}",
        public_id=public_id,
    )
    changes = payload.model_dump(exclude_unset=True)
    _not_null(changes, "name", "address", "timezone", "access_notes")
    return services.update_site(actor=user, site=site, **changes)


# -- contacts ----------------------------------------------------------------------------------


@router.get("/contacts", response=PageOut[DirectoryContactOut], summary="Contacts, searched")
def list_contacts(
    request: HttpRequest, params: Query[DirectoryContactFilters]
) -> dict[str, object]:
    user = _agent(request)
    client = _client_field(user, params.client, "client") if params.client else None
    qs = queries.search_contacts(
        queries.contacts_visible_to(user), text=params.q or "", client=client, active=params.active
    )
    return page_out(paginate(request, qs, page=params.page, limit=params.limit))


@router.post("/contacts", response={201: DirectoryContactOut}, summary="Add a contact")
def create_contact(request: HttpRequest, payload: DirectoryContactIn) -> Status[User]:
    user = _agent(request)
    client = _client_field(user, payload.organization)
    contact = services.create_contact(
        actor=user,
        email=payload.email,
        full_name=payload.name,
        organization=client,
        site=_site_field(client, payload.site),
        phone=payload.phone,
        mobile=payload.mobile,
        is_org_admin=payload.is_org_admin,
        is_vip=payload.is_vip,
    )
    return Status(201, contact)


# Before /contacts/{public_id}: Django tries the patterns in order.
@router.post("/contacts/import", response=DirectoryImportOut, summary="Import contacts from CSV")
def import_contacts(request: HttpRequest, payload: DirectoryImportIn) -> dict[str, object]:
    """The same file and rules as the import page (deskside.directory.imports). With
    `dry_run` (the default) nothing changes: each row says what it would do. Without, the
    valid rows are imported in one transaction and the error rows reported, never dropped.
    A file that cannot be read at all is 422 on `csv`."""
    user = _agent(request)
    try:
        plan = services.import_contacts(
            actor=user, data=payload.csv.encode("utf-8"), dry_run=payload.dry_run
        )
    except BadFile as error:
        error.field = "csv"
        raise
    return {
        "dry_run": payload.dry_run,
        "applied": plan.applied,
        "created": plan.created,
        "updated": plan.updated,
        "unchanged": plan.unchanged,
        "errors": plan.errors,
        "ignored_columns": plan.ignored,
        "rows": plan.rows,
    }


@router.get("/contacts/{public_id}", response=DirectoryContactOut, summary="One contact")
def get_contact(request: HttpRequest, public_id: Text) -> User:
    return _contact_or_404(_agent(request), public_id)


@router.patch("/contacts/{public_id}", response=DirectoryContactOut, summary="Change a contact")
def update_contact(request: HttpRequest, public_id: Text, payload: DirectoryContactPatch) -> User:
    """Only the fields sent change; `site` null clears it. Moving to another client
    (`organization`) needs both clients served and clears a site of the old one."""
    user = _agent(request)
    contact = _contact_or_404(user, public_id)
    changes = _renamed(payload.model_dump(exclude_unset=True))
    _not_null(changes, "email", "full_name", "organization", "phone", "mobile")
    _not_null(changes, "is_org_admin", "is_vip")
    client = contact.organization
    if "organization" in changes:
        client = changes["organization"] = _client_field(user, changes["organization"])
    if "site" in changes:
        changes["site"] = _site_field(client, changes["site"])
    return services.update_contact(actor=user, contact=contact, **changes)


@router.post("/contacts/{public_id}/deactivate", response=DirectoryContactOut, summary="Deactivate")
def deactivate_contact(request: HttpRequest, public_id: Text) -> User:
    """A contact is never deleted: deactivated, they cannot sign in and are not offered by
    caller look-up; their tickets stay."""
    user = _agent(request)
    contact = _contact_or_404(user, public_id)
    return services.set_contact_active(actor=user, contact=contact, active=False)


@router.post("/contacts/{public_id}/reactivate", response=DirectoryContactOut, summary="Reactivate")
def reactivate_contact(request: HttpRequest, public_id: Text) -> User:
    user = _agent(request)
    contact = _contact_or_404(user, public_id)
    return services.set_contact_active(actor=user, contact=contact, active=True)


@router.get(
    "/contacts/{public_id}/tickets",
    response=PageOut[DirectoryContactTicketOut],
    summary="A contact's tickets, newest first",
)
def contact_tickets(
    request: HttpRequest, public_id: Text, params: Query[PageParams]
) -> dict[str, object]:
    user = _agent(request)
    contact = _contact_or_404(user, public_id)
    qs = queries.tickets_of(user, contact)
    return page_out(paginate(request, qs, page=params.page, limit=params.limit))


# -- agents and teams --------------------------------------------------------------------------


@router.get("/agents", response=PageOut[DirectoryAgentOut], summary="Agents (admins)")
def list_agents(request: HttpRequest, params: Query[PageParams]) -> dict[str, object]:
    qs = queries.agents_listed(_admin(request))
    return page_out(paginate(request, qs, page=params.page, limit=params.limit))


@router.post("/agents", response={201: DirectoryAgentOut}, summary="Add an agent (admins)")
def create_agent(request: HttpRequest, payload: DirectoryAgentIn) -> Status[User]:
    user = _admin(request)
    agent = services.create_agent(
        actor=user,
        email=payload.email,
        full_name=payload.name,
        tier=payload.tier,
        teams=_teams_field(payload.teams),
        served_organizations=_clients_field(user, payload.served_organizations),
        is_staff=payload.is_staff,
        phone=payload.phone,
        mobile=payload.mobile,
    )
    return Status(201, agent)


@router.patch("/agents/{public_id}", response=DirectoryAgentOut, summary="Change an agent (admins)")
def update_agent(request: HttpRequest, public_id: Text, payload: DirectoryAgentPatch) -> User:
    user = _admin(request)
    agent = get_or_404(queries.agents_listed(user), f"no agent {public_id!r}", public_id=public_id)
    changes = _renamed(payload.model_dump(exclude_unset=True))
    _not_null(changes, *changes)
    if "teams" in changes:
        changes["teams"] = _teams_field(changes["teams"])
    if "served_organizations" in changes:
        changes["served_organizations"] = _clients_field(user, changes["served_organizations"])
    return services.update_agent(actor=user, agent=agent, **changes)


def _set_agent(request: HttpRequest, public_id: str, active: bool) -> User:
    user = _admin(request)
    agent = get_or_404(queries.agents_listed(user), f"no agent {public_id!r}", public_id=public_id)
    return services.set_agent_active(actor=user, agent=agent, active=active)


@router.post(
    "/agents/{public_id}/deactivate", response=DirectoryAgentOut, summary="Deactivate (admins)"
)
def deactivate_agent(request: HttpRequest, public_id: Text) -> User:
    return _set_agent(request, public_id, False)


@router.post(
    "/agents/{public_id}/reactivate", response=DirectoryAgentOut, summary="Reactivate (admins)"
)
def reactivate_agent(request: HttpRequest, public_id: Text) -> User:
    return _set_agent(request, public_id, True)


@router.get("/teams", response=PageOut[DirectoryTeamOut], summary="Teams with members (admins)")
def list_teams(request: HttpRequest, params: Query[PageParams]) -> dict[str, object]:
    qs = queries.teams_listed(_admin(request))
    return page_out(paginate(request, qs, page=params.page, limit=params.limit))


@router.post("/teams", response={201: DirectoryTeamOut}, summary="Create a team (admins)")
def create_team(request: HttpRequest, payload: DirectoryTeamIn) -> Status[Team]:
    user = _admin(request)
    lead = _agents_field([payload.lead], "lead")[0] if payload.lead else None
    team = services.create_team(
        actor=user,
        name=payload.name,
        tier=payload.tier,
        lead=lead,
        members=_agents_field(payload.members, "members"),
    )
    return Status(201, queries.team_for(user, team.slug))


@router.patch("/teams/{slug}", response=DirectoryTeamOut, summary="Change a team (admins)")
def update_team(request: HttpRequest, slug: Text, payload: DirectoryTeamPatch) -> Team | None:
    user = _admin(request)
    team = get_or_404(queries.teams_listed(user), f"no team {slug!r}", slug=slug)
    changes = payload.model_dump(exclude_unset=True)
    _not_null(changes, "name", "tier", "members")
    if "lead" in changes:
        changes["lead"] = _agents_field([changes["lead"]], "lead")[0] if changes["lead"] else None
    if "members" in changes:
        changes["members"] = _agents_field(changes["members"], "members")
    team = services.update_team(actor=user, team=team, **changes)
    return queries.team_for(user, team.slug)
