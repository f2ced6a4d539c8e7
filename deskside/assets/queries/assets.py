"""Who sees which assets, and the reads of the asset pages and API.

Visibility (`assets_visible_to`), used by every page and endpoint of the registry:

- an active agent sees the assets of the clients they serve (all clients when unrestricted);
- a customer who is an organisation admin (`is_org_admin`) sees their own organisation's
  assets, read-only; any other customer sees none (the portal page answers 403).

The list is sorted by tag (then id, unique), which the index `asset_org_tag`
(organization, asset_tag, id) serves for one client; the status filter has
`asset_org_status`. Pages never count the table (core.pagination).
"""

from dataclasses import dataclass

from django.db.models import Q, QuerySet

from deskside.accounts.models import Organization, User
from deskside.accounts.permissions import is_agent, is_customer
from deskside.accounts.queries import organizations_visible_to, served_organization_ids
from deskside.assets.models import Asset, AssetEvent, AssetTicket
from deskside.tickets.models import Ticket
from deskside.tickets.queries import visible_tickets

LIST_RELATED = ("organization", "site", "assigned_to")
SEARCH_MAX = 100


def is_portal_viewer(user: User) -> bool:
    """A customer who may read their organisation's assets: an active organisation admin."""
    return is_customer(user) and bool(user.is_org_admin) and user.organization_id is not None


def assets_visible_to(user: User) -> QuerySet[Asset]:
    """The assets `user` may see (see the module's docstring)."""
    qs = Asset.objects.all()
    if is_agent(user):
        ids = served_organization_ids(user)
        return qs if ids is None else qs.filter(organization_id__in=ids)
    if is_portal_viewer(user):
        return qs.filter(organization_id=user.organization_id)
    return qs.none()


def clients_for(user: User) -> QuerySet[Organization]:
    """The clients whose assets `user` may list (never the MSP itself), by name."""
    if not (is_agent(user) or is_portal_viewer(user)):
        return Organization.objects.none()
    return organizations_visible_to(user).filter(is_msp=False).order_by("name")


@dataclass(frozen=True)
class AssetFilters:
    """The list's filters; empty means "any"."""

    organization: Organization | None = None
    status: str = ""
    kind: str = ""
    site_id: int | None = None
    q: str = ""


def search_q(text: str) -> Q:
    """Assets whose tag or serial starts with `text`, or whose name or assigned person's name
    contains it (case-insensitive)."""
    text = text.strip()[:SEARCH_MAX]
    return (
        Q(asset_tag__istartswith=text)
        | Q(serial__istartswith=text)
        | Q(name__icontains=text)
        | Q(assigned_to__full_name__icontains=text)
    )


def asset_list(user: User, filters: AssetFilters) -> QuerySet[Asset]:
    """The assets `user` sees that match `filters`, sorted by client, tag and id (a unique
    order, as paging needs)."""
    qs = assets_visible_to(user).select_related(*LIST_RELATED)
    if filters.organization is not None:
        qs = qs.filter(organization=filters.organization)
    if filters.status:
        qs = qs.filter(status=filters.status)
    if filters.kind:
        qs = qs.filter(kind=filters.kind)
    if filters.site_id is not None:
        qs = qs.filter(site_id=filters.site_id)
    if filters.q.strip():
        qs = qs.filter(search_q(filters.q))
    return qs.order_by("organization_id", "asset_tag", "id")


def asset_for(user: User, public_id: str) -> Asset | None:
    """The asset `public_id` if `user` may see it, with its client, site and person."""
    return assets_visible_to(user).select_related(*LIST_RELATED).filter(public_id=public_id).first()


def timeline(asset: Asset) -> QuerySet[AssetEvent]:
    """The asset's own timeline, oldest first, with who did each step."""
    return (
        AssetEvent.objects.filter(asset=asset).select_related("actor").order_by("created_at", "id")
    )


def linked_tickets(user: User, asset: Asset) -> QuerySet[AssetTicket]:
    """The links of `asset` to the tickets `user` may see, newest first."""
    return (
        AssetTicket.objects.filter(asset=asset, ticket__in=visible_tickets(user).values("pk"))
        .select_related("ticket", "linked_by")
        .order_by("-linked_at", "-id")
    )


def ticket_assets(user: User, ticket: Ticket) -> QuerySet[AssetTicket]:
    """The links of `ticket` to assets `user` may see (the ticket panel, the API)."""
    return (
        AssetTicket.objects.filter(ticket=ticket, asset__in=assets_visible_to(user))
        .select_related("asset", "asset__assigned_to", "asset__site", "linked_by")
        .order_by("linked_at", "id")
    )


def link_candidates(user: User, ticket: Ticket, text: str, limit: int = 10) -> list[Asset]:
    """Assets of the ticket's client matching `text` (tag or serial prefix, name), not yet
    linked to it and not disposed: the panel's "link an asset" search."""
    if not text.strip():
        return []
    return list(
        assets_visible_to(user)
        .filter(organization_id=ticket.organization_id)
        .filter(
            Q(asset_tag__istartswith=text.strip()[:SEARCH_MAX])
            | Q(serial__istartswith=text.strip()[:SEARCH_MAX])
            | Q(name__icontains=text.strip()[:SEARCH_MAX])
        )
        .exclude(status="disposed")
        .exclude(ticket_links__ticket=ticket)
        .select_related("assigned_to")
        .order_by("asset_tag", "id")[:limit]
    )


def requester_suggestions(user: User, ticket: Ticket, limit: int = 10) -> list[Asset]:
    """The ticket requester's assigned assets (of the ticket's client), not yet linked."""
    if ticket.requester_id is None:
        return []
    return list(
        assets_visible_to(user)
        .filter(organization_id=ticket.organization_id, assigned_to_id=ticket.requester_id)
        .exclude(status="disposed")
        .exclude(ticket_links__ticket=ticket)
        .order_by("asset_tag", "id")[:limit]
    )
