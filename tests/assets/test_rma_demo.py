"""The RMA demo: a Dell laptop at Acme in repair, a ticket pending Dell with a case shipped
and confirmed six days ago, which the worker's first pass reminds; run twice, nothing more."""

from datetime import timedelta

import pytest

from deskside.accounts import services as accounts
from deskside.accounts.models import Tier
from deskside.assets import demo_rma, worker
from deskside.assets.models import AssetEvent, Lifecycle, VendorCase
from deskside.notifications.models import Notification
from tests.assets.fixtures_remote import *  # noqa: F403 (the fixtures)
from tests.assets.fixtures_remote import NOW

pytestmark = pytest.mark.django_db


def test_seed_demo_and_the_reminder_fires(now, msp, carol, acme):
    leo = accounts.create_user(
        email=demo_rma.AGENT, full_name="Leo Field", kind="agent", tier=Tier.L2, organization=msp
    )
    case = demo_rma.seed_demo()
    assert case.vendor == "Dell" and case.status == "open"
    assert case.asset.status == Lifecycle.IN_REPAIR and case.asset.make == "Dell"
    assert case.ticket.status == "pending_vendor" and case.ticket.assignee == leo
    assert case.last_contact_at == NOW - timedelta(days=6, hours=1)
    assert case.remind_at < NOW
    assert [e.kind for e in case.entries.order_by("happened_at")] == ["shipped", "contact"]
    times = list(case.ticket.events.order_by("pk").values_list("created_at", flat=True))
    assert times == sorted(times)
    assert AssetEvent.objects.filter(asset=case.asset, kind="rma").count() == 3
    assert demo_rma.seed_demo().pk == case.pk and VendorCase.objects.count() == 1
    assert worker.rma_pass(NOW).reminded == 1
    note = Notification.objects.get(recipient=leo, title__contains="Vendor case")
    assert "quiet for 6 days" in note.title
