"""The recurring schedules under /api/v1/recurring (agents only: a customer's token gets 403):

    GET    /recurring/schedules                       schedules of the clients the caller
                                                      serves (filters: client, active; paged)
    POST   /recurring/schedules                       create one (201)
    GET    /recurring/schedules/{id}                  one schedule, with its next occurrences
    PATCH  /recurring/schedules/{id}                  change the fields sent (null clears site,
                                                      team, assignee, checklist)
    DELETE /recurring/schedules/{id}                  soft delete: it stops, history kept
    POST   /recurring/schedules/{id}/pause            stop opening tickets
    POST   /recurring/schedules/{id}/resume           run again from now
    GET    /recurring/schedules/{id}/occurrences      what happened at each occurrence (paged)
    POST   /recurring/preview                         the next occurrences of a rule, before
                                                      saving (in the zone and in UTC)

A schedule is addressed by its public id; a schedule of a client the caller does not serve is
a 404. The rules are the services' (`recurring.services`, `recurring.rules`): 422 naming the
field for bad input, 409 for a pause or resume the state refuses.
"""

from datetime import datetime
from typing import Any

from django.http import Http404, HttpRequest
from ninja import Field, Query, Router, Schema, Status

from deskside.accounts.models import Organization, User
from deskside.accounts.schemas import OrganizationRef, SiteRef, TeamRef, UserRef
from deskside.core import clock
from deskside.core.api import PageOut, PageParams, Text, page_out
from deskside.core.pagination import paginate
from deskside.recurring import queries, rules, services
from deskside.recurring.exceptions import InvalidInput, NotAllowed
from deskside.recurring.models import Occurrence, Schedule
from deskside.recurring.services import ScheduleData
from deskside.tickets.models import Priority, format_number

router = Router(tags=["recurring"])
PREVIEW_MAX = 20


class RecurringChecklistRef(Schema):
    public_id: str
    name: str


class RecurringScheduleIn(Schema):
    client: Text = Field(description="The client's slug.")
    name: Text
    rule: Text = Field(description="RFC 5545 RRULE, e.g. FREQ=MONTHLY;BYDAY=+2TU;BYHOUR=22")
    starts_at_local: datetime = Field(
        description="The first occurrence: a local date and time in `timezone`, no offset."
    )
    timezone: Text | None = Field(None, description="IANA zone; default: the client's.")
    missed_policy: Text = Field("catch_up_once", description="catch_up_once or skip.")
    subject: Text
    description: Text = ""
    priority: Text = Field("OPS", description="P1, P2, P3 or OPS.")
    requester: Text = Field(description="A contact of the client or an agent (e-mail or id).")
    site: Text | None = Field(None, description="A site of the client (public id).")
    team: Text | None = Field(None, description="A team (slug).")
    assignee: Text | None = Field(None, description="An agent (e-mail or public id).")
    checklist: Text | None = Field(
        None, description="A work order template (public id or name): each ticket a work order."
    )


class RecurringSchedulePatch(Schema):
    name: Text | None = None
    rule: Text | None = None
    starts_at_local: datetime | None = None
    timezone: Text | None = None
    missed_policy: Text | None = None
    subject: Text | None = None
    description: Text | None = None
    priority: Text | None = None
    requester: Text | None = None
    site: Text | None = None
    team: Text | None = None
    assignee: Text | None = None
    checklist: Text | None = None


class RecurringOccurrenceTimes(Schema):
    local: datetime = Field(description="In the schedule's zone, with its offset.")
    utc: datetime


class RecurringScheduleOut(Schema):
    public_id: str
    client: OrganizationRef
    name: str
    rule: str
    rule_text: str = Field(description="A short reading of the rule.")
    starts_at_local: datetime = Field(description="Local date and time, no offset.")
    timezone: str
    missed_policy: str
    is_active: bool
    subject: str
    description: str
    priority: str
    requester: UserRef
    site: SiteRef | None
    team: TeamRef | None
    assignee: UserRef | None
    checklist: RecurringChecklistRef | None
    owner: UserRef | None = Field(description="The agent whose name opens the tickets.")
    next_run_at: datetime | None
    next_run_local: datetime | None = Field(description="The next run in the schedule's zone.")
    last_occurrence_at: datetime | None
    last_ticket: str | None = Field(description="The number of the last ticket it opened.")
    created_at: datetime
    updated_at: datetime = Field(
        description="The last fresh start: created, paused, resumed or its timing changed."
    )


class RecurringScheduleDetailOut(RecurringScheduleOut):
    paused_reason: str = Field(description="Why the system paused it, when it did.")
    upcoming: list[RecurringOccurrenceTimes] = Field(description="The next 5 occurrences.")


