"""SLA notifications: e-mail to a ticket's assignee and its team's lead when a warning or a
breach fires.

Mail goes through Django's e-mail framework (EMAIL_BACKEND and the SMTP settings come from the
DESKSIDE_EMAIL_* environment variables, see deskside/settings.py) and is sent only after the
transaction that wrote the SLA events commits (`transaction.on_commit`): a rolled-back claim
sends nothing, and a slow mail server never holds the database's write lock. A failed send is
logged with its traceback; the events are already on the timeline, so nothing is lost but the
mail itself.
"""

import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Protocol

from django.conf import settings
from django.core.mail import send_mass_mail
from django.db import transaction

from deskside.accounts.models import Team, User
from deskside.tickets.models import Priority

log = logging.getLogger(__name__)

LABELS = {
    "first_response": "first response",
    "next_response": "next response",
    "resolution": "resolution",
}

Message = tuple[str, str, str, list[str]]  # subject, body, sender, recipients (send_mass_mail)


class Held(Protocol):
    """What a mail needs of a ticket: a Ticket, or the SLA worker's lighter row."""

    number: str
    subject: str
    priority: int
    team_id: int | None
    assignee_id: int | None


@dataclass(frozen=True)
class Alert:
    """One fired warning or breach to tell people about."""

    ticket: Held
    kind: str  # a clock kind: "first_response", "next_response", "resolution"
    breach: bool
    due_text: str


class Recipients:
    """Who hears about a batch of tickets: the assignee and the lead of the ticket's team,
    active users with an address only. Two queries for the whole batch."""

    def __init__(self, tickets: Iterable[Held]) -> None:
        tickets = list(tickets)
        team_ids = {t.team_id for t in tickets if t.team_id}
        self._leads = dict(
            Team.objects.filter(pk__in=team_ids, lead__isnull=False).values_list("pk", "lead_id")
        )
        user_ids = {t.assignee_id for t in tickets if t.assignee_id} | set(self._leads.values())
        self._emails = dict(
            User.objects.filter(pk__in=user_ids, is_active=True)
            .exclude(email="")
            .values_list("pk", "email")
        )

    def for_ticket(self, ticket: Held) -> list[str]:
        ids = [ticket.assignee_id, self._leads.get(ticket.team_id)]  # type: ignore[arg-type]
        emails = [self._emails[i] for i in ids if i in self._emails]
        return list(dict.fromkeys(emails))  # the assignee may lead the team: one copy


def message(alert: Alert, recipients: list[str]) -> Message:
    """The mail for one alert."""
    ticket = alert.ticket
    what = LABELS.get(alert.kind, alert.kind)
    verb = "breached" if alert.breach else "due soon"
    subject = (
        f"[{ticket.number}] SLA {what} {verb} ({Priority(ticket.priority).label}): {ticket.subject}"
    )[:200]
    if alert.breach:
        body = f"The {what} target of {ticket.number} was due at {alert.due_text} and is missed."
    else:
        body = f"The {what} target of {ticket.number} falls due at {alert.due_text}."
    body += f"\n\n{ticket.number}: {ticket.subject}\n"
    return (subject, body, settings.DEFAULT_FROM_EMAIL, recipients)


def queue(alerts: Sequence[Alert], recipients: Recipients) -> int:
    """Queue the mails for `alerts` to be sent when the current transaction commits (at once
    outside one). Returns how many mails were queued (alerts with nobody to tell send none)."""
    messages = [
        message(alert, to) for alert in alerts if (to := recipients.for_ticket(alert.ticket))
    ]
    if messages:
        transaction.on_commit(lambda: _send(messages))
    return len(messages)


def _send(messages: list[Message]) -> None:
    try:
        send_mass_mail(messages, fail_silently=False)
    except Exception:
        # The claim and its events are committed; a mail server that is down must not stop
        # the worker (it retries nothing: the timeline shows the warning or breach).
        log.exception("sending %d SLA mail(s) failed", len(messages))
