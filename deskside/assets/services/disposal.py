"""Certified disposal: a client's retired assets handed over in one batch to a disposal company.

`create_batch` records the batch (company, certificate number, NIST SP 800-88 method, hand-over
date, the certificate file with its SHA-256, notes) and disposes of its assets in ONE
transaction: each asset goes from retired to disposed with `disposal_batch` set and a
`disposed` event on its timeline. All or nothing: an asset that is not a retired asset of the
client refuses the whole batch (422 naming it), and so does one that changed meanwhile (409:
the conditional UPDATE counts the rows it changed). After that nothing of the batch or its
assets changes again: `DisposalBatch.save` and `Asset.save` refuse, and every service refuses
a disposed asset (`exceptions.Disposed`).

The certificate is a PDF or an image (PNG, JPEG, WebP), recognised by its first bytes (never
by the name or the type the browser claims), at most DESKSIDE_MAX_ATTACHMENT_MB. It is stored
through the default storage (`core.files.DurableStorage`: whole or absent) inside
`removed_on_error`, so a refused batch leaves no file behind.

Who may: agents who serve the client (and the system, `actor` None: the demo). Organisation
admins of the client read batches and the report (`queries.disposal`), never write.
"""

from __future__ import annotations

import errno as errnos
import hashlib
from collections.abc import Sequence
from datetime import date

from django.conf import settings
from django.core.files.base import File
from django.db import IntegrityError, transaction

from deskside.accounts.models import Organization, User
from deskside.accounts.permissions import is_agent
from deskside.accounts.queries import serves
from deskside.assets.exceptions import AssetError, InvalidInput, InvalidTransition, NotAllowed
from deskside.assets.models import (
    Asset,
    AssetEvent,
    AssetEventKind,
    DisposalBatch,
    Lifecycle,
    WipeMethod,
)
from deskside.core import audit, clock
from deskside.core.files import removed_on_error
from deskside.core.timezones import zone

MAX_ASSETS = 5000  # per batch: a hand-over is a van load, not the whole estate
SIGNATURES: tuple[tuple[bytes, int, str], ...] = (
    (b"%PDF-", 0, "application/pdf"),
    (b"\x89PNG\r\n\x1a\n", 0, "image/png"),
    (b"\xff\xd8\xff", 0, "image/jpeg"),
    (b"WEBP", 8, "image/webp"),
)


class CertificateNotStored(AssetError):
    """The certificate could not be stored (a full disk: 507; another storage failure: 503).
    Nothing of the batch was kept; the same request may succeed later."""

    status_code = 503

    def __init__(self, exc: OSError) -> None:
        full = exc.errno in (errnos.ENOSPC, errnos.EDQUOT)
        super().__init__(
            ("the server's disk is full" if full else "the certificate could not be stored")
            + "; nothing was saved, please try again later",
            field="certificate",
        )
        if full:
            self.status_code = 507


class ChangedMeanwhile(InvalidTransition):
    """409: an asset of the batch stopped being retired between the check and the writing."""


def certificate_type(head: bytes) -> str | None:
    """The content type of a certificate from its first bytes, None when it is no PDF or image
    we accept."""
    for magic, offset, content_type in SIGNATURES:
        if head[offset : offset + len(magic)] == magic:
            if content_type == "image/webp" and not head.startswith(b"RIFF"):
                continue
            return content_type
    return None


def may_dispose(actor: User | None, organization: Organization) -> bool:
    return actor is None or (is_agent(actor) and serves(actor, organization.pk))


def client_today(organization: Organization) -> date:
    """Today where the client is (a hand-over date is the client's calendar day)."""
    return clock.now().astimezone(zone(organization.timezone)).date()


def _text(value: str | None, name: str, limit: int, *, required: bool = True) -> str:
    text = (value or "").strip()
    if "\x00" in text:
        raise InvalidInput(f"{name.replace('_', ' ')} must not contain NUL characters", field=name)
    if required and not text:
        raise InvalidInput(f"{name.replace('_', ' ')} is required", field=name)
    if len(text) > limit:
        raise InvalidInput(f"{name.replace('_', ' ')} is longer than {limit}", field=name)
    return text


def _certificate(upload: File | None) -> tuple[str, str, int, str]:
    """(file name, content type, size, SHA-256) of the uploaded certificate, checked."""
    if upload is None:
        raise InvalidInput("the certificate file is required", field="certificate")
    limit = settings.DESKSIDE_MAX_ATTACHMENT_BYTES
    size = upload.size or 0
    if size == 0:
        raise InvalidInput("the certificate file is empty", field="certificate")
    if size > limit:
        raise InvalidInput(
            f"the certificate is {size / 2**20:.1f} MB; the limit is {limit / 2**20:.0f} MB",
            field="certificate",
        )
    digest = hashlib.sha256()
    head = b""
    for chunk in upload.chunks():
        if len(head) < 16:
            head += chunk[:16]
        digest.update(chunk)
    content_type = certificate_type(head)
    if content_type is None:
        raise InvalidInput(
            "the certificate must be a PDF or an image (PNG, JPEG, WebP)", field="certificate"
        )
    name = (upload.name or "certificate").replace("/", "_").replace("\\", "_").strip()
    return name[-255:] or "certificate", content_type, size, digest.hexdigest()


