"""Triage: the auto-apply settings, a training request, accepting a suggestion, and the
automatic application of one (the worker's, with no actor).

Accepting a suggestion is an agent's edit: the type and priority go through
`tickets.services.update_ticket` and the team through `assign_ticket` (their checks, their
CHANGED / ASSIGNED events). The tier has no plain "set" service in tickets (moving a ticket up
is an escalation, which needs triage notes and counts against the escalation rate; choosing
a new ticket's tier is not one), so `set_fields` writes the same CHANGED event the tickets'
edits write, with the ticket locked first, and it is also what the auto-apply uses with no
actor (shown as Deskside), the model's version and confidence in the event's body and data.
"""

from datetime import datetime
from typing import Any

from django.db import transaction

from deskside.accounts.models import Team, Tier, User
from deskside.accounts.permissions import is_admin, is_agent
from deskside.core import audit, clock
from deskside.tickets import deadlines
from deskside.tickets import services as tickets
from deskside.tickets.exceptions import InvalidInput as TicketInvalidInput
from deskside.tickets.exceptions import InvalidTransition
from deskside.tickets.models import EventKind, Priority, Status, Ticket, TicketEvent, TicketType
from deskside.tickets.rules import lock, parse_priority, require_agent, require_visible
from deskside.tickets.timeline import Happened, changed, touch, write_event
from deskside.triage import queries
from deskside.triage.exceptions import InvalidInput, NotAllowed
from deskside.triage.models import FIELDS, FieldSetting, Job, Schedule

HEARS = (EventKind.CREATED,)
MIN_THRESHOLD, MAX_THRESHOLD = 0.5, 0.99
SETTING_AUDITED = ("auto_apply", "threshold")


def require_admin(actor: User | None) -> None:
    if actor is not None and not is_admin(actor):
        raise NotAllowed("only administrators change triage")


def require_field(field: str) -> str:
    if field not in FIELDS:
        raise InvalidInput(f"field must be one of {', '.join(FIELDS)}", field="field")
    return field


@transaction.atomic
def set_field(
    *, actor: User | None, field: str, auto_apply: bool, threshold: float
) -> FieldSetting:
    """Turn the auto-apply of `field` on or off with its confidence `threshold` (0.5 to 0.99),
    with an audit entry. `actor` None is the system (a command). Raises NotAllowed (not an
    administrator), InvalidInput (an unknown field, a threshold out of range)."""
    require_admin(actor)
    require_field(field)
    if not isinstance(threshold, int | float) or not MIN_THRESHOLD <= threshold <= MAX_THRESHOLD:
        raise InvalidInput(
            f"threshold must be from {MIN_THRESHOLD} to {MAX_THRESHOLD}", field="threshold"
        )
    setting = FieldSetting.objects.select_for_update().filter(field=field).first()
    label = f"triage auto-apply of {field}"
    if setting is None:
        setting = FieldSetting.objects.create(
            field=field, auto_apply=auto_apply, threshold=threshold, updated_at=clock.now()
        )
        audit.record(
            actor,
            audit.CREATED,
            "triage.setting",
            field,
            label=label,
            after=audit.snapshot(setting, SETTING_AUDITED),
        )
        return setting
    before = audit.snapshot(setting, SETTING_AUDITED)
    setting.auto_apply, setting.threshold, setting.updated_at = auto_apply, threshold, clock.now()
    setting.save(update_fields=["auto_apply", "threshold", "updated_at"])
    audit.record_update(
        actor,
        "triage.setting",
        field,
        label=label,
        before=before,
        after=audit.snapshot(setting, SETTING_AUDITED),
    )
    return setting


def schedule(now: datetime | None = None) -> Schedule:
    """The training schedule's one row, made on first use due at once (`now`): a new desk's
    worker trains when it first runs, then nightly."""
    row = Schedule.objects.order_by("pk").first()
    if row is None:
        due = now or clock.now()
        row, _ = Schedule.objects.get_or_create(pk=1, defaults={"next_run_at": due})
    return row


@transaction.atomic
def request_training(*, actor: User) -> Schedule:
    """Ask the worker to train now (within its next training check, `worker.TRAIN_EVERY`).
    Administrators only (NotAllowed)."""
    require_admin(actor)
    if actor is None:
        raise NotAllowed("only administrators change triage")
    row = schedule()
    now = clock.now()
    Schedule.objects.filter(pk=row.pk).update(next_run_at=now, requested_by=actor, requested_at=now)
    row.refresh_from_db()
    return row


# -- the tickets' side --------------------------------------------------------------------------


def event_written(happened: Happened) -> None:
    """The `triage.auto` handler: a new ticket is queued for the worker's auto-apply when an
    administrator turned it on for some field (one indexed read otherwise, nothing written)."""
    if happened.kind != EventKind.CREATED or not happened.saved:
        return
    if not happened.ticket.is_open or not queries.auto_apply_on():
        return
    Job.objects.create(ticket_id=happened.ticket.pk, created_at=clock.now())


