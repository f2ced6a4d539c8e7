"""Time entries, timesheets and the billable report under /api/v1/field/time (agents only):

    GET    /field/time/entries                      entries you may see (filters), newest first
    POST   /field/time/entries                      log a duration on a date
    POST   /field/time/entries/start                start your timer (stops a running one)
    POST   /field/time/entries/stop                 stop your running timer
    GET    /field/time/entries/{id}                 one entry
    PATCH  /field/time/entries/{id}                 change your entry (its week open/returned)
    DELETE /field/time/entries/{id}                 delete your entry (its week open/returned)
    GET    /field/time/timesheets/pending           submitted weeks you may approve or return
    GET    /field/time/timesheets/{agent}/{day}     a week by day ("me", or an agent's id)
    POST   /field/time/timesheets/me/{day}/submit   hand in your week
    POST   /field/time/timesheets/{agent}/{day}/approve   (the agent's lead or an admin)
    POST   /field/time/timesheets/{agent}/{day}/return    with a note (the same)
    GET    /field/time/report                       billable hours and amounts per client,
                                                    ticket and agent, with every line
    GET    /field/time/rules                        contracts with their billing rule
    PUT    /field/time/rules/{contract}             set a contract's rule (administrators)
    DELETE /field/time/rules/{contract}             remove it (administrators)

Everything reads through `field.queries.time_visible_to` (an agent sees the clients they serve
and their own time); a customer's token gets 403 everywhere. `{day}` is any date of the week
(its Monday is the week's start, in the agent's zone). The services decide the rules
(`field.services.time`): 403 for what the caller may not do, 409 for a locked week or a state
that does not allow the step, 422 for bad input naming the field.
"""

import datetime as dt
from datetime import date, datetime, time
from decimal import Decimal

from django.http import Http404, HttpRequest
from ninja import Field, Query, Router, Schema, Status

from deskside.accounts.models import Organization, User
from deskside.accounts.permissions import is_agent
from deskside.accounts.queries import organizations_visible_to
from deskside.core.api import PageOut, PageParams, Text, get_or_404, page_out
from deskside.core.pagination import paginate
from deskside.field.exceptions import InvalidInput, NotAllowed
from deskside.field.models import TimeEntry, TimeKind, Timesheet, Visit
from deskside.field.queries import time as tq
from deskside.field.queries import visits_visible_to
from deskside.field.services import time as services
from deskside.sla.models import Contract
from deskside.sla.queries import contracts_visible_to
from deskside.tickets.models import Ticket, parse_number
from deskside.tickets.queries import visible_tickets

router = Router(tags=["field time"])


# -- schemas ----------------------------------------------------------------------------------


class FieldTimeEntryOut(Schema):
    id: str = Field(alias="public_id")
    agent: str = Field(description="The agent's public id.")
    agent_name: str
    ticket: str | None = Field(description="The ticket's number; null for training alone.")
    visit: str | None = Field(description="The visit's public id.")
    client: str | None = Field(description="The client's slug.")
    kind: TimeKind
    started_at: datetime
    ended_at: datetime | None = Field(description="Null while the timer runs.")
    minutes: int | None
    billable: bool
    billed_minutes: int
    rate: Decimal | None = Field(description="Hourly rate of a billable entry.")
    currency: str = Field(
        description="The rule's currency when the entry was priced (kept with the rate); "
        "empty when the client had no rule."
    )
    amount: Decimal
    note: str
    week_start: date | None
    week_status: str | None

    @staticmethod
    def resolve_agent(obj: TimeEntry) -> str:
        return obj.agent.public_id

    @staticmethod
    def resolve_agent_name(obj: TimeEntry) -> str:
        return obj.agent.get_full_name()

    @staticmethod
    def resolve_ticket(obj: TimeEntry) -> str | None:
        return obj.ticket.number if obj.ticket_id else None

    @staticmethod
    def resolve_visit(obj: TimeEntry) -> str | None:
        return obj.visit.public_id if obj.visit_id else None

    @staticmethod
    def resolve_client(obj: TimeEntry) -> str | None:
        return obj.organization.slug if obj.organization_id else None

    @staticmethod
    def resolve_amount(obj: TimeEntry) -> Decimal:
        return services.amount(obj.billed_minutes, obj.rate)

    @staticmethod
    def resolve_week_start(obj: TimeEntry) -> date | None:
        return obj.timesheet.week_start if obj.timesheet_id else None

    @staticmethod
    def resolve_week_status(obj: TimeEntry) -> str | None:
        return obj.timesheet.status if obj.timesheet_id else None


