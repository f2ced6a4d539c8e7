"""Customer satisfaction under /api/v1/:

    GET  /surveys?start=&end=&client=&team=&agent=&rating=&page=&limit=
                                        surveys, newest resolution first: an agent's of the
                                        clients they serve; a customer's own only
    GET  /surveys/report?by=client|agent|team&start=&end=&client=&team=&agent=
                                        the CSAT report as JSON (agents; a customer gets 403)
    POST /surveys/answer                {token, rating, comment}: the answer of a signed link,
                                        without authentication (the token is the credential)
    POST /surveys/{id}/answer           {rating, comment}: the requester's own answer
    GET  /surveys/follow-ups?done=false the follow-ups bad ratings opened (agents)
    POST /surveys/follow-ups/{id}/done  {note}: done, with what was done (agents)

Days are the caller's (their time zone); see deskside.surveys.report for the definitions.
Errors are `{"detail", "field"}`: a bad link 400, answered already 409, closed 410, a rating
that is not good/okay/bad 422.
"""

from datetime import date, datetime
from typing import Literal

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema

from deskside.accounts.models import Organization, Team, User
from deskside.accounts.queries import organizations_visible_to
from deskside.accounts.schemas import OrganizationRef, TeamRef, UserRef
from deskside.core.api import PageOut, PageParams, Text, get_or_404, page_out
from deskside.core.pagination import paginate
from deskside.core.timezones import zone
from deskside.surveys import services
from deskside.surveys.exceptions import InvalidInput, NotAllowed
from deskside.surveys.models import FollowUp, Survey
from deskside.surveys.queries import follow_ups_visible_to, surveys_visible_to
from deskside.surveys.report import bounds, build

router = Router(tags=["surveys"])
RatingName = Literal["good", "okay", "bad"]


class SurveyOut(Schema):
    id: str = Field(alias="public_id")
    ticket: str = Field(alias="ticket_number", description="The ticket's number (T-10423).")
    organization: OrganizationRef
    requester: UserRef
    agent: UserRef | None = Field(description="The assignee when the ticket was resolved.")
    team: TeamRef | None
    resolved_at: datetime
    closes_at: datetime = Field(description="Answers are taken until then.")
    rating: str | None
    comment: str
    answered_at: datetime | None
    via: str | None = Field(description="link, portal or api; null while unanswered.")

    @staticmethod
    def resolve_rating(obj: Survey) -> str | None:
        return obj.rating or None

    @staticmethod
    def resolve_via(obj: Survey) -> str | None:
        return obj.via or None


class SurveyFilters(PageParams):
    start: date | None = Field(None, description="First day (of resolution), included.")
    end: date | None = Field(None, description="Last day, included.")
    client: Text | None = Field(None, description="Organisation slug.")
    team: Text | None = Field(None, description="Team slug.")
    agent: Text | None = Field(None, description="Agent public id.")
    rating: RatingName | None = None


class CsatReportParams(Schema):
    by: Literal["client", "agent", "team"] = "client"
    start: date
    end: date
    client: Text | None = Field(None, description="Organisation slug.")
    team: Text | None = Field(None, description="Team slug.")
    agent: Text | None = Field(None, description="Agent public id.")


class CsatRowOut(Schema):
    key: str = Field(description="The client's or team's slug, the agent's public id; '' none.")
    label: str
    sent: int
    answered: int
    good: int
    okay: int
    bad: int
    csat: float | None = Field(description="good / answered * 100; null with no answers.")
    response_rate: float | None = Field(description="answered / sent * 100.")


class CsatReportOut(Schema):
    by: str
    start: date
    end: date
    timezone: str = Field(alias="zone")
    rows: list[CsatRowOut]
    total: CsatRowOut


class SurveyTokenAnswerIn(Schema):
    token: Text = Field(description="The signed token of the survey link.")
    rating: RatingName
    comment: Text = ""


class SurveyAnswerIn(Schema):
    rating: RatingName
    comment: Text = ""


class SurveyAnswerOut(Schema):
    id: str = Field(alias="public_id")
    rating: str
    answered_at: datetime


class SurveyFollowUpOut(Schema):
    id: str = Field(alias="public_id")
    ticket: str = Field(alias="ticket_number")
    organization: OrganizationRef
    team: TeamRef | None
    lead: UserRef | None
    comment: str = Field(description="The customer's comment.")
    created_at: datetime
    done_at: datetime | None
    done_by: UserRef | None
    note: str

    @staticmethod
    def resolve_comment(obj: FollowUp) -> str:
        return obj.survey.comment


