"""The number of database queries of every list endpoint of the API and every agent and portal
list page, pinned in tests/query_counts.json. Each one is requested with two rows, then again
with ten rows more: the count must not change (no query per row) and must be the pinned one.

After a deliberate change, rewrite the file with the new counts:

    DESKSIDE_UPDATE_QUERY_COUNTS=1 python -m pytest tests/test_query_counts.py

(on SQLite and on PostgreSQL: a count that differs between the two is stored per backend).
"""

import fcntl
import json
import os
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from deskside.accounts import services as accounts
from deskside.accounts.models import Tier
from deskside.alerts import services as alerts
from deskside.alerts import setup as alert_setup
from deskside.alerts.models import IntakeError
from deskside.alerts.payloads import TRIGGER, AlertEvent
from deskside.core import clock
from deskside.duty import services as duty
from deskside.duty.models import Swap
from deskside.macros import services as macros
from deskside.mail.models import Mailbox
from deskside.mail.pipeline import Policy, receive
from deskside.paging import services as paging
from deskside.paging import worker as paging_worker
from deskside.paging.models import PagingRule
from deskside.paging.services import StepSpec
from deskside.sla import services as sla
from deskside.sla.services import TargetTerms
from deskside.tickets import services as tickets
from deskside.tickets.models import Priority
from deskside.webhooks import services as webhooks
from deskside.webhooks.models import Delivery
from deskside.workspace import services as workspace
from deskside.workspace.models import SavedView
from tests.conftest import client_for
from tests.mail.test_pipeline import raw_mail

COUNTS_FILE = Path(__file__).with_name("query_counts.json")
UPDATE = os.environ.get("DESKSIDE_UPDATE_QUERY_COUNTS", "") not in ("", "0")
T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)  # a Monday
BASE, MORE = 2, 10


# -- the rows each list shows, one per call (`i` makes it unique) ------------------------------


def organization(w, i):
    return accounts.create_organization(name=f"Client {i}", slug=f"client-{i}")


def site(w, i):
    accounts.create_site(organization=w.acme, name=f"Site {i}", address=f"{i} Main St")


def user(w, i):
    accounts.create_user(
        email=f"user{i}@acme.example", full_name=f"User {i}", organization=w.acme, site=w.acme_hq
    )


def agent(w, i):
    made = accounts.create_user(
        email=f"agent{i}@msp.example", kind="agent", tier=Tier.L2, teams=[w.helpdesk]
    )
    made.served_organizations.set([w.acme])


def caller(w, i):
    accounts.create_user(
        email=f"caller{i}@acme.example",
        full_name=f"Caller {i}",
        organization=w.acme,
        site=w.acme_hq,
        phone=f"555 010 {1000 + i}",
    )


def team(w, i):
    accounts.create_team(name=f"Team {i}", tier=Tier.L2, lead=w.tara)


def ticket(w, i):
    tickets.create_ticket(
        actor=w.alice,
        ticket=tickets.NewTicket(
            requester=w.carol,
            organization=w.acme,
            subject=f"Printer {i} offline",
            description="It shows offline.",
            site=w.acme_hq,
            team=w.helpdesk,
            assignee=w.alice,
            watchers=(w.leo,),
        ),
    )


def note(w, i):
    tickets.add_note(actor=w.alice, ticket=w.ticket, body=f"Note {i}")


def mention(w, i):
    """A note by Leo mentioning Alice: one notification of Alice's."""
    tickets.add_note(actor=w.leo, ticket=w.ticket, body=f"@alice have a look {i}")


def reply(w, i):
    tickets.add_reply(actor=w.alice, ticket=w.ticket, body=f"Reply {i}")


def alert(w, i):
    event = AlertEvent(action=TRIGGER, dedup_key=f"disk-{i}", summary=f"Disk {i}", severity="error")
    alerts.trigger(integration=w.integration, event=event, organization=w.acme)


def integration(w, i):
    alert_setup.create_integration(
        actor=w.admin, name=f"RMM {i}", kind="events", organization=w.acme, team=w.helpdesk
    )


def intake_error(w, i):
    IntakeError.objects.create(
        integration=w.integration,
        fingerprint=f"fp-{i}",
        field="labels.client",
        reason=f"unknown client {i}",
        first_seen=clock.now(),
        last_seen=clock.now(),
    )


def window(w, i):
    alert_setup.create_maintenance_window(
        actor=w.admin,
        organization=w.acme,
        starts_at=T0 + timedelta(hours=i),
        ends_at=T0 + timedelta(hours=i + 1),
        reason=f"Patch night {i}",
    )


