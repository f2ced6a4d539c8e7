"""SLA clocks: due times on tickets from their client's contract, counted in working time.

`SlaClock` is installed as the ticket services' clock (tickets.deadlines) and keeps the SLA
columns of a ticket right as it moves:

- created: first-response and resolution due times from the contract's target for the
  ticket's priority, counted from the creation in the target's calendar;
- an agent's public reply or a logged call meets the first response (and a pending next
  response); a customer's reply starts the next-response clock;
- the waiting statuses (pending customer, pending vendor, on hold) pause every clock, and so
  does resolving; leaving them resumes each clock with the working time it had left;
- a change of priority (or client) recounts the due times from the creation, with the pauses
  the timeline records, so time already used stays used.

`sla_check_at` is always the next instant a warning or breach of an active clock falls due,
or None when nothing can fire (paused, resolved, no contract): the SLA worker's index.
`due_now()` is the worker's decision for one ticket (which warnings and breaches fire now, the
new bits and the next check), kept here so the clock's rules live in one module.

Which contract applies: the client's own contract when it has one (a priority without a target
there has no SLA; the default contract does not fill the gap), else the default contract.
"""

import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from django.db.models import Q

from deskside.accounts.models import User
from deskside.core import clock
from deskside.sla.calendar import MINUTE, BusinessCalendar, from_us, to_us
from deskside.sla.models import Contract, SetupVersion, SLATarget
from deskside.tickets import deadlines
from deskside.tickets.deadlines import (
    FIRST_BREACHED,
    FIRST_WARNED,
    NEXT_BREACHED,
    NEXT_WARNED,
    RESOLUTION_BREACHED,
    RESOLUTION_WARNED,
)
from deskside.tickets.models import EventKind, Status, Ticket

PAUSED_STATUSES = frozenset(deadlines.PAUSED)
STOPPED_STATUSES = frozenset(deadlines.STOPPED)
NEXT_BITS = NEXT_WARNED | NEXT_BREACHED

DUE_FIELDS = {
    "first_response_due": FIRST_WARNED | FIRST_BREACHED,
    "next_response_due": NEXT_BITS,
    "resolution_due": RESOLUTION_WARNED | RESOLUTION_BREACHED,
}

CLOCK_FIELDS = [
    "first_response_due",
    "first_responded_at",
    "next_response_due",
    "resolution_due",
    "sla_paused_at",
    "sla_check_at",
    "sla_fired",
]


@dataclass(frozen=True)
class Terms:
    """What applies to one ticket: its contract, its target and the calendar it counts in."""

    contract: Contract
    target: SLATarget
    calendar: BusinessCalendar

    def minutes(self, kind: str) -> int | None:
        return getattr(self.target, f"{kind}_minutes")


def _terms(target: SLATarget) -> Terms:
    return Terms(target.contract, target, (target.calendar or target.contract.calendar).engine)


def terms_for(ticket: Ticket) -> Terms | None:
    """The contract terms for the ticket's client and priority: the client's own contract when
    it has one, else the default contract; None when that contract has no target for the
    priority (or there is no contract at all).

    From this process's copy of the whole set-up (a TermsBook), reloaded when the set-up's
    token (SetupVersion) has changed: one one-column query per call instead of a four-table
    query and a calendar parse (2.5 ms of a ticket creation's 4 ms). Inside a transaction that
    changed the set-up, the token it wrote is what it reads, so it sees its own change."""
    token = SetupVersion.objects.filter(pk=1).values_list("token", flat=True).first()
    cached = _BOOK
    if cached is None or cached[0] != token or token is None:
        book = TermsBook()
        if token is not None:
            _remember(token, book)
    else:
        book = cached[1]
    return book.get(ticket.organization_id, ticket.priority)


_BOOK: "tuple[str, TermsBook] | None" = None


def _remember(token: str, book: "TermsBook") -> None:
    global _BOOK
    _BOOK = (token, book)


def setup_changed(**kwargs: object) -> None:
    """Signal receiver (sla.apps): a calendar, contract or target was saved or deleted."""
    SetupVersion.objects.update_or_create(pk=1, defaults={"token": uuid.uuid4().hex})


class TermsBook:
    """Every contract's terms, read once (two queries): what the worker uses for a whole pass
    instead of one `terms_for` query per ticket. Same choice of contract as `terms_for`."""

    def __init__(self) -> None:
        self._clients = set(
            Contract.objects.filter(organization__isnull=False).values_list(
                "organization_id", flat=True
            )
        )
        self._own: dict[tuple[int, int], Terms] = {}
        self._default: dict[int, Terms] = {}
        for target in SLATarget.objects.select_related(
            "contract", "contract__calendar", "calendar"
        ):
            if target.contract.organization_id is not None:
                self._own[(target.contract.organization_id, target.priority)] = _terms(target)
            elif target.contract.is_default:
                self._default[target.priority] = _terms(target)

    def get(self, organization_id: int, priority: int) -> Terms | None:
        if organization_id in self._clients:
            return self._own.get((organization_id, priority))
        return self._default.get(priority)


