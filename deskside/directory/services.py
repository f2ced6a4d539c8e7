"""The directory's write operations: clients, sites, contacts, agents, teams, the CSV import.

Every function takes keyword-only arguments with the acting user first, runs in one
transaction, checks who may do it (raising `NotAllowed`, 403) and writes an audit entry
(deskside.core.audit) in that transaction. `actor` None is the system (the command line):
allowed everything. Creating rows reuses `deskside.accounts.services` (its invariants stay in
one place); the updates are here.

Who may do what:
- contacts (customers): any agent, for the clients they serve (the L1 desk adds callers);
- a client's details and its sites: administrators who serve that client;
- new clients, agents and teams: administrators who serve every client (`may_manage_staff`).

A person is never deleted (their tickets keep their requester): `set_contact_active` and
`set_agent_active` deactivate one. A deactivated person cannot sign in (Django refuses
inactive users, their sessions are ended and their API tokens stop working) and is not
offered by caller look-up or the pickers (they read active users only).
"""

from collections.abc import Callable
from typing import Any

from django.contrib.auth.hashers import make_password
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.utils.text import slugify

from deskside.accounts import services as accounts
from deskside.accounts.models import Organization, Site, Team, Tier, User
from deskside.accounts.permissions import is_admin, is_agent
from deskside.accounts.phones import to_e164
from deskside.accounts.queries import serves
from deskside.core import audit
from deskside.directory import imports
from deskside.directory.exceptions import Conflict, InvalidInput, NotAllowed
from deskside.directory.queries import may_manage_staff

UNSET: Any = object()
"""An argument not given: the field is left as it is (an update changes only what it names)."""

CLIENT_AUDITED = ("name", "slug", "timezone", "email_domains", "notes")
SITE_AUDITED = ("name", "address", "timezone", "latitude", "longitude", "access_notes")
CONTACT_AUDITED = (
    "email",
    "full_name",
    "phone",
    "mobile",
    "organization",
    "site",
    "is_org_admin",
    "is_vip",
    "is_active",
)
AGENT_AUDITED = (
    "email",
    "full_name",
    "phone",
    "mobile",
    "tier",
    "teams",
    "served_organizations",
    "is_staff",
    "is_active",
)
TEAM_AUDITED = ("name", "slug", "tier", "lead", "members")


# -- who may ---------------------------------------------------------------------------------


def _require_agent_serving(actor: User | None, organization: Organization) -> None:
    if actor is None:
        return
    if not is_agent(actor) or not serves(actor, organization.id):
        raise NotAllowed("you do not serve this client", field="organization")


def _require_admin_serving(actor: User | None, organization: Organization) -> None:
    if actor is None:
        return
    if not is_admin(actor) or not serves(actor, organization.id):
        raise NotAllowed("only administrators who serve this client may change it")


def _require_staff_manager(actor: User | None) -> None:
    if actor is not None and not may_manage_staff(actor):
        raise NotAllowed("only administrators who serve every client may do this")


# -- shared checks -------------------------------------------------------------------------


def _text(value: str, field: str, *, limit: int, required: bool = False) -> str:
    value = (value or "").strip()
    if required and not value:
        raise InvalidInput(f"{field.replace('_', ' ')} is required", field=field)
    if len(value) > limit:
        raise InvalidInput(f"{field.replace('_', ' ')} is longer than {limit}", field=field)
    return value


def _phone(value: str, field: str) -> str:
    """A phone number as typed, refused when it is not a possible number (caller look-up
    compares the E.164 form, so an unreadable number would never match)."""
    value = _text(value, field, limit=50)
    if value and to_e164(value) is None:
        raise InvalidInput(f"{value!r} is not a phone number", field=field)
    return value


def _email(value: str, *, exclude: User | None = None) -> str:
    email = (value or "").strip().lower()
    try:
        validate_email(email)
    except ValidationError as exc:
        raise InvalidInput(f"{email!r} is not a valid email address", field="email") from exc
    taken = User.objects.filter(email=email)
    if exclude is not None:
        taken = taken.exclude(pk=exclude.pk)
    if taken.exists():
        raise InvalidInput(f"a user with email {email} exists", field="email")
    return email


