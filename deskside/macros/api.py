"""Macros under /api/v1/:

    GET    /macros                                       the macros the caller may use (paginated)
    POST   /macros                                       create (administrators; a team's lead)
    GET    /macros/{id}                                  one macro
    PATCH  /macros/{id}                                  change the fields sent (managers)
    DELETE /macros/{id}                                  delete (managers)
    POST   /tickets/{number}/macros/{id}/preview         the text for this ticket and the actions
    POST   /tickets/{number}/macros/{id}/apply           post it and take the actions: the events

Agents only: a customer's token gets 403 everywhere. `GET /macros` lists the active macros
the caller may use (`?inactive=true`: the deactivated ones they see too). A macro the caller
may not see (another team's) is 404, as is a ticket of a client they do not serve; a macro
they see but do not manage is 403 on a change. Bad input (an unknown placeholder) is 422
naming the field; an action the ticket's state refuses is the ticket services' answer (409
for a transition, 422 for a watcher who does not serve the client), with nothing done.
"""

from datetime import datetime
from typing import Literal

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema, Status

from deskside.accounts.models import Team, User
from deskside.accounts.schemas import TeamRef, UserRef
from deskside.core.api import PageOut, PageParams, Text, get_or_404, page_out
from deskside.core.pagination import paginate
from deskside.macros import services
from deskside.macros.exceptions import InvalidInput, NotAllowed
from deskside.macros.models import Macro
from deskside.macros.queries import macros_usable_by, macros_visible_to
from deskside.tickets.models import Ticket, TicketEvent
from deskside.tickets.queries import LIST_RELATED, ticket_for
from deskside.tickets.schemas import EventOut

router = Router(tags=["macros"])

ReplyKindName = Literal["reply", "note"]
StatusName = Literal["open", "pending_customer", "pending_vendor", "on_hold", "resolved"]


class MacroOut(Schema):
    id: str = Field(alias="public_id")
    name: str
    team: TeamRef | None = Field(description="Null: a global macro.")
    body: str = Field(description="The text with its placeholders ({{ticket.number}} ...).")
    reply_kind: str
    set_status: str | None
    set_priority: int | None = Field(description="1-3 for P1-P3, 4 for OPS; null: left alone.")
    set_team: TeamRef | None
    add_watcher: UserRef | None
    is_active: bool
    usage_count: int
    last_used_at: datetime | None
    created_at: datetime
    updated_at: datetime

    @staticmethod
    def resolve_set_status(obj: Macro) -> str | None:
        return obj.set_status or None


class MacroIn(Schema):
    name: Text = Field(max_length=100)
    body: Text = Field(max_length=services.MAX_BODY)
    team: Text | None = Field(None, description="A team's slug; null: global (admins).")
    reply_kind: ReplyKindName = "reply"
    set_status: StatusName | None = None
    set_priority: int | None = Field(None, ge=1, le=4)
    set_team: Text | None = Field(None, description="A team's slug.")
    add_watcher: Text | None = Field(None, description="An agent's public id.")
    is_active: bool = True


class MacroPatch(Schema):
    name: Text | None = Field(None, max_length=100)
    body: Text | None = Field(None, max_length=services.MAX_BODY)
    team: Text | None = None
    reply_kind: ReplyKindName | None = None
    set_status: StatusName | None = None
    set_priority: int | None = Field(None, ge=1, le=4)
    set_team: Text | None = None
    add_watcher: Text | None = None
    is_active: bool | None = None


class MacroFilters(PageParams):
    inactive: bool = Field(False, description="Also the deactivated macros the caller sees.")


class MacroStepOut(Schema):
    action: str = Field(description="status, priority, team or watcher.")
    label: str = Field(description='For people: "set status Pending customer".')


class MacroPreviewOut(Schema):
    text: str = Field(description="The macro's text rendered for this ticket.")
    missing: list[str] = Field(description="Placeholders with no value here (left empty).")
    reply_kind: str
    posted_as: str
    actions: list[MacroStepOut] = Field(description="What applying it will also change.")
    unchanged: list[str] = Field(description="Actions that would change nothing here.")


class MacroApplyIn(Schema):
    body: Text | None = Field(
        None, max_length=services.MAX_BODY, description="The text as edited; null: as rendered."
    )


class MacroAppliedOut(Schema):
    events: list[EventOut] = Field(description="The timeline events written, in order.")


# -- parsing identifiers -----------------------------------------------------------------------


def _agent(request: HttpRequest) -> User:
    user: User = request.user  # type: ignore[assignment]
    if not user.is_agent:
        raise NotAllowed("only agents may use macros")
    return user


def _macro_or_404(user: User, public_id: str) -> Macro:
    return get_or_404(macros_visible_to(user), f"no macro {public_id!r}", public_id=public_id)


