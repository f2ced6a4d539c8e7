"""Recomputing the due times of open tickets after a set-up change, in short transactions.

A change to what a client's tickets count against (a contract's targets, calendar, warning
share or client; a calendar's definition) is stored with a `Retiming` row in its own
transaction (`plan`). The open tickets concerned are then recomputed in slices (`run`): each
slice is a transaction of its own that locks the next tickets in id order after the row's
`cursor`, recomputes them with the installed clock's `retargeted`, writes the moved ones and an
internal SLA event on each, and advances the cursor, stopping after `SLICE_SECONDS` of work,
then leaves the database to other writers for `PAUSE_SECONDS`. On SQLite a transaction holds
the whole database's write lock (IMMEDIATE transactions), so a slice is what every ticket write
may wait behind: well under a second, not the minutes a contract over tens of thousands of
open tickets took in one transaction (bench/results/retime.md).

Who works on a retiming holds its lease (`lease_until`): the request that made the change,
for up to `REQUEST_BUDGET_SECONDS` (a small client's change finishes there, and the page says
how many tickets moved), then `deskside worker` (`resume`, in the SLA lane) for what is left,
or for a retiming whose request ended early (a killed process: the lease runs out). Each slice
advances the cursor only from the value it started from (a conditional UPDATE), so two workers
that both believe they hold the lease never recompute the same slice twice: exactly once per
ticket and change. The progress (done of total) is shown on the contract's and the calendar's
page and in the API's answer.

Until its slice comes, a ticket keeps its old due times; any ticket service that touches it
meanwhile recomputes it with the new terms, and the SLA pass reads the terms afresh.
"""

import logging
import time
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.db import transaction
from django.db.models import F, Q, QuerySet

from deskside.accounts.models import User
from deskside.core import clock
from deskside.sla.engine import CLOCK_FIELDS
from deskside.sla.models import Calendar, Contract, Retiming
from deskside.tickets import deadlines
from deskside.tickets.models import OPEN_STATUSES, EventKind, Ticket, TicketEvent
from deskside.tickets.timeline import events_written

log = logging.getLogger(__name__)

SLICE_SECONDS = 0.3
"""Work per transaction: about how long one slice holds the write lock (plus its reads and
writes of the rows it changed)."""
PAUSE_SECONDS = 0.1
"""Between two slices. SQLite's busy handler polls for the lock (every 100 ms at most); a
runner that took the lock again at once would starve every other writer until it finished
(measured: notes added meanwhile failed with "database is locked" after 10 s)."""
MAX_SLICE_ROWS = 500
MIN_SLICE_ROWS = 20
REQUEST_BUDGET_SECONDS = 5.0
"""How long the request that made a change works on its retiming before leaving the rest to
`deskside worker`."""
WORKER_BUDGET_SECONDS = 10.0
LEASE = timedelta(seconds=60)
RETIMED_FIELDS = ("first_response_due", "next_response_due", "resolution_due")


@dataclass(frozen=True)
class Client:
    """Whose tickets a contract's terms apply to: its client's, or with `default` those of
    every client without a contract of its own (as `terms_for` chooses)."""

    organization_id: int | None
    default: bool = False

    @classmethod
    def of(cls, contract: Contract) -> "Client":
        return cls(contract.organization_id, contract.is_default)


def plan(
    *,
    actor: User | None,
    reason: str,
    clients: Iterable[Client],
    priorities: set[int] | None = None,
    contract: Contract | None = None,
    calendar: Calendar | None = None,
) -> Retiming | None:
    """Record that the open tickets of `clients` (of `priorities` only, if given) need their
    due times recomputed; called inside the set-up change's transaction, so the change and
    its retiming are stored together or not at all. The caller holds the lease. None when no
    open ticket is concerned."""
    clients = list(clients)
    scope = {
        "clients": sorted({c.organization_id for c in clients if c.organization_id is not None}),
        "default": any(c.default for c in clients),
        "priorities": sorted(priorities) if priorities is not None else None,
    }
    total = _open(scope).count()
    if not total:  # tickets opened from now on are timed with the new terms
        return None
    now = clock.now()
    return Retiming.objects.create(
        reason=reason[:300],
        actor=actor,
        contract=contract,
        calendar=calendar,
        scope=scope,
        total=total,
        created_at=now,
        lease_until=now + LEASE,
    )


def _open(scope: dict[str, Any]) -> "QuerySet[Ticket]":
    where = Q(organization_id__in=scope["clients"])
    if scope["default"]:
        where |= Q(organization__contract__isnull=True)
    if scope["priorities"] is not None:
        where &= Q(priority__in=scope["priorities"])
    return Ticket.objects.filter(where, status__in=OPEN_STATUSES)


def run(retiming: Retiming, *, budget: float | None) -> int:
    """Work on `retiming` in slices until it is finished or `budget` seconds have passed (None:
    until finished). Returns how many tickets' due times this call moved."""
    started = time.monotonic()
    moved = 0
    while budget is None or time.monotonic() - started < budget:
        step = _slice(retiming)
        if step is None:
            return moved
        moved += step
        if retiming.finished:
            return moved
        time.sleep(PAUSE_SECONDS)
    # Out of time: let the next worker pass take it at once rather than when the lease ends.
    Retiming.objects.filter(pk=retiming.pk, cursor=retiming.cursor).update(lease_until=None)
    retiming.lease_until = None
    return moved


