"""The work-order demo: one template per kind with QC items, four work orders at Acme in
different states (one done and resolved with QC by a second person); run twice, nothing more.
Built on the demo's people (the names `deskside.demo` gives them)."""

import pytest

from deskside.accounts import services as accounts
from deskside.accounts.models import Tier
from deskside.tickets.models import Status
from deskside.workorders import demo_templates, gate
from deskside.workorders.models import TemplateKind, WorkOrder, WorkOrderTemplate

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo_people(db):
    msp = accounts.create_organization(name="Deskside MSP", slug="msp", is_msp=True)
    acme = accounts.create_organization(name="Acme", slug="acme", timezone="America/Chicago")
    site = accounts.create_site(organization=acme, name="Dallas Plant")
    accounts.create_user(
        email="admin@deskside.example",
        full_name="Admin",
        kind="agent",
        tier=Tier.L3,
        organization=msp,
        is_staff=True,
    )
    for email, name in (("leo@deskside.example", "Leo"), ("ana@deskside.example", "Ana")):
        accounts.create_user(
            email=email, full_name=name, kind="agent", tier=Tier.L2, organization=msp
        )
    accounts.create_user(
        email="carol@acme.example", full_name="Carol", organization=acme, site=site
    )


def test_seed_demo(demo_people):
    demo_templates.seed_demo()
    kinds = set(WorkOrderTemplate.objects.values_list("kind", flat=True))
    assert kinds == set(TemplateKind.values)
    for template in WorkOrderTemplate.objects.all():
        assert template.current.items.filter(section="qc").exists(), template.name
    orders = {wo.ticket.description.split(".")[0]: wo for wo in WorkOrder.objects.all()}
    assert len(orders) == 4
    done = WorkOrder.objects.get(ticket__status=Status.RESOLVED)
    assert gate.missing(done) == []
    assert done.qc_signed_by.email == "ana@deskside.example"
    assert {i.done_by.email for i in done.items.filter(section="work", done_at__isnull=False)} == {
        "leo@deskside.example"
    }
    states = sorted(len(gate.missing(wo)) for wo in WorkOrder.objects.all())
    assert states[0] == 0 and len(set(states)) > 2  # different states
    demo_templates.seed_demo()
    assert WorkOrder.objects.count() == 4
    assert WorkOrderTemplate.objects.count() == len(demo_templates.TEMPLATES)


def test_admin_registrations_are_read_only(db):
    from django.contrib import admin as django_admin  # noqa: PLC0415

    from deskside.workorders import admin_orders, admin_templates  # noqa: F401, PLC0415

    registered = django_admin.site._registry
    assert WorkOrder in registered and WorkOrderTemplate in registered
    assert not registered[WorkOrder].has_change_permission(None)
