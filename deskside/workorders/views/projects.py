"""The project pages under /workorders/projects/: the list, "New project" (the upload, then the
preview of every row: a dry run, nothing written), "Create project" (the file sent back, one
transaction), the project page (progress and its chart, the children with what each still
misses, "Schedule as visits", "Resolve project") and the errors CSV of a preview.

Agents only (customers are sent to the portal; 403 for a POST), and only the projects of the
clients they serve: any other is a 404. No business logic here: the services decide.
"""

import base64
import binascii
from typing import Any

from csp.constants import NONE, UNSAFE_INLINE
from csp.decorators import csp_replace
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import (
    require_GET,
    require_http_methods,
    require_POST,
    require_safe,
)

from deskside.accounts.models import User
from deskside.accounts.permissions import agent_required
from deskside.accounts.queries import agents_serving
from deskside.core.exceptions import DomainError
from deskside.core.forms import add_domain_error
from deskside.core.views import page_number, paginate
from deskside.workorders import gate, project_chart, project_csv
from deskside.workorders.forms.projects import ApplyForm, ProjectForm, ResolveForm, ScheduleForm
from deskside.workorders.models import Project
from deskside.workorders.queries import projects as queries
from deskside.workorders.services import project_visits, projects

LIST_PAGE = 50
CHILD_PAGE = 50
STATES = ("open", "done", "cancelled")


def _project_or_404(user: User, public_id: str) -> Project:
    project = queries.project_for(user, public_id)
    if project is None:
        raise Http404("no such project")
    return project


def _project_form(request: HttpRequest, data: Any = None, files: Any = None) -> ProjectForm:
    return ProjectForm(
        data,
        files,
        clients=queries.clients_for_projects(request.user),
        templates=queries.templates_for_projects(),
    )


def _new_project(form: ProjectForm) -> projects.NewProject | None:
    """The service's request from a valid form, or None with the look-up errors on the form."""
    data = form.cleaned_data
    client = data["organization"]
    requester = queries.contact_of(client, data["requester"])
    if requester is None:
        form.add_error("requester", f"no contact with this address at {client.name}")
    site = None
    if data.get("site"):
        site = queries.site_of(client, data["site"])
        if site is None:
            form.add_error("site", f"no site of {client.name} with this name")
    if requester is None or form.errors:
        return None
    return projects.NewProject(
        organization=client,
        template=data["template"],
        title=data["title"],
        requester=requester,
        site=site,
        description=data["description"],
    )


def _preview(
    request: HttpRequest,
    form: ProjectForm,
    plan: project_csv.Plan,
    data: bytes,
    name: str,
    *,
    key: str | None = None,
    status: int = 200,
) -> HttpResponse:
    apply = ApplyForm(
        initial={
            "data": base64.b64encode(data).decode(),
            "name": name,
            "key": key or ApplyForm.new_key(),
        }
    )
    context = {"form": form, "plan": plan, "apply": apply, "name": name}
    return render(request, "workorders/projects_preview.html", context, status=status)


# -- the list and the new project ----------------------------------------------------------------


@agent_required
@require_GET
def project_list(request: HttpRequest) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    clients = queries.clients_for_projects(user)
    client = clients.filter(slug=request.GET.get("client", "")).first()
    qs = queries.projects_visible_to(user).select_related("organization", "ticket")
    if client is not None:
        qs = qs.filter(organization=client)
    qs = qs.order_by("-created_at", "-id")
    page = paginate(qs, page_number(request.GET.get("page")), LIST_PAGE)
    progress = queries.progress_of([p.pk for p in page.rows])
    rows = [{"project": p, "progress": progress[p.pk]} for p in page.rows]
    context = {"page": page, "rows": rows, "clients": clients, "client": client}
    return render(request, "workorders/projects_list.html", context)


@agent_required
@require_http_methods(["GET", "POST"])
def project_new(request: HttpRequest) -> HttpResponse:
    """The upload; a valid one answers the preview (the dry run)."""
    if request.method != "POST":
        form = _project_form(request)
        return render(request, "workorders/projects_new.html", {"form": form})
    form = _project_form(request, request.POST, request.FILES)
    if form.is_valid():
        upload = form.cleaned_data["file"]
        if upload is None:
            form.add_error("file", "choose the CSV file")
        new = _new_project(form)
        if new is not None and upload is not None:
            data = upload.read(project_csv.MAX_BYTES + 1)
            try:
                plan = projects.check(request.user, new, data)
            except DomainError as error:
                add_domain_error(form, error)
            else:
                return _preview(request, form, plan, data, upload.name)
    return render(request, "workorders/projects_new.html", {"form": form}, status=422)


def _sent_back(request: HttpRequest) -> tuple[ProjectForm, ApplyForm, bytes | None]:
    form = _project_form(request, request.POST)
    apply = ApplyForm(request.POST)
    data = None
    if apply.is_valid():
        try:
            data = base64.b64decode(apply.cleaned_data["data"], validate=True)
        except (ValueError, binascii.Error):
            data = None
    return form, apply, data


