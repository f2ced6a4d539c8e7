"""The JSON shapes of the tickets API: what comes in, what goes out.

Out: priorities as their labels ("P1", "P2", "P3", "OPS"), tickets by number (`T-10423`),
people by public id with name and email, organisations and teams by slug, sites by public
id, times ISO 8601 in UTC. In: the same identifiers; anything else is a 422 naming the field.
"""

from datetime import datetime
from typing import Any, Literal

from ninja import Field, Schema
from pydantic import ConfigDict

from deskside.accounts.models import Tier
from deskside.accounts.schemas import (
    OrganizationRef,
    SiteRef,
    TeamRef,
    UserRef,
    caller,
    caller_is_agent,
)
from deskside.core import clock
from deskside.core.api import PageParams, Text
from deskside.tickets import deadlines
from deskside.tickets.models import Channel, Priority, Status, Ticket, TicketEvent, TicketType
from deskside.tickets.queries import (
    QUEUES,
    SLA_FILTERS,
    SORTS,
    event_data_shown_to,
    ticket_version,
)

# Built from the model's choices so the schema can never drift from what the services accept.
PriorityLabel = Literal[tuple(p.label for p in Priority)]  # type: ignore[valid-type]
StatusName = Literal[tuple(Status.values)]  # type: ignore[valid-type]
TypeName = Literal[tuple(TicketType.values)]  # type: ignore[valid-type]
ChannelName = Literal[tuple(Channel.values)]  # type: ignore[valid-type]
TierName = Literal[tuple(Tier.values)]  # type: ignore[valid-type]
QueueName = Literal[tuple(QUEUES)]  # type: ignore[valid-type]
SortName = Literal[tuple(SORTS)]  # type: ignore[valid-type]
SlaFilterName = Literal[tuple(SLA_FILTERS)]  # type: ignore[valid-type]
SlaStateName = Literal[deadlines.SLA_STATES]  # type: ignore[valid-type]
WorkingStatus = Literal["open", "pending_customer", "pending_vendor", "on_hold"]


# Keys of an event's data a customer is not shown (the created event names the team, tier and
# the assignee's full name): the desk's people are shown to customers by display name only.
def _number(pk: int | None) -> str | None:
    return Ticket(pk=pk).number if pk else None


class Strict(Schema):
    """Input schemas refuse unknown fields, so a typo is a 422, not a silent no-op."""

    model_config = ConfigDict(extra="forbid")


class Versioned(Strict):
    """An input that may name the ticket version it is based on (or send `If-Match`)."""

    version: int | None = Field(
        None,
        ge=0,
        le=2**63 - 1,
        description="The ticket's `version` this change is based on: refused with 409 when "
        "someone else changed the ticket since. Left out (and no If-Match): no check.",
    )


# -- out ---------------------------------------------------------------------------------------


class TicketOut(Schema):
    number: str = Field(examples=["T-10423"])
    subject: str
    description: str
    type: str
    priority: str = Field(examples=["P2"])
    channel: str
    status: str
    tier: str
    organization: OrganizationRef
    requester: UserRef
    site: SiteRef | None
    team: TeamRef | None
    assignee: UserRef | None
    parent: str | None = Field(description="Number of the parent ticket.")
    merged_into: str | None = Field(description="Number of the ticket this one was merged into.")
    first_contact_resolution: bool
    escalation_count: int
    created_at: datetime
    updated_at: datetime
    resolved_at: datetime | None
    closed_at: datetime | None
    sla_due: datetime | None = Field(
        description="Earliest due time of the running or paused SLA clocks (agents only; "
        "null for customers, without an SLA, and once resolved)."
    )
    sla_state: SlaStateName | None = Field(
        description="ok, at_risk (its warning share of the target is used), breached (a "
        "running clock is past due) or paused (agents only; null as for sla_due)."
    )

    @staticmethod
    def resolve_sla_due(obj: Ticket, context: Any) -> datetime | None:
        return obj.sla_due if caller_is_agent(context) else None

    @staticmethod
    def resolve_sla_state(obj: Ticket, context: Any) -> str | None:
        return deadlines.sla_state(obj, clock.now()) if caller_is_agent(context) else None

    @staticmethod
    def resolve_priority(obj: Ticket) -> str:
        return obj.priority_label

    @staticmethod
    def resolve_parent(obj: Ticket) -> str | None:
        return _number(obj.parent_id)

    @staticmethod
    def resolve_merged_into(obj: Ticket) -> str | None:
        return _number(obj.merged_into_id)


