"""Work-order templates under /api/v1/workorders/templates (agents read; admins write, 403
for anyone else; customers' tokens get 403 on every operation):

    GET  /workorders/templates                  templates, active first
    POST /workorders/templates                  a new template with its version 1 (admins)
    GET  /workorders/templates/{id}             one template with every version and its items
    POST /workorders/templates/{id}/versions    the next version (admins); running work keeps its
    POST /workorders/templates/{id}/active      retire or reactivate (admins)
"""

from datetime import datetime
from typing import Any

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema, Status

from deskside.accounts.models import Team, User
from deskside.core.api import PageOut, PageParams, PublicId, Text, get_or_404, page_out
from deskside.core.pagination import paginate
from deskside.tickets.models import Priority, TicketType
from deskside.workorders.exceptions import InvalidInput, NotAllowed
from deskside.workorders.models import (
    Evidence,
    Section,
    TemplateKind,
    TemplateVersion,
    WorkOrderTemplate,
)
from deskside.workorders.queries.templates import templates_visible_to
from deskside.workorders.services import templates as svc
from deskside.workorders.services.templates import MAX_ITEMS, ItemSpec, VersionSpec

router = Router(tags=["work-order templates"])


class WorkOrderItemSpecIn(Schema):
    text: Text = Field(max_length=300)
    section: Section = Section.WORK
    required: bool = True
    evidence: Evidence = Evidence.NONE


class WorkOrderVersionIn(Schema):
    subject: Text = Field(max_length=250)
    description: Text = Field("", max_length=10000)
    priority: int = Field(Priority.P3, description="1 P1, 2 P2, 3 P3, 4 OPS.")
    ticket_type: TicketType = TicketType.SERVICE_REQUEST
    team: Text | None = Field(None, max_length=100, description="A team's name.")
    second_pair_of_eyes: bool = False
    confirm_with_user: bool = True
    change_note: Text = Field("", max_length=300)
    items: list[WorkOrderItemSpecIn] = Field(min_length=1, max_length=MAX_ITEMS)


class WorkOrderTemplateIn(WorkOrderVersionIn):
    name: Text = Field(max_length=200)
    kind: TemplateKind


class WorkOrderActiveIn(Schema):
    active: bool


class WorkOrderTemplateItemOut(Schema):
    section: Section
    position: int
    text: str
    required: bool
    evidence: Evidence


class WorkOrderVersionOut(Schema):
    number: int
    subject: str
    description: str
    priority: int
    ticket_type: str
    team: str | None
    second_pair_of_eyes: bool
    confirm_with_user: bool
    change_note: str
    created_by: str | None = Field(description="Who made it (null: the system).")
    created_at: datetime
    items: list[WorkOrderTemplateItemOut]


class WorkOrderTemplateOut(Schema):
    id: str
    name: str
    kind: TemplateKind
    is_active: bool
    current_version: int | None


class WorkOrderTemplateDetailOut(WorkOrderTemplateOut):
    versions: list[WorkOrderVersionOut] = Field(description="Newest first.")


def _version_out(version: TemplateVersion) -> dict[str, Any]:
    return {
        "number": version.number,
        "subject": version.subject,
        "description": version.description,
        "priority": version.priority,
        "ticket_type": version.ticket_type,
        "team": version.team.name if version.team_id else None,
        "second_pair_of_eyes": version.second_pair_of_eyes,
        "confirm_with_user": version.confirm_with_user,
        "change_note": version.change_note,
        "created_by": version.created_by.get_full_name() if version.created_by_id else None,
        "created_at": version.created_at,
        "items": svc.in_order(version.items.all()),
    }


def _out(template: WorkOrderTemplate, *, detail: bool = False) -> dict[str, Any]:
    versions = sorted(template.versions.all(), key=lambda v: -v.number)
    out: dict[str, Any] = {
        "id": template.public_id,
        "name": template.name,
        "kind": template.kind,
        "is_active": template.is_active,
        "current_version": versions[0].number if versions else None,
    }
    if detail:
        out["versions"] = [_version_out(v) for v in versions]
    return out


def _spec(payload: WorkOrderVersionIn) -> VersionSpec:
    team = None
    if payload.team:
        team = Team.objects.filter(name=payload.team).first()
        if team is None:
            raise InvalidInput(f"no team {payload.team!r}", field="team")
    return VersionSpec(
        subject=payload.subject,
        description=payload.description,
        priority=payload.priority,
        ticket_type=payload.ticket_type,
        team=team,
        second_pair_of_eyes=payload.second_pair_of_eyes,
        confirm_with_user=payload.confirm_with_user,
        change_note=payload.change_note,
        items=[
            ItemSpec(text=i.text, section=i.section, required=i.required, evidence=i.evidence)
            for i in payload.items
        ],
    )


def _reader(request: HttpRequest) -> User:
    """Agents read templates; a customer's token is refused (403), as on every agent router."""
    user: User = request.user  # type: ignore[assignment]
    if not user.is_agent:
        raise NotAllowed("only agents read work-order templates")
    return user


def _template(request: HttpRequest, public_id: str, *, detail: bool = False) -> WorkOrderTemplate:
    qs = templates_visible_to(_reader(request))  # type: ignore[arg-type]
    if detail:
        qs = qs.prefetch_related("versions__items", "versions__team", "versions__created_by")
    return get_or_404(qs, f"no template {public_id!r}", public_id=public_id)


@router.get("", response=PageOut[WorkOrderTemplateOut], summary="Work-order templates")
def list_templates(request: HttpRequest, params: Query[PageParams]) -> dict[str, object]:
    qs = (
        templates_visible_to(_reader(request))
        .prefetch_related("versions")
        .order_by("-is_active", "name", "id")
    )
    page = paginate(request, qs, page=params.page, limit=params.limit)
    return {**page_out(page), "items": [_out(t) for t in page.items]}


@router.post("", response={201: WorkOrderTemplateDetailOut}, summary="Create a template")
def create_template(request: HttpRequest, payload: WorkOrderTemplateIn) -> Status[dict]:
    user: User = request.user  # type: ignore[assignment]
    template = svc.create_template(user, name=payload.name, kind=payload.kind, spec=_spec(payload))
    return Status(201, _out(_template(request, template.public_id, detail=True), detail=True))


@router.get("/{public_id}", response=WorkOrderTemplateDetailOut, summary="One template")
def get_template(request: HttpRequest, public_id: PublicId) -> dict[str, Any]:
    return _out(_template(request, public_id, detail=True), detail=True)


@router.post(
    "/{public_id}/versions",
    response={201: WorkOrderTemplateDetailOut},
    summary="Make the next version",
)
def new_version(
    request: HttpRequest, public_id: PublicId, payload: WorkOrderVersionIn
) -> Status[dict]:
    template = _template(request, public_id)
    svc.new_version(request.user, template, _spec(payload))  # type: ignore[arg-type]
    return Status(201, _out(_template(request, public_id, detail=True), detail=True))


@router.post("/{public_id}/active", response=WorkOrderTemplateOut, summary="Retire or reactivate")
def set_active(request: HttpRequest, public_id: PublicId, payload: WorkOrderActiveIn) -> dict:
    template = _template(request, public_id)
    svc.set_active(request.user, template, payload.active)  # type: ignore[arg-type]
    return _out(_template(request, public_id))
