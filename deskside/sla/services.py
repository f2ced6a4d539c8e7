"""The write side of the SLA set-up: business calendars, client contracts and their targets per
priority.

Only agents with the admin role (`is_staff`) may call these; other agents read the set-up
through sla.queries. Each change is one transaction. A change that moves what a client's
tickets count against (a contract's targets, calendar, warning share or client, or the
definition of a calendar in use) stores a `Retiming` with it; the due times of the open tickets
concerned are then recomputed after the change is stored, in short transactions of their own,
through the installed clock (tickets.deadlines, implemented by sla.engine.SlaClock), with an
internal SLA event on each ticket whose due times moved: see sla.retiming. Each change writes
its audit entry (deskside.core.audit) in its transaction.
"""

import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import Q

from deskside.accounts.models import Organization, Team, User
from deskside.accounts.permissions import is_admin
from deskside.core import audit, clock, jsonbody, versioning
from deskside.sla import retiming
from deskside.sla.calendar import CalendarError, CalendarSpec
from deskside.sla.exceptions import InUse, InvalidInput, NotAllowed
from deskside.sla.models import Calendar, Contract, Retiming, SLATarget
from deskside.tickets.models import Priority

MAX_CALENDAR_NAME = 100
MAX_CONTRACT_NAME = 200
MAX_IMPORT_BYTES = 256 * 1024  # a calendar with every holiday of a decade is a few KB
MAX_TARGET_MINUTES = 10 * 366 * 24 * 60  # ten years; anything longer is a typing error
TARGET_KINDS = ("first_response", "next_response", "resolution")
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
    if not is_admin(actor):
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
    """A calendar as stored, how many open tickets' due times the change moved so far, and
    the retiming still under way when there were more than the request's budget
    (sla.retiming: `deskside worker` finishes it)."""

    calendar: Calendar
    retimed: int = 0
    retiming: Retiming | None = None


@transaction.atomic
def create_calendar(*, actor: User, name: str, definition: Mapping[str, Any]) -> Calendar:
    """Store a new business calendar. The definition is validated by CalendarSpec and kept in
    its canonical JSON form (what export gives back). Raises NotAllowed, InvalidInput (`name`
    taken or empty, `definition.<part>` invalid)."""
    require_admin(actor, "create calendars")
    name = _calendar_name(name, None)
    spec = parse_definition(definition)
    now = clock.now()
    calendar = Calendar.objects.create(
        name=name, definition=spec.to_json(), created_at=now, updated_at=now
    )
    _audit_calendar(
        actor, audit.CREATED, calendar, after=audit.snapshot(calendar, CALENDAR_EDITABLE)
    )
    return calendar


CALENDAR_EDITABLE = ("name", "definition")


def _audit_calendar(actor: User, action: str, calendar: Calendar, **values: Any) -> None:
    audit.record(actor, action, "sla.calendar", calendar.public_id, label=calendar.name, **values)


def update_calendar(
    *, actor: User, calendar: Calendar, version: int | None = None, **changes: Any
) -> CalendarSaved:
    """Rename a calendar or change its definition (only the fields given). A new definition
    recomputes the due times of the open tickets whose contract counts in this calendar (as
    the contract's calendar or a priority's), after the change is stored, in short
    transactions of their own (sla.retiming). Nothing is written when a check fails.
    `version` is the one the editor read: VersionConflict if it changed since, Gone if the
    calendar was deleted (was a 500)."""
    calendar, planned = _update_calendar(actor, calendar, version, changes)
    return CalendarSaved(calendar, *_retimed(planned))


def _retimed(planned: Retiming | None) -> tuple[int, Retiming | None]:
    """Work on a retiming a change planned, within the request's budget: how many tickets it
    moved, and the retiming if it is not finished."""
    if planned is None:
        return 0, None
    moved = retiming.run(planned, budget=retiming.REQUEST_BUDGET_SECONDS)
    return moved, (None if planned.finished else planned)


