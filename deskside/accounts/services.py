"""Directory operations: organisations, sites, people, teams and API tokens.

Each function is one transaction. Raises `InvalidInput` naming the field that was wrong.
Changes to teams, people's roles and the sign-in security policy write an audit entry
(deskside.core.audit) in the same transaction; `actor` None is the system (a command, the
demo seeder).
"""

import zoneinfo

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.utils.text import slugify
from user_sessions.models import Session

from deskside.accounts.exceptions import InvalidInput
from deskside.accounts.models import (
    ApiToken,
    Organization,
    SecurityPolicy,
    Site,
    Team,
    Tier,
    User,
    hash_token,
)
from deskside.core import audit, clock


def validate_timezone(name: str, *, field: str = "timezone") -> str:
    """Return `name` if it is an IANA time zone, else raise InvalidInput."""
    try:
        zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError) as exc:
        raise InvalidInput(f"unknown time zone {name!r}", field=field) from exc
    return name


@transaction.atomic
def create_organization(
    *,
    name: str,
    slug: str = "",
    timezone: str = "UTC",
    is_msp: bool = False,
    email_domains: str = "",
) -> Organization:
    """Create a client organisation. The slug defaults to one made from the name."""
    name = name.strip()
    if not name:
        raise InvalidInput("an organisation needs a name", field="name")
    slug = slugify(slug or name)[:60]
    if not slug:
        raise InvalidInput("the slug must contain letters or digits", field="slug")
    if Organization.objects.filter(slug=slug).exists():
        raise InvalidInput(f"an organisation with slug {slug!r} exists", field="slug")
    return Organization.objects.create(
        name=name,
        slug=slug,
        timezone=validate_timezone(timezone),
        is_msp=is_msp,
        email_domains=email_domains,
    )


@transaction.atomic
def create_site(
    *,
    organization: Organization,
    name: str,
    address: str = "",
    timezone: str | None = None,
    latitude: float | None = None,
    longitude: float | None = None,
    access_notes: str = "",
) -> Site:
    """Create a site of `organization`; its time zone defaults to the organisation's."""
    name = name.strip()
    if not name:
        raise InvalidInput("a site needs a name", field="name")
    if organization.sites.filter(name=name).exists():
        raise InvalidInput(f"{organization} already has a site named {name!r}", field="name")
    return Site.objects.create(
        organization=organization,
        name=name,
        address=address,
        timezone=validate_timezone(timezone or organization.timezone),
        latitude=latitude,
        longitude=longitude,
        access_notes=access_notes,
    )


@transaction.atomic
def create_user(
    *,
    email: str,
    full_name: str = "",
    password: str | None = None,
    kind: str = "customer",
    organization: Organization | None = None,
    site: Site | None = None,
    tier: str = "",
    is_org_admin: bool = False,
    teams: list[Team] | None = None,
    phone: str = "",
    mobile: str = "",
    is_vip: bool = False,
    is_staff: bool = False,
    is_superuser: bool = False,
    timezone: str = "UTC",
) -> User:
    """Create an agent or a customer.

    A customer needs an organisation (and a site of that organisation, if any); an agent needs
    a tier (default L1). Only agents may be staff or superusers (the Django admin sees every
    client's data). Without a password the user cannot sign in until one is set.
    """
    email = (email or "").strip().lower()
    try:
        validate_email(email)
    except ValidationError as exc:
        raise InvalidInput(f"{email!r} is not a valid email address", field="email") from exc
    if kind not in User.Kind.values:
        raise InvalidInput(f"kind must be one of {', '.join(User.Kind.values)}", field="kind")
    if kind == User.Kind.CUSTOMER:
        if organization is None:
            raise InvalidInput("a customer belongs to an organisation", field="organization")
        if is_staff or is_superuser:
            raise InvalidInput("a customer cannot be staff or a superuser", field="kind")
        tier = ""
    else:
        tier = tier or Tier.L1
        if tier not in Tier.values:
            raise InvalidInput(f"tier must be one of {', '.join(Tier.values)}", field="tier")
    if site is not None and organization is not None and site.organization_id != organization.id:
        raise InvalidInput("the site belongs to another organisation", field="site")
    if User.objects.filter(email=email).exists():
        raise InvalidInput(f"a user with email {email} exists", field="email")
    try:
        user = User.objects.create_user(
            email,
            password,
            full_name=full_name.strip(),
            kind=kind,
            organization=organization,
            site=site,
            tier=tier,
            is_org_admin=is_org_admin and kind == User.Kind.CUSTOMER,
            phone=phone.strip(),
            mobile=mobile.strip(),
            is_vip=is_vip,
            is_staff=is_staff,
            is_superuser=is_superuser,
            timezone=validate_timezone(timezone),
        )
    except IntegrityError as exc:  # a concurrent create with the same email
        raise InvalidInput(f"a user with email {email} exists", field="email") from exc
    if teams:
        user.teams.set(teams)
    return user


TEAM_AUDITED = ("name", "slug", "tier", "lead")
ROLE_AUDITED = ("is_staff", "is_org_admin", "tier", "teams")


