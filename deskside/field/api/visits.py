"""On-site visits under /api/v1/field/visits:

    GET  /field/visits                              visits you may see (filters below)
    POST /field/visits                              request a visit for a ticket (agents)
    GET  /field/visits/{id}                         one visit
    POST /field/visits/{id}/schedule                technician(s) and start: the clearance rule
    POST /field/visits/{id}/reassign                backfill: another technician, same start
    POST /field/visits/{id}/unschedule              back to the queue
    POST /field/visits/{id}/set-out                 en route
    POST /field/visits/{id}/check-in                on site
    POST /field/visits/{id}/checklist               add a checklist item
    POST /field/visits/{id}/checklist/{item}/tick   tick (or untick) an item, on site
    POST /field/visits/{id}/parts                   record a part used
    POST /field/visits/{id}/check-out               done, no access, needs another visit
    POST /field/visits/{id}/cancel                  call off a visit that has not started
    POST /field/visits/{id}/sign                    the customer's name and signature (PNG)
    POST /field/visits/{id}/signoff-link            mail the requester the sign-off link

Agents see the visits of the clients they serve (`field.queries.visits_visible_to`) in full
(`view: "agent"`); a customer's token reads the visits of their own tickets only, each as
`field.queries.customer_view` gives it (`view: "customer"`: date, window, status, the
technician's first name; nothing internal), and may not write (403). A visit the caller may
not see is a 404. Service refusals: 422 naming the field (bad input), 409 (the status does not
allow it; the clearance rule's NotCleared, with its reason), 403 (not on this visit / not
serving the client).
"""

from datetime import UTC, date, datetime, time, timedelta
from typing import Annotated, Any, Literal

from django.db.models import Q, QuerySet
from django.http import Http404, HttpRequest
from django.urls import reverse
from ninja import Field, Query, Router, Schema, Status

from deskside.accounts.models import Skill, User
from deskside.accounts.queries import sites_visible_to, users_visible_to
from deskside.core.api import PageOut, PageParams, Text, get_or_404, page_out
from deskside.core.pagination import paginate
from deskside.field.exceptions import InvalidInput, NotAllowed
from deskside.field.models import Visit, VisitChecklistItem, VisitPart, VisitStatus
from deskside.field.queries import customer_view, visits_visible_to
from deskside.field.services import scheduling, signoff, visits
from deskside.mail.models import OutboundMail
from deskside.tickets.models import format_number, parse_number
from deskside.tickets.queries import visible_tickets

router = Router(tags=["field visits"])

VISIT_RELATED = ("ticket", "organization", "site", "technician", "second_technician", "signature")
MAX_PNG_BASE64 = 700 * 1024


# -- schemas -----------------------------------------------------------------------------------


class FieldVisitPerson(Schema):
    public_id: str
    name: str


class FieldVisitChecklistItemOut(Schema):
    id: int
    text: str
    required: bool
    done: bool
    done_at: datetime | None

    @staticmethod
    def resolve_done(obj: VisitChecklistItem) -> bool:
        return obj.done_at is not None


class FieldVisitPartOut(Schema):
    id: int
    description: str
    part_number: str
    serial: str
    quantity: int
    created_at: datetime


class FieldVisitOut(Schema):
    """A visit as an agent sees it."""

    view: Literal["agent"] = "agent"
    id: str
    ticket: str = Field(description="The ticket's number, T-10423.")
    organization: str = Field(description="The client's slug.")
    site: FieldVisitPerson
    status: VisitStatus
    window_start: datetime
    window_end: datetime
    duration_minutes: int
    required_skills: list[str]
    instructions: str
    technician: FieldVisitPerson | None
    second_technician: FieldVisitPerson | None
    second_is_shadowing: bool
    scheduled_start: datetime | None
    scheduled_end: datetime | None
    route_order: int | None
    travel_minutes: int | None
    en_route_at: datetime | None
    checked_in_at: datetime | None
    checked_out_at: datetime | None
    work_summary: str
    outcome_note: str
    follow_up: str | None = Field(description="The follow-up visit's id.")
    signed_name: str
    signed_at: datetime | None
    signed_via: str
    signature_url: str | None = Field(description="The signature image (an attachment).")
    checklist: list[FieldVisitChecklistItemOut]
    parts: list[FieldVisitPartOut]
    url: str


class FieldVisitCustomerOut(Schema):
    """A visit as a customer sees it (`field.queries.customer_view`)."""

    view: Literal["customer"] = "customer"
    id: str
    status: VisitStatus
    status_label: str
    window_start: datetime
    window_end: datetime
    scheduled_start: datetime | None
    technician: str = Field(description="The technician's first name, or empty.")


