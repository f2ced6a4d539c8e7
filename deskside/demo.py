"""Demo data that looks like a real MSP: three clients in different time zones, an L1/L2/L3
support organisation, customers, SLA contracts on business calendars, and a few hundred
tickets with realistic timelines.

Everything is built through the services, with the clock moved to when each step happened,
so the demo's timelines are exactly what real use would have written. The SLA calendars and
contracts are set up before the first ticket, so every ticket gets its due times from the
SLA clock as it is created and moves. Loading is idempotent: a database that already has the
demo clients is left alone.
"""

import random
import sys
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.message import EmailMessage
from email.utils import format_datetime

from django.db import transaction

from deskside import demo_desk, demo_field, demo_insight, demo_macros, demo_ops, demo_response
from deskside.accounts import services as accounts
from deskside.accounts.models import Organization, Team, Tier, User
from deskside.core import clock
from deskside.mail import outbound
from deskside.mail.models import Mailbox, Source
from deskside.mail.pipeline import Policy, receive
from deskside.sla import services as sla
from deskside.sla.models import Calendar, Contract
from deskside.sla.services import TargetTerms
from deskside.tickets import services as tickets
from deskside.tickets.models import Channel, Priority, Status, Ticket, TicketType

PASSWORD = "deskside-demo"  # noqa: S105 - published demo logins, demo data only
DEMO_SLUG = "acme"  # present once the demo is loaded
TICKETS = 320
SEED = 20261123

LOGINS = [
    ("admin@deskside.example", "agent, L3, Django admin"),
    ("ana@deskside.example", "Level 1 help desk agent"),
    ("leo@deskside.example", "Level 2 desktop support (on site)"),
    ("nora@deskside.example", "Level 3 network engineer, team lead"),
    ("ivy@deskside.example", "Internal IT lead, on the weekly support duty"),
    ("carol@acme.example", "customer of Acme Manufacturing"),
    ("olivia@acme.example", "Acme's organisation admin (sees all Acme tickets)"),
    ("dieter@globex.example", "customer of Globex Logistics"),
]

CLIENTS = [
    (
        "Acme Manufacturing",
        "acme",
        "America/Chicago",
        "acme.example",
        [
            (
                "Dallas Plant",
                "4100 Industrial Blvd, Dallas, TX",
                "America/Chicago",
                32.7767,
                -96.7970,
                "Badge in at gate 2; ask security for the IT cage key.",
            ),
            (
                "Denver Office",
                "1550 Larimer St, Denver, CO",
                "America/Denver",
                39.7392,
                -104.9903,
                "Reception on floor 3 signs visitors in.",
            ),
        ],
    ),
    (
        "Globex Logistics",
        "globex",
        "Europe/Berlin",
        "globex.example",
        [
            (
                "Hamburg Hub",
                "Am Sandtorkai 50, Hamburg",
                "Europe/Berlin",
                53.5436,
                9.9886,
                "Warehouse entrance only; hi-vis vest required on the floor.",
            ),
            ("Munich Office", "Leopoldstrasse 8, Munich", "Europe/Berlin", 48.1500, 11.5830, ""),
        ],
    ),
    (
        "Initech Finance",
        "initech",
        "Australia/Sydney",
        "initech.example",
        [
            (
                "Sydney HQ",
                "200 George St, Sydney NSW",
                "Australia/Sydney",
                -33.8610,
                151.2070,
                "Server room access needs a change ticket approved by Bill.",
            ),
        ],
    ),
]

CUSTOMERS = {
    "acme": [
        ("Carol Baker", "carol", False),
        ("Olivia Grant", "olivia", True),
        ("Hector Ruiz", "hector", False),
        ("Priya Shah", "priya", False),
        ("Tom Fischer", "tom", False),
    ],
    "globex": [
        ("Dieter Braun", "dieter", False),
        ("Lena Vogel", "lena", True),
        ("Jonas Weber", "jonas", False),
        ("Mia Schulz", "mia", False),
    ],
    "initech": [
        ("Peter Gibbons", "peter", False),
        ("Joanna Lee", "joanna", True),
        ("Samir Nagheenanajar", "samir", False),
        ("Milton Waddams", "milton", False),
    ],
}