class ClockState(Protocol):
    """What the clock rules read of a ticket: a Ticket, or the worker's lighter row."""

    status: str
    first_response_due: datetime | None
    first_responded_at: datetime | None
    next_response_due: datetime | None
    resolution_due: datetime | None
    sla_paused_at: datetime | None
    sla_fired: int


@dataclass(frozen=True)
class Clock:
    """One active clock of a ticket: its kind, due instant and the bits that say it fired."""

    kind: str  # "first_response", "next_response" or "resolution"
    due: datetime
    warned_bit: int
    breached_bit: int


def active_clocks(ticket: ClockState) -> list[Clock]:
    """The clocks of `ticket` that are still running (or paused), with their due times."""
    clocks: list[Clock] = []
    if ticket.status in STOPPED_STATUSES:
        return clocks
    if ticket.first_response_due and ticket.first_responded_at is None:
        clocks.append(
            Clock("first_response", ticket.first_response_due, FIRST_WARNED, FIRST_BREACHED)
        )
    if ticket.next_response_due:
        clocks.append(Clock("next_response", ticket.next_response_due, NEXT_WARNED, NEXT_BREACHED))
    if ticket.resolution_due:
        clocks.append(
            Clock("resolution", ticket.resolution_due, RESOLUTION_WARNED, RESOLUTION_BREACHED)
        )
    return clocks


def warning_at(terms: Terms, clock_: Clock) -> datetime | None:
    """When the warning of `clock_` falls due: the instant the contract's share of the target
    is used up, i.e. the due time walked back by the rest of the target in working time."""
    minutes = terms.minutes(clock_.kind)
    if not minutes:
        return None
    rest = round(minutes * (100 - terms.contract.warning_percent) / 100 * MINUTE)
    return from_us(terms.calendar.add_us(to_us(clock_.due), -rest)) if rest else clock_.due


def _is_running(ticket: ClockState, terms: Terms | None) -> bool:
    return (
        terms is not None
        and ticket.sla_paused_at is None
        and ticket.status not in PAUSED_STATUSES
        and ticket.status not in STOPPED_STATUSES
    )


def _next_check(ticket: ClockState, terms: Terms | None, bits: int) -> datetime | None:
    if not _is_running(ticket, terms):
        return None
    moments = []
    for c in active_clocks(ticket):
        if not bits & c.warned_bit and (warn := warning_at(terms, c)) is not None:  # type: ignore[arg-type]
            moments.append(warn)
        elif not bits & c.breached_bit:
            moments.append(c.due)
    return min(moments, default=None)


def next_check(ticket: ClockState, terms: Terms | None) -> datetime | None:
    """The next instant a warning or a breach of an active clock falls due, or None (paused,
    stopped, no contract, everything fired)."""
    return _next_check(ticket, terms, ticket.sla_fired)


@dataclass(frozen=True)
class Firing:
    """A warning or a breach that falls due now."""

    clock: Clock
    breach: bool
    target_minutes: int | None

    @property
    def event_kind(self) -> str:
        return EventKind.SLA_BREACH if self.breach else EventKind.SLA_WARNING


@dataclass(frozen=True)
class Decision:
    """What the worker does with one ticket: fire these, then store `bits` and `check_at`."""

    fired: list[Firing]
    bits: int
    check_at: datetime | None


def due_now(ticket: ClockState, terms: Terms | None, now: datetime) -> Decision:
    """Which warnings and breaches of `ticket` fall due at `now` and are not yet fired.

    Catching up after a long stop fires each at most once: a clock whose due time passed
    fires its breach only (its warning bit is set with it, without a warning of its own); a
    paused, stopped or contract-less ticket fires nothing. `check_at` is the next instant to
    look again (after now whenever something is left to fire).
    """
    bits = ticket.sla_fired
    fired: list[Firing] = []
    if not _is_running(ticket, terms):
        return Decision(fired, bits, None)
    assert terms is not None
    later = []  # the instants still to come, for the next check (as _next_check finds them)
    for c in active_clocks(ticket):
        if bits & c.breached_bit:
            continue
        if c.due <= now:
            fired.append(Firing(c, True, terms.minutes(c.kind)))
            bits |= c.breached_bit | c.warned_bit
            continue
        if not bits & c.warned_bit and (warn := warning_at(terms, c)) is not None:
            if warn > now:
                later.append(warn)
                continue
            fired.append(Firing(c, False, terms.minutes(c.kind)))
            bits |= c.warned_bit
        later.append(c.due)
    return Decision(fired, bits, min(later, default=None))


