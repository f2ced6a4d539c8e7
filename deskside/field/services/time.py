"""Time entries, weekly timesheets and billing rules: the write side (issue 17, item 6).

An agent logs time on a ticket (and optionally one of its visits), or training with no ticket,
either with a timer (`start_timer` / `stop_timer`) or as a duration on a date (`log_time`).
Whenever an entry gets its length (stopped, logged, edited) it is priced by `price`, from the
client's contract rule (`BillingRule` of `sla.queries.contract_for(client)`: the client's own
contract, else the default one):

- no rule (or no client: training) -> not billable;
- shadowing and training are never billable: learning a client is the MSP's investment, not
  the client's meter. Time on a visit where the agent was the *shadowing second technician*
  is recorded as shadowing whatever kind was chosen (work or travel);
- travel is billable only when the rule says `bill_travel`;
- a billable entry's minutes are rounded up to a multiple of `round_up_to_minutes`, and it
  keeps the rule's hourly rate and currency at that moment (a later change of rate or
  currency does not reprice or relabel it).

Decisions where the issue is silent (docs/field.md says the same):

- **One running timer per agent; starting another stops the first** (at the same instant,
  priced as usual), as a technician who drives on to the next job expects; refusing would
  only make them tap twice.
- A timer's length is its whole minutes, rounded up (a started minute counts).
- A duration logged for a date starts at 09:00 in the agent's zone unless a start time is
  given; no entry may start in the future or last more than 24 hours.
- Each entry belongs to the timesheet of the week (Monday to Sunday, in the agent's time zone,
  `user.timezone`) in which it started. It may be changed or deleted, by its agent only, while
  that week is open or returned; a submitted or approved week is locked (a lead returns a
  submitted week for changes; an approved week stays as approved). A week cannot be submitted
  while a timer started in it still runs.
- **Who approves**: the lead of a team the agent is a member of (`Team.lead`), or an
  administrator (`is_staff`); never the agent themself, and only someone who serves every
  client that the week's entries are for (a lead restricted to client A does not sign off
  time at client B, which they may not even see).
- Entries write no ticket timeline event: the timeline is append-only, entries are editable
  until approved, so an event would go stale; the ticket page's time panel shows the total.
- Billing rules are set-up: created, changed and deleted by administrators who serve the
  contract's client (any administrator for the default contract), each with an audit entry.
"""

import math
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.db import IntegrityError, transaction

from deskside.accounts.models import Organization, User
from deskside.accounts.permissions import is_admin, is_agent
from deskside.accounts.queries import is_lead_of, served_organization_ids, serves
from deskside.accounts.queries import leads_of as accounts_leads_of
from deskside.core import audit, clock
from deskside.core.timezones import zone
from deskside.field.exceptions import InvalidInput, InvalidTransition, NotAllowed
from deskside.field.models import (
    BillingRule,
    TimeEntry,
    TimeKind,
    Timesheet,
    TimesheetStatus,
    Visit,
)
from deskside.sla.models import Contract
from deskside.sla.queries import contract_for
from deskside.tickets.models import Ticket

MAX_MINUTES = 24 * 60
MAX_NOTE = 500
MAX_RETURN_NOTE = 2000
DEFAULT_START = time(9, 0)
EARLIEST_DAY = date(1900, 1, 1)  # before, a typo (and past what a zone's offset may shift)
LATEST_DAY = date(9000, 12, 31)  # after, a typo (and a week's next Monday would overflow)
EDITABLE = (TimesheetStatus.OPEN, TimesheetStatus.RETURNED)
NEVER_BILLED = (TimeKind.SHADOWING, TimeKind.TRAINING)
RULE_FIELDS = ("hourly_rate", "currency", "bill_travel", "round_up_to_minutes")
CENT = Decimal("0.01")


# -- pricing ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Price:
    """What an entry is billed: whether at all, the minutes after rounding, the hourly rate."""

    billable: bool
    billed_minutes: int
    rate: Decimal | None


NOT_BILLED = Price(False, 0, None)


