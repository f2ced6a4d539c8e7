"""Handover verbs: open one at a hand-off (the worker), write notes and per-ticket notes (tags
notify), tick checklist items, sign off (refused until every required item is done; freezes
the sections), acknowledge (stops the reminders), write feedback back to the previous shift,
and the team's set-up (reminder delays, checklist items; audited). Keyword-only arguments, the
actor first, one transaction each, the handover row locked before its state is checked.

Who may act (decided): on a handover, any active agent who is a member or the lead of its
team, one of its outgoing or incoming people, or an administrator; a customer never. The
team's set-up: its lead or an administrator.

Who may acknowledge (decided): anyone who may act, except the agent who signed the handover
off: the handover cannot get lost only if someone of the incoming shift takes it. The one
exception is that agent working the incoming shift themselves (a one-person desk working on),
as the rosters answer "who works at the hand-off" (`incoming_ids`).
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import IntegrityError, transaction

from deskside.accounts.models import Team, User
from deskside.accounts.permissions import is_admin, is_agent
from deskside.core import audit, clock
from deskside.handovers import notify
from deskside.handovers.compile import compile_sections
from deskside.handovers.exceptions import (
    ChecklistIncomplete,
    InvalidInput,
    NotAllowed,
    NotFound,
    OwnSignOff,
    WrongState,
)
from deskside.handovers.models import (
    DEFAULT_REMIND_INCOMING,
    DEFAULT_REMIND_LEAD,
    ChecklistCheck,
    ChecklistItem,
    Feedback,
    Handover,
    HandoverSettings,
    Reminder,
    TicketNote,
)
from deskside.rosters import working
from deskside.tickets.models import Ticket
from deskside.tickets.queries import visible_tickets

MAX_TEXT = 20_000


@dataclass(frozen=True)
class Shift:
    """One hand-off as the rosters report it (`deskside.rosters.working.Handoff`)."""

    team: Team
    at: datetime
    shift_start: datetime
    ending: str
    starting: str
    outgoing: tuple[int, ...]
    incoming: tuple[int, ...]


def reminder_delays(team: Team) -> tuple[int, int]:
    """(minutes until the incoming agents are reminded, minutes until the lead is)."""
    found = HandoverSettings.objects.filter(team=team).first()
    if found is None:
        return DEFAULT_REMIND_INCOMING, DEFAULT_REMIND_LEAD
    return found.remind_incoming_after, found.remind_lead_after


def may_act(actor: User, handover: Handover) -> bool:
    """Whether `actor` may write on `handover` (see the module docstring)."""
    if not is_agent(actor):
        return False
    if is_admin(actor) or handover.team.lead_id == actor.pk:
        return True
    if actor.teams.filter(pk=handover.team_id).exists():
        return True
    return (
        handover.outgoing.filter(pk=actor.pk).exists()
        or handover.incoming.filter(pk=actor.pk).exists()
    )


def incoming_ids(handover: Handover) -> frozenset[int]:
    """Who works `handover`'s incoming shift: the rosters' "who works at t" at the hand-off, so
    leave and cover entered since the handover was opened count. When nobody works the desk at
    the hand-off itself (a business-hours desk: the incoming shift starts the next morning) or
    the team has no schedule, the incoming people recorded when the handover was opened."""
    found = working.working_ids(handover.team, handover.at)
    if found:
        return found
    return frozenset(handover.incoming.values_list("pk", flat=True))


def may_acknowledge(actor: User, handover: Handover) -> bool:
    """Whether `actor` may acknowledge `handover` once it is signed off: whoever may act, but
    not the agent who signed it off unless they work the incoming shift (`incoming_ids`)."""
    if not may_act(actor, handover):
        return False
    if handover.signed_off_by_id != actor.pk:
        return True
    return actor.pk in incoming_ids(handover)


def _locked(actor: User, handover: Handover) -> Handover:
    if not is_agent(actor):
        raise NotAllowed("handovers are for agents")
    row = Handover.objects.select_for_update().select_related("team").get(pk=handover.pk)
    if not may_act(actor, row):
        raise NotAllowed("only the team, its lead, the shift's people or an admin may do this")
    return row


def _text(value: str, field: str, *, required: bool = True) -> str:
    value = (value or "").strip()
    if required and not value:
        raise InvalidInput("write something", field=field)
    if len(value) > MAX_TEXT:
        raise InvalidInput(f"at most {MAX_TEXT} characters", field=field)
    return value


@transaction.atomic
def open_handover(*, actor: User | None, shift: Shift) -> tuple[Handover, bool]:
    """The handover of `shift` (created with its two reminder rows when new; an existing one is
    returned unchanged): (handover, created). Safe to call again and from racing workers."""
    existing = Handover.objects.filter(team=shift.team, at=shift.at).first()
    if existing is not None:
        return existing, False
    try:
        with transaction.atomic():  # a racing worker's insert wins; this one reads it
            handover = Handover.objects.create(
                team=shift.team,
                at=shift.at,
                shift_start=shift.shift_start,
                ending=shift.ending[:100],
                starting=shift.starting[:100],
                created_at=clock.now(),
            )
    except IntegrityError:
        return Handover.objects.get(team=shift.team, at=shift.at), False
    handover.outgoing.set(shift.outgoing)
    handover.incoming.set(shift.incoming)
    first, lead = reminder_delays(shift.team)
    Reminder.objects.bulk_create(
        [
            Reminder(
                handover=handover,
                stage=Reminder.Stage.INCOMING,
                due_at=shift.at + timedelta(minutes=first),
            ),
            Reminder(
                handover=handover,
                stage=Reminder.Stage.LEAD,
                due_at=shift.at + timedelta(minutes=lead),
            ),
        ]
    )
    return handover, True


def _require_open(handover: Handover) -> None:
    if handover.status != Handover.Status.OPEN:
        raise WrongState("the handover is signed off: it no longer changes", field="status")


@transaction.atomic
def set_notes(*, actor: User, handover: Handover, notes: str) -> Handover:
    """Replace the overall notes (open handovers only). People tagged (`@name`) are notified
    once each, by mail and their contact methods. Raises NotAllowed, WrongState, InvalidInput."""
    row = _locked(actor, handover)
    _require_open(row)
    row.notes = _text(notes, "notes", required=False)
    row.save(update_fields=["notes"])
    notify.tagged(row, actor, row.notes, source="notes")
    return row


@transaction.atomic
def add_ticket_note(*, actor: User, handover: Handover, number: str, body: str) -> TicketNote:
    """A note on one ticket (one the actor may see) of an open handover; tags notify.
    Raises NotAllowed, WrongState, NotFound (no such ticket the actor sees), InvalidInput."""
    row = _locked(actor, handover)
    _require_open(row)
    body = _text(body, "body")
    try:
        ticket = visible_tickets(actor).by_number(number or "")
    except Ticket.DoesNotExist:
        raise NotFound(f"no ticket {number!r}", field="ticket") from None
    note = TicketNote.objects.create(
        handover=row, ticket=ticket, author=actor, body=body, created_at=clock.now()
    )
    notify.tagged(row, actor, body, source=f"note:{note.pk}", ticket=ticket)
    return note


@transaction.atomic
def check_item(*, actor: User, handover: Handover, item_public_id: str, done: bool) -> Handover:
    """Tick (or untick) one of the team's checklist items on an open handover."""
    row = _locked(actor, handover)
    _require_open(row)
    item = ChecklistItem.objects.filter(
        team=row.team_id, public_id=item_public_id, is_active=True
    ).first()
    if item is None:
        raise NotFound(f"no checklist item {item_public_id!r}", field="item")
    if done:
        ChecklistCheck.objects.get_or_create(
            handover=row,
            item=item,
            defaults={"text": item.text, "done_by": actor, "done_at": clock.now()},
        )
    else:
        ChecklistCheck.objects.filter(handover=row, item=item).delete()
    return row