@dataclass(frozen=True)
class Scenario:
    subject: str
    description: str
    type: str
    priority: int
    fix: str
    escalate_to: str = ""  # "", "L2" or "L3"
    team: str = ""


SCENARIOS = [
    Scenario(
        "Cannot log in to Windows after password change",
        "User changed the password yesterday and now gets 'the user name or password is "
        "incorrect' on the laptop.",
        TicketType.INCIDENT,
        Priority.P3,
        "Cached credentials were stale; connected to VPN and locked/unlocked to sync.",
    ),
    Scenario(
        "Outlook keeps asking for password",
        "Outlook prompts for credentials every few minutes since this morning.",
        TicketType.INCIDENT,
        Priority.P3,
        "Removed stale credentials from Credential Manager and recreated the profile.",
    ),
    Scenario(
        "Printer on floor 2 shows offline",
        "The HP LaserJet near the kitchen shows offline for everyone on floor 2.",
        TicketType.INCIDENT,
        Priority.P3,
        "Printer had picked up a new DHCP address; set a reservation and re-added the port.",
    ),
    Scenario(
        "VPN disconnects every hour",
        "Remote staff lose the VPN roughly every 60 minutes and must reconnect.",
        TicketType.INCIDENT,
        Priority.P2,
        "Rekey lifetime on the firewall was mismatched; aligned phase 2 lifetimes.",
        "L3",
        "network-l3",
    ),
    Scenario(
        "Laptop will not power on",
        "Dell Latitude does not start, no lights when the charger is connected.",
        TicketType.INCIDENT,
        Priority.P3,
        "Replaced the failed DC-in board on site; laptop boots and charges.",
        "L2",
        "desktop-support-l2",
    ),
    Scenario(
        "New starter needs laptop and accounts",
        "New accountant starts Monday: laptop, email, ERP access and a desk phone.",
        TicketType.SERVICE_REQUEST,
        Priority.P3,
        "Laptop imaged and delivered, accounts created, phone extension 2214 assigned.",
        "L2",
        "desktop-support-l2",
    ),
    Scenario(
        "Move desk and monitors to room 4.12",
        "Two users move from the open floor to room 4.12; two monitors and docks each.",
        TicketType.SERVICE_REQUEST,
        Priority.OPS,
        "Moved equipment, patched ports 4.12-A/B, tested docks and displays.",
        "L2",
        "desktop-support-l2",
    ),
    Scenario(
        "File server very slow",
        "Opening files on the S: drive takes minutes for the whole office.",
        TicketType.INCIDENT,
        Priority.P2,
        "Antivirus full scan was running in business hours; rescheduled to 02:00.",
        "L3",
        "servers-l3",
    ),
    Scenario(
        "Whole site has no internet",
        "No one at the site can reach the internet or cloud apps; phones are down too.",
        TicketType.INCIDENT,
        Priority.P1,
        "ISP fibre cut repaired; failover to LTE now configured on the edge router.",
        "L3",
        "network-l3",
    ),
    Scenario(
        "Shared mailbox access for accounts team",
        "Please give the accounts team access to the invoices@ shared mailbox.",
        TicketType.SERVICE_REQUEST,
        Priority.P3,
        "Granted full access and send-as; mailbox appears after Outlook restart.",
    ),
    Scenario(
        "Wi-Fi drops in meeting rooms",
        "Laptops lose Wi-Fi in the meeting rooms on the 3rd floor during calls.",
        TicketType.INCIDENT,
        Priority.P3,
        "Access point on channel overlap; moved AP-3B to channel 44 and lowered power.",
        "L3",
        "network-l3",
    ),
    Scenario(
        "Nightly backup job failed",
        "Backup report shows the SQL job failed with a VSS error.",
        TicketType.OPERATIONAL,
        Priority.OPS,
        "VSS writer was stuck; restarted the service and re-ran the job successfully.",
        "L3",
        "servers-l3",
    ),
    Scenario(
        "Monthly patching window",
        "Apply this month's Windows updates to the office workstations.",
        TicketType.OPERATIONAL,
        Priority.OPS,
        "Patches deployed to all workstations; two reboots deferred to tonight.",
    ),
    Scenario(
        "Excel crashes when opening macros",
        "Excel closes when opening the monthly report workbook with macros.",
        TicketType.INCIDENT,
        Priority.P3,
        "Repaired Office and re-enabled the trusted location for the reports share.",
    ),
    Scenario(
        "Disk space alert on FS01",
        "Monitoring reports C: on FS01 at 94 % used.",
        TicketType.INCIDENT,
        Priority.P2,
        "Cleared old update caches and extended the volume by 40 GB.",
        "L3",
        "servers-l3",
    ),
    Scenario(
        "Phone handset has no dial tone",
        "Desk phone at reception shows 'No service'.",
        TicketType.INCIDENT,
        Priority.P3,
        "Patch cable was unplugged at the switch; reconnected and the phone registered.",
        "L2",
        "desktop-support-l2",
    ),
    Scenario(
        "Dispose of three old PCs",
        "Three retired desktops in the store room need data-wiping and disposal.",
        TicketType.SERVICE_REQUEST,
        Priority.OPS,
        "Drives wiped, PCs collected by the recycler; certificate filed.",
        "L2",
        "desktop-support-l2",
    ),
    Scenario(
        "MFA prompt not arriving",
        "The authenticator app does not receive the sign-in prompt after the phone was replaced.",
        TicketType.INCIDENT,
        Priority.P2,
        "Re-registered MFA on the new phone after verifying identity by call-back.",
    ),
]