def schedule(w, i):
    made = duty.create_schedule(actor=w.admin, name=f"Schedule {i}", team=w.helpdesk)
    duty.create_layer(
        actor=w.admin,
        schedule=made,
        name="Weekly",
        starts_at=T0 - timedelta(days=7),
        members=[w.alice, w.leo],
    )


def override(w, i):
    duty.create_override(
        actor=w.admin,
        schedule=w.primary,
        user=w.leo,
        starts_at=T0 + timedelta(days=1, hours=i),
        ends_at=T0 + timedelta(days=1, hours=i + 1),
    )


def swap(w, i):
    Swap.objects.create(
        schedule=w.primary,
        requester=w.alice,
        partner=w.leo,
        starts_at=T0 + timedelta(days=i + 1),
        ends_at=T0 + timedelta(days=i + 2),
        note=f"Swap {i}",
    )


def inbound(w, i):
    raw = raw_mail(subject=f"Printer {i} jams", message_id=f"<m{i}@acme.example>")
    receive(raw, source="api", policy=Policy(organization=w.acme, unknown_senders="create"))


def mailbox(w, i):
    Mailbox.objects.create(
        name=f"Help {i}", address=f"help{i}@msp.example", organization=w.acme, team=w.helpdesk
    )


def p1(w, i):
    tickets.create_ticket(
        actor=w.alice,
        ticket=tickets.NewTicket(
            requester=w.carol,
            organization=w.acme,
            subject=f"Core switch {i} down",
            priority=Priority.P1,
        ),
    )


def page(w, i):
    """A P1 ticket whose escalation has run its first step: its pages are written."""
    p1(w, i)
    paging_worker.advance_due()


def contact(w, i):
    paging.add_contact_method(
        actor=w.alice, user=w.alice, kind="email", address=f"alice+{i}@msp.example"
    )


def policy(w, i):
    paging.create_policy(
        actor=w.admin,
        name=f"Policy {i}",
        team=w.network_team,
        steps=[
            StepSpec(target="schedule", schedule=w.primary, wait_minutes=5),
            StepSpec(target="user", user=w.leo, wait_minutes=10),
            StepSpec(target="team", team=w.network_team, wait_minutes=10),
        ],
    )


def calendar(w, i):
    sla.create_calendar(actor=w.admin, name=f"Calendar {i}", definition={"24x7": True})


def contract(w, i):
    sla.create_contract(
        actor=w.admin,
        name=f"Contract {i}",
        calendar=w.calendar,
        organization=organization(w, i),
        breach_team=w.helpdesk,
        targets=[TargetTerms(priority=1, first_response_minutes=30, calendar=w.calendar)],
    )


def rule(w, i):
    made = sla.create_contract(
        actor=w.admin, name=f"Contract {i}", calendar=w.calendar, organization=organization(w, i)
    ).contract
    paging.set_rule(actor=w.admin, contract=made, policy=w.policy)


def webhook(w, i):
    webhooks.create_webhook(
        actor=w.admin,
        name=f"Hook {i}",
        url=f"https://hooks.example.net/{i}",
        events=["ticket.created"],
        organization=w.acme,
        team=w.helpdesk,
    )


def saved_view(w, i):
    workspace.create_view(actor=w.alice, name=f"View {i}", filters={"priority": "P1"})


def delivery(w, i):
    Delivery.objects.create(
        webhook=w.webhook, event="ticket.created", payload={"n": i}, organization=w.acme
    )


def macro(w, i):
    macros.create_macro(
        actor=w.admin,
        name=f"Macro {i}",
        body="Hi {{requester.first_name}}",
        team=w.helpdesk,
        set_team=w.helpdesk,
        add_watcher=w.leo,
    )


# -- what is measured -------------------------------------------------------------------------


@dataclass(frozen=True)
class Case:
    key: str  # "GET <path>" as pinned in the file
    persona: str
    add: Callable
    url: str = ""  # when the path has a placeholder filled from the world
    api: bool = True
    # Known queries per row (an N+1 not fixed yet): the test then pins that cost too, and fails
    # when it is fixed, so that this goes back to 0.
    per_row: int = 0


