"""The pages a person opens, by name, for the browser tests that walk every page (the phone
width test, the accessibility test). Built on the demo's data (`deskside.demo.load`): a page
about one object (a ticket, a schedule, a webhook ...) opens the first such object.

To add a page: add a line to AGENT_PAGES (or CUSTOMER_PAGES); a page about one object gets
its URL from a function of the database, as the ones below.
"""

from collections.abc import Callable
from datetime import timedelta

from deskside.accounts.models import Organization, Site, Team, User
from deskside.alerts.models import Alert, Integration
from deskside.assets import demo_disposal as disposal_demo
from deskside.assets import demo_remote, demo_rma
from deskside.assets.demo_assets import MARKER as ASSETS_MARKER
from deskside.assets.demo_assets import seed_demo as seed_assets
from deskside.assets.models import Asset
from deskside.core import clock, crypto
from deskside.duty.models import Schedule
from deskside.field import demo as field_demo
from deskside.field import demo_route, demo_time
from deskside.field import demo_visits as field_visits_demo
from deskside.field.models import Timesheet, TimesheetStatus
from deskside.field.services import time as time_services
from deskside.field.signoff_links import token_for as signoff_token
from deskside.handovers.models import Handover
from deskside.kb.demo import seed_demo as seed_kb
from deskside.kb.models import Article
from deskside.macros.models import Macro
from deskside.mail.models import Mailbox, MailKind
from deskside.paging.models import EscalationPolicy
from deskside.problems import demo as problems_demo
from deskside.problems.models import Cluster
from deskside.recurring import demo as recurring_demo
from deskside.recurring.models import Schedule as RecurringSchedule
from deskside.rosters.models import Leave, Roster, ShiftDefinition
from deskside.sla.models import Calendar, Contract
from deskside.surveys.links import token_for
from deskside.surveys.models import Survey
from deskside.tickets.models import Ticket
from deskside.webhooks.models import SECRET_PURPOSE, Webhook
from deskside.workorders import demo_projects as projects_demo
from deskside.workorders import demo_templates as workorders_demo
from deskside.workorders.models import WorkOrder, WorkOrderTemplate
from tests.e2e.field_day_page import field_day

Url = str | Callable[[], str]

ADMIN = "admin@deskside.example"
CUSTOMER = "olivia@acme.example"  # Acme's organisation admin: sees the organisation's list


def _ticket() -> str:
    ticket = Ticket.objects.filter(organization__slug="acme").order_by("-id").first()
    return f"/tickets/{ticket.number}/"


def _ticket_where(**lookup: str) -> str:
    ticket = Ticket.objects.filter(organization__slug="acme", **lookup).order_by("-id").first()
    return f"/tickets/{ticket.number}/"


def _problem() -> str:
    """The demo's known error (seeded here when the demo was loaded without it)."""
    return f"/problems/{problems_demo.seed_demo().number}/"


def _cluster() -> str:
    problems_demo.seed_demo()
    return f"/problems/clusters/{Cluster.objects.order_by('-size', 'id').first().public_id}/"


def _field_visit() -> str:
    """The demo's done visit (summary, part, signature), or an Acme visit made for the test."""
    visit = field_visits_demo.seed_demo() or field_visits_demo.e2e_visit(signable=False)
    return f"/field/visits/{visit.public_id}/"


def _signoff_link() -> str:
    """A good sign-off link of a visit on site (no sign-in needed)."""
    visit = field_visits_demo.e2e_visit(signable=True)
    token = signoff_token(visit.public_id, visit.ticket.requester_id, visit.checked_in_at, "e2e")
    return f"/field/sign/{visit.public_id}/{token}/"


def _article(title: str = "Acme VPN down at night: whom to call") -> str:
    """A demo article (the knowledge base's demo is seeded on first use)."""
    seed_kb()
    return f"/kb/{Article.objects.get(title=title).public_id}/"


def _client_report() -> str:
    return f"/sla/clients/{Organization.objects.get(slug='acme').slug}/"


def _handover() -> str:
    found = Handover.objects.order_by("-at").first()  # the demo's, waiting for acknowledgement
    return f"/handovers/{found.public_id}/"


