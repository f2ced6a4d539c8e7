"""Template tags of the live pages: where the queue page's "new tickets" count starts, and the
one line that tells what changed on a ticket ("Ana Agent added a note")."""

from django import template

from deskside.live.queries import newest_ticket_id
from deskside.tickets.models import EventKind, Status, TicketEvent

register = template.Library()

VERBS = {
    EventKind.NOTE: "added a note",
    EventKind.REPLY: "replied",
    EventKind.CALL: "logged a call",
    EventKind.ASSIGNED: "assigned the ticket",
    EventKind.CHANGED: "edited the ticket",
    EventKind.RESOLVED: "resolved the ticket",
    EventKind.REOPENED: "reopened the ticket",
    EventKind.CLOSED: "closed the ticket",
    EventKind.MERGED: "merged the ticket into another",
    EventKind.MERGED_IN: "merged another ticket into this one",
    EventKind.ATTACHMENT: "added files",
    EventKind.WATCHERS: "changed the watchers",
    EventKind.ACKNOWLEDGED: "acknowledged the page",
}


@register.simple_tag(takes_context=True)
def live_queue_after(context: template.Context) -> int:
    """Where the queue page's "new tickets" count starts: the newest ticket the page could
    show. On the first page of a newest-first queue (the usual view) that is its first row,
    read from the page already fetched; elsewhere the newest ticket id (one index probe)."""
    page = context.get("page")
    request = context.get("request")
    sort = request.GET.get("sort", "") if request is not None else ""
    if page is not None and page.number == 1 and sort in ("", "newest"):
        return max((row.pk for row in page.rows), default=0)
    return newest_ticket_id()


@register.simple_tag
def live_change_text(event: TicketEvent) -> str:
    """ "Ana Agent added a note", "Ben set the status to Pending customer", or for the desk's
    own events "SLA warning". Autoescaped by the template."""
    data = event.data or {}
    if event.kind == EventKind.STATUS:
        try:
            verb = f"set the status to {Status(data.get('to')).label}"
        except ValueError:
            verb = "changed the status"
    elif event.kind == EventKind.ESCALATED:
        verb = f"escalated the ticket to {data.get('to_tier', 'the next tier')}"
    else:
        verb = VERBS.get(event.kind, "")
    if event.actor is None or not verb:
        return str(EventKind(event.kind).label) if event.kind in EventKind.values else event.kind
    return f"{event.actor.get_full_name()} {verb}"