def parse_value(ticket: Ticket, field: str, value: str) -> Any:
    """A suggested value as the ticket stores it: a Team (by slug, one that serves the
    ticket's client), a tier, a type, a priority (P1 ... OPS or 1 ... 4). InvalidInput
    naming `value` otherwise."""
    require_field(field)
    value = str(value or "").strip()
    if field == "team":
        team = queries.teams_serving(ticket.organization_id).filter(slug=value).first()
        if team is None:
            raise InvalidInput(f"no team {value!r} serving {ticket.organization}", field="value")
        return team
    if field == "tier":
        if value not in Tier.values:
            raise InvalidInput(f"tier must be one of {', '.join(Tier.values)}", field="value")
        return value
    if field == "type":
        if value not in TicketType.values:
            raise InvalidInput(f"type must be one of {', '.join(TicketType.values)}", field="value")
        return value
    try:
        return parse_priority(int(value) if value.isdigit() else value)
    except TicketInvalidInput as exc:
        raise InvalidInput(exc.message, field="value") from None


def accept(*, actor: User, ticket: Ticket, field: str, value: str) -> TicketEvent | None:
    """An agent accepts the suggested `value` of `field` on `ticket`: applied through the
    tickets' services (type and priority: `update_ticket`; team: `assign_ticket`, keeping the
    assignee) or, for the tier, `set_fields`, each writing its usual timeline event. Returns
    the event (None when the ticket already had that value). Raises NotAllowed (not an agent,
    or one who does not see the ticket), InvalidInput, and the tickets' own errors (closed)."""
    if not is_agent(actor):
        raise NotAllowed("only agents accept triage suggestions")
    if not queries.triageable(actor).filter(pk=ticket.pk).exists():
        raise NotAllowed("you cannot see this ticket")
    parsed = parse_value(ticket, field, value)
    if field in ("type", "priority"):
        return tickets.update_ticket(actor=actor, ticket=ticket, **{field: parsed})
    if field == "team":
        if ticket.team_id == parsed.pk:
            return None
        return tickets.assign_ticket(
            actor=actor, ticket=ticket, assignee=ticket.assignee, team=parsed
        )
    return set_fields(actor=actor, ticket=ticket, values={"tier": parsed})


def _show(field: str, value: Any) -> Any:
    if value is None:
        return None
    if field == "priority":
        return Priority(value).label
    if field == "team":
        return value.name
    return value


@transaction.atomic
def set_fields(
    *,
    actor: User | None,
    ticket: Ticket,
    values: dict[str, Any],
    model: dict[str, Any] | None = None,
) -> TicketEvent | None:
    """Set `values` (any of team, tier, type, priority, already parsed) on the open `ticket`,
    locked first, with one CHANGED event (old and new of each field, as `update_ticket`
    writes them) and, for a team, an ASSIGNED event as `assign_ticket` writes it (the
    assignee kept), so the ticket's hook handlers (assignment, notifications) hear it.
    `model` (the model's version and each field's confidence) marks an automatic triage: the
    event says so in its body and data. Returns the CHANGED event, or the ASSIGNED one for a
    team alone, None when nothing changed. Raises NotAllowed, InvalidTransition (closed)."""
    lock(ticket)
    if actor is not None:
        require_agent(actor, "triage tickets")
        require_visible(actor, ticket)
    if ticket.status == Status.CLOSED:
        raise InvalidTransition(f"{ticket.number} is closed", field="status")
    team = values.pop("team", None)
    diff: dict[str, list[Any]] = {}
    raw: dict[str, dict[str, Any]] = {}
    for field, value in values.items():
        old = getattr(ticket, field)
        if old != value:
            diff[field] = [_show(field, old), _show(field, value)]
            raw[field] = changed(old, value)
            setattr(ticket, field, value)
    body = _model_body(model, {**values, "team": team}) if model else ""
    data: dict[str, Any] = {"triage": model} if model else {}
    event = None
    if diff:
        if "priority" in diff:
            deadlines.note(ticket, deadlines.engine().retargeted(ticket))
        event = write_event(
            ticket,
            EventKind.CHANGED,
            actor,
            body=body,
            data={"changes": diff, "values": raw, **data},
        )
        touch(ticket, *diff)
    if team is not None and team.pk != ticket.team_id:
        old_team = ticket.team
        ticket.team = team
        assignee = ticket.assignee
        assigned = write_event(
            ticket,
            EventKind.ASSIGNED,
            actor,
            body="" if event else body,
            data={
                **data,
                "from": assignee.get_full_name() if assignee else None,
                "to": assignee.get_full_name() if assignee else None,
                "team_from": old_team.name if old_team else None,
                "team_to": team.name,
            },
        )
        touch(ticket, "team")
        event = event or assigned
    return event


def _model_body(model: dict[str, Any], values: dict[str, Any]) -> str:
    """ "Triage model v3: priority P2 (87 %), team Network L3 (91 %)"."""
    parts = [
        f"{field} {_show(field, value)} ({model['confidence'][field]:.0%})"
        for field, value in values.items()
        if value is not None and field in model.get("confidence", {})
    ]
    return f"Triage model v{model['version']}: " + ", ".join(parts)


def changed_since_creation(ticket: Ticket) -> set[str]:
    """The fields a person (or a rule) already changed after the ticket was created: the
    auto-apply leaves them alone."""
    touched: set[str] = set()
    kinds = (EventKind.CHANGED, EventKind.ASSIGNED, EventKind.ESCALATED)
    for kind, data in TicketEvent.objects.filter(ticket=ticket, kind__in=kinds).values_list(
        "kind", "data"
    ):
        if kind == EventKind.CHANGED:
            touched |= set((data or {}).get("values") or {})
        elif kind == EventKind.ESCALATED:
            touched |= {"tier", "team"}
        elif (data or {}).get("team_from") != (data or {}).get("team_to"):
            touched.add("team")
    return touched


def find_team(pk: int | str) -> Team | None:
    return Team.objects.filter(pk=pk).first()
