"""The daily review and the wall board under /api/v1/ (agents only; a customer's token gets
403):

    GET  /review?team=&client=&limit=          today's groups (the caller's day), each with its
                                               count (capped at 1000: `count_capped`) and first
                                               tickets, each ticket with today's mark
    GET  /review/groups/{name}?team=&client=&page=&limit=   one group, paged
    POST /review/marks                         mark a ticket reviewed {ticket, note}
    GET  /review/marks?day=&reviewer=&page=&limit=          the history: marks newest first
    GET  /review/days?page=&limit=             the history per day (marks, reviewers)
    GET  /review/settings                      the set-up; PUT changes it (admins)
    GET  /wallboard?team=                      the wall board's figures

Tickets are addressed by their number, teams and clients by slug, reviewers by public id.
"""

from datetime import date, datetime

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema, Status

from deskside.accounts.models import User
from deskside.accounts.permissions import is_agent
from deskside.accounts.schemas import OrganizationRef, TeamRef, UserRef
from deskside.core.api import PageOut, PageParams, Text, page_out
from deskside.core.pagination import paginate
from deskside.review import queries, services
from deskside.review.exceptions import NotAllowed, NotFound
from deskside.review.models import ReviewMark, ReviewSettings
from deskside.review.wallboard import board
from deskside.tickets.models import Ticket, parse_number
from deskside.tickets.queries import visible_tickets

router = Router(tags=["review"])


def _agent(request: HttpRequest) -> User:
    user: User = request.user  # type: ignore[assignment]
    if not is_agent(user):
        raise NotAllowed("the review and the wall board are for agents")
    return user


class ReviewMarkRef(Schema):
    public_id: str
    reviewer: UserRef
    day: date
    at: datetime
    note: str


class ReviewTicketRow(Schema):
    number: str
    subject: str
    organization: OrganizationRef
    priority: str = Field(description="P1, P2, P3 or OPS.")
    status: str
    team: TeamRef | None
    assignee: UserRef | None
    created_at: datetime
    updated_at: datetime
    sla_due: datetime | None
    reviewed: ReviewMarkRef | None = Field(description="Today's mark (the caller's day), or null.")


class ReviewGroupOut(Schema):
    name: str
    label: str
    count: int = Field(description="How many tickets, counted up to 1001.")
    count_capped: bool = Field(description="True when there are more than 1000.")
    tickets: list[ReviewTicketRow]


class ReviewOut(Schema):
    day: date = Field(description="The caller's day, in their time zone.")
    timezone: str
    open_days: int
    reopened_since: datetime
    groups: list[ReviewGroupOut]


class ReviewScopeParams(Schema):
    team: Text | None = Field(None, description="A team's slug.")
    client: Text | None = Field(None, description="A client's slug.")


class ReviewGroupsParams(ReviewScopeParams):
    limit: int = Field(10, ge=1, le=100, description="Tickets per group.")


class ReviewGroupParams(ReviewScopeParams, PageParams):
    pass


class ReviewMarkIn(Schema):
    ticket: Text = Field(description="The ticket's number, e.g. T-10423.")
    note: Text = Field("", description="Optional; also written as an internal note.")


class ReviewMarkOut(ReviewMarkRef):
    ticket: str


class ReviewMarksParams(PageParams):
    day: date | None = None
    reviewer: Text | None = Field(None, description="A reviewer's public id.")


class ReviewDayOut(Schema):
    day: date
    marks: int
    reviewers: int


class ReviewSettingsIn(Schema):
    open_days: int = Field(description="1 to 365.")


class ReviewSettingsOut(Schema):
    open_days: int
    updated_at: datetime


class WallboardFigure(Schema):
    label: str
    count: int


class WallboardOnCall(Schema):
    schedule: str
    person: str | None


class WallboardOnDesk(Schema):
    team: str
    people: list[str] | None = Field(description="Null when the team has no roster or duty.")


class WallboardPage(Schema):
    ticket: str
    organization: str
    status: str = Field(description="active (paging) or exhausted (nobody left to page).")
    started_at: datetime


class WallboardOut(Schema):
    now: datetime
    team: TeamRef | None
    open_by_priority: list[WallboardFigure]
    open_total: int
    unassigned: int
    sla_at_risk: int = Field(description="Running clocks due within the next 2 hours.")
    sla_breached: int
    calls_today: int = Field(description="Calls logged since the caller's midnight.")
    on_call: list[WallboardOnCall]
    on_desk: list[WallboardOnDesk]
    unacknowledged_pages: list[WallboardPage]


def _scope(user: User, params: ReviewScopeParams) -> queries.Scope:
    team = queries.team_by_slug(params.team)
    if params.team and team is None:
        raise NotFound(f"no team {params.team!r}", field="team")
    client = queries.client_by_slug(user, params.client)
    if params.client and client is None:
        raise NotFound(f"no client {params.client!r}", field="client")
    return queries.scope_for(user, team=team, client=client)


