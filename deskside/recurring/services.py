"""Recurring schedules: create, update, pause, resume, delete (audited: a schedule is
configuration), and opening one occurrence's ticket (called by the worker pass).

Who may (decisions where the issue was silent):

- **Agents who serve the client** manage its schedules (any agent for a client nobody is
  limited from; an administrator is an agent too, with the same limit). Customers may not.
- **The owner** (`created_by`) is the actor of every ticket the schedule opens: the agent who
  created it, or the agent who last resumed it after the owner could no longer act. When the
  owner was deactivated or no longer serves the client, or the ticket is refused for another
  reason (the assignee deactivated, the checklist template retired), the pass opens nothing:
  it records that occurrence as skipped, pauses the schedule and writes an audit entry
  ("paused", by the system) whose reason the schedule's page shows. An agent who resumes it
  becomes its owner.

What a ticket is opened with: the schedule's subject followed by the occurrence's local date
("Patching · 8 Dec 2026"), its description, requester, site, team, assignee and priority
(OPS by default), type operational, channel API (there is no "schedule" channel) with
`{"recurring": <schedule public id>, "occurrence": <ISO instant>}` in the `created` event's
data. With a checklist (a work order template) the ticket is opened as a work order through
`workorders.services.orders.create_work_order`, so it carries the checklist and the QC gate;
its type is the template's, and the schedule's priority is set on it when the template's
differs (a `changed` event by the owner).

Delete is soft (`is_active` false, as pause): occurrences and their tickets stay linked. An
edit of the timing (rule, first occurrence, time zone), a pause and a resume start the
schedule afresh from that moment: they set `updated_at`, and the pass looks for occurrences
after `max(last_occurrence_at, updated_at)` only, so an occurrence that fell while a schedule
was paused is never caught up. Any other edit (subject, description, assignee ...) leaves
`updated_at` and `next_run_at` alone (it is in the audit log): an occurrence that fell due
just before it is still opened, with the edited ticket fields.
"""

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from dateutil.rrule import rrule
from django.db import transaction

from deskside.accounts.models import Organization, Site, Team, User
from deskside.accounts.permissions import is_agent
from deskside.accounts.queries import serves
from deskside.core import audit, clock
from deskside.recurring import rules
from deskside.recurring.exceptions import InvalidInput, InvalidTransition, NotAllowed
from deskside.recurring.models import MissedPolicy, Schedule
from deskside.tickets import services as tickets
from deskside.tickets.models import Channel, Priority, Ticket, TicketType
from deskside.workorders.models import WorkOrderTemplate
from deskside.workorders.services import orders

OBJECT_TYPE = "recurring.schedule"
MAX_NAME = 200
MAX_SUBJECT = 200  # the ticket's subject gets " · 8 Dec 2026" (the tickets' limit is 250)
MAX_DESCRIPTION = 20_000
AUDITED = (
    "organization",
    "name",
    "rule",
    "starts_at_local",
    "timezone",
    "missed_policy",
    "is_active",
    "subject",
    "description",
    "priority",
    "requester",
    "site",
    "team",
    "assignee",
    "checklist",
    "created_by",
)
TIMING = ("rule", "starts_at_local", "timezone")


@dataclass
class ScheduleData:
    """What a schedule is made of (the adapters resolve identifiers to rows first)."""

    organization: Organization
    name: str
    rule: str
    starts_at_local: datetime | None
    timezone: str
    subject: str
    requester: User | None
    description: str = ""
    missed_policy: str = MissedPolicy.CATCH_UP_ONCE
    priority: int | str = Priority.OPS
    site: Site | None = None
    team: Team | None = None
    assignee: User | None = None
    checklist: WorkOrderTemplate | None = None


EDITABLE = tuple(f for f in ScheduleData.__dataclass_fields__ if f != "organization")


# -- checks ------------------------------------------------------------------------------------


