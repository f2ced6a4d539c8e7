"""What a webhook receives: the JSON body of a delivery, built when the event is written.

    {"id": "<delivery public id>", "event": "ticket.resolved", "occurred_at": "<ISO 8601 UTC>",
     "ticket": {"number", "subject", "status", "priority", "organization": {"slug", "name"},
                "site", "team", "assignee", "url"},
     "actor": "<name or null>", "data": {...the event's details}}

Internal text stays inside the MSP. A webhook scoped to a client (`organization` set) is that
client's system: it gets the public details of every event, and of an internal event (an
escalation with its triage notes, a page) only the non-text facts listed in CLIENT_FIELDS;
its ticket link is the customer portal's. MSP-wide and team-only webhooks are the MSP's own
systems: they get every detail, the event's text included, and the agent page's link.
"""

from typing import Any

from django.urls import reverse

from deskside.core import clock
from deskside.core.baseurl import base_url
from deskside.tickets.models import EventKind, Priority, Status, Ticket, TicketEvent
from deskside.webhooks.models import PING, Event, Webhook

EVENT_FOR_KIND: dict[str, str] = {
    EventKind.CREATED: Event.CREATED,
    EventKind.ESCALATED: Event.ESCALATED,
    EventKind.PAGED: Event.PAGED,
    EventKind.ACKNOWLEDGED: Event.ACKNOWLEDGED,
    EventKind.RESOLVED: Event.RESOLVED,
    EventKind.SLA_WARNING: Event.SLA_WARNING,
    EventKind.SLA_BREACH: Event.SLA_BREACHED,
}
# Where the event's body goes in `data` (an escalation's body repeats its triage notes, which
# are in `data` already).
TEXT_FIELD: dict[str, str | None] = {
    EventKind.CREATED: "description",
    EventKind.RESOLVED: "resolution",
    EventKind.ESCALATED: None,
    EventKind.PAGED: "text",
    EventKind.ACKNOWLEDGED: "text",
}
# The facts of an internal event a client's webhook may have: no free text.
CLIENT_FIELDS: dict[str, tuple[str, ...]] = {
    EventKind.ESCALATED: ("from_tier", "to_tier", "team", "assignee"),
    EventKind.PAGED: ("name", "step", "cycle"),
    EventKind.ACKNOWLEDGED: ("via", "step", "cycle"),
    EventKind.SLA_WARNING: ("kind", "due", "target_minutes"),
    EventKind.SLA_BREACH: ("kind", "due", "target_minutes"),
}


def iso(moment: Any) -> str:
    return moment.isoformat().replace("+00:00", "Z")


def ticket_part(ticket: Ticket, *, internal: bool) -> dict[str, Any]:
    page = "tickets:detail" if internal else "portal:detail"
    return {
        "number": ticket.number,
        "subject": ticket.subject,
        "status": Status(ticket.status).value,
        "priority": Priority(ticket.priority).label,
        "organization": {"slug": ticket.organization.slug, "name": ticket.organization.name},
        "site": ticket.site.name if ticket.site_id else None,
        "team": ticket.team.name if ticket.team_id else None,
        "assignee": ticket.assignee.get_full_name() if ticket.assignee_id else None,
        "url": base_url() + reverse(page, args=[ticket.number]),
    }


def event_data(event: TicketEvent, *, internal: bool) -> dict[str, Any]:
    """The event's details a webhook may see (see the module docstring)."""
    raw = event.data if isinstance(event.data, dict) else {}
    text_field = TEXT_FIELD.get(event.kind, "text")
    if internal or event.is_public:
        data = dict(raw)
        if text_field and event.body:
            data[text_field] = event.body
        return data
    return {key: raw[key] for key in CLIENT_FIELDS.get(event.kind, ()) if key in raw}


def for_event(event: TicketEvent, *, internal: bool) -> dict[str, Any]:
    """The payload of `event` without its delivery id (added per delivery)."""
    return {
        "event": EVENT_FOR_KIND[event.kind],
        "occurred_at": iso(event.created_at),
        "ticket": ticket_part(event.ticket, internal=internal),
        "actor": event.actor.get_full_name() if event.actor_id else None,
        "data": event_data(event, internal=internal),
    }


def for_ping(webhook: Webhook, actor_name: str | None) -> dict[str, Any]:
    """The payload of a test delivery ("send test")."""
    return {
        "event": PING,
        "occurred_at": iso(clock.now()),
        "ticket": None,
        "actor": actor_name,
        "data": {
            "webhook": {"id": webhook.public_id, "name": webhook.name},
            "events": list(webhook.events),
            "message": "A test delivery from Deskside: your endpoint is reachable.",
        },
    }