class FieldTimeFilters(PageParams):
    agent: Text = Field("", max_length=20, description='"me" or an agent\'s public id.')
    ticket: Text = Field("", max_length=20, description="A ticket number, T-10423.")
    since: date | None = Field(None, description="From this date (your zone).")
    until: date | None = Field(None, description="To this date, inclusive (your zone).")


class FieldTimeTarget(Schema):
    ticket: Text | None = Field(None, max_length=20, description="T-10423; null for training.")
    visit: Text | None = Field(None, max_length=16, description="A visit of the ticket.")
    kind: TimeKind = TimeKind.WORK
    note: Text = Field("", max_length=services.MAX_NOTE)


class FieldTimeLogIn(FieldTimeTarget):
    date: dt.date
    minutes: int = Field(ge=1, le=services.MAX_MINUTES)
    start: time | None = Field(None, description="Start time in your zone (default 09:00).")


class FieldTimePatch(Schema):
    ticket: Text | None = Field(None, max_length=20)
    visit: Text | None = Field(None, max_length=16)
    kind: TimeKind | None = None
    date: dt.date | None = None
    start: time | None = None
    minutes: int | None = Field(None, ge=1, le=services.MAX_MINUTES)
    note: Text | None = Field(None, max_length=services.MAX_NOTE)


class FieldTimeDayOut(Schema):
    date: dt.date
    minutes: int
    billable_minutes: int
    non_billable_minutes: int
    entries: list[FieldTimeEntryOut]


class FieldTimesheetOut(Schema):
    agent: str
    agent_name: str
    week_start: date
    status: str
    submitted_at: datetime | None
    decided_by: str | None = Field(description="Who approved or returned it (name).")
    decided_at: datetime | None
    note: str
    minutes: int
    billable_minutes: int
    non_billable_minutes: int
    running: FieldTimeEntryOut | None
    days: list[FieldTimeDayOut]


class FieldTimesheetRow(Schema):
    agent: str
    agent_name: str
    week_start: date
    status: str
    submitted_at: datetime | None


class FieldTimeReturnIn(Schema):
    note: Text = Field(max_length=services.MAX_RETURN_NOTE)


class FieldTimeReportParams(Schema):
    start: date
    end: date
    client: Text = Field("", max_length=60, description="A client's slug (default: all).")
    approved_only: bool = Field(True, description="Only approved weeks (the default).")


class FieldTimeTotalOut(Schema):
    key: str
    label: str
    client: str
    currency: str
    minutes: int
    billed_minutes: int
    hours: Decimal
    amount: Decimal
    entries: int


class FieldTimeLineOut(Schema):
    date: dt.date = Field(alias="day")
    ticket: str
    client: str
    agent: str
    kind: str
    minutes: int
    billed_minutes: int
    rate: Decimal
    currency: str
    amount: Decimal
    note: str
    entry: str


class FieldTimeReportOut(Schema):
    start: date
    end: date
    approved_only: bool
    by_client: list[FieldTimeTotalOut]
    by_ticket: list[FieldTimeTotalOut]
    by_agent: list[FieldTimeTotalOut]
    lines: list[FieldTimeLineOut]


class FieldBillingRuleIn(Schema):
    hourly_rate: Decimal = Field(ge=0, lt=100000000, decimal_places=2)
    currency: Text = Field("USD", min_length=3, max_length=3)
    bill_travel: bool = False
    round_up_to_minutes: int = Field(15, ge=1, le=240)


class FieldBillingRuleOut(Schema):
    contract: str
    contract_name: str
    client: str | None
    is_default: bool
    hourly_rate: Decimal | None
    currency: str | None
    bill_travel: bool | None
    round_up_to_minutes: int | None


