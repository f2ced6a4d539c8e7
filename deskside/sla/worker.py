"""The SLA worker: fires warnings and breaches when they fall due.

`tick()` is one pass; `deskside worker` runs it (`sla_pass`) every `interval` seconds
through the process runner, deskside.core.worker. A pass reads the due tickets by the indexed column
(`Ticket.objects.filter(sla_check_at__lte=now)`, ordered by (sla_check_at, id), in batches)
and, per batch and in one transaction:

1. decides per ticket what fires (`sla.engine.due_now`: the warning at the contract's share
   of the target, the breach at the due time, each at most once, a breach alone when a stopped
   worker catches up) and the ticket's next `sla_check_at`;
2. claims the tickets with a conditional UPDATE on (pk, sla_check_at, sla_fired) as read,
   setting the new bits and next check;
3. writes an SLA_WARNING / SLA_BREACH event (internal) for each firing of a claimed ticket,
   queues the mails to the assignee and the team lead for after the commit (`sla.notify`),
   then applies the contract's breach rule through the ticket services (`sla.breach`: raise
   the tier one step, or hand the ticket to the breach team, as an escalation with triage
   notes built from the breach and the ticket's own text).

No double action, with any number of workers on any database: a ticket is acted on only by the
worker whose UPDATE matched its row with the values that worker read. The first claim changes
`sla_check_at` or `sla_fired` (every claim sets the fired bits or moves the check), so a second
worker that read the same row matches nothing. The claim of a whole batch is one UPDATE whose
WHERE lists each row's (pk, sla_check_at, sla_fired) and that returns the rows it changed
(`core.bulk.claim_many`): exactly the rows that still held what was read are ours. The
events are written in the claim's transaction: a claim never commits without its events, nor
the events without the claim.
PostgreSQL serialises the competing UPDATEs by row lock and re-checks the WHERE on the row a
committed competitor left; SQLite runs one writing transaction at a time (IMMEDIATE).
"""

import logging
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.db import transaction
from django.db.models import Q, QuerySet

from deskside.core import bulk, clock
from deskside.sla import breach, notify
from deskside.sla.engine import Decision, TermsBook, due_now
from deskside.sla.models import Contract
from deskside.tickets.models import EventKind, Ticket, TicketEvent, format_number
from deskside.tickets.timeline import events_written

log = logging.getLogger(__name__)

BATCH_SIZE = 500

# What a pass reads of each due ticket: what the decision, the claim, the events, the breach
# rules and the mails need, nothing more.
FIELDS = (
    "id",
    "organization_id",
    "subject",
    "priority",
    "status",
    "tier",
    "team_id",
    "assignee_id",
    "first_response_due",
    "first_responded_at",
    "next_response_due",
    "resolution_due",
    "sla_paused_at",
    "sla_check_at",
    "sla_fired",
)


@dataclass(slots=True)
class DueTicket:
    """A due ticket as the worker reads it: the FIELDS of its row, without building a model
    instance (which cost more than the rest of the pass together)."""

    id: int
    organization_id: int
    subject: str
    priority: int
    status: str
    tier: str
    team_id: int | None
    assignee_id: int | None
    first_response_due: datetime | None
    first_responded_at: datetime | None
    next_response_due: datetime | None
    resolution_due: datetime | None
    sla_paused_at: datetime | None
    sla_check_at: datetime
    sla_fired: int

    @property
    def pk(self) -> int:
        return self.id

    @property
    def number(self) -> str:
        return format_number(self.id)


@dataclass
class TickResult:
    """What one pass did."""

    due: int = 0  # tickets read as due
    claimed: int = 0  # claimed by this pass (acted on)
    lost: int = 0  # changed by someone else between the read and the claim: left alone
    warnings: int = 0
    breaches: int = 0
    raised: int = 0  # tickets raised one tier by a breach rule
    reassigned: int = 0  # tickets handed to a breach team
    refused: int = 0  # breach rules the ticket services refused (written on the timeline)
    mails: int = 0
    batches: int = 0
    fallbacks: int = 0  # batches of which a competitor took some rows (partial batch claims)
    seconds: float = 0.0
    now: datetime | None = field(default=None, repr=False)

    def line(self) -> str:
        return (
            f"sla pass: {self.due} due, {self.claimed} claimed, {self.lost} lost, "
            f"{self.warnings} warnings, {self.breaches} breaches, {self.raised} raised, "
            f"{self.reassigned} reassigned, {self.mails} mails in {self.seconds:.3f}s"
        )


def _due_batches(now: datetime, size: int) -> Iterator[list[DueTicket]]:
    """The due tickets in batches, ordered by (sla_check_at, id). Keyset paging: a row left
    due (lost to a competitor) is not read twice in one pass."""
    after: tuple[datetime, int] | None = None
    while True:
        qs = Ticket.objects.filter(sla_check_at__lte=now)
        if after is not None:
            qs = qs.filter(sla_check_at__gte=after[0]).filter(
                Q(sla_check_at__gt=after[0]) | Q(id__gt=after[1])
            )
        rows = _fetch(qs.order_by("sla_check_at", "id")[:size])
        if not rows:
            return
        yield rows
        after = (rows[-1].sla_check_at, rows[-1].id)
        if len(rows) < size:
            return


def _fetch(qs: "QuerySet[Ticket]") -> list[DueTicket]:
    """The rows of `qs` as DueTickets, without building model instances."""
    return [DueTicket(*row) for row in bulk.fetch_values(qs, FIELDS)]