def _due(
    terms: Terms,
    start: datetime,
    minutes: int | None,
    pauses: Iterable[tuple[datetime, datetime]] = (),
) -> datetime | None:
    if not minutes:
        return None
    return terms.calendar.add(start, minutes, pauses)


def pause_history(
    ticket: Ticket, *, until: datetime | None = None
) -> list[tuple[datetime, datetime]]:
    """The closed intervals in which the ticket's clocks were paused, from its timeline (and,
    with `until`, a pause still running counted up to then)."""
    pauses, since = [], None
    for kind, created_at, data in (
        ticket.events.filter(
            kind__in=(EventKind.STATUS, EventKind.RESOLVED, EventKind.REOPENED, EventKind.CLOSED)
        )
        .order_by("id")
        .values_list("kind", "created_at", "data")
    ):
        target = {
            EventKind.RESOLVED: Status.RESOLVED,
            EventKind.CLOSED: Status.CLOSED,
            EventKind.REOPENED: Status.OPEN,
        }.get(kind) or data.get("to")
        paused = target in PAUSED_STATUSES or target in STOPPED_STATUSES
        if paused and since is None:
            since = created_at
        elif not paused and since is not None:
            pauses.append((since, created_at))
            since = None
    if until is not None and since is not None:
        pauses.append((since, until))
    return pauses


def next_response_start(ticket: Ticket) -> datetime | None:
    """When the running next-response clock started: the customer's first reply after the
    agents' last public answer (reply or call), from the timeline."""
    start = None
    for kind, actor_kind, created_at in (
        ticket.events.filter(kind__in=(EventKind.REPLY, EventKind.CALL))
        .order_by("id")
        .values_list("kind", "actor__kind", "created_at")
    ):
        if kind == EventKind.REPLY and actor_kind == User.Kind.CUSTOMER:
            start = start or created_at
        else:
            start = None
    return start