def create_batch(
    *,
    actor: User | None,
    organization: Organization,
    assets: Sequence[str],
    company: str,
    certificate_number: str,
    method: str,
    handed_over_on: date,
    certificate: File | None,
    notes: str = "",
) -> DisposalBatch:
    """Hand the retired assets `assets` (public ids) of `organization` over to `company`:
    record the batch and dispose of every asset, all in one transaction (see the module).

    Raises NotAllowed (403) for an actor who does not serve the client; InvalidInput (422)
    naming the field for a missing or bad value, an asset that is not a retired asset of the
    client, a hand-over date after the client's today, a certificate number already recorded
    for that company, a certificate that is no PDF or image or too large; ChangedMeanwhile
    (409) when an asset stopped being retired meanwhile; CertificateNotStored (503/507)."""
    if not may_dispose(actor, organization):
        raise NotAllowed("only agents who serve this client record its disposals", field="client")
    if organization.is_msp:
        raise InvalidInput("disposals are of a client's assets", field="client")
    company = _text(company, "company", 200)
    certificate_number = _text(certificate_number, "certificate_number", 100)
    notes = _text(notes, "notes", 10_000, required=False)
    if method not in WipeMethod.values:
        raise InvalidInput(
            f"the method is one of {', '.join(WipeMethod.values)} (NIST SP 800-88)", field="method"
        )
    if not isinstance(handed_over_on, date):
        raise InvalidInput("the hand-over date is required", field="handed_over_on")
    if handed_over_on > client_today(organization):
        raise InvalidInput("the hand-over date is in the future", field="handed_over_on")
    wanted = list(dict.fromkeys(a.strip() for a in assets if a and a.strip()))
    if not wanted:
        raise InvalidInput("choose at least one retired asset", field="assets")
    if len(wanted) > MAX_ASSETS:
        raise InvalidInput(f"a batch holds at most {MAX_ASSETS} assets", field="assets")
    filename, content_type, size, sha256 = _certificate(certificate)
    try:
        with removed_on_error(), transaction.atomic():
            return _record(
                actor,
                organization,
                wanted,
                company=company,
                certificate_number=certificate_number,
                method=method,
                handed_over_on=handed_over_on,
                certificate=certificate,
                filename=filename,
                content_type=content_type,
                size=size,
                sha256=sha256,
                notes=notes,
            )
    except OSError as exc:
        raise CertificateNotStored(exc) from exc


def _record(
    actor: User | None,
    organization: Organization,
    wanted: list[str],
    *,
    certificate: File | None,
    filename: str,
    content_type: str,
    size: int,
    sha256: str,
    **fields: object,
) -> DisposalBatch:
    if DisposalBatch.objects.filter(
        organization=organization,
        company=fields["company"],
        certificate_number=fields["certificate_number"],
    ).exists():
        raise InvalidInput(
            f"certificate {fields['certificate_number']} of {fields['company']} is recorded "
            "already for this client",
            field="certificate_number",
        )
    found = {
        public_id: (pk, status)
        for pk, public_id, status in Asset.objects.filter(
            organization=organization, public_id__in=wanted
        ).values_list("id", "public_id", "status")
    }
    missing = [p for p in wanted if p not in found]
    if missing:
        raise InvalidInput(
            f"not assets of {organization.name}: {', '.join(missing[:10])}", field="assets"
        )
    not_retired = [p for p in wanted if found[p][1] != Lifecycle.RETIRED]
    if not_retired:
        shown = ", ".join(f"{p} ({Lifecycle(found[p][1]).label.lower()})" for p in not_retired[:10])
        raise InvalidInput(f"only retired assets can be disposed of: {shown}", field="assets")
    now = clock.now()
    batch = DisposalBatch(
        organization=organization,
        certificate_filename=filename,
        certificate_content_type=content_type,
        certificate_size=size,
        certificate_sha256=sha256,
        created_by=actor,
        created_at=now,
        **fields,  # type: ignore[arg-type]
    )
    assert certificate is not None  # checked by _certificate
    certificate.seek(0)
    batch.certificate.save(filename, certificate, save=False)
    try:
        with transaction.atomic():
            batch.save()
    except IntegrityError as exc:  # the same certificate recorded meanwhile
        raise InvalidInput(
            "this certificate number is recorded already for this client",
            field="certificate_number",
        ) from exc
    ids = [found[p][0] for p in wanted]
    changed = Asset.objects.filter(
        pk__in=ids, organization=organization, status=Lifecycle.RETIRED, disposal_batch=None
    ).update(status=Lifecycle.DISPOSED, disposal_batch=batch, updated_at=now)
    if changed != len(ids):
        raise ChangedMeanwhile(
            "an asset of this batch changed meanwhile (it is no longer retired): nothing was "
            "disposed; choose the assets again",
            field="assets",
        )
    method_label = WipeMethod(batch.method).label
    body = (
        f"Handed over to {batch.company} on {batch.handed_over_on.isoformat()}: "
        f"{method_label}, certificate {batch.certificate_number}."
    )
    data = {
        "batch": batch.public_id,
        "company": batch.company,
        "certificate_number": batch.certificate_number,
        "method": batch.method,
        "handed_over_on": batch.handed_over_on.isoformat(),
        "certificate_sha256": sha256,
        "status": [Lifecycle.RETIRED.value, Lifecycle.DISPOSED.value],
    }
    AssetEvent.objects.bulk_create(
        [
            AssetEvent(
                asset_id=pk,
                kind=AssetEventKind.DISPOSED,
                actor=actor,
                created_at=now,
                body=body,
                data=data,
            )
            for pk in ids
        ],
        batch_size=1000,
    )
    audit.record(
        actor,
        audit.CREATED,
        "assets.disposalbatch",
        batch.public_id,
        label=f"{organization.name}: {batch} ({len(ids)} assets)",
        after={**data, "assets": len(ids), "certificate_filename": filename},
    )
    return batch