def _domains(value: str) -> str:
    """Mail domains as the organisation stores them: lower-case, comma-separated, no '@'."""
    parts = [p.strip().lower().lstrip("@") for p in (value or "").replace(";", ",").split(",")]
    parts = [p for p in parts if p]
    for domain in parts:
        if " " in domain or "." not in domain:
            raise InvalidInput(f"{domain!r} is not a mail domain", field="email_domains")
    text = ", ".join(dict.fromkeys(parts))
    if len(text) > 500:
        raise InvalidInput("mail domains are longer than 500 characters", field="email_domains")
    return text


def _coordinate(value: Any, field: str, bound: int) -> Any:
    if value is None or value == "":
        return None
    try:
        number = float(value)
    except (TypeError, ValueError) as exc:
        raise InvalidInput(f"{field} must be a number", field=field) from exc
    if not -bound <= number <= bound:
        raise InvalidInput(f"{field} must be between -{bound} and {bound}", field=field)
    return round(number, 6)


# -- clients and sites -------------------------------------------------------------------------


@transaction.atomic
def create_organization(
    *,
    actor: User | None,
    name: str,
    slug: str = "",
    timezone: str = "UTC",
    email_domains: str = "",
    notes: str = "",
) -> Organization:
    """Create a client (administrators who serve every client). The slug defaults to one
    made from the name; raises InvalidInput for a taken slug or an unknown time zone."""
    _require_staff_manager(actor)
    organization = accounts.create_organization(
        name=_text(name, "name", limit=200, required=True),
        slug=slug,
        timezone=timezone,
        email_domains=_domains(email_domains),
    )
    organization.notes = notes.strip()
    organization.save(update_fields=["notes"])
    audit.record(
        actor,
        audit.CREATED,
        "accounts.organization",
        organization.slug,
        label=organization.name,
        after=audit.snapshot(organization, CLIENT_AUDITED),
    )
    return organization


@transaction.atomic
def update_organization(
    *,
    actor: User | None,
    organization: Organization,
    name: str = UNSET,
    slug: str = UNSET,
    timezone: str = UNSET,
    email_domains: str = UNSET,
    notes: str = UNSET,
) -> Organization:
    """Change a client's details (administrators who serve it). A new slug must be free."""
    _require_admin_serving(actor, organization)
    organization = Organization.objects.select_for_update().get(pk=organization.pk)
    before = audit.snapshot(organization, CLIENT_AUDITED)
    if name is not UNSET:
        organization.name = _text(name, "name", limit=200, required=True)
    if slug is not UNSET:
        new_slug = slugify(slug or "")[:60]
        if not new_slug:
            raise InvalidInput("the slug must contain letters or digits", field="slug")
        if Organization.objects.filter(slug=new_slug).exclude(pk=organization.pk).exists():
            raise InvalidInput(f"an organisation with slug {new_slug!r} exists", field="slug")
        organization.slug = new_slug
    if timezone is not UNSET:
        organization.timezone = accounts.validate_timezone(timezone)
    if email_domains is not UNSET:
        organization.email_domains = _domains(email_domains)
    if notes is not UNSET:
        organization.notes = (notes or "").strip()
    organization.save()
    audit.record_update(
        actor,
        "accounts.organization",
        organization.slug,
        label=organization.name,
        before=before,
        after=audit.snapshot(organization, CLIENT_AUDITED),
    )
    return organization


@transaction.atomic
def create_site(
    *,
    actor: User | None,
    organization: Organization,
    name: str,
    address: str = "",
    timezone: str = "",
    latitude: Any = None,
    longitude: Any = None,
    access_notes: str = "",
) -> Site:
    """Add a site to a client (administrators who serve it); its time zone defaults to the
    client's."""
    _require_admin_serving(actor, organization)
    site = accounts.create_site(
        organization=organization,
        name=_text(name, "name", limit=200, required=True),
        address=(address or "").strip(),
        timezone=timezone or None,
        latitude=_coordinate(latitude, "latitude", 90),
        longitude=_coordinate(longitude, "longitude", 180),
        access_notes=(access_notes or "").strip(),
    )
    site.refresh_from_db()
    audit.record(
        actor,
        audit.CREATED,
        "accounts.site",
        site.public_id,
        label=str(site),
        after=audit.snapshot(site, SITE_AUDITED),
    )
    return site


