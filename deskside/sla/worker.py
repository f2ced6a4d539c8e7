"""The SLA worker: fires warnings and breaches when they fall due.

`tick()` is one pass; `run()` repeats it every `interval` seconds until SIGTERM or SIGINT
(`deskside worker`). A pass reads the due tickets by the indexed column
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
WHERE lists each row's (pk, sla_check_at, sla_fired); when it matches every row the batch is
ours. When it matches fewer (another worker or a ticket service changed a row since the read),
the batch UPDATE is rolled back to its savepoint and the rows are claimed one UPDATE each, so
exactly the rows that still match are ours. The events are written in the claim's
transaction: a claim never commits without its events, nor the events without the claim.
PostgreSQL serialises the competing UPDATEs by row lock and re-checks the WHERE on the row a
committed competitor left; SQLite runs one writing transaction at a time (IMMEDIATE).
"""

import json
import logging
import os
import signal
import sqlite3
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from types import FrameType
from typing import Any

from django.db import close_old_connections, connection, transaction
from django.db.models import Q, QuerySet

from deskside.core import clock
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
    fallbacks: int = 0  # batches claimed one row at a time after a partial batch claim
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


_DATETIME_INDEXES = [i for i, name in enumerate(FIELDS) if name.endswith(("_due", "_at"))]


def _sqlite_moment(value: datetime | None) -> str | None:
    """What Django's SQLite backend stores for an aware datetime (naive UTC, str()), without
    its per-call settings look-ups: this runs three times per due ticket."""
    return None if value is None else str(value.astimezone(UTC).replace(tzinfo=None))


def _sqlite_read(value: datetime | str | None) -> datetime | None:
    """A datetime column as Django's SQLite connection returns it to a cursor (naive UTC,
    parsed by its registered converter) made aware, as the ORM would."""
    if value is None:
        return None
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value.replace(tzinfo=UTC)


def _adapter() -> Callable[[datetime | None], object]:
    if connection.vendor == "sqlite":
        return _sqlite_moment
    return connection.ops.adapt_datetimefield_value


def _fetch(qs: "QuerySet[Ticket]") -> list[DueTicket]:
    """The rows of `qs` as DueTickets: the ORM's query, run on a cursor, because the ORM's
    per-value converters on SQLite (six datetimes a row) cost more than the query."""
    sql, params = qs.values_list(*FIELDS).query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        raw = cursor.fetchall()
    if connection.vendor != "sqlite":
        return [DueTicket(*row) for row in raw]
    rows = []
    for values in raw:
        row = list(values)
        for i in _DATETIME_INDEXES:
            row[i] = _sqlite_read(row[i])
        rows.append(DueTicket(*row))
    return rows


def _claim_one(ticket: DueTicket, decision: Decision) -> bool:
    return bool(
        Ticket.objects.filter(
            pk=ticket.id, sla_check_at=ticket.sla_check_at, sla_fired=ticket.sla_fired
        ).update(sla_fired=decision.bits, sla_check_at=decision.check_at)
    )


class _Partial(Exception):
    """The batch UPDATE matched fewer rows than it named: undo it, claim row by row."""