# -- helpers ----------------------------------------------------------------------------------


def _agent(request: HttpRequest) -> User:
    user: User = request.user  # type: ignore[assignment]
    if not is_agent(user):
        raise NotAllowed("agents only")
    return user


def _ticket(user: User, number: str | None) -> Ticket | None:
    if not number:
        return None
    pk = parse_number(number)
    ticket = visible_tickets(user).filter(pk=pk).first() if pk else None
    if ticket is None:
        raise InvalidInput(f"no ticket {number!r}", field="ticket")
    return ticket


def _visit(user: User, public_id: str | None) -> Visit | None:
    if not public_id:
        return None
    visit = visits_visible_to(user).select_related("ticket").filter(public_id=public_id).first()
    if visit is None:
        raise InvalidInput(f"no visit {public_id!r}", field="visit")
    return visit


def _entry(user: User, public_id: str) -> TimeEntry:
    return get_or_404(tq.entries_for(user), f"no time entry {public_id!r}", public_id=public_id)


def _person(user: User, who: str) -> User:
    if who == "me":
        return user
    person = User.objects.filter(public_id=who, kind=User.Kind.AGENT).first()
    if person is None or not tq.may_view_week(user, person):
        raise Http404(f"no timesheet of {who!r}")
    return person


def _sheet_out(user: User, person: User, day: date) -> dict:
    week = tq.week(user, person, day)
    sheet = week.sheet
    return {
        "agent": person.public_id,
        "agent_name": person.get_full_name(),
        "week_start": week.week_start,
        "status": week.status,
        "submitted_at": sheet.submitted_at if sheet else None,
        "decided_by": sheet.decided_by.get_full_name() if sheet and sheet.decided_by else None,
        "decided_at": sheet.decided_at if sheet else None,
        "note": sheet.note if sheet else "",
        "minutes": week.minutes,
        "billable_minutes": week.billable_minutes,
        "non_billable_minutes": week.non_billable_minutes,
        "running": week.running,
        "days": [
            {
                "date": d.day,
                "minutes": d.minutes,
                "billable_minutes": d.billable_minutes,
                "non_billable_minutes": d.non_billable_minutes,
                "entries": d.entries,
            }
            for d in week.days
        ],
    }


def _sheet(person: User, day: date) -> Timesheet:
    return services.timesheet_for(person, services.week_start(day))


def _decided_sheet(user: User, who: str, day: date) -> Timesheet:
    check_date(day, "day")
    person = _person(user, who)
    sheet = Timesheet.objects.filter(agent=person, week_start=services.week_start(day)).first()
    if sheet is None:
        raise Http404("no timesheet for that week")
    return sheet


# -- entries ----------------------------------------------------------------------------------


@router.get("/entries", response=PageOut[FieldTimeEntryOut], summary="Time entries")
def list_entries(request: HttpRequest, filters: Query[FieldTimeFilters]) -> dict[str, object]:
    """The entries you may see, newest first: your own and those at the clients you serve."""
    user = _agent(request)
    qs = tq.entries_for(user)
    if filters.agent:
        qs = (
            qs.filter(agent=user)
            if filters.agent == "me"
            else qs.filter(agent__public_id=filters.agent)
        )
    if filters.ticket:
        pk = parse_number(filters.ticket)
        if pk is None:
            raise InvalidInput("a ticket number looks like T-10423", field="ticket")
        qs = qs.filter(ticket_id=pk)
    for name in ("since", "until"):
        check_date(getattr(filters, name), name)
    if filters.since:
        qs = qs.filter(started_at__gte=tq.report_bounds(user, filters.since, filters.since)[0])
    if filters.until:
        qs = qs.filter(started_at__lt=tq.report_bounds(user, filters.until, filters.until)[1])
    return page_out(paginate(request, qs, page=filters.page, limit=filters.limit))


