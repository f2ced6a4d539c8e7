"""The registry's demo (deskside.assets.demo_assets), loaded by the demo (`deskside.demo_ops`):
Acme's fleet through the services, the retired laptops the disposal demo then disposes,
warranty rows in every window, some linked tickets; idempotent. And the admin shows assets
read-only."""

import pytest
from django.contrib import admin as django_admin

from deskside import demo
from deskside.accounts.models import Organization, User
from deskside.assets import admin_assets
from deskside.assets.demo_assets import seed_demo
from deskside.assets.models import Asset, AssetEvent, AssetTicket, Lifecycle
from deskside.assets.queries import asset_reports
from tests.assets.fixtures_assets import *  # noqa: F403

pytestmark = pytest.mark.django_db


def test_demo_assets():
    demo.load(tickets=40)
    acme = Organization.objects.get(slug="acme")
    ours = Asset.objects.filter(organization=acme)
    assert ours.count() > 25
    assert seed_demo() == []  # idempotent
    assert ours.count() == Asset.objects.filter(organization=acme).count()
    # Retired laptops with serials: the disposal demo hands them over (then disposed).
    retired = ours.filter(
        status__in=(Lifecycle.RETIRED, Lifecycle.DISPOSED), kind="laptop"
    ).exclude(serial="")
    assert retired.count() >= 4
    assert ours.filter(status=Lifecycle.DISPOSED, disposal_batch__isnull=False).count() >= 4
    assert ours.filter(status=Lifecycle.IN_REPAIR).count() >= 2  # and the RMA demo's laptop
    assert {"laptop", "desktop", "monitor", "printer", "ups", "server"} <= set(
        ours.values_list("kind", flat=True)
    )
    assert ours.filter(status=Lifecycle.DEPLOYED, assigned_to__isnull=False).count() >= 5
    assert AssetTicket.objects.filter(asset__organization=acme).count() >= 1
    assert AssetEvent.objects.filter(asset__in=ours, kind="created").count() == ours.count()
    admin_user = User.objects.filter(kind="agent", served_organizations__isnull=True).first()
    report = asset_reports.warranty(admin_user, acme)
    assert report.expired_deployed and all(report.expiring[d] for d in (30, 60, 90))


def test_admin_is_read_only(rf, admin):
    model_admin = admin_assets.AssetAdmin(Asset, django_admin.site)
    request = rf.get("/")
    request.user = admin
    assert not model_admin.has_add_permission(request)
    assert not model_admin.has_change_permission(request)
    assert not model_admin.has_delete_permission(request)
