"""Who may see which directory rows. Every page and endpoint reads through these."""

from django.db.models import Q, QuerySet

from deskside.accounts.models import Organization, Site, User


def served_organization_ids(user: User) -> list[int] | None:
    """Organisation ids an agent is limited to, or None when the agent serves every client.

    Cached on the user object for the request, since queues ask for it repeatedly.
    """
    cached = getattr(user, "_served_org_ids", False)
    if cached is not False:
        return cached
    ids = list(user.served_organizations.values_list("id", flat=True)) or None
    user._served_org_ids = ids  # type: ignore[attr-defined]
    return ids


def serves(agent: User, organization_id: int) -> bool:
    """Whether `agent` serves the client `organization_id` (every agent not limited to some)."""
    ids = served_organization_ids(agent)
    return ids is None or organization_id in ids


def organizations_visible_to(user: User) -> QuerySet[Organization]:
    """Agents see the clients they serve (all, if unrestricted); customers their own."""
    qs = Organization.objects.all()
    if not user.is_authenticated or not user.is_active:
        return qs.none()
    if user.is_agent:
        ids = served_organization_ids(user)
        return qs if ids is None else qs.filter(id__in=ids)
    return qs.filter(id=user.organization_id)


def sites_visible_to(user: User) -> QuerySet[Site]:
    """Sites of the organisations `user` may see."""
    return Site.objects.select_related("organization").filter(
        organization__in=organizations_visible_to(user)
    )


def users_visible_to(user: User) -> QuerySet[User]:
    """Agents see every agent and the people of their clients; a customer sees the people of
    their own organisation (to add them as watchers). Which agents a customer may know (those
    who worked on their tickets) is the tickets app's to say: `tickets.queries.
    people_visible_to` adds them for the directory and the ticket API."""
    qs = User.objects.filter(is_active=True).select_related("organization")
    if not user.is_authenticated or not user.is_active:
        return qs.none()
    if user.is_agent:
        ids = served_organization_ids(user)
        if ids is None:
            return qs
        return qs.filter(Q(kind=User.Kind.AGENT) | Q(organization_id__in=ids))
    return qs.filter(kind=User.Kind.CUSTOMER, organization_id=user.organization_id)


def agents() -> QuerySet[User]:
    """Active agents, for assignment pickers."""
    return User.objects.filter(kind=User.Kind.AGENT, is_active=True)


def agents_serving(organization: Organization) -> QuerySet[User]:
    """Active agents who may work on `organization`'s tickets: those who serve every client
    (no `served_organizations`) and those who list it. For assignee and watcher pickers; the
    ticket services refuse the others (`tickets.rules.require_serves`)."""
    through = User.served_organizations.through.objects
    serves_it = through.filter(organization=organization).values("user_id")
    restricted = through.values("user_id")
    return agents().filter(Q(pk__in=serves_it) | ~Q(pk__in=restricted))


def person_shown_to(viewer: User | None, person: User) -> str:
    """`person`'s name as `viewer` may see it: a customer (or anyone not an agent) knows an
    agent by display name (first name), as the portal always showed; full names and tiers stay
    inside the MSP. Everyone else, and an agent looking at themself, by full name."""
    if person.is_agent and not (viewer is not None and viewer.is_agent) and viewer != person:
        return person.get_short_name()
    return person.get_full_name()
