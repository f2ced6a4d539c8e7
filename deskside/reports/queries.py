"""The eight desk reports, each one function of (the tickets the viewer may see, a Scope).

Which tickets count (see docs/reports.md): every report except the backlog and the
workload's open column counts the tickets *created* in the scope's range (a cohort, as the SLA
report does), narrowed by client, team and priority; the backlog and the open workload are the
tickets open now. Durations are wall-clock time. Every count links to the queue filtered to
the tickets it counts (`Scope.link`).

Each report is one to three aggregate queries grouped in the database; medians come from a
histogram of whole minutes counted by the database, so no report reads ticket rows one by one.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from datetime import timedelta

from django.db.models import Count, Q, QuerySet, Sum

from deskside.accounts.models import Organization, Tier, User
from deskside.assignment.engine import WEIGHTS
from deskside.core import clock
from deskside.reports import figures
from deskside.reports.scope import Scope, bucket_of, buckets, day_from_index, local_midnight
from deskside.reports.scope import next_bucket as after
from deskside.reports.tables import Cell, Chart, Report, hours, median_of, percent
from deskside.sla.queries import outcome_counts, with_clock_positions
from deskside.tickets.models import (
    OPEN_STATUSES,
    Channel,
    Priority,
    Ticket,
    TicketType,
)

FCR_TARGET = (70, 80)
DIMENSIONS = {"channel": "Channel", "priority": "Priority", "type": "Type", "client": "Client"}
AGEING = [
    ("< 1 day", timedelta(0), timedelta(days=1)),
    ("1–3 days", timedelta(days=1), timedelta(days=3)),
    ("3–7 days", timedelta(days=3), timedelta(days=7)),
    ("7–30 days", timedelta(days=7), timedelta(days=30)),
    ("> 30 days", timedelta(days=30), None),
]


def _labels(by: str, keys: set[object]) -> dict[object, tuple[str, dict[str, str]]]:
    """{group key: (label, queue filter)} for a volume dimension, in the dimension's order
    (channels and types as the ticket form lists them, priorities P1 first, clients by name)."""
    if by == "channel":
        return {c.value: (c.label, {"channel": c.value}) for c in Channel if c.value in keys}
    if by == "type":
        return {t.value: (t.label, {"type": t.value}) for t in TicketType if t.value in keys}
    if by == "priority":
        return {p.value: (p.label, {"priority": p.label}) for p in Priority if p.value in keys}
    orgs = Organization.objects.filter(pk__in=[k for k in keys if k is not None]).order_by("name")
    return {o.pk: (o.name, {"organization": o.slug}) for o in orgs}


def volume(tickets: QuerySet[Ticket], scope: Scope) -> Report:
    """Tickets created per day/week/month (local days), split by channel, priority, type or
    client."""
    field = "organization_id" if scope.by == "client" else scope.by
    rows = (
        scope.narrow(tickets)
        .order_by()
        .annotate(day=scope.local_day())
        .values("day", field)
        .annotate(n=Count("id"))
    )
    counts: dict[tuple[object, object], int] = defaultdict(int)
    for row in rows:
        start = bucket_of(day_from_index(row["day"]), scope.bucket)
        counts[(start, row[field])] += row["n"]
    labels = _labels(scope.by, {k for _, k in counts})
    keys = list(labels)
    periods = buckets(scope.start, scope.end, scope.bucket)
    table = []
    for start in periods:
        since = local_midnight(start, scope.zone)
        until = local_midnight(after(start, scope.bucket), scope.zone)
        line = [Cell(start.isoformat())]
        line += [
            Cell(counts[(start, key)], scope.link(since=since, until=until, **labels[key][1]))
            for key in keys
        ]
        total = sum(counts[(start, k)] for k in keys)
        line.append(Cell(total, scope.link(since=since, until=until)))
        table.append(line)
    totals = [Cell("Total")]
    totals += [
        Cell(sum(counts[(p, key)] for p in periods), scope.link(**labels[key][1])) for key in keys
    ]
    totals.append(Cell(sum(c.value for c in totals[1:]), scope.link()))
    chart = Chart(
        "stacked",
        f"Tickets per {scope.bucket} by {scope.by}",
        [p.isoformat() for p in periods],
        {labels[k][0]: [counts[(p, k)] for p in periods] for k in keys},
        y_title="tickets",
    )
    columns = [scope.bucket.capitalize(), *[labels[k][0] for k in keys], "Total"]
    return Report("volume", "Volume", columns, table, totals, chart)


def first_contact(tickets: QuerySet[Ticket], scope: Scope) -> Report:
    """First-contact resolution: of the tickets resolved (resolved or closed after a
    resolution), the share with `first_contact_resolution`, per client, against 70–80 %."""
    rows = (
        scope.narrow(tickets)
        .filter(resolved_at__isnull=False)
        .order_by()
        .values("organization_id")
        .annotate(resolved=Count("id"), fcr=Count("id", filter=Q(first_contact_resolution=True)))
    )
    by_org = {r["organization_id"]: r for r in rows}
    orgs = Organization.objects.in_bulk(list(by_org))
    table = []
    for org in sorted(orgs.values(), key=lambda o: o.name):
        r = by_org[org.pk]
        rate = percent(r["fcr"], r["resolved"])
        table.append(
            [
                Cell(org.name),
                Cell(r["resolved"], scope.link(organization=org.slug, flag="resolved")),
                Cell(r["fcr"], scope.link(organization=org.slug, flag="first_contact")),
                Cell(rate),
                Cell(_against_target(rate)),
            ]
        )
    resolved = sum(r["resolved"] for r in by_org.values())
    fcr = sum(r["fcr"] for r in by_org.values())
    rate = percent(fcr, resolved)
    totals = [
        Cell("All clients"),
        Cell(resolved, scope.link(flag="resolved")),
        Cell(fcr, scope.link(flag="first_contact")),
        Cell(rate),
        Cell(_against_target(rate)),
    ]
    chart = Chart(
        "bar",
        "First-contact resolution, % (target 70–80 %)",
        [row[0].value for row in table],
        {
            "FCR %": [row[3].value for row in table],
            "Target (low) 70 %": [FCR_TARGET[0]] * len(table),
            "Target (high) 80 %": [FCR_TARGET[1]] * len(table),
        },
        y_title="%",
        range=(0, 100),
    )
    columns = ["Client", "Resolved", "First contact", "FCR %", "Against 70–80 %"]
    return Report("first-contact", "First-contact resolution", columns, table, totals, chart)


def _against_target(rate: float | None) -> str:
    if rate is None:
        return ""
    if rate < FCR_TARGET[0]:
        return "below"
    return "above" if rate > FCR_TARGET[1] else "within"


def _durations(
    tickets: QuerySet[Ticket], scope: Scope, figure: str, through: int | None
) -> dict[tuple[int, str], tuple[int, float, dict]]:
    """{(priority, tier): (tickets, mean seconds, {whole minutes: count})} of the stored
    figure `figure` ("response" or "resolve": seconds from creation to the first response or
    to the resolution, and its minute), grouped by priority, tier and minute by the database."""
    rows = figures.durations(tickets, scope, figure, through)
    sums: dict[tuple[int, str], list[int]] = defaultdict(lambda: [0, 0])
    histogram: dict[tuple[int, str], dict[int, int]] = defaultdict(dict)
    for (priority, tier, minute), r in rows.items():
        key = (priority, tier)
        histogram[key][minute] = r["n"]
        sums[key][0] += r["n"]
        sums[key][1] += r["total"]
    return {k: (n, total / n, histogram[k]) for k, (n, total) in sums.items()}


def response_times(tickets: QuerySet[Ticket], scope: Scope) -> Report:
    """Mean and median wall-clock time from creation to first response and to resolution,
    per priority and (current) tier, in hours; medians to the minute (to the quarter hour
    above a day)."""
    through = figures.stored_through()
    first = _durations(tickets, scope, "response", through)
    resolve = _durations(tickets, scope, "resolve", through)
    keys = sorted(set(first) | set(resolve))
    empty: tuple[int, float | None, dict] = (0, None, {})
    table = []
    for priority, tier in keys:
        f, r = first.get((priority, tier), empty), resolve.get((priority, tier), empty)
        label = Priority(priority).label
        table.append(
            [
                Cell(label),
                Cell(tier),
                Cell(f[0], scope.link(priority=label, tier=tier, flag="responded")),
                Cell(hours(f[1])),
                Cell(_median_hours(f[2])),
                Cell(r[0], scope.link(priority=label, tier=tier, flag="resolved")),
                Cell(hours(r[1])),
                Cell(_median_hours(r[2])),
            ]
        )
    chart = Chart(
        "bar",
        "Median hours to first response and to resolution",
        [f"{row[0].value} {row[1].value}" for row in table],
        {
            "First response": [row[4].value for row in table],
            "Resolution": [row[7].value for row in table],
        },
        y_title="hours",
    )
    columns = [
        "Priority",
        "Tier",
        "Responded",
        "Mean first response (h)",
        "Median first response (h)",
        "Resolved",
        "Mean resolution (h)",
        "Median resolution (h)",
    ]
    return Report(
        "response-times", "Time to first response and to resolve", columns, table, [], chart
    )


def _median_hours(histogram: dict[int, int]) -> float | None:
    minutes = median_of(histogram)
    return None if minutes is None else round(minutes / 60, 2)


def sla_compliance(tickets: QuerySet[Ticket], scope: Scope) -> Report:
    """Per client: first response and resolution targets met, breached and running, with the
    SLA report's definitions (`sla.queries.outcome_counts`); met % of the decided ones."""
    rows = (
        with_clock_positions(scope.narrow(tickets), clock.now())
        .order_by()
        .values("organization_id")
        .annotate(tickets=Count("id"), **outcome_counts())
    )
    by_org = {r["organization_id"]: r for r in rows}
    orgs = Organization.objects.in_bulk(list(by_org))
    keys = ["fr_met", "fr_breached", "fr_running", "res_met", "res_breached", "res_running"]

    def line(name: str, r: dict, **link: str) -> list[Cell]:
        return [
            Cell(name),
            Cell(r["tickets"], scope.link(**link)),
            *[Cell(r[k], scope.link(flag=k, **link)) for k in keys[:3]],
            Cell(percent(r["fr_met"], r["fr_met"] + r["fr_breached"])),
            *[Cell(r[k], scope.link(flag=k, **link)) for k in keys[3:]],
            Cell(percent(r["res_met"], r["res_met"] + r["res_breached"])),
        ]

    table = [
        line(org.name, by_org[org.pk], organization=org.slug)
        for org in sorted(orgs.values(), key=lambda o: o.name)
    ]
    total = {k: sum(r[k] for r in by_org.values()) for k in ["tickets", *keys]}
    totals = line("All clients", total)
    chart = Chart(
        "bar",
        "SLA targets met, % of decided",
        [row[0].value for row in table],
        {
            "First response": [row[5].value for row in table],
            "Resolution": [row[9].value for row in table],
        },
        y_title="%",
        range=(0, 100),
    )
    columns = [
        "Client",
        "Tickets",
        "First response met",
        "First response breached",
        "First response running",
        "First response met %",
        "Resolution met",
        "Resolution breached",
        "Resolution running",
        "Resolution met %",
    ]
    return Report("sla", "SLA compliance", columns, table, totals, chart)