def price(kind: str, minutes: int, rule: BillingRule | None) -> Price:
    """The billing of `minutes` of `kind` under `rule` (None: the contract has no rule).

    A pure function: the rules of the module's docstring, nothing read from the database."""
    if rule is None or kind in NEVER_BILLED or minutes <= 0:
        return NOT_BILLED
    if kind == TimeKind.TRAVEL and not rule.bill_travel:
        return NOT_BILLED
    step = max(1, rule.round_up_to_minutes)
    return Price(True, math.ceil(minutes / step) * step, rule.hourly_rate)


def amount(billed_minutes: int, rate: Decimal | None) -> Decimal:
    """The amount of one entry, in the rule's currency, to the cent (half up)."""
    if not rate or not billed_minutes:
        return Decimal("0.00")
    return (Decimal(billed_minutes) * rate / 60).quantize(CENT, rounding=ROUND_HALF_UP)


def rule_for_organization(organization_id: int | None) -> BillingRule | None:
    """The billing rule of the contract that applies to the client, chosen as the SLA app
    chooses a ticket's contract (`sla.queries.contract_for`: its own, else the default); None
    for no client, no contract, or a contract without a rule."""
    if organization_id is None:
        return None
    contract = contract_for(Organization(pk=organization_id))
    if contract is None:
        return None
    return BillingRule.objects.filter(contract=contract).first()


def effective_kind(kind: str, agent_id: int, visit: Visit | None) -> str:
    """`kind`, or shadowing when the agent was the shadowing second technician of `visit`."""
    if (
        visit is not None
        and kind != TimeKind.TRAINING
        and visit.second_is_shadowing
        and visit.second_technician_id == agent_id
    ):
        return TimeKind.SHADOWING
    return kind


def _apply_price(entry: TimeEntry) -> None:
    entry.kind = effective_kind(entry.kind, entry.agent_id, entry.visit)
    rule = rule_for_organization(entry.organization_id)
    found = price(entry.kind, entry.minutes or 0, rule)
    entry.billable, entry.rate = found.billable, found.rate
    entry.billed_minutes = found.billed_minutes
    # Frozen with the rate: a later change of the rule's currency does not relabel the entry.
    entry.currency = rule.currency if rule is not None else ""


# -- weeks ------------------------------------------------------------------------------------


def check_day(day: date, field: str = "date") -> date:
    """`day` when it is from 1900 to 9000, else InvalidInput naming `field`: a far-off date is a
    typo, and the week's days (or its previous and next weeks) would overflow `date`."""
    if not EARLIEST_DAY <= day <= LATEST_DAY:
        raise InvalidInput(f"give a date from {EARLIEST_DAY:%Y} to {LATEST_DAY:%Y}", field=field)
    return day


def week_start(day: date) -> date:
    """The Monday of the week of `day`."""
    return day - timedelta(days=day.weekday())


def local_day(agent: User, instant: datetime) -> date:
    """The date of `instant` in the agent's own time zone."""
    return instant.astimezone(zone(agent.timezone)).date()


def week_of(agent: User, instant: datetime) -> date:
    """The Monday (in the agent's zone) of the week in which `instant` falls."""
    return week_start(local_day(agent, instant))


def timesheet_for(agent: User, monday: date) -> Timesheet:
    """The agent's timesheet of the week starting `monday` (made, open, on first use)."""
    check_day(monday, "day")
    sheet, _ = Timesheet.objects.get_or_create(agent=agent, week_start=week_start(monday))
    return sheet


def _require_editable_week(sheet: Timesheet | None) -> None:
    if sheet is not None and sheet.status not in EDITABLE:
        raise InvalidTransition(
            f"the week of {sheet.week_start:%d %b %Y} is {sheet.get_status_display().lower()}:"
            " its entries are locked",
            field="date",
        )


def _sheet_locked(agent: User, instant: datetime) -> Timesheet:
    sheet = timesheet_for(agent, week_of(agent, instant))
    sheet = Timesheet.objects.select_for_update().get(pk=sheet.pk)
    _require_editable_week(sheet)
    return sheet


# -- checks -----------------------------------------------------------------------------------


