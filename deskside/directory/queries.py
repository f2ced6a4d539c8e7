"""Read side of the directory: which clients, sites, contacts, agents and teams a user may
see on the directory's pages and endpoints, and a contact's tickets.

Agents only (customers see nothing here: their own people are `accounts.queries`). An agent
limited to some clients (`served_organizations`) sees those clients, their sites and their
contacts, never another client's; every agent sees the agents and teams (they assign to them).
Unlike `accounts.queries.users_visible_to` (pickers), the directory lists deactivated contacts
and agents too: that is where they are reactivated.
"""

from django.db.models import Q, QuerySet

from deskside.accounts.models import Organization, Site, Team, User
from deskside.accounts.permissions import is_admin, is_agent
from deskside.accounts.phones import to_e164
from deskside.accounts.queries import organizations_visible_to, served_organization_ids
from deskside.tickets.models import Ticket
from deskside.tickets.queries import LIST_RELATED, visible_tickets


def serves_every_client(user: User) -> bool:
    """An agent not limited to some clients."""
    return is_agent(user) and served_organization_ids(user) is None


def may_manage_staff(user: User) -> bool:
    """Who may create clients and manage agents and teams: an administrator who serves every
    client (a restricted admin could otherwise grant access to clients they cannot see)."""
    return is_admin(user) and served_organization_ids(user) is None


def clients_visible_to(user: User) -> QuerySet[Organization]:
    """The organisations an agent serves (the MSP's own included); none for anyone else."""
    if not is_agent(user):
        return Organization.objects.none()
    return organizations_visible_to(user).order_by("name", "slug")


def client_for(user: User, slug: str) -> Organization | None:
    return clients_visible_to(user).filter(slug=slug).first()


def sites_of(user: User, organization: Organization) -> QuerySet[Site]:
    return Site.objects.filter(organization=organization).order_by("name", "id")


def site_for(user: User, public_id: str) -> Site | None:
    return (
        Site.objects.select_related("organization")
        .filter(organization__in=clients_visible_to(user), public_id=public_id)
        .first()
    )


def contacts_visible_to(user: User) -> QuerySet[User]:
    """Customers of the clients an agent serves, active or not; none for anyone else."""
    if not is_agent(user):
        return User.objects.none()
    qs = User.objects.filter(kind=User.Kind.CUSTOMER).select_related("organization", "site")
    ids = served_organization_ids(user)
    return qs if ids is None else qs.filter(organization_id__in=ids)


def contact_for(user: User, public_id: str) -> User | None:
    return contacts_visible_to(user).filter(public_id=public_id).first()


def search_contacts(
    qs: QuerySet[User],
    *,
    text: str = "",
    client: Organization | None = None,
    active: bool | None = None,
) -> QuerySet[User]:
    """Contacts narrowed by words of their name or email, or a phone number in any format
    (compared in E.164), by client and by state; ordered by name."""
    text = text.strip()
    if text:
        match = Q()
        for word in text.split()[:5]:
            match &= Q(full_name__icontains=word) | Q(email__icontains=word)
        number = to_e164(text)
        if number and sum(ch.isdigit() for ch in text) >= 5:
            match |= Q(phone_e164=number) | Q(mobile_e164=number)
        qs = qs.filter(match)
    if client is not None:
        qs = qs.filter(organization=client)
    if active is not None:
        qs = qs.filter(is_active=active)
    return qs.order_by("full_name", "email", "id")


def tickets_of(viewer: User, contact: User) -> QuerySet[Ticket]:
    """The tickets `contact` requested that `viewer` may see, newest first (by the
    requester index)."""
    return (
        visible_tickets(viewer)
        .filter(requester=contact)
        .select_related(*LIST_RELATED)
        .order_by("-id")
    )


def agents_listed(user: User) -> QuerySet[User]:
    """Every agent, active or not, with their teams and served clients (agents only)."""
    if not is_agent(user):
        return User.objects.none()
    return (
        User.objects.filter(kind=User.Kind.AGENT)
        .prefetch_related("teams", "served_organizations")
        .order_by("full_name", "email", "id")
    )


def agent_for(user: User, public_id: str) -> User | None:
    return agents_listed(user).filter(public_id=public_id).first()


def teams_listed(user: User) -> QuerySet[Team]:
    if not is_agent(user):
        return Team.objects.none()
    return Team.objects.select_related("lead").prefetch_related("members").order_by("tier", "name")


def team_for(user: User, slug: str) -> Team | None:
    return teams_listed(user).filter(slug=slug).first()
