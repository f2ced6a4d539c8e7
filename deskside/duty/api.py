"""On-call schedules under /api/v1/:

    GET    /oncall                                   who is on call now on every schedule
    GET    /schedules                                the schedules
    GET    /schedules/{slug}                         one schedule with its layers
    GET    /schedules/{slug}/oncall?at=              who is on call now, or at `at`
    GET    /schedules/{slug}/shifts?start=&end=      the final shifts in a period
    GET    /schedules/{slug}/report?start=&end=      gaps and on-call hours per person
    GET    /schedules/{slug}/overrides               current and coming overrides
    POST   /schedules/{slug}/overrides               {user, starts_at, ends_at, reason}
    DELETE /schedules/{slug}/overrides/{id}
    GET    /schedules/{slug}/swaps                   swaps (any status)
    POST   /schedules/{slug}/swaps                   {partner, starts_at, ends_at, return_...}
    POST   /schedules/{slug}/swaps/{id}/accept       (the partner or an administrator)
    POST   /schedules/{slug}/swaps/{id}/decline
    POST   /schedules/{slug}/swaps/{id}/cancel       (the requester or an administrator)

Agents only: a customer's token gets 403 everywhere. Times in query strings are ISO 8601; one
without an offset is read in the schedule's zone. Periods (start/end) may be at most 366 days
(default: the next 7 days for shifts, the last 28 days for the report). People in bodies are
given by email address or public id. Errors are `{"detail", "field"}` with a 4xx status.
"""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from django.db.models import Q
from django.http import HttpRequest
from ninja import Field, Router, Schema, Status

from deskside.accounts.models import User
from deskside.accounts.schemas import UserRef
from deskside.core import clock
from deskside.core.api import Text, get_or_404
from deskside.core.timezones import zone
from deskside.duty import oncall, services
from deskside.duty.exceptions import InvalidInput, NotAllowed
from deskside.duty.models import Layer, Override, Schedule, Swap
from deskside.duty.queries import on_call_now, report, schedules_visible_to, users_by_id

router = Router(tags=["on-call"])
MAX_PERIOD = timedelta(days=366)


# -- schemas -----------------------------------------------------------------------------------


class TeamName(Schema):
    slug: str
    name: str


class ScheduleOut(Schema):
    public_id: str
    slug: str
    name: str
    timezone: str
    description: str
    team: TeamName | None


class MemberOut(Schema):
    position: int
    user: UserRef


class LayerOut(Schema):
    id: int
    name: str
    position: int
    timezone: str = Field(description="The layer's zone (the schedule's when not its own).")
    starts_at: datetime
    ends_at: datetime | None
    shift_length: int
    shift_unit: str
    restrictions: list[dict]
    members: list[MemberOut]

    @staticmethod
    def resolve_timezone(obj: Layer) -> str:
        return obj.zone

    @staticmethod
    def resolve_members(obj: Layer) -> list:
        return list(obj.members.all())


class ScheduleDetailOut(ScheduleOut):
    layers: list[LayerOut]

    @staticmethod
    def resolve_layers(obj: Schedule) -> list:
        return list(obj.layers.select_related("schedule").prefetch_related("members__user"))


class ShiftOut(Schema):
    user: UserRef
    start: datetime
    end: datetime
    source: str = Field(description="layer, override or swap")
    layer_id: int | None
    override_id: int | None
    swap_id: int | None


class OnCallOut(Schema):
    schedule: ScheduleOut
    at: datetime
    user: UserRef | None
    shift: ShiftOut | None = Field(description="The whole shift the person is on at `at`.")


class NowOut(Schema):
    schedule: ScheduleOut
    user: UserRef | None
    source: str | None
    until: datetime | None = Field(description="The next hand-off (null: none within 60 days).")
    next_user: UserRef | None


class GapOut(Schema):
    start: datetime
    end: datetime
    hours: float


class HoursOut(Schema):
    user: UserRef
    hours: float
    shifts: int = Field(
        description="Turns and overrides (a turn cut into pieces by restriction windows "
        "counts once)."
    )
    percent: float


class ScheduleReportOut(Schema):
    schedule: ScheduleOut
    start: datetime
    end: datetime
    total_hours: float
    covered_hours: float
    gap_hours: float
    gaps: list[GapOut]
    hours: list[HoursOut]


class OverrideIn(Schema):
    user: Text = Field(description="Email address or public id of the agent put on call.")
    starts_at: datetime
    ends_at: datetime
    reason: Text = ""


class OverrideOut(Schema):
    id: int
    user: UserRef
    starts_at: datetime
    ends_at: datetime
    reason: str
    created_by: UserRef | None
    created_at: datetime