FieldVisitAny = Annotated[FieldVisitOut | FieldVisitCustomerOut, Field(discriminator="view")]


class FieldVisitFilters(PageParams):
    ticket: Text = Field("", max_length=20, description="A ticket number, T-10423.")
    status: VisitStatus | None = None
    technician: Text = Field("", max_length=20, description="An agent's public id (either one).")
    date_from: date | None = Field(None, description="Visits whose window ends on or after.")
    date_to: date | None = Field(None, description="Visits whose window starts on or before.")


class FieldVisitIn(Schema):
    ticket: Text = Field(max_length=20, description="The ticket's number, T-10423.")
    site: Text | None = Field(
        None, max_length=20, description="A site's public id; default: the ticket's site."
    )
    window_start: datetime
    window_end: datetime
    duration_minutes: int = Field(60, ge=1, le=scheduling.MAX_DURATION_MINUTES)
    skills: list[Text] = Field(default_factory=list, max_length=20, description="Skill names.")
    instructions: Text = Field("", max_length=5000)


class FieldVisitScheduleIn(Schema):
    technician: Text = Field(max_length=20, description="The agent's public id.")
    start: datetime = Field(description="With its time zone; within the customer's window.")
    second: Text | None = Field(None, max_length=20, description="A second agent's public id.")
    shadowing: bool = Field(False, description="The second technician is shadowing.")


class FieldVisitReassignIn(Schema):
    technician: Text = Field(max_length=20, description="The replacement agent's public id.")


class FieldVisitChecklistIn(Schema):
    text: Text = Field(max_length=300)
    required: bool = True


class FieldVisitTickIn(Schema):
    done: bool = True


class FieldVisitPartIn(Schema):
    description: Text = Field(max_length=200)
    part_number: Text = Field("", max_length=100)
    serial: Text = Field("", max_length=100)
    quantity: int = Field(1, ge=1, le=999)


class FieldVisitCheckOutIn(Schema):
    outcome: Literal["done", "no_access", "needs_another"]
    summary: Text = Field("", max_length=10000, description="Public: the customer reads it.")
    note: Text = Field("", max_length=5000)


class FieldVisitCancelIn(Schema):
    reason: Text = Field(max_length=500)


class FieldVisitSignIn(Schema):
    name: Text = Field(max_length=200, description="The customer's name, as they typed it.")
    signature: str = Field(
        max_length=MAX_PNG_BASE64,
        description="The drawn signature: a PNG, base64 (a data: URL prefix is allowed).",
    )


class FieldVisitSignoffOut(Schema):
    mail: str = Field(description="The outgoing mail's id (the outbox).")
    to: str
    state: str


# -- helpers -----------------------------------------------------------------------------------


def _person(person: User | None) -> dict[str, str] | None:
    if person is None:
        return None
    return {"public_id": person.public_id, "name": person.get_full_name()}


def _agent_out(visit: Visit) -> dict[str, Any]:
    return {
        "view": "agent",
        "id": visit.public_id,
        "ticket": format_number(visit.ticket_id),
        "organization": visit.organization.slug,
        "site": {"public_id": visit.site.public_id, "name": visit.site.name},
        "status": visit.status,
        "window_start": visit.window_start,
        "window_end": visit.window_end,
        "duration_minutes": visit.duration_minutes,
        "required_skills": [s.name for s in visit.required_skills.all()],
        "instructions": visit.instructions,
        "technician": _person(visit.technician),
        "second_technician": _person(visit.second_technician),
        "second_is_shadowing": visit.second_is_shadowing,
        "scheduled_start": visit.scheduled_start,
        "scheduled_end": visit.scheduled_end,
        "route_order": visit.route_order,
        "travel_minutes": visit.travel_minutes,
        "en_route_at": visit.en_route_at,
        "checked_in_at": visit.checked_in_at,
        "checked_out_at": visit.checked_out_at,
        "work_summary": visit.work_summary,
        "outcome_note": visit.outcome_note,
        "follow_up": visit.follow_up.public_id if visit.follow_up_id else None,
        "signed_name": visit.signed_name,
        "signed_at": visit.signed_at,
        "signed_via": visit.signed_via,
        "signature_url": (
            reverse("tickets:attachment", args=[visit.signature.public_id])
            if visit.signature_id
            else None
        ),
        "checklist": list(visit.checklist.all()),
        "parts": list(visit.parts.all()),
        "url": reverse("field:visit", args=[visit.public_id]),
    }


def _out(user: User, visit: Visit) -> dict[str, Any]:
    if user.is_agent:
        return _agent_out(visit)
    return {"view": "customer", **customer_view(visit)}