@agent_required
@require_POST
def project_create(request: HttpRequest) -> HttpResponse:
    """ "Create project": the file sent back is checked again and created in one transaction;
    a row in error shows the preview again (422) and nothing is created."""
    form, apply, data = _sent_back(request)
    if data is None or not form.is_valid():
        messages.error(request, "The file or the project was not sent back: upload it again.")
        return redirect("workorders:project_new")
    new = _new_project(form)
    if new is None:
        return render(request, "workorders/projects_new.html", {"form": form}, status=422)
    name = apply.cleaned_data["name"]
    try:
        done = projects.create_project(
            request.user, new, data, filename=name, idempotency_key=apply.cleaned_data["key"]
        )
    except projects.RowErrors as error:
        return _preview(request, form, error.plan, data, name, status=422)
    except DomainError as error:
        add_domain_error(form, error)
        return render(request, "workorders/projects_new.html", {"form": form}, status=422)
    if done.created:
        count = done.project.work_orders.count()
        messages.success(request, f"Project created with {count} work orders.")
    return redirect("workorders:project", done.project.public_id)


@agent_required
@require_POST
def project_errors_csv(request: HttpRequest) -> HttpResponse:
    """The preview's rows in error as CSV, to fix and upload again."""
    form, _apply, data = _sent_back(request)
    new = _new_project(form) if data is not None and form.is_valid() else None
    if new is None:
        return HttpResponse("the file was not sent back", status=400, content_type="text/plain")
    try:
        plan = projects.check(request.user, new, data)
    except DomainError as error:
        return HttpResponse(error.message, status=error.status_code, content_type="text/plain")
    response = HttpResponse(plan.errors_csv(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="project-errors.csv"'
    return response


# -- the project page ----------------------------------------------------------------------------


def _page(
    request: HttpRequest,
    project: Project,
    *,
    schedule: ScheduleForm | None = None,
    resolve: ResolveForm | None = None,
    status: int = 200,
) -> HttpResponse:
    state = request.GET.get("state", "")
    state = state if state in STATES else ""
    page = paginate(
        queries.children(project, state), page_number(request.GET.get("page")), CHILD_PAGE
    )
    rows = [
        {
            "work_order": w,
            "state": queries.state_of(w),
            "missing": gate.missing(w) if queries.state_of(w) == "open" else [],
        }
        for w in page.rows
    ]
    technicians = agents_serving(project.organization).order_by("full_name")
    context = {
        "project": project,
        "progress": queries.progress(project),
        "page": page,
        "rows": rows,
        "state": state,
        "states": STATES,
        "schedule": schedule or ScheduleForm(technicians=technicians, children=[]),
        "resolve": resolve or ResolveForm(),
    }
    return render(request, "workorders/projects_detail.html", context, status=status)


@agent_required
@require_GET
def project_detail(request: HttpRequest, public_id: str) -> HttpResponse:
    return _page(request, _project_or_404(request.user, public_id))


@require_safe
@agent_required
@csp_replace({"default-src": [NONE], "style-src": [UNSAFE_INLINE], "script-src": [NONE]})
def project_chart_svg(request: HttpRequest, public_id: str) -> HttpResponse:
    """The progress chart as an SVG document (the page shows it in an <img>)."""
    project = _project_or_404(request.user, public_id)
    svg = project_chart.progress_chart(queries.progress(project))
    response = HttpResponse(svg, content_type="image/svg+xml")
    response["Cache-Control"] = "private, no-store"
    return response


@agent_required
@require_POST
def project_schedule(request: HttpRequest, public_id: str) -> HttpResponse:
    """ "Schedule as visits": the summary ("Created 38 visits, 2 refused: ...") as a message."""
    user: User = request.user  # type: ignore[assignment]
    project = _project_or_404(user, public_id)
    children = queries.children(project).values_list("public_id", flat=True)
    form = ScheduleForm(
        request.POST,
        technicians=agents_serving(project.organization),
        children=list(children),
    )
    if form.is_valid():
        data = form.cleaned_data
        try:
            result = project_visits.schedule_children(
                user,
                project,
                project_visits.BulkVisits(
                    first_day=data["first_day"],
                    last_day=data["last_day"],
                    day_start=data["day_start"],
                    day_end=data["day_end"],
                    duration_minutes=data["duration_minutes"],
                    technician=data["technician"],
                    start=data["start"],
                ),
                work_orders=data["work_orders"] or None,
            )
        except DomainError as error:
            add_domain_error(form, error)
        else:
            level = messages.WARNING if result.refused else messages.SUCCESS
            messages.add_message(request, level, result.summary())
            return redirect("workorders:project", project.public_id)
    return _page(request, project, schedule=form, status=422)


@agent_required
@require_POST
def project_resolve(request: HttpRequest, public_id: str) -> HttpResponse:
    """ "Resolve project": refused (409, the message on the form) while a child is open."""
    user: User = request.user  # type: ignore[assignment]
    project = _project_or_404(user, public_id)
    form = ResolveForm(request.POST)
    if form.is_valid():
        try:
            projects.resolve_project(user, project, resolution=form.cleaned_data["resolution"])
        except DomainError as error:
            form.add_error("resolution", error.message)
            return _page(request, project, resolve=form, status=error.status_code)
        messages.success(request, f"Project resolved ({project.ticket.number}).")
        return redirect("workorders:project", project.public_id)
    return _page(request, project, resolve=form, status=422)
