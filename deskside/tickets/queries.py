"""Read side of tickets: who sees what, queues, search. Every page, endpoint and search reads
tickets through `visible_tickets()` so tenancy is enforced in one place."""

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db.models import (
    Case,
    Count,
    DateTimeField,
    DurationField,
    Exists,
    ExpressionWrapper,
    F,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.db.models.lookups import In
from django.http import Http404

from deskside.accounts.models import Tier, User
from deskside.accounts.queries import (
    organizations_visible_to,
    served_organization_ids,
    users_visible_to,
)
from deskside.core import clock
from deskside.core.indexing import NotIndexed
from deskside.core.search import terms as search_terms
from deskside.tickets import deadlines
from deskside.tickets.models import (
    OPEN_STATUSES,
    TICKET_SEARCH,
    Attachment,
    EventKind,
    Priority,
    Ticket,
    TicketEvent,
    TicketQuerySet,
    parse_number,
)

LIST_RELATED = ("organization", "requester", "assignee", "team", "site")


def visible_tickets(user: User) -> TicketQuerySet:
    """Tickets `user` may see.

    Agents: every client's tickets, or only those of the clients they serve. Customers: the
    tickets they requested or watch; an organisation admin, all of their organisation's.
    A customer never sees another organisation's ticket, even one they were added to watch.
    """
    qs = Ticket.objects.all()
    if not user.is_authenticated or not user.is_active:
        return qs.none()
    if user.is_agent:
        ids = served_organization_ids(user)
        return qs if ids is None else qs.filter(organization_id__in=ids)
    if user.organization_id is None:
        return qs.none()
    qs = qs.filter(organization_id=user.organization_id)
    if user.is_org_admin:
        return qs
    return qs.filter(requested_or_watched(user))


def ticket_for(
    user: User,
    number: str,
    *,
    related: tuple[str, ...] = (),
    prefetch: tuple[str, ...] = (),
    detail: str | None = None,
) -> Ticket:
    """The ticket numbered `number` (`T-10423` or `10423`) if `user` may see it, with
    `related` joined and `prefetch` prefetched; Http404(`detail`, default "no ticket <number>")
    for a malformed number or a ticket the user may not see (its existence is not confirmed)."""
    pk = parse_number(number)
    qs = visible_tickets(user).select_related(*related)
    if prefetch:
        qs = qs.prefetch_related(*prefetch)
    ticket = qs.filter(pk=pk).first() if pk is not None else None
    if ticket is None:
        raise Http404(f"no ticket {number}" if detail is None else detail)
    return ticket


def requested_or_watched(user: User) -> Q:
    """Tickets `user` requested or watches.

    A subquery, not a join on watchers: a join repeats a ticket once per watcher, which
    `.distinct()` hides from lists but not from counts and aggregates (status_counts).
    """
    watched = Ticket.watchers.through.objects.filter(user=user).values("ticket_id")
    return Q(requester=user) | Q(pk__in=watched)


def agents_who_worked_for(user: User) -> QuerySet[User]:
    """The agents who worked on tickets `user` may see: each such ticket's assignee and the
    authors of its public events (replies, status changes, the resolution ...). What a
    customer may know of the desk's people; internal notes and calls do not count."""
    tickets = visible_tickets(user).values("pk")
    assignees = Ticket.objects.filter(pk__in=tickets, assignee__isnull=False).values("assignee")
    authors = TicketEvent.objects.filter(
        ticket__in=tickets, is_public=True, actor__isnull=False
    ).values("actor")
    return User.objects.filter(kind=User.Kind.AGENT).filter(Q(pk__in=assignees) | Q(pk__in=authors))


def people_visible_to(user: User) -> QuerySet[User]:
    """The people `user` may find in the directory and name in the ticket API: for an agent,
    `users_visible_to`; for a customer, the people of their own organisation and only the
    agents who worked on tickets they may see (`agents_who_worked_for`), never the whole
    desk. Active people only."""
    qs = users_visible_to(user)
    if not user.is_authenticated or not user.is_active or user.is_agent:
        return qs
    worked = agents_who_worked_for(user).values("pk")
    return qs | User.objects.filter(is_active=True, pk__in=worked)


# -- the customer's view of a ticket: one rule for the portal and the API ---------------------

# Kinds internal by nature. The services write them non-public; this is the second lock on the
# door, so a note, call, triage note or routing step can never reach a customer even if one
# were marked public by mistake.
INTERNAL_KINDS = (
    EventKind.NOTE,
    EventKind.CALL,
    EventKind.ESCALATED,
    EventKind.ASSIGNED,
    EventKind.CHANGED,
    EventKind.WATCHERS,
)
# Keys of an event's data that stay inside the MSP: how the `created` event routed the ticket.
INTERNAL_DATA = frozenset({"team", "tier", "assignee"})


def visible_events(user: User, ticket: Ticket) -> QuerySet[TicketEvent]:
    """The timeline of a ticket the user can see, with its actors and the attachments the user
    may open: agents get every event; customers the public events only, never one of
    INTERNAL_KINDS. The portal and the API show a customer exactly these."""
    qs = ticket.events.select_related("actor").prefetch_related(
        Prefetch("attachments", queryset=visible_attachments(user, ticket))
    )
    return qs if user.is_agent else qs.filter(is_public=True).exclude(kind__in=INTERNAL_KINDS)


def ticket_version(user: User, ticket: Ticket) -> int:
    """The ticket's version as `user` sees it: the id of the last event of its timeline that
    they may see, 0 for none (see `services.versions`). One indexed query (event_ticket_id)."""
    qs = TicketEvent.objects.filter(ticket=ticket)
    if not user.is_agent:
        qs = qs.filter(is_public=True).exclude(kind__in=INTERNAL_KINDS)
    return qs.order_by("-pk").values_list("pk", flat=True).first() or 0


def event_data_shown_to(viewer: User | None, event: TicketEvent) -> dict[str, Any]:
    """An event's data as `viewer` may see it: all of it for an agent; for anyone else without
    the desk's internals (INTERNAL_DATA: the tier, team and assignee a ticket was opened with)."""
    data = event.data or {}
    if viewer is not None and viewer.is_agent:
        return data
    return {k: v for k, v in data.items() if k not in INTERNAL_DATA}


def visible_attachments(user: User, ticket: Ticket) -> QuerySet[Attachment]:
    qs = Attachment.objects.filter(ticket=ticket)
    return qs if user.is_agent else qs.filter(is_public=True)


def attachment_for(user: User, public_id: str) -> Attachment:
    """The attachment `public_id` if `user` may download it; raises Attachment.DoesNotExist."""
    qs = Attachment.objects.select_related("ticket").filter(
        public_id=public_id, ticket__in=visible_tickets(user)
    )
    if not user.is_agent:
        qs = qs.filter(is_public=True)
    return qs.get()


def latest_escalation(ticket: Ticket) -> TicketEvent | None:
    """The most recent escalation, whose triage notes the receiving tier sees first."""
    return ticket.events.filter(kind=EventKind.ESCALATED).select_related("actor").last()


QUEUES = {
    "mine": "Assigned to me",
    "team": "My teams",
    "unassigned": "Unassigned",
    "open": "All open",
    "all": "All tickets",
}


# Conditions the reports count by, as queue filters (`flag=`), so a report's count links to
# exactly the tickets it counted.
def _escalated_from(tier: str) -> Exists:
    return Exists(
        TicketEvent.objects.filter(
            ticket=OuterRef("pk"), kind=EventKind.ESCALATED, data__from_tier=tier
        )
    )


def _has_event(kind: str) -> Exists:
    return Exists(TicketEvent.objects.filter(ticket=OuterRef("pk"), kind=kind))


TICKET_FLAGS: dict[str, Q] = {
    "responded": Q(first_responded_at__isnull=False),
    "resolved": Q(resolved_at__isnull=False),
    "first_contact": Q(resolved_at__isnull=False, first_contact_resolution=True),
    "escalated": Q(escalation_count__gt=0),
    "reopened": Q(_has_event(EventKind.REOPENED)),
    "was_resolved": Q(_has_event(EventKind.RESOLVED)),
    "assigned_open": Q(status__in=OPEN_STATUSES, assignee__isnull=False),
    "resolved_assigned": Q(resolved_at__isnull=False, assignee__isnull=False),
    # A ticket was at L1 when it is there or left it, likewise L2 (whichever way it moved since).
    "handled_l1": Q(tier=Tier.L1) | Q(_escalated_from(Tier.L1)),
    "escalated_from_l1": Q(_escalated_from(Tier.L1)),
    "reached_l2": Q(tier=Tier.L2) | Q(_escalated_from(Tier.L2)),
    "escalated_from_l2": Q(_escalated_from(Tier.L2)),
}
# The SLA outcomes (met, breached, running of each target) at the queue's `now`.
REPORT_FLAGS = [*TICKET_FLAGS, *deadlines.SLA_OUTCOMES]


def report_filter(
    channel: str | None,
    type: str | None,
    created_after: datetime | None,
    created_before: datetime | None,
    flag: str | None,
) -> Q:
    """The condition of the reports' queue filters (each optional; see `queue`)."""
    where = Q()
    if channel:
        where &= Q(channel=channel)
    if type:
        where &= Q(type=type)
    if created_after:
        where &= Q(created_at__gte=created_after)
    if created_before:
        where &= Q(created_at__lt=created_before)
    if flag in TICKET_FLAGS:
        where &= TICKET_FLAGS[flag]
    return where


SORTS: dict[str, tuple[Any, ...]] = {
    "newest": ("-id",),
    "oldest": ("id",),
    "priority": ("priority", "-id"),
    "updated": ("-updated_at", "-id"),
    "due": (),  # time left: built at the query's `now` by time_left_order()
}


def time_left_order(now: datetime) -> tuple[Any, ...]:
    """The "time left" sort: running clocks first, least time left first (so the breached
    ones, most overdue first, lead); then the paused clocks, by the time they had left when
    they paused (a clock overdue before its pause first); then the tickets without an SLA.

    A paused clock's due time is no deadline (it moves when the clock resumes), so sorting
    every ticket by `sla_due` alone put tickets paused for days among the breached ones."""
    rank = Case(
        When(sla_due__isnull=True, then=Value(2)),
        When(sla_paused_at__isnull=False, then=Value(1)),
        default=Value(0),
    )
    left = ExpressionWrapper(
        F("sla_due") - Coalesce("sla_paused_at", Value(now, output_field=DateTimeField())),
        output_field=DurationField(),
    )
    return (rank.asc(), left.asc(), "id")


SLA_FILTERS = {"at_risk": "At risk", "breached": "Breached"}


def queue(
    user: User,
    name: str = "open",
    *,
    organization: str | None = None,
    priority: int | None = None,
    status: str | None = None,
    tier: str | None = None,
    team: int | None = None,
    assignee: str | None = None,
    text: str | None = None,
    sla: str | None = None,
    sort: str = "newest",
    newer_than: int | None = None,
    channel: str | None = None,
    type: str | None = None,
    created_after: datetime | None = None,
    created_before: datetime | None = None,
    flag: str | None = None,
) -> TicketQuerySet:
    """A named queue of the tickets `user` can see, narrowed by the optional filters.

    `organization` is a slug, `assignee` a user's public id. Ordering is one of SORTS and
    always ends on a unique key, so pages never repeat or skip a ticket. `newer_than` (a
    primary key) limits a text search to newer tickets; see `recent_window_start()`.
    `sla` is one of SLA_FILTERS: the tickets whose SLA state is that now (`deadlines.sla_state`).
    `channel`, `type`, `created_after` (included), `created_before` (excluded) and `flag` (one
    of REPORT_FLAGS: a ticket condition or an SLA outcome now) are what the reports' links
    set: a count opens the tickets it counted.
    """
    qs = visible_tickets(user)
    # With an SLA filter, the partial indexes of the tickets with an SLA (a few percent, all
    # open) are the way in, not the status index: SQLite without statistics would take it.
    is_open = In(NotIndexed("status"), OPEN_STATUSES) if sla else Q(status__in=OPEN_STATUSES)
    if name == "mine":
        qs = qs.filter(is_open, assignee=user)
    elif name == "team":
        qs = qs.filter(is_open, team__in=user.teams.all())
    elif name == "unassigned":
        qs = qs.filter(is_open, assignee__isnull=True)
    elif name == "open":
        qs = qs.filter(is_open)
    if organization:
        qs = qs.filter(organization__slug=organization)
    if priority:
        qs = qs.filter(priority=priority)
    if status:
        qs = qs.filter(status=status)
    if tier:
        qs = qs.filter(tier=tier)
    if team:
        qs = qs.filter(team_id=team)
    if assignee:
        qs = qs.filter(assignee__public_id=assignee)
    if sla:
        qs = deadlines.sla_filter(qs, sla, clock.now())
    qs = qs.filter(report_filter(channel, type, created_after, created_before, flag))
    if flag in deadlines.SLA_OUTCOMES:
        qs = deadlines.with_clock_positions(qs, clock.now()).filter(deadlines.SLA_OUTCOMES[flag])
    order = time_left_order(clock.now()) if sort == "due" else SORTS.get(sort, SORTS["newest"])
    qs = qs.select_related(*LIST_RELATED).order_by(*order)
    if text:
        qs = search(user, text, qs, newer_than=newer_than)
    return qs


# How many of the newest tickets a search looks at first (see recent_window_start).
RECENT_WINDOW = 50_000


def recent_window_start(window: int | None = None) -> int | None:
    """The primary key above which the newest `window` tickets lie, or None when there are
    fewer tickets than that.

    A newest-first search first runs with `newer_than` set to this: when those tickets hold a
    full page of matches, that page is exactly the page of the whole search, found without
    reading every match of a common word (at a million tickets on PostgreSQL, 17,000 heap
    pages for "paper jam" against a few hundred). Otherwise the caller runs the whole search.
    """
    window = RECENT_WINDOW if window is None else window
    top = Ticket.objects.order_by("-pk").values_list("pk", flat=True).first()
    return top - window if top is not None and top > window else None


def queue_with_window(
    user: User, name: str = "open", **filters: Any
) -> tuple[TicketQuerySet, TicketQuerySet | None]:
    """`queue()`, and for a newest-first text search also the same search over the newest
    tickets only, for `core.pagination.fetch_page(first_try=...)`; None when it cannot help."""
    qs = queue(user, name, **filters)
    if not filters.get("text") or filters.get("sort", "newest") not in ("newest", None, ""):
        return qs, None
    start = recent_window_start()
    return qs, None if start is None else queue(user, name, **filters, newer_than=start)


def search(
    user: User, text: str, base: TicketQuerySet | None = None, *, newer_than: int | None = None
) -> TicketQuerySet:
    """Tickets matching `text` among those `user` can see (and within `base` if given).

    A ticket number (`T-10423`) finds that ticket directly. A bare number (`10423`) finds
    that ticket and the tickets whose text holds the number. Words are ANDed; a word may also
    match the name of a client the user can see (an agent's served clients, a customer's own
    organisation), so "acme printer" finds Acme's tickets about a printer as well as the
    tickets mentioning both words (see `client_matches`). Customers search only public text,
    never internal notes. `newer_than` keeps only tickets with a greater primary key.
    """
    qs = base if base is not None else visible_tickets(user)
    stripped = text.strip()
    if stripped.upper().startswith("T-") and stripped[2:].isascii() and stripped[2:].isdigit():
        return qs.filter(pk=parse_number(stripped) or 0)
    also = Q()  # matches besides the full-text index: the ticket number, a client's name
    if (pk := parse_number(stripped)) is not None:
        also |= Q(pk=pk)
    for organization_id, rest in client_matches(user, stripped):
        matched = Q(organization_id=organization_id)
        if rest:
            keys = TICKET_SEARCH.matching_keys(" ".join(rest), include_internal=user.is_agent)
            matched &= Q(pk__in=keys)
        also |= matched
    if also:
        keys = TICKET_SEARCH.matching_keys(stripped, include_internal=user.is_agent)
        found = also | Q(pk__in=keys) if keys is not None else also
        if newer_than is not None:
            found &= Q(pk__gt=newer_than)
        return qs.filter(found)
    # An agent's results ordered by number (the default) read the search index in that order
    # and stop after a page instead of collecting every match first (keep the order search()
    # returns). A customer sees few tickets: there, finding their tickets first is faster.
    order = qs.query.order_by or (Ticket._meta.ordering if qs.query.default_ordering else ())
    if user.is_agent and tuple(order) in (("-id",), ("id",)):
        return TICKET_SEARCH.filter_by_key(
            qs,
            text,
            include_internal=user.is_agent,
            descending=tuple(order) == ("-id",),
            min_key=newer_than,
        )
    return TICKET_SEARCH.filter(qs, text, include_internal=user.is_agent, min_key=newer_than)


MAX_CLIENT_MATCHES = 20


def client_matches(user: User, text: str) -> list[tuple[int, list[str]]]:
    """The clients `user` can see whose name or slug holds some of the words of `text` (whole
    words, case-insensitive: "acme" matches "Acme Corp", "acm" does not), each with the words
    of `text` left for the full-text search. One query on the organisations, at most
    MAX_CLIENT_MATCHES clients."""
    words = search_terms(text)
    if not words:
        return []
    near = Q()
    for word in words:
        near |= Q(name__icontains=word) | Q(slug__icontains=word)
    found = []
    for pk, name, slug in (
        organizations_visible_to(user)
        .filter(near)
        .order_by("name", "id")
        .values_list("pk", "name", "slug")[:MAX_CLIENT_MATCHES]
    ):
        own = set(search_terms(f"{name} {slug.replace('-', ' ')}"))
        if any(w in own for w in words):
            found.append((pk, [w for w in words if w not in own]))
    return found


@dataclass(frozen=True)
class WorkloadRow:
    """Open tickets of one status, split by priority (P1 first)."""

    status: str
    label: str
    total: int
    by_priority: list[tuple[int, str, int]]  # (priority, label, count)


def open_workload(user: User) -> list[WorkloadRow]:
    """Open tickets `user` can see, by status and priority, in one grouped query (about 7 ms
    over 30,000 open tickets of a million on SQLite)."""
    counts = {
        (r["status"], r["priority"]): r["n"]
        for r in visible_tickets(user)
        .filter(status__in=OPEN_STATUSES)
        .order_by()
        .values("status", "priority")
        .annotate(n=Count("id"))
    }
    rows = []
    for status in OPEN_STATUSES:
        parts = [(p.value, p.label, counts.get((status, p.value), 0)) for p in Priority]
        rows.append(WorkloadRow(status, status.label, sum(n for *_, n in parts), parts))
    return rows


def status_counts(user: User) -> dict[str, int]:
    """Open tickets per status among those `user` can see."""
    rows = (
        visible_tickets(user)
        .filter(status__in=OPEN_STATUSES)
        .order_by()
        .values("status")
        .annotate(n=Count("id"))
    )
    counts = {s: 0 for s in OPEN_STATUSES}
    counts.update({r["status"]: r["n"] for r in rows})
    return counts


# -- a caller's open tickets (Log a call) ------------------------------------------------------

CALLER_TICKETS = 10


def open_tickets_of(user: User, requester: User, limit: int = CALLER_TICKETS) -> list[Ticket]:
    """The open tickets `requester` asked for that `user` may see, newest first, at most
    `limit`: shown beside Log a call, so a repeat call is logged on its ticket. Reads the
    (requester, -id) index."""
    qs = visible_tickets(user).filter(requester=requester, status__in=OPEN_STATUSES)
    return list(qs.select_related("assignee").order_by("-id")[:limit])


def open_ticket_counts(user: User, requesters: list[User]) -> dict[int, int]:
    """How many open tickets each of `requesters` has that `user` may see, by user id (absent
    means none), in one query."""
    if not requesters:
        return {}
    rows = (
        visible_tickets(user)
        .filter(requester__in=[r.pk for r in requesters], status__in=OPEN_STATUSES)
        .order_by()
        .values("requester_id")
        .annotate(n=Count("id"))
    )
    return {row["requester_id"]: row["n"] for row in rows}
