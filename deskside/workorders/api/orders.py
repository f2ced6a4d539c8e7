"""Work orders under /api/v1/workorders:

    GET  /workorders                                   work orders you may see (filters below)
    POST /workorders                                   a new work order from a template (agents)
    GET  /workorders/{id}                              one work order with its items
    POST /workorders/{id}/items/{item}/tick            tick an item; JSON `{"note": ...}`
    POST /workorders/{id}/items/{item}/tick-with-file  tick an item with its evidence file
                                                       (multipart: `file`, optional `note`)
    POST /workorders/{id}/items/{item}/untick          untick an item
    POST /workorders/{id}/sign-qc                      sign QC (the second pair of eyes)
    POST /workorders/{id}/confirm                      the confirmation with the user
    POST /workorders/{id}/cancel                       call it off, with a reason

Agents see the work orders of the clients they serve, in full (`view: "agent"`). A customer who
is their organisation's admin reads their organisation's work orders (`view: "customer"`:
the items' state without notes, evidence files or who did what) and may not write (403); any
other customer sees none (404). Service refusals: 422 naming the field (bad input, missing
evidence), 409 (the ticket is resolved, the work order cancelled, QC not ready, the second
pair of eyes), 403 (not an agent, not serving the client).
"""

from datetime import datetime
from typing import Annotated, Any, Literal

from django.http import HttpRequest
from django.urls import reverse
from ninja import Field, File, Form, Query, Router, Schema, Status
from ninja.files import UploadedFile

from deskside.accounts.models import User
from deskside.accounts.queries import (
    contacts_served_by,
    organizations_visible_to,
    sites_visible_to,
    users_visible_to,
)
from deskside.core.api import PageOut, PageParams, PublicId, Text, get_or_404, page_out
from deskside.core.pagination import paginate
from deskside.tickets.models import format_number, parse_number
from deskside.workorders import gate
from deskside.workorders.exceptions import InvalidInput, NotAllowed
from deskside.workorders.models import Evidence, Section, WorkOrder, WorkOrderItem
from deskside.workorders.queries.orders import (
    RELATED,
    STATES,
    in_state,
    progress,
    state_of,
    work_orders_visible_to,
)
from deskside.workorders.queries.templates import templates_visible_to
from deskside.workorders.services import orders, steps

router = Router(tags=["work orders"])

StateName = Literal["open", "awaiting_qc", "awaiting_confirmation", "resolved", "cancelled"]
ConfirmHow = Literal["in_person", "phone", "email", "remote"]
assert set(StateName.__args__) == set(STATES)
assert set(ConfirmHow.__args__) == set(steps.CONFIRM_HOW)


class WorkOrderPerson(Schema):
    public_id: str
    name: str


class WorkOrderItemOut(Schema):
    id: int
    section: Section
    position: int
    text: str
    required: bool
    evidence: Evidence
    done: bool
    done_at: datetime | None
    done_by: WorkOrderPerson | None
    note: str
    attachment_url: str | None = Field(description="The evidence file (an internal attachment).")


class WorkOrderCustomerItemOut(Schema):
    section: Section
    text: str
    required: bool
    done: bool


class WorkOrderProgressOut(Schema):
    work_done: int
    work_total: int
    qc_done: int
    qc_total: int
    percent: int


class WorkOrderOut(Schema):
    """A work order as an agent sees it."""

    view: Literal["agent"] = "agent"
    id: str
    ticket: str = Field(description="The ticket's number, T-10423.")
    subject: str
    organization: str = Field(description="The client's slug.")
    template: str = Field(description="The template's id.")
    template_name: str
    version: int
    second_pair_of_eyes: bool
    confirm_with_user: bool
    state: str
    ticket_status: str
    progress: WorkOrderProgressOut
    missing: list[str] = Field(description="What stands between it and resolving.")
    qc_signed_by: WorkOrderPerson | None
    qc_signed_at: datetime | None
    confirmed_by: WorkOrderPerson | None
    confirmed_at: datetime | None
    confirmation_note: str
    cancelled_at: datetime | None
    cancel_reason: str
    created_at: datetime
    items: list[WorkOrderItemOut]
    url: str


class WorkOrderCustomerOut(Schema):
    """A work order as the client's organisation admin sees it (nothing internal)."""

    view: Literal["customer"] = "customer"
    id: str
    ticket: str
    subject: str
    template_name: str
    state: str
    ticket_status: str
    progress: WorkOrderProgressOut
    qc_signed: bool
    confirmed: bool
    cancelled: bool
    created_at: datetime
    items: list[WorkOrderCustomerItemOut]


WorkOrderAny = Annotated[WorkOrderOut | WorkOrderCustomerOut, Field(discriminator="view")]