class SlaClock:
    """The SLA engine behind tickets.deadlines (see the module docstring). The ticket services
    lock the ticket's row before they call it, so the bits it reads are current."""

    def started(self, ticket: Ticket) -> list[str]:
        terms = terms_for(ticket)
        ticket.sla_fired = 0
        ticket.first_responded_at = None
        ticket.next_response_due = None
        ticket.sla_paused_at = None
        if terms is None:
            ticket.first_response_due = ticket.resolution_due = ticket.sla_check_at = None
            return CLOCK_FIELDS
        ticket.first_response_due = _due(terms, ticket.created_at, terms.minutes("first_response"))
        ticket.resolution_due = _due(terms, ticket.created_at, terms.minutes("resolution"))
        ticket.sla_check_at = next_check(ticket, terms)
        return CLOCK_FIELDS

    def retargeted(self, ticket: Ticket) -> list[str]:
        terms = terms_for(ticket)
        before = {field: getattr(ticket, field) for field in DUE_FIELDS}
        if terms is None:
            ticket.first_response_due = ticket.next_response_due = None
            ticket.resolution_due = ticket.sla_check_at = None
            return CLOCK_FIELDS
        # Recount from the creation (and the next response from the customer's message) with
        # the closed pauses of the timeline, so time already used stays used. A pause still
        # running is left out: resuming shifts the due times by the time it really lasted.
        pauses = pause_history(ticket)
        ticket.first_response_due = _due(
            terms, ticket.created_at, terms.minutes("first_response"), pauses
        )
        ticket.resolution_due = _due(terms, ticket.created_at, terms.minutes("resolution"), pauses)
        if ticket.next_response_due is not None:
            start = next_response_start(ticket) or clock.now()
            if ticket.sla_paused_at is not None:
                start = min(start, ticket.sla_paused_at)  # as customer_wrote starts it
            ticket.next_response_due = _due(terms, start, terms.minutes("next_response"), pauses)
        # A clock whose due time moved may warn and breach anew; the others stay fired.
        for field, bits in DUE_FIELDS.items():
            if getattr(ticket, field) != before[field]:
                ticket.sla_fired &= ~bits
        ticket.sla_check_at = next_check(ticket, terms)
        return CLOCK_FIELDS

    def status_changed(self, ticket: Ticket, old: str, actor: User | None) -> list[str]:
        was_paused = old in PAUSED_STATUSES or old in STOPPED_STATUSES
        is_paused = ticket.status in PAUSED_STATUSES or ticket.status in STOPPED_STATUSES
        if was_paused == is_paused:
            return []
        now = clock.now()
        if is_paused:
            ticket.sla_paused_at = now
            ticket.sla_check_at = None
            return ["sla_paused_at", "sla_check_at"]
        terms = terms_for(ticket)
        paused_at = ticket.sla_paused_at
        ticket.sla_paused_at = None
        if terms is not None and paused_at is not None:
            # Each clock gets back the working time it had left when the pause began.
            cal = terms.calendar
            for field in DUE_FIELDS:
                due = getattr(ticket, field)
                if due is None or due <= paused_at:
                    continue  # no clock, or already breached before the pause: stays so
                left = cal.between_us(to_us(paused_at), to_us(due))
                setattr(ticket, field, from_us(cal.add_us(to_us(now), left)) if left > 0 else due)
        ticket.sla_check_at = next_check(ticket, terms)
        return [*DUE_FIELDS, "sla_paused_at", "sla_check_at"]

    def responded(self, ticket: Ticket, actor: User) -> list[str]:
        if not actor.is_agent:
            return []
        changed = []
        if ticket.first_responded_at is None:
            ticket.first_responded_at = clock.now()
            changed.append("first_responded_at")
        if ticket.next_response_due is not None:
            ticket.next_response_due = None
            changed.append("next_response_due")
        if changed:
            ticket.sla_check_at = next_check(ticket, terms_for(ticket))
            changed.append("sla_check_at")
        return changed

    def working_minutes_left(
        self, ticket: Ticket, dues: list[datetime], now: datetime
    ) -> list[int] | None:
        terms = terms_for(ticket)
        if terms is None:
            return None
        start = to_us(ticket.sla_paused_at or now)
        return [int(terms.calendar.between_us(start, to_us(d)) / MINUTE) for d in dues]

    def customer_wrote(self, ticket: Ticket, actor: User | None) -> list[str]:
        # Before the first response the first-response clock is what runs; a second message
        # does not start another one.
        if ticket.first_responded_at is None or ticket.next_response_due is not None:
            return []
        if ticket.status in STOPPED_STATUSES:
            return []
        terms = terms_for(ticket)
        if terms is None or not terms.minutes("next_response"):
            return []
        # On a waiting ticket the clock starts paused: counted from the pause's start, so that
        # resuming (which gives back the time left at the pause's start) gives it whole.
        start = ticket.sla_paused_at or clock.now()
        ticket.next_response_due = _due(terms, start, terms.minutes("next_response"))
        ticket.sla_fired &= ~NEXT_BITS
        ticket.sla_check_at = next_check(ticket, terms)
        return ["next_response_due", "sla_fired", "sla_check_at"]


# -- calendars and contracts -------------------------------------------------------------------
# The write side of the SLA set-up: business calendars, client contracts and their targets per
# priority. Only agents with the admin role (`is_staff`) may call these; other agents read the
# set-up through sla.queries. Each function is one transaction. A change that moves what a
# client's tickets count against (a contract's targets, calendar, warning share or client, or
# the definition of a calendar in use) recomputes the due times of the open tickets concerned
# in that same transaction, through the installed clock (tickets.deadlines), and writes an
# internal SLA event on each ticket whose due times moved. Imports sit here, not at the top,
# because this section is appended to a module another engineer owns.

import json  # noqa: E402
import re  # noqa: E402
from collections.abc import Mapping, Sequence  # noqa: E402
from typing import Any  # noqa: E402

from django.db import transaction  # noqa: E402

from deskside.accounts.models import Organization, Team  # noqa: E402
from deskside.sla.calendar import CalendarError, CalendarSpec  # noqa: E402
from deskside.sla.exceptions import InUse, InvalidInput, NotAllowed  # noqa: E402
from deskside.sla.models import Calendar  # noqa: E402
from deskside.tickets.models import OPEN_STATUSES, Priority, TicketEvent  # noqa: E402

MAX_CALENDAR_NAME = 100
MAX_CONTRACT_NAME = 200
MAX_IMPORT_BYTES = 256 * 1024  # a calendar with every holiday of a decade is a few KB
MAX_TARGET_MINUTES = 10 * 366 * 24 * 60  # ten years; anything longer is a typing error
RETIME_BATCH = 500
TARGET_KINDS = ("first_response", "next_response", "resolution")
RETIMED_FIELDS = ("first_response_due", "next_response_due", "resolution_due")
_PATH = re.compile(r"^[A-Za-z_0-9][\w.\[\]-]*$")
_DEFINITION_KEYS = (
    "timezone",
    "weekly",
    "holidays",
    "holiday_country",
    "holiday_subdivision",
    "extra_working_days",
)