@transaction.atomic
def update_site(
    *,
    actor: User | None,
    site: Site,
    name: str = UNSET,
    address: str = UNSET,
    timezone: str = UNSET,
    latitude: Any = UNSET,
    longitude: Any = UNSET,
    access_notes: str = UNSET,
) -> Site:
    """Change a site (administrators who serve its client). Its name stays unique within the
    client."""
    site = Site.objects.select_for_update().select_related("organization").get(pk=site.pk)
    _require_admin_serving(actor, site.organization)
    before = audit.snapshot(site, SITE_AUDITED)
    if name is not UNSET:
        site.name = _text(name, "name", limit=200, required=True)
        if Site.objects.filter(organization_id=site.organization_id, name=site.name).exclude(
            pk=site.pk
        ):
            raise InvalidInput(f"the client already has a site named {site.name!r}", field="name")
    if address is not UNSET:
        site.address = (address or "").strip()
    if timezone is not UNSET:
        site.timezone = accounts.validate_timezone(timezone or site.organization.timezone)
    if latitude is not UNSET:
        site.latitude = _coordinate(latitude, "latitude", 90)
    if longitude is not UNSET:
        site.longitude = _coordinate(longitude, "longitude", 180)
    if access_notes is not UNSET:
        site.access_notes = (access_notes or "").strip()
    site.save()
    site.refresh_from_db()
    audit.record_update(
        actor,
        "accounts.site",
        site.public_id,
        label=str(site),
        before=before,
        after=audit.snapshot(site, SITE_AUDITED),
    )
    return site


# -- contacts ----------------------------------------------------------------------------------


def _site_of(organization: Organization, site: Site | None) -> Site | None:
    if site is not None and site.organization_id != organization.id:
        raise InvalidInput("the site belongs to another client", field="site")
    return site


@transaction.atomic
def create_contact(
    *,
    actor: User | None,
    email: str,
    full_name: str = "",
    organization: Organization,
    site: Site | None = None,
    phone: str = "",
    mobile: str = "",
    is_org_admin: bool = False,
    is_vip: bool = False,
) -> User:
    """Add a contact (a customer of `organization`) with no password: they sign in after a
    password reset, or never (most callers never do). Any agent who serves the client."""
    _require_agent_serving(actor, organization)
    contact = accounts.create_user(
        email=_email(email),
        full_name=_text(full_name, "full_name", limit=200),
        kind=User.Kind.CUSTOMER,
        organization=organization,
        site=_site_of(organization, site),
        phone=_phone(phone, "phone"),
        mobile=_phone(mobile, "mobile"),
        is_org_admin=is_org_admin,
        is_vip=is_vip,
        timezone=(site.timezone if site else organization.timezone),
    )
    audit.record(
        actor,
        audit.CREATED,
        "accounts.user",
        contact.public_id,
        label=contact.email,
        after=audit.snapshot(contact, CONTACT_AUDITED),
    )
    return contact


def _locked_contact(contact: User) -> User:
    contact = User.objects.select_for_update().filter(pk=contact.pk).first() or contact
    if contact.kind != User.Kind.CUSTOMER:
        raise InvalidInput("this person is an agent, not a contact", field="kind")
    return contact