def _team(slug: str | None, field: str) -> Team | None:
    if slug is None:
        return None
    team = Team.objects.filter(slug=slug).first()
    if team is None:
        raise InvalidInput(f"no team {slug!r}", field=field)
    return team


def _watcher(public_id: str | None) -> User | None:
    if public_id is None:
        return None
    user = User.objects.filter(public_id=public_id, kind=User.Kind.AGENT).first()
    if user is None:
        raise InvalidInput(f"no agent {public_id!r}", field="add_watcher")
    return user


def _resolved(values: dict[str, object]) -> dict[str, object]:
    """The API's identifiers (slugs, public ids) as the objects the services take."""
    out = dict(values)
    for name in ("team", "set_team"):
        if name in out:
            out[name] = _team(out[name], name)  # type: ignore[arg-type]
    if "add_watcher" in out:
        out["add_watcher"] = _watcher(out["add_watcher"])  # type: ignore[arg-type]
    if "set_status" in out:
        out["set_status"] = out["set_status"] or ""
    return out


# -- macros ------------------------------------------------------------------------------------


@router.get("/macros", response=PageOut[MacroOut], summary="The macros you may use")
def list_macros(request: HttpRequest, filters: Query[MacroFilters]) -> dict[str, object]:
    user = _agent(request)
    qs = macros_visible_to(user) if filters.inactive else macros_usable_by(user)
    return page_out(paginate(request, qs, page=filters.page, limit=filters.limit))


@router.post("/macros", response={201: MacroOut}, summary="Create a macro (managers)")
def create_macro(request: HttpRequest, payload: MacroIn) -> Status[Macro]:
    user = _agent(request)
    macro = services.create_macro(actor=user, **_resolved(payload.model_dump()))  # type: ignore[arg-type]
    return Status(201, _macro_or_404(user, macro.public_id))


@router.get("/macros/{public_id}", response=MacroOut, summary="One macro")
def get_macro(request: HttpRequest, public_id: Text) -> Macro:
    return _macro_or_404(_agent(request), public_id)


@router.patch("/macros/{public_id}", response=MacroOut, summary="Change a macro (managers)")
def update_macro(request: HttpRequest, public_id: Text, payload: MacroPatch) -> Macro:
    """Only the fields sent change; `team`, `set_status`, `set_priority`, `set_team` and
    `add_watcher` may be null (global; leave alone)."""
    user = _agent(request)
    macro = _macro_or_404(user, public_id)
    changes = payload.model_dump(exclude_unset=True)
    for field in ("name", "body", "reply_kind", "is_active"):
        if field in changes and changes[field] is None:
            raise InvalidInput(f"{field} cannot be null", field=field)
    services.update_macro(actor=user, macro=macro, **_resolved(changes))
    return _macro_or_404(user, public_id)


@router.delete("/macros/{public_id}", response={204: None}, summary="Delete a macro (managers)")
def delete_macro(request: HttpRequest, public_id: Text) -> Status[None]:
    user = _agent(request)
    services.delete_macro(actor=user, macro=_macro_or_404(user, public_id))
    return Status(204, None)


# -- on a ticket -------------------------------------------------------------------------------


def _on_ticket(request: HttpRequest, number: str, public_id: str) -> tuple[User, Ticket, Macro]:
    user = _agent(request)
    ticket = ticket_for(user, number, related=LIST_RELATED)
    macro = get_or_404(macros_usable_by(user), f"no macro {public_id!r}", public_id=public_id)
    return user, ticket, macro


@router.post(
    "/tickets/{number}/macros/{public_id}/preview",
    response=MacroPreviewOut,
    summary="Preview a macro on a ticket",
)
def preview(request: HttpRequest, number: Text, public_id: Text) -> dict[str, object]:
    """Nothing changes: the text rendered for this ticket and the actions it would take."""
    user, ticket, macro = _on_ticket(request, number, public_id)
    shown = services.preview_macro(actor=user, ticket=ticket, macro=macro)
    return {
        "text": shown.text,
        "missing": list(shown.missing),
        "reply_kind": shown.reply_kind,
        "posted_as": shown.posted_as,
        "actions": [{"action": s.action, "label": s.label} for s in shown.steps],
        "unchanged": list(shown.unchanged),
    }


@router.post(
    "/tickets/{number}/macros/{public_id}/apply",
    response={201: MacroAppliedOut},
    summary="Apply a macro to a ticket",
)
def apply(
    request: HttpRequest, number: Text, public_id: Text, payload: MacroApplyIn | None = None
) -> Status[dict[str, list[TicketEvent]]]:
    """Posts the text (as sent in `body`, else as rendered) and takes the actions, each its
    own timeline event, in one transaction: one refused step leaves nothing done."""
    user, ticket, macro = _on_ticket(request, number, public_id)
    body = payload.body if payload is not None else None
    events = services.apply_macro(actor=user, ticket=ticket, macro=macro, body=body)
    return Status(201, {"events": events})
