"""The SLA set-up under /api/v1/: business calendars, contracts with their targets, and the
per-client SLA report.

    GET    /calendars                      list (paginated)
    POST   /calendars                      create {name, definition}
    POST   /calendars/import?name=&replace= the calendar's JSON as the body (export's layout)
    GET    /calendars/{public_id}          one calendar
    PATCH  /calendars/{public_id}          rename and/or new definition
    DELETE /calendars/{public_id}          delete (409 while a contract counts in it)
    GET    /calendars/{public_id}/export   the calendar's JSON, as a file
    GET    /contracts                      list with targets (paginated)
    POST   /contracts                      create, with targets
    GET    /contracts/{public_id}          one contract
    PATCH  /contracts/{public_id}          change fields; `targets` replaces the whole set
    GET    /organizations/{slug}/sla       the client's report (?since=&until=)

Agents only: a customer's token gets 403 on every endpoint. Every agent may read; writes need
the admin role (`is_staff`), checked before anything else, so a non-admin gets 403 whatever
the body. Identifiers the caller cannot see (a client the agent does not serve) are 404 in
the path and 422 naming the field in the body. Writes answer with the object and `retimed`,
the number of open tickets whose due times the change moved.
"""

import json
import zoneinfo
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from django.db.models import Prefetch, QuerySet
from django.http import HttpRequest, HttpResponse
from django.utils.text import slugify
from ninja import Body, Field, Query, Router, Schema, Status

from deskside.accounts.models import Organization, Team, User
from deskside.accounts.queries import organizations_visible_to
from deskside.accounts.schemas import OrganizationRef, TeamRef
from deskside.core import clock, timezones
from deskside.core.api import PageOut, PageParams, Text, get_or_404, page_out
from deskside.core.pagination import paginate
from deskside.sla import services
from deskside.sla.exceptions import InvalidInput, NotAllowed
from deskside.sla.models import Calendar, Contract, Retiming, SLATarget
from deskside.sla.queries import (
    ReportRow,
    SlaReport,
    calendars_visible_to,
    contract_for,
    contracts_visible_to,
    sla_report,
)
from deskside.sla.services import TargetTerms
from deskside.tickets.models import Priority

router = Router(tags=["sla"])
DEFAULT_DAYS = 30


# -- schemas -----------------------------------------------------------------------------------


class CalendarRef(Schema):
    public_id: str
    name: str


class CalendarOut(Schema):
    public_id: str
    name: str
    timezone: str
    definition: dict[str, Any] = Field(
        description="The calendar in the JSON layout of the public corpus (see /export)."
    )
    created_at: datetime
    updated_at: datetime
    version: int = Field(description="Send it back with a change: 409 if it moved on since.")

    @staticmethod
    def resolve_timezone(obj: Calendar) -> str:
        return obj.definition.get("timezone", "UTC")


class RetimingOut(Schema):
    """Recomputing the due times of the open tickets a change moved, when it did not finish
    within the request (`deskside worker` carries on; sla.retiming)."""

    id: str = Field(alias="public_id")
    done: int = Field(description="Open tickets recomputed so far.")
    total: int = Field(description="Open tickets concerned when the change was stored.")
    moved: int = Field(description="Tickets whose due times moved so far.")


class CalendarWriteOut(CalendarOut):
    retimed: int = Field(description="Open tickets whose due times this change moved.")
    retiming: RetimingOut | None = Field(
        None, description="Set while the recomputing goes on after the answer; null when done."
    )


class CalendarIn(Schema):
    name: Text
    definition: dict[str, Any] = Field(
        description='e.g. {"timezone": "Europe/Berlin", "weekly": {"mon": [["08:00", "17:00"]]}, '
        '"holiday_country": "DE", "holiday_subdivision": "HH"}'
    )


class CalendarPatch(Schema):
    version: int | None = Field(
        None, ge=1, description="The version you read; 409 if it changed since."
    )
    name: Text | None = None
    definition: dict[str, Any] | None = None


class TargetIn(Schema):
    priority: Text = Field(description="P1, P2, P3 or OPS.")
    first_response_minutes: int | None = None
    next_response_minutes: int | None = None
    resolution_minutes: int | None = None
    calendar: Text | None = Field(
        None, description="Public id of a calendar of its own; null: the contract's."
    )