@transaction.atomic
def update_contact(
    *,
    actor: User | None,
    contact: User,
    email: str = UNSET,
    full_name: str = UNSET,
    organization: Organization = UNSET,
    site: Site | None = UNSET,
    phone: str = UNSET,
    mobile: str = UNSET,
    is_org_admin: bool = UNSET,
    is_vip: bool = UNSET,
) -> User:
    """Change a contact (any agent who serves their client, and the new client when moving
    them). Moving a contact to another client clears a site of the old one; their past
    tickets stay with the client they were raised for."""
    contact = _locked_contact(contact)
    old_organization = contact.organization
    _require_agent_serving(actor, old_organization)
    before = audit.snapshot(contact, CONTACT_AUDITED)
    if organization is not UNSET and organization.pk != old_organization.pk:
        _require_agent_serving(actor, organization)
        contact.organization = organization
        if site is UNSET and contact.site_id is not None:
            contact.site = None
    if site is not UNSET:
        contact.site = _site_of(contact.organization, site)
    if email is not UNSET:
        contact.email = _email(email, exclude=contact)
    if full_name is not UNSET:
        contact.full_name = _text(full_name, "full_name", limit=200)
    if phone is not UNSET:
        contact.phone = _phone(phone, "phone")
    if mobile is not UNSET:
        contact.mobile = _phone(mobile, "mobile")
    if is_org_admin is not UNSET:
        contact.is_org_admin = bool(is_org_admin)
    if is_vip is not UNSET:
        contact.is_vip = bool(is_vip)
    try:
        with transaction.atomic():
            contact.save()
    except IntegrityError as exc:  # a concurrent change gave another person this address
        raise InvalidInput(f"a user with email {contact.email} exists", field="email") from exc
    audit.record_update(
        actor,
        "accounts.user",
        contact.public_id,
        label=contact.email,
        before=before,
        after=audit.snapshot(contact, CONTACT_AUDITED),
    )
    return contact


def _set_active(actor: User | None, person: User, active: bool) -> User:
    before = audit.snapshot(person, ("is_active",))
    if person.is_active != active:
        person.is_active = active
        person.save(update_fields=["is_active"])
        if not active:
            accounts.end_other_sessions(person, keep=None)
    audit.record_update(
        actor,
        "accounts.user",
        person.public_id,
        label=person.email,
        before=before,
        after=audit.snapshot(person, ("is_active",)),
        action="deactivated" if not active else "reactivated",
    )
    return person


@transaction.atomic
def set_contact_active(*, actor: User | None, contact: User, active: bool) -> User:
    """Deactivate a contact (they cannot sign in, caller look-up no longer offers them; their
    tickets stay) or reactivate one. Any agent who serves their client."""
    contact = _locked_contact(contact)
    _require_agent_serving(actor, contact.organization)
    return _set_active(actor, contact, active)


# -- agents ------------------------------------------------------------------------------------


def _agent_snapshot(agent: User) -> dict[str, Any]:
    return audit.snapshot(agent, AGENT_AUDITED)


@transaction.atomic
def create_agent(
    *,
    actor: User | None,
    email: str,
    full_name: str,
    tier: str = Tier.L1,
    teams: list[Team] | None = None,
    served_organizations: list[Organization] | None = None,
    is_staff: bool = False,
    phone: str = "",
    mobile: str = "",
    password: str = "",
) -> User:
    """Add an agent of the MSP (administrators who serve every client). Without a password
    they set one through "Forgot password" (or sign in with single sign-on). An empty
    `served_organizations` means every client."""
    _require_staff_manager(actor)
    msp = Organization.objects.filter(is_msp=True).order_by("id").first()
    agent = accounts.create_user(
        email=_email(email),
        full_name=_text(full_name, "full_name", limit=200, required=True),
        kind=User.Kind.AGENT,
        organization=msp,
        tier=tier,
        teams=list(teams or []),
        phone=_phone(phone, "phone"),
        mobile=_phone(mobile, "mobile"),
        is_staff=is_staff,
        password=password or None,
    )
    if served_organizations:
        agent.served_organizations.set(served_organizations)
    audit.record(
        actor,
        audit.CREATED,
        "accounts.user",
        agent.public_id,
        label=agent.email,
        after=_agent_snapshot(agent),
    )
    return agent