def require_admin(actor: User, what: str) -> None:
    """Refuse anyone but an active agent with the admin role (`is_staff`)."""
    if not (actor.is_authenticated and actor.is_active and actor.is_agent and actor.is_staff):
        raise NotAllowed(f"only administrators may {what}")


def calendar_error_field(message: str) -> str:
    """The input a CalendarError message is about, as a path under `definition`: the message
    "weekly.mon[0]: '8:6' is not a time" is about "definition.weekly.mon[0]"."""
    head, sep, _ = message.partition(":")
    if sep and _PATH.match(head):
        return f"definition.{head}"
    first = message.split(" ", 1)[0]
    return f"definition.{first}" if first in _DEFINITION_KEYS else "definition"


def parse_definition(definition: object) -> CalendarSpec:
    """The CalendarSpec of a calendar's JSON form; InvalidInput naming the part at fault."""
    if not isinstance(definition, Mapping):
        raise InvalidInput("a calendar definition is a JSON object", "definition")
    try:
        return CalendarSpec.from_json(definition)
    except CalendarError as exc:
        raise InvalidInput(str(exc), calendar_error_field(str(exc))) from None
    except TypeError as exc:  # a value of a type the format never has (a number as a date ...)
        raise InvalidInput(f"malformed calendar: {exc}", "definition") from None


def _calendar_name(name: object, calendar: Calendar | None) -> str:
    if not isinstance(name, str) or not name.strip():
        raise InvalidInput("a calendar needs a name", "name")
    name = name.strip()
    if len(name) > MAX_CALENDAR_NAME:
        raise InvalidInput(f"the name is longer than {MAX_CALENDAR_NAME} characters", "name")
    if "\x00" in name:
        raise InvalidInput("the name must not contain NUL characters", "name")
    others = Calendar.objects.filter(name__iexact=name)
    if calendar is not None:
        others = others.exclude(pk=calendar.pk)
    if others.exists():
        raise InvalidInput(f"a calendar named {name!r} already exists", "name")
    return name


@dataclass(frozen=True)
class CalendarSaved:
    """A calendar as stored, and how many open tickets' due times moved because of the change."""

    calendar: Calendar
    retimed: int = 0


@transaction.atomic
def create_calendar(*, actor: User, name: str, definition: Mapping[str, Any]) -> Calendar:
    """Store a new business calendar. The definition is validated by CalendarSpec and kept in
    its canonical JSON form (what export gives back). Raises NotAllowed, InvalidInput (`name`
    taken or empty, `definition.<part>` invalid)."""
    require_admin(actor, "create calendars")
    name = _calendar_name(name, None)
    spec = parse_definition(definition)
    now = clock.now()
    return Calendar.objects.create(
        name=name, definition=spec.to_json(), created_at=now, updated_at=now
    )


CALENDAR_EDITABLE = ("name", "definition")


@transaction.atomic
def update_calendar(*, actor: User, calendar: Calendar, **changes: Any) -> CalendarSaved:
    """Rename a calendar or change its definition (only the fields given). A new definition
    recomputes the due times of the open tickets whose contract counts in this calendar (as
    the contract's calendar or a priority's). Nothing is written when a check fails."""
    require_admin(actor, "change calendars")
    unknown = set(changes) - set(CALENDAR_EDITABLE)
    if unknown:
        raise InvalidInput(f"cannot change {', '.join(sorted(unknown))}", min(unknown))
    calendar = Calendar.objects.select_for_update().get(pk=calendar.pk)
    fields = []
    if "name" in changes:
        name = _calendar_name(changes["name"], calendar)
        if name != calendar.name:
            calendar.name = name
            fields.append("name")
    moved = False
    if "definition" in changes:
        spec = parse_definition(changes["definition"])
        if spec != CalendarSpec.from_json(calendar.definition):
            calendar.definition = spec.to_json()
            calendar.__dict__.pop("spec", None)  # the cached spec is the old one
            fields.append("definition")
            moved = True
    if not fields:
        return CalendarSaved(calendar)
    calendar.updated_at = clock.now()
    calendar.save(update_fields=[*fields, "updated_at"])
    retimed = 0
    if moved:
        contracts = Contract.objects.filter(
            Q(calendar=calendar) | Q(targets__calendar=calendar)
        ).distinct()
        retimed = _retime(
            _open_tickets_of(list(contracts)),
            actor=actor,
            reason=f"calendar {calendar.name} changed",
        )
    return CalendarSaved(calendar, retimed)


@transaction.atomic
def delete_calendar(*, actor: User, calendar: Calendar) -> None:
    """Delete a calendar no contract or target counts in; InUse (`calendar`) otherwise."""
    require_admin(actor, "delete calendars")
    users = Contract.objects.filter(Q(calendar=calendar) | Q(targets__calendar=calendar)).distinct()
    names = sorted(users.values_list("name", flat=True)[:3])
    if names:
        raise InUse(f"{calendar.name} is used by {', '.join(names)}", "calendar")
    calendar.delete()


