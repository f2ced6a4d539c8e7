"""Stored per-ticket figures for the year-long reports (docs/reports.md, "Stored figures").

Four reports (time to respond and resolve, escalations, workload's resolved column, reopens)
need, per ticket, a duration worked out from two timestamps or a count of its timeline's
events. Over a year of a million-ticket desk that is several seconds of date arithmetic and
hundreds of thousands of timeline probes per report. So each ticket's figures are worked out
once (`FIGURES`, the one definition) and stored in `TicketFigures`; a report sums those rows.

Daily or hourly rollups were measured first and do not pay here: a report filters by client,
team and priority and groups by tier, type, agent or minute of duration, so a rollup keyed by
all of them has nearly one row per ticket (see docs/reports.md) and loses the exact medians.

Never stale, by construction:

- The tickets' event hook writes a `FiguresMark` for the ticket in the transaction of every
  event that can change a figure (`HEARS`). Every change of a ticket writes an event (the
  timeline records every step), so a ticket whose stored row may be out of date has a mark.
- A report reads the stored rows of the tickets **without** a mark, up to the state's
  `through_ticket`, and works the rest out from the tickets themselves with the same
  expressions (`sources`), then adds the two. Before the first build there is no state and
  every report works from the tickets, exactly as before.
- The worker's pass (`figures_pass`, every minute) stores the marked tickets' rows again and
  deletes the marks it read (by id, so a mark written meanwhile stays). A first build (or
  `deskside reports figures --rebuild`) stores every ticket in batches, resumable.

A ticket changed outside the services (a raw UPDATE with no event) is the one way to a stale
row; `deskside reports figures --rebuild` stores everything again.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from typing import Any

from django.db import transaction
from django.db.models import (
    BooleanField,
    Case,
    CharField,
    Count,
    Exists,
    ExpressionWrapper,
    F,
    IntegerField,
    Max,
    Min,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce

from deskside.accounts.models import Tier
from deskside.core import bulk, clock
from deskside.core.timebuckets import EpochSecond, UtcMonth
from deskside.reports.models import DurationRollup, FiguresMark, FiguresState, TicketFigures
from deskside.reports.scope import Scope
from deskside.tickets.hooks import Happened
from deskside.tickets.models import EventKind, Ticket, TicketEvent

BATCH = 20_000
"""Tickets stored per statement and transaction by a build."""

COPIED = ("created_at", "organization_id", "team_id", "assignee_id", "priority", "type", "tier")
"""Columns copied from the ticket as they are."""

QUIET = {
    EventKind.SLA_WARNING,
    EventKind.SLA_BREACH,
    EventKind.MAIL_SENT,
    EventKind.MAIL_FAILED,
    EventKind.PAGED,
    EventKind.PAGE_FAILED,
}
"""Event kinds that never come with a change of the ticket (the SLA worker's warnings, the
mail and paging outboxes' results): no mark, so their bulk paths pay nothing."""

HEARS = [kind for kind in EventKind if kind not in QUIET]

STATE = 1
"""The primary key of the one `FiguresState` row."""


def _minute(seconds: Any) -> Any:
    """Whole minutes under a day, whole quarter hours (as minutes) above: the medians'
    precision, and a histogram of a few thousand buckets rather than one per minute."""
    return Case(
        When(Q(**{f"{seconds}__lt": 86400}), then=F(seconds) / 60),
        default=F(seconds) / 900 * 15,
        output_field=IntegerField(),
    )


def _events(kind: EventKind, **data: Any) -> QuerySet[TicketEvent]:
    return TicketEvent.objects.filter(ticket_id=OuterRef("pk"), kind=kind, **data)


def _count(kind: EventKind) -> Any:
    counted = _events(kind).order_by().values("ticket_id").annotate(n=Count("id")).values("n")
    return Coalesce(Subquery(counted, output_field=IntegerField()), Value(0))


def _seconds(end: str) -> Any:
    return Case(
        When(Q(**{f"{end}__isnull": True}), then=Value(None)),
        default=EpochSecond(end) - EpochSecond("created_at"),
    )


def _bool(condition: Q | Exists) -> ExpressionWrapper:
    return ExpressionWrapper(condition, output_field=BooleanField())


def figures_of(tickets: QuerySet[Ticket]) -> QuerySet[Ticket]:
    """`tickets` with every stored figure as an annotation of the same name: the one
    definition, used to store the rows and by the reports for tickets not stored."""
    return tickets.annotate(
        is_resolved=_bool(Q(resolved_at__isnull=False)),
        response_seconds=_seconds("first_responded_at"),
        resolve_seconds=_seconds("resolved_at"),
        escalated=_bool(Q(escalation_count__gt=0)),
        left_l1=Exists(_events(EventKind.ESCALATED, data__from_tier=Tier.L1)),
        left_l2=Exists(_events(EventKind.ESCALATED, data__from_tier=Tier.L2)),
        resolutions=_count(EventKind.RESOLVED),
        reopenings=_count(EventKind.REOPENED),
    ).annotate(
        response_minute=_minute("response_seconds"),
        resolve_minute=_minute("resolve_seconds"),
    )


FIELDS = (
    *COPIED,
    "is_resolved",
    "response_seconds",
    "response_minute",
    "resolve_seconds",
    "resolve_minute",
    "escalated",
    "left_l1",
    "left_l2",
    "resolutions",
    "reopenings",
)
"""The stored row's columns besides the ticket; `figures_of` annotates the computed ones."""


# -- the hook -------------------------------------------------------------------------------


def event_written(happened: Happened) -> None:
    """The hook's handler: mark the ticket, its figures may have changed."""
    FiguresMark.objects.create(ticket_id=happened.event.ticket_id)


# -- what a report reads -------------------------------------------------------------------


def stored_through() -> int | None:
    """The state's `through_ticket`: None before the first build is done."""
    return (
        FiguresState.objects.filter(through_ticket__isnull=False)
        .values_list("through_ticket", flat=True)
        .first()
    )


def sources(
    tickets: QuerySet[Ticket], narrow: Callable[[QuerySet], QuerySet], through: int | None
) -> list[QuerySet]:
    """The querysets whose rows a report sums, each with the `FIELDS` by name and narrowed by
    `narrow` (the scope): the stored rows of unchanged tickets among `tickets`, and every
    other ticket of `tickets` with its figures worked out (`figures_of`)."""
    if through is None:
        return [figures_of(narrow(tickets))]
    stored = narrow(TicketFigures.objects.all()).filter(ticket_id__lte=through)
    stored = stored.exclude(ticket_id__in=FiguresMark.objects.values("ticket_id"))
    if tickets.query.where:  # a viewer limited to some clients
        stored = stored.filter(ticket_id__in=tickets.values("pk"))
    return [stored, figures_of(narrow(tickets).filter(pk__in=changed(through)))]


def changed(through: int) -> QuerySet:
    """The ids of the tickets whose stored rows a report must not use: those above `through`
    and the marked ones (some twice). One subquery the database reads from the small side
    (id lookups), where `id > n OR id IN (...)` would make it test every row of the range."""
    above = Ticket.objects.order_by().filter(pk__gt=through).values("pk")
    return above.union(FiguresMark.objects.order_by().values("ticket_id"), all=True)


def _grouped(
    querysets: Iterable[QuerySet], group: tuple[str, ...], where: Q | None, aggregates: dict
) -> list[QuerySet]:
    out = []
    for qs in querysets:
        if where is not None:
            qs = qs.filter(where)
        out.append(qs.order_by().values(*group).annotate(**aggregates))
    return out


def _merge(parts: list[QuerySet], group: tuple[str, ...], aggregates: dict) -> dict:
    """Run the grouped `parts` as one statement (UNION ALL: one snapshot, so a pass storing a
    ticket between two reads cannot drop or double it) and add up their rows per group; every
    aggregate counts at least one row in a group that has any (the reports' counts do)."""
    rows = parts[0].union(*parts[1:], all=True) if len(parts) > 1 else parts[0]
    out: dict[tuple, dict[str, int]] = {}
    for row in rows:
        key = tuple(row[g] for g in group)
        totals = out.setdefault(key, dict.fromkeys(aggregates, 0))
        for name in aggregates:
            totals[name] += row[name] or 0
    # A group the rollup's correction emptied (a ticket that moved to another tier) is not
    # there, as it would not be in a count of the tickets themselves.
    return {key: totals for key, totals in out.items() if any(totals.values())}


def summed(
    tickets: QuerySet[Ticket],
    narrow: Callable[[QuerySet], QuerySet],
    group: Iterable[str],
    /,
    *,
    where: Q | None = None,
    **aggregates: Any,
) -> dict[tuple, dict[str, int]]:
    """{group values: {aggregate: total}} over the rows of the `sources`, each grouped by the
    database, in one statement; the aggregates must add up (counts and sums)."""
    group = tuple(group)
    parts = _grouped(sources(tickets, narrow, stored_through()), group, where, aggregates)
    return _merge(parts, group, aggregates)


def _months(since: datetime, until: datetime) -> tuple[datetime, datetime] | None:
    """The whole UTC months inside [since, until), as [first month's start, end of the last);
    None when there is none."""
    start = since.astimezone(UTC)
    first = datetime(start.year, start.month, 1, tzinfo=UTC)
    if first < start:
        first = _next_month(first)
    last = until.astimezone(UTC)
    last = datetime(last.year, last.month, 1, tzinfo=UTC)
    return (first, last) if first < last else None


def _next_month(moment: datetime) -> datetime:
    return moment.replace(year=moment.year + moment.month // 12, month=moment.month % 12 + 1)


def durations(
    tickets: QuerySet[Ticket], scope: Scope, figure: str, through: int | None
) -> dict[tuple, dict[str, int]]:
    """{(priority, tier, minute): {"n": tickets, "total": seconds}} of the stored `figure`
    ("response" or "resolve") of the scope's tickets.

    When the report counts every client (no client filter, a viewer who sees them all), the
    whole UTC months of the range come from `DurationRollup`, corrected for the tickets whose
    stored rows a report must not use (changed since, or above `through_ticket`: their
    stored durations are taken away and their figures now added); the days before the first
    and after the last whole month are read as `summed` reads them."""
    where = Q(**{f"{figure}_seconds__isnull": False})
    aggregates = {"n": Count("pk"), "total": Sum(f"{figure}_seconds")}
    months = _months(scope.since, scope.until)
    if through is None or months is None or scope.organization or tickets.query.where:
        group = ("priority", "tier", f"{figure}_minute")
        return _merge(
            _grouped(sources(tickets, scope.narrow, through), group, where, aggregates),
            group,
            aggregates,
        )

    def part(qs: QuerySet, **counted: Any) -> QuerySet:
        grouped = qs.filter(where).order_by()
        return grouped.values("priority", "tier", minute=F(f"{figure}_minute")).annotate(**counted)

    def window(since: datetime, until: datetime) -> Callable[[QuerySet], QuerySet]:
        def narrow(qs: QuerySet) -> QuerySet:
            return scope.narrow(qs, dates=False).filter(created_at__gte=since, created_at__lt=until)

        return narrow

    first, last = months
    edges = [window(scope.since, first), window(last, scope.until)]
    parts = [part(qs, **aggregates) for edge in edges for qs in sources(tickets, edge, through)]
    rolled = DurationRollup.objects.filter(
        figure=figure, month__gte=first.date(), month__lt=last.date()
    )
    if scope.team is not None:
        rolled = rolled.filter(team_id=scope.team.pk)
    if scope.priority is not None:
        rolled = rolled.filter(priority=scope.priority)
    parts.append(
        rolled.order_by()
        .values("priority", "tier", "minute")
        .annotate(n=Sum("tickets"), total=Sum("seconds"))
    )
    # The rollup holds every stored row: take away those a report must not use, add those
    # tickets' figures now.
    middle = window(first, last)
    unusable = middle(TicketFigures.objects.filter(ticket_id__in=changed(through)))
    parts.append(part(unusable, n=Count("pk") * -1, total=Sum(f"{figure}_seconds") * -1))
    parts.append(part(figures_of(middle(tickets).filter(pk__in=changed(through))), **aggregates))
    return _merge(parts, ("priority", "tier", "minute"), aggregates)


# -- storing ---------------------------------------------------------------------------------


def _insert(tickets: QuerySet[Ticket]) -> int:
    """Store the figures of `tickets`: INSERT ... SELECT, no rows through Python."""
    picked = figures_of(tickets).order_by().values("pk", *FIELDS)
    columns = {"ticket": "pk", **{name.removesuffix("_id"): name for name in FIELDS}}
    return bulk.insert_select(TicketFigures, picked, columns)


def _roll(rows: QuerySet[TicketFigures], sign: int) -> None:
    """Add (`sign` 1) or take away (-1) the durations of the stored `rows` to or from the
    monthly `DurationRollup`: one upsert per figure, counted by the database."""
    key = ["month", "team_id", "priority", "tier", "figure", "minute"]
    for figure in DurationRollup.Figure.values:
        grouped = (
            rows.filter(**{f"{figure}_seconds__isnull": False})
            .order_by()
            .values(
                r_month=UtcMonth("created_at"),
                r_team=Coalesce("team_id", Value(0)),
                r_priority=F("priority"),
                r_tier=F("tier"),
                r_figure=Value(figure, output_field=CharField()),
                r_minute=F(f"{figure}_minute"),
            )
            .annotate(r_tickets=Count("pk") * sign, r_seconds=Sum(f"{figure}_seconds") * sign)
        )
        columns = {name: f"r_{name.removesuffix('_id')}" for name in [*key, "tickets", "seconds"]}
        bulk.insert_select(DurationRollup, grouped, columns, key=key, add=["tickets", "seconds"])
    if sign < 0:
        DurationRollup.objects.filter(tickets=0).delete()


def _store(tickets: QuerySet[Ticket], rows: QuerySet[TicketFigures]) -> int:
    """Replace the stored rows `rows` (those of `tickets`) by the figures of `tickets` now,
    keeping the monthly rollup equal to their sum."""
    _roll(rows, -1)
    rows.delete()
    stored = _insert(tickets)
    _roll(rows, 1)
    return stored


def _locked() -> FiguresState:
    """The state row (made by the migration), locked for the transaction: one pass stores at
    a time."""
    state = FiguresState.objects.select_for_update().filter(pk=STATE).first()
    if state is None:  # deleted by hand: made again, then locked
        FiguresState.objects.get_or_create(pk=STATE)
        state = FiguresState.objects.select_for_update().get(pk=STATE)
    return state


def refresh(limit: int = BATCH) -> int:
    """Store the figures of marked tickets again (at most `limit` marks per call) and delete
    the marks read (by id: a mark written meanwhile stays); the number of marks handled."""
    with transaction.atomic():
        _locked()
        marks = list(FiguresMark.objects.order_by("id").values_list("id", "ticket_id")[:limit])
        if not marks:
            return 0
        ids = {ticket_id for _, ticket_id in marks}
        _store(Ticket.objects.filter(pk__in=ids), TicketFigures.objects.filter(ticket_id__in=ids))
        # Exactly the marks read: on PostgreSQL a mark with a lower id may commit after the
        # read (ids are handed out at INSERT), and it must stay for the next pass.
        read = [mark_id for mark_id, _ in marks]
        for start in range(0, len(read), 10_000):
            FiguresMark.objects.filter(id__in=read[start : start + 10_000]).delete()
    return len(marks)


def extend() -> int:
    """Move `through_ticket` up to the newest ticket, storing the figures of the tickets
    above it that have neither a row nor a mark. A ticket made by the services has a mark
    from its creation; this covers one written without an event (a raw INSERT) that has
    committed by the time of the pass (one committing later, with a lower id than the newest,
    is missed until a rebuild: Deskside itself writes none)."""
    with transaction.atomic():
        state = _locked()
        if state.through_ticket is None:
            return 0
        top = Ticket.objects.aggregate(top=Max("pk"))["top"] or 0
        if top <= state.through_ticket:
            return 0
        new = Ticket.objects.filter(pk__gt=state.through_ticket, pk__lte=top).exclude(
            pk__in=TicketFigures.objects.filter(ticket_id__gt=state.through_ticket).values(
                "ticket_id"
            )
        )
        new = new.exclude(pk__in=FiguresMark.objects.values("ticket_id"))
        ids = list(new.values_list("pk", flat=True))
        if ids:
            rows = TicketFigures.objects.filter(ticket_id__in=ids)
            _store(Ticket.objects.filter(pk__in=ids), rows)
        state.through_ticket = top
        state.updated_at = clock.now()
        state.save(update_fields=["through_ticket", "updated_at"])
    return len(ids)


def build(
    *,
    rebuild: bool = False,
    progress: Callable[[int, int], None] | None = None,
    budget: float | None = None,
) -> bool:
    """Store every ticket's figures, BATCH tickets per transaction, resuming a build that was
    stopped; True when done. `rebuild` starts again from the first ticket. `budget` (seconds)
    stops after the batch that passes it (the worker's pass; the next pass resumes)."""
    started = time.monotonic()
    with transaction.atomic():
        state = _locked()
        if rebuild or (state.building_from is None and state.through_ticket is None):
            ids = Ticket.objects.aggregate(low=Min("pk"), top=Max("pk"))
            state.building_from = (ids["low"] or 1) - 1
            state.building_to = ids["top"] or 0
            state.save(update_fields=["building_from", "building_to"])
    if state.building_from is None:
        return True
    low, top = state.building_from, state.building_to
    while low < top:
        high = min(low + BATCH, top)
        with transaction.atomic():
            _locked()
            _store(
                Ticket.objects.filter(pk__gt=low, pk__lte=high),
                TicketFigures.objects.filter(ticket_id__gt=low, ticket_id__lte=high),
            )
            FiguresState.objects.filter(pk=state.pk).update(building_from=high)
        low = high
        if progress is not None:
            progress(low, top)
        if budget is not None and time.monotonic() - started > budget:
            break
    if low < top:
        return False
    with transaction.atomic():
        _locked()
        FiguresState.objects.filter(pk=state.pk).update(
            through_ticket=max(top, state.through_ticket or 0),
            building_from=None,
            building_to=None,
            updated_at=clock.now(),
        )
    return True


def catch_up() -> tuple[int, int]:
    """Once built: store the new tickets (`extend`) and the marked ones until no mark is
    left; (new, marks handled)."""
    new, marked = extend(), 0
    while handled := refresh():
        marked += handled
    return new, marked


def figures_pass(budget: float = 20.0) -> None:
    """The worker's lane (every minute): go on with a build (the first one starts by itself)
    for up to `budget` seconds; once built, store the new and the marked tickets."""
    if build(budget=budget):
        catch_up()