def _locked_agent(agent: User) -> User:
    agent = User.objects.select_for_update().filter(pk=agent.pk).first() or agent
    if agent.kind != User.Kind.AGENT:
        raise InvalidInput("this person is a contact, not an agent", field="kind")
    return agent


@transaction.atomic
def update_agent(
    *,
    actor: User | None,
    agent: User,
    email: str = UNSET,
    full_name: str = UNSET,
    phone: str = UNSET,
    mobile: str = UNSET,
    tier: str = UNSET,
    teams: list[Team] = UNSET,
    served_organizations: list[Organization] = UNSET,
    is_staff: bool = UNSET,
) -> User:
    """Change an agent (administrators who serve every client). Roles (tier, teams, admin)
    go through `accounts.services.set_roles`, which writes its own "roles_changed" entry; the
    rest is one "updated" entry. An administrator cannot take the admin role from themself
    (someone must be left to give it back)."""
    _require_staff_manager(actor)
    agent = _locked_agent(agent)
    if is_staff is False and actor is not None and agent.pk == actor.pk:
        raise InvalidInput("you cannot remove your own admin role", field="is_staff")
    details = ("email", "full_name", "phone", "mobile", "served_organizations")
    before = audit.snapshot(agent, details)
    if email is not UNSET:
        agent.email = _email(email, exclude=agent)
    if full_name is not UNSET:
        agent.full_name = _text(full_name, "full_name", limit=200, required=True)
    if phone is not UNSET:
        agent.phone = _phone(phone, "phone")
    if mobile is not UNSET:
        agent.mobile = _phone(mobile, "mobile")
    agent.save(update_fields=["email", "full_name", "phone", "mobile"])
    if served_organizations is not UNSET:
        agent.served_organizations.set(served_organizations)
    audit.record_update(
        actor,
        "accounts.user",
        agent.public_id,
        label=agent.email,
        before=before,
        after=audit.snapshot(agent, details),
    )
    roles: dict[str, Any] = {}
    if tier is not UNSET:
        roles["tier"] = tier
    if teams is not UNSET:
        roles["teams"] = list(teams)
    if is_staff is not UNSET:
        roles["is_staff"] = bool(is_staff)
    if roles:
        agent = accounts.set_roles(actor=actor, user=agent, **roles)
    return agent


@transaction.atomic
def set_agent_active(*, actor: User | None, agent: User, active: bool) -> User:
    """Deactivate an agent who left (their tickets and timeline keep their name; they cannot
    sign in) or reactivate one. Not oneself."""
    _require_staff_manager(actor)
    agent = _locked_agent(agent)
    if not active and actor is not None and agent.pk == actor.pk:
        raise InvalidInput("you cannot deactivate yourself", field="is_active")
    return _set_active(actor, agent, active)


# -- teams -------------------------------------------------------------------------------------


def _members(members: list[User]) -> list[User]:
    for member in members:
        if member.kind != User.Kind.AGENT:
            raise InvalidInput(f"{member.email} is not an agent", field="members")
    return members


@transaction.atomic
def create_team(
    *,
    actor: User | None,
    name: str,
    tier: str = Tier.L1,
    lead: User | None = None,
    members: list[User] | None = None,
) -> Team:
    """Create a support team (administrators who serve every client); the lead is a member."""
    _require_staff_manager(actor)
    if lead is not None:
        _members([lead])
    team = accounts.create_team(
        name=_text(name, "name", limit=100, required=True), tier=tier, lead=lead, actor=actor
    )
    if members:
        team.members.add(*_members(members))
        audit.record_update(
            actor,
            "accounts.team",
            team.slug,
            label=team.name,
            before={"members": [lead.email] if lead else []},
            after=audit.snapshot(team, ("members",)),
        )
    return team