def _webhook() -> str:
    hook = Webhook.objects.order_by("id").first()
    if hook is None:  # the demo has none (the service would look the host up in the DNS)
        hook = Webhook.objects.create(
            name="Ticket sync",
            url="https://hooks.example.com/deskside",
            events=["ticket.created", "ticket.resolved"],
            secret_encrypted=crypto.encrypt(SECRET_PURPOSE, "a-test-secret"),
            created_by=User.objects.get(email=ADMIN),
        )
    return f"/webhooks/{hook.public_id}/"


def _roster() -> str:
    """The demo's roster: the help desk's, around the clock."""
    roster = Roster.objects.order_by("id").first()
    return f"/rosters/teams/{roster.team.slug}/"


def _leave() -> str:
    _roster()
    return f"/rosters/leave/{Leave.objects.order_by('id').first().pk}/"


def _duty_team() -> Team:
    """A team with a support duty (the demo's Internal IT), else the first team."""
    with_duty = Team.objects.filter(support_duty__isnull=False).order_by("id").first()
    return with_duty or Team.objects.order_by("id").first()


def _field(path: str) -> str:
    """A field page, on the field demo's base (seeded here when the demo was loaded without it)."""
    field_demo.seed_demo()
    return path


def _kofi() -> str:
    return User.objects.get(email="kofi@deskside.example").public_id


def _timesheet() -> str:
    """The demo's submitted week (field time's demo is seeded on first use)."""
    demo_time.seed_demo()
    sheet = Timesheet.objects.filter(status=TimesheetStatus.SUBMITTED).order_by("id").first()
    sheet = sheet or Timesheet.objects.order_by("-week_start", "id").first()
    return f"/field/timesheets/{sheet.agent.public_id}/{sheet.week_start.isoformat()}/"


def _time_entry() -> str:
    """An entry of the administrator's own (training yesterday), to open its edit page."""
    admin = User.objects.get(email=ADMIN)
    entry = admin.time_entries.order_by("id").first()
    if entry is None:
        yesterday = time_services.local_day(admin, clock.now()) - timedelta(days=1)
        entry = time_services.log_time(
            admin, day=yesterday, minutes=45, kind="training", note="Field service course"
        )
    return f"/field/time/{entry.public_id}/edit/"


def _time_seeded(path: str) -> Callable[[], str]:
    """`path`, once field time's demo is seeded (billing rules, entries, timesheets)."""

    def seeded() -> str:
        demo_time.seed_demo()
        return path

    return seeded


def _billing() -> str:
    """The billable report of the last two weeks, every week (the demo's are not all approved)."""
    demo_time.seed_demo()
    today = clock.now().date()
    return f"/field/billing/?start={today - timedelta(days=14)}&end={today}&scope=all"


def _billing_rule() -> str:
    demo_time.seed_demo()
    return f"/field/billing/rules/{Contract.objects.order_by('id').first().public_id}/"


def _remote_ticket() -> str:
    """The ticket of the remote-control demo's ended session (its panel: Connect, sessions)."""
    session = demo_remote.seed_demo()
    return f"/tickets/{session.ticket.number}/"


def _rma_ticket() -> str:
    """The ticket of the RMA demo's quiet Dell case (its panel: the case, entries, forms)."""
    return f"/tickets/{demo_rma.seed_demo().ticket.number}/"


