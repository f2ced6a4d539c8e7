"""Certified disposal under /api/v1/assets/disposal:

    GET  /assets/disposal/batches                      batches the caller may read (?client=)
    POST /assets/disposal/batches                      multipart: client, assets (public ids,
                                                       repeated or comma-separated), company,
                                                       certificate_number, method, handed_over_on,
                                                       notes, certificate (the file)
    GET  /assets/disposal/batches/{id}                 one batch with its assets
    GET  /assets/disposal/batches/{id}/certificate     the certificate file
    GET  /assets/disposal/report?client=&from=&to=&format=json|csv   the auditors' report

Agents read the batches of the clients they serve and record new ones; a client's
organisation admins read their own organisation's batches, certificates and report (403 when
they try to record one); other customers get 403. Another client's batch is 404; naming a
client one may not read is 422 on `client`.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from ninja import Field, File, Form, Query, Router, Schema, Status
from ninja.files import UploadedFile

from deskside.accounts.permissions import is_agent
from deskside.assets import disposal_report
from deskside.assets.exceptions import InvalidInput, NotAllowed
from deskside.assets.models import DisposalBatch
from deskside.assets.queries import disposal as queries
from deskside.assets.services import disposal as services
from deskside.core.api import PageOut, PageParams, Text, page_out
from deskside.core.pagination import paginate
from deskside.core.views import download

router = Router(tags=["assets"])


class DisposalBatchOut(Schema):
    public_id: str
    client: str
    company: str
    certificate_number: str
    method: str = Field(description="NIST SP 800-88: clear, purge or destroy.")
    handed_over_on: date
    certificate_filename: str
    certificate_content_type: str
    certificate_size: int
    certificate_sha256: str
    notes: str
    assets: int = Field(description="How many assets were handed over.")
    created_at: datetime

    @staticmethod
    def resolve_client(obj: DisposalBatch) -> str:
        return obj.organization.slug

    @staticmethod
    def resolve_assets(obj: DisposalBatch) -> int:
        return getattr(obj, "asset_count", None) or obj.assets.count()


class DisposedAssetOut(Schema):
    public_id: str
    asset_tag: str
    serial: str
    kind: str
    make: str
    model: str
    name: str


class DisposalBatchDetailOut(DisposalBatchOut):
    disposed_assets: list[DisposedAssetOut]

    @staticmethod
    def resolve_disposed_assets(obj: DisposalBatch) -> list[Any]:
        return list(queries.batch_assets(obj))


class DisposalBatchFilter(Schema):
    client: Text = Field("", description="A client's slug: only its batches.")


class DisposalBatchIn(Schema):
    client: Text
    assets: list[Text] = Field(description="The retired assets' public ids.")
    company: Text
    certificate_number: Text
    method: Text
    handed_over_on: date
    notes: Text = ""


class DisposalReportRowOut(Schema):
    asset: str
    serial: str
    asset_tag: str
    kind: str
    make: str
    model: str
    name: str
    method: str
    company: str
    certificate_number: str
    certificate_sha256: str
    handed_over_on: date
    batch: str


class DisposalReportOut(Schema):
    client: str
    start: date | None
    end: date | None
    rows: list[DisposalReportRowOut]


def _reader(request: HttpRequest) -> Any:
    if not queries.is_reader(request.user):
        raise NotAllowed("the disposal records are for agents and organisation admins")
    return request.user


def _client(user: Any, slug: str) -> Any:
    client = queries.client_for(user, slug.strip())
    if client is None:
        raise InvalidInput(f"no client {slug!r} among those you may see", field="client")
    return client


def _batch(request: HttpRequest, public_id: str) -> DisposalBatch:
    batch = queries.batch_for(_reader(request), public_id)
    if batch is None:
        raise Http404(f"no disposal batch {public_id!r}")
    return batch


@router.get("/batches", response=PageOut[DisposalBatchOut], summary="Disposal batches")
def list_batches(
    request: HttpRequest, filters: Query[DisposalBatchFilter], paging: Query[PageParams]
) -> dict[str, object]:
    user = _reader(request)
    qs = queries.batches_visible_to(user)
    if filters.client:
        qs = qs.filter(organization=_client(user, filters.client))
    return page_out(paginate(request, qs, page=paging.page, limit=paging.limit))


@router.post("/batches", response={201: DisposalBatchOut}, summary="Record a disposal batch")
def create_batch(
    request: HttpRequest, payload: Form[DisposalBatchIn], certificate: File[UploadedFile]
) -> Status:
    """Hand retired assets over: the batch is recorded and every asset disposed of in one
    transaction (all or nothing; 409 when an asset changed meanwhile)."""
    user = request.user
    if not is_agent(user):
        raise NotAllowed("only agents record disposal batches")
    client = _client(user, payload.client)
    assets = [part.strip() for value in payload.assets for part in value.split(",")]
    batch = services.create_batch(
        actor=user,
        organization=client,
        assets=assets,
        company=payload.company,
        certificate_number=payload.certificate_number,
        method=payload.method,
        handed_over_on=payload.handed_over_on,
        certificate=certificate,
        notes=payload.notes,
    )
    return Status(201, queries.batch_for(user, batch.public_id))


@router.get("/batches/{public_id}", response=DisposalBatchDetailOut, summary="A disposal batch")
def get_batch(request: HttpRequest, public_id: Text) -> DisposalBatch:
    return _batch(request, public_id)


@router.get(
    "/batches/{public_id}/certificate",
    summary="The batch's certificate file",
    response={200: None},
)
def certificate(request: HttpRequest, public_id: Text) -> HttpResponse:
    """The certificate as the company issued it (PDF or image), as a download."""
    batch = _batch(request, public_id)
    return download(batch.certificate, batch.certificate_filename, batch.certificate_content_type)


class DisposalReportParams(Schema):
    client: Text
    start: date | None = Field(None, alias="from", description="First hand-over date.")
    end: date | None = Field(None, alias="to", description="Last hand-over date.")
    format: Text = Field("json", pattern="^(json|csv)$", description="json or csv.")


@router.get("/report", response=DisposalReportOut, summary="The disposal report of a client")
def report(request: HttpRequest, params: Query[DisposalReportParams]) -> Any:
    """Every asset of the client disposed of from `from` to `to` (hand-over dates, both
    included): serial, tag, make and model, method, company, certificate number and SHA-256.
    `format=csv` answers the same rows as CSV."""
    user = _reader(request)
    client = _client(user, params.client)
    if params.start and params.end and params.end < params.start:
        raise InvalidInput("`to` is before `from`", field="to")
    built = disposal_report.build(client, params.start, params.end)
    if params.format == "csv":
        response = HttpResponse(
            disposal_report.csv_text(built), content_type="text/csv; charset=utf-8"
        )
        response["Content-Disposition"] = f'attachment; filename="{built.filename}.csv"'
        return response
    return {"client": client.slug, "start": params.start, "end": params.end, "rows": built.rows()}