@router.post("/entries", response={201: FieldTimeEntryOut}, summary="Log a duration")
def log_time(request: HttpRequest, payload: FieldTimeLogIn) -> Status[TimeEntry]:
    user = _agent(request)
    entry = services.log_time(
        user,
        day=payload.date,
        minutes=payload.minutes,
        kind=payload.kind,
        ticket=_ticket(user, payload.ticket),
        visit=_visit(user, payload.visit),
        start=payload.start,
        note=payload.note,
    )
    return Status(201, _entry(user, entry.public_id))


@router.post("/entries/start", response={201: FieldTimeEntryOut}, summary="Start your timer")
def start_timer(request: HttpRequest, payload: FieldTimeTarget) -> Status[TimeEntry]:
    """Starts a timer now; a timer of yours already running is stopped first (and priced)."""
    user = _agent(request)
    entry = services.start_timer(
        user,
        ticket=_ticket(user, payload.ticket),
        visit=_visit(user, payload.visit),
        kind=payload.kind,
        note=payload.note,
    )
    return Status(201, _entry(user, entry.public_id))


@router.post("/entries/stop", response=FieldTimeEntryOut, summary="Stop your timer")
def stop_timer(request: HttpRequest) -> TimeEntry:
    user = _agent(request)
    entry = services.stop_timer(user)
    return _entry(user, entry.public_id)


@router.get("/entries/{public_id}", response=FieldTimeEntryOut, summary="One time entry")
def get_entry(request: HttpRequest, public_id: Text) -> TimeEntry:
    return _entry(_agent(request), public_id)


@router.patch("/entries/{public_id}", response=FieldTimeEntryOut, summary="Change your entry")
def update_entry(request: HttpRequest, public_id: Text, payload: FieldTimePatch) -> TimeEntry:
    """Only the fields sent change; the entry is priced again."""
    user = _agent(request)
    entry = _entry(user, public_id)
    sent = payload.model_dump(exclude_unset=True)
    for name in ("kind", "date", "minutes", "note", "start"):
        if name in sent and sent[name] is None:
            raise InvalidInput(f"{name} cannot be null", field=name)
    kwargs: dict = {
        "day": sent.get("date"),
        "start": sent.get("start"),
        "minutes": sent.get("minutes"),
        "kind": sent.get("kind"),
        "note": sent.get("note"),
    }
    if "ticket" in sent:
        kwargs["ticket"] = _ticket(user, sent["ticket"])
    if "visit" in sent:
        kwargs["visit"] = _visit(user, sent["visit"])
    services.update_entry(user, entry, **kwargs)
    return _entry(user, public_id)


@router.delete("/entries/{public_id}", response={204: None}, summary="Delete your entry")
def delete_entry(request: HttpRequest, public_id: Text) -> Status[None]:
    user = _agent(request)
    services.delete_entry(user, _entry(user, public_id))
    return Status(204, None)


# -- timesheets -------------------------------------------------------------------------------


@router.get(
    "/timesheets/pending",
    response=list[FieldTimesheetRow],
    summary="Weeks waiting for your approval",
)
def pending_timesheets(request: HttpRequest) -> list[dict]:
    user = _agent(request)
    return [
        {
            "agent": s.agent.public_id,
            "agent_name": s.agent.get_full_name(),
            "week_start": s.week_start,
            "status": s.status,
            "submitted_at": s.submitted_at,
        }
        for s in tq.timesheets_to_decide(user)
    ]


@router.get("/timesheets/{agent}/{day}", response=FieldTimesheetOut, summary="A week by day")
def get_timesheet(request: HttpRequest, agent: Text, day: date) -> dict:
    """`agent` is "me" or an agent's public id (their lead or an administrator); the entries
    shown are those you may see."""
    user = _agent(request)
    check_date(day, "day")
    return _sheet_out(user, _person(user, agent), day)


@router.post("/timesheets/me/{day}/submit", response=FieldTimesheetOut, summary="Submit your week")
def submit_timesheet(request: HttpRequest, day: date) -> dict:
    user = _agent(request)
    check_date(day, "day")
    services.submit_timesheet(user, _sheet(user, day))
    return _sheet_out(user, user, day)