@transaction.atomic
def _update_calendar(
    actor: User, calendar: Calendar, version: int | None, changes: dict[str, Any]
) -> tuple[Calendar, Retiming | None]:
    require_admin(actor, "change calendars")
    unknown = set(changes) - set(CALENDAR_EDITABLE)
    if unknown:
        raise InvalidInput(f"cannot change {', '.join(sorted(unknown))}", min(unknown))
    calendar = versioning.lock(calendar, version)
    old = audit.snapshot(calendar, CALENDAR_EDITABLE)
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
        return calendar, None
    calendar.updated_at = clock.now()
    versioning.save(calendar, [*fields, "updated_at"])
    audit.record_update(
        actor,
        "sla.calendar",
        calendar.public_id,
        label=calendar.name,
        before=old,
        after=audit.snapshot(calendar, CALENDAR_EDITABLE),
    )
    if not moved:
        return calendar, None
    contracts = Contract.objects.filter(Q(calendar=calendar) | Q(targets__calendar=calendar))
    return calendar, retiming.plan(
        actor=actor,
        reason=f"calendar {calendar.name} changed",
        clients=[retiming.Client.of(c) for c in contracts.distinct()],
        calendar=calendar,
    )


@transaction.atomic
def delete_calendar(*, actor: User, calendar: Calendar) -> None:
    """Delete a calendar no contract or target counts in; InUse (`calendar`) otherwise."""
    require_admin(actor, "delete calendars")
    # Locked first: a contract being pointed at it (which holds it) is waited for, then seen.
    versioning.lock(calendar)
    users = Contract.objects.filter(Q(calendar=calendar) | Q(targets__calendar=calendar)).distinct()
    names = sorted(users.values_list("name", flat=True)[:3])
    if names:
        raise InUse(f"{calendar.name} is used by {', '.join(names)}", "calendar")
    _audit_calendar(
        actor, audit.DELETED, calendar, before=audit.snapshot(calendar, CALENDAR_EDITABLE)
    )
    calendar.delete()


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
        # The API's JSON reader: no database stores a NUL or a lone surrogate ("\udfff") in
        # the name or the definition (they were a 500), NaN is no JSON, the depth is bounded.
        data = jsonbody.parse(text)
        jsonbody.check(data)
    except UnicodeDecodeError:
        raise InvalidInput("the file is not UTF-8 text", "definition") from None
    except json.JSONDecodeError as exc:
        raise InvalidInput(
            f"not valid JSON: {exc.msg} (line {exc.lineno}, column {exc.colno})", "definition"
        ) from None
    except jsonbody.BadInput as exc:
        where = f" at {exc.field}" if exc.field else ""
        raise InvalidInput(f"{exc.message}{where}", "definition") from None
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
    """A contract as stored, how many open tickets' due times the change moved so far, and
    the retiming still under way (see CalendarSaved)."""

    contract: Contract
    retimed: int = 0
    retiming: Retiming | None = None


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
CONTRACT_AUDITED = ("name", "organization", "is_default", "calendar", "warning_percent")
CONTRACT_AUDITED += ("on_breach", "breach_team")