def _claim_batch(pairs: list[tuple[DueTicket, Decision]]) -> int:
    """One conditional UPDATE for the whole batch; returns how many rows it matched.

    The batch's rows, as read and as they become, are a VALUES list joined to the table on the
    primary key; a row is updated only where its sla_check_at and sla_fired still hold what was
    read. Written as SQL because the ORM has no UPDATE ... FROM and its CASE WHEN form of a
    per-row update cost about 1 ms per ticket (the whole budget of a pass); this is SQL that
    SQLite (3.33 and later) runs. On PostgreSQL the same join takes five arrays (unnest), one
    parameter per column instead of five per row: psycopg parses a query's placeholders in
    Python and caches only short queries, and 2,500 placeholders cost more than the UPDATE.
    """
    table = connection.ops.quote_name(Ticket._meta.db_table)
    if connection.vendor == "postgresql":
        sql = (
            f"UPDATE {table} SET sla_fired = v.new_bits, sla_check_at = v.new_check "  # noqa: S608
            "FROM unnest(%b::bigint[], %b::timestamptz[], %b::integer[], %b::integer[], "
            "%b::timestamptz[]) AS v(id, old_check, old_bits, new_bits, new_check) "
            f"WHERE {table}.id = v.id AND {table}.sla_check_at = v.old_check "
            f"AND {table}.sla_fired = v.old_bits"
        )
        columns = [
            [t.id for t, _ in pairs],
            [t.sla_check_at for t, _ in pairs],
            [t.sla_fired for t, _ in pairs],
            [d.bits for _, d in pairs],
            [d.check_at for _, d in pairs],
        ]
        return _execute_bound(sql, columns)
    adapt = _adapter()
    args: list[object] = []
    for ticket, decision in pairs:
        args += [
            ticket.id,
            adapt(ticket.sla_check_at),
            ticket.sla_fired,
            decision.bits,
            adapt(decision.check_at),
        ]
    # VALUES columns are column1..column5: (id, old check, old bits, new bits, new check).
    # Not a WITH clause: Python's sqlite3 reports no rowcount for a statement that does not
    # begin with UPDATE.
    values = ", ".join(["(%s, %s, %s, %s, %s)"] * len(pairs))
    sql = (
        f"UPDATE {table} SET sla_fired = v.column4, sla_check_at = v.column5 "  # noqa: S608
        f"FROM (VALUES {values}) AS v "
        f"WHERE {table}.id = v.column1 AND {table}.sla_check_at = v.column2 "
        f"AND {table}.sla_fired = v.column3"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, args)
        return cursor.rowcount


def _execute_bound(sql: str, params: list[object]) -> int:
    """Run `sql` on a psycopg cursor that sends the parameters apart from the query
    (server-side binding; %b placeholders send arrays in binary) instead of Django's
    client-side cursor, which quotes each array element into the SQL text in Python (0.6 s of
    a 10,000-ticket pass). For the statements of the pass that carry whole columns as arrays,
    inside Django's transaction; logged in `connection.queries` like any query when Django
    logs them.
    Returns the row count."""
    import psycopg  # noqa: PLC0415 - PostgreSQL only

    connection.ensure_connection()
    started = time.monotonic()
    with psycopg.Cursor(connection.connection) as cursor:
        cursor.execute(sql, params)
        count = cursor.rowcount
    if connection.queries_logged:
        took = time.monotonic() - started
        connection.queries_log.append({"sql": sql, "time": f"{took:.3f}"})
    return count


def _batch_claims() -> bool:
    """Whether this database runs `_claim_batch` (UPDATE ... FROM: SQLite 3.33+)."""
    if connection.vendor == "sqlite":
        return sqlite3.sqlite_version_info >= (3, 33)
    return connection.vendor == "postgresql"


def _claim(pairs: list[tuple[DueTicket, Decision]], result: TickResult) -> set[int]:
    """Claim the tickets (see the module docstring); returns the ids that are now ours.
    Must run inside the batch's transaction."""
    if len(pairs) == 1 or not _batch_claims():
        return {t.id for t, d in pairs if _claim_one(t, d)}
    try:
        with transaction.atomic():  # a savepoint
            if _claim_batch(pairs) != len(pairs):
                raise _Partial
        return {t.id for t, _ in pairs}
    except _Partial:
        result.fallbacks += 1
        return {t.id for t, d in pairs if _claim_one(t, d)}


EVENT_COLUMNS = ("ticket_id", "kind", "created_at", "is_public", "body", "data")


