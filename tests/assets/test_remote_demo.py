"""The remote-control demo: Acme's templates (audited), ids on Acme's computers, one ended
session on a resolved Acme ticket whose timeline runs forward; run twice, nothing more."""

import pytest

from deskside.accounts import services as accounts
from deskside.accounts.models import Tier
from deskside.assets import demo_remote
from deskside.assets.models import RemoteAccessTemplate, RemoteSession
from deskside.core.models import AuditEntry
from deskside.tickets import services as tickets
from deskside.tickets.models import EventKind
from tests.assets.fixtures_remote import *  # noqa: F403 (the fixtures)

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo_people(msp):
    admin = accounts.create_user(
        email=demo_remote.ADMIN,
        full_name="Demo Admin",
        kind="agent",
        tier=Tier.L3,
        organization=msp,
        is_staff=True,
    )
    ana = accounts.create_user(
        email=demo_remote.AGENT, full_name="Ana L1", kind="agent", tier=Tier.L1, organization=msp
    )
    return admin, ana


def test_seed_demo(now, demo_people, make_ticket, carol, acme):
    admin, ana = demo_people
    assert demo_remote.seed_demo() is None  # no resolved ticket yet: the templates only
    assert RemoteAccessTemplate.objects.filter(organization=acme).count() == 2
    ticket = make_ticket(carol, actor=ana)
    tickets.resolve_ticket(actor=ana, ticket=ticket, resolution="Fixed")
    session = demo_remote.seed_demo()
    assert session is not None and session.ended_at is not None
    assert session.ticket == ticket and session.summary == demo_remote.SUMMARY
    assert session.asset.rustdesk_id and session.asset.assigned_to == carol
    assert session.url.startswith("rustdesk://")
    times = list(ticket.events.order_by("pk").values_list("created_at", flat=True))
    assert times == sorted(times)
    assert ticket.events.filter(kind=EventKind.REMOTE).count() == 2
    assert AuditEntry.objects.filter(object_type="assets.remote_template").count() == 2
    assert demo_remote.seed_demo().pk == session.pk  # run twice: nothing more
    assert RemoteSession.objects.count() == 1
