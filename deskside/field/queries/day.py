"""The technician's day (issue 17 item 3), read side: whose day a viewer may open, the visits
of one technician's day in route order, and one visit of it with what the card shows.

Decisions where the issue is silent:

- The day is the technician's calendar day in the technician's own time zone (a visit at
  23:30 local time belongs to that day, whatever UTC says).
- A technician opens their own day. Another person's day (`?tech=`) is open to staff and to
  the leads of a team the technician is in (the people who dispatch), and shows only the
  visits at clients the viewer serves (`visits_visible_to`). Anyone else asking for another
  technician's day is refused.
- The day's actions (start, arrive, tick, parts, sign, finish) are for the technicians on the
  visit (lead or second): the page is their tool; a dispatcher acts from the visit's own page.
- Cancelled visits are left off; finished ones stay, so the technician sees the whole day.
"""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.db.models import F, Prefetch, Q, QuerySet

from deskside.accounts.models import User
from deskside.accounts.queries import is_lead_of
from deskside.core.timezones import zone
from deskside.field.models import Visit, VisitChecklistItem, VisitStatus
from deskside.field.queries import visits_visible_to
from deskside.tickets.models import TicketEvent
from deskside.tickets.queries import latest_escalation


def may_view_day_of(viewer: User, technician: User) -> bool:
    """The technician themself; staff; a lead of one of the technician's teams."""
    if not viewer.is_authenticated or not viewer.is_active or not viewer.is_agent:
        return False
    return viewer.pk == technician.pk or is_lead_of(viewer, technician)


def is_on_visit(person: User, visit: Visit) -> bool:
    """Whether `person` is one of the visit's technicians (lead or second)."""
    return person.pk is not None and person.pk in (visit.technician_id, visit.second_technician_id)


def day_bounds(technician: User, day: date) -> tuple[datetime, datetime]:
    """The UTC instants where `day` starts and ends in the technician's zone (23 or 25 hours
    on a DST-change day: each end is midnight on the wall clock)."""
    tz = zone(technician.timezone)
    start = datetime.combine(day, time(0), tzinfo=tz)
    end = datetime.combine(day + timedelta(days=1), time(0), tzinfo=tz)
    return start, end


def today_of(technician: User, now: datetime) -> date:
    """The technician's calendar date at the instant `now`."""
    return now.astimezone(zone(technician.timezone)).date()


def _with_card(qs: QuerySet[Visit]) -> QuerySet[Visit]:
    return qs.select_related(
        "ticket",
        "ticket__requester",
        "site",
        "organization",
        "technician",
        "second_technician",
        "signature",
    ).prefetch_related(
        Prefetch(
            "checklist",
            queryset=VisitChecklistItem.objects.select_related("done_by").order_by(
                "position", "id"
            ),
        ),
        "parts",
    )


def day_visits(viewer: User, technician: User, day: date) -> list[Visit]:
    """The technician's visits of `day` (as lead or second) that `viewer` may see, in route
    order (`route_order`, visits without one after those with one), then scheduled start."""
    start, end = day_bounds(technician, day)
    qs = (
        visits_visible_to(viewer)
        .filter(Q(technician=technician) | Q(second_technician=technician))
        .filter(scheduled_start__gte=start, scheduled_start__lt=end)
        .exclude(status__in=[VisitStatus.CANCELLED, VisitStatus.UNSCHEDULED])
        .order_by(F("route_order").asc(nulls_last=True), "scheduled_start", "id")
    )
    return list(_with_card(qs))


def day_visit(viewer: User, public_id: str) -> Visit | None:
    """One visit by its public id, if `viewer` may see it (None otherwise: a 404)."""
    return _with_card(visits_visible_to(viewer).filter(public_id=public_id)).first()


@dataclass(frozen=True)
class Triage:
    """The triage notes of a ticket's last escalation, as the escalation event holds them."""

    from_tier: str
    to_tier: str
    symptoms: str
    steps_tried: str
    impact: str
    by: str
    at: datetime


def triage_of(visit: Visit) -> Triage | None:
    """The triage notes of the visit's ticket (`tickets.queries.latest_escalation`), or None
    when the ticket was never escalated."""
    event: TicketEvent | None = latest_escalation(visit.ticket)
    if event is None:
        return None
    data = event.data or {}
    return Triage(
        from_tier=str(data.get("from_tier") or ""),
        to_tier=str(data.get("to_tier") or ""),
        symptoms=str(data.get("symptoms") or ""),
        steps_tried=str(data.get("steps_tried") or ""),
        impact=str(data.get("impact") or ""),
        by=event.actor.get_full_name() if event.actor else "Deskside",
        at=event.created_at,
    )
