"""Demo data of vendor RMAs: a Dell laptop at Acme in repair, with a ticket pending the
vendor and a Dell case on it: opened nine days ago, the laptop shipped to Dell's depot (with
its tracking number), Dell's confirmation six days ago, and nothing since: quiet for six days
with the default five, so the demo's worker (`assets.worker.rma_pass`) reminds the assignee
on its first pass.

Call `seed_demo()` once after the main demo (`deskside.demo.load`); everything goes through
the services, at times in the past, so both timelines run forward. An Acme Dell laptop in
repair from the assets demo is used when there is one; otherwise one is made. Run twice, it
adds nothing.
"""

from datetime import timedelta

from deskside.accounts.models import Organization, User
from deskside.assets.models import (
    Asset,
    AssetEvent,
    AssetEventKind,
    AssetKind,
    Lifecycle,
    VendorCase,
)
from deskside.assets.services import rma
from deskside.core import clock
from deskside.tickets import services as tickets
from deskside.tickets.models import Channel, Status

CLIENT = "acme"
AGENT = "leo@deskside.example"
REQUESTER = "carol@acme.example"
VENDOR = "Dell"
CASE_NUMBER = "SR 1187-42096"


def _laptop(acme: Organization, agent: User, requester: User) -> Asset:
    found = (
        Asset.objects.filter(
            organization=acme,
            kind=AssetKind.LAPTOP,
            status=Lifecycle.IN_REPAIR,
            make__iexact="Dell",
        )
        .order_by("asset_tag", "id")
        .first()
    )
    if found is not None:
        return found
    made = Asset.objects.create(
        organization=acme,
        kind=AssetKind.LAPTOP,
        name="ACME-LT-0107",
        asset_tag="ACME-0107",
        make="Dell",
        model="Latitude 7440",
        serial="7HX2QK3",
        status=Lifecycle.IN_REPAIR,
        assigned_to=requester,
        vendor="Dell",
        notes="ProSupport warranty; depot repair.",
        created_at=clock.now(),
        updated_at=clock.now(),
    )
    AssetEvent.objects.create(
        asset=made, kind=AssetEventKind.CREATED, actor=agent, body="Added by the demo"
    )
    return made


def seed_demo() -> VendorCase | None:
    """Seed (see the module docstring); returns the case, or None without the demo's people."""
    acme = Organization.objects.filter(slug=CLIENT).first()
    agent = User.objects.filter(email=AGENT).first()
    requester = User.objects.filter(email=REQUESTER).first()
    if acme is None or agent is None or requester is None:
        return None
    done = VendorCase.objects.filter(
        organization=acme, vendor=VENDOR, case_number=CASE_NUMBER
    ).first()
    if done is not None:
        return done
    now = clock.now()
    laptop = _laptop(acme, agent, requester)
    with clock.frozen(now - timedelta(days=9, hours=2)):
        ticket = tickets.create_ticket(
            actor=agent,
            ticket=tickets.NewTicket(
                requester=requester,
                organization=acme,
                subject="Laptop keyboard and trackpad dead after a coffee spill",
                description="Half the keys and the trackpad do not respond. Loan laptop given.",
                channel=Channel.PHONE,
                assignee=agent,
            ),
        ).ticket
    with clock.frozen(now - timedelta(days=9)):
        case = rma.open_case(
            actor=agent, ticket=ticket, vendor=VENDOR, case_number=CASE_NUMBER, asset=laptop
        )
        tickets.set_status(
            actor=agent,
            ticket=ticket,
            status=Status.PENDING_VENDOR,
            reason=f"Dell depot repair, case {CASE_NUMBER}",
        )
    with clock.frozen(now - timedelta(days=8, hours=20)):
        rma.add_entry(
            actor=agent,
            case=case,
            kind="shipped",
            what="Latitude 7440 (service tag 7HX2QK3) with its charger, in Dell's box",
            tracking="1Z 999 AA1 01 2345 6784",
        )
    with clock.frozen(now - timedelta(days=6, hours=1)):
        rma.add_entry(
            actor=agent,
            case=case,
            kind="contact",
            what="Dell confirmed receipt at the depot: keyboard and palm rest to be replaced, "
            "5-7 business days.",
        )
    case.refresh_from_db()
    return case
