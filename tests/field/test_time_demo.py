"""The time entries' demo: rules on the demo contracts (with audit entries), the technicians'
time on their done visits (a shadowing second technician's not billed), last week's time, one
week approved by the agent's lead and one submitted; idempotent."""

from datetime import timedelta

from deskside.accounts import services as accounts
from deskside.accounts.models import Tier
from deskside.core.models import AuditEntry
from deskside.field.demo_time import seed_demo
from deskside.field.models import BillingRule, TimeEntry, TimeKind, Timesheet, TimesheetStatus
from tests.field.fixtures_time import *  # noqa: F403
from tests.field.fixtures_time import NOW, make_visit


def test_seed_demo(msp, leo, lead, acme_ticket, acme_contract, default_contract):
    accounts.create_user(
        email="admin@deskside.example",
        kind="agent",
        tier=Tier.L3,
        organization=msp,
        is_staff=True,
    )
    visit = make_visit(acme_ticket, lead, second=leo, shadowing=True)
    visit.travel_minutes = 25
    visit.scheduled_start = NOW - timedelta(hours=3)
    visit.save()
    seed_demo()
    seed_demo()
    assert BillingRule.objects.count() == 2  # the default contract's and Acme's
    assert AuditEntry.objects.filter(object_type="field.billingrule").count() == 2
    on_visit = TimeEntry.objects.filter(visit=visit)
    assert {(e.agent, e.kind, e.billable) for e in on_visit} == {
        (lead, TimeKind.TRAVEL, True),  # Acme bills travel
        (lead, TimeKind.WORK, True),
        (leo, TimeKind.SHADOWING, False),
    }
    sheets = {s.agent: s.status for s in Timesheet.objects.exclude(status=TimesheetStatus.OPEN)}
    assert sheets == {leo: TimesheetStatus.APPROVED, lead: TimesheetStatus.SUBMITTED}
    assert Timesheet.objects.get(agent=leo, status=TimesheetStatus.APPROVED).decided_by == lead
    assert not TimeEntry.objects.filter(ended_at=None).exists()