def backlog(tickets: QuerySet[Ticket], scope: Scope) -> Report:
    """The tickets open now (created in the range), by age now and priority."""
    now = clock.now()
    qs = scope.narrow(tickets).filter(status__in=OPEN_STATUSES).order_by()
    aggregates = {}
    for i, (_, low, high) in enumerate(AGEING):
        where = Q(created_at__lte=now - low)
        if high is not None:
            where &= Q(created_at__gt=now - high)
        aggregates[f"a{i}"] = Count("id", filter=where)
    counts = {r["priority"]: r for r in qs.values("priority").annotate(**aggregates)}
    # A column per priority, only the filter's one when filtered: another priority's column
    # would count nothing and link to tickets the filter leaves out.
    priorities = [p for p in Priority if scope.priority in (None, p.value)]
    table = []
    for i, (label, low, high) in enumerate(AGEING):
        until = now - low + timedelta(microseconds=1)
        since = now - high + timedelta(microseconds=1) if high is not None else None
        line = [Cell(label)]
        for p in priorities:
            n = counts.get(p.value, {}).get(f"a{i}", 0)
            line.append(
                Cell(n, scope.link(since=since, until=until, queue="open", priority=p.label))
            )
        line.append(
            Cell(sum(c.value for c in line[1:]), scope.link(since=since, until=until, queue="open"))
        )
        table.append(line)
    totals = [Cell("All open")]
    for p in priorities:
        totals.append(
            Cell(
                sum(r[len(totals)].value for r in table), scope.link(queue="open", priority=p.label)
            )
        )
    totals.append(Cell(sum(r[-1].value for r in table), scope.link(queue="open")))
    chart = Chart(
        "stacked",
        "Open tickets by age",
        [label for label, _, _ in AGEING],
        {p.label: [row[1 + j].value for row in table] for j, p in enumerate(priorities)},
        y_title="tickets",
    )
    columns = ["Age", *[p.label for p in priorities], "Total"]
    return Report("backlog", "Backlog and ageing", columns, table, totals, chart)