def _claim(pairs: list[tuple[DueTicket, Decision]], result: TickResult) -> set[int]:
    """Claim the tickets (see the module docstring); returns the ids that are now ours.
    Must run inside the batch's transaction."""
    mine = bulk.claim_many(
        Ticket,
        [(t.id, t.sla_check_at, t.sla_fired, d.bits, d.check_at) for t, d in pairs],
        expect=("sla_check_at", "sla_fired"),
        assign=("sla_fired", "sla_check_at"),
    )
    if len(mine) < len(pairs):
        result.fallbacks += 1
    return mine


EVENT_COLUMNS = ("ticket", "kind", "created_at", "is_public", "body", "data")


def _insert_events(rows: list[tuple[Any, ...]]) -> None:
    """Append timeline events: (ticket id, kind, created_at, body, data). Always internal,
    never by a user. A multi-row INSERT (core.bulk) instead of bulk_create, which spent more
    on preparing each field than the database on storing the row."""
    bulk.insert_many(
        TicketEvent,
        EVENT_COLUMNS,
        [(ticket_id, kind, at, False, body, data) for ticket_id, kind, at, body, data in rows],
    )


FIRED_KINDS = (EventKind.SLA_WARNING, EventKind.SLA_BREACH)


def _written(rows: list[tuple[Any, ...]]) -> Iterator[TicketEvent]:
    """The rows `_insert_events` wrote, for the tickets' event hook: unsaved events (the raw
    INSERT returns no ids) with their tickets loaded in one query. Built only when a handler
    wants SLA events: today webhooks (`ticket.sla_warning`, `ticket.sla_breached`), when one
    subscribes. Mail and paging do not hear them: `notify` above mails the assignee and the
    team lead itself (once), and a breach pages only through its contract's rule."""
    tickets = Ticket.objects.select_related("organization", "site", "team", "assignee").in_bulk(
        {r[0] for r in rows}
    )
    for ticket_id, kind, created_at, body, data in rows:
        event = TicketEvent(
            ticket=tickets[ticket_id], kind=kind, created_at=created_at, body=body, data=data
        )
        yield event


def _process(rows: list[DueTicket], book: TermsBook, now: datetime, result: TickResult) -> None:
    pairs = [(t, due_now(t, book.get(t.organization_id, t.priority), now)) for t in rows]
    # Every row is claimed, also those with nothing to fire (a stale check, a paused ticket):
    # their check moves on (or to None), so they stop coming back.
    events: list[tuple[Any, ...]] = []
    alerts: list[notify.Alert] = []
    breaches: list[breach.Breach] = []
    with transaction.atomic():
        mine = _claim(pairs, result)
        result.claimed += len(mine)
        result.lost += len(pairs) - len(mine)
        stamp = clock.now()
        for ticket, decision in pairs:
            if ticket.id not in mine or not decision.fired:
                continue
            for firing in decision.fired:
                due = firing.clock.due.isoformat()
                what = notify.LABELS[firing.clock.kind]
                body = f"SLA {what} {'breached' if firing.breach else 'due soon'} (due {due})"
                data = {
                    "kind": firing.clock.kind,
                    "due": due,
                    "target_minutes": firing.target_minutes,
                }
                events.append((ticket.id, firing.event_kind, stamp, body, data))
                alerts.append(notify.Alert(ticket, firing.clock.kind, firing.breach, due))
                if firing.breach:
                    result.breaches += 1
                else:
                    result.warnings += 1
            fired = [f for f in decision.fired if f.breach]
            terms = book.get(ticket.organization_id, ticket.priority)
            if fired and terms is not None and terms.contract.on_breach != Contract.OnBreach.NOTIFY:
                breaches.append(breach.Breach(ticket.id, fired, terms))
        if alerts:
            # Mail goes to whoever held the ticket when it fired, before a breach rule moves it.
            result.mails += notify.queue(alerts, notify.Recipients(a.ticket for a in alerts))
        # The breach events first, then the rules' escalations after them on the timeline.
        _insert_events(events)
        events_written(_written(events), kinds=FIRED_KINDS)
        for one in breaches:
            _count(breach.apply(one, stamp), result)


def _count(outcome: breach.Outcome, result: TickResult) -> None:
    if outcome.action == "raised":
        result.raised += 1
    elif outcome.action == "reassigned":
        result.reassigned += 1
    elif outcome.action == "refused":
        result.refused += 1


def tick(now: datetime | None = None, *, batch_size: int = BATCH_SIZE) -> TickResult:
    """One pass over every ticket whose `sla_check_at` has come (see the module docstring).

    Safe to run in any number of processes at once: each warning and breach is acted on
    exactly once. Each batch is its own transaction, so a long catch-up never holds the
    database's write lock for long.
    """
    started = time.perf_counter()
    now = now or clock.now()
    result = TickResult(now=now)
    book = TermsBook()
    for rows in _due_batches(now, batch_size):
        result.batches += 1
        result.due += len(rows)
        _process(rows, book, now, result)
    result.seconds = time.perf_counter() - started
    return result


def sla_pass() -> TickResult:
    """The SLA pass of `deskside worker` (deskside.core.worker runs it every interval): one
    `tick()`, logged as one line."""
    result = tick()
    log.info(result.line())
    return result
