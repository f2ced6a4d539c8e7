"""Fixtures of the remote-control and vendor-RMA tests (imported by those tests only).

Acme (client A) and Globex (client B), Alice (L1), Leo (L2), Carol (Acme's customer), Dave
(Globex's) come from tests/conftest.py. Here: Gil, an agent who serves Globex only; Acme's
laptop assigned to Carol with MeshCentral and RustDesk ids; a Globex desktop; Acme's
templates, set by the administrator through the audited service.

Assets are made with the model here: the asset services are another part's (brief C).
"""

from datetime import UTC, datetime

import pytest

from deskside.accounts import services as accounts
from deskside.accounts.models import Tier
from deskside.assets.models import Asset, AssetKind, Lifecycle
from deskside.assets.services import remote
from deskside.core import clock

# A Wednesday, 15:00 UTC (10:00 in New York).
NOW = datetime(2026, 12, 9, 15, 0, tzinfo=UTC)


@pytest.fixture
def now():
    with clock.frozen(NOW):
        yield NOW


@pytest.fixture
def gil(msp, globex):
    """An agent who serves Globex only."""
    user = accounts.create_user(
        email="gil@msp.example",
        full_name="Gil Globex",
        password="gil-pass-123",
        kind="agent",
        tier=Tier.L1,
        organization=msp,
    )
    user.served_organizations.set([globex])
    return user


def make_asset(org, **fields) -> Asset:
    fields.setdefault("kind", AssetKind.LAPTOP)
    fields.setdefault("status", Lifecycle.DEPLOYED)
    return Asset.objects.create(organization=org, **fields)


@pytest.fixture
def laptop(acme, carol):
    return make_asset(
        acme,
        name="ACME-LT-0042",
        asset_tag="ACME-0042",
        make="Dell",
        model="Latitude 5440",
        serial="5CD1234XYZ",
        assigned_to=carol,
        meshcentral_id="node//abc$XYZ",
        rustdesk_id="123 456 789",
    )


@pytest.fixture
def globex_pc(globex, dave):
    return make_asset(
        globex,
        kind=AssetKind.DESKTOP,
        asset_tag="GLX-7",
        assigned_to=dave,
        rustdesk_id="987654321",
    )


@pytest.fixture
def templates(admin, acme, globex):
    """Acme: MeshCentral and RustDesk; Globex: RustDesk."""
    return [
        remote.create_template(
            actor=admin,
            organization=acme,
            tool="meshcentral",
            url_template="https://mesh.msp.example/?gotonode={id}&viewmode=11",
            label="MeshCentral",
        ),
        remote.create_template(
            actor=admin, organization=acme, tool="rustdesk", url_template="rustdesk://{id}"
        ),
        remote.create_template(
            actor=admin, organization=globex, tool="rustdesk", url_template="rustdesk://{id}"
        ),
    ]
