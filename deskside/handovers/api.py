"""Shift handovers under /api/v1/ (agents only; a customer's token gets 403):

    GET    /handovers?team=&q=&day=&person=&page=&limit=   the history, newest first
    GET    /handovers/current                               the latest handover of each team
    GET    /handovers/{id}                                  one: sections (the caller's clients
                                                            only), notes, checklist, feedback
    PUT    /handovers/{id}/notes                            the overall notes (tags notify)
    POST   /handovers/{id}/ticket-notes                     a note on one ticket
    POST   /handovers/{id}/checklist/{item}                 tick or untick an item
    POST   /handovers/{id}/sign-off                         409 until the required items are done
    POST   /handovers/{id}/acknowledge                      the incoming shift (409 for the
                                                            agent who signed it off)
    POST   /handovers/{id}/feedback                         back to the previous shift
    GET    /handovers/teams/{slug}/setup                    reminder delays and checklist items
    PUT    /handovers/teams/{slug}/setup                    set the reminder delays
    POST   /handovers/teams/{slug}/checklist                add an item
    DELETE /handovers/teams/{slug}/checklist/{item}         retire an item

Handovers and items are addressed by their public ids.
"""

from datetime import date, datetime
from typing import Literal

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema, Status

from deskside.accounts.models import Team, User
from deskside.accounts.permissions import is_agent
from deskside.accounts.schemas import TeamRef, UserRef
from deskside.core.api import PageOut, PageParams, Text, get_or_404, page_out
from deskside.core.pagination import paginate
from deskside.handovers import services
from deskside.handovers.exceptions import NotAllowed
from deskside.handovers.models import ChecklistItem, Handover
from deskside.handovers.queries import (
    HistoryFilter,
    checklist_of,
    current_per_team,
    handovers_visible_to,
    history,
    sections_for,
    ticket_notes_for,
)

router = Router(tags=["handovers"])


class HandoverOut(Schema):
    public_id: str
    team: TeamRef
    at: datetime = Field(description="The hand-off (the ending shift's end).")
    shift_start: datetime
    ending: str
    starting: str
    status: str = Field(description="open, signed_off or acknowledged.")
    signed_off_by: UserRef | None
    signed_off_at: datetime | None
    acknowledged_by: UserRef | None
    acknowledged_at: datetime | None


class SectionOut(Schema):
    name: str
    label: str
    rows: list[dict] = Field(
        description="Tickets (number, subject, priority, status ...) or alerts of the section."
    )


class TicketNoteOut(Schema):
    ticket: str
    body: str
    author: UserRef | None
    created_at: datetime


class ChecklistOut(Schema):
    item: str = Field(description="The item's public id.")
    phase: str
    text: str
    required: bool
    done: bool


class FeedbackOut(Schema):
    body: str
    author: UserRef | None
    created_at: datetime


class HandoverDetailOut(HandoverOut):
    notes: str
    outgoing: list[UserRef]
    incoming: list[UserRef]
    sections: list[SectionOut]
    ticket_notes: list[TicketNoteOut]
    checklist: list[ChecklistOut]
    feedback: list[FeedbackOut]
    may_acknowledge: bool = Field(
        description="Signed off and the caller may acknowledge it (not the agent who signed it "
        "off, unless they work the incoming shift)."
    )


class HistoryParams(PageParams):
    team: Text | None = Field(None, description="A team's slug.")
    q: Text | None = Field(None, description="Text in the notes, ticket notes or feedback.")
    day: date | None = Field(None, description="The hand-off's day (in your time zone).")
    person: Text | None = Field(None, description="An agent's email or public id.")


class NotesIn(Schema):
    notes: Text = Field(max_length=20_000)


class TicketNoteIn(Schema):
    ticket: Text = Field(description="The ticket's number (T-10423).", max_length=20)
    body: Text = Field(max_length=20_000)


class CheckIn(Schema):
    done: bool = True


class FeedbackIn(Schema):
    body: Text = Field(max_length=20_000)


class ItemOut(Schema):
    public_id: str
    phase: str
    text: str
    required: bool


class SetupOut(Schema):
    team: TeamRef
    remind_incoming_after: int
    remind_lead_after: int
    checklist: list[ItemOut]


class SetupIn(Schema):
    remind_incoming_after: int = Field(ge=1, le=1440, description="Minutes after the hand-off.")
    remind_lead_after: int = Field(ge=1, le=1440, description="Minutes after the hand-off.")


class ItemIn(Schema):
    phase: Literal["pre", "post"]
    text: Text = Field(min_length=1, max_length=200)
    required: bool = True


def _agent(request: HttpRequest) -> User:
    user: User = request.user  # type: ignore[assignment]
    if not is_agent(user):
        raise NotAllowed("handovers are for agents")
    return user


def _handover(request: HttpRequest, public_id: str) -> Handover:
    return get_or_404(
        handovers_visible_to(_agent(request)), f"no handover {public_id!r}", public_id=public_id
    )