def _require_agent(actor: User) -> None:
    if not is_agent(actor):
        raise NotAllowed("only agents log time")


def _target(
    actor: User, kind: str, ticket: Ticket | None, visit: Visit | None
) -> tuple[Ticket | None, Visit | None]:
    """Check what the time is for: a ticket of a client the actor serves (none only for
    training), and a visit of that ticket."""
    if kind not in TimeKind.values:
        raise InvalidInput(f"the kind is one of {', '.join(TimeKind.values)}", field="kind")
    if visit is not None and ticket is None:
        ticket = visit.ticket
    if ticket is None:
        if kind != TimeKind.TRAINING:
            raise InvalidInput("choose the ticket the time is for", field="ticket")
        return None, None
    if not serves(actor, ticket.organization_id):
        raise NotAllowed("you do not serve this client", field="ticket")
    if visit is not None and visit.ticket_id != ticket.pk:
        raise InvalidInput("the visit is not one of this ticket's", field="visit")
    return ticket, visit


def _minutes(value: int) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or not 1 <= value <= MAX_MINUTES:
        raise InvalidInput(f"the duration is 1 to {MAX_MINUTES} minutes", field="minutes")
    return value


def _note(value: str) -> str:
    value = (value or "").strip()
    if len(value) > MAX_NOTE:
        raise InvalidInput(f"the note is at most {MAX_NOTE} characters", field="note")
    return value


def _start_instant(agent: User, day: date, at: time | None) -> datetime:
    """`day` at `at` (default 09:00) in the agent's zone, in UTC; never in the future."""
    if day < EARLIEST_DAY:
        raise InvalidInput(f"give a date from {EARLIEST_DAY:%Y}", field="date")
    local = datetime.combine(day, at or DEFAULT_START, tzinfo=zone(agent.timezone))
    start = local.astimezone(clock.now().tzinfo)
    if start > clock.now():
        field = "date" if day > local_day(agent, clock.now()) else "start"
        raise InvalidInput("time cannot be logged for the future", field=field)
    return start


def _own_entry(actor: User, entry: TimeEntry) -> TimeEntry:
    _require_agent(actor)
    entry = (
        TimeEntry.objects.select_for_update(of=("self",)).select_related("visit").get(pk=entry.pk)
    )
    if entry.agent_id != actor.pk:
        raise NotAllowed("only the agent who logged it changes an entry")
    return entry


# -- timers -----------------------------------------------------------------------------------


def running_entry(agent: User) -> TimeEntry | None:
    """The agent's running timer, if any."""
    return (
        TimeEntry.objects.select_related("ticket", "visit")
        .filter(agent=agent, ended_at__isnull=True)
        .order_by("-started_at", "-id")
        .first()
    )


def _stop(entry: TimeEntry, at: datetime) -> TimeEntry:
    entry.ended_at = max(at, entry.started_at)
    entry.minutes = math.ceil((entry.ended_at - entry.started_at).total_seconds() / 60)
    _apply_price(entry)
    entry.save()
    return entry


@transaction.atomic
def start_timer(
    actor: User,
    *,
    ticket: Ticket | None = None,
    visit: Visit | None = None,
    kind: str = TimeKind.WORK,
    note: str = "",
) -> TimeEntry:
    """Start the actor's timer on `ticket` (and `visit`); a timer already running is stopped
    at this instant first (one running timer per agent). Training may have no ticket."""
    _require_agent(actor)
    User.objects.select_for_update().filter(pk=actor.pk).first()  # one start at a time
    ticket, visit = _target(actor, kind, ticket, visit)
    note = _note(note)
    now = clock.now()
    sheet = _sheet_locked(actor, now)
    for running in TimeEntry.objects.select_for_update(of=("self",)).filter(
        agent=actor, ended_at=None
    ):
        _stop(running, now)
    return TimeEntry.objects.create(
        agent=actor,
        ticket=ticket,
        visit=visit,
        organization_id=ticket.organization_id if ticket else None,
        kind=effective_kind(kind, actor.pk, visit),
        started_at=now,
        note=note,
        timesheet=sheet,
        created_at=now,
    )