class RecurringOccurrenceOut(Schema):
    occurs_at: datetime
    occurs_at_local: datetime
    status: str = Field(description="opened or skipped.")
    ticket: str | None = Field(description="The ticket's number, when one was opened.")


class RecurringPreviewIn(Schema):
    rule: Text
    starts_at_local: datetime
    timezone: Text | None = Field(None, description="IANA zone; default: the client's.")
    client: Text | None = Field(None, description="The client (slug), for its time zone.")
    count: int = Field(5, ge=1, le=PREVIEW_MAX)


class RecurringPreviewOut(Schema):
    timezone: str
    rule_text: str
    occurrences: list[RecurringOccurrenceTimes]


def _agent(request: HttpRequest) -> User:
    user: User = request.user  # type: ignore[assignment]
    if not user.is_agent:
        raise NotAllowed("only agents manage recurring schedules")
    return user


def _schedule(user: User, public_id: str) -> Schedule:
    found = queries.schedule_for(user, public_id)
    if found is None:
        raise Http404(f"no schedule {public_id!r}")
    return found


def _client(user: User, slug: str) -> Organization:
    found = queries.client_for(user, slug)
    if found is None:
        raise InvalidInput(f"no client {slug!r}", field="client")
    return found


def _person(text: str | None, field: str) -> User | None:
    if not text:
        return None
    found = queries.person_for(text)
    if found is None:
        raise InvalidInput(f"no person {text!r}", field=field)
    return found


def _resolve(org: Organization, sent: dict[str, Any]) -> dict[str, Any]:
    """The fields sent, identifiers resolved to rows (InvalidInput naming the field)."""
    out = dict(sent)
    for field in ("requester", "assignee"):
        if field in sent:
            out[field] = _person(sent[field], field)
    if sent.get("site"):
        out["site"] = queries.site_for(org, sent["site"])
        if out["site"] is None:
            raise InvalidInput(f"no site {sent['site']!r} of {org.name}", field="site")
    if sent.get("team"):
        out["team"] = queries.team_for(sent["team"])
        if out["team"] is None:
            raise InvalidInput(f"no team {sent['team']!r}", field="team")
    if sent.get("checklist"):
        out["checklist"] = queries.checklist_for(sent["checklist"])
        if out["checklist"] is None:
            raise InvalidInput(f"no work order template {sent['checklist']!r}", field="checklist")
    for field in ("site", "team", "checklist"):
        if field in sent and not sent[field]:
            out[field] = None
    if "timezone" in out and out["timezone"] is None:
        out["timezone"] = org.timezone
    return out


def _times(occurrence: rules.Occurrence) -> dict[str, datetime]:
    return {"local": occurrence.local, "utc": occurrence.utc}


def _out(schedule: Schedule) -> dict[str, Any]:
    tz = rules.parse_zone(schedule.timezone)
    return {
        "public_id": schedule.public_id,
        "client": schedule.organization,
        "name": schedule.name,
        "rule": schedule.rule,
        "rule_text": rules.describe(schedule.rule),
        "starts_at_local": rules.wall_clock(schedule.starts_at_local),
        "timezone": schedule.timezone,
        "missed_policy": schedule.missed_policy,
        "is_active": schedule.is_active,
        "subject": schedule.subject,
        "description": schedule.description,
        "priority": Priority(schedule.priority).label,
        "requester": schedule.requester,
        "site": schedule.site,
        "team": schedule.team,
        "assignee": schedule.assignee,
        "checklist": schedule.checklist,
        "owner": schedule.created_by,
        "next_run_at": schedule.next_run_at,
        "next_run_local": schedule.next_run_at.astimezone(tz) if schedule.next_run_at else None,
        "last_occurrence_at": schedule.last_occurrence_at,
        "last_ticket": format_number(last)
        if (last := getattr(schedule, "last_ticket_id", None))
        else None,
        "created_at": schedule.created_at,
        "updated_at": schedule.updated_at,
    }


def _detail(user: User, public_id: str) -> dict[str, Any]:
    schedule = queries.schedule_list(user).select_related(
        "requester", "site", "team", "assignee", "checklist", "created_by"
    )
    found = schedule.filter(public_id=public_id).first()
    if found is None:
        raise Http404(f"no schedule {public_id!r}")
    tz = rules.parse_zone(found.timezone)
    upcoming = rules.upcoming(services.parsed(found), tz, clock.now(), 5) if found.is_active else []
    return {
        **_out(found),
        "paused_reason": services.pause_reason(found),
        "upcoming": [_times(o) for o in upcoming],
    }