def _rows(scope: queries.Scope, tickets: list[Ticket]) -> list[dict]:
    found = queries.marks_for(scope.day, [t.pk for t in tickets])
    return [
        {
            "number": t.number,
            "subject": t.subject,
            "organization": t.organization,
            "priority": t.priority_label,
            "status": t.status,
            "team": t.team,
            "assignee": t.assignee,
            "created_at": t.created_at,
            "updated_at": t.updated_at,
            "sla_due": t.sla_due,
            "reviewed": found.get(t.pk),
        }
        for t in tickets
    ]


@router.get("/review", response=ReviewOut, summary="Today's review")
def review(request: HttpRequest, params: Query[ReviewGroupsParams]) -> dict:
    scope = _scope(_agent(request), params)
    groups = []
    for name in queries.GROUPS:
        qs = queries.group(scope, name)
        tickets = list(qs[: params.limit + 1])
        count = queries.capped_count(qs) if len(tickets) > params.limit else len(tickets)
        groups.append(
            {
                "name": name,
                "label": scope.label(name),
                "count": count,
                "count_capped": count > queries.COUNT_CAP,
                "tickets": _rows(scope, tickets[: params.limit]),
            }
        )
    return {
        "day": scope.day,
        "timezone": scope.viewer.timezone or "UTC",
        "open_days": scope.open_days,
        "reopened_since": scope.reopened_since,
        "groups": groups,
    }


@router.get("/review/groups/{name}", response=PageOut[ReviewTicketRow], summary="One review group")
def review_group(request: HttpRequest, name: str, params: Query[ReviewGroupParams]) -> dict:
    user = _agent(request)
    if name not in queries.GROUPS:
        raise NotFound(f"no review group {name!r}: one of {', '.join(queries.GROUPS)}")
    scope = _scope(user, params)
    page = paginate(request, queries.group(scope, name), page=params.page, limit=params.limit)
    out = page_out(page)
    out["items"] = _rows(scope, page.items)
    return out


def _mark_out(mark: ReviewMark) -> dict:
    return {
        "public_id": mark.public_id,
        "ticket": mark.ticket.number,
        "reviewer": mark.reviewer,
        "day": mark.day,
        "at": mark.at,
        "note": mark.note,
    }


@router.post("/review/marks", response={201: ReviewMarkOut}, summary="Mark a ticket reviewed")
def mark(request: HttpRequest, body: ReviewMarkIn) -> Status:
    user = _agent(request)
    pk = parse_number(body.ticket)
    ticket = visible_tickets(user).filter(pk=pk).first() if pk is not None else None
    if ticket is None:
        raise NotFound(f"no ticket {body.ticket}", field="ticket")
    done = services.mark_reviewed(actor=user, ticket=ticket, note=body.note)
    return Status(201, _mark_out(done))


@router.get("/review/marks", response=PageOut[ReviewMarkOut], summary="Review history")
def marks(request: HttpRequest, params: Query[ReviewMarksParams]) -> dict:
    user = _agent(request)
    reviewer = None
    if params.reviewer:
        reviewer = User.objects.filter(public_id=params.reviewer, kind=User.Kind.AGENT).first()
        if reviewer is None:
            raise NotFound(f"no reviewer {params.reviewer!r}", field="reviewer")
    qs = queries.marks(user, day=params.day, reviewer=reviewer)
    out = page_out(paginate(request, qs, page=params.page, limit=params.limit))
    out["items"] = [_mark_out(m) for m in out["items"]]  # type: ignore[attr-defined]
    return out


@router.get("/review/days", response=PageOut[ReviewDayOut], summary="Review history per day")
def days(request: HttpRequest, params: Query[PageParams]) -> dict:
    qs = queries.history_days(_agent(request))
    return page_out(paginate(request, qs, page=params.page, limit=params.limit))


@router.get("/review/settings", response=ReviewSettingsOut, summary="The review's set-up")
def get_settings(request: HttpRequest) -> ReviewSettings:
    _agent(request)
    return ReviewSettings.current()


@router.put("/review/settings", response=ReviewSettingsOut, summary="Change the review's set-up")
def put_settings(request: HttpRequest, body: ReviewSettingsIn) -> ReviewSettings:
    return services.set_open_days(actor=_agent(request), days=body.open_days)


@router.get("/wallboard", response=WallboardOut, summary="The wall board's figures")
def wallboard(request: HttpRequest, team: Text | None = None) -> dict:
    user = _agent(request)
    found = queries.team_by_slug(team)
    if team and found is None:
        raise NotFound(f"no team {team!r}", field="team")
    b = board(user, found)
    return {
        "now": b.now,
        "team": b.team,
        "open_by_priority": [{"label": label, "count": n} for label, n in b.by_priority],
        "open_total": b.open_total,
        "unassigned": b.unassigned,
        "sla_at_risk": b.sla_at_risk,
        "sla_breached": b.sla_breached,
        "calls_today": b.calls_today,
        "on_call": [{"schedule": s, "person": p} for s, p in b.on_call],
        "on_desk": [{"team": t, "people": p} for t, p in b.on_desk],
        "unacknowledged_pages": [
            {
                "ticket": e.ticket.number,
                "organization": e.ticket.organization.name,
                "status": e.status,
                "started_at": e.started_at,
            }
            for e in b.pages
        ],
    }