def _detail(request: HttpRequest, handover: Handover) -> dict:
    user = _agent(request)
    handover.refresh_from_db()
    return {
        **{f: getattr(handover, f) for f in HandoverOut.model_fields if f != "team"},
        "team": handover.team,
        "notes": handover.notes,
        "outgoing": list(handover.outgoing.order_by("full_name")),
        "incoming": list(handover.incoming.order_by("full_name")),
        "sections": [
            {"name": n, "label": label, "rows": rows}
            for n, label, rows in sections_for(handover, user)
        ],
        "ticket_notes": [
            {
                "ticket": n.ticket.number,
                "body": n.body,
                "author": n.author,
                "created_at": n.created_at,
            }
            for n in ticket_notes_for(handover, user)
        ],
        "checklist": [
            {
                "item": c.public_id,
                "phase": c.phase,
                "text": c.text,
                "required": c.required,
                "done": c.done,
            }
            for c in checklist_of(handover)
        ],
        "feedback": list(handover.feedback.select_related("author")),
        "may_acknowledge": handover.status == Handover.Status.SIGNED_OFF
        and services.may_acknowledge(user, handover),
    }


@router.get("/handovers", response=PageOut[HandoverOut], summary="Handover history")
def list_handovers(request: HttpRequest, params: Query[HistoryParams]) -> dict[str, object]:
    found = HistoryFilter(
        text=params.q or "", team=params.team or "", day=params.day, person=params.person or ""
    )
    qs = history(_agent(request), found)
    return page_out(paginate(request, qs, page=params.page, limit=params.limit))


@router.get("/handovers/current", response=list[HandoverOut], summary="Each team's latest")
def current(request: HttpRequest) -> list[Handover]:
    return current_per_team(_agent(request))


@router.get("/handovers/{public_id}", response=HandoverDetailOut, summary="One handover")
def get_handover(request: HttpRequest, public_id: str) -> dict:
    return _detail(request, _handover(request, public_id))


@router.put("/handovers/{public_id}/notes", response=HandoverDetailOut, summary="Overall notes")
def put_notes(request: HttpRequest, public_id: str, payload: NotesIn) -> dict:
    handover = _handover(request, public_id)
    services.set_notes(actor=_agent(request), handover=handover, notes=payload.notes)
    return _detail(request, handover)


@router.post(
    "/handovers/{public_id}/ticket-notes", response={201: TicketNoteOut}, summary="Ticket note"
)
def post_ticket_note(request: HttpRequest, public_id: str, payload: TicketNoteIn) -> Status:
    note = services.add_ticket_note(
        actor=_agent(request),
        handover=_handover(request, public_id),
        number=payload.ticket,
        body=payload.body,
    )
    return Status(
        201,
        {
            "ticket": note.ticket.number,
            "body": note.body,
            "author": note.author,
            "created_at": note.created_at,
        },
    )


@router.post(
    "/handovers/{public_id}/checklist/{item}", response=HandoverDetailOut, summary="Tick an item"
)
def post_check(request: HttpRequest, public_id: str, item: str, payload: CheckIn) -> dict:
    handover = _handover(request, public_id)
    services.check_item(
        actor=_agent(request), handover=handover, item_public_id=item, done=payload.done
    )
    return _detail(request, handover)


@router.post("/handovers/{public_id}/sign-off", response=HandoverDetailOut, summary="Sign off")
def post_sign_off(request: HttpRequest, public_id: str) -> dict:
    handover = _handover(request, public_id)
    services.sign_off(actor=_agent(request), handover=handover)
    return _detail(request, handover)


@router.post(
    "/handovers/{public_id}/acknowledge", response=HandoverDetailOut, summary="Acknowledge"
)
def post_acknowledge(request: HttpRequest, public_id: str) -> dict:
    handover = _handover(request, public_id)
    services.acknowledge(actor=_agent(request), handover=handover)
    return _detail(request, handover)


@router.post("/handovers/{public_id}/feedback", response={201: FeedbackOut}, summary="Feedback")
def post_feedback(request: HttpRequest, public_id: str, payload: FeedbackIn) -> Status:
    found = services.add_feedback(
        actor=_agent(request), handover=_handover(request, public_id), body=payload.body
    )
    return Status(201, found)


def _team(request: HttpRequest, slug: str) -> Team:
    _agent(request)
    return get_or_404(Team.objects.all(), f"no team {slug!r}", slug=slug)


def _setup(team: Team) -> dict:
    first, lead = services.reminder_delays(team)
    items = ChecklistItem.objects.filter(team=team, is_active=True).order_by(
        "-phase", "position", "id"
    )
    return {
        "team": team,
        "remind_incoming_after": first,
        "remind_lead_after": lead,
        "checklist": list(items),
    }


@router.get("/handovers/teams/{slug}/setup", response=SetupOut, summary="A team's set-up")
def get_setup(request: HttpRequest, slug: str) -> dict:
    return _setup(_team(request, slug))


@router.put("/handovers/teams/{slug}/setup", response=SetupOut, summary="Reminder delays")
def put_setup(request: HttpRequest, slug: str, payload: SetupIn) -> dict:
    team = _team(request, slug)
    services.configure(
        actor=_agent(request),
        team=team,
        remind_incoming_after=payload.remind_incoming_after,
        remind_lead_after=payload.remind_lead_after,
    )
    return _setup(team)


@router.post(
    "/handovers/teams/{slug}/checklist", response={201: ItemOut}, summary="Add a checklist item"
)
def post_item(request: HttpRequest, slug: str, payload: ItemIn) -> Status:
    item = services.add_checklist_item(
        actor=_agent(request),
        team=_team(request, slug),
        phase=payload.phase,
        text=payload.text,
        required=payload.required,
    )
    return Status(201, item)


@router.delete(
    "/handovers/teams/{slug}/checklist/{item}", response={204: None}, summary="Retire an item"
)
def delete_item(request: HttpRequest, slug: str, item: str) -> Status:
    services.remove_checklist_item(
        actor=_agent(request), team=_team(request, slug), item_public_id=item
    )
    return Status(204, None)
