"""The disposal demo: Acme's retired laptops handed over to GreenCycle with certificate
GC-2026-0412 (purge) and a generated PDF; once only; without retired laptops it makes four
through the CSV import first."""

import pytest

from deskside.accounts import services as accounts
from deskside.assets import demo_disposal
from deskside.assets.models import Asset, DisposalBatch
from tests.assets.fixtures_disposal import *  # noqa: F403
from tests.assets.fixtures_disposal import import_assets

pytestmark = pytest.mark.usefixtures("media", "frozen")


def test_the_demo_batch(msp, acme, globex):
    admin = accounts.create_user(
        email="admin@deskside.example", kind="agent", organization=msp, is_staff=True
    )
    import_assets(globex, "laptop,,,,G1,GX-1,retired,,,,")  # another client's: never in it
    batch = demo_disposal.seed_demo()
    assert batch.company == "GreenCycle IT Recycling Ltd"
    assert batch.certificate_number == "GC-2026-0412" and batch.method == "purge"
    assert batch.created_by == admin
    assert batch.certificate.read().startswith(b"%PDF")
    assert batch.assets.count() == 4
    assert set(batch.assets.values_list("kind", "status").distinct()) == {("laptop", "disposed")}
    assert demo_disposal.seed_demo() == batch
    assert DisposalBatch.objects.count() == 1
    assert Asset.objects.get(asset_tag="GX-1").status == "retired"


def test_the_demo_uses_the_retired_laptops_it_finds(acme):
    import_assets(
        acme, "laptop,,Dell,Latitude,S1,AC-1,retired,,,,", "laptop,,,,S2,AC-2,deployed,,,,"
    )
    batch = demo_disposal.seed_demo()
    assert list(batch.assets.values_list("asset_tag", flat=True)) == ["AC-1"]
    assert batch.created_by is None  # no demo admin: the system


def test_no_demo_no_batch(db):
    assert demo_disposal.seed_demo() is None