def _visible(user: User) -> QuerySet[Visit]:
    qs = visits_visible_to(user).select_related(*VISIT_RELATED)
    if user.is_agent:
        qs = qs.select_related("follow_up").prefetch_related(
            "required_skills", "checklist", "parts"
        )
    return qs


def _visit(request: HttpRequest, public_id: str) -> Visit:
    return get_or_404(_visible(request.user), f"no visit {public_id!r}", public_id=public_id)


def _agent(request: HttpRequest) -> User:
    user: User = request.user  # type: ignore[assignment]
    if not user.is_agent:
        raise NotAllowed("only agents change visits")
    return user


def _agent_named(user: User, public_id: str | None, field: str) -> User | None:
    if public_id is None:
        return None
    person = users_visible_to(user).filter(public_id=public_id, kind=User.Kind.AGENT).first()
    if person is None:
        raise InvalidInput(f"no agent {public_id!r}", field=field)
    return person


def _then(request: HttpRequest, public_id: str) -> dict[str, Any]:
    return _out(request.user, _visit(request, public_id))


# -- operations --------------------------------------------------------------------------------


@router.get("", response=PageOut[FieldVisitAny], summary="Visits you may see")
def list_visits(request: HttpRequest, filters: Query[FieldVisitFilters]) -> dict[str, object]:
    """Newest window first. A customer's token: the visits of their own tickets, customer view."""
    user: User = request.user  # type: ignore[assignment]
    qs = _visible(user).order_by("-window_start", "-id")
    if filters.ticket:
        pk = parse_number(filters.ticket)
        if pk is None:
            raise InvalidInput(f"no ticket {filters.ticket!r}", field="ticket")
        qs = qs.filter(ticket_id=pk)
    if filters.status:
        qs = qs.filter(status=filters.status)
    if filters.technician:
        if not user.is_agent:
            raise InvalidInput("filter by technician is for agents", field="technician")
        qs = qs.filter(
            Q(technician__public_id=filters.technician)
            | Q(second_technician__public_id=filters.technician)
        )
    if filters.date_from and filters.date_to and filters.date_to < filters.date_from:
        raise InvalidInput("date_to is before date_from", field="date_to")
    # Whole UTC days (the API's times are UTC): a visit is in the range when its window meets it.
    if filters.date_from:
        qs = qs.filter(window_end__gte=datetime.combine(filters.date_from, time.min, tzinfo=UTC))
    if filters.date_to:
        end = datetime.combine(filters.date_to, time.min, tzinfo=UTC) + timedelta(days=1)
        qs = qs.filter(window_start__lt=end)
    page = paginate(request, qs, page=filters.page, limit=filters.limit)
    return {**page_out(page), "items": [_out(user, v) for v in page.items]}


@router.post("", response={201: FieldVisitOut}, summary="Request a visit (agents)")
def create_visit(request: HttpRequest, payload: FieldVisitIn) -> Status[dict]:
    user = _agent(request)
    pk = parse_number(payload.ticket)
    ticket = visible_tickets(user).filter(pk=pk).first() if pk else None
    if ticket is None:
        raise InvalidInput(f"no ticket {payload.ticket!r}", field="ticket")
    site = None
    if payload.site is not None:
        site = sites_visible_to(user).filter(public_id=payload.site).first()
        if site is None:
            raise InvalidInput(f"no site {payload.site!r}", field="site")
    names = list(dict.fromkeys(payload.skills))
    skills = list(Skill.objects.filter(name__in=names))
    if missing := set(names) - {s.name for s in skills}:
        raise InvalidInput(f"no skill {sorted(missing)[0]!r}", field="skills")
    visit = scheduling.create_visit(
        user,
        ticket,
        site=site,
        window_start=payload.window_start,
        window_end=payload.window_end,
        duration_minutes=payload.duration_minutes,
        skills=skills,
        instructions=payload.instructions,
    )
    return Status(201, _then(request, visit.public_id))


@router.get("/{public_id}", response=FieldVisitAny, summary="One visit")
def get_visit(request: HttpRequest, public_id: Text) -> dict[str, Any]:
    return _out(request.user, _visit(request, public_id))


@router.post("/{public_id}/schedule", response=FieldVisitOut, summary="Schedule (agents)")
def schedule_visit(
    request: HttpRequest, public_id: Text, payload: FieldVisitScheduleIn
) -> dict[str, Any]:
    """Refused with 409 and the clearance rule's reason when nobody on the visit is cleared
    for the client (field `technician`)."""
    user = _agent(request)
    visit = _visit(request, public_id)
    scheduling.schedule(
        user,
        visit,
        _agent_named(user, payload.technician, "technician"),
        payload.start,
        second=_agent_named(user, payload.second, "second"),
        second_is_shadowing=payload.shadowing,
    )
    return _then(request, public_id)


