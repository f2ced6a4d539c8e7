"""Visibility and filters of work orders.

Agents see the work orders of the clients they serve (all, when unrestricted). A customer who
is their organisation's admin reads their organisation's work orders (read-only, without the
items' notes and evidence files: `customer_items`); any other customer sees none.
"""

from django.db.models import Q, QuerySet

from deskside.accounts.models import User
from deskside.accounts.queries import served_organization_ids
from deskside.tickets.models import OPEN_STATUSES, Status
from deskside.workorders.models import Section, WorkOrder, WorkOrderItem

RELATED = (
    "ticket",
    "ticket__requester",
    "ticket__assignee",
    "ticket__site",
    "organization",
    "template_version",
    "template_version__template",
    "qc_signed_by",
    "confirmed_by",
    "cancelled_by",
)

# The states a list filters on (a work order's state is derived: its ticket and its steps).
STATES = {
    "open": "Open",
    "awaiting_qc": "Awaiting QC",
    "awaiting_confirmation": "Awaiting the user's confirmation",
    "resolved": "Resolved or closed",
    "cancelled": "Cancelled",
}


def work_orders_visible_to(user: User) -> QuerySet[WorkOrder]:
    qs = WorkOrder.objects.all()
    if not user.is_authenticated or not user.is_active:
        return qs.none()
    if user.is_agent:
        ids = served_organization_ids(user)
        return qs if ids is None else qs.filter(organization_id__in=ids)
    if user.is_org_admin and user.organization_id:
        return qs.filter(organization_id=user.organization_id)
    return qs.none()


def in_state(qs: QuerySet[WorkOrder], state: str) -> QuerySet[WorkOrder]:
    """`qs` narrowed to one of STATES (an unknown state: unchanged)."""
    running = Q(cancelled_at__isnull=True, ticket__status__in=OPEN_STATUSES)
    if state == "open":
        return qs.filter(running)
    if state == "awaiting_qc":
        return qs.filter(running, qc_signed_at__isnull=True)
    if state == "awaiting_confirmation":
        return qs.filter(
            running,
            confirmed_at__isnull=True,
            template_version__confirm_with_user=True,
        )
    if state == "resolved":
        return qs.filter(
            cancelled_at__isnull=True, ticket__status__in=(Status.RESOLVED, Status.CLOSED)
        )
    if state == "cancelled":
        return qs.filter(cancelled_at__isnull=False)
    return qs


def state_of(work_order: WorkOrder) -> str:
    """The label of a work order's state, for a person to read."""
    if work_order.cancelled_at is not None:
        return "Cancelled"
    if not work_order.ticket.is_open:
        return "Done" if work_order.ticket.status == Status.RESOLVED else "Closed"
    return "In progress"


def progress(items: list[WorkOrderItem]) -> dict[str, int]:
    """Counts of done / total items per section (required and optional)."""
    out = {"work_done": 0, "work_total": 0, "qc_done": 0, "qc_total": 0}
    for item in items:
        key = "work" if item.section == Section.WORK else "qc"
        out[f"{key}_total"] += 1
        out[f"{key}_done"] += item.done_at is not None
    total = out["work_total"] + out["qc_total"]
    out["percent"] = round(100 * (out["work_done"] + out["qc_done"]) / total) if total else 100
    return out