def missing_items(handover: Handover) -> list[ChecklistItem]:
    """The team's active required items not yet done on `handover`."""
    done = ChecklistCheck.objects.filter(handover=handover).values("item_id")
    return list(
        ChecklistItem.objects.filter(team=handover.team_id, is_active=True, required=True)
        .exclude(pk__in=done)
        .order_by("phase", "position", "id")
    )


@transaction.atomic
def sign_off(*, actor: User, handover: Handover) -> Handover:
    """The outgoing shift signs off: refused (ChecklistIncomplete, naming the items) until
    every required checklist item is done; the sections are compiled one last time and frozen.
    Raises NotAllowed, WrongState (already signed off), ChecklistIncomplete."""
    row = _locked(actor, handover)
    _require_open(row)
    missing = missing_items(row)
    if missing:
        names = "; ".join(item.text for item in missing)
        raise ChecklistIncomplete(f"required checklist items not done: {names}", field="checklist")
    now = clock.now()
    row.contents = compile_sections(row.team, row.shift_start, row.at, now)
    row.compiled_at = now
    row.status = Handover.Status.SIGNED_OFF
    row.signed_off_by = actor
    row.signed_off_at = now
    row.save(update_fields=["contents", "compiled_at", "status", "signed_off_by", "signed_off_at"])
    return row


