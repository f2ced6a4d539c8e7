"""Projects of many work orders under /api/v1/workorders/projects (agents only):

    POST /workorders/projects/dry-run                the CSV's plan: every row, or its error (200)
    POST /workorders/projects                        create: 201, or 422 with the row errors
    GET  /workorders/projects                        the projects of the clients you serve
    GET  /workorders/projects/{id}                   one project with its progress
    GET  /workorders/projects/{id}/children          its work orders, in file order (paginated)
    POST /workorders/projects/{id}/schedule          the children as visits (queue or back to back)
    POST /workorders/projects/{id}/resolve           resolve the project (409 while a child is open)

The file travels as text in the JSON body (`csv`), as the contacts' import does. A create sent
again with the same `Idempotency-Key` header answers the first project (200) and creates
nothing. A project of a client the agent does not serve is a 404; a customer's token is 403.
"""

from datetime import date, datetime, time
from typing import Annotated, Any

from django.core.serializers.json import DjangoJSONEncoder
from django.http import HttpRequest, JsonResponse
from django.urls import reverse
from ninja import Field, Header, Query, Router, Schema, Status

from deskside.accounts.models import User
from deskside.accounts.queries import users_visible_to
from deskside.core.api import PageOut, PageParams, PublicId, Text, get_or_404, page_out
from deskside.core.pagination import paginate
from deskside.tickets.models import format_number
from deskside.workorders import gate
from deskside.workorders.exceptions import BadFile, InvalidInput, NotAllowed
from deskside.workorders.models import Project, WorkOrderTemplate
from deskside.workorders.queries import projects as queries
from deskside.workorders.services import project_visits, projects

router = Router(tags=["work-order projects"])

IdempotencyKey = Annotated[
    Text | None,
    Header(
        alias="Idempotency-Key",
        description="Up to 200 characters: a retry with the same key and body answers the "
        "first project (200) and creates nothing; another body with the key is a 409.",
    ),
]

# -- schemas -----------------------------------------------------------------------------------


class WoProjectIn(Schema):
    organization: Text = Field(max_length=60, description="The client's slug.")
    template: Text = Field(max_length=200, description="The template's public id or name.")
    title: Text = Field(max_length=250)
    requester: Text = Field(max_length=254, description="A contact's email or public id.")
    site: Text | None = Field(None, max_length=200, description="A site's public id or name.")
    description: Text = Field("", max_length=10000)
    filename: Text = Field("", max_length=255)
    csv: Text = Field(description="The CSV file's text (UTF-8), header row first.")


class WoProjectRowOut(Schema):
    line: int
    action: str = Field(description="create or error.")
    message: str = Field(description="Why the row is in error.")
    subject: str
    requester: str | None = Field(description="The child's requester's email.")
    site: str | None
    asset: str | None = Field(description="The asset tag linked.")
    window_start: datetime | None
    window_end: datetime | None
    duration_minutes: int | None


class WoProjectPlanOut(Schema):
    ok: bool = Field(description="true: the project can be created as it is.")
    rows_total: int
    created: int = Field(description="The rows that will open a work order.")
    errors: int
    ignored_columns: list[str]
    rows: list[WoProjectRowOut]


class WoProjectProgressOut(Schema):
    total: int
    done: int = Field(description="Resolved or closed (past the QC gate).")
    open: int
    cancelled: int
    with_visit: int = Field(description="Open children with a visit planned or queued.")
    percent: int


class WoProjectOut(Schema):
    id: str
    title: str
    organization: str = Field(description="The client's slug.")
    ticket: str = Field(description="The project's own ticket, T-10423.")
    status: str = Field(description="The project ticket's status.")
    template: str
    template_version: int
    source_filename: str
    created_at: datetime
    progress: WoProjectProgressOut
    url: str


class WoProjectChildOut(Schema):
    id: str
    ticket: str
    subject: str
    row_number: int | None
    row_data: dict[str, str]
    state: str = Field(description="open, done or cancelled.")
    status: str = Field(description="The child ticket's status.")
    requester: str
    site: str | None
    has_visit: bool
    missing: list[str] = Field(description="What the QC gate still waits for.")


class WoProjectFilters(PageParams):
    organization: Text = Field("", max_length=60, description="A client's slug.")


class WoProjectChildFilters(PageParams):
    state: Text = Field("", max_length=10, description="open, done, cancelled or empty (all).")


class WoProjectScheduleIn(Schema):
    work_orders: list[Text] | None = Field(
        None, max_length=2000, description="Children's ids; null: every open child without visit."
    )
    first_day: date
    last_day: date
    day_start: time = time(9, 0)
    day_end: time = time(17, 0)
    duration_minutes: int = Field(60, ge=1, le=720)
    technician: Text | None = Field(
        None, max_length=20, description="An agent's public id; null: the dispatch queue."
    )
    start: datetime | None = Field(None, description="The first visit's start, with its zone.")