class SwapIn(Schema):
    partner: Text = Field(description="Email address or public id of who takes the shifts.")
    starts_at: datetime
    ends_at: datetime
    return_starts_at: datetime | None = None
    return_ends_at: datetime | None = None
    note: Text = ""
    requester: Text | None = Field(
        None, description="Administrators only: whose shifts; default: the caller's."
    )


class SwapOut(Schema):
    id: int
    requester: UserRef
    partner: UserRef
    starts_at: datetime
    ends_at: datetime
    return_starts_at: datetime | None
    return_ends_at: datetime | None
    status: str
    note: str
    created_at: datetime
    decided_at: datetime | None
    decided_by: UserRef | None


# -- helpers -----------------------------------------------------------------------------------


def _agent(request: HttpRequest) -> User:
    user: User = request.user  # type: ignore[assignment]
    if not user.is_agent:
        raise NotAllowed("only agents use on-call schedules")
    return user


def _schedule(request: HttpRequest, slug: str) -> Schedule:
    return get_or_404(schedules_visible_to(_agent(request)), f"no schedule {slug!r}", slug=slug)


def parse_instant(value: str | None, field: str, tz: ZoneInfo) -> datetime | None:
    """An ISO 8601 date or datetime; without an offset, read in `tz` (a date: its midnight)."""
    if value is None or value == "":
        return None
    text = value.strip()
    if "T" in text:  # an unescaped "+" in a query string arrives as a space
        text = text.replace(" ", "+")
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError as exc:
        raise InvalidInput(f"{value!r} is not an ISO 8601 date or time", field=field) from exc
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=tz, fold=0)
    return parsed.astimezone(UTC)


def _period(
    schedule: Schedule,
    start: str | None,
    end: str | None,
    default_back: timedelta,
    default_ahead: timedelta,
) -> tuple[datetime, datetime]:
    tz = zone(schedule.timezone)
    now = clock.now()
    begin = parse_instant(start, "start", tz)
    finish = parse_instant(end, "end", tz)
    if begin is None and finish is None:
        begin, finish = now - default_back, now + default_ahead
    elif begin is None:
        begin = finish - (default_back + default_ahead)
    elif finish is None:
        finish = begin + (default_back + default_ahead)
    if finish <= begin:
        raise InvalidInput("the end must be after the start", field="end")
    if finish - begin > MAX_PERIOD:
        raise InvalidInput("the period may be at most 366 days", field="end")
    return begin, finish


def _person(value: str, field: str) -> User:
    value = value.strip()
    user = User.objects.filter(
        Q(email__iexact=value) | Q(public_id=value), kind=User.Kind.AGENT
    ).first()
    if user is None:
        raise InvalidInput(f"no agent {value!r}", field=field)
    return user


def _shift_rows(found: list[oncall.Shift]) -> list[dict]:
    users = users_by_id(s.user_id for s in found)
    return [
        {
            "user": users[s.user_id],
            "start": s.start,
            "end": s.end,
            "source": s.source,
            "layer_id": s.layer_id,
            "override_id": s.override_id,
            "swap_id": s.swap_id,
        }
        for s in found
        if s.user_id in users
    ]


def _swap(schedule: Schedule, swap_id: int) -> Swap:
    return get_or_404(schedule.swaps, f"no swap {swap_id}", pk=swap_id)


# -- reads -------------------------------------------------------------------------------------


@router.get("/oncall", response=list[NowOut], summary="Who is on call now on every schedule")
def oncall_everywhere(request: HttpRequest) -> list:
    return on_call_now(list(schedules_visible_to(_agent(request))))


@router.get("/schedules", response=list[ScheduleOut], summary="On-call schedules")
def list_schedules(request: HttpRequest) -> list:
    return list(schedules_visible_to(_agent(request)))


@router.get("/schedules/{slug}", response=ScheduleDetailOut, summary="One schedule")
def get_schedule(request: HttpRequest, slug: Text) -> Schedule:
    return _schedule(request, slug)


@router.get("/schedules/{slug}/oncall", response=OnCallOut, summary="Who is on call (now or at)")
def who_is_on_call(request: HttpRequest, slug: Text, at: Text | None = None) -> dict:
    schedule = _schedule(request, slug)
    when = parse_instant(at, "at", zone(schedule.timezone)) or clock.now()
    found = oncall.shifts(schedule, when, when + oncall.MICRO)
    if not found:
        return {"schedule": schedule, "at": when, "user": None, "shift": None}
    # The whole shift around `at`: look a little either side and take the one containing it.
    around = oncall.shifts(schedule, when - timedelta(days=31), when + timedelta(days=31))
    whole = next((s for s in around if s.start <= when < s.end), found[0])
    row = _shift_rows([whole])
    return {
        "schedule": schedule,
        "at": when,
        "user": row[0]["user"] if row else None,
        "shift": row[0] if row else None,
    }