ESCALATION_COUNTS = {
    "n": Count("pk"),
    "esc": Count("pk", filter=Q(escalated=True)),
    "at_l1": Count("pk", filter=Q(tier=Tier.L1)),
    "at_l2": Count("pk", filter=Q(tier=Tier.L2)),
    "from_l1": Count("pk", filter=Q(left_l1=True)),
    "from_l2": Count("pk", filter=Q(left_l2=True)),
    "back_l1": Count("pk", filter=Q(left_l1=True, tier=Tier.L1)),
    "back_l2": Count("pk", filter=Q(left_l2=True, tier=Tier.L2)),
}


def escalations(tickets: QuerySet[Ticket], scope: Scope) -> Report:
    """Per category (the ticket type: Deskside has no category field): tickets, tickets
    escalated at least once and their share, and the rate per tier: of the tickets handled at
    L1 (created there) the share escalated out of L1, and of those that reached L2 the share
    escalated on to L3.

    A ticket was handled at L1 when it is there now or has an escalated event out of L1, and
    it reached L2 when it is there now or has one out of L2 (the conditions of the links'
    `handled_l1` and `reached_l2`). A tier can go down again (an agent accepting a triage
    suggestion), so a ticket both at L1 now and escalated out of it is counted once: the
    events are grouped by the ticket's tier now too."""
    counts = {kind.value: dict.fromkeys(ESCALATION_COUNTS, 0) for kind in TicketType}
    rows = figures.summed(tickets, scope.narrow, ("type",), **ESCALATION_COUNTS)
    for (kind,), r in rows.items():
        counts.setdefault(kind, dict.fromkeys(ESCALATION_COUNTS, 0)).update(r)
    keys = ("n", "esc", "at_l1", "at_l2", "from_l1", "from_l2", "back_l1", "back_l2")
    total = {k: sum(c[k] for c in counts.values()) for k in keys}

    def line(name: str, c: dict[str, int], **link: str) -> list[Cell]:
        handled = c["at_l1"] + c["from_l1"] - c["back_l1"]
        reached = c["at_l2"] + c["from_l2"] - c["back_l2"]
        return [
            Cell(name),
            Cell(c["n"], scope.link(**link)),
            Cell(c["esc"], scope.link(flag="escalated", **link)),
            Cell(percent(c["esc"], c["n"])),
            Cell(handled, scope.link(flag="handled_l1", **link)),
            Cell(c["from_l1"], scope.link(flag="escalated_from_l1", **link)),
            Cell(percent(c["from_l1"], handled)),
            Cell(reached, scope.link(flag="reached_l2", **link)),
            Cell(c["from_l2"], scope.link(flag="escalated_from_l2", **link)),
            Cell(percent(c["from_l2"], reached)),
        ]

    table = [line(kind.label, counts[kind.value], type=kind.value) for kind in TicketType]
    chart = Chart(
        "bar",
        "Escalation rate per category and tier, %",
        [row[0].value for row in table] + ["All types"],
        {
            name: [row[i].value for row in table] + [line("", total)[i].value]
            for name, i in (("Escalated %", 3), ("From L1 %", 6), ("From L2 %", 9))
        },
        y_title="%",
        range=(0, 100),
    )
    columns = [
        "Category (type)",
        "Tickets",
        "Escalated",
        "Escalation rate %",
        "Handled at L1",
        "From L1",
        "L1 escalation rate %",
        "Reached L2",
        "From L2",
        "L2 escalation rate %",
    ]
    return Report("escalations", "Escalation rate", columns, table, line("All types", total), chart)