@transaction.atomic
def create_team(
    *, name: str, tier: str = Tier.L1, lead: User | None = None, actor: User | None = None
) -> Team:
    """Create a support team."""
    if not name.strip():
        raise InvalidInput("a team needs a name", field="name")
    if tier not in Tier.values:
        raise InvalidInput(f"tier must be one of {', '.join(Tier.values)}", field="tier")
    slug = slugify(name)[:60]
    if Team.objects.filter(slug=slug).exists():
        raise InvalidInput(f"a team named {name!r} exists", field="name")
    team = Team.objects.create(name=name.strip(), slug=slug, tier=tier, lead=lead)
    if lead is not None:
        lead.teams.add(team)
    audit.record(
        actor,
        audit.CREATED,
        "accounts.team",
        team.slug,
        label=team.name,
        after=audit.snapshot(team, TEAM_AUDITED),
    )
    return team


_UNSET: object = object()


@transaction.atomic
def set_roles(
    *,
    actor: User | None,
    user: User,
    is_staff: bool | object = _UNSET,
    is_org_admin: bool | object = _UNSET,
    tier: str | object = _UNSET,
    teams: list[Team] | object = _UNSET,
) -> User:
    """Change what a person may do: the admin role (`is_staff`, agents only), a customer's
    organisation-admin flag, an agent's tier and teams (only the arguments given). Writes one
    audit entry with the roles that changed."""
    user = User.objects.select_for_update().get(pk=user.pk)
    old = audit.snapshot(user, ROLE_AUDITED)
    agent = user.kind == User.Kind.AGENT
    if is_staff is not _UNSET:
        if is_staff and not agent:
            raise InvalidInput("a customer cannot be an administrator", field="is_staff")
        user.is_staff = bool(is_staff)
    if is_org_admin is not _UNSET:
        if is_org_admin and agent:
            raise InvalidInput("only customers are organisation admins", field="is_org_admin")
        user.is_org_admin = bool(is_org_admin)
    if tier is not _UNSET:
        if not agent or tier not in Tier.values:
            raise InvalidInput(f"tier must be one of {', '.join(Tier.values)}", field="tier")
        user.tier = tier
    user.save(update_fields=["is_staff", "is_org_admin", "tier"])
    if teams is not _UNSET:
        user.teams.set(teams)  # type: ignore[arg-type]
    audit.record_update(
        actor,
        "accounts.user",
        user.public_id,
        label=user.email,
        before=old,
        after=audit.snapshot(user, ROLE_AUDITED),
        action="roles_changed",
    )
    return user


@transaction.atomic
def create_api_token(*, user: User, name: str = "") -> str:
    """Create an API token for `user` and return the raw token (shown once, stored hashed)."""
    raw = ApiToken.generate()
    ApiToken.objects.create(user=user, name=name, prefix=raw[:10], token_hash=hash_token(raw))
    return raw


def user_for_token(raw: str) -> User | None:
    """Return the active user a bearer token belongs to, or None for an unknown/revoked token."""
    if not raw or len(raw) > 200:
        return None
    token = (
        ApiToken.objects.select_related("user")
        .filter(token_hash=hash_token(raw), revoked_at__isnull=True)
        .first()
    )
    if token is None or not token.user.is_active:
        return None
    now = clock.now()
    # Write last use at most once a minute: a busy integration must not turn reads into writes.
    if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 60:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user


@transaction.atomic
def revoke_api_token(*, token: ApiToken) -> None:
    """Revoke a token; requests with it are refused from now on."""
    ApiToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(revoked_at=clock.now())


def end_other_sessions(user: User, keep: str | None) -> int:
    """Ends every session of `user` but the one keyed `keep` (all when None); how many."""
    sessions = Session.objects.filter(user=user)
    if keep:
        sessions = sessions.exclude(session_key=keep)
    return sessions.delete()[0]


@transaction.atomic
def set_agent_mfa_required(*, actor: User, required: bool) -> SecurityPolicy:
    """Admins: whether every agent must sign in with a second factor (SecurityPolicy)."""
    policy, _ = SecurityPolicy.objects.select_for_update().get_or_create(pk=1)
    old = audit.snapshot(policy, ["require_agent_mfa"])
    policy.require_agent_mfa = required
    policy.updated_at = clock.now()
    policy.updated_by = actor
    policy.save()
    audit.record_update(
        actor,
        "accounts.security_policy",
        "security-policy",
        label=str(policy),
        before=old,
        after=audit.snapshot(policy, ["require_agent_mfa"]),
    )
    return policy


@transaction.atomic
def reset_agent_mfa(*, actor: User, agent: User, keep_session: str | None = None) -> int:
    """Admins: remove an agent's second-factor devices (a lost phone) and end the agent's
    sessions (but `keep_session`, the admin's own); how many devices went."""
    from deskside.accounts import mfa  # noqa: PLC0415 - mfa loads django_otp's models

    removed = mfa.reset_devices(agent)
    end_other_sessions(agent, keep=keep_session)
    audit.record(actor, "mfa_reset", "accounts.user", agent.public_id, label=agent.email)
    return removed