CUSTOMER_REPLIES = [
    "Thanks, I tried that but it still happens.",
    "It is working again, thank you!",
    "I'm in the office until 5 pm if someone can come by.",
    "Here is a photo of the error.",
    "Any update on this? It is blocking the team.",
    "Yes, you can restart it now.",
]
AGENT_REPLIES = [
    "Thanks for reporting this. I'm looking into it now.",
    "Could you restart the device and let me know if it happens again?",
    "A technician is scheduled to visit this afternoon.",
    "We've applied a fix. Can you confirm it works on your side?",
]
NOTES = [
    "Checked event log: repeated 4625 logon failures from the laptop.",
    "Remote session declined by user; will call back after lunch.",
    "Vendor case opened, reference 88231-A.",
    "Same issue seen at this client last month.",
]


RECENT = 40  # the newest tickets, still being worked
# The real time when the load began: no step of a ticket's life is placed after it.
_CEILING: datetime | None = None


def _move_to(t: datetime) -> None:
    """Set the clock to `t`, or to the ceiling when `t` would be in the future."""
    clock.set_now(min(t, _CEILING) if _CEILING is not None else t)


def load(*, progress: bool = False, tickets: int = TICKETS) -> bool:
    """Load the demo data unless it is already there. Returns True when it was loaded."""
    if Organization.objects.filter(slug=DEMO_SLUG).exists():
        return False
    rng = random.Random(SEED)
    with transaction.atomic():
        people = _directory()
        _sla(people)
        demo_macros.load(l2_team=people.teams["desktop-support-l2"], l2_agent=people.l2[0])
    global _CEILING
    outer = clock.override()  # a caller's frozen instant (a test's) is "now" for the demo too
    _CEILING = clock.now() - timedelta(minutes=1)
    start = _CEILING - timedelta(days=60)
    try:
        with outbound.quiet():  # the history answers nobody; the demo's worker sends new mail
            _tickets(rng, people, start, tickets, progress)
            _mail(people)
            _move_to(_CEILING)
            demo_response.load(
                l1=people.l1, l2=people.l2, l3=people.l3, teams=people.teams, orgs=people.orgs
            )
            demo_desk.load(
                teams=people.teams, l1=people.l1, customers=people.customers, password=PASSWORD
            )
            demo_insight.load(l1=people.l1)
    finally:
        clock.set_now(outer)
    # The field week is laid out around now (visits over are done, under way on site), so it
    # comes after the history, with the caller's clock back.
    with outbound.quiet():
        demo_field.load(password=PASSWORD)
        demo_ops.load()
    if progress:
        sys.stdout.write("\n")
    return True


