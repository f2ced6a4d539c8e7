"""Tickets under /api/v1/tickets: list and search, create, read, edit, the workflow actions
and the timeline. Create, reply, note and call take an `Idempotency-Key`
(`tickets.idempotency`).

Each endpoint parses its input, resolves the identifiers it names (through the visibility
functions, so an identifier the caller may not see is "unknown", a 422 naming the field), calls
one service or query and maps the result out. Every ticket is looked up in
`visible_tickets(user)`: a ticket the caller may not see is a 404, never a 403 that would
confirm it exists. What a customer may *do* to a ticket they see is the services' decision
(NotAllowed -> 403).
"""

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Annotated, Literal, TypeVar

from django.db.models import Model, QuerySet
from django.http import HttpRequest
from ninja import Field, Header, Query, Router, Schema, Status

from deskside.accounts.models import Organization, Site, Team, User
from deskside.accounts.queries import (
    callers_matching,
    organizations_visible_to,
    sites_visible_to,
)
from deskside.accounts.schemas import UserOut
from deskside.core.api import PageOut, PageParams, Text, page_out
from deskside.core.exceptions import DomainError
from deskside.core.pagination import paginate
from deskside.tickets import idempotency, services
from deskside.tickets.exceptions import InvalidInput, NotAllowed
from deskside.tickets.models import Priority, Ticket, TicketEvent, parse_number
from deskside.tickets.queries import (
    LIST_RELATED,
    open_ticket_counts,
    people_visible_to,
    queue_with_window,
    ticket_for,
    visible_events,
    visible_tickets,
)
from deskside.tickets.schemas import (
    AssignIn,
    BodyIn,
    BulkIn,
    BulkOut,
    CallerParams,
    CallersOut,
    CallIn,
    EscalateIn,
    EventOut,
    MergeIn,
    ReasonIn,
    ReplyIn,
    ResolveIn,
    StatusIn,
    TicketCreate,
    TicketDetailOut,
    TicketFilters,
    TicketOut,
    TicketPatch,
)

router = Router(tags=["tickets"])
M = TypeVar("M", bound=Model)

IdempotencyKeyHeader = Annotated[
    Text | None,
    Header(
        alias="Idempotency-Key",
        description="Up to 200 characters, one per request you mean: a retry with the same key "
        "and body replays the first answer (200); another body with the key is a 409.",
    ),
]


# -- parsing identifiers -----------------------------------------------------------------------