class TicketDetailOut(TicketOut):
    watchers: list[UserRef] = Field(
        description="For a customer, the watchers of their own organisation only (agents "
        "watching a ticket are the desk's internal matter)."
    )
    version: int = Field(
        description="The ticket's version as the caller sees it (the id of the last event of "
        "its timeline they may see). Send it back with a change (`If-Match: <version>` or a "
        "`version` field): when someone else changed the ticket since, the change is refused "
        "with 409 instead of overwriting theirs.",
        examples=[18204],
    )

    @staticmethod
    def resolve_version(obj: Ticket, context: Any) -> int:
        viewer = caller(context)
        return ticket_version(viewer, obj) if viewer is not None else 0

    @staticmethod
    def resolve_watchers(obj: Ticket, context: Any) -> list[Any]:
        watchers = list(obj.watchers.all())
        if caller_is_agent(context):
            return watchers
        return [w for w in watchers if not w.is_agent]


class AttachmentOut(Schema):
    public_id: str
    filename: str
    content_type: str
    size: int
    created_at: datetime


class EventOut(Schema):
    kind: str
    actor: UserRef | None
    created_at: datetime
    is_public: bool = Field(description="False for internal notes and agent-only steps.")
    body: str
    data: dict[str, Any] = Field(
        description="The kind's details; for a customer without the desk's internals "
        "(team, tier, assignee's full name)."
    )
    attachments: list[AttachmentOut]

    @staticmethod
    def resolve_data(obj: TicketEvent, context: Any) -> dict[str, Any]:
        return event_data_shown_to(caller(context), obj)

    @staticmethod
    def resolve_attachments(obj: TicketEvent) -> list[Any]:
        return list(obj.attachments.all())


# -- in ----------------------------------------------------------------------------------------


class TicketFilters(PageParams):
    queue: QueueName = Field("all", description="mine, team, unassigned, open or all.")
    status: StatusName | None = None
    priority: PriorityLabel | None = None
    organization: Text | None = Field(None, description="Organisation slug.")
    tier: TierName | None = None
    assignee: Text | None = Field(None, description="Public id of the assignee.")
    team: Text | None = Field(None, description="Team slug.")
    q: Text | None = Field(None, max_length=200, description="Full-text search, or a number.")
    sla: SlaFilterName | None = Field(
        None, description="at_risk or breached (agents; see sla_state). Customers get 403."
    )
    sort: SortName = Field(
        "newest",
        description="newest, oldest, priority, updated, or due "
        "(time left: the earliest SLA due first; agents).",
    )


class TicketCreate(Strict):
    subject: Text = Field(max_length=250)
    description: Text = ""
    type: TypeName = "incident"
    priority: PriorityLabel = "P3"
    channel: ChannelName = "api"
    organization: Text | None = Field(None, description="Slug; a customer's own by default.")
    requester: Text | None = Field(None, description="Public id; the caller if a customer.")
    site: Text | None = Field(None, description="Public id; the requester's site by default.")
    team: Text | None = Field(None, description="Team slug (agents only).")
    assignee: Text | None = Field(None, description="Public id of an agent (agents only).")
    tier: TierName = "L1"
    watchers: list[Text] = Field(default_factory=list, description="Public ids.")
    parent: Text | None = Field(None, description="Number of a parent ticket.")


class TicketPatch(Versioned):
    """Only the fields sent are changed; `site` and `parent` may be null to clear them."""

    subject: Text = Field(None, max_length=250)  # type: ignore[assignment]
    description: Text = None  # type: ignore[assignment]
    type: TypeName = None  # type: ignore[assignment]
    priority: PriorityLabel = None  # type: ignore[assignment]
    site: Text | None = Field(None, description="Site public id, or null.")
    parent: Text | None = Field(None, description="Parent ticket number, or null.")


