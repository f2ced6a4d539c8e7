"""What an agent may see of remote access: the templates and sessions of the clients they
serve (customers: nothing), and the ticket panel's "Connect" options."""

from dataclasses import dataclass, field

from django.db.models import QuerySet

from deskside.accounts.models import User
from deskside.accounts.permissions import is_agent
from deskside.accounts.queries import served_organization_ids
from deskside.assets.models import (
    Asset,
    Lifecycle,
    RemoteAccessTemplate,
    RemoteSession,
    RemoteTool,
)
from deskside.tickets.models import Ticket

PANEL_ASSETS = 20
PANEL_SESSIONS = 20


def templates_visible_to(user: User) -> QuerySet[RemoteAccessTemplate]:
    """Agents: the templates of the clients they serve."""
    qs = RemoteAccessTemplate.objects.select_related("organization")
    if not is_agent(user):
        return qs.none()
    ids = served_organization_ids(user)
    return qs if ids is None else qs.filter(organization_id__in=ids)


def sessions_visible_to(user: User) -> QuerySet[RemoteSession]:
    """Agents: the sessions on the tickets of the clients they serve."""
    qs = RemoteSession.objects.select_related("ticket", "asset", "agent")
    if not is_agent(user):
        return qs.none()
    ids = served_organization_ids(user)
    return qs if ids is None else qs.filter(ticket__organization_id__in=ids)


@dataclass
class ConnectOption:
    tool: str
    label: str


@dataclass
class PanelAsset:
    asset: Asset
    options: list[ConnectOption] = field(default_factory=list)
    reason: str = ""  # why there is no Connect


def panel_assets(ticket: Ticket) -> list[Asset]:
    """The assets the panel offers: those linked to the ticket (AssetTicket), or, when none
    is, the assets assigned to the requester at the ticket's client."""
    linked = list(
        Asset.objects.filter(organization_id=ticket.organization_id, ticket_links__ticket=ticket)
        .order_by("asset_tag", "id")
        .distinct()[:PANEL_ASSETS]
    )
    if linked or ticket.requester_id is None:
        return linked
    return list(
        Asset.objects.filter(
            organization_id=ticket.organization_id, assigned_to_id=ticket.requester_id
        ).order_by("asset_tag", "id")[:PANEL_ASSETS]
    )


def connect_options(ticket: Ticket) -> list[PanelAsset]:
    """Per panel asset, the tools with both an identifier on the asset and a template for the
    client; a retired or disposed asset offers none (the reason says why)."""
    templates = {
        t.tool: t
        for t in RemoteAccessTemplate.objects.filter(organization_id=ticket.organization_id)
    }
    out = []
    for asset in panel_assets(ticket):
        row = PanelAsset(asset)
        if asset.status in (Lifecycle.RETIRED, Lifecycle.DISPOSED):
            row.reason = f"{asset.get_status_display()}: no remote control"
        else:
            for tool in RemoteTool:
                template = templates.get(tool.value)
                if template and asset.remote_id(tool.value).strip():
                    row.options.append(ConnectOption(tool.value, template.label or tool.label))
            if not row.options:
                row.reason = "No remote-access id with a link template for this client"
        out.append(row)
    return out


def ticket_sessions(user: User, ticket: Ticket) -> QuerySet[RemoteSession]:
    """The ticket's sessions, newest first."""
    return sessions_visible_to(user).filter(ticket=ticket).order_by("-started_at", "-id")