@transaction.atomic
def update_team(
    *,
    actor: User | None,
    team: Team,
    name: str = UNSET,
    tier: str = UNSET,
    lead: User | None = UNSET,
    members: list[User] = UNSET,
) -> Team:
    """Change a team's name, tier, lead or members (administrators who serve every client).
    The lead is always a member. The slug (its address) stays."""
    _require_staff_manager(actor)
    team = Team.objects.select_for_update().get(pk=team.pk)
    before = audit.snapshot(team, TEAM_AUDITED)
    if name is not UNSET:
        team.name = _text(name, "name", limit=100, required=True)
        if Team.objects.filter(name=team.name).exclude(pk=team.pk).exists():
            raise InvalidInput(f"a team named {team.name!r} exists", field="name")
    if tier is not UNSET:
        if tier not in Tier.values:
            raise InvalidInput(f"tier must be one of {', '.join(Tier.values)}", field="tier")
        team.tier = tier
    if lead is not UNSET:
        team.lead = _members([lead])[0] if lead is not None else None
    team.save()
    if members is not UNSET:
        team.members.set(_members(list(members)))
    if team.lead_id is not None:
        team.members.add(team.lead)
    audit.record_update(
        actor,
        "accounts.team",
        team.slug,
        label=team.name,
        before=before,
        after=audit.snapshot(team, TEAM_AUDITED),
    )
    return team


# -- the CSV import ----------------------------------------------------------------------------


@transaction.atomic
def import_contacts(
    *,
    actor: User | None,
    data: bytes,
    dry_run: bool = False,
    progress: Callable[[int, int], None] | None = None,
) -> imports.Plan:
    """Check a CSV file of contacts (see deskside.directory.imports) and, unless `dry_run`,
    create and update its valid rows, all in this one transaction, with one audit entry
    naming each address created or updated. Rows with an error are reported in the plan,
    never dropped silently; they change nothing. Raises BadFile for a file that cannot be read
    at all (nothing is imported). `progress(done, total)` is called every PROGRESS_EVERY rows
    written (the command line shows it)."""
    if actor is not None and not is_agent(actor):
        raise NotAllowed("only agents import contacts")
    plan = imports.plan(actor, data)
    if dry_run:
        return plan
    created: list[User] = []
    todo = [r for r in plan.rows if r.action in (imports.CREATE, imports.UPDATE)]
    for done, row in enumerate(todo, start=1):
        if row.action == imports.CREATE:
            created.append(_new_contact(row))
        else:
            _apply_update(row)
        if progress is not None and (done % PROGRESS_EVERY == 0 or done == len(todo)):
            progress(done, len(todo))
    if created:
        try:
            with transaction.atomic():
                User.objects.bulk_create(created, batch_size=500)
        except IntegrityError as exc:  # someone added one of these addresses since the check
            raise Conflict(
                "a contact of this file was added by someone else meanwhile: nothing was "
                "imported; check the file again",
                field="file",
            ) from exc
    plan.applied = True
    if plan.created or plan.updated:
        audit.record(
            actor,
            "imported",
            "directory.contacts",
            "csv",
            label=f"{plan.created} created, {plan.updated} updated, {plan.errors} refused",
            after={
                "created": [r.email for r in plan.rows if r.action == imports.CREATE],
                "updated": [r.email for r in plan.rows if r.action == imports.UPDATE],
                "errors": plan.errors,
            },
        )
    return plan


PROGRESS_EVERY = 500
_UNUSABLE = make_password(None)


def _new_contact(row: imports.Row) -> User:
    values = row.values
    organization = values["organization"]
    site = values.get("site")
    # bulk_create skips User.save(): the look-up columns are derived here as save would.
    return User(
        email=row.email,
        password=_UNUSABLE,
        kind=User.Kind.CUSTOMER,
        full_name=values.get("full_name", ""),
        phone=values.get("phone", ""),
        mobile=values.get("mobile", ""),
        organization=organization,
        site=site,
        is_org_admin=bool(values.get("is_org_admin", False)),
        is_vip=bool(values.get("is_vip", False)),
        timezone=site.timezone if site else organization.timezone,
    ).derive_keys()


def _apply_update(row: imports.Row) -> None:
    person = row.existing
    assert person is not None  # an UPDATE row always names the person it updates
    for field, value in row.values.items():
        if field != "organization":
            setattr(person, field, value)
    person.save()