def _contract_snapshot(contract: Contract) -> dict[str, Any]:
    """The contract's fields and its targets per priority, for the audit log."""
    values = audit.snapshot(contract, CONTRACT_AUDITED)
    values["targets"] = {
        Priority(t.priority).label: audit.snapshot(
            t,
            ("first_response_minutes", "next_response_minutes", "resolution_minutes", "calendar"),
        )
        for t in contract.targets.select_related("calendar").order_by("priority")
    }
    return values


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
    recomputed (sla.retiming). Raises NotAllowed, InvalidInput naming the field (`organization`
    already has a contract, a second default, `targets.P1.resolution_minutes` out of range ...)."""
    contract, planned = _create_contract(
        actor,
        {
            "name": name,
            "organization": organization,
            "is_default": is_default,
            "calendar": calendar,
            "warning_percent": warning_percent,
            "on_breach": on_breach,
            "breach_team": breach_team,
        },
        targets,
    )
    return ContractSaved(contract, *_retimed(planned))


@transaction.atomic
def _create_contract(
    actor: User, given: dict[str, Any], targets: Sequence[TargetTerms]
) -> tuple[Contract, Retiming | None]:
    require_admin(actor, "create contracts")
    values = _check_contract(None, given)
    checked = _check_targets(targets)
    _hold_calendar(values["calendar"])
    contract = Contract.objects.create(**values, created_at=clock.now())
    _write_targets(contract, checked)
    audit.record(
        actor,
        audit.CREATED,
        "sla.contract",
        contract.public_id,
        label=contract.name,
        after=_contract_snapshot(contract),
    )
    return contract, retiming.plan(
        actor=actor,
        reason=f"contract {contract.name} created",
        clients=[retiming.Client.of(contract)],
        contract=contract,
    )


def _hold_calendar(calendar: Calendar | None) -> None:
    """A calendar deleted while a contract is pointed at it: a clear refusal, not a 500."""
    if calendar is not None and not versioning.hold(calendar):
        raise InvalidInput(f"the calendar {calendar.name} was deleted", "calendar")


def update_contract(
    *, actor: User, contract: Contract, version: int | None = None, **changes: Any
) -> ContractSaved:
    """Change a contract's fields (only those given; `targets`, a sequence of TargetTerms,
    replaces the whole set: a priority left out has no target any more). When the targets,
    calendar, warning share or client change, the open tickets concerned get their due times
    recomputed: those of the client (both clients when it moves), or for the default contract
    those of every client without its own; a change of targets alone recomputes only the
    tickets of the priorities it touched. Raises NotAllowed, InvalidInput; VersionConflict
    when the contract changed since `version` (the one the editor read), Gone when it is no
    longer there (was a 500). The recomputing runs after the change is stored, in short
    transactions of its own (sla.retiming)."""
    contract, planned = _update_contract(actor, contract, version, changes)
    return ContractSaved(contract, *_retimed(planned))


@transaction.atomic
def _update_contract(
    actor: User, contract: Contract, version: int | None, changes: dict[str, Any]
) -> tuple[Contract, Retiming | None]:
    require_admin(actor, "change contracts")
    unknown = set(changes) - set(CONTRACT_EDITABLE)
    if unknown:
        raise InvalidInput(f"cannot change {', '.join(sorted(unknown))}", min(unknown))
    contract = versioning.lock(contract, version)
    old = _contract_snapshot(contract)
    before = retiming.Client.of(contract)
    current = {f: getattr(contract, f) for f in CONTRACT_EDITABLE if f != "targets"}
    merged = {**current, **{k: v for k, v in changes.items() if k != "targets"}}
    values = _check_contract(contract, merged)
    checked = _check_targets(changes["targets"]) if "targets" in changes else None
    changed_fields = [f for f, v in values.items() if v != current[f]]
    for field in changed_fields:
        setattr(contract, field, values[field])
    if "calendar" in changed_fields:
        _hold_calendar(values["calendar"])
    if checked is not None:
        for term in checked:
            if getattr(term, "calendar", None) is not None:
                _hold_calendar(term.calendar)
    if changed_fields or checked is not None:
        versioning.save(contract, changed_fields)  # the targets are the contract's too
    priorities = _write_targets(contract, checked) if checked is not None else set()
    audit.record_update(
        actor,
        "sla.contract",
        contract.public_id,
        label=contract.name,
        before=old,
        after=_contract_snapshot(contract),
    )
    clients = [retiming.Client.of(contract)]
    if RETIMING & set(changed_fields):
        clients.append(before)
        only: set[int] | None = None
    elif priorities:
        only = priorities
    else:
        return contract, None
    what = sorted({*changed_fields, *(["targets"] if priorities else [])} - {"name"})
    return contract, retiming.plan(
        actor=actor,
        reason=f"contract {contract.name} changed ({', '.join(what)})",
        clients=clients,
        priorities=only,
        contract=contract,
    )