class WorkOrderFilters(PageParams):
    client: Text = Field("", max_length=100, description="A client's slug.")
    template: Text = Field("", max_length=20, description="A template's id.")
    state: StateName | None = Field(None, description="Default: every state.")
    ticket: Text = Field("", max_length=20, description="A ticket number, T-10423.")


class WorkOrderIn(Schema):
    template: Text = Field(max_length=20, description="A template's id (its current version).")
    client: Text = Field(max_length=100, description="The client's slug.")
    requester: Text = Field(max_length=254, description="A contact's email or public id.")
    site: Text | None = Field(None, max_length=20, description="A site's public id.")
    assignee: Text | None = Field(None, max_length=20, description="An agent's public id.")
    subject: Text = Field("", max_length=250, description="Default: the template's.")
    description: Text = Field("", max_length=10000)


class WorkOrderTickIn(Schema):
    note: Text = Field("", max_length=steps.MAX_NOTE)


class WorkOrderSignIn(Schema):
    note: Text = Field("", max_length=steps.MAX_NOTE)


class WorkOrderConfirmIn(Schema):
    who: Text = Field(max_length=200, description="Whom the result was confirmed with.")
    how: ConfirmHow
    note: Text = Field("", max_length=steps.MAX_NOTE)


class WorkOrderCancelIn(Schema):
    reason: Text = Field(max_length=steps.MAX_NOTE)


def _person(user: User | None) -> dict[str, str] | None:
    return None if user is None else {"public_id": user.public_id, "name": user.get_full_name()}


def _item_out(item: WorkOrderItem) -> dict[str, Any]:
    return {
        "id": item.pk,
        "section": item.section,
        "position": item.position,
        "text": item.text,
        "required": item.required,
        "evidence": item.evidence,
        "done": item.done_at is not None,
        "done_at": item.done_at,
        "done_by": _person(item.done_by),
        "note": item.note,
        "attachment_url": (
            reverse("tickets:attachment", args=[item.attachment.public_id])
            if item.attachment_id
            else None
        ),
    }


def _in_order(items: list[WorkOrderItem]) -> list[WorkOrderItem]:
    return sorted(items, key=lambda i: (i.section != Section.WORK, i.position))


def _out(user: User, wo: WorkOrder) -> dict[str, Any]:
    items = _in_order(list(wo.items.all()))
    version = wo.template_version
    common = {
        "id": wo.public_id,
        "ticket": format_number(wo.ticket_id),
        "subject": wo.ticket.subject,
        "template_name": version.template.name,
        "state": state_of(wo),
        "ticket_status": wo.ticket.status,
        "progress": progress(items),
        "created_at": wo.created_at,
    }
    if not user.is_agent:
        return {
            **common,
            "view": "customer",
            "qc_signed": wo.qc_signed_at is not None,
            "confirmed": wo.confirmed_at is not None,
            "cancelled": wo.cancelled_at is not None,
            "items": [
                {"section": i.section, "text": i.text, "required": i.required, "done": i.is_done}
                for i in items
            ],
        }
    return {
        **common,
        "view": "agent",
        "organization": wo.organization.slug,
        "template": version.template.public_id,
        "version": version.number,
        "second_pair_of_eyes": version.second_pair_of_eyes,
        "confirm_with_user": version.confirm_with_user,
        "missing": gate.missing(wo) if wo.cancelled_at is None else [],
        "qc_signed_by": _person(wo.qc_signed_by),
        "qc_signed_at": wo.qc_signed_at,
        "confirmed_by": _person(wo.confirmed_by),
        "confirmed_at": wo.confirmed_at,
        "confirmation_note": wo.confirmation_note,
        "cancelled_at": wo.cancelled_at,
        "cancel_reason": wo.cancel_reason,
        "items": [_item_out(i) for i in items],
        "url": reverse("workorders:order", args=[wo.public_id]),
    }


def _visible(user: User) -> Any:
    return (
        work_orders_visible_to(user)
        .select_related(*RELATED)
        .prefetch_related("items__done_by", "items__attachment")
    )


def _work_order(request: HttpRequest, public_id: str) -> WorkOrder:
    return get_or_404(
        _visible(request.user),  # type: ignore[arg-type]
        f"no work order {public_id!r}",
        public_id=public_id,
    )


def _then(request: HttpRequest, public_id: str) -> dict[str, Any]:
    return _out(request.user, _work_order(request, public_id))  # type: ignore[arg-type]


def _agent(request: HttpRequest) -> User:
    user: User = request.user  # type: ignore[assignment]
    if not user.is_agent:
        raise NotAllowed("only agents change work orders")
    return user


