"""The demo's 24x7 response set-up: on-call schedules, an escalation policy with the contracts'
paging rules, contact methods, two monitoring integrations with a few alerts (one repeating,
one resolved, one held by a maintenance window) and a live P1 chain for the worker to run.

Built through the services like the rest of the demo (deskside.demo), after the ticket
history, so that no historical P1 pages anyone.
"""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from deskside.accounts.models import Organization, Team, User
from deskside.alerts import services as alerts
from deskside.alerts import setup as alert_setup
from deskside.alerts.models import Integration
from deskside.alerts.payloads import parse_event
from deskside.core import clock
from deskside.duty import services as duty
from deskside.duty.models import Layer
from deskside.paging import services as paging
from deskside.paging.models import EscalationStep, PagingRule
from deskside.paging.services import StepSpec
from deskside.sla.models import Contract

NEW_YORK = ZoneInfo("America/New_York")
WEEKDAYS = [0, 1, 2, 3, 4]


def _last_monday(hour: int) -> datetime:
    """The most recent Monday at `hour`:00 in New York: the rotations' first hand-off."""
    today = clock.now().astimezone(NEW_YORK).date()
    monday = today - timedelta(days=today.weekday() + 7)
    return datetime(monday.year, monday.month, monday.day, hour, tzinfo=NEW_YORK)


def load(
    *,
    l1: list[User],
    l2: list[User],
    l3: dict[str, User],
    teams: dict[str, Team],
    orgs: dict[str, Organization],
) -> None:
    """Set it all up with the demo's agents (`l3` and `teams` by team slug, `orgs` by slug)."""
    admin = User.objects.get(email="admin@deskside.example")
    nora, sam = l3["network-l3"], l3["servers-l3"]

    # Who answers: L3 engineers rotate weekly around the clock; in business hours the L2
    # technicians take the pager in daily turns (the higher layer wins where it has someone).
    infra = duty.create_schedule(
        actor=admin,
        name="Infrastructure on call",
        timezone="America/New_York",
        team=teams["network-l3"],
        description="P1s and critical alerts for every client, around the clock.",
    )
    duty.create_layer(
        actor=admin,
        schedule=infra,
        name="L3 weekly",
        starts_at=_last_monday(9),
        members=[nora, sam],
        shift_length=1,
        shift_unit=Layer.Unit.WEEKS,
    )
    duty.create_layer(
        actor=admin,
        schedule=infra,
        name="L2 business hours",
        position=1,
        starts_at=_last_monday(8),
        members=l2,
        shift_length=1,
        shift_unit=Layer.Unit.DAYS,
        restrictions=[{"days": WEEKDAYS, "start": "08:00", "end": "18:00"}],
    )
    now = clock.now()
    saturday = (now + timedelta(days=(5 - now.weekday()) % 7 or 7)).astimezone(NEW_YORK)
    duty.create_override(
        actor=admin,
        schedule=infra,
        user=sam,
        starts_at=saturday.replace(hour=9, minute=0, second=0, microsecond=0),
        ends_at=saturday.replace(hour=21, minute=0, second=0, microsecond=0),
        reason="Covers Nora's Saturday (family event)",
    )
    desk = duty.create_schedule(
        actor=admin,
        name="Help desk evenings",
        timezone="America/New_York",
        team=teams["help-desk-l1"],
        description="The L1 phone after hours: weeknights 18:00-08:00 and weekends.",
    )
    duty.create_layer(
        actor=admin,
        schedule=desk,
        name="L1 nightly",
        starts_at=_last_monday(18),
        members=l1,
        shift_length=1,
        shift_unit=Layer.Unit.DAYS,
        restrictions=[
            {"days": WEEKDAYS, "start": "18:00", "end": "08:00"},
            {"days": [5, 6], "start": "00:00", "end": "00:00"},
        ],
    )

    # How they are reached: every agent by mail (the demo's mails go to its sent-mail folder).
    for person in [*l1, *l2, nora, sam]:
        paging.add_contact_method(
            actor=admin, user=person, kind="email", address=person.email, label="Work mail"
        )

    # Who is next when nobody answers, and which tickets page.
    policy = paging.create_policy(
        actor=admin,
        name="Infrastructure P1",
        team=teams["network-l3"],
        repeat=1,
        notify_team_lead=True,
        description="On-call first, then the whole network team; twice; then the lead.",
        steps=[
            StepSpec(target=EscalationStep.Target.SCHEDULE, wait_minutes=10, schedule=infra),
            StepSpec(target=EscalationStep.Target.TEAM, wait_minutes=15, team=teams["network-l3"]),
        ],
    )
    for contract in Contract.objects.all():
        paging.set_rule(
            actor=admin,
            contract=contract,
            policy=policy,
            p2=PagingRule.P2.AFTER_HOURS if contract.organization_id else PagingRule.P2.NEVER,
            alert_severity=PagingRule.Severity.CRITICAL,
        )

    # Monitoring: Acme's own Alertmanager, and the MSP's RMM routing by a client label.
    acme, globex = orgs["acme"], orgs["globex"]
    acme_am, _ = alert_setup.create_integration(
        actor=admin,
        name="Acme Alertmanager",
        kind=Integration.Kind.ALERTMANAGER,
        organization=acme,
        team=teams["servers-l3"],
    )
    rmm, _ = alert_setup.create_integration(
        actor=admin,
        name="Northwind RMM",
        kind=Integration.Kind.EVENTS,
        organization_label="client",
        resolve_rule=Integration.ResolveRule.NOTE,
    )
    alert_setup.create_maintenance_window(
        actor=admin,
        organization=globex,
        starts_at=now - timedelta(hours=1),
        ends_at=now + timedelta(hours=3),
        reason="Core switch firmware upgrade (change CHG-2211)",
    )

    def fire(integration: Integration, **event: object) -> None:
        alerts.receive(integration=integration, events=[parse_event(event)])

    disk = {
        "summary": "Disk C: on ACME-FS01 is 91% full",
        "source": "ACME-FS01",
        "severity": "warning",
        "custom_details": {"volume": "C:", "used_percent": 91},
    }
    for _ in range(4):  # a check that keeps failing: one ticket, four occurrences
        fire(
            rmm,
            event_action="trigger",
            dedup_key="acme-fs01-disk-c",
            organization="acme",
            payload=disk,
        )
    backup = {
        "summary": "Nightly backup job failed on ACME-SQL02",
        "source": "ACME-SQL02",
        "severity": "error",
    }
    fire(
        rmm,
        event_action="trigger",
        dedup_key="acme-sql02-backup",
        organization="acme",
        payload=backup,
    )
    fire(rmm, event_action="resolve", dedup_key="acme-sql02-backup", organization="acme")
    switch = {
        "summary": "Core switch GLX-CORE1 unreachable",
        "source": "GLX-CORE1",
        "severity": "critical",
    }
    fire(
        rmm,
        event_action="trigger",
        dedup_key="glx-core1-ping",
        organization="globex",
        payload=switch,
    )  # inside the maintenance window: recorded, no ticket
    # A critical alert from Acme's Alertmanager: a P1 whose chain the demo's worker runs.
    fire(
        acme_am,
        event_action="trigger",
        dedup_key="acme-vpn-down",
        payload={
            "summary": "Site-to-site VPN to Acme Plant 2 is down",
            "source": "acme-fw01",
            "severity": "critical",
            "custom_details": {"tunnel": "plant2", "down_for": "3m"},
        },
    )
