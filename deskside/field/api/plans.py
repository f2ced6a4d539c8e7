"""Route plans under /api/v1/field/plans (agents only; a customer's token gets 403):

    GET    /field/plans                        the plans the caller may see, newest first (paged)
    POST   /field/plans                        plan a day: {"day": "2026-12-09"} -> the proposal
    GET    /field/plans/{id}                   one plan: routes, stops, unassigned with reasons
    POST   /field/plans/{id}/accept            schedule every stop (all or nothing: 409 + reason)
    POST   /field/plans/{id}/discard           set it aside

A plan is visible to an agent who serves every client it considered
(`field.queries_plans`); any other plan answers 404.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema, Status

from deskside.accounts.models import User
from deskside.accounts.permissions import is_agent
from deskside.core.api import PageOut, PageParams, Text, page_out
from deskside.core.pagination import paginate
from deskside.field.exceptions import NotAllowed
from deskside.field.queries.plans import plan_detail, plans_visible_to, visible_plan
from deskside.field.services import planning

router = Router(tags=["field"])


class FieldPlanPerson(Schema):
    public_id: str
    name: str

    @staticmethod
    def resolve_name(obj: User) -> str:
        return str(obj)


class FieldPlanStopOut(Schema):
    position: int
    visit: str = Field(description="The visit's public id.")
    ticket: str
    organization: str
    site: str
    arrival: datetime
    start: datetime
    end: datetime
    travel_minutes: int = Field(description="The leg from the previous stop (or the base).")
    window_start: datetime
    window_end: datetime


class FieldPlanRouteOut(Schema):
    technician: FieldPlanPerson
    travel_minutes: int = Field(description="The legs to the stops (the way home excluded).")
    stops: list[FieldPlanStopOut]


class FieldPlanUnassignedOut(Schema):
    visit: str
    code: str = Field(
        description="skills, clearance, shift, no_slot, pair (two technicians) or no_location."
    )
    reason: str


class FieldPlanSummaryOut(Schema):
    public_id: str
    day: date
    status: str = Field(description="proposed, accepted or discarded.")
    total_travel_minutes: int
    solve_seconds: float
    created_at: datetime
    created_by: FieldPlanPerson | None
    decided_by: FieldPlanPerson | None
    decided_at: datetime | None


class FieldPlanOut(FieldPlanSummaryOut):
    routes: list[FieldPlanRouteOut]
    unassigned: list[FieldPlanUnassignedOut]
    notes: list[str]
    matrix: str = Field(description="Where travel times came from: osrm or estimate.")
    stopped_by: str
    zone: str


class FieldPlanDayIn(Schema):
    day: date


def _agent(request: HttpRequest) -> User:
    user: User = request.user  # type: ignore[assignment]
    if not is_agent(user):
        raise NotAllowed("route plans are for agents")
    return user


@router.get("", response=PageOut[FieldPlanSummaryOut])
def list_plans(request: HttpRequest, params: Query[PageParams]) -> dict[str, Any]:
    qs = plans_visible_to(_agent(request))
    return page_out(paginate(request, qs, page=params.page, limit=params.limit))


@router.post("", response={201: FieldPlanOut})
def plan_the_day(request: HttpRequest, body: FieldPlanDayIn) -> Status[dict]:
    plan = planning.plan_day(_agent(request), body.day)
    return Status(201, plan_detail(plan))


@router.get("/{public_id}", response=FieldPlanOut)
def get_plan(request: HttpRequest, public_id: Text) -> dict:
    return plan_detail(visible_plan(_agent(request), public_id))


@router.post("/{public_id}/accept", response=FieldPlanOut)
def accept_plan(request: HttpRequest, public_id: Text) -> dict:
    user = _agent(request)
    plan = planning.accept_plan(user, visible_plan(user, public_id))
    return plan_detail(plan)


@router.post("/{public_id}/discard", response=FieldPlanOut)
def discard_plan(request: HttpRequest, public_id: Text) -> dict:
    user = _agent(request)
    plan = planning.discard_plan(user, visible_plan(user, public_id))
    return plan_detail(plan)
