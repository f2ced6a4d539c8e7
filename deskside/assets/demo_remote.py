"""Demo data of remote control: Acme's MeshCentral and RustDesk link templates (set by the
demo administrator through the audited service), remote-access ids on a few of Acme's
laptops and desktops, and one ended remote session on a resolved Acme ticket.

Call `seed_demo()` once after the main demo (`deskside.demo.load`). When no Acme asset exists
yet (the assets demo of another part not loaded), one Dell laptop assigned to a requester of
a resolved ticket is made. Run twice, it adds nothing.
"""

from datetime import timedelta

from deskside.accounts.models import Organization, User
from deskside.assets.models import (
    Asset,
    AssetEvent,
    AssetEventKind,
    AssetKind,
    Lifecycle,
    RemoteAccessTemplate,
    RemoteSession,
)
from deskside.assets.services import remote
from deskside.core import clock
from deskside.tickets.models import Status, Ticket, TicketType

CLIENT = "acme"
ADMIN = "admin@deskside.example"
AGENT = "ana@deskside.example"
TEMPLATES = (
    ("meshcentral", "https://mesh.deskside.example/?gotonode={id}&viewmode=11", "MeshCentral"),
    ("rustdesk", "rustdesk://{id}", "RustDesk"),
)
WITH_IDS = 4
SUMMARY = "Cleared the stuck print queue and reinstalled the floor 2 printer driver."


def _ids(n: int) -> dict[str, str]:
    return {
        "meshcentral_id": f"node//demo{n:04d}Xq7$acme",
        "rustdesk_id": f"{418_200_100 + n * 7919}",
    }


def _give_ids(acme: Organization, admin: User, requester: User | None) -> list[Asset]:
    """Remote-access ids on a few deployed Acme computers (the requester's first)."""
    computers = Asset.objects.filter(
        organization=acme,
        status=Lifecycle.DEPLOYED,
        kind__in=(AssetKind.LAPTOP, AssetKind.DESKTOP),
    ).order_by("asset_tag", "id")
    mine = list(computers.filter(assigned_to=requester)[:1]) if requester else []
    chosen = mine + [a for a in computers[: WITH_IDS + 1] if a not in mine][: WITH_IDS - len(mine)]
    if not chosen and requester is not None:
        now = clock.now()
        made = Asset.objects.create(
            organization=acme,
            kind=AssetKind.LAPTOP,
            name="ACME-LT-0201",
            asset_tag="ACME-0201",
            make="Dell",
            model="Latitude 5440",
            serial="5CG3210DMO",
            status=Lifecycle.DEPLOYED,
            assigned_to=requester,
            vendor="Dell",
            created_at=now,
            updated_at=now,
        )
        AssetEvent.objects.create(
            asset=made, kind=AssetEventKind.CREATED, actor=admin, body="Added by the demo"
        )
        chosen = [made]
    for n, asset in enumerate(chosen, start=1):
        if asset.meshcentral_id or asset.rustdesk_id:
            continue
        ids = _ids(n)
        Asset.objects.filter(pk=asset.pk).update(**ids, updated_at=clock.now())
        AssetEvent.objects.create(
            asset=asset,
            kind=AssetEventKind.CHANGED,
            actor=admin,
            body="Remote-access ids recorded (MeshCentral, RustDesk)",
            data={"values": {k: ["", v] for k, v in ids.items()}},
        )
    return list(Asset.objects.filter(pk__in=[a.pk for a in chosen]).order_by("asset_tag", "id"))


def seed_demo() -> RemoteSession | None:
    """Seed (see the module docstring); returns the demo session, or None without Acme."""
    acme = Organization.objects.filter(slug=CLIENT).first()
    admin = User.objects.filter(email=ADMIN).first()
    agent = User.objects.filter(email=AGENT).first() or admin
    if acme is None or admin is None or agent is None:
        return None
    for tool, url, label in TEMPLATES:
        if not RemoteAccessTemplate.objects.filter(organization=acme, tool=tool).exists():
            remote.create_template(
                actor=admin, organization=acme, tool=tool, url_template=url, label=label
            )
    done = RemoteSession.objects.filter(ticket__organization=acme).order_by("id").first()
    if done is not None:
        return done
    # A resolved incident with no asset linked yet: its panel offers the requester's own
    # devices (the work orders and project children of the demo are service requests, some
    # linked to assets without remote ids).
    ticket = (
        Ticket.objects.filter(
            organization=acme,
            status=Status.RESOLVED,
            type=TicketType.INCIDENT,
            requester__isnull=False,
            asset_links__isnull=True,
        )
        .order_by("-resolved_at", "-id")
        .first()
    )
    assets = _give_ids(acme, admin, ticket.requester if ticket else None)
    if ticket is None or not assets:
        return None
    asset = next((a for a in assets if a.assigned_to_id == ticket.requester_id), assets[0])
    # after the ticket's last event (a demo timeline runs forward), 18 minutes long
    last = ticket.events.order_by("-created_at").values_list("created_at", flat=True).first()
    start = clock.now() - timedelta(minutes=25)
    if last is not None:
        start = max(start, last + timedelta(seconds=30))
    with clock.frozen(start):
        session = remote.start_session(actor=agent, ticket=ticket, asset=asset, tool="rustdesk")
    with clock.frozen(start + timedelta(minutes=18)):
        return remote.end_session(actor=agent, session=session, summary=SUMMARY)