class WoProjectRefusedOut(Schema):
    ticket: str
    reason: str


class WoProjectScheduleOut(Schema):
    summary: str
    created: list[str]
    scheduled: list[str]
    refused: list[WoProjectRefusedOut]


class WoProjectResolveIn(Schema):
    resolution: Text = Field(max_length=10000)


# -- helpers -----------------------------------------------------------------------------------


def _agent(request: HttpRequest) -> User:
    user: User = request.user  # type: ignore[assignment]
    if not user.is_agent:
        raise NotAllowed("only agents work with projects")
    return user


def _new(user: User, payload: WoProjectIn) -> projects.NewProject:
    client = (
        queries.clients_for_projects(user).filter(slug=payload.organization).first()
    )  # one message for unknown and not served
    if client is None:
        raise InvalidInput(f"no client {payload.organization!r}", field="organization")
    template = (
        WorkOrderTemplate.objects.filter(public_id=payload.template).first()
        or WorkOrderTemplate.objects.filter(name__iexact=payload.template).first()
    )
    if template is None:
        raise InvalidInput(f"no template {payload.template!r}", field="template")
    requester = queries.contact_of(client, payload.requester) or (
        users_visible_to(user)
        .filter(public_id=payload.requester, organization=client, kind=User.Kind.CUSTOMER)
        .first()
    )
    if requester is None:
        raise InvalidInput(f"no contact {payload.requester!r} at {client.name}", field="requester")
    site = None
    if payload.site:
        site = client.sites.filter(public_id=payload.site).first() or queries.site_of(
            client, payload.site
        )
        if site is None:
            raise InvalidInput(f"no site {payload.site!r} at {client.name}", field="site")
    return projects.NewProject(
        organization=client,
        template=template,
        title=payload.title,
        requester=requester,
        site=site,
        description=payload.description,
    )


def _plan_out(plan: Any) -> dict[str, Any]:
    return {
        "ok": plan.ok,
        "rows_total": len(plan.rows),
        "created": plan.created,
        "errors": plan.errors,
        "ignored_columns": plan.ignored,
        "rows": [
            {
                "line": r.line,
                "action": r.action,
                "message": r.message,
                "subject": r.subject,
                "requester": r.requester.email if r.requester else None,
                "site": r.site.name if r.site else None,
                "asset": r.asset.asset_tag if r.asset else None,
                "window_start": r.window[0] if r.window else None,
                "window_end": r.window[1] if r.window else None,
                "duration_minutes": r.duration,
            }
            for r in plan.rows
        ],
    }


def _project_out(project: Project, progress: queries.Progress | None = None) -> dict[str, Any]:
    progress = progress or queries.progress(project)
    return {
        "id": project.public_id,
        "title": project.title,
        "organization": project.organization.slug,
        "ticket": format_number(project.ticket_id),
        "status": project.ticket.status,
        "template": project.template_version.template.name,
        "template_version": project.template_version.number,
        "source_filename": project.source_filename,
        "created_at": project.created_at,
        "progress": {**progress.__dict__, "percent": progress.percent},
        "url": reverse("workorders:project", args=[project.public_id]),
    }


def _visible(user: User):
    return queries.projects_visible_to(user).select_related(
        "organization", "ticket", "template_version__template"
    )


def _project(request: HttpRequest, public_id: str) -> Project:
    user = _agent(request)
    return get_or_404(_visible(user), f"no project {public_id!r}", public_id=public_id)


def _data(payload: WoProjectIn) -> bytes:
    return payload.csv.encode("utf-8")


# -- operations --------------------------------------------------------------------------------


@router.post("/dry-run", response=WoProjectPlanOut, summary="Check a project's CSV (no writes)")
def dry_run(request: HttpRequest, payload: WoProjectIn) -> dict[str, Any]:
    """Every row of the file with what it will create or its error. A file that cannot be read
    at all is 422 on `csv`."""
    user = _agent(request)
    try:
        plan = projects.check(user, _new(user, payload), _data(payload))
    except BadFile as error:
        error.field = "csv"
        raise
    return _plan_out(plan)