AGENT_PAGES: dict[str, Url] = {
    "queue": "/tickets/?queue=all",
    "ticket": _ticket,
    "log a call": "/tickets/new/",
    "search": "/tickets/search/?q=printer",
    "SLA contracts": "/sla/contracts/",
    "SLA contract": lambda: f"/sla/contracts/{Contract.objects.order_by('id').first().public_id}/",
    "SLA new contract": "/sla/contracts/new/",
    "SLA calendars": "/sla/calendars/",
    "SLA calendar": lambda: f"/sla/calendars/{Calendar.objects.order_by('id').first().public_id}/",
    "SLA new calendar": "/sla/calendars/new/",
    "SLA import calendar": "/sla/calendars/import/",
    "SLA report": _client_report,
    "mail quarantine": "/mail/quarantine/",
    "mail received": "/mail/received/",
    "mail outbox": "/mail/outbox/",
    "mailboxes": "/mail/mailboxes/",
    "mailbox": lambda: f"/mail/mailboxes/{Mailbox.objects.order_by('id').first().pk}/",
    "new mailbox": "/mail/mailboxes/new/",
    "mail texts": "/mail/templates/",
    "mail text": f"/mail/templates/{MailKind.ACKNOWLEDGEMENT.value}/",
    "on call": "/oncall/",
    "on-call schedule": lambda: f"/oncall/{Schedule.objects.order_by('id').first().slug}/",
    "on-call report": lambda: f"/oncall/{Schedule.objects.order_by('id').first().slug}/report/",
    "new schedule": "/oncall/new/",
    "paging": "/paging/",
    "paging contacts": "/paging/contacts/",
    "paging policies": "/paging/policies/",
    "paging policy": lambda: (
        f"/paging/policies/{EscalationPolicy.objects.order_by('id').first().slug}/"
    ),
    "paging rules": "/paging/rules/",
    "alerts": "/alerts/",
    "alert": lambda: f"/alerts/a/{Alert.objects.order_by('-id').first().public_id}/",
    "integrations": "/alerts/integrations/",
    "integration": lambda: (
        f"/alerts/integrations/{Integration.objects.order_by('id').first().public_id}/"
    ),
    "new integration": "/alerts/integrations/new/",
    "maintenance": "/alerts/maintenance/",
    "webhooks": "/webhooks/",
    "webhook": _webhook,
    "new webhook": "/webhooks/new/",
    "audit log": "/audit/",
    "account": "/account/",
    "password": "/account/password/",
    "two-factor": "/account/two-factor/",
    "sign-in security": "/account/security/",
    # the agent workspace (issue 14)
    "screen-pop": "/tickets/call/?phone=%2B15550100",
    "notifications": "/notifications/",
    "notification preferences": "/notifications/preferences/",
    "macros": "/macros/",
    "new macro": "/macros/new/",
    "macro": lambda: f"/macros/{Macro.objects.order_by('id').first().public_id}/",
    "macro for a ticket": lambda: f"{_ticket().replace('/tickets/', '/macros/apply/')}",
    "problems": "/problems/",
    "problem": _problem,
    "problem edit": lambda: f"{_problem()}edit/",
    "recurring cluster": _cluster,
    "new problem": "/problems/new/",
    "contacts": "/directory/",
    "contact": lambda: f"/directory/contacts/{User.objects.get(email=CUSTOMER).public_id}/",
    "edit contact": lambda: (
        f"/directory/contacts/{User.objects.get(email=CUSTOMER).public_id}/edit/"
    ),
    "new contact": "/directory/contacts/new/",
    "import contacts": "/directory/contacts/import/",
    "clients": "/directory/clients/",
    "client": "/directory/clients/acme/",
    "edit client": "/directory/clients/acme/edit/",
    "new site": "/directory/clients/acme/sites/new/",
    "edit site": lambda: f"/directory/sites/{Site.objects.order_by('id').first().public_id}/edit/",
    "agents": "/directory/agents/",
    "agent": lambda: f"/directory/agents/{User.objects.get(email=ADMIN).public_id}/",
    "new agent": "/directory/agents/new/",
    # desk operations (issue 15)
    "staffing": "/staffing/",
    "triage": "/triage/",  # the model, its accuracy, auto-apply per field
    "triage on a new ticket": lambda: _ticket_where(status="new"),  # its suggestions
    "teams": "/directory/teams/",
    "team": lambda: f"/directory/teams/{Team.objects.order_by('id').first().slug}/",
    "new team": "/directory/teams/new/",
    # desk operations (issue 15): rosters
    "rosters": "/rosters/",
    "roster week": _roster,
    "roster set-up": lambda: f"{_roster()}setup/",
    "roster shift": lambda: f"{_roster()}shifts/{ShiftDefinition.objects.order_by('id')[0].pk}/",
    "my schedule": "/rosters/me/",
    "leave": "/rosters/leave/",
    "leave and its gaps": _leave,
    "new roster": "/rosters/new/",
    # desk operations (issue 15): support duty (a team with one when the demo has it)
    "support duty": "/support-duty/",
    "team support duty": lambda: f"/support-duty/{_duty_team().slug}/",
    # desk operations (issue 15)
    "assignment": "/assignment/",
    # desk operations (issue 15)
    "handover": _handover,
    "handovers": "/handovers/",
    "handover history": "/handovers/history/?q=printer",
    # knowledge and insight (issue 16): the daily review and the wall board
    "daily review": "/review/",
    "review group": "/review/groups/no_update/",
    "review history": "/review/history/",
    "review day": "/review/history/2026-01-05/",
    "wall board": "/review/wallboard/?team=help-desk-l1",
    # customer satisfaction (issue 16)
    "satisfaction": "/surveys/",
    "survey answers": "/surveys/responses/",
    "survey follow-ups": "/surveys/follow-ups/",
    # knowledge and insight (issue 16): the knowledge base
    "knowledge base": "/kb/?q=password",
    "article": _article,
    "article history": lambda: f"{_article('Outlook keeps asking for password')}history/",
    "edit article": lambda: f"{_article()}edit/",
    "new article": "/kb/new/",
    "articles due for review": "/kb/due/",
    # knowledge and insight (issue 16): reports
    "reports": "/reports/",
    "report volume": "/reports/volume/?by=client&bucket=day",
    "report SLA compliance": "/reports/sla/",
    "report workload": "/reports/workload/",
    "monthly reports": "/reports/monthly/",
    # field service (issue 17): client clearance and backfill
    "field clearance": lambda: _field("/field/clearance/"),
    "field clearance client": lambda: _field("/field/clearance/clients/globex/"),
    "field clearance technician": lambda: _field(f"/field/clearance/technicians/{_kofi()}/"),
    "field clearance of one": lambda: _field(
        f"/field/clearance/clients/globex/technicians/{_kofi()}/"
    ),
    "field backfill": lambda: _field("/field/backfill/"),
    # field service (issue 17): a technician's day, opened by the admin (staff) with ?tech=
    "technician's day": field_day,
    # field service (issue 17): the visit page
    "field visit": _field_visit,
    # field service (issue 17): time entries, timesheets, billing
    "my time": _time_seeded("/field/time/"),
    "time entry": _time_entry,
    "timesheets": "/field/timesheets/",
    "timesheet": _timesheet,
    "billing": _billing,
    "billing rule": _billing_rule,
    # field service (issue 17): route plans
    "route plans": "/field/plans/",
    "route plan": lambda: f"/field/plans/{demo_route.seed_demo().public_id}/",
    # field service (issue 17): the dispatch board, a day and a week
    "dispatch board": "/field/board/",
    "dispatch board week": "/field/board/?view=week",
    # work-order projects (issue 18): the demo's floor move, seeded when missing
    "projects": "/workorders/projects/",
    "new project": "/workorders/projects/new/",
    "project": lambda: f"/workorders/projects/{_project()}/",
    # recurring operational tickets (issue 18)
    "recurring schedules": lambda: _recurring(),
    "recurring new schedule": lambda: _recurring("new/"),
    "recurring schedule": lambda: _recurring("schedule"),
    # assets (issue 18): the registry, an asset, the reports (the demo's assets seeded on use)
    "assets": lambda: _assets("/assets/?client=acme"),
    "asset": lambda: _assets("asset"),
    "asset edit": lambda: _assets("edit"),
    "assets warranty": lambda: _assets("/assets/reports/warranty/?client=acme"),
    "assets age": lambda: _assets("/assets/reports/age/?client=acme"),
    # assets (issue 18): the CSV import, certified disposal (the demo's batch seeded on first use)
    "asset import": "/assets/import/?client=acme",
    "disposal batches": "/assets/disposal/",
    "new disposal batch": "/assets/disposal/new/?client=acme",
    "disposal batch": lambda: f"/assets/disposal/{disposal_demo.seed_demo().public_id}/",
    "disposal report": lambda: _disposal_report(),
    # work orders (issue 18): the list, a new one, a work order half way, the templates
    "work orders": lambda: _work_orders_seeded("/workorders/"),
    "new work order": "/workorders/new/",
    "work order": lambda: _work_order("Carol moves"),
    "work order done": lambda: _work_order("Replace Carol"),
    "work-order templates": lambda: _work_orders_seeded("/workorders/templates/"),
    "work-order template": lambda: _work_order_template(),
    "work-order template edit": lambda: _work_order_template("edit/"),
    "new work-order template": "/workorders/templates/new/",
    # IT operations (issue 18): remote control, vendor RMAs
    "remote-access links": "/assets/remote/templates/",
    "ticket with a remote session": _remote_ticket,
    "ticket with a vendor case": _rma_ticket,
    "remote session": lambda: f"/assets/remote/sessions/{demo_remote.seed_demo().public_id}/",
}