class SurveyFollowUpFilters(PageParams):
    done: bool = Field(False, description="The done ones instead of the open ones.")


class FollowUpDoneIn(Schema):
    note: Text


def _agent(request: HttpRequest) -> User:
    user: User = request.user  # type: ignore[assignment]
    if not user.is_agent:
        raise NotAllowed("the CSAT report and follow-ups are for agents")
    return user


def _narrow(
    user: User, client: str | None, team: str | None, agent: str | None
) -> tuple[Organization | None, Team | None, User | None]:
    org = t = a = None
    if client:
        org = organizations_visible_to(user).filter(slug=client).first()
        if org is None:
            raise InvalidInput(f"no client {client!r}", field="client")
    if team:
        t = Team.objects.filter(slug=team).first()
        if t is None:
            raise InvalidInput(f"no team {team!r}", field="team")
    if agent:
        a = User.objects.filter(public_id=agent, kind=User.Kind.AGENT).first()
        if a is None:
            raise InvalidInput(f"no agent {agent!r}", field="agent")
    return org, t, a


@router.get("/surveys", response=PageOut[SurveyOut], summary="Surveys")
def list_surveys(request: HttpRequest, params: Query[SurveyFilters]) -> dict[str, object]:
    user: User = request.user  # type: ignore[assignment]
    qs = surveys_visible_to(user)
    tz = zone(user.timezone)
    if params.start is not None:
        qs = qs.filter(resolved_at__gte=bounds(params.start, params.start, tz)[0])
    if params.end is not None:
        qs = qs.filter(resolved_at__lt=bounds(params.end, params.end, tz)[1])
    org, team, agent = _narrow(user, params.client, params.team, params.agent)
    for column, value in (("organization", org), ("team", team), ("agent", agent)):
        if value is not None:
            qs = qs.filter(**{column: value})
    if params.rating:
        qs = qs.filter(rating=params.rating)
    qs = qs.order_by("-resolved_at", "-id")
    return page_out(paginate(request, qs, page=params.page, limit=params.limit))


@router.get("/surveys/report", response=CsatReportOut, summary="The CSAT report")
def report(request: HttpRequest, params: Query[CsatReportParams]) -> object:
    user = _agent(request)
    if params.end < params.start:
        raise InvalidInput("the end is before the start", field="end")
    org, team, agent = _narrow(user, params.client, params.team, params.agent)
    return build(
        user,
        start=params.start,
        end=params.end,
        by=params.by,
        tz=zone(user.timezone),
        organization=org,
        team=team,
        agent=agent,
    )


@router.post(
    "/surveys/answer", response=SurveyAnswerOut, auth=None, summary="Answer by signed link"
)
def answer_by_token(request: HttpRequest, body: SurveyTokenAnswerIn) -> Survey:
    return services.answer_by_link(token=body.token, rating=body.rating, comment=body.comment)


@router.get("/surveys/follow-ups", response=PageOut[SurveyFollowUpOut], summary="Follow-ups")
def list_follow_ups(
    request: HttpRequest, params: Query[SurveyFollowUpFilters]
) -> dict[str, object]:
    qs = follow_ups_visible_to(_agent(request)).filter(done_at__isnull=not params.done)
    return page_out(paginate(request, qs.order_by("-id"), page=params.page, limit=params.limit))


@router.post("/surveys/follow-ups/{public_id}/done", response=SurveyFollowUpOut, summary="Done")
def follow_up_done(request: HttpRequest, public_id: str, body: FollowUpDoneIn) -> FollowUp:
    user = _agent(request)
    follow_up = get_or_404(
        follow_ups_visible_to(user), f"no follow-up {public_id!r}", public_id=public_id
    )
    services.complete_follow_up(actor=user, follow_up=follow_up, note=body.note)
    return follow_ups_visible_to(user).get(pk=follow_up.pk)


@router.post("/surveys/{public_id}/answer", response=SurveyAnswerOut, summary="Answer my survey")
def answer(request: HttpRequest, public_id: str, body: SurveyAnswerIn) -> Survey:
    user: User = request.user  # type: ignore[assignment]
    survey = get_or_404(surveys_visible_to(user), f"no survey {public_id!r}", public_id=public_id)
    return services.answer_as_requester(
        actor=user, survey=survey, rating=body.rating, comment=body.comment, via="api"
    )
