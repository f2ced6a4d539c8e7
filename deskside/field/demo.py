"""The field service's demo base (issue 17), loaded after the rest of the demo with the clock at
"now" (the other field parts' demos build on it):

- **Three technicians** (L2 agents of Desktop Support L2 with a field profile and a home
  base): the demo's Leo Field (Dallas) and Maria Santos (Hamburg), and Kofi Mensah (Fort Worth),
  made here. The demo sites have coordinates (any that lack them get them here).
- **Clearances**: Leo and Kofi at Acme, Maria at Globex (each the client's first technician,
  or with Leo as the regular one, signed off by the demo's administrator with an override
  note); Kofi **shadowing at Globex** with Maria as the regular technician: one of two shadow
  visits done (last week's, in Hamburg).
- **A week of visits**: Monday to Friday of the demo week, three visits a day each (09:00,
  11:30 and 14:30 at the site), each on its own L2 ticket (logged by the help desk, escalated
  to the technician), created and scheduled through `field.services.scheduling`. The demo week
  is this week, or next week from Thursday on, so the leave below is always ahead. Visits of
  the week already over are done, through the visits part's own steps (`services.visits`: set
  out, check in, check out at their times), so the customer reads the public work summary on
  the ticket; one under way is on site.
- **Leave**: Leo is on holiday on Thursday and Friday (rosters' leave, through its service);
  his visits then stay scheduled, so the backfill page lists them with Kofi suggested.
- **The queue**: four visits left unscheduled (one at each demo site but Munich) for the board.

Timelines run forward: the tickets are logged first (days before the week), then the visits
are created and scheduled in time order, then past visits finish at their own times; nothing
is written after "now". Idempotent: a database with the demo's third technician is left alone.
"""

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from deskside.accounts import services as accounts
from deskside.accounts.models import Organization, Site, Skill, Team, Tier, User
from deskside.core import clock
from deskside.field.models import Clearance, Technician, Visit, VisitStatus
from deskside.field.services import clearance as clearances
from deskside.field.services import scheduling, visits
from deskside.rosters import services as rosters
from deskside.rosters.models import Leave
from deskside.tickets import services as tickets
from deskside.tickets.models import Channel, Priority, TicketType

DEMO_PASSWORD = "deskside-demo"  # noqa: S105 - the demo's published password (deskside.demo)
ADMIN = "admin@deskside.example"
DESK = "ana@deskside.example"
L2_TEAM = "desktop-support-l2"
NEW_YORK = "America/New_York"
# email, name, zone, base label, latitude, longitude, skills
TECHNICIANS = [
    (
        "leo@deskside.example",
        "Leo Field",
        "America/Chicago",
        "Dallas depot",
        32.7831,
        -96.8067,
        ("Windows", "Printers"),
    ),
    (
        "maria@deskside.example",
        "Maria Santos",
        "Europe/Berlin",
        "Hamburg office",
        53.5511,
        9.9937,
        ("macOS", "Printers", "Exchange"),
    ),
    (
        "kofi@deskside.example",
        "Kofi Mensah",
        "America/Chicago",
        "Fort Worth depot",
        32.7555,
        -97.3308,
        ("Windows", "Printers", "macOS"),
    ),
]
SITE_POINTS = {  # for demo sites without coordinates (the demo's have them)
    "Dallas Plant": (32.7767, -96.7970),
    "Denver Office": (39.7392, -104.9903),
    "Hamburg Hub": (53.5436, 9.9886),
    "Munich Office": (48.1500, 11.5830),
    "Sydney HQ": (-33.8610, 151.2070),
}
SLOTS = ((time(9, 0), 60), (time(11, 30), 75), (time(14, 30), 90))
WORK = [
    ("Laptop will not power on", "No lights when the charger is connected.", "Windows"),
    ("Printer jams on every second page", "The floor printer jams and shows E-52.", "Printers"),
    ("New starter needs a desk set up", "Laptop, dock, two monitors and a phone.", "Windows"),
    ("Docking station does not see the monitors", "Both screens stay black when docked.", ""),
    ("Replace toner and fuser", "Print quality is faded; the fuser warning is on.", "Printers"),
    ("Reimage a failed workstation", "Blue screen at boot after an update.", "Windows"),
    ("Mac will not join the Wi-Fi", "The MacBook drops off the office network.", "macOS"),
]
SHADOW_NOTE = "Kofi learns Globex's warehouse and its scanners, to cover Maria's leave."