@transaction.atomic
def import_calendar(
    *, actor: User, text: str | bytes, name: str = "", replace: bool = False
) -> CalendarSaved:
    """Store a calendar from its JSON text (the layout `export` writes and the public corpus
    uses). The name is `name`, else the JSON's own "name" key; an existing calendar of that
    name is replaced only with `replace` (its open tickets are then recomputed, as by
    `update_calendar`). Raises NotAllowed, InvalidInput (`definition`: not JSON, too large or
    not a valid calendar; `name`: missing or taken)."""
    require_admin(actor, "import calendars")
    if len(text) > MAX_IMPORT_BYTES:
        raise InvalidInput(f"the file is larger than {MAX_IMPORT_BYTES // 1024} KB", "definition")
    try:
        data = json.loads(text)
    except UnicodeDecodeError:
        raise InvalidInput("the file is not UTF-8 text", "definition") from None
    except json.JSONDecodeError as exc:
        raise InvalidInput(
            f"not valid JSON: {exc.msg} (line {exc.lineno}, column {exc.colno})", "definition"
        ) from None
    if not isinstance(data, dict):
        raise InvalidInput("a calendar is a JSON object", "definition")
    own_name = data.pop("name", "")
    parse_definition(data)  # a bad file is reported as such, whatever its name
    name = (name or "").strip() or (own_name if isinstance(own_name, str) else "")
    if not name.strip():
        raise InvalidInput("give the calendar a name", "name")
    existing = Calendar.objects.filter(name__iexact=name.strip()).first()
    if existing is None:
        return CalendarSaved(create_calendar(actor=actor, name=name, definition=data))
    if not replace:
        raise InvalidInput(
            f"a calendar named {existing.name!r} already exists; choose to replace it", "name"
        )
    return update_calendar(actor=actor, calendar=existing, definition=data)


@dataclass(frozen=True)
class TargetTerms:
    """One priority's targets as a caller gives them: minutes of working time (None = no
    target for that clock) and an optional calendar of their own (P1 around the clock)."""

    priority: int | str
    first_response_minutes: int | None = None
    next_response_minutes: int | None = None
    resolution_minutes: int | None = None
    calendar: Calendar | None = None

    def key(self) -> tuple[int, int | None, int | None, int | None, int | None]:
        return (
            int(self.priority),
            self.first_response_minutes,
            self.next_response_minutes,
            self.resolution_minutes,
            self.calendar.pk if self.calendar else None,
        )


@dataclass(frozen=True)
class ContractSaved:
    """A contract as stored, and how many open tickets' due times moved because of the change."""

    contract: Contract
    retimed: int = 0


CONTRACT_EDITABLE = (
    "name",
    "organization",
    "is_default",
    "calendar",
    "warning_percent",
    "on_breach",
    "breach_team",
    "targets",
)
# A change of these moves the due times or warnings of the contract's tickets.
RETIMING = frozenset({"organization", "is_default", "calendar", "warning_percent"})


def _parse_priority(value: object) -> Priority:
    try:
        if isinstance(value, str) and not value.strip().isdigit():
            return Priority.from_label(value.strip())
        return Priority(int(value))  # type: ignore[arg-type]
    except (KeyError, ValueError, TypeError):
        raise InvalidInput(
            f"unknown priority {value!r} (use P1, P2, P3 or OPS)", "targets.priority"
        ) from None


def _check_targets(targets: Sequence[TargetTerms]) -> list[TargetTerms]:
    """The targets with their priorities parsed and their minutes checked, in priority order."""
    seen: dict[int, TargetTerms] = {}
    for given in targets:
        priority = _parse_priority(given.priority)
        where = f"targets.{priority.label}"
        if priority in seen:
            raise InvalidInput(f"{priority.label} has two sets of targets", where)
        for kind in TARGET_KINDS:
            minutes = getattr(given, f"{kind}_minutes")
            if minutes is None:
                continue
            if (
                isinstance(minutes, bool)
                or not isinstance(minutes, int)
                or not 1 <= minutes <= MAX_TARGET_MINUTES
            ):
                raise InvalidInput(
                    f"{priority.label} {kind.replace('_', ' ')}: minutes must be a whole "
                    f"number from 1 to {MAX_TARGET_MINUTES}",
                    f"{where}.{kind}_minutes",
                )
        if given.calendar is not None and not isinstance(given.calendar, Calendar):
            raise InvalidInput("not a calendar", f"{where}.calendar")
        seen[priority] = TargetTerms(
            priority,
            given.first_response_minutes,
            given.next_response_minutes,
            given.resolution_minutes,
            given.calendar,
        )
    return [seen[p] for p in sorted(seen)]


