"""Who works on a ticket: assigning, escalating with triage notes, and the desk's own rules
that escalate or hand a ticket over with no agent acting."""

from typing import Any

from django.db import transaction

from deskside.accounts.models import Team, Tier, User
from deskside.tickets.exceptions import InvalidInput, InvalidTransition
from deskside.tickets.models import (
    EventKind,
    Status,
    Ticket,
    TicketEvent,
)
from deskside.tickets.rules import (
    lock,
    require_active_agent,
    require_agent,
    require_choice,
    require_serves,
    require_text,
    require_visible,
)
from deskside.tickets.services.status import _status_event
from deskside.tickets.services.versions import check_version
from deskside.tickets.timeline import reindex, touch, write_event

TIER_ORDER = {Tier.L1: 1, Tier.L2: 2, Tier.L3: 3}


@transaction.atomic
def assign_ticket(
    *,
    actor: User,
    ticket: Ticket,
    assignee: User | None,
    team: Team | None = None,
    expected_version: int | None = None,
) -> TicketEvent:
    """Give the ticket to `assignee` (None: unassign) and optionally to `team`."""
    lock(ticket)
    require_agent(actor, "assign tickets")
    require_visible(actor, ticket)
    check_version(actor=actor, ticket=ticket, expected=expected_version)
    require_active_agent(assignee, "assignee")
    if assignee is not None and assignee.pk != ticket.assignee_id:
        require_serves(assignee, ticket.organization, "assignee")
    if ticket.status == Status.CLOSED:
        raise InvalidTransition(f"{ticket.number} is closed", field="status")
    old_assignee, old_team = ticket.assignee, ticket.team
    team = team if team is not None else ticket.team
    if assignee == old_assignee and team == old_team:
        raise InvalidInput("the ticket is already assigned so", field="assignee")
    ticket.assignee, ticket.team = assignee, team
    event = write_event(
        ticket,
        EventKind.ASSIGNED,
        actor,
        data={
            "from": old_assignee.get_full_name() if old_assignee else None,
            "to": assignee.get_full_name() if assignee else None,
            "team_from": old_team.name if old_team else None,
            "team_to": team.name if team else None,
        },
    )
    fields = ["assignee", "team"]
    if assignee is not None and ticket.status == Status.NEW:
        _status_event(ticket, actor, Status.OPEN, "")
        fields.append("status")
    touch(ticket, *fields)
    return event


@transaction.atomic
def escalate_ticket(
    *,
    actor: User,
    ticket: Ticket,
    tier: str,
    symptoms: str,
    steps_tried: str,
    impact: str,
    team: Team | None = None,
    assignee: User | None = None,
    expected_version: int | None = None,
) -> TicketEvent:
    """Pass the ticket up to Level 2 (on site) or Level 3 with triage notes.

    The notes (symptoms, what was already tried, the impact) are required: the receiving tier
    must not start from zero. They are written on the timeline and shown at the top of the
    ticket. The ticket leaves its current assignee unless one of the target tier is named.
    """
    lock(ticket)
    require_agent(actor, "escalate tickets")
    require_visible(actor, ticket)
    check_version(actor=actor, ticket=ticket, expected=expected_version)
    return _escalate(
        ticket,
        actor,
        tier=tier,
        symptoms=symptoms,
        steps_tried=steps_tried,
        impact=impact,
        team=team,
        assignee=assignee,
    )


@transaction.atomic
def escalate_by_rule(
    *,
    ticket: Ticket,
    rule: str,
    tier: str,
    symptoms: str,
    steps_tried: str,
    impact: str,
    team: Team | None = None,
    data: dict[str, Any] | None = None,
) -> TicketEvent:
    """An escalation that one of the desk's own rules makes, with no agent acting (a
    contract's SLA breach rule): the same rule as `escalate_ticket` (an open ticket, a higher
    tier, the three triage notes, a team of that tier) and the same event, with no actor
    (shown as Deskside), `rule` naming the rule and `data` its details. Unassigns the ticket.
    Raises InvalidTransition, InvalidInput as `escalate_ticket` does."""
    lock(ticket)
    return _escalate(
        ticket,
        None,
        tier=tier,
        symptoms=symptoms,
        steps_tried=steps_tried,
        impact=impact,
        team=team,
        assignee=None,
        data={"rule": rule, **(data or {})},
    )