def _slice(retiming: Retiming) -> int | None:
    """One transaction of work. None when there is nothing left (the retiming is finished) or
    someone else advanced it first."""
    engine = deadlines.engine()
    with transaction.atomic():
        started = time.monotonic()
        now = clock.now()
        # Locked like every ticket service locks (SELECT ... FOR UPDATE on PostgreSQL): a
        # service changing a ticket meanwhile waits instead of being overwritten.
        # As many rows as the last slice had time for, and some: not 500 rows read and
        # locked for the 30 a slice gets through with a slow calendar.
        rows = getattr(retiming, "_rows", MAX_SLICE_ROWS)
        batch = list(
            _open(retiming.scope)
            .filter(pk__gt=retiming.cursor)
            .order_by("pk")
            .select_for_update(of=("self",))[:rows]
        )
        if not batch:
            _finish(retiming, now)
            return None
        to_save: list[Ticket] = []
        fields: set[str] = set()
        events: list[TicketEvent] = []
        cursor = retiming.cursor
        for ticket in batch:
            if time.monotonic() - started >= SLICE_SECONDS and cursor != retiming.cursor:
                break
            cursor = ticket.pk
            before = {f: getattr(ticket, f) for f in CLOCK_FIELDS}
            returned = engine.retargeted(ticket)
            if all(getattr(ticket, f) == before[f] for f in returned):
                continue
            deadlines.keep_earliest_due(ticket)
            to_save.append(ticket)
            fields.update([*returned, "sla_due"])
            moved = {
                f: [_iso(before[f]), _iso(getattr(ticket, f))]
                for f in RETIMED_FIELDS
                if getattr(ticket, f) != before[f]
            }
            if moved:
                events.append(
                    TicketEvent(
                        ticket=ticket,
                        kind=EventKind.SLA,
                        actor=retiming.actor,
                        created_at=now,
                        body=f"Due times recomputed: {retiming.reason}.",
                        data={"reason": retiming.reason, "changes": moved},
                    )
                )
        done = sum(1 for ticket in batch if ticket.pk <= cursor)
        retiming._rows = max(MIN_SLICE_ROWS, min(MAX_SLICE_ROWS, done * 3 // 2))  # type: ignore[attr-defined]
        # Every row read was done and there were fewer than asked for: this was the last
        # slice, finished here rather than by one more transaction (and pause) finding nothing.
        last = done == len(batch) < rows
        advanced = Retiming.objects.filter(pk=retiming.pk, cursor=retiming.cursor).update(
            cursor=cursor,
            done=F("total") if last else F("done") + done,
            moved=F("moved") + len(events),
            lease_until=None if last else now + LEASE,
            finished_at=now if last else None,
        )
        if not advanced:  # another worker did this slice: leave it to them
            transaction.set_rollback(True)
            return None
        if to_save:
            Ticket.objects.bulk_update(to_save, sorted(fields))
        if events:
            TicketEvent.objects.bulk_create(events)
            events_written(events, kinds=(EventKind.SLA,))
    retiming.cursor = cursor
    retiming.done = retiming.total if last else retiming.done + done
    retiming.moved += len(events)
    if last:
        retiming.finished_at, retiming.lease_until = now, None
    return len(events)


def _finish(retiming: Retiming, now: datetime) -> None:
    finished = Retiming.objects.filter(
        pk=retiming.pk, cursor=retiming.cursor, finished_at__isnull=True
    ).update(finished_at=now, lease_until=None, done=F("total"))
    if finished:
        retiming.finished_at = now
        retiming.done = retiming.total


def resume(now: datetime | None = None, *, budget: float = WORKER_BUDGET_SECONDS) -> int:
    """The worker's share: take the lease of each unfinished retiming nobody works on (its
    lease ran out) and work on it for up to `budget` seconds in all. Returns the tickets moved."""
    now = now or clock.now()
    started = time.monotonic()
    moved = 0
    waiting = Retiming.objects.filter(finished_at__isnull=True).filter(
        Q(lease_until__isnull=True) | Q(lease_until__lte=now)
    )
    for retiming in waiting.order_by("pk")[:20]:
        left = budget - (time.monotonic() - started)
        if left <= 0:
            break
        taken = Retiming.objects.filter(
            pk=retiming.pk, finished_at__isnull=True, lease_until=retiming.lease_until
        ).update(lease_until=now + LEASE)
        if not taken:
            continue
        log.info("retiming %s: resuming at ticket %d", retiming.public_id, retiming.cursor)
        moved += run(retiming, budget=left)
    return moved


def pending_for(
    *, contract: Contract | None = None, calendar: Calendar | None = None
) -> list[Retiming]:
    """The unfinished retimings of a contract or calendar, oldest first (for its page)."""
    qs = Retiming.objects.filter(finished_at__isnull=True)
    qs = qs.filter(contract=contract) if contract is not None else qs.filter(calendar=calendar)
    return list(qs.order_by("pk"))


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None
