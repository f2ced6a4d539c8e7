"""Shared fixtures of the registry part's tests (imported by tests/assets/test_assets_*.py)."""

from datetime import UTC, date, datetime

import pytest

from deskside.accounts import services as accounts
from deskside.accounts.models import Tier
from deskside.assets.models import Asset, AssetKind, Lifecycle
from deskside.assets.services import assets as svc
from deskside.core import clock

NOW = datetime(2026, 12, 9, 14, 0, tzinfo=UTC)  # a Wednesday afternoon, UTC
TODAY = date(2026, 12, 9)


@pytest.fixture(autouse=True)
def frozen():
    """Every test of the part runs on a frozen clock (the same outcome at any hour)."""
    with clock.frozen(NOW):
        yield


@pytest.fixture
def bob(msp, globex):
    """An agent who serves Globex only: Acme's assets are not his."""
    user = accounts.create_user(
        email="bob@msp.example",
        full_name="Bob Globex",
        kind="agent",
        tier=Tier.L1,
        organization=msp,
    )
    user.served_organizations.set([globex])
    return user


@pytest.fixture
def gina(globex):
    """Globex's organisation admin: must never see Acme's assets."""
    return accounts.create_user(
        email="gina@globex.example",
        full_name="Gina Globex",
        organization=globex,
        is_org_admin=True,
    )


def make_asset(actor, organization, **values) -> Asset:
    values.setdefault("kind", AssetKind.LAPTOP)
    return svc.create_asset(actor, organization=organization, **values)


@pytest.fixture
def laptop(alice, acme, acme_hq, carol) -> Asset:
    """Carol's deployed Acme laptop."""
    return make_asset(
        alice,
        acme,
        status=Lifecycle.DEPLOYED,
        asset_tag="ACM-0001",
        make="Lenovo",
        model="ThinkPad T14",
        serial="PF-1234",
        assigned_to=carol,
        site=acme_hq,
        purchase_date=date(2024, 3, 1),
        warranty_end=date(2027, 3, 1),
    )


@pytest.fixture
def globex_pc(alice, globex) -> Asset:
    return make_asset(alice, globex, kind=AssetKind.DESKTOP, asset_tag="GLX-0001", serial="G-1")


def dispose(asset: Asset) -> Asset:
    """Mark `asset` disposed the way a disposal batch leaves it (an UPDATE: the row-level
    guard refuses a save of a disposed row, not the transition into it)."""
    Asset.objects.filter(pk=asset.pk).update(status=Lifecycle.DISPOSED)
    asset.refresh_from_db()
    return asset