@transaction.atomic
def stop_timer(actor: User) -> TimeEntry:
    """Stop the actor's running timer now and price it. InvalidTransition when none runs."""
    _require_agent(actor)
    entry = (
        TimeEntry.objects.select_for_update(of=("self",))
        .select_related("visit")
        .filter(agent=actor, ended_at=None)
        .order_by("-started_at")
        .first()
    )
    if entry is None:
        raise InvalidTransition("no timer is running")
    return _stop(entry, clock.now())


# -- durations --------------------------------------------------------------------------------


@transaction.atomic
def log_time(
    actor: User,
    *,
    day: date,
    minutes: int,
    kind: str = TimeKind.WORK,
    ticket: Ticket | None = None,
    visit: Visit | None = None,
    start: time | None = None,
    note: str = "",
) -> TimeEntry:
    """A finished entry of `minutes` on `day` (from `start`, default 09:00, in the agent's
    zone), priced by the client's rule. Refused in a locked week or in the future."""
    _require_agent(actor)
    ticket, visit = _target(actor, kind, ticket, visit)
    minutes = _minutes(minutes)
    note = _note(note)
    started = _start_instant(actor, day, start)
    sheet = _sheet_locked(actor, started)
    entry = TimeEntry(
        agent=actor,
        ticket=ticket,
        visit=visit,
        organization_id=ticket.organization_id if ticket else None,
        kind=kind,
        started_at=started,
        ended_at=started + timedelta(minutes=minutes),
        minutes=minutes,
        note=note,
        timesheet=sheet,
        created_at=clock.now(),
    )
    _apply_price(entry)
    entry.save()
    return entry


_UNSET = object()


@transaction.atomic
def update_entry(
    actor: User,
    entry: TimeEntry,
    *,
    day: date | None = None,
    start: time | None = None,
    minutes: int | None = None,
    kind: str | None = None,
    ticket: Ticket | None | object = _UNSET,
    visit: Visit | None | object = _UNSET,
    note: str | None = None,
) -> TimeEntry:
    """Change a finished entry (its agent only) while its week and the week it moves to are
    open or returned; the entry is priced again by the client's current rule."""
    entry = _own_entry(actor, entry)
    if entry.ended_at is None:
        raise InvalidTransition("stop the timer before editing the entry")
    _require_editable_week(entry.timesheet)
    new_ticket = entry.ticket if ticket is _UNSET else ticket
    new_visit = (entry.visit if new_ticket == entry.ticket else None) if visit is _UNSET else visit
    new_kind = kind or entry.kind
    if kind is None and entry.kind == TimeKind.SHADOWING and new_visit != entry.visit:
        new_kind = TimeKind.WORK  # it was shadowing because of the visit it no longer names
    new_ticket, new_visit = _target(actor, new_kind, new_ticket, new_visit)  # type: ignore[arg-type]
    local = entry.started_at.astimezone(zone(actor.timezone))
    started = (
        _start_instant(actor, day or local.date(), start or local.time().replace(microsecond=0))
        if day is not None or start is not None
        else entry.started_at
    )
    length = _minutes(minutes) if minutes is not None else (entry.minutes or 0)
    sheet = _sheet_locked(actor, started)
    entry.ticket, entry.visit = new_ticket, new_visit
    entry.organization_id = new_ticket.organization_id if new_ticket else None
    entry.kind = new_kind
    entry.started_at = started
    entry.minutes = length
    entry.ended_at = started + timedelta(minutes=length)
    entry.timesheet = sheet
    if note is not None:
        entry.note = _note(note)
    _apply_price(entry)
    entry.save()
    return entry


@transaction.atomic
def delete_entry(actor: User, entry: TimeEntry) -> None:
    """Delete an entry (its agent only) while its week is open or returned (a running timer
    may be discarded the same way)."""
    entry = _own_entry(actor, entry)
    _require_editable_week(entry.timesheet)
    entry.delete()


# -- timesheets -------------------------------------------------------------------------------


def leads_of(agent: User) -> set[int]:
    """The ids of the leads of the teams `agent` is a member of (`accounts.queries.leads_of`)."""
    return accounts_leads_of(agent)


