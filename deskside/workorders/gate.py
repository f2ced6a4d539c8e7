"""The quality-control gate: a work order's ticket is not resolved (or closed without being
resolved) while its work is incomplete.

Registered on the ticket event hook for RESOLVED, CLOSED and MERGED events
(`WorkordersConfig.ready`), so every way a ticket is resolved or closed meets it: the ticket
page, the API, a macro, a bulk close, a merge (which closes the merged ticket), the worker.
The hook runs the handler inside the service's transaction right after the event row is
written; raising `QualityGate` rolls the whole change back and the caller receives the error
(409, with the list of what is missing), exactly as a refused status transition. (A
monitoring integration's resolution, refused so, leaves the ticket open with a note.)

What must be done before resolving (`missing`):
- every required checklist item and every required QC item, each with its evidence;
- the QC sign-off (`WorkOrder.qc_signed_at`), by someone other than an installer when the
  template version asks for a second pair of eyes (enforced when signing);
- the user's confirmation, when the template version asks for it.

A cancelled work order passes: cancelling is how a work order that will not be done ends (its
ticket is then closed with the reason). Closing a resolved ticket passes (it met the gate when
it was resolved).
"""

from deskside.tickets.hooks import Happened
from deskside.tickets.models import EventKind, Status
from deskside.workorders.exceptions import QualityGate
from deskside.workorders.models import WorkOrder

KINDS = (EventKind.RESOLVED, EventKind.CLOSED, EventKind.MERGED)


def missing(work_order: WorkOrder) -> list[str]:
    """What stands between `work_order` and resolving, for a person to read ([] when nothing)."""
    version = work_order.template_version
    items = list(work_order.items.all())
    todo: list[str] = []
    work = [i for i in items if i.section == "work" and i.required and not i.is_done]
    qc = [i for i in items if i.section == "qc" and i.required and not i.is_done]
    if work:
        todo.append(f"{len(work)} required checklist item{'s' if len(work) > 1 else ''}")
    if qc:
        todo.append(f"{len(qc)} required QC item{'s' if len(qc) > 1 else ''}")
    if work_order.qc_signed_at is None:
        todo.append(
            "the QC sign-off by a second person"
            if version.second_pair_of_eyes
            else "the QC sign-off"
        )
    if version.confirm_with_user and work_order.confirmed_at is None:
        todo.append("the confirmation with the user")
    return todo


def check(happened: Happened) -> None:
    """The hook handler: refuse a RESOLVED event, or a CLOSED or MERGED event of an unresolved
    ticket (a merge closes the merged ticket), of a work order that is not complete."""
    if happened.kind != EventKind.RESOLVED and happened.data.get("from") == Status.RESOLVED:
        return
    work_order = (
        WorkOrder.objects.filter(ticket_id=happened.event.ticket_id, cancelled_at__isnull=True)
        .select_related("template_version")
        .first()
    )
    if work_order is None:
        return
    todo = missing(work_order)
    if todo:
        verb = {EventKind.RESOLVED: "resolved", EventKind.MERGED: "merged into another ticket"}.get(
            happened.kind, "closed"
        )
        raise QualityGate(
            f"this work order cannot be {verb} yet: missing {', '.join(todo)}", field="status"
        )
