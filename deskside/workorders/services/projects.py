"""Projects: one parent ticket and one child work order per row of a CSV file ("Move 40 desks
to floor 4"), checked first (`check`: the dry run, nothing written), then created in one
transaction (`create_project`) that refuses the whole file when any row is in error, so a
project is never half-created. The template's current version is pinned for every child.

The project's own ticket is a service request whose requester is the contact chosen for the
project; each child is a work order (`orders.create_work_order`) whose ticket has the
project's ticket as parent. A row's asset tag links the child's ticket to that asset (an
`AssetTicket` row, an AssetEvent LINKED on the asset's timeline and an ASSET event on the
ticket's).

Resolving: `resolve_project` resolves the project's ticket only when no child is open (done
means resolved or closed, which the QC gate allows only for complete work orders; a cancelled
child does not hold the project). Resolving the project's ticket directly from the ticket page
is not stopped by this rule (the QC gate applies to work orders, and the project's ticket is
none): the project page's "Resolve project" is the way that checks.

A duplicate submit (a double click on "Create project", an API retry) carries the same
idempotency key: the project's ticket is opened through `tickets.create_ticket` with it, so
the second request finds the first project and creates nothing.
"""

import hashlib
from collections.abc import Callable
from dataclasses import dataclass

from django.db import transaction

from deskside.accounts.models import Organization, Site, User
from deskside.assets.models import AssetEvent, AssetEventKind, AssetTicket
from deskside.core import clock
from deskside.tickets import services as tickets
from deskside.tickets.models import (
    Channel,
    EventKind,
    Status,
    Ticket,
    TicketType,
    format_number,
)
from deskside.tickets.timeline import write_event
from deskside.workorders import project_csv
from deskside.workorders.exceptions import InvalidInput, InvalidTransition, NotAllowed
from deskside.workorders.models import Project, WorkOrder, WorkOrderTemplate
from deskside.workorders.services import orders

MAX_TITLE = 250
DONE_STATUSES = (Status.RESOLVED, Status.CLOSED)


class RowErrors(InvalidInput):
    """The file has rows in error (or none at all): nothing was created. `plan` says which."""

    def __init__(self, message: str, plan: project_csv.Plan) -> None:
        super().__init__(message, field="file")
        self.plan = plan


@dataclass(frozen=True)
class NewProject:
    """What a project is opened with: its client, template, title and requester (a contact of
    the client: the project ticket's requester and every row's default), optionally a site
    (the rows' default) and a description for the project's ticket."""

    organization: Organization
    template: WorkOrderTemplate
    title: str
    requester: User
    site: Site | None = None
    description: str = ""


@dataclass(frozen=True)
class Created:
    project: Project
    created: bool = True


def _check_project(actor: User, new: NewProject) -> None:
    if not actor.is_agent:
        raise NotAllowed("only agents create projects")
    orders.require_agent_for(actor, new.organization.pk)
    if new.organization.is_msp:
        raise InvalidInput("a project is for a client", field="organization")
    title = new.title.strip()
    if not title:
        raise InvalidInput("the title is required", field="title")
    if len(title) > MAX_TITLE:
        raise InvalidInput(f"the title is at most {MAX_TITLE} characters", field="title")
    requester = new.requester
    if not requester.is_customer or requester.organization_id != new.organization.pk:
        raise InvalidInput(
            f"the requester must be a contact of {new.organization.name}", field="requester"
        )
    if not requester.is_active:
        raise InvalidInput(f"{requester} is deactivated", field="requester")
    if new.site is not None and new.site.organization_id != new.organization.pk:
        raise InvalidInput(
            f"{new.site.name} is not a site of {new.organization.name}", field="site"
        )


def check(actor: User, new: NewProject, data: bytes) -> project_csv.Plan:
    """The dry run: the project's fields checked (InvalidInput naming the field, NotAllowed)
    and every row's plan (BadFile for a file that cannot be read). Writes nothing."""
    _check_project(actor, new)
    version = orders.current_version(new.template)
    plan = project_csv.plan(
        organization=new.organization,
        version=version,
        requester=new.requester,
        site=new.site,
        data=data,
    )
    plan.digest = hashlib.sha256(data).hexdigest()
    return plan