@router.post(
    "",
    response={200: WoProjectOut, 201: WoProjectOut},
    summary="Create a project and its work orders",
)
def create_project(
    request: HttpRequest,
    payload: WoProjectIn,
    idempotency_key: IdempotencyKey = None,
) -> Status[dict] | JsonResponse:
    """All rows in one transaction. When any row is bad, nothing is written: 422 with the
    shared error body, whose `errors` list each row in error (`field` "csv", the message
    starting "line N:") and whose `plan` is the dry run's answer. The same `Idempotency-Key`
    again: the first project, 200."""
    user = _agent(request)
    new = _new(user, payload)
    try:
        done = projects.create_project(
            user,
            new,
            _data(payload),
            filename=payload.filename,
            idempotency_key=idempotency_key,
        )
    except BadFile as error:
        error.field = "csv"
        raise
    except projects.RowErrors as error:
        plan = _plan_out(error.plan)
        rows = [
            {"field": "csv", "message": f"line {r['line']}: {r['message']}"}
            for r in plan["rows"]
            if r["action"] == "error"
        ]
        body = {"detail": error.message, "field": "csv", "errors": rows, "plan": plan}
        return JsonResponse(body, encoder=DjangoJSONEncoder, status=422)
    project = _visible(user).get(pk=done.project.pk)
    return Status(201 if done.created else 200, _project_out(project))


@router.get("", response=PageOut[WoProjectOut], summary="Projects of the clients you serve")
def list_projects(request: HttpRequest, filters: Query[WoProjectFilters]) -> dict[str, Any]:
    user = _agent(request)
    qs = _visible(user).order_by("-created_at", "-id")
    if filters.organization:
        qs = qs.filter(organization__slug=filters.organization)
    page = paginate(request, qs, page=filters.page, limit=filters.limit)
    progress = queries.progress_of([p.pk for p in page.items])
    return {**page_out(page), "items": [_project_out(p, progress[p.pk]) for p in page.items]}


@router.get("/{public_id}", response=WoProjectOut, summary="One project with its progress")
def get_project(request: HttpRequest, public_id: PublicId) -> dict[str, Any]:
    return _project_out(_project(request, public_id))


@router.get(
    "/{public_id}/children", response=PageOut[WoProjectChildOut], summary="A project's work orders"
)
def list_children(
    request: HttpRequest, public_id: PublicId, filters: Query[WoProjectChildFilters]
) -> dict[str, Any]:
    project = _project(request, public_id)
    if filters.state not in ("", "open", "done", "cancelled"):
        raise InvalidInput("state is open, done, cancelled or empty", field="state")
    page = paginate(
        request, queries.children(project, filters.state), page=filters.page, limit=filters.limit
    )
    items = [
        {
            "id": w.public_id,
            "ticket": format_number(w.ticket_id),
            "subject": w.ticket.subject,
            "row_number": w.row_number,
            "row_data": {str(k): str(v) for k, v in (w.row_data or {}).items()},
            "state": queries.state_of(w),
            "status": w.ticket.status,
            "requester": w.ticket.requester.email,
            "site": w.ticket.site.name if w.ticket.site else None,
            "has_visit": w.has_visit,
            "missing": gate.missing(w) if queries.state_of(w) == "open" else [],
        }
        for w in page.items
    ]
    return {**page_out(page), "items": items}


@router.post("/{public_id}/schedule", response=WoProjectScheduleOut, summary="Children as visits")
def schedule(
    request: HttpRequest, public_id: PublicId, payload: WoProjectScheduleIn
) -> dict[str, Any]:
    """Each child on its own: a refused one (the clearance rule, no site, no room left, a visit
    planned already) is listed with its reason, the others proceed (200)."""
    user = _agent(request)
    project = _project(request, public_id)
    technician = None
    if payload.technician:
        technician = (
            users_visible_to(user)
            .filter(public_id=payload.technician, kind=User.Kind.AGENT)
            .first()
        )
        if technician is None:
            raise InvalidInput(f"no agent {payload.technician!r}", field="technician")
    result = project_visits.schedule_children(
        user,
        project,
        project_visits.BulkVisits(
            first_day=payload.first_day,
            last_day=payload.last_day,
            day_start=payload.day_start,
            day_end=payload.day_end,
            duration_minutes=payload.duration_minutes,
            technician=technician,
            start=payload.start,
        ),
        work_orders=payload.work_orders,
    )
    return {
        "summary": result.summary(),
        "created": result.created,
        "scheduled": result.scheduled,
        "refused": [{"ticket": r.number, "reason": r.reason} for r in result.refused],
    }


@router.post("/{public_id}/resolve", response=WoProjectOut, summary="Resolve the project")
def resolve(
    request: HttpRequest, public_id: PublicId, payload: WoProjectResolveIn
) -> dict[str, Any]:
    """409 while a child is open (the message names them)."""
    user = _agent(request)
    project = projects.resolve_project(
        user, _project(request, public_id), resolution=payload.resolution
    )
    return _project_out(_visible(user).get(pk=project.pk))