def workload(tickets: QuerySet[Ticket], scope: Scope) -> Report:
    """Per agent: open tickets assigned now and their weight (P1 4, P2 3, P3 2, OPS 1, as
    assignment weighs load), and the tickets of the range resolved while assigned to them."""
    open_rows = (
        scope.narrow(tickets, dates=False)
        .filter(status__in=OPEN_STATUSES, assignee__isnull=False)
        .order_by()
        .values("assignee_id", "priority")
        .annotate(n=Count("id"))
    )
    load: dict[int, list[int]] = defaultdict(lambda: [0, 0])
    for r in open_rows:
        load[r["assignee_id"]][0] += r["n"]
        load[r["assignee_id"]][1] += r["n"] * WEIGHTS.get(r["priority"], 1)
    resolved = {
        key[0]: r["n"]
        for key, r in figures.summed(
            tickets,
            scope.narrow,
            ("assignee_id",),
            where=Q(is_resolved=True, assignee__isnull=False),
            n=Count("pk"),
        ).items()
    }
    people = User.objects.in_bulk(list(set(load) | set(resolved)))
    table = []
    for person in sorted(people.values(), key=lambda u: (u.full_name or u.email, u.pk)):
        pid = person.public_id
        table.append(
            [
                Cell(person.full_name or person.email),
                Cell(load[person.pk][0], scope.link(dates=False, queue="open", assignee=pid)),
                Cell(load[person.pk][1]),
                Cell(resolved.get(person.pk, 0), scope.link(assignee=pid, flag="resolved")),
            ]
        )
    totals = [
        Cell("All agents"),
        Cell(
            sum(r[1].value for r in table),
            scope.link(dates=False, queue="open", flag="assigned_open"),
        ),
        Cell(sum(r[2].value for r in table)),
        Cell(sum(r[3].value for r in table), scope.link(flag="resolved_assigned")),
    ]
    chart = Chart(
        "bar",
        "Open (weighted) and resolved per agent",
        [row[0].value for row in table],
        {
            "Open, weighted": [row[2].value for row in table],
            "Resolved": [row[3].value for row in table],
        },
        y_title="tickets",
    )
    columns = ["Agent", "Open assigned", "Weighted load", "Resolved"]
    return Report("workload", "Agent workload", columns, table, totals, chart)


