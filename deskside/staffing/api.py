"""The staffing calculator under /api/v1/staffing:

    POST /staffing/calculate   {team, start, end, channels, service_level, target_seconds,
                                max_occupancy, shrinkage, aht_seconds}: the hours of the week,
                                the cover, the roster's difference (see deskside.staffing
                                .calculator)
    POST /staffing/erlang      {"cases": [...]}: the what-if cases with a result each (the
                                input of `deskside staffing erlang`, deskside.staffing.cases)

Administrators and team leads (a lead: their own teams, and a team is required); everyone
else gets 403. The load is counted over the tickets the caller may see: `partial` is true for
a caller limited to some clients. Errors are `{"detail", "field"}` with a 4xx status.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django.http import HttpRequest
from ninja import Field, Router, Schema
from pydantic import ConfigDict

from deskside.accounts.models import User
from deskside.core.api import Text
from deskside.staffing import cases
from deskside.staffing.calculator import Request, calculate
from deskside.staffing.exceptions import Forbidden, InvalidInput
from deskside.staffing.queries import may_use, teams_for
from deskside.tickets.models import Channel

router = Router(tags=["staffing"])


class Strict(Schema):
    model_config = ConfigDict(extra="forbid")


class CalculateIn(Strict):
    team: Text | None = Field(None, description="Team slug; null: the whole desk (admins).")
    start: date = Field(description="First local day of the history, included.")
    end: date = Field(description="Last local day of the history, included.")
    channels: list[Text] = Field(
        default_factory=list, description=f"Any of {', '.join(Channel.values)}; empty: all."
    )
    service_level: float = Field(0.8, description="Share answered within target_seconds.")
    target_seconds: float = 20.0
    max_occupancy: float = 0.85
    shrinkage: float = Field(0.25, description="Share of paid time not answering (0.25).")
    aht_seconds: dict[Text, float] = Field(
        default_factory=dict, description="Handling time per channel, over the history's."
    )


class ChannelOut(Schema):
    channel: str
    tickets: int
    aht_seconds: float
    aht_source: str = Field(description='"logged calls", "estimate" or "given".')


class HourOut(Schema):
    weekday: int = Field(description="Monday = 0.")
    hour: int
    arrivals: float = Field(description="Average tickets arriving in this hour.")
    aht_seconds: float
    traffic: float = Field(description="Erlangs.")
    agents: int = Field(description="Needed before shrinkage.")
    agents_rostered: int = Field(description="To roster, after shrinkage.")
    service_level: float
    asa_seconds: float | None
    occupancy: float
    covered: int = Field(description="People the suggested shifts put on this hour.")
    staffed: int | None = Field(description="People on the roster in the coming week.")
    difference: int | None = Field(description="staffed - agents_rostered.")


class CoverOut(Schema):
    code: str
    name: str
    weekday: int
    start: str
    end: str
    people: int


class SlotOut(Schema):
    code: str
    name: str
    start: datetime
    end: datetime
    staffed: int
    needed: int
    difference: int


class CalculateOut(Schema):
    team: str | None
    timezone: str
    start: date
    end: date
    partial: bool = Field(description="Counted over the caller's clients only.")
    tickets: int
    channels: list[ChannelOut]
    hours: list[HourOut] = Field(description="168 rows, Monday 00:00 first.")
    cover: list[CoverOut]
    uncovered: list[str] = Field(description="Hours of the week no shift covers.")
    shift_source: str = Field(description='"roster" or "standard" (07-15, 15-23, 23-07).')
    slots: list[SlotOut] = Field(description="The roster's shifts of the coming 7 days.")


class ErlangIn(Schema):
    cases: list[dict[str, Any]] = Field(description="What-if cases (see deskside staffing).")


class ErlangOut(Schema):
    cases: list[dict[str, Any]]


def _user(request: HttpRequest) -> User:
    user: User = request.user  # type: ignore[assignment]
    if not may_use(user):
        raise Forbidden("the staffing calculator is for administrators and team leads")
    return user


@router.post("/staffing/calculate", response=CalculateOut)
def calculate_staffing(request: HttpRequest, body: CalculateIn) -> dict[str, Any]:
    user = _user(request)
    team = None
    if body.team is not None:
        team = teams_for(user).filter(slug=body.team).first()
        if team is None:
            raise InvalidInput(f"no team {body.team!r} you may plan", field="team")
    elif not user.is_staff:
        raise InvalidInput("choose one of the teams you lead", field="team")
    result = calculate(
        user,
        Request(
            team=team,
            start=body.start,
            end=body.end,
            channels=tuple(body.channels or Channel.values),
            target_seconds=body.target_seconds,
            service_level=body.service_level,
            max_occupancy=body.max_occupancy,
            shrinkage=body.shrinkage,
            aht_seconds=dict(body.aht_seconds),
        ),
    )
    return {
        "team": team.slug if team else None,
        "timezone": result.zone,
        "start": result.start,
        "end": result.end,
        "partial": result.partial,
        "tickets": result.tickets,
        "channels": result.channels,
        "hours": result.hours,
        "cover": result.cover,
        "uncovered": result.uncovered,
        "shift_source": result.shift_source,
        "slots": result.slots,
    }


@router.post("/staffing/erlang", response=ErlangOut)
def erlang_cases(request: HttpRequest, body: ErlangIn) -> dict[str, Any]:
    _user(request)
    return cases.answer({"cases": body.cases})