@transaction.atomic
def hand_over_by_rule(
    *,
    ticket: Ticket,
    rule: str,
    team: Team,
    symptoms: str,
    steps_tried: str,
    impact: str,
    data: dict[str, Any] | None = None,
) -> TicketEvent | None:
    """Hand the ticket, unassigned, to `team` by one of the desk's own rules, with no agent
    acting (a contract's SLA breach rule whose breach team works at the ticket's tier or
    below; a team of a higher tier is an escalation, `escalate_by_rule`). The ASSIGNED event
    carries the same three triage notes an escalation needs, as its body and in its data.
    Returns None when the ticket already waits unassigned in that team. Raises
    InvalidTransition (closed), InvalidInput (a note missing)."""
    lock(ticket)
    if ticket.status == Status.CLOSED:
        raise InvalidTransition(f"{ticket.number} is closed", field="status")
    notes = _triage_notes(symptoms, steps_tried, impact)
    if ticket.team_id == team.pk and ticket.assignee_id is None:
        return None
    old_assignee, old_team = ticket.assignee, ticket.team
    ticket.team, ticket.assignee = team, None
    event = write_event(
        ticket,
        EventKind.ASSIGNED,
        None,
        body=_triage_text(notes),
        data={
            **(data or {}),
            "rule": rule,
            "from": old_assignee.get_full_name() if old_assignee else None,
            "to": None,
            "team_from": old_team.name if old_team else None,
            "team_to": team.name,
            **notes,
        },
    )
    touch(ticket, "assignee", "team")
    return event


def _triage_notes(symptoms: str, steps_tried: str, impact: str) -> dict[str, str]:
    """The three triage notes every escalation carries, each required."""
    return {
        "symptoms": require_text(symptoms, "symptoms", "the symptoms"),
        "steps_tried": require_text(steps_tried, "steps_tried", "the steps already tried"),
        "impact": require_text(impact, "impact", "the impact"),
    }


def _triage_text(notes: dict[str, str]) -> str:
    return (
        f"Symptoms: {notes['symptoms']}\nSteps tried: {notes['steps_tried']}\n"
        f"Impact: {notes['impact']}"
    )


def _escalate(
    ticket: Ticket,
    actor: User | None,
    *,
    tier: str,
    symptoms: str,
    steps_tried: str,
    impact: str,
    team: Team | None,
    assignee: User | None,
    data: dict[str, Any] | None = None,
) -> TicketEvent:
    """The escalation rule and its event, for a locked ticket (see `escalate_ticket`)."""
    if not ticket.is_open:
        raise InvalidTransition(f"{ticket.number} is not open", field="status")
    require_choice(tier, Tier, "tier")
    if TIER_ORDER[tier] <= TIER_ORDER[ticket.tier]:
        raise InvalidInput(
            f"the ticket is at {ticket.tier}; escalate to a higher tier", field="tier"
        )
    notes = _triage_notes(symptoms, steps_tried, impact)
    if team is not None and team.tier != tier:
        raise InvalidInput(f"{team} is a {team.tier} team", field="team")
    require_active_agent(assignee, "assignee")
    require_serves(assignee, ticket.organization, "assignee")
    if assignee is not None and assignee.tier and TIER_ORDER[assignee.tier] < TIER_ORDER[tier]:
        raise InvalidInput(f"{assignee} works at {assignee.tier}", field="assignee")
    from_tier = ticket.tier
    ticket.tier, ticket.team, ticket.assignee = tier, team, assignee
    ticket.escalation_count += 1
    event = write_event(
        ticket,
        EventKind.ESCALATED,
        actor,
        body=_triage_text(notes),
        data={
            **(data or {}),
            "from_tier": from_tier,
            "to_tier": tier,
            "team": team.name if team else None,
            "assignee": assignee.get_full_name() if assignee else None,
            **notes,
        },
    )
    fields = ["tier", "team", "assignee", "escalation_count"]
    if ticket.status == Status.NEW:
        _status_event(ticket, actor, Status.OPEN, "")
        fields.append("status")
    touch(ticket, *fields)
    reindex(ticket)
    return event
