"""Desk rosters under /api/v1/rosters:

    GET    /rosters                                   the rosters
    POST   /rosters                                   {team, timezone, cycle_start, ... preset}
    GET    /rosters/working?at=                       who works each team's desk now (or at)
    GET    /rosters/leave?user=&start=&end=           leave (default: current and coming)
    POST   /rosters/leave                             {user, kind, starts_at, ends_at, reason}
    DELETE /rosters/leave/{public_id}                 cancel it
    GET    /rosters/teams/{team}                      one roster with shifts and rota lines
    PATCH  /rosters/teams/{team}                      zone, cycle, rest hours, weekly cap
    DELETE /rosters/teams/{team}
    POST   /rosters/teams/{team}/shifts               {code, name, start, end, days, min_staff}
    PATCH  /rosters/teams/{team}/shifts/{code}
    DELETE /rosters/teams/{team}/shifts/{code}
    PUT    /rosters/teams/{team}/lines/{user}         {pattern}: a fixed line
    DELETE /rosters/teams/{team}/lines/{user}
    POST   /rosters/teams/{team}/rota                 {users, cycle, unit, offset, workdays}
    GET    /rosters/teams/{team}/week?start=          the slots starting in the week (staffing)
    GET    /rosters/teams/{team}/shifts-worked?start=&end=   people's shift instances
    GET    /rosters/teams/{team}/candidates?code=&starts_at=  cover candidates of a slot
    GET    /rosters/teams/{team}/covers               current and coming covers
    POST   /rosters/teams/{team}/covers               {user, code, starts_at, covers_for, reason}
    DELETE /rosters/teams/{team}/covers/{public_id}

Agents only: a customer's token gets 403 everywhere. Teams by slug, people by email address or
public id. Times are ISO 8601 (in query strings, one without an offset is read in the roster's
zone). A cover that breaks the rest rule or the weekly cap is a 409 naming the rule. Errors
are `{"detail", "field"}` with a 4xx status.
"""

from datetime import date, datetime, timedelta
from typing import Any

from django.db.models import Q
from django.http import HttpRequest
from ninja import Field, Router, Schema, Status

from deskside.accounts.models import Team, User
from deskside.accounts.schemas import TeamRef, UserRef
from deskside.core import clock
from deskside.core.api import Text, get_or_404
from deskside.core.timezones import zone
from deskside.duty.api import parse_instant
from deskside.rosters import queries, rules, services, working
from deskside.rosters.exceptions import InvalidInput, NotAllowed
from deskside.rosters.models import Cover, Leave, Roster, ShiftDefinition

router = Router(tags=["rosters"])
MAX_PERIOD = timedelta(days=62)


# -- schemas -----------------------------------------------------------------------------------


class ShiftDefinitionOut(Schema):
    code: str
    name: str
    start: str
    end: str
    days: list[int] = Field(description="Weekdays it starts on (Monday = 0); empty: every day.")
    min_staff: int
    position: int


class RotaLineOut(Schema):
    user: UserRef
    position: int
    pattern: list[str]


class RosterOut(Schema):
    public_id: str
    team: TeamRef
    timezone: str
    cycle_start: date
    cycle_days: int
    rest_hours: int
    weekly_hours_cap: int
    version: int


class RosterDetailOut(RosterOut):
    shifts: list[ShiftDefinitionOut]
    lines: list[RotaLineOut]

    @staticmethod
    def resolve_shifts(obj: Roster) -> list:
        return list(obj.shift_definitions.order_by("position", "start"))

    @staticmethod
    def resolve_lines(obj: Roster) -> list:
        return list(obj.lines.select_related("user").order_by("position", "id"))


class RosterIn(Schema):
    team: Text = Field(description="The team's slug.")
    timezone: Text = "UTC"
    cycle_start: date | None = None
    cycle_days: int = 7
    rest_hours: int = 11
    weekly_hours_cap: int = 48
    preset: Text = Field("custom", description="three, business or custom")
    min_staff: int = 1


class RosterPatch(Schema):
    timezone: Text | None = None
    cycle_start: date | None = None
    cycle_days: int | None = None
    rest_hours: int | None = None
    weekly_hours_cap: int | None = None
    version: int | None = Field(None, description="The version read (409 if it changed).")


class ShiftDefinitionIn(Schema):
    code: Text
    name: Text
    start: Text
    end: Text
    days: list[int] = []
    min_staff: int = 1


class ShiftDefinitionPatch(Schema):
    name: Text | None = None
    start: Text | None = None
    end: Text | None = None
    days: list[int] | None = None
    min_staff: int | None = None


class RotaLineIn(Schema):
    pattern: list[str]


class RotaGenerateIn(Schema):
    users: list[Text] = Field(description="People in rota order (email or public id).")
    cycle: list[str] = Field(description='One code per step, "" for off: ["E","L","N",""].')
    unit: Text = "weeks"
    offset: int = 1
    workdays: list[int] = [0, 1, 2, 3, 4, 5, 6]


