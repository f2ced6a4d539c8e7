"""Demo data of certified disposal: Acme's retired laptops handed over to "GreenCycle IT
Recycling Ltd" with certificate "GC-2026-0412" (NIST SP 800-88 purge) six days ago, with a
small certificate PDF made by WeasyPrint. Built through the services, after the main demo
(`deskside.demo.load`) and the assets demo (which retires at least four Acme laptops). When no
retired Acme laptop exists, four are created first through the CSV import (the bulk path).
Idempotent: a second call finds the batch and returns it.
"""

from __future__ import annotations

from datetime import timedelta

from django.core.files.base import ContentFile
from django.utils.html import escape

from deskside.accounts.models import Organization, User
from deskside.assets.disposal_report import refuse_fetch
from deskside.assets.models import Asset, AssetKind, DisposalBatch, Lifecycle, WipeMethod
from deskside.assets.services import disposal, imports

COMPANY = "GreenCycle IT Recycling Ltd"
CERTIFICATE = "GC-2026-0412"
ADMIN = "admin@deskside.example"
SPARE_LAPTOPS = [  # created only when the assets demo left no retired Acme laptop
    ("ACME-LT-0901", "5CG9011A7K", "HP", "EliteBook 840 G6", "2019-04-02"),
    ("ACME-LT-0902", "5CG9011A9M", "HP", "EliteBook 840 G6", "2019-04-02"),
    ("ACME-LT-0917", "PF1XK2QD", "Lenovo", "ThinkPad T490", "2019-09-16"),
    ("ACME-LT-0918", "PF1XK3RA", "Lenovo", "ThinkPad T490", "2019-09-16"),
]


def _retired_laptops(acme: Organization) -> list[Asset]:
    return list(
        Asset.objects.filter(
            organization=acme,
            kind=AssetKind.LAPTOP,
            status=Lifecycle.RETIRED,
            disposal_batch=None,
        ).order_by("asset_tag")
    )


def _spare_laptops(acme: Organization, actor: User | None) -> None:
    header = "kind,asset_tag,serial,make,model,status,purchase_date,notes"
    rows = [
        f"laptop,{tag},{serial},{make},{model},retired,{bought},Battery worn; out of warranty"
        for tag, serial, make, model, bought in SPARE_LAPTOPS
    ]
    data = ("\n".join([header, *rows]) + "\n").encode()
    imports.import_assets(
        actor=actor, organization=acme, data=data, filename="demo-retired-laptops.csv"
    )


def certificate_pdf(assets: list[Asset], handed_over: str) -> bytes:
    """A one-page certificate of destruction, as a recycler would send it."""
    from weasyprint import HTML  # noqa: PLC0415 - heavy: loaded when the demo is made

    lines = "".join(
        f"<tr><td>{escape(a.asset_tag)}</td><td>{escape(a.serial)}</td>"
        f"<td>{escape(a.make)} {escape(a.model)}</td></tr>"
        for a in assets
    )
    html = f"""<!doctype html><html><head><meta charset="utf-8"><style>
    body {{ font-family: sans-serif; font-size: 10pt; }} h1 {{ font-size: 16pt; }}
    td, th {{ border-bottom: 1px solid #999; padding: 2pt 6pt; text-align: left; }}
    </style></head><body>
    <h1>{COMPANY}</h1><h2>Certificate of data sanitisation and recycling</h2>
    <p>Certificate number <strong>{CERTIFICATE}</strong>. Received from Acme Manufacturing on
    {handed_over}. Storage media sanitised by <strong>purge</strong> (NIST SP 800-88 Rev. 1:
    cryptographic erase, verified), then the devices recycled under WEEE.</p>
    <table><tr><th>Asset tag</th><th>Serial</th><th>Device</th></tr>{lines}</table>
    <p>Signed: J. Okafor, Operations Manager</p></body></html>"""
    return HTML(string=html, url_fetcher=refuse_fetch).write_pdf()


def seed_demo() -> DisposalBatch | None:
    """Acme's disposal batch (once); None when the main demo is not loaded."""
    acme = Organization.objects.filter(slug="acme").first()
    if acme is None:
        return None
    found = DisposalBatch.objects.filter(
        organization=acme, company=COMPANY, certificate_number=CERTIFICATE
    ).first()
    if found is not None:
        return found
    admin = User.objects.filter(email=ADMIN, is_active=True).first()
    laptops = _retired_laptops(acme)
    if not laptops:
        _spare_laptops(acme, admin)
        laptops = _retired_laptops(acme)
    handed_over = disposal.client_today(acme) - timedelta(days=6)
    pdf = certificate_pdf(laptops, handed_over.strftime("%d %B %Y"))
    return disposal.create_batch(
        actor=admin,
        organization=acme,
        assets=[a.public_id for a in laptops],
        company=COMPANY,
        certificate_number=CERTIFICATE,
        method=WipeMethod.PURGE,
        handed_over_on=handed_over,
        certificate=ContentFile(pdf, name=f"{CERTIFICATE}.pdf"),
        notes="Collected from the Dallas Plant IT cage; chain-of-custody form signed at pick-up.",
    )
