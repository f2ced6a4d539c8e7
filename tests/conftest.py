"""Personas and builders shared by every test.

Client A (Acme) and client B (Globex) each have a customer; Alice is an L1 agent on the help
desk, Leo an L2 desktop technician, Tara an L3 network engineer and team lead. Carol is Acme's
customer, Dave Globex's customer (who must never see Acme's data), Olivia Acme's organisation
admin. Data is built through the services, as the users' actions would build it.
"""

import os
from datetime import datetime

import pytest

from deskside.accounts import services as accounts
from deskside.accounts.models import Tier
from deskside.alerts import queries as alert_queries
from deskside.core import clock
from deskside.mail import senders
from deskside.tickets import services as tickets
from deskside.tickets.models import Channel, Priority
from tests.dnsstub import StubResolver

# The instants .ci/run runs the suite at (DESKSIDE_TEST_NOW=<name>, or any ISO 8601 instant):
# the suite must pass whenever CI happens to run. Times are in UTC; the comments say what they
# are for the demo's and the fixtures' clients (New York, Chicago, Berlin).
INSTANTS = {
    "weekday-noon": "2026-12-09T17:00:00+00:00",  # Wednesday 12:00 in New York, 18:00 Berlin
    "weekday-3am": "2026-12-09T08:00:00+00:00",  # Wednesday 03:00 in New York, 02:00 Chicago
    "saturday": "2026-12-12T20:00:00+00:00",  # Saturday 15:00 in New York, 21:00 Berlin
    # US clocks fall back at 02:00 EDT: this is the second 01:30 of the night in New York.
    "dst-night": "2026-11-01T06:30:00+00:00",
}


def instant_from_env() -> datetime | None:
    """The instant every test runs at when DESKSIDE_TEST_NOW is set, else None."""
    value = os.environ.get("DESKSIDE_TEST_NOW", "").strip()
    if not value:
        return None
    try:
        instant = datetime.fromisoformat(INSTANTS.get(value, value))
    except ValueError:
        raise pytest.UsageError(
            f"DESKSIDE_TEST_NOW={value!r}: give one of {', '.join(INSTANTS)} or an ISO 8601 "
            "instant with its offset"
        ) from None
    if instant.tzinfo is None:
        raise pytest.UsageError(f"DESKSIDE_TEST_NOW={value!r}: the instant needs its UTC offset")
    return instant


@pytest.fixture(autouse=True)
def _frozen_instant(request):
    """With DESKSIDE_TEST_NOW, every test starts with the clock frozen at that instant (a test
    that moves the clock itself still does); without it the clock runs. A test marked
    `running_clock` compares our clock with the system's (a webhook receiver checking a
    timestamp against time.time()) and always runs with the clock running."""
    instant = instant_from_env()
    if instant is None or request.node.get_closest_marker("running_clock"):
        yield
        return
    with clock.frozen(instant):
        yield


@pytest.fixture(autouse=True)
def _wallclock_readers(request):
    """With DESKSIDE_WALLCLOCK_LOG=FILE, append the id of every test that reads the running
    clock (not one frozen by the test) to FILE: those are the tests whose outcome could depend
    on when the suite runs, which .ci/run then runs again at each of INSTANTS."""
    log = os.environ.get("DESKSIDE_WALLCLOCK_LOG")
    if not log:
        yield
        return
    running_now, read = clock.now, []

    def now():
        if clock.override() is None and not read:
            read.append(True)
        return running_now()

    clock.now = now
    try:
        yield
    finally:
        clock.now = running_now
    if read:
        with open(log, "a", encoding="utf-8") as fh:  # one short line: appends do not interleave
            fh.write(request.node.nodeid + "\n")


@pytest.fixture(autouse=True)
def _fresh_alert_cache():
    """The alert intake remembers tokens and client slugs for a few seconds per process; each
    test starts without them (a rolled-back test's rows must not be found by the next)."""
    alert_queries.forget_cached()
    yield
    alert_queries.forget_cached()


@pytest.fixture(autouse=True)
def dns_stub():
    """Sender verification looks names up in this table, never in the real DNS: a test
    publishes what it needs (`dns_stub.txt(name, text)`)."""
    stub = StubResolver()
    with senders.use_resolver(stub):
        yield stub