class RosterSlotOut(Schema):
    code: str
    name: str
    start: datetime
    end: datetime
    min_staff: int
    staffed: int
    state: str = Field(description="below, minimum or above")
    below: bool
    users: list[UserRef]
    on_leave: list[UserRef]


class RosterWeekOut(Schema):
    team: TeamRef
    start: datetime
    end: datetime
    slots: list[RosterSlotOut]


class RosterShiftOut(Schema):
    user: UserRef
    code: str
    name: str
    start: datetime
    end: datetime
    source: str = Field(description="rota, cover or duty")


class DeskWorkingOut(Schema):
    team: TeamRef
    at: datetime
    scheduled: bool = Field(description="False: no roster or duty (every member counts).")
    users: list[UserRef]
    next_at: datetime | None
    next_shift: str
    next_users: list[UserRef]


class CoverCandidateOut(Schema):
    user: UserRef
    eligible: bool
    reason: str
    week_hours: float
    rest_before: float | None
    rest_after: float | None


class CoverCandidatesOut(Schema):
    slot: RosterSlotOut
    candidates: list[CoverCandidateOut]


class LeaveRecordIn(Schema):
    user: Text = Field(description="Email address or public id; default: the caller.")
    kind: Text = "holiday"
    starts_at: datetime
    ends_at: datetime
    reason: Text


class LeaveRecordOut(Schema):
    public_id: str
    user: UserRef
    kind: str
    starts_at: datetime
    ends_at: datetime
    reason: str = Field(
        description="Only for the person, their team lead and administrators (else empty)."
    )
    created_by: UserRef | None
    created_at: datetime

    @staticmethod
    def resolve_reason(obj: Leave, context: Any) -> str:
        viewer = context["request"].user if context else None
        return obj.reason if services.can_manage_leave(viewer, obj.user) else ""


class RosterCoverIn(Schema):
    user: Text
    code: Text
    starts_at: datetime = Field(description="The start of the shift instance covered.")
    covers_for: Text | None = None
    reason: Text = ""


class RosterCoverOut(Schema):
    public_id: str
    user: UserRef
    code: str
    starts_at: datetime
    ends_at: datetime
    covers_for: UserRef | None
    reason: str
    created_by: UserRef | None


# -- helpers -----------------------------------------------------------------------------------


def _agent(request: HttpRequest) -> User:
    user: User = request.user  # type: ignore[assignment]
    if not user.is_agent:
        raise NotAllowed("only agents use rosters")
    return user


def _roster(request: HttpRequest, team: str) -> Roster:
    return get_or_404(
        queries.rosters_visible_to(_agent(request)), f"no roster of {team!r}", team__slug=team
    )


def _person(value: str, field: str) -> User:
    value = value.strip()
    user = User.objects.filter(
        Q(email__iexact=value) | Q(public_id=value), kind=User.Kind.AGENT
    ).first()
    if user is None:
        raise InvalidInput(f"no agent {value!r}", field=field)
    return user


def _slot_row(slot: working.Slot, users: dict[int, User]) -> dict:
    cell = queries.slot_state(slot)
    return {
        "code": slot.code,
        "name": slot.name,
        "start": slot.start,
        "end": slot.end,
        "min_staff": slot.min_staff,
        "staffed": cell.staffed,
        "state": cell.state,
        "below": slot.below,
        "users": [users[u] for u in slot.user_ids if u in users],
        "on_leave": [users[u] for u in slot.on_leave if u in users],
    }


def _slot_rows(found: list[working.Slot]) -> list[dict]:
    users = queries.users_by_id(u for s in found for u in (*s.user_ids, *s.on_leave))
    return [_slot_row(s, users) for s in found]


def _period(roster: Roster, start: str | None, end: str | None) -> tuple[datetime, datetime]:
    tz = zone(roster.timezone)
    begin = parse_instant(start, "start", tz) or clock.now()
    finish = parse_instant(end, "end", tz) or begin + timedelta(days=7)
    if finish <= begin:
        raise InvalidInput("the end must be after the start", field="end")
    if finish - begin > MAX_PERIOD:
        raise InvalidInput("the period may be at most 62 days", field="end")
    return begin, finish


# -- rosters -----------------------------------------------------------------------------------


@router.get("/rosters", response=list[RosterOut], summary="Rosters")
def list_rosters(request: HttpRequest) -> list:
    return list(queries.rosters_visible_to(_agent(request)))


@router.post("/rosters", response={201: RosterDetailOut}, summary="Create a team's roster")
def create_roster(request: HttpRequest, payload: RosterIn) -> Status[Roster]:
    _agent(request)
    team = Team.objects.filter(slug=payload.team.strip()).first()
    if team is None:
        raise InvalidInput(f"no team {payload.team!r}", field="team")
    roster = services.create_roster(actor=request.user, team=team, **payload.dict(exclude={"team"}))
    return Status(201, roster)