def _tickets(
    rng: random.Random, people: "People", start: datetime, tickets: int, progress: bool
) -> None:
    for i in range(tickets):
        recent = i >= tickets - RECENT
        created = start + timedelta(minutes=rng.randint(0, 60 * 24 * 57))
        if recent:  # opened in the last three days: on time, at risk or just breached
            created = _CEILING - timedelta(minutes=rng.randint(20, 60 * 24 * 3))
        with transaction.atomic():
            _ticket(rng, people, created, recent=recent)
        if progress and (i % 20 == 19 or i == tickets - 1):
            sys.stdout.write(f"\rCreating demo tickets: {i + 1}/{tickets}")
            sys.stdout.flush()


DEMO_MAILBOX = "help@northwind.example"


def _demo_mail(sender: str, subject: str, body: str, message_id: str, **headers: str) -> bytes:
    msg = EmailMessage()
    msg["From"], msg["To"], msg["Subject"] = sender, DEMO_MAILBOX, subject
    msg["Message-ID"] = f"<{message_id}>"
    msg["Date"] = format_datetime(clock.now())
    for name, value in headers.items():
        msg[name.replace("_", "-")] = value
    msg.set_content(body)
    return msg.as_bytes()


def _mail(p: "People") -> None:
    """The demo's mailbox (delivery: `deskside smtpd --mailbox "Help desk"` receives for it)
    and a short mail conversation through the real pipeline: a request, the customer's reply
    with its quote stripped, an out-of-office answer, and a stranger's mail in quarantine."""
    box = Mailbox.objects.create(
        name="Help desk",
        address=DEMO_MAILBOX,
        protocol=Mailbox.Protocol.DELIVERY,
        team=p.teams["help-desk-l1"],
    )
    # The demo vouches for the messages it makes up (as `deskside mail import
    # --senders-verified` does): they carry no DKIM signature for made-up domains.
    policy = Policy.of(box, notify=False, vouched=True)
    carol = User.objects.get(email="carol@acme.example")
    _move_to(_CEILING - timedelta(hours=3))  # type: ignore[operator]
    first = _demo_mail(
        "Carol Customer <carol@acme.example>",
        "Shared drive S: asks for a password",
        "Hello,\n\nsince this morning the S: drive asks me for a password on every start.\n"
        "Windows says the credentials are outdated.\n\nCarol",
        "demo-1@acme.example",
    )
    ticket = receive(first, source=Source.IMPORT, policy=policy).ticket
    _move_to(_CEILING - timedelta(hours=2))  # type: ignore[operator]
    tickets.add_reply(
        actor=p.l1[0],
        ticket=ticket,
        body="Could you lock and unlock your screen (Win+L) and try S: again?",
    )
    _move_to(_CEILING - timedelta(hours=1))  # type: ignore[operator]
    reply = _demo_mail(
        carol.email,
        f"Re: [{ticket.number}] Shared drive S: asks for a password",
        "That fixed it, thank you!\n\n-- \nCarol Customer\nAcme Manufacturing\n\n"
        "On Mon, Ana <help@northwind.example> wrote:\n> Could you lock and unlock your screen?\n",
        "demo-2@acme.example",
        In_Reply_To="<demo-1@acme.example>",
    )
    receive(reply, source=Source.IMPORT, policy=policy)
    away = _demo_mail(
        "dieter@globex.example",
        "Automatic reply: maintenance window",
        "I am out of the office until Monday.",
        "demo-3@globex.example",
        Auto_Submitted="auto-replied",
    )
    receive(away, source=Source.IMPORT, policy=policy)
    stranger = _demo_mail(
        "sales@unknown-vendor.example",
        "Special offer on toner cartridges",
        "Buy two, get one free.",
        "demo-4@unknown-vendor.example",
    )
    receive(stranger, source=Source.IMPORT, policy=policy)


