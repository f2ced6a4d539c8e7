"""Triage under /api/v1/triage: suggestions for a ticket being written, accepting one on a
ticket, the model's figures, the auto-apply settings and a training request.

Suggestions and accepting: agents (a customer's token gets 403); a client or ticket the agent
does not serve is a 422 naming `client` / a 404. The model, the settings and training:
administrators (403 for anyone else).
"""

from datetime import datetime

from django.http import HttpRequest
from ninja import Field, Router, Schema, Status
from pydantic import ConfigDict

from deskside.accounts.models import Organization, User
from deskside.accounts.permissions import is_admin, is_agent
from deskside.accounts.queries import served_organization_ids
from deskside.core.api import Text, get_or_404
from deskside.tickets.models import parse_number
from deskside.triage import queries, services, suggestions
from deskside.triage.exceptions import InvalidInput, NoModel, NotAllowed
from deskside.triage.models import FIELDS

router = Router(tags=["triage"])


class SuggestIn(Schema):
    model_config = ConfigDict(extra="forbid")
    subject: Text = Field(max_length=250)
    description: Text = Field("", max_length=20_000)
    client: Text = Field(description="The client's slug.")


class SuggestionOut(Schema):
    field: str = Field(description="team, tier, type or priority.")
    value: str = Field(description="A team's slug, L1-L3, a type, P1-OPS: what accept takes.")
    label: str
    confidence: float = Field(description="The model's probability of this answer, 0 to 1.")


class SuggestOut(Schema):
    model_version: int
    suggestions: list[SuggestionOut]


class AcceptIn(Schema):
    model_config = ConfigDict(extra="forbid")
    field: Text
    value: Text


class AcceptOut(Schema):
    ticket: str
    field: str
    value: str
    changed: bool = Field(description="False when the ticket already had that value.")


class FieldFigures(Schema):
    field: str
    accuracy: float = Field(description="On the held-back most recent 20 % of the history.")
    baseline: float = Field(description="Always the most common answer, on the same slice.")
    baseline_answer: str
    train: int
    test: int


class ModelOut(Schema):
    version: int | None = Field(description="The model in use; null: none trained yet.")
    trained_at: datetime | None
    size: int = Field(description="Bytes of the stored model.")
    history: int = Field(description="Resolved tickets it was trained on.")
    seconds: float = Field(description="Training time.")
    fields: list[FieldFigures]
    last_run_state: str | None = Field(description="ready, not_enough or failed.")
    last_run_message: str
    next_run_at: datetime


class SettingOut(Schema):
    field: str
    auto_apply: bool
    threshold: float


class SettingIn(Schema):
    model_config = ConfigDict(extra="forbid")
    auto_apply: bool
    threshold: float = Field(0.9, description="From 0.5 to 0.99.")


def _agent(request: HttpRequest) -> User:
    user: User = request.user  # type: ignore[assignment]
    if not is_agent(user):
        raise NotAllowed("triage suggestions are for agents")
    return user


def _admin(request: HttpRequest) -> User:
    user = _agent(request)
    if not is_admin(user):
        raise NotAllowed("the triage model and its settings are for administrators")
    return user


def _client(user: User, slug: str) -> Organization:
    organization = Organization.objects.filter(slug=slug).first()
    ids = served_organization_ids(user)
    if organization is None or (ids is not None and organization.pk not in ids):
        raise InvalidInput(f"no client {slug!r}", field="client")
    return organization


@router.post("/suggest", response=SuggestOut, summary="Suggestions for a ticket being written")
def suggest(request: HttpRequest, payload: SuggestIn) -> dict[str, object]:
    """Team (only one serving the client), tier, type and priority, each with a confidence.
    Nothing is written. 409 when no model was trained yet."""
    user = _agent(request)
    found = suggestions.suggest(
        organization=_client(user, payload.client),
        subject=payload.subject,
        description=payload.description,
    )
    if found is None:
        raise NoModel("no triage model trained yet")
    return {"model_version": found.version, "suggestions": found.items}


@router.post(
    "/tickets/{number}/accept", response=AcceptOut, summary="Accept a suggestion on a ticket"
)
def accept(request: HttpRequest, number: str, payload: AcceptIn) -> dict[str, object]:
    """Applies the value through the tickets' services (the usual timeline event). A team
    must serve the ticket's client (422 naming `value`)."""
    user = _agent(request)
    pk = parse_number(number)
    ticket = get_or_404(queries.triageable(user), f"no ticket {number!r}", pk=pk or 0)
    event = services.accept(actor=user, ticket=ticket, field=payload.field, value=payload.value)
    return {
        "ticket": ticket.number,
        "field": payload.field,
        "value": payload.value,
        "changed": event is not None,
    }


@router.get("/model", response=ModelOut, summary="The triage model's accuracy and size")
def model(request: HttpRequest) -> dict[str, object]:
    _admin(request)
    runs = list(queries.runs()[:1])
    ready = queries.ready_models().defer("blob").first()
    figures = (ready.metrics if ready else {}) or {}
    return {
        "version": ready.version if ready else None,
        "trained_at": ready.trained_at if ready else None,
        "size": ready.size if ready else 0,
        "history": ready.history if ready else 0,
        "seconds": ready.seconds if ready else 0.0,
        "fields": [{"field": name, **figures[name]} for name in FIELDS if name in figures],
        "last_run_state": runs[0].state if runs else None,
        "last_run_message": runs[0].message if runs else "",
        "next_run_at": services.schedule().next_run_at,
    }


@router.post("/train", response={202: ModelOut}, summary="Ask the worker to train now")
def train(request: HttpRequest) -> Status[dict[str, object]]:
    """The worker's training lane starts it within 30 s; the figures returned are still the
    model in use (see `next_run_at`)."""
    services.request_training(actor=_admin(request))
    return Status(202, model(request))


@router.get("/settings", response=list[SettingOut], summary="Auto-apply per field")
def list_settings(request: HttpRequest) -> list[object]:
    _admin(request)
    return list(queries.field_settings().values())


@router.put("/settings/{field}", response=SettingOut, summary="Set a field's auto-apply")
def set_setting(request: HttpRequest, field: str, payload: SettingIn) -> object:
    """Off by default; on, new tickets get the value when the confidence is at least the
    threshold. Audited."""
    return services.set_field(
        actor=_admin(request),
        field=field,
        auto_apply=payload.auto_apply,
        threshold=payload.threshold,
    )