class TargetOut(Schema):
    priority: str
    first_response_minutes: int | None
    next_response_minutes: int | None
    resolution_minutes: int | None
    calendar: CalendarRef | None

    @staticmethod
    def resolve_priority(obj: SLATarget) -> str:
        return Priority(obj.priority).label


class ContractIn(Schema):
    name: Text
    organization: Text | None = Field(None, description="Client slug; null for the default.")
    is_default: bool = False
    calendar: Text = Field(description="Public id of the calendar the targets count in.")
    warning_percent: int = 75
    on_breach: Text = Contract.OnBreach.NOTIFY
    breach_team: Text | None = Field(None, description="Team slug (needed to reassign).")
    targets: list[TargetIn] = []


class ContractPatch(Schema):
    version: int | None = Field(
        None, ge=1, description="The version you read; 409 if it changed since."
    )
    name: Text | None = None
    organization: Text | None = None
    is_default: bool | None = None
    calendar: Text | None = None
    warning_percent: int | None = None
    on_breach: Text | None = None
    breach_team: Text | None = None
    targets: list[TargetIn] | None = Field(None, description="Replaces every target.")


class ContractOut(Schema):
    public_id: str
    name: str
    organization: OrganizationRef | None
    is_default: bool
    calendar: CalendarRef
    warning_percent: int
    on_breach: str
    breach_team: TeamRef | None
    targets: list[TargetOut]
    created_at: datetime
    version: int = Field(description="Send it back with a change: 409 if it moved on since.")

    @staticmethod
    def resolve_targets(obj: Contract) -> list[SLATarget]:
        return list(obj.targets.all())


class ContractWriteOut(ContractOut):
    retimed: int = Field(description="Open tickets whose due times this change moved.")
    retiming: RetimingOut | None = Field(
        None, description="Set while the recomputing goes on after the answer; null when done."
    )


class ContractRef(Schema):
    public_id: str
    name: str
    is_default: bool


class OutcomeOut(Schema):
    met: int
    breached: int
    running: int


class ReportRowOut(Schema):
    priority: str = Field(description='P1, P2, P3, OPS, or "All" for the total line.')
    tickets: int
    first_response: OutcomeOut
    resolution: OutcomeOut

    @staticmethod
    def resolve_priority(obj: ReportRow) -> str:
        return obj.label


class SlaReportOut(Schema):
    organization: OrganizationRef
    contract: ContractRef | None
    since: datetime
    until: datetime
    generated_at: datetime
    rows: list[ReportRowOut]
    total: ReportRowOut


class ReportParams(Schema):
    since: Text | None = Field(
        None,
        description="Date (midnight in the client's zone) or ISO datetime; default: "
        "30 days before `until`.",
    )
    until: Text | None = Field(
        None, description="Date (that whole day counts) or ISO datetime; default: now."
    )


# -- helpers -----------------------------------------------------------------------------------


def _agent(request: HttpRequest) -> User:
    user: User = request.user  # type: ignore[assignment]
    if not user.is_agent:
        raise NotAllowed("only agents may use the SLA set-up")
    return user


def _admin(request: HttpRequest, what: str) -> User:
    user = _agent(request)
    services.require_admin(user, what)
    return user


def _calendar_or_404(user: User, public_id: str) -> Calendar:
    return get_or_404(calendars_visible_to(user), f"no calendar {public_id!r}", public_id=public_id)


def _contracts(user: User) -> QuerySet[Contract]:
    return contracts_visible_to(user).prefetch_related(
        Prefetch("targets", queryset=SLATarget.objects.select_related("calendar"))
    )


def _contract_or_404(user: User, public_id: str) -> Contract:
    return get_or_404(_contracts(user), f"no contract {public_id!r}", public_id=public_id)


def _calendar(user: User, public_id: str | None, field: str) -> Calendar | None:
    if public_id is None:
        return None
    calendar = calendars_visible_to(user).filter(public_id=public_id).first()
    if calendar is None:
        raise InvalidInput(f"no calendar {public_id!r}", field)
    return calendar


def _organization(user: User, slug: str | None) -> Organization | None:
    if slug is None:
        return None
    organization = organizations_visible_to(user).filter(slug=slug).first()
    if organization is None:
        raise InvalidInput(f"no organisation {slug!r}", "organization")
    return organization