def _insert_events(rows: list[tuple[Any, ...]]) -> None:
    """Append timeline events, 500 a statement: (ticket id, kind, created_at, body, data).
    Always internal, never by a user. A multi-row INSERT instead of bulk_create, which spent
    more on preparing each field than the database on storing the row."""
    table = connection.ops.quote_name(TicketEvent._meta.db_table)
    if connection.vendor == "postgresql" and rows:
        # One statement of six arrays (see _claim_batch for why not thousands of placeholders).
        sql = (
            f"INSERT INTO {table} ({', '.join(EVENT_COLUMNS)}) "  # noqa: S608
            "SELECT * FROM unnest(%b::bigint[], %b::varchar[], %b::timestamptz[], "
            "%b::boolean[], %b::text[], %b::jsonb[])"
        )
        _execute_bound(
            sql,
            [
                [r[0] for r in rows],
                [r[1] for r in rows],
                [r[2] for r in rows],
                [False] * len(rows),
                [r[3] for r in rows],
                [json.dumps(r[4]) for r in rows],
            ],
        )
        return
    adapt = _adapter()
    with connection.cursor() as cursor:
        for start in range(0, len(rows), 500):
            chunk = rows[start : start + 500]
            values = ", ".join(["(%s, %s, %s, %s, %s, %s)"] * len(chunk))
            args: list[object] = []
            for ticket_id, kind, created_at, body, data in chunk:
                args += [ticket_id, kind, adapt(created_at), False, body, json.dumps(data)]
            cursor.execute(
                f"INSERT INTO {table} ({', '.join(EVENT_COLUMNS)}) VALUES {values}",  # noqa: S608
                args,
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


def _orphaned(parent: int | None) -> bool:
    """Whether the process that started this worker with `parent` set has ended."""
    if parent is None or os.getppid() == parent:
        return False
    log.info("sla worker: parent process %d ended, stopping", parent)
    return True


def _run_tasks(tasks: Sequence[Callable[[], object]]) -> None:
    for task in tasks:
        if not connection.in_atomic_block:
            close_old_connections()
        try:
            task()
        except Exception:
            log.exception("worker task %s failed", getattr(task, "__name__", task))


def run(
    interval: float = 15.0,
    once: bool = False,
    *,
    on_pass: Callable[[TickResult], None] | None = None,
    parent: int | None = None,
    tasks: Sequence[Callable[[], object]] = (),
    task_interval: float = 2.0,
    lanes: Sequence[tuple[Callable[[], object], float]] = (),
) -> int:
    """Run passes every `interval` seconds until SIGTERM or SIGINT (or one pass with `once`),
    or, given the `parent` process id, until this process's parent is no longer that one (the
    worker `deskside demo` starts beside its server ends with it).

    `tasks` (the email channel's sending and polling) run after each pass and every
    `task_interval` seconds between passes, each in its own try: a failing task is logged
    and runs again next time. Each of `lanes`, (task, interval) pairs, runs on a thread of its
    own (with its own database connection) every `interval` seconds, so that work which must
    not wait (paging: a P1's first page within 2 s) never queues behind work that can stall on
    the network (a mail server, a webhook receiver that does not answer). With `once`, each
    lane's task runs once, after the pass and the tasks.

    A signal lets the pass under way finish its batch's transaction and stops before the
    next; a pass that fails (the database went away) is logged and retried next interval.
    Returns the number of passes made.
    """
    stop = threading.Event()

    def _stop(signum: int, frame: FrameType | None) -> None:
        log.info("sla worker: stopping on signal %d", signum)
        stop.set()

    in_main = threading.current_thread() is threading.main_thread()
    previous = {}
    if in_main:
        for sig in (signal.SIGTERM, signal.SIGINT):
            previous[sig] = signal.signal(sig, _stop)
    passes = 0
    threads = []
    if not once:
        for task, every in lanes:
            thread = threading.Thread(
                target=_lane,
                args=(task, every, stop, parent),
                name=f"worker-{getattr(task, '__name__', 'lane')}",
                daemon=True,
            )
            thread.start()
            threads.append(thread)
    try:
        while not stop.is_set() and not _orphaned(parent):
            if not connection.in_atomic_block:  # (a test runs it inside one)
                close_old_connections()  # as between requests: drop a broken or old connection
            try:
                result = tick()
            except Exception:
                log.exception("sla pass failed")
            else:
                log.info(result.line())
                if on_pass is not None:
                    on_pass(result)
            _run_tasks(tasks)
            passes += 1
            if once:
                _run_tasks([task for task, _ in lanes])
                break
            deadline = time.monotonic() + interval
            next_tasks = time.monotonic() + task_interval
            while not _orphaned(parent) and (left := deadline - time.monotonic()) > 0:
                if stop.wait(min(left, 1.0, max(next_tasks - time.monotonic(), 0.05))):
                    break
                if tasks and time.monotonic() >= next_tasks:
                    _run_tasks(tasks)
                    next_tasks = time.monotonic() + task_interval
    finally:
        stop.set()
        for thread in threads:
            thread.join(timeout=30)
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    return passes


def _lane(
    task: Callable[[], object], interval: float, stop: threading.Event, parent: int | None
) -> None:
    """Run `task` every `interval` seconds on this thread until `stop` (see run's `lanes`)."""
    try:
        while not stop.is_set() and not _orphaned(parent):
            _run_tasks([task])
            stop.wait(interval)
    finally:
        connection.close()  # this thread's own connection
