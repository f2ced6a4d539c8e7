"""What an agent may see of vendor cases: those of the clients they serve (customers: none;
the issue gives RMAs to the desk only)."""

from django.db.models import Prefetch, Q, QuerySet

from deskside.accounts.models import User
from deskside.accounts.permissions import is_agent
from deskside.accounts.queries import served_organization_ids
from deskside.assets.models import Asset, Lifecycle, VendorCase, VendorCaseEntry
from deskside.tickets.models import Ticket

PANEL_ASSETS = 50

ENTRIES_NEWEST_FIRST = Prefetch(
    "entries",
    queryset=VendorCaseEntry.objects.select_related("recorded_by").order_by("-happened_at", "-id"),
)


def cases_visible_to(user: User) -> QuerySet[VendorCase]:
    qs = VendorCase.objects.select_related("ticket", "asset", "created_by")
    if not is_agent(user):
        return qs.none()
    ids = served_organization_ids(user)
    return qs if ids is None else qs.filter(organization_id__in=ids)


def assets_visible_to(user: User) -> QuerySet[Asset]:
    """Agents: the assets of the clients they serve (the RMA history's and the forms' asset
    look-ups)."""
    qs = Asset.objects.all()
    if not is_agent(user):
        return qs.none()
    ids = served_organization_ids(user)
    return qs if ids is None else qs.filter(organization_id__in=ids)


def ticket_cases(user: User, ticket: Ticket) -> QuerySet[VendorCase]:
    """The ticket's cases with their entries (newest first), open ones first."""
    return (
        cases_visible_to(user)
        .filter(ticket=ticket)
        .prefetch_related(ENTRIES_NEWEST_FIRST)
        .order_by("-status", "-opened_at", "-id")
    )


def asset_history(user: User, asset: Asset) -> QuerySet[VendorCase]:
    """The RMA history of an asset: all its cases, newest first, entries newest first."""
    return (
        cases_visible_to(user)
        .filter(asset=asset)
        .prefetch_related(ENTRIES_NEWEST_FIRST)
        .order_by("-opened_at", "-id")
    )


def case_assets(ticket: Ticket) -> list[Asset]:
    """The assets the panel's form offers for a case on `ticket`: those linked to the ticket,
    and the requester's, at the ticket's client, not disposed (any other asset of the client
    is named by its tag: `asset_by_tag`)."""
    qs = Asset.objects.filter(organization_id=ticket.organization_id).exclude(
        status=Lifecycle.DISPOSED
    )
    mine = Q(ticket_links__ticket=ticket)
    if ticket.requester_id:
        mine |= Q(assigned_to_id=ticket.requester_id)
    return list(qs.filter(mine).distinct().order_by("asset_tag", "id")[:PANEL_ASSETS])


def asset_by_tag(ticket: Ticket, tag: str) -> Asset | None:
    """The ticket's client's asset with this asset tag (or public id), or None."""
    text = tag.strip()
    if not text:
        return None
    qs = Asset.objects.filter(organization_id=ticket.organization_id)
    return qs.filter(asset_tag=text).first() or qs.filter(public_id=text).first()
