"""What starts and stops a ticket's paging: one handler on the tickets' event hook
(`deskside.tickets.timeline.on_event`), registered in PagingConfig.ready for the kinds in
HEARS: the ticket services know nothing of paging, and apps build on tickets, never the other
way.

It runs in the transaction of the event that caused it and costs nothing for the kinds that
do not matter. A CREATED event (P1, P2, or an alert with its severity in data["alert"]), a
CHANGED event that made the priority more urgent (decided from its raw values,
`data["values"]["priority"]`, never from the display labels), and an ESCALATED event decide with the
contract's paging rule and write the Escalation row due now (`services.start_if_due`); a
CHANGED event that made it less urgent stops the open chain when the ticket no longer pages
(`services.stop_if_no_longer_due`); RESOLVED, CLOSED and MERGED stop the open chain
(`services.cancel_for`). An ALERT event saying the ticket's last open alert resolved stops a
chain nobody acknowledged yet (`services.stop_for_resolved_alerts`): a problem that healed
itself pages nobody, at any hour.

SLA warnings and breaches are not heard: a breach pages only through its contract's rule,
whose ESCALATED event carries data["rule"] and is skipped here.
"""

from deskside.paging import services
from deskside.tickets.models import EventKind, Priority
from deskside.tickets.timeline import Happened

STARTS = {EventKind.CREATED, EventKind.CHANGED, EventKind.ESCALATED}
STOPS = {EventKind.RESOLVED, EventKind.CLOSED, EventKind.MERGED}
PAGING_PRIORITIES = {Priority.P1, Priority.P2}
HEARS = STARTS | STOPS | {EventKind.ALERT}


def event_written(happened: Happened) -> None:
    """Start or stop the ticket's paging as its event calls for (module docstring)."""
    kind = happened.kind
    data = happened.data
    if kind == EventKind.ALERT:
        alert = data.get("alert")
        resolved = isinstance(alert, dict) and alert.get("status") == "resolved"
        if resolved and alert.get("open_alerts") == 0:
            services.stop_for_resolved_alerts(happened.ticket)
        return
    if kind == EventKind.ESCALATED and data.get("rule"):
        # An escalation one of the desk's own rules made (a contract's SLA breach rule) moves
        # the ticket and notifies as the rule says; it never starts paging on its own (a chain
        # stopped because the alert healed stays stopped). An agent's escalation does.
        return
    ticket = happened.ticket
    if kind in STOPS:
        services.cancel_for(ticket)
        return
    severity = None
    if kind == EventKind.CREATED:
        alert = data.get("alert")
        if isinstance(alert, dict) and isinstance(alert.get("severity"), str):
            severity = alert["severity"]
    elif kind == EventKind.CHANGED:
        values = happened.values("priority")
        if values is None:
            return
        old, new = _priority(values[0]), _priority(values[1])
        if old is not None and new is not None and new >= old:
            # Less urgent (or unchanged): never a new page (an acknowledged P1 lowered to P2
            # at night stays acknowledged); a chain the ticket no longer earns stops.
            services.stop_if_no_longer_due(ticket, old=old.label, new=new.label)
            return
    if severity is None and ticket.priority not in PAGING_PRIORITIES:
        return  # the common case: a P3 ticket, no query at all
    services.start_if_due(ticket, severity)


def _priority(value: object) -> Priority | None:
    """A raw priority value of a CHANGED event's `data["values"]` (1 is the most urgent)."""
    try:
        return Priority(value)
    except ValueError:
        return None
