"""The live pages for API clients (agents): what changed on a ticket since a version, who has
it open, and the heartbeat that says the caller has it open, under /api/v1/live. The same
queries and service as the pages' pollers (`live.views`). Customers get 403."""

from datetime import datetime
from typing import Literal

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema, Status
from pydantic import ConfigDict

from deskside.accounts.models import User
from deskside.accounts.schemas import UserRef
from deskside.live import queries, services
from deskside.live.exceptions import NotAllowed
from deskside.tickets.queries import ticket_for, ticket_version

router = Router(tags=["live"])

MAX_ID = 2**63 - 1


class PresenceOut(Schema):
    user: UserRef
    state: str = Field(description="viewing, or replying (their reply or note box is in use).")
    seen_at: datetime


class TicketLiveOut(Schema):
    version: int = Field(description="The ticket's version now (as in the ticket schema).")
    changes: int = Field(
        description="Events by someone else after `since`, that the caller may see (up to 20)."
    )
    present: list[PresenceOut] = Field(
        description="The other agents who had the ticket open in the last 30 s, replying first."
    )


class SinceParams(Schema):
    since: int = Field(0, ge=0, le=MAX_ID, description="The version the caller shows.")


class HeartbeatIn(Schema):
    model_config = ConfigDict(extra="forbid")

    state: Literal["viewing", "replying"] = "viewing"


def _agent(request: HttpRequest) -> User:
    user: User = request.user  # type: ignore[assignment]
    if not user.is_agent:
        raise NotAllowed("the live view of a ticket is for agents")
    return user


@router.get("/live/tickets/{number}", response=TicketLiveOut, summary="Changes and presence")
def ticket_live(request: HttpRequest, number: str, params: Query[SinceParams]) -> dict[str, object]:
    """What changed on the ticket after version `since` and who else has it open (agents)."""
    user = _agent(request)
    ticket = ticket_for(user, number)
    changes = queries.changes_since(user, ticket, params.since)
    return {
        "version": ticket_version(user, ticket),
        "changes": changes.count,
        "present": queries.present_on(ticket, besides=user),
    }


@router.post(
    "/live/tickets/{number}/presence",
    response={204: None},
    summary="Heartbeat: the caller has the ticket open",
)
def heartbeat(request: HttpRequest, number: str, payload: HeartbeatIn) -> Status[None]:
    """Shows the caller to the other agents on the ticket for 30 s (agents)."""
    user = _agent(request)
    ticket = ticket_for(user, number)
    services.heartbeat(actor=user, ticket=ticket, state=payload.state)
    return Status(204, None)