@router.get("/rosters/working", response=list[DeskWorkingOut], summary="Who works each desk now")
def working_now(request: HttpRequest, at: Text | None = None) -> list:
    _agent(request)
    when = parse_instant(at, "at", zone("UTC")) or clock.now()
    rows = queries.desk_now(list(queries.roster_teams()), when)
    return [
        {
            "team": row.team,
            "at": when,
            "scheduled": row.working is not None,
            "users": row.working or [],
            "next_at": row.next_at,
            "next_shift": row.next_name,
            "next_users": row.next_people,
        }
        for row in rows
    ]


# -- leave -------------------------------------------------------------------------------------


@router.get("/rosters/leave", response=list[LeaveRecordOut], summary="Leave")
def list_leave(
    request: HttpRequest,
    user: Text | None = None,
    start: Text | None = None,
    end: Text | None = None,
) -> list:
    found = queries.leave_visible_to(_agent(request))
    utc = zone("UTC")
    begin = parse_instant(start, "start", utc) or clock.now()
    found = found.filter(ends_at__gt=begin)
    finish = parse_instant(end, "end", utc)
    if finish is not None:
        found = found.filter(starts_at__lt=finish)
    if user:
        found = found.filter(user=_person(user, "user"))
    return list(found[:500])


@router.post("/rosters/leave", response={201: LeaveRecordOut}, summary="Record leave")
def record_leave(request: HttpRequest, payload: LeaveRecordIn) -> Status[Leave]:
    actor = _agent(request)
    leave = services.record_leave(
        actor=actor,
        user=_person(payload.user, "user") if payload.user else actor,
        kind=payload.kind,
        starts_at=payload.starts_at,
        ends_at=payload.ends_at,
        reason=payload.reason,
    )
    return Status(201, leave)


@router.delete("/rosters/leave/{public_id}", response={204: None}, summary="Cancel leave")
def cancel_leave(request: HttpRequest, public_id: Text) -> Status[None]:
    leave = get_or_404(
        queries.leave_visible_to(_agent(request)), f"no leave {public_id}", public_id=public_id
    )
    services.cancel_leave(actor=request.user, leave=leave)
    return Status(204, None)


# -- one roster --------------------------------------------------------------------------------


@router.get("/rosters/teams/{team}", response=RosterDetailOut, summary="One roster")
def get_roster(request: HttpRequest, team: Text) -> Roster:
    return _roster(request, team)


@router.patch("/rosters/teams/{team}", response=RosterDetailOut, summary="Change a roster")
def update_roster(request: HttpRequest, team: Text, payload: RosterPatch) -> Roster:
    roster = _roster(request, team)
    given = payload.dict(exclude_unset=True)
    fields = {
        name: given.get(name, getattr(roster, name))
        for name in ("timezone", "cycle_start", "cycle_days", "rest_hours", "weekly_hours_cap")
    }
    return services.update_roster(
        actor=request.user, roster=roster, version=given.get("version"), **fields
    )


@router.delete("/rosters/teams/{team}", response={204: None}, summary="Delete a roster")
def delete_roster(request: HttpRequest, team: Text) -> Status[None]:
    services.delete_roster(actor=request.user, roster=_roster(request, team))
    return Status(204, None)


@router.post(
    "/rosters/teams/{team}/shifts", response={201: ShiftDefinitionOut}, summary="Add a shift"
)
def add_shift(
    request: HttpRequest, team: Text, payload: ShiftDefinitionIn
) -> Status[ShiftDefinition]:
    roster = _roster(request, team)
    return Status(201, services.add_shift(actor=request.user, roster=roster, **payload.dict()))


def _shift(roster: Roster, code: str) -> ShiftDefinition:
    return get_or_404(roster.shift_definitions, f"no shift {code!r}", code=code.upper())


@router.patch(
    "/rosters/teams/{team}/shifts/{code}", response=ShiftDefinitionOut, summary="Change a shift"
)
def update_shift(
    request: HttpRequest, team: Text, code: Text, payload: ShiftDefinitionPatch
) -> ShiftDefinition:
    shift = _shift(_roster(request, team), code)
    given = payload.dict(exclude_unset=True)
    fields = {
        name: given[name] if given.get(name) is not None else getattr(shift, name)
        for name in ("name", "start", "end", "days", "min_staff")
    }
    return services.update_shift(actor=request.user, shift=shift, **fields)


@router.delete("/rosters/teams/{team}/shifts/{code}", response={204: None}, summary="Remove")
def delete_shift(request: HttpRequest, team: Text, code: Text) -> Status[None]:
    shift = _shift(_roster(request, team), code)
    services.delete_shift(actor=request.user, shift=shift)
    return Status(204, None)