@router.get("", response=PageOut[WorkOrderAny], summary="Work orders you may see")
def list_work_orders(request: HttpRequest, filters: Query[WorkOrderFilters]) -> dict[str, object]:
    """Newest first."""
    user: User = request.user  # type: ignore[assignment]
    qs = _visible(user).order_by("-created_at", "-id")
    if filters.client:
        qs = qs.filter(organization__slug=filters.client)
    if filters.template:
        qs = qs.filter(template_version__template__public_id=filters.template)
    if filters.state:
        qs = in_state(qs, filters.state)
    if filters.ticket:
        pk = parse_number(filters.ticket)
        if pk is None:
            raise InvalidInput(f"no ticket {filters.ticket!r}", field="ticket")
        qs = qs.filter(ticket_id=pk)
    page = paginate(request, qs, page=filters.page, limit=filters.limit)
    return {**page_out(page), "items": [_out(user, wo) for wo in page.items]}


@router.post("", response={201: WorkOrderOut}, summary="Open a work order (agents)")
def create_work_order(request: HttpRequest, payload: WorkOrderIn) -> Status[dict]:
    user = _agent(request)
    template = templates_visible_to(user).filter(public_id=payload.template).first()
    if template is None:
        raise InvalidInput(f"no template {payload.template!r}", field="template")
    client = organizations_visible_to(user).filter(slug=payload.client).first()
    if client is None:
        raise InvalidInput(f"no client {payload.client!r}", field="client")
    contacts = contacts_served_by(user).filter(organization=client)
    requester = (
        contacts.filter(email__iexact=payload.requester).first()
        or contacts.filter(public_id=payload.requester).first()
    )
    if requester is None:
        raise InvalidInput(
            f"{payload.requester!r} is no contact of {client.name}", field="requester"
        )
    site = None
    if payload.site:
        site = sites_visible_to(user).filter(organization=client, public_id=payload.site).first()
        if site is None:
            raise InvalidInput(f"no site {payload.site!r} at {client.name}", field="site")
    assignee = None
    if payload.assignee:
        assignee = (
            users_visible_to(user).filter(public_id=payload.assignee, kind=User.Kind.AGENT).first()
        )
        if assignee is None:
            raise InvalidInput(f"no agent {payload.assignee!r}", field="assignee")
    work_order = orders.create_work_order(
        user,
        template,
        orders.NewWorkOrder(
            organization=client,
            requester=requester,
            site=site,
            assignee=assignee,
            subject=payload.subject,
            description=payload.description,
            channel="api",
        ),
    )
    return Status(201, _then(request, work_order.public_id))


@router.get("/{public_id}", response=WorkOrderAny, summary="One work order")
def get_work_order(request: HttpRequest, public_id: PublicId) -> dict[str, Any]:
    return _then(request, public_id)


@router.post("/{public_id}/items/{item}/tick", response=WorkOrderOut, summary="Tick an item")
def tick(request: HttpRequest, public_id: PublicId, item: int, payload: WorkOrderTickIn) -> dict:
    work_order = _work_order(request, public_id)
    steps.tick_item(_agent(request), work_order, item=item, note=payload.note)
    return _then(request, public_id)


@router.post(
    "/{public_id}/items/{item}/tick-with-file",
    response=WorkOrderOut,
    summary="Tick an item with its evidence file (multipart)",
)
def tick_with_file(
    request: HttpRequest,
    public_id: PublicId,
    item: int,
    file: File[UploadedFile],
    note: Form[Text] = "",
) -> dict:
    work_order = _work_order(request, public_id)
    if len(note) > steps.MAX_NOTE:
        raise InvalidInput(f"the note is at most {steps.MAX_NOTE} characters", field="note")
    steps.tick_item(_agent(request), work_order, item=item, note=note, file=file)
    return _then(request, public_id)


@router.post("/{public_id}/items/{item}/untick", response=WorkOrderOut, summary="Untick an item")
def untick(request: HttpRequest, public_id: PublicId, item: int) -> dict:
    work_order = _work_order(request, public_id)
    steps.untick_item(_agent(request), work_order, item=item)
    return _then(request, public_id)


@router.post("/{public_id}/sign-qc", response=WorkOrderOut, summary="Sign QC")
def sign_qc(request: HttpRequest, public_id: PublicId, payload: WorkOrderSignIn) -> dict:
    work_order = _work_order(request, public_id)
    steps.sign_qc(_agent(request), work_order, note=payload.note)
    return _then(request, public_id)


@router.post("/{public_id}/confirm", response=WorkOrderOut, summary="Confirmed with the user")
def confirm(request: HttpRequest, public_id: PublicId, payload: WorkOrderConfirmIn) -> dict:
    work_order = _work_order(request, public_id)
    steps.confirm_with_user(
        _agent(request), work_order, who=payload.who, how=payload.how, note=payload.note
    )
    return _then(request, public_id)


@router.post("/{public_id}/cancel", response=WorkOrderOut, summary="Cancel a work order")
def cancel(request: HttpRequest, public_id: PublicId, payload: WorkOrderCancelIn) -> dict:
    work_order = _work_order(request, public_id)
    steps.cancel_work_order(_agent(request), work_order, reason=payload.reason)
    return _then(request, public_id)