def require_manager(actor: User, organization: Organization) -> None:
    """Agents who serve the client manage its schedules; NotAllowed for anyone else."""
    if not is_agent(actor):
        raise NotAllowed("only agents manage recurring schedules")
    if not serves(actor, organization.pk):
        raise NotAllowed(f"you do not serve {organization.name}")


def can_open(owner: User | None, organization: Organization) -> str:
    """Why `owner` cannot open the schedule's tickets ("" when they can)."""
    if owner is None:
        return "the schedule has no owner"
    if not is_agent(owner):
        return f"the schedule's owner {owner} is deactivated"
    if not serves(owner, organization.pk):
        return f"the schedule's owner {owner} no longer serves {organization.name}"
    return ""


def _text(value: str, field: str, what: str, limit: int, *, required: bool = True) -> str:
    text = (value or "").strip()
    if required and not text:
        raise InvalidInput(f"{what} is required", field=field)
    if len(text) > limit:
        raise InvalidInput(f"{what} is longer than {limit} characters", field=field)
    return text


def _priority(value: int | str) -> int:
    if isinstance(value, str) and not value.isdigit():
        try:
            return int(Priority.from_label(value.strip()))
        except KeyError:
            pass
    elif str(value).isdigit() and int(value) in Priority.values:
        return int(value)
    raise InvalidInput("priority must be one of P1, P2, P3, OPS", field="priority")


def _check(data: ScheduleData) -> dict[str, Any]:
    """Validate `data`; the model fields to store. InvalidInput names the field at fault."""
    org = data.organization
    name = _text(data.name, "name", "a name", MAX_NAME)
    subject = _text(data.subject, "subject", "a subject", MAX_SUBJECT)
    description = _text(data.description, "description", "the description", MAX_DESCRIPTION,
                        required=False)  # fmt: skip
    zone_name = (data.timezone or "").strip() or org.timezone
    rules.validate(data.rule, data.starts_at_local, zone_name)
    if data.missed_policy not in MissedPolicy.values:
        raise InvalidInput(
            f"the missed policy is one of {', '.join(MissedPolicy.values)}", field="missed_policy"
        )
    requester = data.requester
    if requester is None:
        raise InvalidInput("a requester is required", field="requester")
    if not requester.is_active:
        raise InvalidInput(f"{requester} is deactivated", field="requester")
    if requester.is_customer and requester.organization_id != org.pk:
        raise InvalidInput(f"{requester} is not a contact of {org.name}", field="requester")
    if requester.is_agent and not serves(requester, org.pk):
        raise InvalidInput(f"{requester} does not serve {org.name}", field="requester")
    if data.site is not None and data.site.organization_id != org.pk:
        raise InvalidInput(f"{data.site.name} is not a site of {org.name}", field="site")
    if data.assignee is not None:
        if not is_agent(data.assignee):
            raise InvalidInput(f"{data.assignee} is not an active agent", field="assignee")
        if not serves(data.assignee, org.pk):
            raise InvalidInput(f"{data.assignee} does not serve {org.name}", field="assignee")
    if data.checklist is not None and not data.checklist.is_active:
        raise InvalidInput(f"the template {data.checklist.name!r} is retired", field="checklist")
    return {
        "name": name,
        "rule": rules.normalise(data.rule, rules.parse_zone(zone_name)),
        "starts_at_local": rules.stored(data.starts_at_local),  # type: ignore[arg-type]
        "timezone": zone_name,
        "missed_policy": data.missed_policy,
        "subject": subject,
        "description": description,
        "priority": _priority(data.priority),
        "requester": requester,
        "site": data.site,
        "team": data.team,
        "assignee": data.assignee,
        "checklist": data.checklist,
    }


def next_run(schedule: Schedule, after: datetime) -> datetime | None:
    """The schedule's first occurrence strictly after `after` (None: the rule has ended)."""
    tz = rules.parse_zone(schedule.timezone)
    return rules.next_after(parsed(schedule), tz, after)


def parsed(schedule: Schedule) -> rrule:
    """The schedule's rule, counting in its local time."""
    tz = rules.parse_zone(schedule.timezone)
    return rules.parse(schedule.rule, rules.wall_clock(schedule.starts_at_local), tz)


