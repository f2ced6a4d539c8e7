"""What starts and stops a ticket's paging: one post_save receiver on TicketEvent, connected
in PagingConfig.ready (the precedent of deskside.mail.outbound.event_written: the ticket
services know nothing of paging, and apps build on tickets, never the other way).

It runs in the transaction of the event that caused it and costs nothing for the kinds that
do not matter. A CREATED event (P1, P2, or an alert with its severity in data["alert"]), a
CHANGED event that made the priority more urgent, and an ESCALATED event decide with the
contract's paging rule and write the Escalation row due now (`services.start_if_due`); a
CHANGED event that made it less urgent stops the open chain when the ticket no longer pages
(`services.stop_if_no_longer_due`); RESOLVED, CLOSED and MERGED stop the open chain
(`services.cancel_for`). An ALERT event saying the ticket's last open alert resolved stops a
chain nobody acknowledged yet (`services.stop_for_resolved_alerts`): a problem that healed
itself pages nobody, at any hour.
"""

from typing import Any

from deskside.paging import services
from deskside.tickets.models import EventKind, Priority, TicketEvent

STARTS = {EventKind.CREATED, EventKind.CHANGED, EventKind.ESCALATED}
STOPS = {EventKind.RESOLVED, EventKind.CLOSED, EventKind.MERGED}
PAGING_PRIORITIES = {Priority.P1, Priority.P2}


def event_written(sender: type, instance: TicketEvent, created: bool, **kwargs: Any) -> None:
    kind = instance.kind
    if not created or kwargs.get("raw"):
        return
    if kind == EventKind.ALERT:
        alert = (instance.data or {}).get("alert")
        resolved = isinstance(alert, dict) and alert.get("status") == "resolved"
        if resolved and alert.get("open_alerts") == 0:
            services.stop_for_resolved_alerts(instance.ticket)
        return
    if kind not in STARTS and kind not in STOPS:
        return
    if kind == EventKind.ESCALATED and (instance.data or {}).get("rule"):
        # An escalation one of the desk's own rules made (a contract's SLA breach rule) moves
        # the ticket and notifies as the rule says; it never starts paging on its own (a chain
        # stopped because the alert healed stays stopped). An agent's escalation does.
        return
    ticket = instance.ticket
    if kind in STOPS:
        services.cancel_for(ticket)
        return
    severity = None
    if kind == EventKind.CREATED:
        alert = (instance.data or {}).get("alert")
        if isinstance(alert, dict) and isinstance(alert.get("severity"), str):
            severity = alert["severity"]
    elif kind == EventKind.CHANGED:
        change = ((instance.data or {}).get("changes") or {}).get("priority")
        if not change:
            return
        old, new = _rank(change[0]), _rank(change[1])
        if old is not None and new is not None and new >= old:
            # Less urgent (or unchanged): never a new page (an acknowledged P1 lowered to P2
            # at night stays acknowledged); a chain the ticket no longer earns stops.
            services.stop_if_no_longer_due(ticket, old=change[0], new=change[1])
            return
    if severity is None and ticket.priority not in PAGING_PRIORITIES:
        return  # the common case: a P3 ticket, no query at all
    services.start_if_due(ticket, severity)


def _rank(label: object) -> int | None:
    """A priority label of a CHANGED event ("P1") as its number (1 is the most urgent)."""
    try:
        return int(Priority.from_label(str(label)))
    except KeyError:
        return None