def reopens(tickets: QuerySet[Ticket], scope: Scope) -> Report:
    """Per client: resolutions and reopenings (resolved and reopened events on the range's
    tickets) and the reopen rate, reopened / resolved."""
    by_org = {
        key[0]: r
        for key, r in figures.summed(
            tickets,
            scope.narrow,
            ("organization_id",),
            where=Q(resolutions__gt=0) | Q(reopenings__gt=0),
            resolved=Sum("resolutions"),
            reopened=Sum("reopenings"),
            tickets=Count("pk", filter=Q(reopenings__gt=0)),
        ).items()
    }
    orgs = Organization.objects.in_bulk(list(by_org))

    def line(name: str, r: dict, **link: str) -> list[Cell]:
        return [
            Cell(name),
            Cell(r["resolved"], scope.link(flag="was_resolved", **link)),
            Cell(r["reopened"], scope.link(flag="reopened", **link)),
            Cell(percent(r["reopened"], r["resolved"])),
            Cell(r["tickets"], scope.link(flag="reopened", **link)),
        ]

    table = [
        line(o.name, by_org[o.pk], organization=o.slug)
        for o in sorted(orgs.values(), key=lambda o: o.name)
    ]
    total = {k: sum(r[k] for r in by_org.values()) for k in ("resolved", "reopened", "tickets")}
    chart = Chart(
        "bar",
        "Reopen rate, % of resolutions",
        [row[0].value for row in table],
        {"Reopened %": [row[3].value for row in table]},
        y_title="%",
    )
    columns = ["Client", "Resolutions", "Reopenings", "Reopen rate %", "Tickets reopened"]
    return Report("reopens", "Reopen rate", columns, table, line("All clients", total), chart)


REPORTS: dict[str, tuple[str, Callable[[QuerySet[Ticket], Scope], Report]]] = {
    "volume": ("Volume by channel, priority, type and client", volume),
    "first-contact": ("First-contact resolution at L1", first_contact),
    "response-times": ("Time to first response and to resolve", response_times),
    "sla": ("SLA compliance by client and target", sla_compliance),
    "backlog": ("Backlog and its ageing", backlog),
    "escalations": ("Escalation rate by tier and category", escalations),
    "workload": ("Agent workload and resolved per agent", workload),
    "reopens": ("Reopen rate", reopens),
}


def run(name: str, tickets: QuerySet[Ticket], scope: Scope) -> Report:
    return REPORTS[name][1](tickets, scope)
