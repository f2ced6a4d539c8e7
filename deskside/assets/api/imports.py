"""The asset CSV import under /api/v1/assets/import (agents who serve the client):

    POST /assets/import    multipart: `file` (the CSV), `client` (slug), `dry_run` (default true)

Answers the plan: the counts and every row with its action (create, update, unchanged) or its
error. Applying (`dry_run=false`) imports every row in one transaction, only when no row is in
error: otherwise 422 with `errors` (one per row in error: `field` "line N", `message` the
reason) and nothing imported. The same file and rules as the import page and the command line
(deskside.assets.imports). A customer's token gets 403; a client the agent does not serve is
422 on `client`; a file that cannot be read at all is 422 on `file`.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse, JsonResponse
from ninja import Field, File, Form, Router, Schema
from ninja.files import UploadedFile

from deskside.accounts.permissions import is_agent
from deskside.assets import imports
from deskside.assets.exceptions import InvalidInput, NotAllowed
from deskside.assets.queries.imports import import_client
from deskside.assets.services import imports as services
from deskside.core.api import Text

router = Router(tags=["assets"])


class AssetImportRowOut(Schema):
    line: int
    asset_tag: str
    serial: str
    action: str = Field(description="create, update, unchanged or error.")
    message: str = Field(description="The fields an update changes, or the error.")


class AssetImportOut(Schema):
    client: str
    dry_run: bool
    applied: bool
    created: int
    updated: int
    unchanged: int
    errors: int
    ignored_columns: list[str]
    rows: list[AssetImportRowOut]


def _plan_out(plan: imports.Plan, dry_run: bool) -> dict[str, Any]:
    return {
        "client": plan.organization.slug,
        "dry_run": dry_run,
        "applied": plan.applied,
        "created": plan.created,
        "updated": plan.updated,
        "unchanged": plan.unchanged,
        "errors": plan.errors,
        "ignored_columns": plan.ignored,
        "rows": plan.rows,
    }


@router.post("/assets/import", response=AssetImportOut, summary="Import assets from CSV")
def import_assets(
    request: HttpRequest,
    client: Form[Text],
    file: File[UploadedFile],
    dry_run: Form[bool] = True,
) -> Any:
    """Check (`dry_run`, the default) or import a CSV file of one client's assets."""
    user = request.user
    if not is_agent(user):
        raise NotAllowed("agents only")
    organization = import_client(user, client.strip())
    if organization is None:
        raise InvalidInput(f"no client {client!r} among the clients you serve", field="client")
    data = file.read(imports.MAX_BYTES + 1)
    try:
        plan = services.import_assets(
            actor=user,
            organization=organization,
            data=data,
            dry_run=dry_run,
            filename=(file.name or "")[:200],
        )
    except services.RowErrors as error:
        return _row_errors(error)
    return _plan_out(plan, dry_run)


def _row_errors(error: services.RowErrors) -> HttpResponse:
    """422 with one entry per row in error (nothing was imported)."""
    body = {
        "detail": error.message,
        "field": error.field,
        "errors": [
            {"field": f"line {row.line}", "message": row.message} for row in error.plan.error_rows
        ],
    }
    return JsonResponse(body, status=422)
