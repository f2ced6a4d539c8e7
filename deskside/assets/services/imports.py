"""The CSV import of one client's assets (the plan is `deskside.assets.imports`).

`import_assets` checks the file and, unless it is a dry run, applies every row in ONE
transaction, and only when no row is in error: an import is all or nothing, so a file is never
half-imported. New assets are written with `bulk_create` in batches, updates with
`bulk_update`, and each asset gets one `imported` event on its own timeline (the values it was
created with, or `changes: {field: [before, after]}` as the asset services write them). One
audit entry names the import (who, which client, the counts).

Who may import: an agent who serves the client, or the system (`actor` None: the command line
without --as).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from typing import Any

from django.db import IntegrityError, transaction

from deskside.accounts.models import Organization, Site, User
from deskside.accounts.permissions import is_agent
from deskside.accounts.queries import serves
from deskside.assets import imports
from deskside.assets.exceptions import InvalidInput, InvalidTransition, NotAllowed
from deskside.assets.models import Asset, AssetEvent, AssetEventKind
from deskside.core import audit, clock

BATCH = 1000  # rows per INSERT / UPDATE statement
PROGRESS_EVERY = 1000


class RowErrors(InvalidInput):
    """422: the file has rows in error, so nothing was imported. `plan` holds every row with
    its action or error (the API answers them; the page shows them)."""

    def __init__(self, plan: imports.Plan) -> None:
        super().__init__(
            f"{plan.errors} row{'s' if plan.errors != 1 else ''} with errors: nothing was "
            "imported; fix them and send the file again",
            field="file",
        )
        self.plan = plan


class ChangedMeanwhile(InvalidTransition):
    """409: an asset of the file was changed (or a tag taken) by someone else between the check
    and the writing; nothing was imported."""


def shown(value: Any) -> Any:
    """A field's value as the asset timeline keeps it (the asset services' form: dates as ISO
    text, people and sites as `{"id": public id, "name": ...}`)."""
    if value is None or isinstance(value, str):  # most values: the fast way out
        return value
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, User):
        return {"id": value.public_id, "name": value.get_full_name()}
    if isinstance(value, Site):
        return {"id": value.public_id, "name": value.name}
    return value


def may_import(actor: User | None, organization: Organization) -> bool:
    """Agents who serve the client (and the system) import its assets."""
    if actor is None:
        return True
    return is_agent(actor) and serves(actor, organization.pk)


def import_assets(
    *,
    actor: User | None,
    organization: Organization,
    data: bytes,
    dry_run: bool = False,
    filename: str = "",
    progress: Callable[[int, int], None] | None = None,
) -> imports.Plan:
    """Check a CSV file of `organization`'s assets and, unless `dry_run`, import it.

    Returns the plan (every row with its action or error; `applied` once imported). Raises
    NotAllowed (403) for an actor who may not import for the client, InvalidInput (422) for the
    MSP itself as the client, BadFile (422) for a file that cannot be read, RowErrors (422)
    when applying a file with rows in error, ChangedMeanwhile (409) when an asset changed
    between the check and the writing. In every refusal nothing is written.
    `progress(done, total)` is called as rows are written (the command line shows it)."""
    if not may_import(actor, organization):
        raise NotAllowed("you do not serve this client", field="client")
    if organization.is_msp:
        raise InvalidInput("assets belong to a client, not to the MSP itself", field="client")
    with transaction.atomic():
        plan = imports.plan(organization, data)
        if dry_run:
            return plan
        if plan.errors:
            raise RowErrors(plan)
        _apply(actor, plan, filename, progress)
        plan.applied = True
        audit.record(
            actor,
            "imported",
            "assets.asset",
            organization.slug,
            label=(
                f"{organization.name}: {plan.created} created, {plan.updated} updated, "
                f"{plan.unchanged} unchanged{f' from {filename}' if filename else ''}"
            ),
            after={"created": plan.created, "updated": plan.updated, "file": filename},
        )
    return plan


def _apply(
    actor: User | None,
    plan: imports.Plan,
    filename: str,
    progress: Callable[[int, int], None] | None,
) -> None:
    now = clock.now()
    creates = [r for r in plan.rows if r.action == imports.CREATE]
    updates = [r for r in plan.rows if r.action == imports.UPDATE]
    total, done = len(creates) + len(updates), 0
    source = f"Imported from {filename}" if filename else "Imported from a CSV file"
    _lock_unchanged(updates)
    events: list[AssetEvent] = []
    for start in range(0, len(creates), BATCH):
        batch = creates[start : start + BATCH]
        assets = [
            Asset(organization=plan.organization, created_at=now, updated_at=now, **row.values)
            for row in batch
        ]
        try:
            with transaction.atomic():
                Asset.objects.bulk_create(assets)
        except IntegrityError as exc:  # a tag of the file was taken since the check
            raise ChangedMeanwhile(
                "an asset tag of this file was given to another asset meanwhile: nothing was "
                "imported; check the file again",
                field="file",
            ) from exc
        events += [
            AssetEvent(
                asset=asset,
                kind=AssetEventKind.IMPORTED,
                actor=actor,
                created_at=now,
                body=f"{source} (line {row.line}).",
                data={
                    "action": "created",
                    "line": row.line,
                    "values": {k: shown(v) for k, v in row.values.items()},
                },
            )
            for row, asset in zip(batch, assets, strict=True)
        ]
        done += len(batch)
        _tell(progress, done, total)
    for start in range(0, len(updates), BATCH):
        batch = updates[start : start + BATCH]
        for row in batch:
            asset = row.existing
            assert asset is not None  # an UPDATE row always names the asset it updates
            for name, value in row.values.items():
                setattr(asset, name, value)
            asset.updated_at = now
            events.append(
                AssetEvent(
                    asset=asset,
                    kind=AssetEventKind.IMPORTED,
                    actor=actor,
                    created_at=now,
                    body=f"{source} (line {row.line}).",
                    data={
                        "action": "updated",
                        "line": row.line,
                        "changes": {
                            k: [shown(row.before.get(k)), shown(v)] for k, v in row.values.items()
                        },
                    },
                )
            )
        try:
            with transaction.atomic():
                _write_updates(batch, now)
        except IntegrityError as exc:
            raise ChangedMeanwhile(
                "an asset tag of this file was given to another asset meanwhile: nothing was "
                "imported; check the file again",
                field="file",
            ) from exc
        done += len(batch)
        _tell(progress, done, total)
    AssetEvent.objects.bulk_create(events, batch_size=BATCH)


def _write_updates(rows: list[imports.Row], now: datetime) -> None:
    """Write the rows' changes with few statements: rows that make the same change (a new
    status, a new site: most of a re-imported file) share one UPDATE ... WHERE id IN (...);
    the others go through `bulk_update` of just their changed fields, in small batches
    (Django's CASE WHEN grows with the batch on every field)."""
    same: dict[tuple[tuple[str, Any], ...], list[imports.Row]] = {}
    for row in rows:
        key = tuple(sorted((k, getattr(v, "pk", v)) for k, v in row.values.items()))
        same.setdefault(key, []).append(row)
    alone: dict[tuple[str, ...], list[Asset]] = {}
    for key, group in same.items():
        if len(group) == 1:
            alone.setdefault(tuple(name for name, _ in key), []).append(group[0].existing)
            continue
        values = group[0].values
        ids = [r.existing.pk for r in group if r.existing is not None]
        for start in range(0, len(ids), imports.CHUNK):
            Asset.objects.filter(pk__in=ids[start : start + imports.CHUNK]).update(
                **values, updated_at=now
            )
    for fields, assets in alone.items():
        Asset.objects.bulk_update(assets, [*fields, "updated_at"], batch_size=100)


def _lock_unchanged(updates: list[imports.Row]) -> None:
    """Lock the assets to update and check that none changed since the plan read them: not
    its status (a disposal meanwhile would otherwise be overwritten: bulk_update skips
    `Asset.save`'s guard) nor anything else (an agent's edit of its name or site would be
    silently overwritten with the file's values): the `updated_at` the plan read must still
    be the asset's, as every asset service moves it. SELECT ... FOR UPDATE on PostgreSQL;
    SQLite's write lock is the transaction's."""
    expected = {
        row.existing.pk: (row.existing.status, row.existing.updated_at)
        for row in updates
        if row.existing
    }
    ids = sorted(expected)
    for start in range(0, len(ids), imports.CHUNK):
        chunk = ids[start : start + imports.CHUNK]
        current = (
            Asset.objects.select_for_update()
            .filter(pk__in=chunk)
            .values_list("id", "status", "updated_at")
        )
        for pk, status, updated_at in current.order_by():
            if (status, updated_at) != expected[pk]:
                raise ChangedMeanwhile(
                    "an asset of this file was changed by someone else meanwhile: nothing was "
                    "imported; check the file again",
                    field="file",
                )


def _tell(progress: Callable[[int, int], None] | None, done: int, total: int) -> None:
    if progress is not None and (done % PROGRESS_EVERY == 0 or done == total):
        progress(done, total)
