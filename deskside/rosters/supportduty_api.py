"""Support duty under /api/v1/support-duty:

    GET  /support-duty              every team: its duty mode and who is on duty now
    GET  /support-duty/{slug}       one team's duty: settings, members in order, who is on duty
                                    now (or `at=`), today's hand-off and the next few
    PUT  /support-duty/{slug}       {mode, members, period, handoff_time, timezone, starts_on}

`at` is ISO 8601; one without an offset is read in the caller's zone. Agents only: a
customer's token gets 403 everywhere. Only an administrator or the team's lead
may PUT (403 for any other agent). Members are given by e-mail address or public id, in
rotation order. Errors are `{"detail", "field"}` with a 4xx status.
"""

from datetime import date, datetime

from django.db.models import Q
from django.http import HttpRequest
from ninja import Field, Router, Schema

from deskside.accounts.models import Team, User
from deskside.accounts.schemas import TeamRef, UserRef
from deskside.core import clock
from deskside.core.api import Text, get_or_404
from deskside.core.timezones import zone
from deskside.rosters import supportduty
from deskside.rosters.exceptions import InvalidInput, NotAllowed
from deskside.rosters.supportduty_queries import DutyOverview, on_duty_for, overview, teams

router = Router(tags=["support duty"])


class SupportDutyHandoffOut(Schema):
    at: datetime
    outgoing: list[UserRef]
    incoming: list[UserRef] = Field(description="Who takes over, leave considered.")
    away: list[UserRef] = Field(
        description="Whose turn it is by the rota, on leave then: `incoming` covers them."
    )


class SupportDutySummaryOut(Schema):
    team: TeamRef
    mode: str = Field(description='"everyone" (no duty), "fixed" or "rotational".')
    on_duty: list[UserRef] = Field(description="Empty for everyone (the whole team answers).")


class SupportDutyOut(Schema):
    team: TeamRef
    mode: str = Field(description='"everyone" (no duty), "fixed" or "rotational".')
    period: str | None = Field(description='"daily" or "weekly" (a rotational duty\'s turn).')
    handoff_time: str | None = Field(description="HH:MM, local time in `timezone`.")
    timezone: str | None
    starts_on: date | None = Field(description="The day of the first hand-off.")
    members: list[UserRef] = Field(description="In rotation order.")
    on_duty: list[UserRef]
    handoffs: list[SupportDutyHandoffOut] = Field(
        description="Today's hand-offs (in the duty's zone) and the next few."
    )


class SupportDutyIn(Schema):
    mode: str = Field(description='"everyone", "fixed" or "rotational".')
    members: list[str] = Field(default=[], description="E-mail addresses or public ids.")
    period: str = "weekly"
    handoff_time: str = "09:00"
    timezone: str | None = Field(default=None, description="Default: the current zone.")
    starts_on: date | None = Field(default=None, description="Default: the current day.")


def _agent(request: HttpRequest) -> User:
    user: User = request.user  # type: ignore[assignment]
    if not user.is_agent:
        raise NotAllowed("only agents read support duty")
    return user


def _team(request: HttpRequest, slug: str) -> Team:
    _agent(request)
    return get_or_404(teams(), f"no team {slug!r}", slug=slug)


def _out(view: DutyOverview) -> dict:
    duty = view.duty
    return {
        "team": view.team,
        "mode": view.mode,
        "period": duty.period if duty else None,
        "handoff_time": duty.handoff_time if duty else None,
        "timezone": duty.timezone if duty else None,
        "starts_on": duty.starts_on if duty else None,
        "members": view.members,
        "on_duty": view.on_duty,
        "handoffs": [
            {"at": h.at, "outgoing": h.outgoing, "incoming": h.incoming, "away": h.away}
            for h in view.handoffs
        ],
    }


def _people(values: list[str]) -> list[User]:
    found = []
    for i, value in enumerate(values):
        text = value.strip()
        person = User.objects.filter(
            Q(email__iexact=text) | Q(public_id=text), kind=User.Kind.AGENT
        ).first()
        if person is None:
            raise InvalidInput(f"no agent {value!r}", field=f"members.{i}")
        found.append(person)
    return found


@router.get("", response=list[SupportDutySummaryOut], summary="Support duty of every team")
def list_duties(request: HttpRequest) -> list:
    _agent(request)
    team_list = list(teams())
    on_duty = {row.team.pk: row.people for row in on_duty_for(team_list)}
    return [
        {
            "team": team,
            "mode": "everyone" if team.pk not in on_duty else team.support_duty.mode,
            "on_duty": on_duty.get(team.pk, []),
        }
        for team in team_list
    ]


@router.get("/{slug}", response=SupportDutyOut, summary="One team's support duty")
def get_duty(request: HttpRequest, slug: Text, at: datetime | None = None) -> dict:
    team = _team(request, slug)
    if at is not None and at.tzinfo is None:
        at = at.replace(tzinfo=zone(request.user.timezone))  # type: ignore[union-attr]
    return _out(overview(team, at=at or clock.now()))


@router.put("/{slug}", response=SupportDutyOut, summary="Set a team's support duty")
def put_duty(request: HttpRequest, slug: Text, payload: SupportDutyIn) -> dict:
    team = _team(request, slug)
    supportduty.set_support_duty(
        actor=request.user,  # type: ignore[arg-type]
        team=team,
        mode=payload.mode,
        members=_people(payload.members),
        period=payload.period,
        handoff_time=payload.handoff_time,
        timezone=payload.timezone,
        starts_on=payload.starts_on,
    )
    return _out(overview(_team(request, slug)))