def _user(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


def _ticket_or_404(user: User, number: str) -> Ticket:
    """The visible ticket `number`, with what the detail schema reads, or Http404."""
    return ticket_for(user, number, related=LIST_RELATED)


def _one(queryset: QuerySet[M], field: str, what: str, **lookup: object) -> M:
    """The single row of `queryset` matching `lookup`, or a 422 naming `field`."""
    row = queryset.filter(**lookup).first()
    if row is None:
        value = next(iter(lookup.values()))
        raise InvalidInput(f"no {what} {value!r}", field=field)
    return row


def _organization(user: User, slug: str | None) -> Organization | None:
    if slug is None:
        return None
    return _one(organizations_visible_to(user), "organization", "organisation", slug=slug)


def _team(slug: str | None) -> Team | None:
    return None if slug is None else _one(Team.objects.all(), "team", "team", slug=slug)


def _person(user: User, public_id: str | None, field: str) -> User | None:
    if public_id is None:
        return None
    return _one(people_visible_to(user), field, "user", public_id=public_id)


def _site(user: User, public_id: str | None) -> Site | None:
    if public_id is None:
        return None
    return _one(sites_visible_to(user), "site", "site", public_id=public_id)


def _other_ticket(user: User, number: str | None, field: str) -> Ticket | None:
    """Another ticket named in the input (parent, merge target): visible, or a 422."""
    if number is None:
        return None
    pk = parse_number(number)
    ticket = visible_tickets(user).filter(pk=pk).first() if pk else None
    if ticket is None:
        raise InvalidInput(f"no ticket {number!r}", field=field)
    return ticket


@contextmanager
def _renamed(service_field: str, api_field: str) -> Iterator[None]:
    """Report a service's error under the name the API's client used for that input."""
    try:
        yield
    except DomainError as exc:
        if exc.field == service_field:
            exc.field = api_field
        raise


def _expected(request: HttpRequest, payload: Schema | None) -> int | None:
    """The version a change is based on: the `If-Match` header (`18204`, `"18204"` or
    `W/"18204"`; `*` means any) or the payload's `version` field; None: no check."""
    header = request.headers.get("If-Match", "").strip()
    if header and header != "*":
        value = header.removeprefix("W/").strip('"')
        if not value.isascii() or not value.isdigit() or len(value) > 18:
            raise InvalidInput("If-Match must be a ticket version (a number)", field="version")
        return int(value)
    return getattr(payload, "version", None)


def _fresh(user: User, ticket: Ticket) -> Ticket:
    """Re-read the ticket after a service changed it, so the response is what was stored."""
    return _ticket_or_404(user, ticket.number)


# -- list, create, read, edit ------------------------------------------------------------------


@router.get("", response=PageOut[TicketOut], summary="List and search tickets")
def list_tickets(request: HttpRequest, filters: Query[TicketFilters]) -> dict[str, object]:
    """Tickets the caller may see, newest first unless `sort` says otherwise. `q` searches
    subject, description and replies (agents also internal notes and call logs)."""
    user = _user(request)
    # An empty parameter (`?team=`, as a plain HTML form sends it) means "any".
    _organization(user, filters.organization or None)
    _person(user, filters.assignee or None, "assignee")
    team = _team(filters.team or None)
    if filters.sla and not user.is_agent:
        raise NotAllowed("SLA states are for agents", field="sla")
    if filters.sort == "due" and not user.is_agent:
        raise NotAllowed("sorting by SLA due time is for agents", field="sort")
    qs, first_try = queue_with_window(
        user,
        filters.queue,
        organization=filters.organization,
        priority=int(Priority.from_label(filters.priority)) if filters.priority else None,
        status=filters.status,
        tier=filters.tier,
        team=team.pk if team else None,
        assignee=filters.assignee,
        text=filters.q,
        sla=filters.sla,
        sort=filters.sort,
    )
    return page_out(
        paginate(request, qs, page=filters.page, limit=filters.limit, first_try=first_try)
    )


@router.post(
    "",
    response={200: TicketDetailOut, 201: TicketDetailOut},
    summary="Open a ticket",
)
def create_ticket(
    request: HttpRequest,
    payload: TicketCreate,
    idempotency_key: IdempotencyKeyHeader = None,
) -> Status[Ticket]:
    """201 with the new ticket. With an `Idempotency-Key` header, a retry of the same request
    by the same user returns the ticket the first one opened, with 200; the key sent with a
    different request is a 409."""
    user = _user(request)
    result = services.create_ticket(
        actor=user,
        ticket=services.NewTicket(
            subject=payload.subject,
            organization=_organization(user, payload.organization),
            requester=_person(user, payload.requester, "requester"),
            description=payload.description,
            type=payload.type,
            priority=payload.priority,
            channel=payload.channel,
            site=_site(user, payload.site),
            team=_team(payload.team),
            assignee=_person(user, payload.assignee, "assignee"),
            tier=payload.tier,
            watchers=[_person(user, w, "watchers") for w in payload.watchers],
            parent=_other_ticket(user, payload.parent, "parent"),
        ),
        idempotency_key=idempotency_key,
    )
    if not result.created:
        return Status(200, _fresh(user, result.ticket))
    # The new ticket holds every related object it was created with: no need to read it back.
    return Status(201, result.ticket)


# -- bulk actions (before /{number}: Django tries the paths in order) ---------------------------


@router.post("/bulk", response=BulkOut, summary="One action on many tickets (agents)")
def bulk(request: HttpRequest, payload: BulkIn) -> dict[str, object]:
    """Assign, set status, priority, team or tier (escalate), add a watcher, merge or close
    the tickets named by `ids`, or all those matching `filter` (at most 5,000), each through
    the same rules as one at a time. 200 with the numbers done and each refusal with its
    reason (a ticket the caller may not see is refused as "not found")."""
    user = _user(request)
    if not user.is_agent:
        raise NotAllowed("only agents may use bulk actions")
    if (payload.ids is None) == (payload.filter is None):
        raise InvalidInput("give either ids or filter", field="ids")
    args = payload.args
    if payload.filter is not None:
        f = payload.filter
        _organization(user, f.organization or None)
        _person(user, f.assignee or None, "assignee")
        team = _team(f.team or None)
        tickets, _ = queue_with_window(
            user,
            f.queue,
            organization=f.organization,
            priority=int(Priority.from_label(f.priority)) if f.priority else None,
            status=f.status,
            tier=f.tier,
            team=team.pk if team else None,
            assignee=f.assignee,
            text=f.q,
            sla=f.sla,
        )
    else:
        tickets = payload.ids  # type: ignore[assignment]
    result = services.bulk_apply(
        actor=user,
        tickets=tickets,
        action=payload.action,
        assignee=_person(user, args.assignee, "assignee"),
        team=_team(args.team),
        status=args.status,
        reason=args.reason,
        priority=args.priority,
        tier=args.tier,
        symptoms=args.symptoms,
        steps_tried=args.steps_tried,
        impact=args.impact,
        watcher=_person(user, args.watcher, "watcher"),
        into=args.into,
    )
    return {"done": result.done, "refused": result.refused, "summary": result.summary()}


# -- one ticket --------------------------------------------------------------------------------


@router.get("/{number}", response=TicketDetailOut, summary="One ticket")
def get_ticket(request: HttpRequest, number: str) -> Ticket:
    return _ticket_or_404(_user(request), number)


@router.patch("/{number}", response=TicketDetailOut, summary="Edit a ticket (agents)")
def update_ticket(request: HttpRequest, number: str, payload: TicketPatch) -> Ticket:
    """Change subject, description, type, priority, site or parent; only the fields sent."""
    user = _user(request)
    ticket = _ticket_or_404(user, number)
    changes = payload.model_dump(exclude_unset=True)
    changes.pop("version", None)
    if "site" in changes:
        changes["site"] = _site(user, changes["site"])
    if "parent" in changes:
        changes["parent"] = _other_ticket(user, changes["parent"], "parent")
    services.update_ticket(
        actor=user, ticket=ticket, expected_version=_expected(request, payload), **changes
    )
    return _fresh(user, ticket)


# -- workflow actions --------------------------------------------------------------------------


@router.post("/{number}/assign", response=TicketDetailOut, summary="Assign (agents)")
def assign(request: HttpRequest, number: str, payload: AssignIn) -> Ticket:
    user = _user(request)
    ticket = _ticket_or_404(user, number)
    services.assign_ticket(
        actor=user,
        ticket=ticket,
        assignee=_person(user, payload.assignee, "assignee"),
        team=_team(payload.team),
        expected_version=_expected(request, payload),
    )
    return _fresh(user, ticket)


@router.post("/{number}/escalate", response=TicketDetailOut, summary="Escalate (agents)")
def escalate(request: HttpRequest, number: str, payload: EscalateIn) -> Ticket:
    """Pass the ticket to L2 or L3 with the triage notes the next tier needs."""
    user = _user(request)
    ticket = _ticket_or_404(user, number)
    services.escalate_ticket(
        actor=user,
        ticket=ticket,
        tier=payload.tier,
        symptoms=payload.symptoms,
        steps_tried=payload.steps_tried,
        impact=payload.impact,
        team=_team(payload.team),
        assignee=_person(user, payload.assignee, "assignee"),
        expected_version=_expected(request, payload),
    )
    return _fresh(user, ticket)


def _once(
    user: User,
    key: str | None,
    action: str,
    ticket: Ticket,
    payload: Schema,
    service: Callable[..., TicketEvent],
    **extra: object,
) -> Status[TicketEvent]:
    """201 with the event `service` wrote, or 200 with the first one for a replayed key.
    `extra` goes to the service only (not part of what a replayed key must match)."""
    fields = payload.model_dump(exclude={"version"})
    done = idempotency.once(
        actor=user,
        key=key,
        action=action,
        ticket=ticket,
        fields=fields,
        run=lambda: service(actor=user, ticket=ticket, **fields, **extra),
    )
    return Status(200 if done.replayed else 201, done.result)


@router.post("/{number}/reply", response={200: EventOut, 201: EventOut}, summary="Public reply")
def reply(
    request: HttpRequest,
    number: str,
    payload: ReplyIn,
    idempotency_key: IdempotencyKeyHeader = None,
) -> Status[TicketEvent]:
    """Refused with 409 when `version` (or If-Match) is given and another public reply (an
    agent's or the customer's) arrived since."""
    user = _user(request)
    ticket = _ticket_or_404(user, number)
    return _once(
        user,
        idempotency_key,
        "reply",
        ticket,
        payload,
        services.add_reply,
        expected_version=_expected(request, payload),
    )


@router.post(
    "/{number}/note", response={200: EventOut, 201: EventOut}, summary="Internal note (agents)"
)
def note(
    request: HttpRequest, number: str, payload: BodyIn, idempotency_key: IdempotencyKeyHeader = None
) -> Status[TicketEvent]:
    user = _user(request)
    ticket = _ticket_or_404(user, number)
    return _once(user, idempotency_key, "note", ticket, payload, services.add_note)


@router.post(
    "/{number}/calls", response={200: EventOut, 201: EventOut}, summary="Log a call (agents)"
)
def log_call(
    request: HttpRequest, number: str, payload: CallIn, idempotency_key: IdempotencyKeyHeader = None
) -> Status[TicketEvent]:
    user = _user(request)
    ticket = _ticket_or_404(user, number)
    return _once(user, idempotency_key, "call", ticket, payload, services.log_call)


@router.post("/{number}/resolve", response=TicketDetailOut, summary="Resolve (agents)")
def resolve(request: HttpRequest, number: str, payload: ResolveIn) -> Ticket:
    user = _user(request)
    ticket = _ticket_or_404(user, number)
    services.resolve_ticket(
        actor=user,
        ticket=ticket,
        resolution=payload.resolution,
        expected_version=_expected(request, payload),
    )
    return _fresh(user, ticket)


@router.post("/{number}/reopen", response=TicketDetailOut, summary="Reopen a resolved ticket")
def reopen(request: HttpRequest, number: str, payload: ReasonIn | None = None) -> Ticket:
    user = _user(request)
    ticket = _ticket_or_404(user, number)
    services.reopen_ticket(
        actor=user,
        ticket=ticket,
        reason=payload.reason if payload else "",
        expected_version=_expected(request, payload),
    )
    return _fresh(user, ticket)


@router.post("/{number}/close", response=TicketDetailOut, summary="Close for good")
def close(request: HttpRequest, number: str, payload: ReasonIn | None = None) -> Ticket:
    user = _user(request)
    ticket = _ticket_or_404(user, number)
    services.close_ticket(
        actor=user,
        ticket=ticket,
        reason=payload.reason if payload else "",
        expected_version=_expected(request, payload),
    )
    return _fresh(user, ticket)


@router.post("/{number}/merge", response=TicketDetailOut, summary="Merge into another (agents)")
def merge(request: HttpRequest, number: str, payload: MergeIn) -> Ticket:
    """Close this ticket into `into`; returns this (now closed) ticket."""
    user = _user(request)
    ticket = _ticket_or_404(user, number)
    target = _other_ticket(user, payload.into, "into")
    with _renamed("target", "into"):
        services.merge_tickets(
            actor=user,
            source=ticket,
            target=target,  # type: ignore[arg-type]
            expected_version=_expected(request, payload),
        )
    return _fresh(user, ticket)


@router.post("/{number}/status", response=TicketDetailOut, summary="Set a working status")
def set_status(request: HttpRequest, number: str, payload: StatusIn) -> Ticket:
    """open, pending_customer, pending_vendor or on_hold (agents). Resolving, reopening and
    closing are their own actions."""
    user = _user(request)
    ticket = _ticket_or_404(user, number)
    services.set_status(
        actor=user,
        ticket=ticket,
        status=payload.status,
        reason=payload.reason,
        expected_version=_expected(request, payload),
    )
    return _fresh(user, ticket)


# -- timeline ----------------------------------------------------------------------------------


@router.get("/{number}/events", response=PageOut[EventOut], summary="The ticket's timeline")
def events(request: HttpRequest, number: str, params: Query[PageParams]) -> dict[str, object]:
    """Oldest first. Customers get the public events only (never internal notes)."""
    user = _user(request)
    ticket = _ticket_or_404(user, number)
    qs = visible_events(user, ticket).order_by("id")
    return page_out(paginate(request, qs, page=params.page, limit=params.limit))


# -- the people the caller may see (/users) ------------------------------------------------------
# Part of the directory, answered here because who a customer may see depends on tickets: the
# agents who worked on their organisation's tickets (tickets.queries.people_visible_to). Mounted
# at the API's root (deskside/api.py), so the path is /api/v1/users.

people_router = Router(tags=["directory"])


class UserFilters(PageParams):
    kind: Literal["agent", "customer"] | None = None
    organization: Text | None = Field(None, description="Organisation slug.")


@people_router.get("/users", response=PageOut[UserOut], summary="People the caller may see")
def list_users(request: HttpRequest, params: Query[UserFilters]) -> dict[str, object]:
    user: User = request.user  # type: ignore[assignment]
    qs = people_visible_to(user)
    if params.kind:
        qs = qs.filter(kind=params.kind)
    if params.organization:
        organization = organizations_visible_to(user).filter(slug=params.organization).first()
        if organization is None:
            raise InvalidInput(f"no organisation {params.organization!r}", field="organization")
        qs = qs.filter(organization=organization)
    qs = qs.order_by("full_name", "email")
    return page_out(paginate(request, qs, page=params.page, limit=params.limit))


@people_router.get("/callers", response=CallersOut, summary="Caller look-up (agents)")
def caller_lookup(request: HttpRequest, params: Query[CallerParams]) -> dict[str, object]:
    """The active contacts of the clients the agent serves that `q` names (phone in any
    format, or the start of a name, email or client name), people matching themselves first,
    each with their open tickets count: what Log a call's look-up and a phone system's
    screen-pop find. Agents only."""
    user: User = request.user  # type: ignore[assignment]
    if not user.is_agent:
        raise NotAllowed("caller look-up is for agents", field="q")
    found = callers_matching(user, params.q, params.limit)
    counts = open_ticket_counts(user, found)
    for person in found:
        person.open_count = counts.get(person.pk, 0)  # type: ignore[attr-defined]
    return {"items": found}