def may_approve(approver: User, agent: User) -> bool:
    """Whether `approver` decides `agent`'s weeks: a lead of the agent
    (`accounts.queries.is_lead_of`: a lead of one of the agent's teams or an administrator),
    never the agent themself."""
    return approver.pk != agent.pk and is_lead_of(approver, agent)


def _require_approver(approver: User, sheet: Timesheet) -> None:
    if approver.pk == sheet.agent_id:
        raise NotAllowed("nobody approves their own week")
    if not may_approve(approver, sheet.agent):
        raise NotAllowed("only the agent's team lead or an administrator decides this week")
    served = served_organization_ids(approver)
    if served is not None:
        clients = set(
            sheet.entries.exclude(organization_id=None).values_list("organization_id", flat=True)
        )
        if clients - set(served):
            raise NotAllowed("the week has time at clients you do not serve")


@transaction.atomic
def submit_timesheet(actor: User, sheet: Timesheet) -> Timesheet:
    """The agent hands in their week (open or returned -> submitted): its entries lock.
    Refused while a timer started in that week runs, and for a week not started yet."""
    _require_agent(actor)
    sheet = Timesheet.objects.select_for_update().get(pk=sheet.pk)
    if sheet.agent_id != actor.pk:
        raise NotAllowed("only the agent submits their own week")
    if sheet.status not in EDITABLE:
        raise InvalidTransition(f"the week is {sheet.get_status_display().lower()} already")
    if sheet.week_start > local_day(actor, clock.now()):
        raise InvalidTransition("this week has not started yet")
    if sheet.entries.filter(ended_at=None).exists():
        raise InvalidTransition("a timer of this week is still running: stop it first")
    sheet.status = TimesheetStatus.SUBMITTED
    sheet.submitted_at = clock.now()
    sheet.save(update_fields=["status", "submitted_at"])
    return sheet


def _sheet_for_decision(sheet: Timesheet) -> Timesheet:
    """The week locked for a lead's decision: its row only (`of=("self",)`), not the agent's
    user row that the join reads, which `start_timer` locks first (a deadlock otherwise)."""
    return (
        Timesheet.objects.select_for_update(of=("self",)).select_related("agent").get(pk=sheet.pk)
    )


@transaction.atomic
def approve_timesheet(actor: User, sheet: Timesheet) -> Timesheet:
    """A lead (or an administrator) approves a submitted week: it stays locked for good."""
    sheet = _sheet_for_decision(sheet)
    _require_approver(actor, sheet)
    if sheet.status != TimesheetStatus.SUBMITTED:
        raise InvalidTransition("only a submitted week is approved")
    sheet.status = TimesheetStatus.APPROVED
    sheet.decided_by = actor
    sheet.decided_at = clock.now()
    sheet.save(update_fields=["status", "decided_by", "decided_at"])
    return sheet


@transaction.atomic
def return_timesheet(actor: User, sheet: Timesheet, *, note: str) -> Timesheet:
    """A lead (or an administrator) sends a submitted week back with a note saying what to
    change: its entries are editable again until the agent submits it anew."""
    sheet = _sheet_for_decision(sheet)
    _require_approver(actor, sheet)
    note = (note or "").strip()
    if not note:
        raise InvalidInput("say what is to change", field="note")
    if len(note) > MAX_RETURN_NOTE:
        raise InvalidInput(f"the note is at most {MAX_RETURN_NOTE} characters", field="note")
    if sheet.status != TimesheetStatus.SUBMITTED:
        raise InvalidTransition("only a submitted week is returned")
    sheet.status = TimesheetStatus.RETURNED
    sheet.decided_by = actor
    sheet.decided_at = clock.now()
    sheet.note = note
    sheet.save(update_fields=["status", "decided_by", "decided_at", "note"])
    return sheet


# -- billing rules ----------------------------------------------------------------------------


def require_rule_admin(actor: User, contract: Contract) -> None:
    """Administrators who serve the contract's client (any, for the default contract)."""
    if not is_admin(actor):
        raise NotAllowed("only administrators change billing rules")
    if contract.organization_id is not None and not serves(actor, contract.organization_id):
        raise NotAllowed("you do not serve this client")