def _team(slug: str | None) -> Team | None:
    if slug is None:
        return None
    team = Team.objects.filter(slug=slug).first()
    if team is None:
        raise InvalidInput(f"no team {slug!r}", "breach_team")
    return team


def _targets(user: User, targets: list[TargetIn]) -> list[TargetTerms]:
    return [
        TargetTerms(
            t.priority,
            t.first_response_minutes,
            t.next_response_minutes,
            t.resolution_minutes,
            _calendar(user, t.calendar, f"targets.{t.priority}.calendar"),
        )
        for t in targets
    ]


def _written(
    obj: Calendar | Contract, retimed: int, retiming: Retiming | None = None
) -> Calendar | Contract:
    obj.retimed = retimed  # type: ignore[union-attr]
    obj.retiming = retiming  # type: ignore[union-attr]
    return obj


# -- calendars ---------------------------------------------------------------------------------


@router.get("/calendars", response=PageOut[CalendarOut], summary="Business calendars")
def list_calendars(request: HttpRequest, params: Query[PageParams]) -> dict[str, object]:
    qs = calendars_visible_to(_agent(request))
    return page_out(paginate(request, qs, page=params.page, limit=params.limit))


@router.post("/calendars", response={201: CalendarWriteOut}, summary="Create a calendar (admins)")
def create_calendar(request: HttpRequest, payload: CalendarIn) -> Status[Calendar]:
    user = _admin(request, "create calendars")
    calendar = services.create_calendar(
        actor=user, name=payload.name, definition=payload.definition
    )
    return Status(201, _written(calendar, 0))


@router.post(
    "/calendars/import",
    response={200: CalendarWriteOut, 201: CalendarWriteOut},
    summary="Import a calendar's JSON (admins)",
)
def import_calendar(
    request: HttpRequest,
    payload: Body[dict[str, Any]],
    name: Text = "",
    replace: bool = False,
) -> Status[Calendar]:
    """The body is a calendar in the layout `/export` writes. The name comes from `?name=`,
    else the JSON's own "name". 201 when created; 200 when `replace=true` replaced one."""
    user = _admin(request, "import calendars")
    existed = bool(
        (name or payload.get("name"))
        and Calendar.objects.filter(name__iexact=str(name or payload.get("name")).strip()).exists()
    )
    saved = services.import_calendar(
        actor=user, text=json.dumps(payload), name=name, replace=replace
    )
    return Status(200 if existed else 201, _written(saved.calendar, saved.retimed, saved.retiming))


@router.get("/calendars/{public_id}", response=CalendarOut, summary="One calendar")
def get_calendar(request: HttpRequest, public_id: Text) -> Calendar:
    return _calendar_or_404(_agent(request), public_id)


@router.patch(
    "/calendars/{public_id}", response=CalendarWriteOut, summary="Change a calendar (admins)"
)
def update_calendar(request: HttpRequest, public_id: Text, payload: CalendarPatch) -> Calendar:
    user = _admin(request, "change calendars")
    calendar = _calendar_or_404(user, public_id)
    saved = services.update_calendar(
        actor=user, calendar=calendar, **payload.model_dump(exclude_unset=True)
    )
    return _written(saved.calendar, saved.retimed, saved.retiming)  # type: ignore[return-value]


@router.delete("/calendars/{public_id}", response={204: None}, summary="Delete (admins)")
def delete_calendar(request: HttpRequest, public_id: Text) -> Status[None]:
    user = _admin(request, "delete calendars")
    services.delete_calendar(actor=user, calendar=_calendar_or_404(user, public_id))
    return Status(204, None)


@router.get(
    "/calendars/{public_id}/export",
    response={200: dict[str, Any]},
    summary="The calendar's JSON (download)",
)
def export_calendar(request: HttpRequest, public_id: Text) -> HttpResponse:
    """Exactly the layout of the public calendar corpus; `POST /calendars/import` reads it."""
    calendar = _calendar_or_404(_agent(request), public_id)
    body = json.dumps(calendar.spec.to_json(), indent=2, ensure_ascii=False) + "\n"
    response = HttpResponse(body, content_type="application/json; charset=utf-8")
    filename = f"{slugify(calendar.name) or calendar.public_id}.json"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


# -- contracts ---------------------------------------------------------------------------------