@router.get("/schedules", response=PageOut[RecurringScheduleOut], summary="Recurring schedules")
def list_schedules(
    request: HttpRequest,
    params: Query[PageParams],
    client: Text | None = None,
    active: bool | None = None,
) -> dict:
    user = _agent(request)
    if client:
        _client(user, client)
    qs = queries.schedule_list(user, client=client, active=active).select_related(
        "requester", "site", "team", "assignee", "checklist", "created_by"
    )
    page = paginate(request, qs, page=params.page, limit=params.limit)
    out = page_out(page)
    out["items"] = [_out(s) for s in page.items]
    return out


@router.post("/schedules", response={201: RecurringScheduleDetailOut}, summary="Create a schedule")
def create_schedule(request: HttpRequest, payload: RecurringScheduleIn) -> Status[dict]:
    user = _agent(request)
    org = _client(user, payload.client)
    sent = _resolve(org, payload.model_dump(exclude={"client"}))
    if sent["requester"] is None:
        raise InvalidInput("a requester is required", field="requester")
    schedule = services.create_schedule(actor=user, data=ScheduleData(organization=org, **sent))
    return Status(201, _detail(user, schedule.public_id))


@router.get("/schedules/{public_id}", response=RecurringScheduleDetailOut, summary="One schedule")
def get_schedule(request: HttpRequest, public_id: Text) -> dict:
    return _detail(_agent(request), public_id)


@router.patch(
    "/schedules/{public_id}", response=RecurringScheduleDetailOut, summary="Change a schedule"
)
def update_schedule(request: HttpRequest, public_id: Text, payload: RecurringSchedulePatch) -> dict:
    user = _agent(request)
    schedule = _schedule(user, public_id)
    sent = payload.model_dump(exclude_unset=True)
    for field in ("name", "rule", "starts_at_local", "missed_policy", "subject", "requester"):
        if field in sent and sent[field] is None:
            raise InvalidInput(f"{field} cannot be null", field=field)
    if "description" in sent and sent["description"] is None:
        sent["description"] = ""
    if "priority" in sent and sent["priority"] is None:
        sent["priority"] = "OPS"
    changes = _resolve(schedule.organization, sent)
    services.update_schedule(actor=user, schedule=schedule, **changes)
    return _detail(user, public_id)


@router.delete(
    "/schedules/{public_id}",
    response=RecurringScheduleDetailOut,
    summary="Delete a schedule (soft: it stops, its history stays)",
)
def delete_schedule(request: HttpRequest, public_id: Text) -> dict:
    user = _agent(request)
    services.delete_schedule(actor=user, schedule=_schedule(user, public_id))
    return _detail(user, public_id)


@router.post("/schedules/{public_id}/pause", response=RecurringScheduleDetailOut, summary="Pause")
def pause_schedule(request: HttpRequest, public_id: Text) -> dict:
    user = _agent(request)
    services.pause_schedule(actor=user, schedule=_schedule(user, public_id))
    return _detail(user, public_id)


@router.post("/schedules/{public_id}/resume", response=RecurringScheduleDetailOut, summary="Resume")
def resume_schedule(request: HttpRequest, public_id: Text) -> dict:
    user = _agent(request)
    services.resume_schedule(actor=user, schedule=_schedule(user, public_id))
    return _detail(user, public_id)


@router.get(
    "/schedules/{public_id}/occurrences",
    response=PageOut[RecurringOccurrenceOut],
    summary="A schedule's occurrences, newest first",
)
def list_occurrences(request: HttpRequest, public_id: Text, params: Query[PageParams]) -> dict:
    schedule = _schedule(_agent(request), public_id)
    tz = rules.parse_zone(schedule.timezone)
    page = paginate(request, queries.occurrences(schedule), page=params.page, limit=params.limit)
    out = page_out(page)
    rows: list[Occurrence] = page.items
    out["items"] = [
        {
            "occurs_at": o.occurs_at,
            "occurs_at_local": o.occurs_at.astimezone(tz),
            "status": o.status,
            "ticket": o.ticket.number if o.ticket else None,
        }
        for o in rows
    ]
    return out


@router.post("/preview", response=RecurringPreviewOut, summary="Preview a rule's occurrences")
def preview(request: HttpRequest, payload: RecurringPreviewIn) -> dict:
    user = _agent(request)
    zone_name = payload.timezone
    if not zone_name and payload.client:
        zone_name = _client(user, payload.client).timezone
    rule = rules.validate(payload.rule, payload.starts_at_local, zone_name)
    tz = rules.parse_zone(zone_name)
    after = max(clock.now(), rules.localise(payload.starts_at_local, tz) - rules.SECOND)
    return {
        "timezone": tz.key,
        "rule_text": rules.describe(payload.rule),
        "occurrences": [_times(o) for o in rules.upcoming(rule, tz, after, payload.count)],
    }
