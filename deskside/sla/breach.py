"""What a contract does with a ticket when one of its SLA clocks breaches, past telling
people (`Contract.on_breach`): raise the ticket one tier, or hand it to the breach team.

Both go through the ticket services' rules, never around them: raising the tier and handing
the ticket to a team of a higher tier are escalations (`tickets.services.escalate_by_rule`:
an open ticket, a higher tier, a team of that tier, the three triage notes); a breach team of
the ticket's tier or below takes it over (`hand_over_by_rule`) with the same notes. The notes
are built from the breach and from what the ticket says so far, so that the receiving tier
does not start from zero:

- symptoms: the subject and the description, and the customer's latest message since;
- steps tried: the latest internal note and the latest public answer (reply or call) of an
  agent, with who wrote it and when, or that none was recorded before the breach;
- impact: the breached targets (clock, minutes of working time, priority, due time), the
  client, and how long the ticket has been open.

Called by the SLA worker inside the transaction that claimed the tickets and wrote their
breach events; each ticket's rule runs in a savepoint of its own, so a rule the ticket
services refuse (a ticket already at the top tier is skipped before) leaves an internal SLA
event saying why and does not undo the other tickets' claims.
"""

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from django.db import transaction
from django.utils import timezone

from deskside.accounts.models import Tier, User
from deskside.core.exceptions import DomainError
from deskside.sla.engine import Firing, Terms
from deskside.sla.models import Contract
from deskside.sla.notify import LABELS
from deskside.tickets import services as tickets
from deskside.tickets.models import EventKind, Priority, Ticket, TicketEvent
from deskside.tickets.timeline import write_event

log = logging.getLogger(__name__)

RULE = "sla_breach"
NEXT_TIER = {Tier.L1: Tier.L2, Tier.L2: Tier.L3}
TIER_ORDER = {Tier.L1: 1, Tier.L2: 2, Tier.L3: 3}
MAX_QUOTE = 1000  # characters of a description or note quoted in the triage notes


@dataclass(frozen=True)
class Breach:
    """The clocks of one ticket that breached in this pass, and the terms they ran under."""

    ticket_id: int
    firings: Sequence[Firing]
    terms: Terms


@dataclass(frozen=True)
class Outcome:
    """What a breach rule did to one ticket: "raised", "reassigned", "refused" or "none"."""

    action: str
    event: TicketEvent | None = None


def apply(breach: Breach, now: datetime) -> Outcome:
    """Apply the contract's breach rule to one ticket (see the module docstring), in a
    savepoint: a refusal of the ticket services is written on the ticket's timeline as an
    internal SLA event and returned as "refused"."""
    contract = breach.terms.contract
    if contract.on_breach == Contract.OnBreach.NOTIFY:
        return Outcome("none")
    ticket = Ticket.objects.select_related("team", "organization").get(pk=breach.ticket_id)
    try:
        with transaction.atomic():
            return _apply(ticket, breach, contract)
    except DomainError as exc:
        log.warning("SLA breach rule on %s refused: %s", ticket.number, exc.message)
        event = write_event(
            ticket,
            EventKind.SLA,
            None,
            body=f"SLA breach rule not applied: {exc.message}",
            data={"rule": RULE, "on_breach": contract.on_breach, "refused": exc.message},
        )
        return Outcome("refused", event)


def _apply(ticket: Ticket, breach: Breach, contract: Contract) -> Outcome:
    details = {"on_breach": contract.on_breach, "breached": [f.clock.kind for f in breach.firings]}
    if contract.on_breach == Contract.OnBreach.RAISE_TIER:
        to = NEXT_TIER.get(ticket.tier)  # type: ignore[call-overload]
        if to is None:
            return Outcome("none")  # already at the top tier
        notes = triage_notes(ticket, breach)
        event = tickets.escalate_by_rule(ticket=ticket, rule=RULE, tier=to, data=details, **notes)
        return Outcome("raised", event)
    team = contract.breach_team
    if team is None or (ticket.team_id == team.pk and ticket.assignee_id is None):
        return Outcome("none")
    notes = triage_notes(ticket, breach)
    if TIER_ORDER[team.tier] > TIER_ORDER[ticket.tier]:  # type: ignore[index]
        event = tickets.escalate_by_rule(
            ticket=ticket, rule=RULE, tier=team.tier, team=team, data=details, **notes
        )
    else:
        event = tickets.hand_over_by_rule(
            ticket=ticket, rule=RULE, team=team, data=details, **notes
        )
    return Outcome("reassigned", event)


def triage_notes(ticket: Ticket, breach: Breach) -> dict[str, str]:
    """The three triage notes for an escalation by a breach rule (see the module docstring):
    `symptoms`, `steps_tried` and `impact`, each a non-empty text."""
    zone = ZoneInfo(breach.terms.contract.calendar.timezone)
    timeline = ticket.events.select_related("actor").order_by("-id")
    symptoms = [ticket.subject]
    if ticket.description:
        symptoms.append(_quote(ticket.description))
    customer = timeline.filter(kind=EventKind.REPLY, actor__kind=User.Kind.CUSTOMER).first()
    if customer is not None:
        symptoms.append(
            f"Latest from the customer ({_said(customer, zone)}): {_quote(customer.body)}"
        )
    tried = []
    note = timeline.filter(kind=EventKind.NOTE).first()
    if note is not None:
        tried.append(f"Latest internal note ({_said(note, zone)}): {_quote(note.body)}")
    answer = timeline.filter(
        kind__in=(EventKind.REPLY, EventKind.CALL), actor__kind=User.Kind.AGENT
    ).first()
    if answer is not None:
        what = "call" if answer.kind == EventKind.CALL else "reply"
        tried.append(
            f"Latest {what} to the customer ({_said(answer, zone)}): {_quote(answer.body)}"
        )
    if not tried:
        tried.append("Nothing recorded before the breach: no internal note, reply or call.")
    priority = Priority(ticket.priority).label
    impact = [
        f"SLA {LABELS[f.clock.kind]} target of {f.target_minutes} working minutes ({priority}, "
        f"{breach.terms.contract.name}) breached: due {_when(f.clock.due, zone)}."
        for f in breach.firings
    ]
    impact.append(
        f"{ticket.organization.name}; open since {_when(ticket.created_at, zone)}, "
        f"{ticket.escalation_count} earlier escalation(s)."
    )
    return {
        "symptoms": "\n".join(symptoms),
        "steps_tried": "\n".join(tried),
        "impact": "\n".join(impact),
    }


def _quote(text: str) -> str:
    text = text.strip()
    return text if len(text) <= MAX_QUOTE else text[: MAX_QUOTE - 1] + "…"


def _when(moment: datetime, zone: ZoneInfo) -> str:
    return timezone.localtime(moment, zone).strftime("%a %d %b %Y %H:%M %Z")


def _said(event: TicketEvent, zone: ZoneInfo) -> str:
    who = event.actor.get_full_name() if event.actor else "Deskside"
    return f"{who}, {_when(event.created_at, zone)}"