@router.get("/contracts", response=PageOut[ContractOut], summary="Contracts and targets")
def list_contracts(request: HttpRequest, params: Query[PageParams]) -> dict[str, object]:
    qs = _contracts(_agent(request))
    return page_out(paginate(request, qs, page=params.page, limit=params.limit))


@router.post("/contracts", response={201: ContractWriteOut}, summary="Create a contract (admins)")
def create_contract(request: HttpRequest, payload: ContractIn) -> Status[Contract]:
    user = _admin(request, "create contracts")
    saved = services.create_contract(
        actor=user,
        name=payload.name,
        organization=_organization(user, payload.organization),
        is_default=payload.is_default,
        calendar=_calendar(user, payload.calendar, "calendar"),  # type: ignore[arg-type]
        warning_percent=payload.warning_percent,
        on_breach=payload.on_breach,
        breach_team=_team(payload.breach_team),
        targets=_targets(user, payload.targets),
    )
    contract = _contract_or_404(user, saved.contract.public_id)
    return Status(201, _written(contract, saved.retimed, saved.retiming))


@router.get("/contracts/{public_id}", response=ContractOut, summary="One contract")
def get_contract(request: HttpRequest, public_id: Text) -> Contract:
    return _contract_or_404(_agent(request), public_id)


@router.patch(
    "/contracts/{public_id}", response=ContractWriteOut, summary="Change a contract (admins)"
)
def update_contract(request: HttpRequest, public_id: Text, payload: ContractPatch) -> Contract:
    """Only the fields sent change; `targets` replaces the whole set (a priority left out has
    no target any more)."""
    user = _admin(request, "change contracts")
    contract = _contract_or_404(user, public_id)
    changes = payload.model_dump(exclude_unset=True)
    if "organization" in changes:
        changes["organization"] = _organization(user, changes["organization"])
    if "calendar" in changes:
        changes["calendar"] = _calendar(user, changes["calendar"], "calendar")
    if "breach_team" in changes:
        changes["breach_team"] = _team(changes["breach_team"])
    if "targets" in changes:
        changes["targets"] = _targets(user, payload.targets or [])
    for field in ("is_default", "warning_percent", "on_breach", "name", "version"):
        if field in changes and changes[field] is None:
            raise InvalidInput(f"{field} cannot be null", field)
    saved = services.update_contract(actor=user, contract=contract, **changes)
    fresh = _contract_or_404(user, saved.contract.public_id)
    return _written(fresh, saved.retimed, saved.retiming)  # type: ignore[return-value]


# -- the report --------------------------------------------------------------------------------


def _instant(text: str, zone: zoneinfo.ZoneInfo, field: str, *, end: bool) -> datetime:
    """A date (its midnight in `zone`; for the end, the next midnight: the day counts whole)
    or an ISO datetime (naive = in `zone`)."""
    try:
        day = date.fromisoformat(text)
    except ValueError:
        pass
    else:
        return datetime.combine(day + timedelta(days=1 if end else 0), time(), tzinfo=zone)
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise InvalidInput(
            f"{text!r} is not a date (YYYY-MM-DD) or an ISO datetime", field
        ) from None
    return moment if moment.tzinfo else moment.replace(tzinfo=zone)


@router.get("/organizations/{slug}/sla", response=SlaReportOut, summary="A client's SLA report")
def organization_report(
    request: HttpRequest, slug: Text, params: Query[ReportParams]
) -> dict[str, object]:
    """Per priority, the tickets created in [since, until) whose first response and
    resolution targets were met, breached, or are still running."""
    user = _agent(request)
    organization = get_or_404(
        organizations_visible_to(user), f"no organisation {slug!r}", slug=slug
    )
    zone = timezones.zone(organization.timezone)
    until = _instant(params.until, zone, "until", end=True) if params.until else clock.now()
    since = (
        _instant(params.since, zone, "since", end=False)
        if params.since
        else until - timedelta(days=DEFAULT_DAYS)
    )
    if since >= until:
        raise InvalidInput("the period must start before it ends", "since")
    report: SlaReport = sla_report(organization, since=since, until=until)
    return {
        "organization": organization,
        "contract": contract_for(organization),
        "since": report.since.astimezone(UTC),
        "until": report.until.astimezone(UTC),
        "generated_at": report.generated_at,
        "rows": report.rows,
        "total": report.total,
    }