def _check_contract(contract: Contract | None, values: dict[str, Any]) -> dict[str, Any]:
    """`values` (every editable field but targets) checked and normalised; InvalidInput."""
    name = values["name"]
    if not isinstance(name, str) or not name.strip():
        raise InvalidInput("a contract needs a name", "name")
    name = name.strip()
    if len(name) > MAX_CONTRACT_NAME:
        raise InvalidInput(f"the name is longer than {MAX_CONTRACT_NAME} characters", "name")
    if not isinstance(values["calendar"], Calendar):
        raise InvalidInput("choose the calendar the targets count in", "calendar")
    organization, is_default = values["organization"], bool(values["is_default"])
    if organization is not None and not isinstance(organization, Organization):
        raise InvalidInput("not an organisation", "organization")
    others = Contract.objects.exclude(pk=contract.pk) if contract else Contract.objects.all()
    if is_default:
        if organization is not None:
            raise InvalidInput(
                "the default contract serves every client without one", "organization"
            )
        if others.filter(is_default=True).exists():
            raise InvalidInput("there is already a default contract", "is_default")
    elif organization is None:
        raise InvalidInput("choose the client, or make this the default contract", "organization")
    elif others.filter(organization=organization).exists():
        raise InvalidInput(f"{organization.name} already has a contract", "organization")
    percent = values["warning_percent"]
    if isinstance(percent, bool) or not isinstance(percent, int) or not 1 <= percent <= 99:
        raise InvalidInput(
            "the warning share is a whole percentage from 1 to 99", "warning_percent"
        )
    if values["on_breach"] not in Contract.OnBreach.values:
        raise InvalidInput(
            f"on_breach is one of {', '.join(Contract.OnBreach.values)}", "on_breach"
        )
    team = values["breach_team"]
    if team is not None and not isinstance(team, Team):
        raise InvalidInput("not a team", "breach_team")
    if values["on_breach"] == Contract.OnBreach.REASSIGN and team is None:
        raise InvalidInput("name the team breached tickets are handed to", "breach_team")
    return {**values, "name": name, "is_default": is_default}


def _write_targets(contract: Contract, targets: list[TargetTerms]) -> set[int]:
    """Make the contract's targets exactly `targets`; the priorities whose terms changed."""
    current = {t.priority: t for t in contract.targets.all()}
    old = {
        p: TargetTerms(
            p,
            t.first_response_minutes,
            t.next_response_minutes,
            t.resolution_minutes,
            t.calendar,
        ).key()
        for p, t in current.items()
    }
    new = {int(t.priority): t for t in targets}
    gone = set(current) - set(new)
    if gone:
        contract.targets.filter(priority__in=gone).delete()
    changed = set(gone)
    for priority, terms in new.items():
        if old.get(priority) == terms.key():
            continue
        changed.add(priority)
        SLATarget.objects.update_or_create(
            contract=contract,
            priority=priority,
            defaults={
                "first_response_minutes": terms.first_response_minutes,
                "next_response_minutes": terms.next_response_minutes,
                "resolution_minutes": terms.resolution_minutes,
                "calendar": terms.calendar,
            },
        )
    return changed


def _scope(contract: Contract) -> Q:
    """The tickets a contract's terms apply to: its client's, or for the default contract
    those of every client without a contract of its own (as `terms_for` chooses)."""
    if contract.is_default:
        return Q(organization__contract__isnull=True)
    if contract.organization_id is not None:
        return Q(organization_id=contract.organization_id)
    return Q(pk__in=[])


def _open_tickets_of(contracts: Sequence[Contract], priorities: set[int] | None = None) -> Q:
    scope = Q(pk__in=[])
    for contract in contracts:
        scope |= _scope(contract)
    if priorities is not None:
        scope &= Q(priority__in=sorted(priorities))
    return scope