def _rule_values(
    hourly_rate: Decimal, currency: str, bill_travel: bool, round_up_to_minutes: int
) -> dict:
    try:
        rate = Decimal(str(hourly_rate))
    except ArithmeticError:
        raise InvalidInput("the rate is a number", field="hourly_rate") from None
    if not rate.is_finite() or rate < 0 or rate >= Decimal("100000000"):
        raise InvalidInput("the rate is 0 or more, below 100,000,000", field="hourly_rate")
    if rate != rate.quantize(CENT):
        raise InvalidInput("the rate has at most two decimals", field="hourly_rate")
    currency = (currency or "").strip().upper()
    if len(currency) != 3 or not currency.isalpha() or not currency.isascii():
        raise InvalidInput("the currency is a three-letter code (USD, EUR ...)", field="currency")
    if not isinstance(round_up_to_minutes, int) or not 1 <= round_up_to_minutes <= 240:
        raise InvalidInput("rounding is 1 to 240 minutes", field="round_up_to_minutes")
    return {
        "hourly_rate": rate.quantize(CENT),
        "currency": currency,
        "bill_travel": bool(bill_travel),
        "round_up_to_minutes": round_up_to_minutes,
    }


def _rule_locked(contract: Contract) -> BillingRule | None:
    return BillingRule.objects.select_for_update().filter(contract=contract).first()


def _create_rule(contract: Contract, values: dict) -> BillingRule | None:
    """The contract's new rule, or None when another administrator created one meanwhile (the
    one-rule-per-contract key refuses ours; the savepoint keeps the transaction usable)."""
    try:
        with transaction.atomic():
            return BillingRule.objects.create(contract=contract, updated_at=clock.now(), **values)
    except IntegrityError:
        return None


@transaction.atomic
def set_billing_rule(
    actor: User,
    contract: Contract,
    *,
    hourly_rate: Decimal,
    currency: str = "USD",
    bill_travel: bool = False,
    round_up_to_minutes: int = 15,
) -> BillingRule:
    """Create or change the contract's billing rule (administrators), with an audit entry.
    Entries already priced keep their price and currency; the rule applies to entries stopped,
    logged or edited from now on. Two administrators creating the same rule at once: the
    second changes the first one's rule (no error)."""
    require_rule_admin(actor, contract)
    values = _rule_values(hourly_rate, currency, bill_travel, round_up_to_minutes)
    label = f"Billing of {contract.name}"
    rule = _rule_locked(contract)
    if rule is None and (rule := _create_rule(contract, values)) is not None:
        audit.record(
            actor,
            audit.CREATED,
            "field.billingrule",
            contract.public_id,
            label=label,
            after=audit.snapshot(rule, RULE_FIELDS),
        )
        return rule
    rule = rule or _rule_locked(contract)
    if rule is None:  # created and deleted again meanwhile: nothing sensible left to change
        raise InvalidTransition("the rule changed meanwhile: try again", field="contract")
    before = audit.snapshot(rule, RULE_FIELDS)
    for name, value in values.items():
        setattr(rule, name, value)
    rule.updated_at = clock.now()
    rule.save()
    audit.record_update(
        actor,
        "field.billingrule",
        contract.public_id,
        label=label,
        before=before,
        after=audit.snapshot(rule, RULE_FIELDS),
    )
    return rule


@transaction.atomic
def delete_billing_rule(actor: User, contract: Contract) -> None:
    """Remove the contract's rule (administrators), with an audit entry: the client's time
    is logged but not billable from now on. InvalidInput when there is none."""
    require_rule_admin(actor, contract)
    rule = BillingRule.objects.select_for_update().filter(contract=contract).first()
    if rule is None:
        raise InvalidInput("this contract has no billing rule", field="contract")
    before = audit.snapshot(rule, RULE_FIELDS)
    rule.delete()
    audit.record(
        actor,
        audit.DELETED,
        "field.billingrule",
        contract.public_id,
        label=f"Billing of {contract.name}",
        before=before,
    )