@router.put("/rosters/teams/{team}/lines/{user}", response=RotaLineOut, summary="Set a rota line")
def set_line(request: HttpRequest, team: Text, user: Text, payload: RotaLineIn):
    roster = _roster(request, team)
    person = _person(user, "user")
    return services.set_line(
        actor=request.user, roster=roster, user=person, pattern=payload.pattern
    )


@router.delete("/rosters/teams/{team}/lines/{user}", response={204: None}, summary="Off the rota")
def delete_line(request: HttpRequest, team: Text, user: Text) -> Status[None]:
    roster = _roster(request, team)
    line = get_or_404(roster.lines, f"{user} is not on the rota", user=_person(user, "user"))
    services.remove_line(actor=request.user, line=line)
    return Status(204, None)


@router.post("/rosters/teams/{team}/rota", response=RosterDetailOut, summary="Generate a rota")
def generate_rota(request: HttpRequest, team: Text, payload: RotaGenerateIn) -> Roster:
    roster = _roster(request, team)
    services.generate_rota(
        actor=request.user,
        roster=roster,
        users=[_person(u, "users") for u in payload.users],
        cycle=payload.cycle,
        unit=payload.unit,
        offset=payload.offset,
        workdays=payload.workdays,
    )
    return Roster.objects.select_related("team").get(pk=roster.pk)


# -- the week, who works, cover ----------------------------------------------------------------


@router.get("/rosters/teams/{team}/week", response=RosterWeekOut, summary="The slots of a week")
def week(request: HttpRequest, team: Text, start: Text | None = None) -> dict:
    roster = _roster(request, team)
    tz = zone(roster.timezone)
    try:
        day = date.fromisoformat(start) if start else clock.now().astimezone(tz).date()
    except ValueError as exc:
        raise InvalidInput(f"{start!r} is not a date (YYYY-MM-DD)", field="start") from exc
    monday = queries.monday_of(day)
    begin = queries.local_midnight(monday, tz)
    finish = queries.local_midnight(monday + timedelta(days=7), tz)
    return {
        "team": roster.team,
        "start": begin,
        "end": finish,
        "slots": _slot_rows(
            [s for s in working.slots(roster.team, begin, finish) if begin <= s.start < finish]
        ),
    }


@router.get(
    "/rosters/teams/{team}/shifts-worked",
    response=list[RosterShiftOut],
    summary="People's shift instances",
)
def shifts_worked(
    request: HttpRequest, team: Text, start: Text | None = None, end: Text | None = None
) -> list:
    roster = _roster(request, team)
    begin, finish = _period(roster, start, end)
    found = working.shifts(roster.team, begin, finish)
    users = queries.users_by_id(s.user_id for s in found)
    return [
        {"user": users[s.user_id], "code": s.code, "name": s.name, "start": s.start,
         "end": s.end, "source": s.source}
        for s in found
        if s.user_id in users
    ]  # fmt: skip


@router.get(
    "/rosters/teams/{team}/candidates", response=CoverCandidatesOut, summary="Cover candidates"
)
def candidates(request: HttpRequest, team: Text, code: Text, starts_at: Text) -> dict:
    roster = _roster(request, team)
    when = parse_instant(starts_at, "starts_at", zone(roster.timezone))
    slot = services.find_slot(roster, code.strip().upper(), when)
    return {"slot": _slot_rows([slot])[0], "candidates": rules.candidates(roster, slot)}


@router.get("/rosters/teams/{team}/covers", response=list[RosterCoverOut], summary="Covers")
def list_covers(request: HttpRequest, team: Text) -> list:
    roster = _roster(request, team)
    now = clock.now()
    return list(queries.covers_of(roster, now, now + timedelta(days=366)))


@router.post("/rosters/teams/{team}/covers", response={201: RosterCoverOut}, summary="Put on cover")
def add_cover(request: HttpRequest, team: Text, payload: RosterCoverIn) -> Status[Cover]:
    roster = _roster(request, team)
    cover = services.add_cover(
        actor=request.user,
        roster=roster,
        user=_person(payload.user, "user"),
        code=payload.code,
        starts_at=payload.starts_at,
        covers_for=_person(payload.covers_for, "covers_for") if payload.covers_for else None,
        reason=payload.reason,
    )
    return Status(201, cover)


@router.delete(
    "/rosters/teams/{team}/covers/{public_id}", response={204: None}, summary="Remove a cover"
)
def delete_cover(request: HttpRequest, team: Text, public_id: Text) -> Status[None]:
    roster = _roster(request, team)
    cover = get_or_404(roster.covers, f"no cover {public_id}", public_id=public_id)
    services.remove_cover(actor=request.user, cover=cover)
    return Status(204, None)