@pytest.fixture
def msp(db):
    return accounts.create_organization(name="Deskside MSP", slug="msp", is_msp=True)


@pytest.fixture
def acme(db):
    return accounts.create_organization(name="Acme Corp", slug="acme", timezone="America/New_York")


@pytest.fixture
def globex(db):
    return accounts.create_organization(name="Globex", slug="globex", timezone="Europe/Berlin")


@pytest.fixture
def acme_hq(acme):
    return accounts.create_site(organization=acme, name="HQ", address="1 Main St, Boston")


@pytest.fixture
def globex_site(globex):
    return accounts.create_site(organization=globex, name="Berlin office")


@pytest.fixture
def helpdesk(db):
    return accounts.create_team(name="Help Desk L1", tier=Tier.L1)


@pytest.fixture
def desktop_team(db):
    return accounts.create_team(name="Desktop Support L2", tier=Tier.L2)


@pytest.fixture
def network_team(db):
    return accounts.create_team(name="Network L3", tier=Tier.L3)


@pytest.fixture
def admin(msp):
    """An MSP administrator (staff): sets up integrations, contracts, schedules, mailboxes."""
    return accounts.create_user(
        email="root@msp.example",
        full_name="Root Admin",
        password="root-pass-123",
        kind="agent",
        tier=Tier.L3,
        organization=msp,
        is_staff=True,
    )


@pytest.fixture
def alice(msp, helpdesk):
    """L1 help desk agent."""
    return accounts.create_user(
        email="alice@msp.example",
        full_name="Alice Agent",
        password="alice-pass-123",
        kind="agent",
        tier=Tier.L1,
        organization=msp,
        teams=[helpdesk],
    )


@pytest.fixture
def leo(msp, desktop_team):
    """L2 desktop support technician."""
    return accounts.create_user(
        email="leo@msp.example",
        full_name="Leo Field",
        password="leo-pass-123",
        kind="agent",
        tier=Tier.L2,
        organization=msp,
        teams=[desktop_team],
    )


@pytest.fixture
def tara(msp, network_team):
    """L3 network engineer, lead of the network team."""
    user = accounts.create_user(
        email="tara@msp.example",
        full_name="Tara Lead",
        password="tara-pass-123",
        kind="agent",
        tier=Tier.L3,
        organization=msp,
        teams=[network_team],
    )
    network_team.lead = user
    network_team.save()
    return user


@pytest.fixture
def carol(acme, acme_hq):
    """A customer of Acme."""
    return accounts.create_user(
        email="carol@acme.example",
        full_name="Carol Customer",
        password="carol-pass-123",
        organization=acme,
        site=acme_hq,
    )


@pytest.fixture
def olivia(acme):
    """Acme's organisation admin: sees every Acme ticket."""
    return accounts.create_user(
        email="olivia@acme.example",
        full_name="Olivia Admin",
        password="olivia-pass-123",
        organization=acme,
        is_org_admin=True,
    )


@pytest.fixture
def dave(globex, globex_site):
    """A customer of Globex, who must never see Acme's data."""
    return accounts.create_user(
        email="dave@globex.example",
        full_name="Dave Other",
        password="dave-pass-123",
        organization=globex,
        site=globex_site,
    )


@pytest.fixture
def make_ticket(alice):
    """Build a ticket through the service, as an agent logging it would."""

    def make(requester, *, actor=None, subject="Printer offline on floor 2", **kwargs):
        kwargs.setdefault("channel", Channel.PHONE)
        kwargs.setdefault("priority", Priority.P3)
        return tickets.create_ticket(
            actor=actor or alice,
            requester=requester,
            organization=requester.organization,
            subject=subject,
            description=kwargs.pop("description", "It shows offline."),
            **kwargs,
        ).ticket

    return make


@pytest.fixture
def acme_ticket(make_ticket, carol):
    return make_ticket(carol)


@pytest.fixture
def globex_ticket(make_ticket, dave):
    return make_ticket(dave, subject="VPN drops every hour")
