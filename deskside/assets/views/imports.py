"""The asset CSV import pages under /assets/import/ (agents): upload a client's file, see the
preview (a dry run: the counts and each row with what it will do or why it is refused), then
"Import" applies every row in one transaction, only when no row is in error. The refused rows
can be downloaded as CSV (the file's columns plus the reason) to fix and upload again.
No business logic: `assets.services.imports` decides."""

from __future__ import annotations

import base64
import binascii
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from deskside.accounts.permissions import agent_required
from deskside.assets import imports
from deskside.assets.exceptions import AssetError
from deskside.assets.forms.imports import ImportApplyForm, ImportForm
from deskside.assets.queries.imports import import_client, import_clients
from deskside.assets.services import imports as services

SHOWN_ERRORS = 500  # rows in error listed on the preview (the errors CSV has them all)
SHOWN_OTHERS = 200  # rows without error listed after them


def _preview(
    request: HttpRequest, plan: imports.Plan, data: bytes, name: str, *, status: int = 200
) -> HttpResponse:
    apply = ImportApplyForm(
        initial={
            "client": plan.organization.slug,
            "data": base64.b64encode(data).decode(),
            "name": name,
        }
    )
    errors = plan.error_rows
    others = [r for r in plan.rows if r.action != imports.ERROR]
    context: dict[str, Any] = {
        "plan": plan,
        "apply": apply,
        "name": name,
        "errors": errors[:SHOWN_ERRORS],
        "errors_hidden": max(0, len(errors) - SHOWN_ERRORS),
        "others": others[:SHOWN_OTHERS],
        "others_hidden": max(0, len(others) - SHOWN_OTHERS),
    }
    return render(request, "assets/import_preview.html", context, status=status)


@agent_required
@require_http_methods(["GET", "POST"])
def upload(request: HttpRequest) -> HttpResponse:
    """Choose the client and the file: the preview (a dry run) of what each row will do."""
    clients = import_clients(request.user)
    if request.method != "POST":
        initial = {"client": request.GET.get("client", "")}
        form = ImportForm(initial=initial, clients=clients)
        return render(request, "assets/import_upload.html", {"form": form})
    form = ImportForm(request.POST, request.FILES, clients=clients)
    if form.is_valid():
        upload_file = form.cleaned_data["file"]
        # Not read into memory past the limit: one byte more is enough to refuse it.
        data = upload_file.read(imports.MAX_BYTES + 1)
        try:
            plan = services.import_assets(
                actor=request.user,
                organization=form.cleaned_data["client"],
                data=data,
                dry_run=True,
            )
        except AssetError as error:
            form.add_error("file" if error.field in (None, "file") else "client", error.message)
        else:
            return _preview(request, plan, data, upload_file.name)
    return render(request, "assets/import_upload.html", {"form": form}, status=422)


def _sent_back(request: HttpRequest) -> tuple[Any, bytes, str] | None:
    form = ImportApplyForm(request.POST)
    if not form.is_valid():
        return None
    try:
        data = base64.b64decode(form.cleaned_data["data"], validate=True)
    except (ValueError, binascii.Error):
        return None
    client = import_client(request.user, form.cleaned_data["client"])
    if client is None:
        return None
    return client, data, form.cleaned_data["name"]


@agent_required
@require_POST
def apply(request: HttpRequest) -> HttpResponse:
    """Import the previewed file: every row in one transaction, or nothing."""
    sent = _sent_back(request)
    if sent is None:
        messages.error(request, "The file was not sent back: upload it again.")
        return redirect("assets:import_upload")
    client, data, name = sent
    try:
        plan = services.import_assets(
            actor=request.user, organization=client, data=data, filename=name
        )
    except services.RowErrors as error:
        messages.error(request, error.message)
        return _preview(request, error.plan, data, name, status=422)
    except AssetError as error:
        messages.error(request, error.message)
        return redirect(f"{reverse('assets:import_upload')}?client={client.slug}")
    return render(
        request,
        "assets/import_preview.html",
        {"plan": plan, "name": name, "others": [], "errors": []},
    )


@agent_required
@require_POST
def errors_csv(request: HttpRequest) -> HttpResponse:
    """The refused rows of the previewed file as CSV, with the reason in an "error" column."""
    sent = _sent_back(request)
    if sent is None:
        messages.error(request, "The file was not sent back: upload it again.")
        return redirect("assets:import_upload")
    client, data, name = sent
    try:
        plan = services.import_assets(
            actor=request.user, organization=client, data=data, dry_run=True
        )
    except AssetError as error:
        messages.error(request, error.message)
        return redirect("assets:import_upload")
    response = HttpResponse(plan.errors_csv(), content_type="text/csv; charset=utf-8")
    stem = (name.rsplit(".", 1)[0] or "assets").replace('"', "")[:100]
    response["Content-Disposition"] = f'attachment; filename="{stem}-errors.csv"'
    return response