@dataclass
class Seeded:
    """What the demo made (for the tests and the demo's summary)."""

    technicians: list[User]
    week_start: date
    visits: list[Visit] = field(default_factory=list)
    unscheduled: list[Visit] = field(default_factory=list)
    shadow_visit: Visit | None = None
    leave: Leave | None = None


def demo_week(now: datetime) -> date:
    """The Monday of the demo week: this week until Wednesday (New York), else the next one,
    so that Thursday and Friday (the leave) are still ahead."""
    today = now.astimezone(ZoneInfo(NEW_YORK)).date()
    monday = today - timedelta(days=today.weekday())
    return monday if today.weekday() <= 2 else monday + timedelta(days=7)


def _at(day: date, hour: time, zone: str) -> datetime:
    return datetime.combine(day, hour, tzinfo=ZoneInfo(zone)).astimezone(UTC)


def _technicians(msp: Organization, team: Team, password: str) -> list[User]:
    skills = {
        name: Skill.objects.get_or_create(name=name)[0]
        for name in ("Windows", "Printers", "macOS", "Exchange")
    }
    people = []
    for email, name, zone, label, lat, lon, held in TECHNICIANS:
        person = User.objects.filter(email=email).first()
        if person is None:
            person = accounts.create_user(
                email=email,
                full_name=name,
                password=password,
                kind="agent",
                tier=Tier.L2,
                organization=msp,
                teams=[team],
                timezone=zone,
            )
        person.skills.add(*(skills[s] for s in held))
        Technician.objects.get_or_create(
            user=person,
            defaults={
                "base_label": label,
                "base_latitude": Decimal(str(lat)),
                "base_longitude": Decimal(str(lon)),
            },
        )
        people.append(person)
    return people


def _sites() -> dict[str, Site]:
    sites = {
        s.name: s for s in Site.objects.filter(organization__slug__in=["acme", "globex", "initech"])
    }
    for site in sites.values():
        if (site.latitude is None or site.longitude is None) and site.name in SITE_POINTS:
            lat, lon = SITE_POINTS[site.name]
            site.latitude, site.longitude = Decimal(str(lat)), Decimal(str(lon))
            site.save(update_fields=["latitude", "longitude"])
    return sites


def _clear_first(admin: User, person: User, org: Organization, note: str) -> Clearance:
    row = clearances.start_shadowing(
        actor=admin, technician=person, organization=org, regular_technician=None
    )
    return clearances.sign_off(actor=admin, clearance=row, override=True, note=note)


def seed_demo(*, password: str = DEMO_PASSWORD) -> Seeded | None:
    """Seed the field demo (see the module's docstring) on the loaded demo; None when the
    demo's clients are not there, the technicians only when it was seeded already."""
    if not Organization.objects.filter(slug="acme").exists():
        return None
    kofi = User.objects.filter(email=TECHNICIANS[2][0]).first()
    if kofi is not None and Technician.objects.filter(user=kofi).exists():
        people = list(User.objects.filter(email__in=[t[0] for t in TECHNICIANS]).order_by("email"))
        return Seeded(technicians=people, week_start=demo_week(clock.now()))
    outer = clock.override()
    now = clock.now()
    try:
        return _seed(now, password)
    finally:
        clock.set_now(outer)


