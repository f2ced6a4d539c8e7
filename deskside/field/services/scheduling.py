"""Creating visits and putting them on a technician's day. Every way to schedule (the visit
page, the dispatch board, the API, an accepted route plan) calls `schedule`, which asks the
clearance rule (`field.rules.solo_refusal`) and refuses with its reason."""

from collections.abc import Iterable
from datetime import datetime, timedelta

from django.db import transaction

from deskside.accounts.models import Site, Skill, User
from deskside.accounts.queries import serves
from deskside.core import clock
from deskside.field.exceptions import InvalidInput, InvalidTransition, NotAllowed, NotCleared
from deskside.field.models import FINAL_STATUSES, Visit, VisitStatus
from deskside.field.rules import solo_refusal
from deskside.tickets.models import EventKind, Ticket, TicketEvent
from deskside.tickets.timeline import touch, write_event

MAX_DURATION_MINUTES = 12 * 60


def require_dispatcher(actor: User, organization_id: int) -> None:
    """Agents who serve the client create and schedule its visits; nobody else."""
    if not actor.is_authenticated or not actor.is_agent:
        raise NotAllowed("only agents schedule visits")
    if not serves(actor, organization_id):
        raise NotAllowed("you do not serve this client")


def _check_technician(person: User | None, organization_id: int, field: str) -> None:
    if person is None:
        return
    if not person.is_agent or not person.is_active:
        raise InvalidInput(f"{person} is not an active agent", field=field)
    if not serves(person, organization_id):
        raise InvalidInput(f"{person} does not serve this client", field=field)


def visit_event(
    visit: Visit, actor: User | None, action: str, body: str = "", **data
) -> TicketEvent:
    """One timeline event for a visit (kind `visit`, internal): `action` says what happened.
    Returns the event written (a caller that points at it must not look it up again: another
    visit's event on the same ticket may commit in between)."""
    event = write_event(
        visit.ticket,
        EventKind.VISIT,
        actor,
        body=body,
        data={"visit": visit.public_id, "action": action, **data},
    )
    touch(visit.ticket)
    return event


@transaction.atomic
def create_visit(
    actor: User,
    ticket: Ticket,
    *,
    window_start: datetime,
    window_end: datetime,
    duration_minutes: int = 60,
    site: Site | None = None,
    skills: Iterable[Skill] = (),
    instructions: str = "",
) -> Visit:
    """A new unscheduled visit for `ticket` at `site` (default: the ticket's site)."""
    require_dispatcher(actor, ticket.organization_id)
    site = site or ticket.site
    if site is None:
        raise InvalidInput("the ticket has no site: choose the site to visit", field="site")
    if site.organization_id != ticket.organization_id:
        raise InvalidInput("the site is not one of this client's", field="site")
    if window_start.tzinfo is None or window_end.tzinfo is None:
        raise InvalidInput("give the window with its time zone", field="window_start")
    if window_end < window_start:
        raise InvalidInput("the window ends before it starts", field="window_end")
    if not 1 <= duration_minutes <= MAX_DURATION_MINUTES:
        raise InvalidInput(
            f"the duration is 1 to {MAX_DURATION_MINUTES} minutes", field="duration_minutes"
        )
    now = clock.now()
    visit = Visit.objects.create(
        ticket=ticket,
        organization_id=ticket.organization_id,
        site=site,
        window_start=window_start,
        window_end=window_end,
        duration_minutes=duration_minutes,
        instructions=instructions,
        created_by=actor,
        created_at=now,
        updated_at=now,
    )
    visit.required_skills.set(list(skills))
    visit_event(
        visit,
        actor,
        "created",
        f"On-site visit requested at {site.name}",
        site=site.name,
        window_start=window_start.isoformat(),
        window_end=window_end.isoformat(),
    )
    return visit


