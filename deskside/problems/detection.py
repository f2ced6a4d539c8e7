"""The recurring-issue pass: read the window's tickets, cluster them (`clustering`), drop
clusters an agent dismissed and clusters already wholly linked to a problem, and replace the
stored clusters with the new ones in one transaction (a reader sees the last pass or this
one, never half of each).

Run by the worker (`worker.problems_pass`, every EVERY, claimed with a conditional UPDATE so
that one worker of many runs it), by `deskside problems detect` and by an administrator's
button (`detect(actor=...)`). The settings (window, minimum size, threshold) are the one
`DetectionState` row's, changed by `configure` (audited); a call may override them.
"""

import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import transaction
from django.db.models.functions import Substr

from deskside.accounts.models import User
from deskside.accounts.permissions import is_admin
from deskside.core import audit, clock
from deskside.problems import clustering
from deskside.problems.exceptions import InvalidInput, NotAllowed
from deskside.problems.models import (
    Cluster,
    ClusterTicket,
    DetectionState,
    Dismissal,
    ProblemTicket,
)
from deskside.tickets.models import Ticket

EVERY = timedelta(minutes=15)
LIMITS = {"window_days": (1, 90), "min_size": (2, 100), "threshold": (0.05, 0.95)}
SETTINGS = tuple(LIMITS)
CHUNK = 5000


@dataclass(frozen=True)
class Outcome:
    tickets: int
    clusters: int
    dismissed: int
    seconds: float


def state() -> DetectionState:
    found, _ = DetectionState.objects.get_or_create(pk=1)
    return found


def _checked(name: str, value: float | int | None) -> float | int | None:
    if value is None:
        return None
    low, high = LIMITS[name]
    if isinstance(value, bool) or not isinstance(value, int | float) or not low <= value <= high:
        raise InvalidInput(f"{name} must be from {low} to {high}", field=name)
    if name != "threshold" and not float(value).is_integer():
        raise InvalidInput(f"{name} must be a whole number", field=name)
    return value if name == "threshold" else int(value)


@transaction.atomic
def configure(*, actor: User, **values: float | int) -> DetectionState:
    """Change the pass's settings (administrators; audited). Raises NotAllowed, InvalidInput."""
    if not is_admin(actor):
        raise NotAllowed("only administrators change the recurring-issue detection")
    if extra := set(values) - set(SETTINGS):
        raise InvalidInput(f"unknown setting {sorted(extra)[0]}", field=sorted(extra)[0])
    row = DetectionState.objects.select_for_update().get(pk=state().pk)
    before = audit.snapshot(row, SETTINGS)
    for name, value in values.items():
        checked = _checked(name, value)
        if checked is not None:
            setattr(row, name, checked)
    row.save(update_fields=list(SETTINGS))
    audit.record_update(
        actor,
        "problems.detection",
        "settings",
        label="Recurring-issue detection",
        before=before,
        after=audit.snapshot(row, SETTINGS),
    )
    return row


def claim(now: datetime) -> bool:
    """Whether this caller won the pass due at `now` (one conditional UPDATE: of several
    workers, one wins); the next is due EVERY later."""
    state()
    return bool(
        DetectionState.objects.filter(pk=1, next_run_at__lte=now).update(
            next_run_at=now + EVERY, running_since=now
        )
    )


def _docs(since: datetime, until: datetime) -> tuple[list[clustering.Doc], dict[int, datetime]]:
    rows = (
        Ticket.objects.filter(created_at__gte=since, created_at__lte=until, merged_into=None)
        .order_by()
        .values_list(
            "id",
            "organization_id",
            "site_id",
            "type",
            "subject",
            Substr("description", 1, clustering.DESCRIPTION_CHARS),
            "created_at",
        )
        .iterator(chunk_size=CHUNK)
    )
    docs, created = [], {}
    for pk, org, site, kind, subject, description, at in rows:
        docs.append(clustering.Doc(pk, (org, site, kind), subject, description or ""))
        created[pk] = at
    return docs, created


def _hidden(found: list[clustering.Found]) -> set[int]:
    """Indexes of clusters not to show: dismissed with these tickets (or more), or already
    linked to problems ticket for ticket."""
    orgs = {f.scope[0] for f in found}
    dismissed: dict[int, list[set[int]]] = {}
    for org, ids in Dismissal.objects.filter(organization_id__in=orgs).values_list(
        "organization_id", "ticket_ids"
    ):
        dismissed.setdefault(org, []).append(set(ids))
    members = {pk for f in found for pk in f.ids}
    linked = set(
        ProblemTicket.objects.filter(ticket_id__in=members).values_list("ticket_id", flat=True)
    )
    hidden = set()
    for index, f in enumerate(found):
        ids = set(f.ids)
        if ids <= linked or any(ids <= gone for gone in dismissed.get(f.scope[0], ())):
            hidden.add(index)
    return hidden


def detect(
    *,
    actor: User | None = None,
    window_days: int | None = None,
    min_size: int | None = None,
    threshold: float | None = None,
    now: datetime | None = None,
    progress: Callable[[str, int, int], None] | None = None,
) -> Outcome:
    """One pass: cluster the tickets created in the last `window_days` and store the clusters
    in place of the last pass's. `actor` None is the system (worker, command line); a person
    must be an administrator (NotAllowed). Raises InvalidInput for a setting out of range."""
    if actor is not None and not is_admin(actor):
        raise NotAllowed("only administrators run the recurring-issue detection")
    started = time.perf_counter()
    now = now or clock.now()
    row = state()
    window = _checked("window_days", window_days) or row.window_days
    size = _checked("min_size", min_size) or row.min_size
    cut = _checked("threshold", threshold) or row.threshold
    docs, created = _docs(now - timedelta(days=window), now)
    if progress is not None:
        progress("read", len(docs), len(docs))
    found = clustering.find_clusters(
        docs,
        threshold=cut,
        min_size=size,
        progress=(lambda done, total: progress("clustered", done, total)) if progress else None,
    )
    hidden = _hidden(found)
    kept = [f for i, f in enumerate(found) if i not in hidden]
    with transaction.atomic():
        ClusterTicket.objects.all().delete()
        Cluster.objects.all().delete()
        clusters = Cluster.objects.bulk_create(
            [
                Cluster(
                    organization_id=f.scope[0],
                    site_id=f.scope[1],
                    ticket_type=f.scope[2],
                    label=f.label,
                    terms=list(f.terms),
                    size=len(f.ids),
                    cohesion=round(f.cohesion, 4),
                    first_at=min(created[pk] for pk in f.ids),
                    last_at=max(created[pk] for pk in f.ids),
                    window_days=window,
                    detected_at=now,
                )
                for f in kept
            ]
        )
        ClusterTicket.objects.bulk_create(
            [
                ClusterTicket(cluster=cluster, ticket_id=pk, rank=rank)
                for cluster, f in zip(clusters, kept, strict=True)
                for rank, pk in enumerate(f.ids)
            ],
            batch_size=1000,
        )
        seconds = time.perf_counter() - started
        DetectionState.objects.filter(pk=row.pk).update(
            running_since=None,
            last_finished_at=now,
            last_tickets=len(docs),
            last_clusters=len(kept),
            last_seconds=round(seconds, 3),
        )
    return Outcome(len(docs), len(kept), len(hidden), seconds)