@transaction.atomic
def acknowledge(*, actor: User, handover: Handover) -> Handover:
    """The incoming shift acknowledges a signed-off handover; the reminders not yet sent stop.
    Raises NotAllowed, WrongState (still open, or already acknowledged), OwnSignOff (the actor
    signed it off and does not work the incoming shift: someone of that shift must take it)."""
    row = _locked(actor, handover)
    if row.status == Handover.Status.OPEN:
        raise WrongState("the outgoing shift has not signed off yet", field="status")
    if row.status == Handover.Status.ACKNOWLEDGED:
        raise WrongState("already acknowledged", field="status")
    if not may_acknowledge(actor, row):
        raise OwnSignOff(
            "you signed this handover off: someone of the incoming shift must acknowledge it",
            field="acknowledged_by",
        )
    now = clock.now()
    row.status = Handover.Status.ACKNOWLEDGED
    row.acknowledged_by = actor
    row.acknowledged_at = now
    row.save(update_fields=["status", "acknowledged_by", "acknowledged_at"])
    Reminder.objects.filter(handover=row, state=Reminder.State.PENDING).update(
        state=Reminder.State.CANCELLED
    )
    return row


@transaction.atomic
def add_feedback(*, actor: User, handover: Handover, body: str) -> Feedback:
    """The incoming shift writes back to the shift before (any state); tags notify."""
    row = _locked(actor, handover)
    body = _text(body, "body")
    feedback = Feedback.objects.create(
        handover=row, author=actor, body=body, created_at=clock.now()
    )
    notify.tagged(row, actor, body, source=f"feedback:{feedback.pk}")
    return feedback


def _may_configure(actor: User, team: Team) -> None:
    if not (is_admin(actor) or (is_agent(actor) and team.lead_id == actor.pk)):
        raise NotAllowed("only the team's lead or an administrator may change its handovers")


@transaction.atomic
def configure(
    *, actor: User, team: Team, remind_incoming_after: int, remind_lead_after: int
) -> HandoverSettings:
    """Set the team's reminder delays (minutes after the hand-off; the lead's after the
    incoming agents'). Applies to handovers opened from now on. Audited."""
    _may_configure(actor, team)
    if not 1 <= remind_incoming_after <= 24 * 60:
        raise InvalidInput("between 1 and 1440 minutes", field="remind_incoming_after")
    if not remind_incoming_after < remind_lead_after <= 24 * 60:
        raise InvalidInput(
            "after the incoming agents' reminder, at most 1440 minutes", field="remind_lead_after"
        )
    row, _ = HandoverSettings.objects.select_for_update().get_or_create(team=team)
    before = {
        "remind_incoming_after": row.remind_incoming_after,
        "remind_lead_after": row.remind_lead_after,
    }
    row.remind_incoming_after, row.remind_lead_after = remind_incoming_after, remind_lead_after
    row.updated_at = clock.now()
    row.save()
    audit.record_update(
        actor,
        "handover_settings",
        team.slug,
        label=f"Handover reminders of {team}",
        before=before,
        after={
            "remind_incoming_after": remind_incoming_after,
            "remind_lead_after": remind_lead_after,
        },
    )
    return row


@transaction.atomic
def add_checklist_item(
    *, actor: User, team: Team, phase: str, text: str, required: bool = True
) -> ChecklistItem:
    """Add an item to the team's handover checklist (at the end of its phase). Audited."""
    _may_configure(actor, team)
    if phase not in ChecklistItem.Phase.values:
        raise InvalidInput("pre or post", field="phase")
    text = _text(text, "text")
    if len(text) > 200:
        raise InvalidInput("at most 200 characters", field="text")
    last = ChecklistItem.objects.filter(team=team, phase=phase).order_by("-position").first()
    item = ChecklistItem.objects.create(
        team=team,
        phase=phase,
        text=text,
        required=required,
        position=(last.position + 1) if last else 0,
    )
    audit.record(
        actor,
        audit.CREATED,
        "handover_checklist_item",
        item.public_id,
        label=f"{team}: {text}",
        after={"phase": phase, "text": text, "required": required},
    )
    return item


@transaction.atomic
def remove_checklist_item(*, actor: User, team: Team, item_public_id: str) -> None:
    """Retire an item of the team's checklist (past handovers keep what was ticked). Audited."""
    _may_configure(actor, team)
    item = ChecklistItem.objects.filter(team=team, public_id=item_public_id, is_active=True).first()
    if item is None:
        raise NotFound(f"no checklist item {item_public_id!r}", field="item")
    item.is_active = False
    item.save(update_fields=["is_active"])
    audit.record(
        actor,
        audit.DELETED,
        "handover_checklist_item",
        item.public_id,
        label=f"{team}: {item.text}",
        before={"phase": item.phase, "text": item.text, "required": item.required},
    )