def _project() -> str:
    return projects_demo.seed_demo().public_id


def _assets(path: str) -> str:
    """`path` once the assets demo is seeded; "asset", "edit", "portal": Carol's laptop's page."""
    seed_assets()
    laptop = Asset.objects.get(organization__slug="acme", asset_tag=ASSETS_MARKER)
    pages = {
        "asset": f"/assets/{laptop.public_id}/",
        "edit": f"/assets/{laptop.public_id}/edit/",
        "portal": f"/assets/portal/{laptop.public_id}/",
    }
    return pages.get(path, path)


def _disposal_report() -> str:
    disposal_demo.seed_demo()
    return "/assets/disposal/report/?client=acme"


def _work_orders_seeded(path: str) -> str:
    workorders_demo.seed_demo()
    return path


def _work_order(description: str) -> str:
    workorders_demo.seed_demo()
    found = WorkOrder.objects.filter(ticket__description__contains=description).first()
    return f"/workorders/{found.public_id}/"


def _work_order_template(rest: str = "") -> str:
    workorders_demo.seed_demo()
    found = WorkOrderTemplate.objects.get(name=workorders_demo.NEW_SYSTEM)
    return f"/workorders/templates/{found.public_id}/{rest}"


def _portal_ticket() -> str:
    ticket = Ticket.objects.filter(organization__slug="acme").order_by("-id").first()
    return f"/portal/{ticket.number}/"


