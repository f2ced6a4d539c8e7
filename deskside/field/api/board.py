"""The dispatch board as JSON under /api/v1/field/board (agents only: a customer's token gets
403):

    GET /field/board?day=YYYY-MM-DD&view=day|week&team=SLUG
        the technicians (rows), each with their visits placed in time (UTC), the travel leg
        into each visit and the visit's warnings (`deskside.field.board`); the day and the week
        are the viewer's (their time zone)
    GET /field/board/queue?page=&limit=
        the unscheduled visits the caller may see: SLA due first (none last), then the window

Scheduling over the API is the visits endpoints' (`/field/visits`). Errors are `{"detail",
"field"}`: 422 for a malformed day or view or an unknown team.
"""

from datetime import date, datetime
from typing import Literal

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema

from deskside.accounts.models import User
from deskside.accounts.permissions import is_agent
from deskside.core import clock
from deskside.core.api import PageOut, PageParams, Text, page_out
from deskside.core.pagination import paginate
from deskside.core.timezones import zone
from deskside.field import board as board_reads
from deskside.field.dates import check_day
from deskside.field.exceptions import InvalidInput, NotAllowed
from deskside.field.models import Visit

router = Router(tags=["field"])


class FieldBoardParams(Schema):
    day: date | None = Field(None, description="A day of the period (default: today).")
    view: Literal["day", "week"] = Field("day", description="One day, or its Monday-Sunday week.")
    team: Text | None = Field(None, description="A team's slug: only its technicians.")


class FieldBoardWarningOut(Schema):
    code: str = Field(description="overlap, outside_hours, leave, travel, not_cleared or skill.")
    text: str


class FieldBoardLegOut(Schema):
    minutes: int | None = Field(description="Null when a place has no coordinates.")
    source: str = Field(description='"plan" (a route plan set it), "estimate" or "unknown".')
    from_visit: str | None = Field(description="The previous visit's id; null: the home base.")
    late_minutes: int = Field(description="How late the previous end + travel arrives.")


class FieldBoardVisitOut(Schema):
    id: str
    ticket: str
    subject: str
    organization: str
    site: str
    status: str
    role: str = Field(description='"lead" or "second" on this technician\'s row.')
    start: datetime
    end: datetime
    technician: str | None
    second_technician: str | None
    second_is_shadowing: bool
    leg: FieldBoardLegOut | None
    warnings: list[FieldBoardWarningOut]


class FieldBoardShiftOut(Schema):
    start: datetime
    end: datetime


class FieldBoardTechnicianOut(Schema):
    id: str = Field(description="The agent's public id.")
    name: str
    timezone: str
    rostered: bool = Field(description="Working time comes from rosters' shifts.")
    day_start: str = Field(description="Own working hours (no roster), local HH:MM.")
    day_end: str
    shifts: list[FieldBoardShiftOut]
    visits: list[FieldBoardVisitOut]


class FieldBoardOut(Schema):
    view: str
    day: date = Field(description="The day, or the Monday of the week.")
    start: datetime
    end: datetime
    timezone: str
    technicians: list[FieldBoardTechnicianOut]


class FieldQueueVisitOut(Schema):
    id: str
    ticket: str
    subject: str
    organization: str
    site: str
    window_start: datetime
    window_end: datetime
    duration_minutes: int
    sla_due: datetime | None
    required_skills: list[str]


def _agent(request: HttpRequest) -> User:
    if not is_agent(request.user):
        raise NotAllowed("the dispatch board is for agents")
    return request.user


def _name(person: board_reads.Person | None) -> str | None:
    return None if person is None else person.name


def _visit(block: board_reads.Block) -> dict:
    visit = block.visit
    leg = block.leg
    return {
        "id": visit.public_id,
        "ticket": visit.number,
        "subject": visit.subject,
        "organization": visit.organization_name,
        "site": visit.site_name,
        "status": visit.status,
        "role": block.role,
        "start": block.start,
        "end": block.end,
        "technician": _name(visit.technician),
        "second_technician": _name(visit.second_technician),
        "second_is_shadowing": visit.second_is_shadowing,
        "leg": None
        if leg is None
        else {
            "minutes": leg.minutes,
            "source": leg.source,
            "from_visit": leg.from_visit.public_id if leg.from_visit is not None else None,
            "late_minutes": leg.late_minutes,
        },
        "warnings": [{"code": w.code, "text": w.text} for w in block.warnings],
    }


@router.get("", response=FieldBoardOut, summary="The dispatch board for a day or a week")
def get_board(request: HttpRequest, params: Query[FieldBoardParams]) -> dict:
    viewer = _agent(request)
    team = None
    if params.team:
        team = board_reads.board_teams().filter(slug=params.team).first()
        if team is None:
            raise InvalidInput(f"no team {params.team!r} with technicians", field="team")
    day = check_day(params.day, "day") or clock.now().astimezone(zone(viewer.timezone)).date()
    found = board_reads.board(viewer, day=day, view=params.view, team=team)
    return {
        "view": found.view,
        "day": found.day,
        "start": found.start,
        "end": found.end,
        "timezone": found.zone.key,
        "technicians": [
            {
                "id": row.user.public_id,
                "name": row.user.get_full_name(),
                "timezone": row.user.timezone,
                "rostered": row.rostered,
                "day_start": row.technician.day_start.strftime("%H:%M"),
                "day_end": row.technician.day_end.strftime("%H:%M"),
                "shifts": [{"start": s, "end": e} for s, e in row.shifts],
                "visits": [_visit(b) for b in row.blocks],
            }
            for row in found.rows
        ],
    }


def _queued(visit: Visit) -> dict:
    return {
        "id": visit.public_id,
        "ticket": visit.ticket.number,
        "subject": visit.ticket.subject,
        "organization": visit.organization.name,
        "site": visit.site.name,
        "window_start": visit.window_start,
        "window_end": visit.window_end,
        "duration_minutes": visit.duration_minutes,
        "sla_due": visit.ticket.sla_due,
        "required_skills": [s.name for s in visit.required_skills.all()],
    }


@router.get("/queue", response=PageOut[FieldQueueVisitOut], summary="Unscheduled visits")
def get_queue(request: HttpRequest, params: Query[PageParams]) -> dict:
    viewer = _agent(request)
    page = paginate(request, board_reads.unscheduled(viewer), page=params.page, limit=params.limit)
    return {**page_out(page), "items": [_queued(v) for v in page.items]}