@transaction.atomic
def schedule(
    actor: User | None,
    visit: Visit,
    technician: User,
    start: datetime,
    *,
    second: User | None = None,
    second_is_shadowing: bool = False,
    route_order: int | None = None,
    travel_minutes: int | None = None,
    check_actor: bool = True,
) -> Visit:
    """Put `visit` on `technician`'s day at `start` (optionally with a second technician).
    Refused (NotCleared, with the reason) when the clearance rule refuses; InvalidInput for a
    start outside the customer's window or a technician who does not serve the client.
    `check_actor=False` is for the system (an accepted route plan checks its own actor)."""
    visit = (
        Visit.objects.select_for_update().select_related("organization", "ticket").get(pk=visit.pk)
    )
    if check_actor:
        require_dispatcher(actor, visit.organization_id)
    if visit.status in FINAL_STATUSES:
        raise InvalidTransition(f"the visit is {visit.get_status_display().lower()}")
    if visit.status in (VisitStatus.EN_ROUTE, VisitStatus.ON_SITE):
        raise InvalidTransition("the technician is on the way or on site: it cannot move now")
    if start.tzinfo is None:
        raise InvalidInput("give the start with its time zone", field="start")
    if not visit.window_start <= start <= visit.window_end:
        raise InvalidInput("the start is outside the customer's window", field="start")
    if second is not None and second.pk == technician.pk:
        raise InvalidInput("the second technician is the same person", field="second")
    _check_technician(technician, visit.organization_id, "technician")
    _check_technician(second, visit.organization_id, "second")
    reason = solo_refusal(
        visit.organization_id, technician, second, organization_name=visit.organization.name
    )
    if reason:
        raise NotCleared(reason, field="technician")
    moved = visit.status == VisitStatus.SCHEDULED
    visit.technician = technician
    visit.second_technician = second
    visit.second_is_shadowing = bool(second is not None and second_is_shadowing)
    visit.scheduled_start = start
    visit.route_order = route_order
    visit.travel_minutes = travel_minutes
    visit.status = VisitStatus.SCHEDULED
    visit.updated_at = clock.now()
    visit.save()
    names = str(technician) + (f" with {second}" if second is not None else "")
    visit_event(
        visit,
        actor,
        "rescheduled" if moved else "scheduled",
        f"Visit {'moved' if moved else 'scheduled'}: {names}, {start:%Y-%m-%d %H:%M} UTC",
        technician=technician.pk,
        second=second.pk if second is not None else None,
        shadowing=visit.second_is_shadowing,
        start=start.isoformat(),
        end=(start + timedelta(minutes=visit.duration_minutes)).isoformat(),
    )
    return visit


@transaction.atomic
def unschedule(actor: User, visit: Visit) -> Visit:
    """Take a scheduled visit off the technician's day: back to the unscheduled queue."""
    visit = Visit.objects.select_for_update().get(pk=visit.pk)
    require_dispatcher(actor, visit.organization_id)
    if visit.status != VisitStatus.SCHEDULED:
        raise InvalidTransition("only a scheduled visit goes back to the queue")
    visit.technician = visit.second_technician = None
    visit.second_is_shadowing = False
    visit.scheduled_start = visit.route_order = visit.travel_minutes = None
    visit.status = VisitStatus.UNSCHEDULED
    visit.updated_at = clock.now()
    visit.save()
    visit_event(visit, actor, "unscheduled", "Visit taken off the schedule")
    return visit


def reassign(actor: User, visit: Visit, technician: User) -> Visit:
    """Give a scheduled visit to `technician` (backfill: its technician is away) at the same
    start and route position. The second technician stays, and stays shadowing; when the new
    technician is that second person, the visit goes on without a second. The travel minutes
    were the old technician's: they are dropped. Through `schedule`:
    the clearance rule and the other checks are asked again. InvalidTransition for a visit not
    on anyone's day."""
    if visit.scheduled_start is None or visit.status != VisitStatus.SCHEDULED:
        raise InvalidTransition("only a scheduled visit is reassigned")
    second = visit.second_technician
    if second is not None and second.pk == technician.pk:
        second = None
    return schedule(
        actor,
        visit,
        technician,
        visit.scheduled_start,
        second=second,
        second_is_shadowing=visit.second_is_shadowing and second is not None,
        route_order=visit.route_order,
    )