CUSTOMER_PAGES: dict[str, Url] = {
    "portal list": "/portal/",
    "portal search": "/portal/?q=printer",
    "portal ticket": _portal_ticket,
    "portal new request": "/portal/new/",
    # the signed link of the newest unanswered survey (no sign-in needed)
    "survey answer": lambda: f"/surveys/answer/{token_for(_open_survey().public_id)}/good/",
    "knowledge base": "/kb/",
    "article": lambda: _article("Acme VPN: connecting with FortiClient"),
    "portal monthly reports": "/reports/monthly/",
    # field service (issue 17): the mailed sign-off link's page (no sign-in needed)
    "visit sign-off": _signoff_link,
    # assets (issue 18): an organisation admin's assets, read-only
    "portal assets": lambda: _assets("/assets/portal/"),
    "portal asset": lambda: _assets("portal"),
    # assets (issue 18): an organisation admin reads the client's disposals and the report
    "portal disposal batches": "/assets/disposal/",
    "portal disposal batch": lambda: f"/assets/disposal/{disposal_demo.seed_demo().public_id}/",
    "portal disposal report": lambda: _disposal_report(),
}


def _recurring(path: str = "") -> str:
    """A recurring page, on the recurring demo (seeded here when the demo was loaded without
    it); with `path` "schedule", Acme's patching schedule with its history."""
    recurring_demo.seed_demo()
    if path != "schedule":
        return f"/recurring/{path}"
    found = RecurringSchedule.objects.get(name=recurring_demo.PATCHING)
    return f"/recurring/{found.public_id}/"


def _open_survey() -> Survey:
    return Survey.objects.filter(answered_at__isnull=True).order_by("-resolved_at").first()


def url(page: Url) -> str:
    return page() if callable(page) else page
