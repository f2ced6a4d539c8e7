"""Client clearance and backfill under /api/v1/field/clearance (agents only: a customer's token
gets 403 everywhere):

    GET  /field/clearance                          clearances at the clients the caller serves
                                                   (filters: technician, client, status; paged)
    GET  /field/clearance/{client}/{technician}    one technician at one client, with history
    POST /field/clearance/{client}/{technician}    change it: {status: shadowing | cleared |
                                                   revoked, note, regular_technician,
                                                   shadow_visits_required, override}
    GET  /field/clearance/backfill                 who is away, their visits with suggested
                                                   replacements, the clients flagged (start, end)

A client is addressed by its slug, a technician by public id or e-mail address. A client the
caller does not serve is a 404. The rules are the services' (`field.services.clearance`):
403 for who may not, 409 for a change the status does not allow (or shadow visits not done
without an override), 422 naming the field for bad input.
"""

from datetime import date, datetime

from django.db.models import Q
from django.http import Http404, HttpRequest
from ninja import Field, Query, Router, Schema

from deskside.accounts.models import Organization, User
from deskside.accounts.schemas import OrganizationRef, UserRef
from deskside.core.api import PageOut, PageParams, Text, page_out
from deskside.core.pagination import paginate
from deskside.field import backfill as backfill_reads
from deskside.field.exceptions import InvalidInput, NotAllowed
from deskside.field.models import Clearance, ClearanceStatus
from deskside.field.queries import clearance as reads
from deskside.field.queries import clearances_visible_to
from deskside.field.services import clearance as svc

router = Router(tags=["field clearance"])


class FieldClearanceOut(Schema):
    technician: UserRef
    client: OrganizationRef
    status: str = Field(description="not_cleared, shadowing, cleared or revoked.")
    shadow_visits_done: int = Field(
        description="Done visits at the client as the shadowing second technician."
    )
    shadow_visits_required: int
    regular_technician: UserRef | None
    signed_off_by: UserRef | None
    signed_off_at: datetime | None
    note: str
    updated_at: datetime | None


class FieldClearanceEventOut(Schema):
    at: datetime
    actor: UserRef | None
    from_status: str
    to_status: str
    note: str


class FieldClearanceDetailOut(FieldClearanceOut):
    history: list[FieldClearanceEventOut] = Field(description="Oldest first.")


class FieldClearanceChangeIn(Schema):
    status: Text = Field(description="shadowing, cleared (sign-off) or revoked.")
    note: Text = Field("", description="A note; the reason of a revocation (required then).")
    regular_technician: Text | None = Field(
        None,
        description="Starting shadowing: the client's regular technician (public id or "
        "e-mail), cleared there; may be left out at a client where nobody is cleared yet.",
    )
    shadow_visits_required: int | None = Field(None, ge=0, le=svc.MAX_SHADOW_VISITS)
    override: bool = Field(
        False, description="Sign-off before the shadow visits are done (a lead, with a note)."
    )


class FieldBackfillSuggestionOut(Schema):
    technician: UserRef
    travel_minutes: int | None = Field(description="From their home base; null: unknown.")
    load_minutes: int = Field(description="Minutes of planned visits that day.")
    busy: bool = Field(description="A planned visit of theirs overlaps this one.")


class FieldBackfillVisitOut(Schema):
    visit: str = Field(description="The visit's public id.")
    ticket: str
    client: OrganizationRef
    site: str
    scheduled_start: datetime
    duration_minutes: int
    suggestions: list[FieldBackfillSuggestionOut] = Field(description="Best first.")


class FieldBackfillAbsenceOut(Schema):
    technician: UserRef
    leave: list[tuple[datetime, datetime]] = Field(description="[start, end) of each leave.")
    visits: list[FieldBackfillVisitOut]
    cleared_at: list[OrganizationRef]


class FieldBackfillFlagOut(Schema):
    client: OrganizationRef
    day: date = Field(description="The client's date on which every cleared technician is away.")
    away: list[UserRef]


class FieldBackfillOut(Schema):
    start: date
    end: date = Field(description="The last day, inclusive.")
    absences: list[FieldBackfillAbsenceOut]
    flags: list[FieldBackfillFlagOut]


def _agent(request: HttpRequest) -> User:
    user: User = request.user  # type: ignore[assignment]
    if not user.is_agent:
        raise NotAllowed("only agents read clearances")
    return user


def _client(viewer: User, slug: str, *, field: str | None = None) -> Organization:
    found = reads.clients_visible_to(viewer).filter(slug=slug).first()
    if found is None:
        if field:
            raise InvalidInput(f"no client {slug!r}", field=field)
        raise Http404(f"no client {slug!r}")
    return found