CASES = [
    # The API's lists.
    Case("GET /api/v1/organizations", "admin", organization),
    Case("GET /api/v1/organizations/acme/sites", "alice", site),
    Case("GET /api/v1/users", "admin", user),
    Case("GET /api/v1/teams", "alice", team),
    Case("GET /api/v1/callers?q=caller", "alice", caller),
    Case("GET /api/v1/tickets", "alice", ticket),
    Case("GET /api/v1/tickets (customer)", "carol", ticket, "/api/v1/tickets"),
    Case("GET /api/v1/tickets/{number}/events", "alice", note),
    Case("GET /api/v1/alerts", "alice", alert),
    Case("GET /api/v1/integrations", "admin", integration),
    Case("GET /api/v1/integrations/{integration}/intake-errors", "admin", intake_error),
    Case("GET /api/v1/maintenance-windows", "admin", window),
    # Who is on call: layers, members, overrides and swaps are read per schedule
    # (deskside.duty.oncall.load from queries.on_call_now).
    Case("GET /api/v1/oncall", "alice", schedule, per_row=4),
    Case("GET /api/v1/schedules", "alice", schedule),
    Case("GET /api/v1/schedules/primary/shifts", "alice", override),
    Case("GET /api/v1/schedules/primary/overrides", "alice", override),
    Case("GET /api/v1/schedules/primary/swaps", "alice", swap),
    Case("GET /api/v1/mail/messages", "admin", inbound),
    Case("GET /api/v1/mail/outbox", "admin", reply),
    Case("GET /api/v1/paging/escalations", "admin", p1),
    Case("GET /api/v1/paging/pages", "admin", page),
    Case("GET /api/v1/paging/contact-methods", "alice", contact),
    Case("GET /api/v1/paging/policies", "admin", policy),
    Case("GET /api/v1/paging/rules", "admin", rule),
    Case("GET /api/v1/calendars", "admin", calendar),
    Case("GET /api/v1/contracts", "admin", contract),
    Case("GET /api/v1/webhooks", "admin", webhook),
    Case("GET /api/v1/webhooks/{webhook}/deliveries", "admin", delivery),
    Case("GET /api/v1/macros", "alice", macro),
    Case("GET /api/v1/notifications", "alice", mention),
    Case("GET /api/v1/views", "alice", saved_view),
    Case("GET /api/v1/views/{view}/tickets", "alice", ticket),
    # One capped count per view, by design (each view is its own filter).
    Case("GET /api/v1/views/counts", "alice", saved_view, per_row=1),
    # The agents' and customers' list pages.
    Case("GET /tickets/", "alice", ticket, api=False),
    Case("GET /tickets/search/?q=printer", "alice", ticket, api=False),
    Case("GET /tickets/workload/", "admin", ticket, api=False),
    Case("GET /tickets/new/callers/?q=caller", "alice", caller, api=False),
    Case("GET /live/queue/?after=0", "alice", ticket, api=False),
    Case("GET /portal/", "carol", ticket, api=False),
    Case("GET /portal/?q=printer", "carol", ticket, api=False),
    Case("GET /alerts/", "alice", alert, api=False),
    Case("GET /alerts/integrations/", "admin", integration, api=False),
    Case("GET /alerts/maintenance/", "admin", window, api=False),
    Case("GET /oncall/", "alice", schedule, api=False, per_row=4),
    Case("GET /mail/received/", "admin", inbound, api=False),
    Case("GET /mail/outbox/", "admin", reply, api=False),
    Case("GET /mail/mailboxes/", "admin", mailbox, api=False),
    Case("GET /paging/", "admin", p1, api=False),
    Case("GET /paging/contacts/", "alice", contact, api=False),
    Case("GET /paging/policies/", "admin", policy, api=False),
    Case("GET /paging/rules/", "admin", rule, api=False),
    Case("GET /sla/calendars/", "admin", calendar, api=False),
    Case("GET /sla/contracts/", "admin", contract, api=False),
    Case("GET /webhooks/", "admin", webhook, api=False),
    Case("GET /macros/", "alice", macro, api=False),
    # The directory (deskside.directory): its API and pages.
    Case("GET /api/v1/directory/contacts", "alice", user),
    Case("GET /api/v1/directory/contacts/{contact}/tickets", "alice", ticket),
    Case("GET /api/v1/directory/clients", "admin", organization),
    Case("GET /api/v1/directory/clients/acme/sites", "alice", site),
    Case("GET /api/v1/directory/agents", "admin", agent),
    Case("GET /api/v1/directory/teams", "admin", team),
    Case("GET /directory/", "alice", user, api=False),
    Case("GET /directory/contacts/{contact}/", "alice", ticket, api=False),
    Case("GET /directory/clients/", "admin", organization, api=False),
    Case("GET /directory/agents/", "admin", agent, api=False),
    Case("GET /directory/teams/", "admin", team, api=False),
    Case("GET /notifications/", "alice", mention, api=False),
    Case("GET /workspace/views/", "alice", saved_view, api=False, per_row=1),
    Case("GET /workspace/views/counts/", "alice", saved_view, api=False, per_row=1),
]


