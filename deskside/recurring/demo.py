"""The recurring schedules of the demo (issue 18), loaded after the rest of the demo
(`deskside.demo.load`), with the clock at "now":

- **Acme, "Patching - second Tuesday 22:00"**: FREQ=MONTHLY;BYDAY=+2TU;BYHOUR=22;BYMINUTE=0 in
  Acme's time (America/Chicago), for the Servers L3 team, requested by Acme's organisation
  admin; with the checklist of the work order template "Monthly patching" when the demo has
  one by that name (the work orders' demo), else a plain OPS ticket.
- **Globex, "Monthly backup restore test"**: the first Monday at 09:00 Berlin time, for the
  Servers L3 team; missed occurrences skipped (a restore test a day late is not worth it).
- **Acme, "Quarterly asset audit"**: every three months on the first weekday at 10:00, for
  Desktop Support L2.

The schedules are made 45 days ago by the demo's Sam Server (Servers L3), and the recurring
pass is run at each occurrence since, with the clock at that occurrence, so the history shows
the tickets they opened (at least Globex's first Monday and Acme's second Tuesday in that
time). Call it inside `mail.outbound.quiet()` like the rest of the history: those tickets'
"created" mails are history, not news. Idempotent: a database with the patching schedule is
left alone; one without the demo's clients gets nothing.
"""

from datetime import datetime, timedelta

from deskside.accounts.models import Organization, Team, User
from deskside.core import clock
from deskside.recurring import rules, services, worker
from deskside.recurring.models import MissedPolicy, Schedule
from deskside.recurring.services import ScheduleData
from deskside.workorders.models import WorkOrderTemplate

PATCHING = "Patching - second Tuesday 22:00"
BACKUP = "Monthly backup restore test"
AUDIT = "Quarterly asset audit"
HISTORY = timedelta(days=45)
MAX_PASSES = 20


def _people() -> tuple[User, dict[str, Organization], dict[str, User], dict[str, Team]] | None:
    owner = User.objects.filter(email="sam@deskside.example", is_active=True).first()
    orgs = {o.slug: o for o in Organization.objects.filter(slug__in=("acme", "globex"))}
    admins = {
        slug: User.objects.filter(organization=org, is_org_admin=True).order_by("id").first()
        for slug, org in orgs.items()
    }
    teams = {t.slug: t for t in Team.objects.filter(slug__in=("servers-l3", "desktop-support-l2"))}
    if owner is None or len(orgs) < 2 or None in admins.values() or len(teams) < 2:
        return None
    return owner, orgs, admins, teams  # type: ignore[return-value]


def _start(org: Organization, made_at: datetime) -> datetime:
    """The first day of the month of `made_at` in the client's zone, 00:00, naive."""
    local = made_at.astimezone(rules.parse_zone(org.timezone))
    return datetime(local.year, local.month, 1)  # noqa: DTZ001 - a wall-clock time


def seed_demo() -> list[Schedule]:
    """Make the three schedules and their history (see the module docstring); returns them
    ([] when they exist already or the demo's people are missing)."""
    if Schedule.objects.filter(name=PATCHING).exists():
        return []
    found = _people()
    if found is None:
        return []
    owner, orgs, admins, teams = found
    outer = clock.override()
    now = clock.now()
    made_at = now - HISTORY
    try:
        clock.set_now(made_at)
        checklist = WorkOrderTemplate.objects.filter(name="Monthly patching", is_active=True)
        made = [
            services.create_schedule(
                actor=owner,
                data=ScheduleData(
                    organization=orgs["acme"],
                    name=PATCHING,
                    rule="FREQ=MONTHLY;BYDAY=+2TU;BYHOUR=22;BYMINUTE=0",
                    starts_at_local=_start(orgs["acme"], made_at),
                    timezone=orgs["acme"].timezone,
                    subject="Monthly patching: servers and workstations",
                    description="Approve and deploy the month's updates in the RMM, reboot the "
                    "servers in the maintenance window, check the services came back.",
                    requester=admins["acme"],
                    team=teams["servers-l3"],
                    checklist=checklist.first(),
                ),
            ),
            services.create_schedule(
                actor=owner,
                data=ScheduleData(
                    organization=orgs["globex"],
                    name=BACKUP,
                    rule="FREQ=MONTHLY;BYDAY=1MO;BYHOUR=9;BYMINUTE=0",
                    starts_at_local=_start(orgs["globex"], made_at),
                    timezone=orgs["globex"].timezone,
                    missed_policy=MissedPolicy.SKIP,
                    subject="Backup restore test",
                    description="Restore one file share folder and one mailbox from last "
                    "night's backup to the test location; record how long it took.",
                    requester=admins["globex"],
                    team=teams["servers-l3"],
                ),
            ),
            services.create_schedule(
                actor=owner,
                data=ScheduleData(
                    organization=orgs["acme"],
                    name=AUDIT,
                    rule="FREQ=MONTHLY;INTERVAL=3;BYDAY=MO,TU,WE,TH,FR;BYSETPOS=1;BYHOUR=10",
                    starts_at_local=_start(orgs["acme"], made_at),
                    timezone=orgs["acme"].timezone,
                    subject="Quarterly asset audit",
                    description="Compare the asset list with what is on the desks and in "
                    "stock; update owners, sites and retired devices.",
                    requester=admins["acme"],
                    team=teams["desktop-support-l2"],
                ),
            ),
        ]
        _history(now)
    finally:
        clock.set_now(outer)
    return made


def _history(now: datetime) -> None:
    """Run the pass at each occurrence due before `now`, with the clock there."""
    for _ in range(MAX_PASSES):
        due = (
            Schedule.objects.filter(is_active=True, next_run_at__lte=now)
            .order_by("next_run_at")
            .values_list("next_run_at", flat=True)
            .first()
        )
        if due is None:
            return
        at = due + timedelta(minutes=1)
        clock.set_now(at)
        worker.recurring_pass(now=at)
