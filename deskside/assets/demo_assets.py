"""Demo assets (call `seed_demo()` once after `deskside.demo.load`): Acme's fleet, built
through the services so every asset has its timeline:

- laptops deployed to Acme's demo contacts (Carol, Olivia, Hector, Priya, Tom) with RustDesk
  or TeamViewer ids, spares in stock, one ordered;
- desktops, monitors, two printers, a UPS and a server in the server room (RMM and MeshCentral
  ids);
- two assets in repair (a laptop and a printer);
- five retired laptops with serials (ACM-LT-R01..R05): the disposal demo hands some of them
  to a disposal company;
- warranty dates relative to today (Acme's date), so the warranty report has rows in each
  window (30, 60, 90 days) and deployed assets already out of warranty;
- the requesters' laptops linked to a few of their Acme tickets;
- a handful of Globex assets (another client: never in Acme's lists).

Idempotent: a second call finds ACM-LT-001 and does nothing.
"""

from datetime import date, timedelta

from deskside.accounts.models import Organization, Site, User
from deskside.assets.models import Asset, AssetKind, Lifecycle
from deskside.assets.queries.asset_reports import client_today
from deskside.assets.services import assets as svc
from deskside.tickets.models import Ticket

MARKER = "ACM-LT-001"


def _actor() -> User | None:
    agents = User.objects.filter(kind=User.Kind.AGENT, is_active=True)
    unrestricted = agents.filter(served_organizations__isnull=True)
    return (
        unrestricted.filter(email="admin@deskside.example").first()
        or unrestricted.order_by("id").first()
    )


def _years_ago(today: date, years: float) -> date:
    return today - timedelta(days=round(years * 365))