def _label(schedule: Schedule) -> str:
    return f"{schedule.name} ({schedule.organization.name})"


def _locked(schedule: Schedule) -> Schedule:
    return (
        Schedule.objects.select_for_update(of=("self",))
        .select_related("organization", "created_by")
        .get(pk=schedule.pk)
    )


# -- the services ------------------------------------------------------------------------------


@transaction.atomic
def create_schedule(*, actor: User, data: ScheduleData) -> Schedule:
    """Create a schedule owned by `actor`; its first run is its first occurrence after now.
    Raises NotAllowed (not an agent serving the client), InvalidInput (naming the field)."""
    require_manager(actor, data.organization)
    fields = _check(data)
    now = clock.now()
    schedule = Schedule(
        organization=data.organization,
        created_by=actor,
        created_at=now,
        updated_at=now,
        **fields,
    )
    schedule.next_run_at = next_run(schedule, now)
    schedule.save(force_insert=True)
    audit.record(
        actor,
        audit.CREATED,
        OBJECT_TYPE,
        schedule.public_id,
        label=_label(schedule),
        after=audit.snapshot(schedule, AUDITED),
    )
    return schedule


def _timing(source: Schedule | dict[str, Any]) -> tuple[str, datetime, str]:
    """(rule, naive local start, zone) of a schedule or of the fields `_check` returns."""
    get = source.get if isinstance(source, dict) else lambda name: getattr(source, name)
    return (get("rule"), rules.wall_clock(get("starts_at_local")), get("timezone"))


@transaction.atomic
def update_schedule(*, actor: User, schedule: Schedule, **changes: Any) -> Schedule:
    """Change the fields given (names of `ScheduleData` but the client). A change of the
    timing (rule, first occurrence, time zone) starts the schedule afresh from now (see the
    module docstring) and recomputes the next run while active; any other edit keeps both."""
    unknown = set(changes) - set(EDITABLE)
    if unknown:
        raise InvalidInput(f"cannot change {', '.join(sorted(unknown))}", field=sorted(unknown)[0])
    schedule = _locked(schedule)
    require_manager(actor, schedule.organization)
    before = audit.snapshot(schedule, AUDITED)
    current = {name: getattr(schedule, name) for name in EDITABLE}
    current["starts_at_local"] = rules.wall_clock(schedule.starts_at_local)
    data = ScheduleData(organization=schedule.organization, **{**current, **changes})
    fields = _check(data)
    retimed = _timing(schedule) != _timing(fields)
    for name, value in fields.items():
        setattr(schedule, name, value)
    if retimed:
        # A new timing starts afresh from now; any other edit leaves the window and the
        # next deadline alone, so an occurrence already due is still opened by the pass.
        now = clock.now()
        schedule.updated_at = now
        schedule.next_run_at = next_run(schedule, now) if schedule.is_active else None
    schedule.save()
    audit.record_update(
        actor,
        OBJECT_TYPE,
        schedule.public_id,
        label=_label(schedule),
        before=before,
        after=audit.snapshot(schedule, AUDITED),
    )
    return schedule


def _set_active(actor: User | None, schedule: Schedule, active: bool, verb: str, note: str = ""):
    before = audit.snapshot(schedule, AUDITED)
    now = clock.now()
    schedule.is_active = active
    schedule.updated_at = now
    schedule.next_run_at = next_run(schedule, now) if active else None
    schedule.save(update_fields=["is_active", "updated_at", "next_run_at", "created_by"])
    after = audit.snapshot(schedule, AUDITED)
    old, new = audit.changes(before, after)
    if note:
        new["reason"] = note
    audit.record(actor, verb, OBJECT_TYPE, schedule.public_id, label=_label(schedule),
                 before=old, after=new)  # fmt: skip
    return schedule


@transaction.atomic
def pause_schedule(*, actor: User, schedule: Schedule) -> Schedule:
    """Stop opening tickets until resumed. InvalidTransition when paused already."""
    schedule = _locked(schedule)
    require_manager(actor, schedule.organization)
    if not schedule.is_active:
        raise InvalidTransition("the schedule is paused already", field="is_active")
    return _set_active(actor, schedule, False, "paused")


