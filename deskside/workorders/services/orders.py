"""A work order from a template: on a new ticket (`create_work_order`) or on a ticket that
already exists (`start_on_ticket`, a service request logged by phone that turns out to be a
move). The template's current version is pinned and its items copied onto the work order, so
an admin's later edit of the template never changes running work."""

from dataclasses import dataclass, field
from typing import Any

from django.db import transaction

from deskside.accounts.models import Organization, Site, Team, User
from deskside.accounts.queries import served_organization_ids
from deskside.core import clock
from deskside.tickets import services as tickets
from deskside.tickets.models import Channel, EventKind, Ticket
from deskside.tickets.rules import lock, require_visible
from deskside.tickets.timeline import write_event
from deskside.workorders.exceptions import InvalidInput, InvalidTransition, NotAllowed
from deskside.workorders.models import (
    Project,
    TemplateVersion,
    WorkOrder,
    WorkOrderItem,
    WorkOrderTemplate,
)


@dataclass(frozen=True)
class NewWorkOrder:
    """What a new work order's ticket is opened with (the template gives the rest)."""

    organization: Organization
    requester: User
    subject: str = ""  # empty: the version's subject
    description: str = ""  # added under the version's description
    site: Site | None = None
    team: Team | None = None  # None: the version's team
    assignee: User | None = None
    channel: str = Channel.PHONE
    parent: Ticket | None = None
    project: Project | None = None
    row_number: int | None = None
    row_data: dict[str, Any] = field(default_factory=dict)
    event_data: dict[str, Any] | None = None


def require_agent_for(actor: User, organization_id: int) -> None:
    """Work orders are opened and worked by agents who serve the client."""
    if not actor.is_agent:
        raise NotAllowed("only agents work on work orders")
    ids = served_organization_ids(actor)
    if ids is not None and organization_id not in ids:
        raise NotAllowed("you do not serve this client")


def current_version(template: WorkOrderTemplate) -> TemplateVersion:
    if not template.is_active:
        raise InvalidInput(f"the template {template.name!r} is retired", field="template")
    version = template.versions.order_by("-number").first()
    if version is None:  # pragma: no cover - create_template always writes version 1
        raise InvalidInput("the template has no version", field="template")
    return version


def _attach(
    actor: User,
    ticket: Ticket,
    version: TemplateVersion,
    *,
    project: Project | None = None,
    row_number: int | None = None,
    row_data: dict[str, Any] | None = None,
) -> WorkOrder:
    now = clock.now()
    work_order = WorkOrder.objects.create(
        ticket=ticket,
        organization_id=ticket.organization_id,
        template_version=version,
        project=project,
        row_number=row_number,
        row_data=row_data or {},
        created_at=now,
        updated_at=now,
    )
    WorkOrderItem.objects.bulk_create(
        WorkOrderItem(
            work_order=work_order,
            section=item.section,
            position=item.position,
            text=item.text,
            required=item.required,
            evidence=item.evidence,
        )
        for item in version.items.all()
    )
    write_event(
        ticket,
        EventKind.WORK_ORDER,
        actor,
        body=f"Work order started from {version.template.name} (version {version.number})",
        data={
            "action": "started",
            "work_order": work_order.public_id,
            "template": version.template.name,
            "version": version.number,
        },
    )
    return work_order


@transaction.atomic
def create_work_order(
    actor: User,
    template: WorkOrderTemplate,
    new: NewWorkOrder,
    *,
    version: TemplateVersion | None = None,
) -> WorkOrder:
    """Open the work order's ticket (through `tickets.create_ticket`, with its rules) and the
    work order on it. `version` pins an older version (a project's children all use the
    project's); by default the template's current one."""
    require_agent_for(actor, new.organization.pk)
    if version is None:
        version = current_version(template)
    elif version.template_id != template.pk:
        raise InvalidInput("the version is not one of this template's", field="template")
    description = "\n\n".join(p for p in (version.description, new.description.strip()) if p)
    created = tickets.create_ticket(
        actor=actor,
        ticket=tickets.NewTicket(
            subject=new.subject.strip() or version.subject,
            organization=new.organization,
            requester=new.requester,
            description=description,
            type=version.ticket_type,
            priority=version.priority,
            channel=new.channel,
            site=new.site,
            team=new.team or version.team,
            assignee=new.assignee,
            parent=new.parent,
            event_data={"work_order_template": template.name, **(new.event_data or {})},
        ),
    )
    return _attach(
        actor,
        created.ticket,
        version,
        project=new.project,
        row_number=new.row_number,
        row_data=new.row_data,
    )


@transaction.atomic
def start_on_ticket(actor: User, ticket: Ticket, template: WorkOrderTemplate) -> WorkOrder:
    """Make an open ticket a work order of `template` (its current version)."""
    lock(ticket)
    require_visible(actor, ticket)
    require_agent_for(actor, ticket.organization_id)
    if not ticket.is_open:
        raise InvalidTransition("only an open ticket can become a work order", field="ticket")
    if WorkOrder.objects.filter(ticket=ticket).exists():
        raise InvalidTransition(f"{ticket.number} is a work order already", field="ticket")
    return _attach(actor, ticket, current_version(template))