def _seed(now: datetime, password: str) -> Seeded:
    admin = User.objects.get(email=ADMIN)
    desk = User.objects.filter(email=DESK).first() or admin
    team = Team.objects.get(slug=L2_TEAM)
    orgs = {o.slug: o for o in Organization.objects.filter(slug__in=["acme", "globex", "initech"])}
    sites = _sites()
    monday = demo_week(now)
    # The tickets are logged days before the week (and before last week's shadow visit).
    t0 = min(_at(monday, time(0), NEW_YORK) - timedelta(days=3), now - timedelta(days=5))
    clock.set_now(t0 - timedelta(hours=2))
    leo, maria, kofi = _technicians(admin.organization, team, password)
    seeded = Seeded(technicians=[leo, maria, kofi], week_start=monday)

    # Clearances: each client's first technician signed off by a lead (the administrator).
    _clear_first(admin, leo, orgs["acme"], "Acme's regular technician since the contract began.")
    _clear_first(admin, maria, orgs["globex"], "Globex's regular technician since onboarding.")
    clock.set_now(t0 - timedelta(hours=1))
    row = clearances.start_shadowing(
        actor=leo, technician=kofi, organization=orgs["acme"], regular_technician=leo
    )
    clearances.sign_off(
        actor=admin,
        clearance=row,
        override=True,
        note="Covered Acme at his previous employer; a site walk with Leo was enough.",
    )
    clearances.start_shadowing(
        actor=maria,
        technician=kofi,
        organization=orgs["globex"],
        regular_technician=maria,
        shadow_visits_required=2,
        note=SHADOW_NOTE,
    )

    # Who goes where on each day of the week: (technician, site name, zone) per day.
    def plan(person: User, weekday: int) -> str:
        if person == maria:
            return "Munich Office" if weekday == 2 else "Hamburg Hub"
        if person == kofi:
            return "Denver Office" if weekday == 2 else "Dallas Plant"
        return "Dallas Plant"

    jobs = []  # (start, minutes, person, site, work)
    n = 0
    for weekday in range(5):
        day = monday + timedelta(days=weekday)
        for person in (leo, kofi, maria):
            site = sites[plan(person, weekday)]
            for hour, minutes in SLOTS:
                jobs.append(
                    (_at(day, hour, site.timezone), minutes, person, site, WORK[n % len(WORK)])
                )
                n += 1
    # Last week's shadow visit: Maria with Kofi along, at the Hamburg hub, after her day.
    shadow_day = (now - timedelta(days=2)).astimezone(ZoneInfo("Europe/Berlin")).date()
    while shadow_day.weekday() >= 5:
        shadow_day -= timedelta(days=1)
    shadow_start = _at(shadow_day, time(16, 30), "Europe/Berlin")
    shadow_job = (shadow_start, 60, maria, sites["Hamburg Hub"], WORK[1])
    queue = [
        (now + timedelta(days=1), "Dallas Plant", WORK[3]),
        (now + timedelta(days=2), "Denver Office", WORK[2]),
        (now + timedelta(days=1), "Hamburg Hub", WORK[6]),
        (now + timedelta(days=3), "Sydney HQ", WORK[5]),
    ]

    # 1. The tickets, logged by the help desk and escalated to the technician (or the team).
    def log(i: int, site: Site, work: tuple, assignee: User | None):
        clock.set_now(t0 + timedelta(minutes=3 * i))
        customer = (
            site.people.filter(kind=User.Kind.CUSTOMER).first()
            or User.objects.filter(organization=site.organization, kind=User.Kind.CUSTOMER).first()
        )
        ticket = tickets.create_ticket(
            actor=desk,
            ticket=tickets.NewTicket(
                organization=site.organization,
                requester=customer,
                site=site,
                subject=work[0],
                description=work[1],
                channel=Channel.PHONE,
                priority=Priority.P3,
                type=TicketType.INCIDENT if i % 3 else TicketType.SERVICE_REQUEST,
            ),
        ).ticket
        clock.set_now(t0 + timedelta(minutes=3 * i + 1))
        tickets.escalate_ticket(
            actor=desk,
            ticket=ticket,
            tier=Tier.L2,
            team=team,
            assignee=assignee,
            symptoms=work[1],
            steps_tried="Checked remotely with the user; it needs hands on site.",
            impact="One user cannot work.",
        )
        return ticket

    job_tickets = [log(i, j[3], j[4], j[2]) for i, j in enumerate(jobs)]
    shadow_ticket = log(len(jobs), shadow_job[3], shadow_job[4], maria)
    queue_tickets = [
        log(len(jobs) + 1 + i, sites[name], work, None) for i, (_, name, work) in enumerate(queue)
    ]

    # 2. The visits, created and scheduled in time order.
    tv = t0 + timedelta(hours=4)
    skills = {s.name: s for s in Skill.objects.all()}

    def make(i: int, ticket, start: datetime, minutes: int, site: Site, work: tuple) -> Visit:
        clock.set_now(tv + timedelta(minutes=i))
        return scheduling.create_visit(
            desk if desk.is_agent else admin,
            ticket,
            window_start=start - timedelta(hours=1),
            window_end=start + timedelta(hours=1),
            duration_minutes=minutes,
            site=site,
            skills=[skills[work[2]]] if work[2] else [],
            instructions=work[1],
        )

    order = 0
    shadow = make(order, shadow_ticket, *shadow_job[:2], shadow_job[3], shadow_job[4])
    shadow = scheduling.schedule(
        admin, shadow, maria, shadow_start, second=kofi, second_is_shadowing=True
    )
    seeded.shadow_visit = shadow
    for ticket, (start, minutes, person, site, work) in zip(job_tickets, jobs, strict=True):
        order += 1
        visit = make(order, ticket, start, minutes, site, work)
        clock.set_now(tv + timedelta(minutes=order, seconds=30))
        seeded.visits.append(scheduling.schedule(admin, visit, person, start))
    for ticket, (when, name, work) in zip(queue_tickets, queue, strict=True):
        order += 1
        site = sites[name]
        local = when.astimezone(ZoneInfo(site.timezone)).date()
        start = _at(local, time(10, 0), site.timezone)
        seeded.unscheduled.append(make(order, ticket, start, 60, site, work))

    # 3. What is over by now: done at its check-out (on site when under way).
    for visit in sorted([shadow, *seeded.visits], key=lambda v: v.scheduled_start):
        _progress(visit, now)
    seeded.shadow_visit.refresh_from_db()

    # 4. Leo's holiday on Thursday and Friday, recorded after his week was planned.
    clock.set_now(now - timedelta(minutes=30))
    chicago = "America/Chicago"
    seeded.leave = rosters.record_leave(
        actor=admin,
        user=leo,
        kind=Leave.Kind.HOLIDAY,
        starts_at=_at(monday + timedelta(days=3), time(0), chicago),
        ends_at=_at(monday + timedelta(days=5), time(0), chicago),
        reason="Family holiday",
    )
    return seeded


def _progress(visit: Visit, now: datetime) -> None:
    """A visit whose time has come: done at its end (on site while under way), through the
    technician's own steps (`services.visits`: set out, check in, check out), each at its own
    time on the clock, so the timeline holds what the real steps write (the public work
    summary the customer reads). The caller puts its clock back (`seed_demo`)."""
    start, end = visit.scheduled_start, visit.scheduled_end
    if start >= now:
        return
    tech = visit.technician
    clock.set_now(start - timedelta(minutes=20))
    visits.set_out(tech, visit)
    clock.set_now(start)
    visits.check_in(tech, visit)
    if end > now:
        return
    clock.set_now(end)
    visits.check_out(tech, visit, VisitStatus.DONE, summary="Fixed on site; tested with the user.")