def _link_asset(actor: User, ticket: Ticket, row: project_csv.Row, project: Project) -> None:
    asset = row.asset
    assert asset is not None
    now = clock.now()
    AssetTicket.objects.create(asset=asset, ticket=ticket, linked_by=actor, linked_at=now)
    AssetEvent.objects.create(
        asset=asset,
        kind=AssetEventKind.LINKED,
        actor=actor,
        created_at=now,
        body=f"Linked to {ticket.number} (project {project.title})",
        data={"ticket": ticket.number, "project": project.public_id},
    )
    write_event(
        ticket,
        EventKind.ASSET,
        actor,
        body=f"Asset {asset.asset_tag} linked",
        data={"action": "linked", "asset": asset.public_id, "asset_tag": asset.asset_tag},
    )


@transaction.atomic
def create_project(
    actor: User,
    new: NewProject,
    data: bytes,
    *,
    filename: str = "",
    idempotency_key: str | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> Created:
    """Create the project, its ticket and one child work order per row, all in this one
    transaction. The file is checked again here (what the preview said is what happens, unless
    the directory changed in between); RowErrors (422, with the plan) when a row is in error or
    the file has no rows: nothing is written. With `idempotency_key`, the same request sent
    again returns the first project (`created=False`) and writes nothing."""
    plan = check(actor, new, data)
    if not plan.rows:
        raise RowErrors("the file has no data rows", plan)
    if plan.errors:
        raise RowErrors(
            f"{plan.errors} row{'s' if plan.errors > 1 else ''} in error: nothing was created; "
            "fix the file and check it again",
            plan,
        )
    version = orders.current_version(new.template)
    opened = tickets.create_ticket(
        actor=actor,
        ticket=tickets.NewTicket(
            subject=new.title.strip(),
            organization=new.organization,
            requester=new.requester,
            description=new.description.strip(),
            type=TicketType.SERVICE_REQUEST,
            priority=version.priority,
            channel=Channel.PHONE,
            site=new.site,
            team=version.team,
            event_data={
                "project": new.title.strip(),
                "template": new.template.name,
                "version": version.number,
                "rows": len(plan.rows),
                "file_sha256": plan.digest,
            },
        ),
        idempotency_key=idempotency_key,
    )
    if not opened.created:
        project = Project.objects.filter(ticket=opened.ticket).first()
        if project is None:
            raise InvalidTransition(
                "this idempotency key opened a ticket that is no project", field="Idempotency-Key"
            )
        return Created(project, created=False)
    project = Project.objects.create(
        organization=new.organization,
        ticket=opened.ticket,
        template_version=version,
        title=new.title.strip(),
        source_filename=filename[:255],
        created_by=actor,
        created_at=clock.now(),
    )
    write_event(
        opened.ticket,
        EventKind.WORK_ORDER,
        actor,
        body=f"Project of {len(plan.rows)} work orders from {new.template.name} "
        f"(version {version.number})",
        data={
            "action": "project_created",
            "project": project.public_id,
            "rows": len(plan.rows),
            "template": new.template.name,
            "version": version.number,
        },
    )
    for done, row in enumerate(plan.rows, start=1):
        work_order = orders.create_work_order(
            actor,
            new.template,
            orders.NewWorkOrder(
                organization=new.organization,
                requester=row.requester or new.requester,
                subject=row.subject,
                description=row.description,
                site=row.site,
                parent=opened.ticket,
                project=project,
                row_number=row.line,
                row_data=row.row_data,
                event_data={"project": project.public_id, "row": row.line},
            ),
            version=version,
        )
        if row.asset is not None:
            _link_asset(actor, work_order.ticket, row, project)
        if progress is not None and (done % 100 == 0 or done == len(plan.rows)):
            progress(done, len(plan.rows))
    return Created(project)


def open_children(project: Project):
    """The project's children that hold it open: not cancelled, not resolved or closed."""
    return WorkOrder.objects.filter(project=project, cancelled_at__isnull=True).exclude(
        ticket__status__in=DONE_STATUSES
    )


@transaction.atomic
def resolve_project(actor: User, project: Project, *, resolution: str) -> Project:
    """Resolve the project's ticket; InvalidTransition (409) while a child is open, naming the
    first few."""
    orders.require_agent_for(actor, project.organization_id)
    project = Project.objects.select_for_update().select_related("ticket").get(pk=project.pk)
    waiting = list(open_children(project).order_by("row_number", "id")[:6])
    if waiting:
        count = open_children(project).count()
        shown = ", ".join(format_number(w.ticket_id) for w in waiting[:5])
        more = f" and {count - 5} more" if count > 5 else ""
        raise InvalidTransition(
            f"{count} work order{'s are' if count > 1 else ' is'} still open: {shown}{more}",
            field="status",
        )
    tickets.resolve_ticket(actor=actor, ticket=project.ticket, resolution=resolution)
    project.ticket.refresh_from_db()
    return project