class AssignIn(Versioned):
    assignee: Text | None = Field(description="Public id of an agent; null unassigns.")
    team: Text | None = Field(None, description="Team slug; the current team if left out.")


class EscalateIn(Versioned):
    tier: TierName
    symptoms: Text
    steps_tried: Text
    impact: Text
    team: Text | None = Field(None, description="Team slug of the target tier.")
    assignee: Text | None = Field(None, description="Public id of an agent of that tier.")


class BodyIn(Strict):
    body: Text


class ReplyIn(Versioned):
    """A reply is refused as stale only when another public reply arrived since `version`."""

    body: Text


class CallIn(Strict):
    minutes: int = Field(ge=0, le=24 * 60)
    body: Text
    inbound: bool = True


class ResolveIn(Versioned):
    resolution: Text


class ReasonIn(Versioned):
    reason: Text = ""


class MergeIn(Versioned):
    into: Text = Field(description="Number of the ticket that survives.", examples=["T-10423"])


class StatusIn(Versioned):
    status: WorkingStatus
    reason: Text = ""


# -- caller look-up ----------------------------------------------------------------------------


class CallerParams(Schema):
    """What `GET /callers` looks up."""

    q: Text = Field(
        min_length=1,
        max_length=100,
        description="A phone number in any format (or its first digits), or the start of a "
        "name, email address or client name.",
    )
    limit: int = Field(10, ge=1, le=50, description="At most this many callers (max 50).")


class CallerOut(Schema):
    """A contact the look-up found, with how many open tickets they have (those the caller of
    the API may see)."""

    public_id: str
    name: str
    email: str
    phone: str
    mobile: str
    is_vip: bool
    organization: OrganizationRef
    site: SiteRef | None
    open_tickets: int

    @staticmethod
    def resolve_name(obj: Any) -> str:
        return obj.get_full_name()

    @staticmethod
    def resolve_open_tickets(obj: Any) -> int:
        return getattr(obj, "open_count", 0)


class CallersOut(Schema):
    items: list[CallerOut]


# -- bulk actions ------------------------------------------------------------------------------

BulkAction = Literal["assign", "status", "priority", "team", "escalate", "watch", "merge", "close"]


class BulkFilter(Strict):
    """The queue filter whose matching tickets a bulk action takes ("all matching"), as the
    list's parameters (GET /api/v1/tickets); at most 5,000 tickets may match."""

    queue: QueueName = "all"
    status: StatusName | None = None
    priority: PriorityLabel | None = None
    organization: Text | None = Field(None, description="Organisation slug.")
    tier: TierName | None = None
    assignee: Text | None = Field(None, description="Public id of the assignee.")
    team: Text | None = Field(None, description="Team slug.")
    q: Text | None = Field(None, max_length=200, description="Full-text search, or a number.")
    sla: SlaFilterName | None = None


class BulkArgs(Strict):
    """The action's arguments: assign (assignee: null unassigns; team), team (team), status
    (status, reason), priority (priority), escalate (tier, symptoms, steps_tried, impact, team,
    assignee), watch (watcher), merge (into), close (reason)."""

    assignee: Text | None = Field(None, description="Public id of an agent.")
    team: Text | None = Field(None, description="Team slug.")
    status: WorkingStatus | None = None
    reason: Text = ""
    priority: PriorityLabel | None = None
    tier: TierName | None = None
    symptoms: Text = ""
    steps_tried: Text = ""
    impact: Text = ""
    watcher: Text | None = Field(None, description="Public id of the person to add.")
    into: Text | None = Field(None, description="Number of the ticket that survives a merge.")


class BulkIn(Strict):
    action: BulkAction
    ids: list[Text] | None = Field(
        None, max_length=5000, description="Ticket numbers (T-10423); or give `filter`."
    )
    filter: BulkFilter | None = Field(None, description="All tickets matching; or give `ids`.")
    args: BulkArgs = Field(default_factory=BulkArgs)


class RefusedOut(Schema):
    number: str
    reason: str


class BulkOut(Schema):
    done: list[str] = Field(description="Numbers of the tickets changed.")
    refused: list[RefusedOut] = Field(description="Each ticket refused, with the reason.")
    summary: str
