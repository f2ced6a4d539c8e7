"""The technician's day for the page walks (tests/e2e/pages.py): the day of the demo's L2
technician who has visits today (the field demo gives them some); when the demo has none, one
visit is put on Leo's day now, through the services, so the page is not empty."""

from datetime import timedelta

from deskside.accounts.models import User
from deskside.core import clock
from deskside.field.models import Clearance, ClearanceStatus, Visit, VisitStatus
from deskside.field.queries.day import today_of
from deskside.field.services import scheduling, visits
from deskside.tickets.models import Ticket

ADMIN = "admin@deskside.example"
PLANNED = (VisitStatus.SCHEDULED, VisitStatus.EN_ROUTE, VisitStatus.ON_SITE)


def _seed_one() -> Visit:
    admin = User.objects.get(email=ADMIN)
    leo = User.objects.get(email="leo@deskside.example")
    ticket = (
        Ticket.objects.filter(organization__slug="acme", site__isnull=False).order_by("-id").first()
    )
    Clearance.objects.update_or_create(
        technician=leo,
        organization_id=ticket.organization_id,
        defaults={"status": ClearanceStatus.CLEARED},
    )
    now = clock.now()
    visit = scheduling.create_visit(
        admin,
        ticket,
        window_start=now - timedelta(minutes=30),
        window_end=now + timedelta(hours=3),
        instructions="Check the printer and the network port",
    )
    visits.add_checklist_item(admin, visit, "Print a test page")
    return scheduling.schedule(admin, visit, leo, now, route_order=1)


def field_day() -> str:
    now = clock.now()
    visit = (
        Visit.objects.filter(status__in=PLANNED, technician__isnull=False)
        .filter(scheduled_start__gte=now - timedelta(hours=12))
        .filter(scheduled_start__lte=now + timedelta(hours=12))
        .select_related("technician")
        .order_by("scheduled_start")
        .first()
    ) or _seed_one()
    tech = visit.technician
    day = today_of(tech, visit.scheduled_start)
    return f"/field/day/?tech={tech.public_id}&date={day.isoformat()}"
