"""Builders of the import and disposal tests: an agent limited to Acme (`lim`), Acme's assets
built through the CSV import (as a user would), a small PDF certificate, and a batch recorded
through the disposal service."""

from datetime import UTC, datetime, timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from deskside.accounts import services as accounts
from deskside.accounts.models import Tier
from deskside.assets.models import Asset
from deskside.assets.services import disposal, imports
from deskside.core import clock

__all__ = [  # the fixtures (`import *`); the helpers are imported by name
    "acme_retired",
    "frozen",
    "gina",
    "globex_retired",
    "lim",
    "media",
]

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32

HEADER = "kind,name,make,model,serial,asset_tag,status,assigned_to,site,purchase_date,warranty_end"


def csv_bytes(*rows: str, header: str = HEADER) -> bytes:
    return ("\n".join([header, *rows]) + "\n").encode()


def certificate(data: bytes = PDF, name: str = "certificate.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type="application/pdf")


@pytest.fixture
def lim(msp, acme, helpdesk):
    """An L1 agent who serves Acme only."""
    user = accounts.create_user(
        email="lim@msp.example",
        full_name="Lim Limited",
        kind="agent",
        tier=Tier.L1,
        organization=msp,
        teams=[helpdesk],
    )
    user.served_organizations.set([acme])
    return user


def import_assets(organization, *rows: str, actor=None) -> list[Asset]:
    plan = imports.import_assets(actor=actor, organization=organization, data=csv_bytes(*rows))
    tags = [r.asset_tag for r in plan.rows]
    return list(Asset.objects.filter(organization=organization, asset_tag__in=tags))


@pytest.fixture
def acme_retired(acme, acme_hq):
    """Four retired Acme laptops and one deployed one (AC-L5)."""
    import_assets(
        acme,
        *(
            f"laptop,acme-lt-{i},Dell,Latitude 5400,SN-AC-{i},AC-L{i},retired,,HQ,2019-03-01,"
            for i in range(1, 5)
        ),
        "laptop,acme-lt-5,Dell,Latitude 7440,SN-AC-5,AC-L5,deployed,,HQ,2024-03-01,",
    )
    return list(Asset.objects.filter(organization=acme).order_by("asset_tag"))


@pytest.fixture
def globex_retired(globex):
    import_assets(globex, "laptop,gx-1,HP,EliteBook 840,SN-GX-1,GX-L1,retired,,,,")
    return Asset.objects.get(organization=globex, asset_tag="GX-L1")


def make_batch(organization, assets, *, actor=None, number="GC-2026-0412", **extra):
    values = {
        "company": "GreenCycle IT Recycling Ltd",
        "certificate_number": number,
        "method": "purge",
        # A week before the test's instant (tests run at several instants; a fixed date would be
        # "in the future" at an earlier one).
        "handed_over_on": clock.now().date() - timedelta(days=7),
        "certificate": certificate(),
        "notes": "",
    }
    values.update(extra)
    return disposal.create_batch(
        actor=actor,
        organization=organization,
        assets=[a.public_id for a in assets],
        **values,
    )


@pytest.fixture
def media(settings, tmp_path):
    """Stored files (certificates) go to a temporary directory."""
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def gina(globex):
    """Globex's organisation admin: reads Globex's disposals, never Acme's."""
    return accounts.create_user(
        email="gina@globex.example",
        full_name="Gina Globex",
        organization=globex,
        is_org_admin=True,
    )


NOW = datetime(2026, 12, 9, 17, 0, tzinfo=UTC)  # a Wednesday; the batches are of November


@pytest.fixture
def frozen():
    """The disposal tests run at NOW whenever the suite runs (hand-over dates are checked
    against the client's today)."""
    with clock.frozen(NOW):
        yield NOW