WEEKDAYS = ("mon", "tue", "wed", "thu", "fri")
CALENDARS = {
    "Chicago business hours": {
        "timezone": "America/Chicago",
        "weekly": {d: [["08:00", "17:00"]] for d in WEEKDAYS},
        "holiday_country": "US",
    },
    "Hamburg business hours": {
        "timezone": "Europe/Berlin",
        "weekly": {d: [["08:00", "12:00"], ["13:00", "17:00"]] for d in WEEKDAYS},
        "holiday_country": "DE",
        "holiday_subdivision": "HH",
    },
    "Sydney business hours": {
        "timezone": "Australia/Sydney",
        "weekly": {d: [["08:30", "12:30"], ["13:30", "17:30"]] for d in WEEKDAYS},
        "holiday_country": "AU",
        "holiday_subdivision": "NSW",
    },
    "24x7": {"timezone": "UTC", "24x7": True},
}
# Client -> (business calendar, what happens on a breach, breach team). The default contract
# (for clients signed later) counts on the Chicago calendar and notifies.
CONTRACTS = {
    "acme": ("Chicago business hours", Contract.OnBreach.RAISE_TIER, None),
    "globex": ("Hamburg business hours", Contract.OnBreach.NOTIFY, None),
    "initech": ("Sydney business hours", Contract.OnBreach.REASSIGN, "servers-l3"),
}
HOUR = 60


def demo_targets(business_day: int, always: Calendar) -> list[TargetTerms]:
    """The demo's targets: P1 around the clock (15 min response, 4 h resolution), the others in
    business time, a "day" being one business day of the contract's calendar."""
    return [
        TargetTerms(Priority.P1, 15, 30, 4 * HOUR, always),
        TargetTerms(Priority.P2, HOUR, 2 * HOUR, 8 * HOUR),
        TargetTerms(Priority.P3, 4 * HOUR, business_day, 3 * business_day),
        TargetTerms(Priority.OPS, business_day, 2 * business_day, 5 * business_day),
    ]


def _business_day(calendar: Calendar) -> int:
    """Working minutes of the calendar's first working weekday."""
    periods = next((p for p in calendar.spec.weekly if p), ((0, 24 * 60),))
    return sum(b - a for a, b in periods)


def _sla(p: "People") -> None:
    """Business calendars, a default contract and one contract per demo client. Calendars of
    the same name already there are used as they are."""
    admin = User.objects.get(email="admin@deskside.example")
    calendars = {}
    for name, definition in CALENDARS.items():
        existing = Calendar.objects.filter(name=name).first()
        calendars[name] = existing or sla.create_calendar(
            actor=admin, name=name, definition=definition
        )
    always = calendars["24x7"]
    if not Contract.objects.filter(is_default=True).exists():
        chicago = calendars["Chicago business hours"]
        sla.create_contract(
            actor=admin,
            name="Standard support",
            calendar=chicago,
            is_default=True,
            targets=demo_targets(_business_day(chicago), always),
        )
    for slug, (calendar_name, on_breach, team) in CONTRACTS.items():
        calendar, org = calendars[calendar_name], p.orgs[slug]
        sla.create_contract(
            actor=admin,
            name=f"{org.name} managed services",
            calendar=calendar,
            organization=org,
            warning_percent=80 if slug == "acme" else 75,
            on_breach=on_breach,
            breach_team=p.teams[team] if team else None,
            targets=demo_targets(_business_day(calendar), always),
        )


@dataclass
class People:
    l1: list[User]
    l2: list[User]
    l3: dict[str, User]
    monitor: User
    teams: dict[str, Team]
    customers: dict[str, list[User]]
    orgs: dict[str, Organization]


