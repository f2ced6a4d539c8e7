"""Personas and builders shared by every test.

Client A (Acme) and client B (Globex) each have a customer; Alice is an L1 agent on the help
desk, Leo an L2 desktop technician, Tara an L3 network engineer and team lead. Carol is Acme's
customer, Dave Globex's customer (who must never see Acme's data), Olivia Acme's organisation
admin. Data is built through the services, as the users' actions would build it.
"""

import os
import socket
from datetime import datetime

import pytest
from django.test import Client

from deskside.accounts import services as accounts
from deskside.accounts.models import Tier
from deskside.alerts import queries as alert_queries
from deskside.core import clock, netguard
from deskside.mail import senders
from deskside.tickets import services as tickets
from deskside.tickets.models import Channel, Priority
from deskside.webhooks.enqueue import registry as webhook_registry
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


def pytest_collection_modifyitems(items):
    """Browser tests are slow tests too (`-m "not slow"` leaves them out)."""
    for item in items:
        if item.get_closest_marker("e2e") and not item.get_closest_marker("slow"):
            item.add_marker(pytest.mark.slow)


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
    """With DESKSIDE_WALLCLOCK_LOG=FILE, append the id of every test that reads the suite's
    clock to FILE: the running clock, or the instant DESKSIDE_TEST_NOW froze it at, but not an
    instant the test froze itself. Those are the tests whose outcome could depend on when the
    suite runs, which .ci/run then runs again at the other INSTANTS."""
    log = os.environ.get("DESKSIDE_WALLCLOCK_LOG")
    if not log:
        yield
        return
    running_now, read, session = clock.now, [], instant_from_env()

    def now():
        if not read and clock.override() in (None, session):
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
def _fresh_webhook_registry():
    """The webhook registry keeps the active webhooks in memory per process; each test starts
    without them (a rolled-back test's webhook must not get the next test's deliveries)."""
    webhook_registry.forget()
    yield
    webhook_registry.forget()


class StubDNS:
    """The resolver of the outbound guard in tests: `names` maps a host name to its addresses;
    an address resolves as itself, "localhost" as 127.0.0.1, any other name does not resolve
    (EAI_NONAME), so no guarded connection or save-time check asks a real DNS server."""

    def __init__(self) -> None:
        self.names: dict[str, list[str]] = {"localhost": ["127.0.0.1"]}
        self.asked: list[str] = []

    def __call__(self, host, port, family=0, type=0, proto=0, flags=0):
        name = host.decode() if isinstance(host, bytes) else host
        self.asked.append(name)
        try:
            addresses = [str(netguard.ipaddress.ip_address(name.strip("[]")))]
        except ValueError:
            addresses = self.names.get(name.lower().rstrip("."))
        if not addresses:
            raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
        results = []
        for address in addresses:
            v6 = ":" in address
            fam = socket.AF_INET6 if v6 else socket.AF_INET
            if family not in (0, socket.AF_UNSPEC, fam):
                continue
            port_number = int(port or 0) if not isinstance(port, str) or port.isdigit() else 0
            sockaddr = (address, port_number, 0, 0) if v6 else (address, port_number)
            results.append((fam, type or socket.SOCK_STREAM, proto or 6, "", sockaddr))
        if not results:
            raise socket.gaierror(socket.EAI_ADDRFAMILY, "no address of that family")
        return results


@pytest.fixture(autouse=True)
def stub_dns(monkeypatch) -> StubDNS:
    """Every test: the outbound guard resolves through a StubDNS (add names to `.names`)."""
    resolver = StubDNS()
    monkeypatch.setattr(netguard, "_resolve", resolver)
    return resolver


@pytest.fixture
def allow_loopback(settings):
    """This test talks to its own servers on 127.0.0.1: the outbound guard may connect there
    (and nowhere else internal). Visible in each fixture or test that needs it."""
    settings.DESKSIDE_OUTBOUND_ALLOW = ["127.0.0.1"]


# Names the outbound-guard tests resolve (through StubDNS): one per kind of internal address,
# and one public address that no test ever reaches (connects are recorded, not made).
INTERNAL_NAMES = {
    "loopback.example.net": "127.0.0.1",
    "ten.example.net": "10.1.2.3",
    "corp172.example.net": "172.16.5.4",
    "home.example.net": "192.168.1.20",
    "metadata.example.net": "169.254.169.254",
    "cgnat.example.net": "100.64.1.1",
    "v6loopback.example.net": "::1",
    "v6linklocal.example.net": "fe80::1",
    "v6ula.example.net": "fc00::7",
    "v6mapped.example.net": "::ffff:127.0.0.1",
}
PUBLIC_NAME, PUBLIC_ADDRESS = "public.example.net", "93.184.216.34"