def _retime(scope: Q, *, actor: User, reason: str) -> int:
    """Recompute the SLA clocks of the open tickets in `scope` with the installed clock's
    `retargeted`, in batches of RETIME_BATCH, inside the caller's transaction. Tickets whose
    clock fields come out unchanged are not written. Each ticket whose due times moved gets an
    internal SLA event with the old and new times. Returns how many tickets' due times moved."""
    engine = deadlines.engine()
    tickets = Ticket.objects.filter(scope, status__in=OPEN_STATUSES).order_by("pk")
    now = clock.now()
    moved_count, last_pk = 0, 0
    # Locked (SELECT ... FOR UPDATE on PostgreSQL) like every ticket service does, so a
    # service changing a ticket meanwhile waits instead of being overwritten by a stale copy.
    while batch := list(
        tickets.filter(pk__gt=last_pk).select_for_update(of=("self",))[:RETIME_BATCH]
    ):
        last_pk = batch[-1].pk
        to_save: list[Ticket] = []
        fields: set[str] = set()
        events: list[TicketEvent] = []
        for ticket in batch:
            before = {f: getattr(ticket, f) for f in CLOCK_FIELDS}
            returned = engine.retargeted(ticket)
            if all(getattr(ticket, f) == before[f] for f in returned):
                continue
            deadlines.keep_earliest_due(ticket)
            to_save.append(ticket)
            fields.update([*returned, "sla_due"])
            moved = {
                f: [_iso(before[f]), _iso(getattr(ticket, f))]
                for f in RETIMED_FIELDS
                if getattr(ticket, f) != before[f]
            }
            if moved:
                events.append(
                    TicketEvent(
                        ticket=ticket,
                        kind=EventKind.SLA,
                        actor=actor,
                        created_at=now,
                        body=f"Due times recomputed: {reason}.",
                        data={"reason": reason, "changes": moved},
                    )
                )
        if to_save:
            Ticket.objects.bulk_update(to_save, sorted(fields))
        if events:
            TicketEvent.objects.bulk_create(events)
        moved_count += len(events)
    return moved_count


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


@transaction.atomic
def create_contract(
    *,
    actor: User,
    name: str,
    calendar: Calendar,
    organization: Organization | None = None,
    is_default: bool = False,
    warning_percent: int = 75,
    on_breach: str = Contract.OnBreach.NOTIFY,
    breach_team: Team | None = None,
    targets: Sequence[TargetTerms] = (),
) -> ContractSaved:
    """A contract for one client (or the default one, for every client without a contract),
    with its targets per priority. The open tickets it now applies to get their due times
    recomputed. Raises NotAllowed, InvalidInput naming the field (`organization` already has a
    contract, a second default, `targets.P1.resolution_minutes` out of range ...)."""
    require_admin(actor, "create contracts")
    values = _check_contract(
        None,
        {
            "name": name,
            "organization": organization,
            "is_default": is_default,
            "calendar": calendar,
            "warning_percent": warning_percent,
            "on_breach": on_breach,
            "breach_team": breach_team,
        },
    )
    checked = _check_targets(targets)
    contract = Contract.objects.create(**values, created_at=clock.now())
    _write_targets(contract, checked)
    retimed = _retime(
        _open_tickets_of([contract]), actor=actor, reason=f"contract {contract.name} created"
    )
    return ContractSaved(contract, retimed)


@transaction.atomic
def update_contract(*, actor: User, contract: Contract, **changes: Any) -> ContractSaved:
    """Change a contract's fields (only those given; `targets`, a sequence of TargetTerms,
    replaces the whole set: a priority left out has no target any more). When the targets,
    calendar, warning share or client change, the open tickets concerned get their due times
    recomputed: those of the client (both clients when it moves), or for the default contract
    those of every client without its own; a change of targets alone recomputes only the
    tickets of the priorities it touched. Raises NotAllowed, InvalidInput."""
    require_admin(actor, "change contracts")
    unknown = set(changes) - set(CONTRACT_EDITABLE)
    if unknown:
        raise InvalidInput(f"cannot change {', '.join(sorted(unknown))}", min(unknown))
    contract = Contract.objects.select_for_update().get(pk=contract.pk)
    before = Contract(
        pk=contract.pk,
        organization_id=contract.organization_id,
        is_default=contract.is_default,
    )
    current = {f: getattr(contract, f) for f in CONTRACT_EDITABLE if f != "targets"}
    merged = {**current, **{k: v for k, v in changes.items() if k != "targets"}}
    values = _check_contract(contract, merged)
    checked = _check_targets(changes["targets"]) if "targets" in changes else None
    changed_fields = [f for f, v in values.items() if v != current[f]]
    for field in changed_fields:
        setattr(contract, field, values[field])
    if changed_fields:
        contract.save(update_fields=changed_fields)
    priorities = _write_targets(contract, checked) if checked is not None else set()
    if RETIMING & set(changed_fields):
        scope = _open_tickets_of([before, contract])
    elif priorities:
        scope = _open_tickets_of([contract], priorities)
    else:
        return ContractSaved(contract)
    what = sorted({*changed_fields, *(["targets"] if priorities else [])} - {"name"})
    retimed = _retime(
        scope, actor=actor, reason=f"contract {contract.name} changed ({', '.join(what)})"
    )
    return ContractSaved(contract, retimed)