def _directory() -> People:
    msp = accounts.create_organization(
        name="Northwind IT Services", slug="northwind", is_msp=True, timezone="America/New_York"
    )
    teams = {
        t.slug: t
        for t in [
            accounts.create_team(name="Help Desk L1", tier=Tier.L1),
            accounts.create_team(name="Desktop Support L2", tier=Tier.L2),
            accounts.create_team(name="Network L3", tier=Tier.L3),
            accounts.create_team(name="Servers L3", tier=Tier.L3),
        ]
    }

    def agent(email: str, name: str, tier: str, team: str, **kw: object) -> User:
        return accounts.create_user(
            email=email,
            full_name=name,
            password=PASSWORD,
            kind="agent",
            tier=tier,
            organization=msp,
            teams=[teams[team]],
            timezone="America/New_York",
            **kw,
        )

    accounts.create_user(
        email="admin@deskside.example",
        full_name="Desk Admin",
        password=PASSWORD,
        kind="agent",
        tier=Tier.L3,
        organization=msp,
        is_staff=True,
        is_superuser=True,
        teams=list(teams.values()),
    )
    l1 = [
        agent("ana@deskside.example", "Ana Lima", Tier.L1, "help-desk-l1"),
        agent("ben@deskside.example", "Ben Okafor", Tier.L1, "help-desk-l1"),
        agent("chloe@deskside.example", "Chloe Martin", Tier.L1, "help-desk-l1"),
    ]
    l2 = [
        agent("leo@deskside.example", "Leo Field", Tier.L2, "desktop-support-l2"),
        agent("maria@deskside.example", "Maria Santos", Tier.L2, "desktop-support-l2"),
    ]
    l3 = {
        "network-l3": agent("nora@deskside.example", "Nora Netz", Tier.L3, "network-l3"),
        "servers-l3": agent("sam@deskside.example", "Sam Server", Tier.L3, "servers-l3"),
    }
    for slug, lead in [
        ("help-desk-l1", l1[0]),
        ("desktop-support-l2", l2[0]),
        ("network-l3", l3["network-l3"]),
        ("servers-l3", l3["servers-l3"]),
    ]:
        teams[slug].lead = lead
        teams[slug].save(update_fields=["lead"])
    monitor = accounts.create_user(
        email="monitoring@deskside.example",
        full_name="RMM Monitor",
        kind="agent",
        tier=Tier.L1,
        organization=msp,
    )
    orgs, customers = {}, {}
    for name, slug, tz, domain, sites in CLIENTS:
        org = accounts.create_organization(name=name, slug=slug, timezone=tz, email_domains=domain)
        orgs[slug] = org
        made = [
            accounts.create_site(
                organization=org,
                name=s[0],
                address=s[1],
                timezone=s[2],
                latitude=s[3],
                longitude=s[4],
                access_notes=s[5],
            )
            for s in sites
        ]
        customers[slug] = [
            accounts.create_user(
                email=f"{local}@{domain}",
                full_name=full,
                password=PASSWORD,
                organization=org,
                site=made[i % len(made)],
                is_org_admin=admin,
                phone=f"+1 555 01{i:02d}",
                timezone=tz,
            )
            for i, (full, local, admin) in enumerate(CUSTOMERS[slug])
        ]
    return People(l1, l2, l3, monitor, teams, customers, orgs)