@pytest.fixture
def connects(monkeypatch, stub_dns):
    """The connections made inside guarded blocks, recorded as (address, port) instead of made:
    each fails as refused, so no traffic leaves the machine. Connections outside a guarded
    block (the tests' own servers, the database) are made as usual. Also loads
    INTERNAL_NAMES and PUBLIC_NAME into the stub resolver."""
    stub_dns.names.update({name: [address] for name, address in INTERNAL_NAMES.items()})
    stub_dns.names[PUBLIC_NAME] = [PUBLIC_ADDRESS]
    seen: list[tuple] = []
    real_connect, real_connect_ex, real_sendto = (
        netguard._connect,
        netguard._connect_ex,
        netguard._sendto,
    )

    def connect(sock, address):
        if netguard._current.get() is None:
            return real_connect(sock, address)
        seen.append(tuple(address[:2]))
        raise ConnectionRefusedError(111, "Connection refused (recorded by the test, not made)")

    def connect_ex(sock, address):
        if netguard._current.get() is None:
            return real_connect_ex(sock, address)
        seen.append(tuple(address[:2]))
        return 111

    def sendto(sock, data, *args):
        if netguard._current.get() is None:
            return real_sendto(sock, data, *args)
        seen.append(tuple(args[-1][:2]))
        return len(data)

    monkeypatch.setattr(netguard, "_connect", connect)
    monkeypatch.setattr(netguard, "_connect_ex", connect_ex)
    monkeypatch.setattr(netguard, "_sendto", sendto)
    return seen


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
def admin_serving(msp):
    """`admin_serving(acme, email=...)` -> an administrator (staff) who serves only the clients
    given: sees and changes their configuration, never another client's."""

    def make(*clients, email: str, full_name: str = "Restricted Admin", tier=Tier.L3, **extra):
        user = accounts.create_user(
            email=email,
            full_name=full_name,
            kind="agent",
            tier=tier,
            organization=msp,
            is_staff=True,
            **extra,
        )
        user.served_organizations.set(clients)
        return user

    return make


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
        attachments = kwargs.pop("attachments", ())
        new = tickets.NewTicket(
            requester=requester,
            organization=requester.organization,
            subject=subject,
            description=kwargs.pop("description", "It shows offline."),
            **kwargs,
        )
        return tickets.create_ticket(
            actor=actor or alice, ticket=new, attachments=attachments
        ).ticket

    return make


@pytest.fixture
def acme_ticket(make_ticket, carol):
    return make_ticket(carol)


@pytest.fixture
def globex_ticket(make_ticket, dave):
    return make_ticket(dave, subject="VPN drops every hour")


class ApiClient(Client):
    """A test client that sends JSON bodies and, given a token, the Authorization header."""

    def __init__(self, token: str | None = None) -> None:
        headers = {"HTTP_AUTHORIZATION": f"Bearer {token}"} if token else {}
        super().__init__(**headers)

    def post(self, path, data=None, **extra):
        return super().post(path, data if data is not None else {}, "application/json", **extra)

    def patch(self, path, data=None, **extra):
        return super().patch(path, data if data is not None else {}, "application/json", **extra)


def client_for(user) -> ApiClient:
    """An API client sending a fresh token of `user`."""
    return ApiClient(accounts.create_api_token(user=user, name="tests"))


@pytest.fixture
def api_as(db):
    """`api_as(user)` -> an API client with a token of `user` (for people without a fixture)."""
    return client_for


def login(user) -> Client:
    """A django.test.Client signed in as `user` (the pages)."""
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def signed_in(db):
    """`signed_in(user)` -> a django.test.Client signed in as `user` (the pages)."""
    return login


@pytest.fixture
def web_admin(admin):
    """The administrator, signed in to the pages."""
    return login(admin)


@pytest.fixture
def anon():
    return ApiClient()


@pytest.fixture
def as_admin(admin):
    return client_for(admin)


@pytest.fixture
def as_alice(alice):
    return client_for(alice)


@pytest.fixture
def as_leo(leo):
    return client_for(leo)


@pytest.fixture
def as_tara(tara):
    return client_for(tara)


@pytest.fixture
def as_carol(carol):
    return client_for(carol)


@pytest.fixture
def as_olivia(olivia):
    return client_for(olivia)


@pytest.fixture
def as_dave(dave):
    return client_for(dave)