def _person(value: str, *, field: str | None = None) -> User:
    text = value.strip()
    found = User.objects.filter(
        Q(public_id=text) | Q(email__iexact=text), kind=User.Kind.AGENT
    ).first()
    if found is None:
        if field:
            raise InvalidInput(f"no agent {value!r}", field=field)
        raise Http404(f"no technician {value!r}")
    return found


def _out(row: Clearance | None, person: User, org: Organization, done: int) -> dict:
    return {
        "technician": person,
        "client": org,
        "status": row.status if row else ClearanceStatus.NOT_CLEARED,
        "shadow_visits_done": done,
        "shadow_visits_required": row.shadow_visits_required if row else 2,
        "regular_technician": row.regular_technician if row else None,
        "signed_off_by": row.signed_off_by if row else None,
        "signed_off_at": row.signed_off_at if row else None,
        "note": row.note if row else "",
        "updated_at": row.updated_at if row else None,
    }


def _detail(viewer: User, org: Organization, person: User) -> dict:
    row = reads.clearance_for(viewer, org, person)
    events = list(reads.history(viewer, clearance=row).order_by("created_at", "id")) if row else []
    return {
        **_out(row, person, org, svc.shadow_visits_done(person.pk, org.pk)),
        "history": [
            {
                "at": e.created_at,
                "actor": e.actor,
                "from_status": e.from_status,
                "to_status": e.to_status,
                "note": e.note,
            }
            for e in events
        ],
    }


@router.get("", response=PageOut[FieldClearanceOut], summary="Clearances")
def list_clearances(
    request: HttpRequest,
    params: Query[PageParams],
    technician: Text | None = None,
    client: Text | None = None,
    status: Text | None = None,
) -> dict:
    viewer = _agent(request)
    qs = clearances_visible_to(viewer).select_related("regular_technician", "signed_off_by")
    if technician:
        qs = qs.filter(technician=_person(technician, field="technician"))
    if client:
        qs = qs.filter(organization=_client(viewer, client, field="client"))
    if status:
        if status not in ClearanceStatus.values:
            raise InvalidInput(
                f"the status is one of {', '.join(ClearanceStatus.values)}", field="status"
            )
        qs = qs.filter(status=status)
    page = paginate(
        request,
        qs.order_by("organization__name", "technician__full_name", "id"),
        page=params.page,
        limit=params.limit,
    )
    done = svc.shadow_counts(
        [r.technician_id for r in page.items], [r.organization_id for r in page.items]
    )
    out = page_out(page)
    out["items"] = [
        _out(r, r.technician, r.organization, done.get((r.technician_id, r.organization_id), 0))
        for r in page.items
    ]
    return out


@router.get("/backfill", response=FieldBackfillOut, summary="Backfill of absent technicians")
def get_backfill(request: HttpRequest, start: date | None = None, end: date | None = None) -> dict:
    report = backfill_reads.backfill(_agent(request), start, end)
    return {
        "start": report.start,
        "end": report.end,
        "absences": [
            {
                "technician": a.technician,
                "leave": [(lv.starts_at, lv.ends_at) for lv in a.leaves],
                "cleared_at": a.cleared_at,
                "visits": [
                    {
                        "visit": item.visit.public_id,
                        "ticket": item.visit.ticket.number,
                        "client": item.visit.organization,
                        "site": item.visit.site.name,
                        "scheduled_start": item.visit.scheduled_start,
                        "duration_minutes": item.visit.duration_minutes,
                        "suggestions": [
                            {
                                "technician": s.technician,
                                "travel_minutes": s.travel_minutes,
                                "load_minutes": s.load_minutes,
                                "busy": s.busy,
                            }
                            for s in item.suggestions
                        ],
                    }
                    for item in a.visits
                ],
            }
            for a in report.absences
        ],
        "flags": [
            {"client": f.organization, "day": f.day, "away": list(f.away)} for f in report.flags
        ],
    }


@router.get(
    "/{client}/{technician}",
    response=FieldClearanceDetailOut,
    summary="One technician's clearance at one client",
)
def get_clearance(request: HttpRequest, client: Text, technician: Text) -> dict:
    viewer = _agent(request)
    org, person = _client(viewer, client), _person(technician)
    return _detail(viewer, org, person)


@router.post(
    "/{client}/{technician}",
    response=FieldClearanceDetailOut,
    summary="Change a clearance (start shadowing, sign off, revoke)",
)
def change_clearance(
    request: HttpRequest, client: Text, technician: Text, payload: FieldClearanceChangeIn
) -> dict:
    viewer = _agent(request)
    org, person = _client(viewer, client), _person(technician)
    regular = (
        _person(payload.regular_technician, field="regular_technician")
        if payload.regular_technician
        else None
    )
    svc.change(
        actor=viewer,
        technician=person,
        organization=org,
        status=payload.status,
        note=payload.note,
        regular_technician=regular,
        shadow_visits_required=payload.shadow_visits_required,
        override=payload.override,
    )
    return _detail(viewer, org, person)