@pytest.fixture
def world(admin, alice, leo, tara, carol, acme, acme_hq, globex, helpdesk, network_team, stub_dns):
    """Everyone and the few things the rows hang on: a ticket, an integration, an on-call
    schedule, a policy paging P1 tickets on the default contract, a webhook."""
    stub_dns.names["hooks.example.net"] = ["93.184.216.34"]
    w = SimpleNamespace(**{k: v for k, v in locals().items() if k not in ("stub_dns",)})
    w.ticket = tickets.create_ticket(
        actor=alice,
        ticket=tickets.NewTicket(requester=carol, organization=acme, subject="Printer offline"),
    ).ticket
    w.integration, _ = alert_setup.create_integration(
        actor=admin, name="Acme RMM", kind="events", organization=acme, team=helpdesk
    )
    w.primary = duty.create_schedule(actor=admin, name="Primary", slug="primary")
    duty.create_layer(
        actor=admin,
        schedule=w.primary,
        name="Weekly",
        starts_at=T0 - timedelta(days=30),
        members=[alice],
    )
    w.policy = paging.create_policy(
        actor=admin,
        name="Night escalation",
        team=network_team,
        steps=[
            StepSpec(target="schedule", schedule=w.primary, wait_minutes=5),
            StepSpec(target="user", user=leo, wait_minutes=10),
        ],
    )
    w.calendar = sla.create_calendar(actor=admin, name="24x7", definition={"24x7": True})
    default = sla.create_contract(
        actor=admin, name="Standard", calendar=w.calendar, is_default=True
    ).contract
    paging.set_rule(actor=admin, contract=default, policy=w.policy, p2=PagingRule.P2.AFTER_HOURS)
    w.webhook = webhooks.create_webhook(
        actor=admin, name="Feed", url="https://hooks.example.net/feed", events=["ticket.created"]
    )
    return w


def url_of(case: Case, w) -> str:
    path = case.url or case.key.split(" ", 2)[1]
    return path.format(
        number=w.ticket.number,
        integration=w.integration.public_id,
        webhook=w.webhook.public_id,
        contact=w.carol.public_id,
        view=SavedView.objects.get(is_default=True, name="All tickets").public_id,
    )


def client_as(case: Case, user) -> Client:
    if case.api:
        return client_for(user)
    client = Client()
    client.force_login(user)
    return client


def queries(client: Client, url: str) -> tuple[int, int]:
    """The number of queries of one request, and the length of what it answered."""
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200, (url, response.status_code, response.content[:300])
    return len(captured), len(response.content)


def pinned(key: str) -> int | None:
    if not COUNTS_FILE.exists():
        return None
    value = json.loads(COUNTS_FILE.read_text()).get(key)
    if isinstance(value, dict):
        return value.get(connection.vendor)
    return value


def pin(key: str, count: int) -> None:
    """Write this backend's count for `key` (the file is locked: xdist workers write too)."""
    vendor, other = connection.vendor, {"sqlite": "postgresql", "postgresql": "sqlite"}
    with open(COUNTS_FILE, "a+", encoding="utf-8") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        fh.seek(0)
        counts = json.loads(fh.read() or "{}")
        old = counts.get(key)
        if isinstance(old, dict):
            value = {**old, vendor: count}
        elif old is None or old == count:
            value = count
        else:  # the other backend keeps what was pinned for both
            value = {vendor: count, other[connection.vendor]: old}
        if isinstance(value, dict) and len(set(value.values())) == 1 and len(value) == 2:
            value = count
        counts[key] = value
        fh.seek(0)
        fh.truncate()
        fh.write(json.dumps(dict(sorted(counts.items())), indent=2) + "\n")


@pytest.mark.parametrize("case", CASES, ids=[c.key for c in CASES])
def test_query_count(case, world):
    with clock.frozen(T0):
        for i in range(BASE):
            case.add(world, i)
        client = client_as(case, getattr(world, case.persona))
        url = url_of(case, world)
        client.get(url)  # the first request fills per-process caches
        few, small = queries(client, url)
        for i in range(BASE, BASE + MORE):
            case.add(world, i)
        many, large = queries(client, url)
    assert large > small, f"{case.key}: the ten rows added are not in the list"
    assert many == few + MORE * case.per_row, (
        f"{case.key}: {few} queries with {BASE} rows, {many} with {BASE + MORE}"
    )
    if UPDATE:
        pin(case.key, few)
        return
    expected = pinned(case.key)
    assert expected is not None, f"{case.key} is not in {COUNTS_FILE.name}: run with update mode"
    assert few == expected, (
        f"{case.key}: {few} queries, {expected} pinned in {COUNTS_FILE.name} (if intended: "
        "DESKSIDE_UPDATE_QUERY_COUNTS=1 python -m pytest tests/test_query_counts.py)"
    )