def _ticket(rng: random.Random, p: People, created: datetime, *, recent: bool) -> Ticket:
    """One ticket's life, step by step, each step at its own time."""
    org_slug = rng.choice(list(p.customers))
    requester = rng.choice(p.customers[org_slug])
    sc = rng.choice(SCENARIOS)
    l1 = rng.choice(p.l1)
    t = created
    _move_to(t)
    channel = rng.choices(
        [Channel.PHONE, Channel.WALK_UP, Channel.EMAIL, Channel.WEB, Channel.ALERT, Channel.API],
        weights=[35, 8, 30, 17, 6, 4],
    )[0]
    # A phone call the desk fixes while the customer is on the line: first-contact resolution.
    if channel in (Channel.PHONE, Channel.WALK_UP):
        fixed_on_call = not sc.escalate_to and rng.random() < 0.6 and not recent
        ticket = tickets.intake_call(
            actor=l1,
            organization=p.orgs[org_slug],
            requester=requester,
            subject=sc.subject,
            description=sc.description,
            channel=channel,
            priority=sc.priority,
            type=sc.type,
            minutes=rng.randint(3, 18),
            resolution=sc.fix if fixed_on_call else "",
        )
        if fixed_on_call:
            _maybe_close(rng, ticket, l1, t)
            return ticket
    elif channel == Channel.ALERT:
        ticket = tickets.create_ticket(
            actor=p.monitor,
            ticket=tickets.NewTicket(
                organization=p.orgs[org_slug],
                requester=p.monitor,
                subject=f"[RMM] {sc.subject}",
                description=sc.description,
                channel=channel,
                priority=sc.priority,
                type=TicketType.INCIDENT,
            ),
        ).ticket
    else:
        priority = sc.priority if sc.priority != Priority.P1 else Priority.P2
        ticket = tickets.create_ticket(
            actor=requester,
            ticket=tickets.NewTicket(
                subject=sc.subject,
                description=sc.description,
                channel=channel,
                priority=priority,
                type=sc.type,
            ),
        ).ticket
        if recent and rng.random() < 0.4:
            return ticket  # still in the unassigned queue, waiting for the desk
        if rng.random() < 0.05:
            # The customer reported the same problem twice; the desk merges the duplicate.
            duplicate = tickets.create_ticket(
                actor=requester,
                ticket=tickets.NewTicket(
                    subject=f"RE: {sc.subject}",
                    description="Same problem again.",
                    channel=channel,
                    priority=priority,
                    type=sc.type,
                ),
            ).ticket
            tickets.merge_tickets(actor=l1, source=duplicate, target=ticket)
        t += timedelta(minutes=rng.randint(5, 90))
        _move_to(t)
        tickets.assign_ticket(actor=l1, ticket=ticket, assignee=l1, team=p.teams["help-desk-l1"])
        if sc.priority == Priority.P1:
            tickets.update_ticket(actor=l1, ticket=ticket, priority=Priority.P1)
    # Where this ticket stops in its life: recent tickets are still being worked.
    stage = rng.choices(["open", "pending", "worked", "done"], weights=[1, 2, 1, 12])[0]
    if recent:
        stage = rng.choice(["new", "open", "pending", "worked"])
    if stage == "new" and ticket.status == Status.NEW:
        return ticket
    t += timedelta(minutes=rng.randint(5, 120))
    _move_to(t)
    tickets.add_reply(actor=l1, ticket=ticket, body=rng.choice(AGENT_REPLIES))
    if rng.random() < 0.5:
        t += timedelta(minutes=rng.randint(2, 30))
        _move_to(t)
        tickets.add_note(actor=l1, ticket=ticket, body=rng.choice(NOTES))
    if stage == "pending":
        tickets.set_status(
            actor=l1,
            ticket=ticket,
            status=rng.choice(
                [
                    Status.PENDING_CUSTOMER,
                    Status.PENDING_CUSTOMER,
                    Status.PENDING_VENDOR,
                    Status.ON_HOLD,
                ]
            ),
            reason="Waiting for the next step.",
        )
        return ticket
    if rng.random() < 0.6 and ticket.requester.is_customer:
        t += timedelta(minutes=rng.randint(10, 240))
        _move_to(t)
        tickets.add_reply(actor=ticket.requester, ticket=ticket, body=rng.choice(CUSTOMER_REPLIES))
    worker = l1
    if sc.escalate_to:
        t += timedelta(minutes=rng.randint(10, 60))
        _move_to(t)
        worker = rng.choice(p.l2) if sc.escalate_to == Tier.L2 else p.l3[sc.team]
        tickets.escalate_ticket(
            actor=l1,
            ticket=ticket,
            tier=sc.escalate_to,
            team=p.teams[sc.team],
            assignee=worker,
            symptoms=sc.description,
            steps_tried="Restarted the device, checked cabling and "
            "credentials remotely, reproduced with a second user.",
            impact=rng.choice(
                ["One user cannot work.", "A team of 12 is affected.", "Whole site affected."]
            ),
        )
        if sc.escalate_to == Tier.L2:
            t += timedelta(hours=rng.randint(1, 26))
            _move_to(t)
            tickets.log_call(
                actor=worker,
                ticket=ticket,
                minutes=rng.randint(5, 15),
                body="Called the user to arrange an on-site visit.",
                inbound=False,
            )
    if stage in ("open", "worked"):
        return ticket
    t += timedelta(hours=rng.randint(1, 30))
    _move_to(t)
    tickets.resolve_ticket(actor=worker, ticket=ticket, resolution=sc.fix)
    _maybe_close(rng, ticket, worker, t)
    return ticket


def _maybe_close(rng: random.Random, ticket: Ticket, actor: User, t: datetime) -> None:
    if rng.random() < 0.55:
        _move_to(t + timedelta(days=rng.randint(3, 7)))
        tickets.close_ticket(actor=actor, ticket=ticket, reason="Closed after confirmation.")
