"""The work-order template pages under /workorders/templates/ (agents read them; only admins
create, edit and retire; an agent's POST is a 403):

- `/workorders/templates/`: every template, active first, with its current version;
- `/workorders/templates/new/`: a new template (version 1);
- `/workorders/templates/<public id>/`: the template with every version (who, when, the change
  note, and the items' differences from the version before);
- `/workorders/templates/<public id>/edit/`: the current version's content to edit; saving
  makes the next version (`services.templates.new_version`);
- POST `/workorders/templates/<public id>/active/`: retire or reactivate.
"""

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from deskside.accounts.models import User
from deskside.accounts.permissions import agent_required, is_admin
from deskside.core.exceptions import DomainError
from deskside.workorders.forms.templates import (
    ItemFormSet,
    TemplateForm,
    initial_of,
    version_spec,
)
from deskside.workorders.models import TemplateVersion, WorkOrderTemplate
from deskside.workorders.queries.templates import templates_visible_to
from deskside.workorders.services import templates as svc


def _template(request: HttpRequest, public_id: str) -> WorkOrderTemplate:
    found = templates_visible_to(request.user).filter(public_id=public_id).first()  # type: ignore[arg-type]
    if found is None:
        raise Http404("no such template")
    return found


def _number(version: TemplateVersion) -> int:
    return version.number


def _admin(request: HttpRequest) -> User:
    if not is_admin(request.user):
        raise PermissionDenied("only admins edit work-order templates")
    return request.user  # type: ignore[return-value]


@agent_required
@require_GET
def template_list(request: HttpRequest) -> HttpResponse:
    rows = list(
        templates_visible_to(request.user)  # type: ignore[arg-type]
        .prefetch_related("versions")
        .order_by("-is_active", "name")
    )
    return render(
        request,
        "workorders/templates_list.html",
        {
            "rows": [
                (t, max(t.versions.all(), key=lambda v: v.number, default=None)) for t in rows
            ],
            "can_edit": is_admin(request.user),
        },
    )


@agent_required
@require_GET
def template_detail(request: HttpRequest, public_id: str) -> HttpResponse:
    template = _template(request, public_id)
    versions = list(
        template.versions.select_related("created_by", "team").prefetch_related("items")
    )  # newest first
    history = []
    for index, version in enumerate(versions):
        older = versions[index + 1] if index + 1 < len(versions) else None
        history.append(
            {
                "version": version,
                "items": svc.in_order(version.items.all()),
                "diff": svc.items_diff(older, version) if older else [],
                "running": version.work_orders.filter(cancelled_at__isnull=True).count(),
            }
        )
    return render(
        request,
        "workorders/templates_detail.html",
        {"template": template, "history": history, "can_edit": is_admin(request.user)},
    )


def _edit_page(
    request: HttpRequest,
    template: WorkOrderTemplate | None,
    form: TemplateForm,
    formset: Any,
    status: int = 200,
) -> HttpResponse:
    return render(
        request,
        "workorders/templates_edit.html",
        {"template": template, "form": form, "formset": formset},
        status=status,
    )


@agent_required
def template_new(request: HttpRequest) -> HttpResponse:
    actor = _admin(request)
    form = TemplateForm(request.POST or None, auto_id="tpl-%s")
    formset = ItemFormSet(request.POST or None, prefix="items")
    if request.method == "POST":
        if form.is_valid() and formset.is_valid():
            try:
                template = svc.create_template(
                    actor,
                    name=form.cleaned_data["name"],
                    kind=form.cleaned_data["kind"],
                    spec=version_spec(form, formset),
                )
            except DomainError as exc:
                form.add_service_error(exc)
            else:
                messages.success(request, f"Template {template.name} created.")
                return redirect("workorders:template", template.public_id)
        return _edit_page(request, None, form, formset, status=422)
    return _edit_page(request, None, form, formset)


@agent_required
def template_edit(request: HttpRequest, public_id: str) -> HttpResponse:
    actor = _admin(request)
    template = _template(request, public_id)
    if request.method == "POST":
        form = TemplateForm(request.POST, editing=True, auto_id="tpl-%s")
        formset = ItemFormSet(request.POST, prefix="items")
        if form.is_valid() and formset.is_valid():
            try:
                version = svc.new_version(actor, template, version_spec(form, formset))
            except DomainError as exc:
                form.add_service_error(exc)
            else:
                messages.success(request, f"Version {version.number} of {template.name} saved.")
                return redirect("workorders:template", template.public_id)
        return _edit_page(request, template, form, formset, status=422)
    current = template.current
    initial, rows = initial_of(svc.spec_of(current)) if current else ({}, [])
    form = TemplateForm(editing=True, initial=initial, auto_id="tpl-%s")
    formset = ItemFormSet(initial=rows, prefix="items")
    return _edit_page(request, template, form, formset)


@agent_required
@require_POST
def template_active(request: HttpRequest, public_id: str) -> HttpResponse:
    actor = _admin(request)
    template = _template(request, public_id)
    active = request.POST.get("active") == "1"
    svc.set_active(actor, template, active)
    messages.success(request, f"{template.name} {'reactivated' if active else 'retired'}.")
    return redirect("workorders:template", template.public_id)