@router.post(
    "/timesheets/{agent}/{day}/approve", response=FieldTimesheetOut, summary="Approve a week"
)
def approve_timesheet(request: HttpRequest, agent: Text, day: date) -> dict:
    user = _agent(request)
    sheet = _decided_sheet(user, agent, day)
    services.approve_timesheet(user, sheet)
    return _sheet_out(user, sheet.agent, day)


@router.post(
    "/timesheets/{agent}/{day}/return",
    response=FieldTimesheetOut,
    summary="Return a week with a note",
)
def return_timesheet(
    request: HttpRequest, agent: Text, day: date, payload: FieldTimeReturnIn
) -> dict:
    user = _agent(request)
    sheet = _decided_sheet(user, agent, day)
    services.return_timesheet(user, sheet, note=payload.note)
    return _sheet_out(user, sheet.agent, day)


# -- the billable report ----------------------------------------------------------------------


def client_filter(user: User, slug: str) -> Organization | None:
    """The client a report is narrowed to (one the user may see), None for all."""
    if not slug:
        return None
    org = organizations_visible_to(user).filter(slug=slug).first()
    if org is None:
        raise InvalidInput(f"no client {slug!r}", field="client")
    return org


def check_date(value: date | None, field: str) -> None:
    """Dates from 1900 to 9000: further out is a typo, and could not be shifted by a zone."""
    if value is not None and not tq.FIRST_DAY <= value <= tq.LAST_DAY:
        raise InvalidInput(f"give a date from {tq.FIRST_DAY} to {tq.LAST_DAY}", field=field)


def check_range(start: date, end: date) -> None:
    check_date(start, "start")
    check_date(end, "end")
    if end < start:
        raise InvalidInput("the end is before the start", field="end")
    if (end - start).days >= tq.MAX_REPORT_DAYS:
        raise InvalidInput(f"a report covers at most {tq.MAX_REPORT_DAYS} days", field="end")


@router.get("/report", response=FieldTimeReportOut, summary="The billable report")
def report(request: HttpRequest, params: Query[FieldTimeReportParams]) -> tq.Report:
    """Billable time from `start` to `end` (inclusive, in your zone), approved weeks only
    unless `approved_only=false`: totals per client, ticket and agent, and every line."""
    user = _agent(request)
    check_range(params.start, params.end)
    org = client_filter(user, params.client)
    return tq.billable_report(
        user,
        start=params.start,
        end=params.end,
        organization_id=org.pk if org else None,
        approved_only=params.approved_only,
    )


# -- billing rules ----------------------------------------------------------------------------


def _rule_out(contract: Contract) -> dict:
    rule = getattr(contract, "billing", None)
    return {
        "contract": contract.public_id,
        "contract_name": contract.name,
        "client": contract.organization.slug if contract.organization_id else None,
        "is_default": contract.is_default,
        "hourly_rate": rule.hourly_rate if rule else None,
        "currency": rule.currency if rule else None,
        "bill_travel": rule.bill_travel if rule else None,
        "round_up_to_minutes": rule.round_up_to_minutes if rule else None,
    }


def _contract(user: User, public_id: str) -> Contract:
    qs = contracts_visible_to(user).select_related("billing")
    return get_or_404(qs, f"no contract {public_id!r}", public_id=public_id)


@router.get("/rules", response=list[FieldBillingRuleOut], summary="Billing rules per contract")
def list_rules(request: HttpRequest) -> list[dict]:
    user = _agent(request)
    return [_rule_out(c) for c in contracts_visible_to(user).select_related("billing")]


@router.put(
    "/rules/{contract}", response=FieldBillingRuleOut, summary="Set a billing rule (admins)"
)
def set_rule(request: HttpRequest, contract: Text, payload: FieldBillingRuleIn) -> dict:
    user = _agent(request)
    found = _contract(user, contract)
    services.set_billing_rule(user, found, **payload.model_dump())
    return _rule_out(_contract(user, contract))


@router.delete("/rules/{contract}", response={204: None}, summary="Remove a rule (admins)")
def delete_rule(request: HttpRequest, contract: Text) -> Status[None]:
    user = _agent(request)
    services.delete_billing_rule(user, _contract(user, contract))
    return Status(204, None)