def seed_demo() -> list[Asset]:
    """Create the demo assets (see the module docstring); [] when already there or when the
    base demo is not loaded."""
    acme = Organization.objects.filter(slug="acme").first()
    actor = _actor()
    if acme is None or actor is None or Asset.objects.filter(asset_tag=MARKER).exists():
        return []
    today = client_today(acme)
    sites = list(Site.objects.filter(organization=acme).order_by("id"))
    site = sites[0] if sites else None
    people = {
        u.email.split("@")[0]: u
        for u in User.objects.filter(organization=acme, kind=User.Kind.CUSTOMER, is_active=True)
    }
    made: list[Asset] = []

    def add(
        tag: str,
        kind: str,
        make: str,
        model: str,
        *,
        status: str = Lifecycle.DEPLOYED,
        then: str | None = None,
        who: str | None = None,
        bought: date,
        warranty: date,
        **extra,
    ) -> Asset:
        person = people.get(who) if who else None
        asset = svc.create_asset(
            actor,
            organization=acme,
            status=status,
            kind=kind,
            asset_tag=tag,
            make=make,
            model=model,
            serial=extra.pop("serial", f"{tag.replace('-', '')}X{len(made):04d}"),
            assigned_to=person,
            site=(person.site if person and person.site else site),
            purchase_date=bought,
            warranty_end=warranty,
            vendor=extra.pop("vendor", "CDW"),
            **extra,
        )
        if then:
            asset = svc.change_status(actor, asset=asset, status=then, note=extra.get("notes", ""))
        made.append(asset)
        return asset

    laptop = ("Lenovo", "ThinkPad T14 Gen 3")
    # deployed laptops: one warranty ends within 30 days, one within 60, one within 90, two over
    add(
        "ACM-LT-001",
        AssetKind.LAPTOP,
        *laptop,
        who="carol",
        bought=_years_ago(today, 3) + timedelta(days=12),
        warranty=today + timedelta(days=12),
        rustdesk_id="184 220 731",
        name="ACME-LT-CAROL",
    )
    add(
        "ACM-LT-002",
        AssetKind.LAPTOP,
        *laptop,
        who="olivia",
        bought=_years_ago(today, 3) + timedelta(days=45),
        warranty=today + timedelta(days=45),
        teamviewer_id="1 204 559 871",
        name="ACME-LT-OLIVIA",
    )
    add(
        "ACM-LT-003",
        AssetKind.LAPTOP,
        "Dell",
        "Latitude 5440",
        who="hector",
        bought=_years_ago(today, 3) + timedelta(days=75),
        warranty=today + timedelta(days=75),
        rustdesk_id="301 778 912",
        name="ACME-LT-HECTOR",
    )
    add(
        "ACM-LT-004",
        AssetKind.LAPTOP,
        *laptop,
        who="priya",
        bought=_years_ago(today, 4),
        warranty=_years_ago(today, 1),
        name="ACME-LT-PRIYA",
    )
    add(
        "ACM-LT-005",
        AssetKind.LAPTOP,
        "Dell",
        "Latitude 7420",
        who="tom",
        bought=_years_ago(today, 3.5),
        warranty=_years_ago(today, 0.5),
        name="ACME-LT-TOM",
    )
    add(
        "ACM-LT-006",
        AssetKind.LAPTOP,
        *laptop,
        status=Lifecycle.IN_STOCK,
        bought=_years_ago(today, 0.3),
        warranty=_years_ago(today, -2.7),
        notes="Spare",
    )
    add(
        "ACM-LT-007",
        AssetKind.LAPTOP,
        "Lenovo",
        "ThinkPad T14 Gen 5",
        status=Lifecycle.ORDERED,
        bought=today,
        warranty=_years_ago(today, -3),
        notes="For the new starter in March",
    )
    # in repair: a laptop with a cracked screen, a printer with its fuser
    add(
        "ACM-LT-008",
        AssetKind.LAPTOP,
        *laptop,
        bought=_years_ago(today, 2),
        warranty=_years_ago(today, -1),
        then=Lifecycle.IN_REPAIR,
        notes="Cracked screen: with Lenovo depot repair",
    )
    # retired laptops, with serials: the disposal batch's candidates
    for n in range(1, 6):
        add(
            f"ACM-LT-R0{n}",
            AssetKind.LAPTOP,
            "HP",
            "EliteBook 840 G5",
            status=Lifecycle.IN_STOCK,
            then=Lifecycle.RETIRED,
            serial=f"5CG84{n}7QX{n}",
            bought=date(2018, 9, 1 + n),
            warranty=date(2021, 9, 1 + n),
            notes="End of life: replaced by a ThinkPad T14",
        )
    for n, who in enumerate(("carol", "hector", "priya"), 1):
        add(
            f"ACM-DT-00{n}",
            AssetKind.DESKTOP,
            "Dell",
            "OptiPlex 7010",
            who=who,
            bought=_years_ago(today, 1 + n),
            warranty=_years_ago(today, n - 2),
        )
    for n, who in enumerate(("carol", "carol", "olivia", "hector", "priya", "tom"), 1):
        add(
            f"ACM-MN-00{n}",
            AssetKind.MONITOR,
            "Dell",
            "P2422H",
            who=who,
            bought=_years_ago(today, 1.5 + n / 2),
            warranty=_years_ago(today, n / 2 - 1.5),
        )
    add(
        "ACM-PR-001",
        AssetKind.PRINTER,
        "HP",
        "Color LaserJet Pro M479fdw",
        bought=_years_ago(today, 2.5),
        warranty=today + timedelta(days=20),
        name="PRN-FLOOR2",
    )
    add(
        "ACM-PR-002",
        AssetKind.PRINTER,
        "HP",
        "LaserJet M507",
        bought=_years_ago(today, 4),
        warranty=_years_ago(today, 1),
        then=Lifecycle.IN_REPAIR,
        name="PRN-WAREHOUSE",
        notes="Paper jams: fuser ordered",
    )
    add(
        "ACM-UPS-01",
        AssetKind.UPS,
        "APC",
        "Smart-UPS 1500 SMT1500RMI2U",
        bought=_years_ago(today, 5),
        warranty=_years_ago(today, 2),
        name="UPS-SERVER-ROOM",
        notes="Battery replaced once; due for replacement",
    )
    add(
        "ACM-SRV-01",
        AssetKind.SERVER,
        "Dell",
        "PowerEdge R450",
        bought=_years_ago(today, 2),
        warranty=today + timedelta(days=50),
        name="ACME-FS01",
        rmm_id="dev-7f3a9c21",
        meshcentral_id="node//Zk3q8mJ2vPq1",
        vendor="Dell Direct",
        notes="File server and print server",
    )
    _link_tickets(actor, acme, made)
    globex = Organization.objects.filter(slug="globex").first()
    if globex is not None:
        made.extend(
            svc.create_asset(
                actor,
                organization=globex,
                kind=AssetKind.LAPTOP,
                asset_tag=f"GLX-LT-00{n}",
                make="Lenovo",
                model="ThinkPad X1 Carbon",
                serial=f"PF3GLX{n:03d}",
                purchase_date=_years_ago(today, n),
                warranty_end=_years_ago(today, n - 3),
            )
            for n in range(1, 4)
        )
    return made


def _link_tickets(actor: User, acme: Organization, made: list[Asset]) -> None:
    """The requesters' laptops to their newest Acme ticket (at most three), the floor printer
    to a printer ticket if there is one."""
    linked = 0
    for asset in made:
        if linked == 3:
            break
        if asset.kind != AssetKind.LAPTOP or asset.assigned_to_id is None:
            continue
        ticket = (
            Ticket.objects.filter(organization=acme, requester_id=asset.assigned_to_id)
            .order_by("-created_at", "-id")
            .first()
        )
        if ticket is not None:
            svc.link_ticket(actor, asset=asset, ticket=ticket)
            linked += 1
    printer = next((a for a in made if a.asset_tag == "ACM-PR-001"), None)
    ticket = (
        Ticket.objects.filter(organization=acme, subject__icontains="printer")
        .order_by("-created_at", "-id")
        .first()
    )
    if printer is not None and ticket is not None:
        svc.link_ticket(actor, asset=printer, ticket=ticket)
