"""Demo data of projects: "Move 40 desks to floor 4" at Acme, seeded from an in-memory CSV
through `services.projects.create_project` (as an agent uploading it would), with five
children done (checklist, QC and the user's confirmation recorded, then resolved through the
ticket service, past the QC gate), eight scheduled back to back for Leo next week (when he is
cleared at Acme, as the field demo makes him) and six waiting in the dispatch queue.

Run after the main demo (`deskside.demo.load`); calling it again returns the project made the
first time. Needs the "Desk move" template: made here when the templates demo has not.
"""

from datetime import timedelta

from django.db import transaction

from deskside.accounts.models import Organization, Site, User
from deskside.assets.models import Asset, Lifecycle
from deskside.core import clock
from deskside.field.demo import demo_week
from deskside.tickets import services as tickets
from deskside.workorders.models import Project, Section, WorkOrder, WorkOrderTemplate
from deskside.workorders.services import project_visits, projects, templates
from deskside.workorders.services.templates import ItemSpec, VersionSpec

TITLE = "Move 40 desks to floor 4"
TEMPLATE = "Desk move"
ROWS = 40
DONE = 5
SCHEDULED = 8
QUEUED = 6


def desk_move() -> WorkOrderTemplate:
    """The "Desk move" template (made with a realistic checklist when missing)."""
    found = WorkOrderTemplate.objects.filter(name__iexact=TEMPLATE).first()
    if found is not None:
        return found
    return templates.create_template(
        None,
        name=TEMPLATE,
        kind="move",
        spec=VersionSpec(
            subject="Desk move",
            description="Move the user's desk equipment and check it works at the new desk.",
            items=[
                ItemSpec("Photograph and label the cables at the old desk"),
                ItemSpec("Pack the PC, monitors, dock and peripherals"),
                ItemSpec("Set up at the new desk and cable it tidily"),
                ItemSpec("Patch the network port and note its number", evidence="note"),
                ItemSpec("Update the desk on the asset record", required=False),
                ItemSpec("User logs in and opens mail", section=Section.QC),
                ItemSpec("Phone extension rings at the new desk", section=Section.QC),
                ItemSpec("Old desk cleared and cables removed", section=Section.QC),
            ],
        ),
    )


def demo_csv(organization: Organization) -> bytes:
    """The file a facilities manager would send: one row per person, desk from and to; the
    first rows name the client's laptops by tag when it has some."""
    people = list(
        User.objects.filter(organization=organization, kind=User.Kind.CUSTOMER, is_active=True)
        .order_by("email")
        .values_list("email", flat=True)
    )
    tags = list(
        Asset.objects.filter(organization=organization)
        .exclude(asset_tag="")
        .exclude(status__in=[Lifecycle.DISPOSED, Lifecycle.RETIRED])
        .order_by("asset_tag")
        .values_list("asset_tag", flat=True)[:10]
    )
    lines = ["user,desk,from,to,asset,notes"]
    for i in range(ROWS):
        user = people[i % len(people)] if people and i < len(people) * 2 else ""
        tag = tags[i] if i < len(tags) else ""
        note = "Standing desk: check the cable tray" if i % 9 == 0 else ""
        lines.append(f"{user},D-{i + 1:02d},3.{i + 1:02d},4.{i + 1:02d},{tag},{note}")
    return ("\n".join(lines) + "\n").encode()


def _complete(agent: User, checker: User, work_order: WorkOrder) -> None:
    """Record the checklist, QC and the user's confirmation as done, then resolve through the
    ticket service (the QC gate checks them). The rows are set directly: this is the state the
    technician's steps leave."""
    now = clock.now()
    work_order.items.filter(section=Section.WORK).update(
        done_at=now, done_by=agent, note="Port 4-17 patched"
    )
    work_order.items.filter(section=Section.QC).update(done_at=now, done_by=checker)
    work_order.qc_signed_at, work_order.qc_signed_by = now, checker
    work_order.confirmed_at, work_order.confirmed_by = now, agent
    work_order.confirmation_note = "Confirmed in person at the new desk."
    work_order.save()
    tickets.resolve_ticket(
        actor=agent, ticket=work_order.ticket, resolution="Desk moved and checked with the user."
    )


@transaction.atomic
def seed_demo() -> Project | None:
    """The demo project (see the module docstring); None when the main demo is not loaded."""
    acme = Organization.objects.filter(slug="acme").first()
    admin = User.objects.filter(email="admin@deskside.example").first()
    if acme is None or admin is None:
        return None
    existing = Project.objects.filter(organization=acme, title=TITLE).first()
    if existing is not None:
        return existing
    requester = (
        User.objects.filter(organization=acme, kind=User.Kind.CUSTOMER, is_org_admin=True)
        .order_by("email")
        .first()
    )
    if requester is None:
        return None
    site = Site.objects.filter(organization=acme).order_by("name").first()
    project = projects.create_project(
        admin,
        projects.NewProject(
            organization=acme,
            template=desk_move(),
            title=TITLE,
            requester=requester,
            site=site,
            description="Facilities moves the third floor to the fourth over two weeks.",
        ),
        demo_csv(acme),
        filename="floor4-moves.csv",
    ).project
    children = list(WorkOrder.objects.filter(project=project).order_by("row_number"))
    leo = User.objects.filter(email="leo@deskside.example").first() or admin
    checker = User.objects.filter(email="maria@deskside.example").first() or admin
    for work_order in children[:DONE]:
        _complete(leo, checker, work_order)
    # The week after the field demo's week (`field.demo.demo_week`: this week until Wednesday,
    # else the next), so Leo's project visits never overlap his demo visits.
    monday = demo_week(clock.now()) + timedelta(days=7)
    window = {"first_day": monday, "last_day": monday + timedelta(days=4)}
    project_visits.schedule_children(
        admin,
        project,
        project_visits.BulkVisits(**window, technician=leo),
        work_orders=[w.public_id for w in children[DONE : DONE + SCHEDULED]],
    )
    queued = children[DONE + SCHEDULED : DONE + SCHEDULED + QUEUED]
    project_visits.schedule_children(
        admin,
        project,
        project_visits.BulkVisits(**window),
        work_orders=[w.public_id for w in queued],
    )
    return project