@transaction.atomic
def resume_schedule(*, actor: User, schedule: Schedule) -> Schedule:
    """Run again from now (no catch-up of the paused time). An owner who can no longer act is
    replaced by `actor`. InvalidTransition when active, or when the rule has no occurrence
    after now (it ended: edit the rule instead)."""
    schedule = _locked(schedule)
    require_manager(actor, schedule.organization)
    if schedule.is_active:
        raise InvalidTransition("the schedule is running already", field="is_active")
    if next_run(schedule, clock.now()) is None:
        raise InvalidTransition("the rule has no occurrence after now", field="rule")
    if can_open(schedule.created_by, schedule.organization):
        schedule.created_by = actor
    return _set_active(actor, schedule, True, "resumed")


@transaction.atomic
def delete_schedule(*, actor: User, schedule: Schedule) -> Schedule:
    """Soft delete: the schedule stops (`is_active` false) and keeps its history."""
    schedule = _locked(schedule)
    require_manager(actor, schedule.organization)
    return _set_active(actor, schedule, False, audit.DELETED)


def pause_for_failure(schedule: Schedule, reason: str) -> None:
    """The pass could not open a ticket: pause the schedule, by the system, with the reason
    (the schedule's page shows it). Runs in the caller's transaction."""
    locked = _locked(schedule)
    if locked.is_active:
        _set_active(None, locked, False, "paused", note=reason)


def pause_reason(schedule: Schedule) -> str:
    """Why the system paused the schedule ("" when it runs or a person paused it)."""
    if schedule.is_active:
        return ""
    entry = audit.entries(object_type=OBJECT_TYPE, object_id=schedule.public_id).first()
    if entry is None or entry.actor_id is not None or not isinstance(entry.after, dict):
        return ""
    return str(entry.after.get("reason", ""))


# -- one occurrence's ticket (the worker pass) -------------------------------------------------


def ticket_subject(schedule: Schedule, occurs_at: datetime) -> str:
    """The schedule's subject and the occurrence's local date: "Patching · 8 Dec 2026"."""
    local = occurs_at.astimezone(rules.parse_zone(schedule.timezone))
    return f"{schedule.subject} · {local.day} {local:%b %Y}"


def open_ticket(schedule: Schedule, occurs_at: datetime) -> Ticket:
    """Open the occurrence's ticket as the schedule's owner (see the module docstring), in the
    caller's transaction. Raises a DomainError when it is refused (the caller pauses the
    schedule); NotAllowed when the owner can no longer act."""
    org = schedule.organization
    owner = schedule.created_by
    if reason := can_open(owner, org):
        raise NotAllowed(reason, field="created_by")
    assert owner is not None
    event_data = {"recurring": schedule.public_id, "occurrence": occurs_at.isoformat()}
    subject = ticket_subject(schedule, occurs_at)
    if schedule.checklist_id:
        order = orders.create_work_order(
            owner,
            schedule.checklist,
            orders.NewWorkOrder(
                organization=org,
                requester=schedule.requester,
                subject=subject,
                description=schedule.description,
                site=schedule.site,
                team=schedule.team,
                assignee=schedule.assignee,
                channel=Channel.API,
                event_data=event_data,
            ),
        )
        ticket = order.ticket
        if ticket.priority != schedule.priority:
            tickets.update_ticket(actor=owner, ticket=ticket, priority=schedule.priority)
        return ticket
    return tickets.create_ticket(
        actor=owner,
        ticket=tickets.NewTicket(
            subject=subject,
            organization=org,
            requester=schedule.requester,
            description=schedule.description,
            type=TicketType.OPERATIONAL,
            priority=schedule.priority,
            channel=Channel.API,
            site=schedule.site,
            team=schedule.team,
            assignee=schedule.assignee,
            event_data=event_data,
        ),
    ).ticket