@router.get("/schedules/{slug}/shifts", response=list[ShiftOut], summary="Final shifts")
def list_shifts(
    request: HttpRequest, slug: Text, start: Text | None = None, end: Text | None = None
) -> list:
    schedule = _schedule(request, slug)
    begin, finish = _period(schedule, start, end, timedelta(0), timedelta(days=7))
    return _shift_rows(oncall.shifts(schedule, begin, finish))


@router.get(
    "/schedules/{slug}/report", response=ScheduleReportOut, summary="Gaps and hours per person"
)
def schedule_report(
    request: HttpRequest, slug: Text, start: Text | None = None, end: Text | None = None
) -> dict:
    schedule = _schedule(request, slug)
    begin, finish = _period(schedule, start, end, timedelta(days=28), timedelta(0))
    result = report(schedule, begin, finish)
    return {
        "schedule": schedule,
        "start": begin,
        "end": finish,
        "total_hours": result.total_hours,
        "covered_hours": result.covered_hours,
        "gap_hours": result.gap_hours,
        "gaps": [
            {"start": a, "end": b, "hours": round((b - a).total_seconds() / 3600, 2)}
            for a, b in result.gaps
        ],
        "hours": [
            {"user": r.user, "hours": r.hours, "shifts": r.shifts, "percent": r.percent}
            for r in result.rows
        ],
    }


# -- overrides ---------------------------------------------------------------------------------


@router.get("/schedules/{slug}/overrides", response=list[OverrideOut], summary="Overrides")
def list_overrides(request: HttpRequest, slug: Text) -> list:
    schedule = _schedule(request, slug)
    return list(
        schedule.overrides.select_related("user", "created_by")
        .filter(ends_at__gt=clock.now())
        .order_by("starts_at", "id")
    )


@router.post(
    "/schedules/{slug}/overrides", response={201: OverrideOut}, summary="Put someone on call"
)
def create_override(request: HttpRequest, slug: Text, payload: OverrideIn) -> Status[Override]:
    schedule = _schedule(request, slug)
    override = services.create_override(
        actor=request.user,
        schedule=schedule,
        user=_person(payload.user, "user"),
        starts_at=payload.starts_at,
        ends_at=payload.ends_at,
        reason=payload.reason,
    )
    return Status(201, override)


@router.delete("/schedules/{slug}/overrides/{override_id}", response={204: None}, summary="Remove")
def delete_override(request: HttpRequest, slug: Text, override_id: int) -> Status[None]:
    schedule = _schedule(request, slug)
    override = get_or_404(schedule.overrides, f"no override {override_id}", pk=override_id)
    services.delete_override(actor=request.user, override=override)
    return Status(204, None)


# -- swaps -------------------------------------------------------------------------------------


@router.get("/schedules/{slug}/swaps", response=list[SwapOut], summary="Swaps")
def list_swaps(request: HttpRequest, slug: Text) -> list:
    schedule = _schedule(request, slug)
    swaps = schedule.swaps.select_related("requester", "partner", "decided_by")
    return list(swaps.order_by("starts_at", "id"))


@router.post("/schedules/{slug}/swaps", response={201: SwapOut}, summary="Propose a swap")
def propose_swap(request: HttpRequest, slug: Text, payload: SwapIn) -> Status[Swap]:
    schedule = _schedule(request, slug)
    swap = services.propose_swap(
        actor=request.user,
        schedule=schedule,
        partner=_person(payload.partner, "partner"),
        requester=_person(payload.requester, "requester") if payload.requester else None,
        starts_at=payload.starts_at,
        ends_at=payload.ends_at,
        return_starts_at=payload.return_starts_at,
        return_ends_at=payload.return_ends_at,
        note=payload.note,
    )
    return Status(201, swap)


@router.post("/schedules/{slug}/swaps/{swap_id}/accept", response=SwapOut, summary="Accept")
def accept_swap(request: HttpRequest, slug: Text, swap_id: int) -> Swap:
    swap = _swap(_schedule(request, slug), swap_id)
    return services.accept_swap(actor=request.user, swap=swap)


@router.post("/schedules/{slug}/swaps/{swap_id}/decline", response=SwapOut, summary="Decline")
def decline_swap(request: HttpRequest, slug: Text, swap_id: int) -> Swap:
    swap = _swap(_schedule(request, slug), swap_id)
    return services.decline_swap(actor=request.user, swap=swap)


@router.post("/schedules/{slug}/swaps/{swap_id}/cancel", response=SwapOut, summary="Cancel")
def cancel_swap(request: HttpRequest, slug: Text, swap_id: int) -> Swap:
    swap = _swap(_schedule(request, slug), swap_id)
    return services.cancel_swap(actor=request.user, swap=swap)