@router.post(
    "/{public_id}/reassign", response=FieldVisitOut, summary="Give to someone else (backfill)"
)
def reassign_visit(
    request: HttpRequest, public_id: Text, payload: FieldVisitReassignIn
) -> dict[str, Any]:
    """Backfill's reassign (`scheduling.reassign`): the same start and second technician (who
    stays shadowing; dropped when they take over). 409 with the clearance rule's reason, or
    for a visit that is not scheduled."""
    user = _agent(request)
    scheduling.reassign(
        user, _visit(request, public_id), _agent_named(user, payload.technician, "technician")
    )
    return _then(request, public_id)


@router.post("/{public_id}/unschedule", response=FieldVisitOut, summary="Back to the queue")
def unschedule_visit(request: HttpRequest, public_id: Text) -> dict[str, Any]:
    scheduling.unschedule(_agent(request), _visit(request, public_id))
    return _then(request, public_id)


@router.post("/{public_id}/set-out", response=FieldVisitOut, summary="On the way")
def set_out(request: HttpRequest, public_id: Text) -> dict[str, Any]:
    visits.set_out(_agent(request), _visit(request, public_id))
    return _then(request, public_id)


@router.post("/{public_id}/check-in", response=FieldVisitOut, summary="Arrived on site")
def check_in(request: HttpRequest, public_id: Text) -> dict[str, Any]:
    visits.check_in(_agent(request), _visit(request, public_id))
    return _then(request, public_id)


@router.post(
    "/{public_id}/checklist",
    response={201: FieldVisitChecklistItemOut},
    summary="Add a checklist item",
)
def add_checklist_item(
    request: HttpRequest, public_id: Text, payload: FieldVisitChecklistIn
) -> Status[VisitChecklistItem]:
    item = visits.add_checklist_item(
        _agent(request), _visit(request, public_id), payload.text, required=payload.required
    )
    return Status(201, item)


@router.post(
    "/{public_id}/checklist/{item_id}/tick",
    response=FieldVisitChecklistItemOut,
    summary="Tick a checklist item (on site)",
)
def tick(
    request: HttpRequest, public_id: Text, item_id: int, payload: FieldVisitTickIn
) -> VisitChecklistItem:
    user = _agent(request)
    visit = _visit(request, public_id)
    item = VisitChecklistItem.objects.filter(visit=visit, pk=item_id).first()
    if item is None:
        raise Http404(f"no checklist item {item_id} on this visit")
    return visits.tick(user, item, done=payload.done)


@router.post("/{public_id}/parts", response={201: FieldVisitPartOut}, summary="Record a part")
def add_part(request: HttpRequest, public_id: Text, payload: FieldVisitPartIn) -> Status[VisitPart]:
    part = visits.add_part(
        _agent(request),
        _visit(request, public_id),
        payload.description,
        part_number=payload.part_number,
        serial=payload.serial,
        quantity=payload.quantity,
    )
    return Status(201, part)


@router.post("/{public_id}/check-out", response=FieldVisitOut, summary="Leave the site")
def check_out(request: HttpRequest, public_id: Text, payload: FieldVisitCheckOutIn) -> dict:
    visits.check_out(
        _agent(request),
        _visit(request, public_id),
        payload.outcome,
        summary=payload.summary,
        note=payload.note,
    )
    return _then(request, public_id)


@router.post("/{public_id}/cancel", response=FieldVisitOut, summary="Cancel a visit")
def cancel(request: HttpRequest, public_id: Text, payload: FieldVisitCancelIn) -> dict:
    visits.cancel(_agent(request), _visit(request, public_id), payload.reason)
    return _then(request, public_id)


@router.post("/{public_id}/sign", response=FieldVisitOut, summary="The customer's signature")
def sign(request: HttpRequest, public_id: Text, payload: FieldVisitSignIn) -> dict:
    """On the technician's device: the name the customer typed and their drawn signature."""
    user = _agent(request)
    visits.sign_on_phone(
        user,
        _visit(request, public_id),
        payload.name,
        visits.signature_png(payload.signature, bare_base64=True),
    )
    return _then(request, public_id)


@router.post(
    "/{public_id}/signoff-link",
    response={202: FieldVisitSignoffOut},
    summary="Mail the requester the sign-off link",
)
def send_signoff_link(request: HttpRequest, public_id: Text) -> Status[dict]:
    mail: OutboundMail = signoff.send_link(_agent(request), _visit(request, public_id))
    return Status(202, {"mail": mail.public_id, "to": mail.recipients, "state": mail.state})
