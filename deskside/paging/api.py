"""Paging under /api/v1/:

    POST   /tickets/{number}/acknowledge          stop the ticket's paging, take the ticket
    GET    /paging/escalations?status=            chains of the tickets I see (default: open)
    GET    /paging/pages?mine=                    pages (mine=true: those sent to me)
    GET    /paging/contact-methods                my contact methods, in order
    POST   /paging/contact-methods                add {kind, address, label}
    PATCH  /paging/contact-methods/{public_id}    change {address, label, is_active, position}
    DELETE /paging/contact-methods/{public_id}
    POST   /paging/contact-methods/{public_id}/test   send a test notification
    GET    /paging/policies                       escalation policies with their steps
    POST   /paging/policies                       create (admins)
    GET    /paging/policies/{slug}
    PATCH  /paging/policies/{slug}                change; `steps` replaces the list (admins)
    DELETE /paging/policies/{slug}                (admins; 422 while used)
    GET    /paging/rules                          paging rules of the contracts I may see
    PUT    /paging/rules/{contract public_id}     set the contract's rule (admins)
    DELETE /paging/rules/{contract public_id}     the contract no longer pages (admins)

Agents only: a customer's token gets 403 on every endpoint. Tickets and chains of a client
the agent does not serve are 404, and so are its contracts (deskside.sla.queries
contracts_visible_to: the served clients' contracts and the default one). Errors are
{"detail", "field"} (PagingError is a DomainError). Contact addresses are write-only:
Apprise URLs carry tokens, so responses show only the service and the scheme.
"""

from datetime import datetime

from django.http import Http404, HttpRequest
from ninja import Field, Query, Router, Schema, Status

from deskside.accounts.models import Team, User
from deskside.accounts.permissions import is_admin
from deskside.core import ratelimit
from deskside.core.api import PageOut, PageParams, Text, get_or_404, page_out
from deskside.core.pagination import paginate
from deskside.duty.models import Schedule
from deskside.paging import queries, services
from deskside.paging.delivery import DeliveryFailed, send_test
from deskside.paging.exceptions import InvalidInput, NotAllowed
from deskside.paging.models import ContactMethod, Escalation, EscalationPolicy, PagingRule
from deskside.paging.services import StepSpec
from deskside.sla.models import Contract
from deskside.sla.queries import contracts_visible_to
from deskside.tickets.queries import ticket_for

router = Router(tags=["paging"])


# -- schemas -----------------------------------------------------------------------------------


class EscalationOut(Schema):
    public_id: str
    ticket: str = Field(alias="ticket.number")
    policy: str = Field(alias="policy.slug")
    status: str
    reason: str
    step: int
    cycle: int
    next_at: datetime | None
    started_at: datetime
    ended_at: datetime | None
    acknowledged_by: str | None = None
    acknowledged_at: datetime | None
    acknowledged_via: str

    @staticmethod
    def resolve_acknowledged_by(obj: Escalation) -> str | None:
        return obj.acknowledged_by.email if obj.acknowledged_by else None


class PageRowOut(Schema):
    public_id: str
    ticket: str = Field(alias="ticket.number")
    escalation: str = Field(alias="escalation.public_id")
    user: str = Field(alias="user.email")
    service: str
    step: int
    cycle: int
    status: str
    error: str
    created_at: datetime
    sent_at: datetime | None


class ContactIn(Schema):
    kind: Text = Field(description="email or apprise")
    address: Text = Field(description="An email address or an Apprise URL (stored encrypted).")
    label: Text = ""


class ContactPatch(Schema):
    version: int | None = Field(
        None, ge=1, description="The version you read; 409 if it changed since."
    )
    address: Text | None = None
    label: Text | None = None
    is_active: bool | None = None
    position: int | None = Field(None, ge=0, le=1000)


class ContactOut(Schema):
    public_id: str
    kind: str
    service: str
    scheme: str
    label: str
    position: int
    is_active: bool
    version: int = Field(description="Send it back with a change: 409 if it moved on since.")


class StepIn(Schema):
    target: Text = Field(description="schedule, user or team")
    schedule: Text | None = Field(None, description="The schedule's slug.")
    user: Text | None = Field(None, description="The agent's email address.")
    team: Text | None = Field(None, description="The team's slug.")
    wait_minutes: int = Field(5, ge=0, le=1440)


class StepOut(Schema):
    position: int
    target: str
    schedule: str | None = Field(None, alias="schedule.slug")
    user: str | None = Field(None, alias="user.email")
    team: str | None = Field(None, alias="team.slug")
    wait_minutes: int


class PolicyIn(Schema):
    name: Text
    slug: Text = ""
    team: Text | None = None
    repeat: int = Field(0, ge=0, le=20)
    notify_team_lead: bool = False
    description: Text = ""
    steps: list[StepIn]


class PolicyPatch(Schema):
    version: int | None = Field(
        None, ge=1, description="The version you read; 409 if it changed since."
    )
    name: Text | None = None
    slug: Text | None = None
    team: Text | None = None
    repeat: int | None = Field(None, ge=0, le=20)
    notify_team_lead: bool | None = None
    description: Text | None = None
    steps: list[StepIn] | None = None


class PolicyOut(Schema):
    public_id: str
    name: str
    slug: str
    team: str | None = Field(None, alias="team.slug")
    repeat: int
    notify_team_lead: bool
    description: str
    steps: list[StepOut]
    version: int = Field(description="Send it back with a change: 409 if it moved on since.")

    @staticmethod
    def resolve_steps(obj: EscalationPolicy) -> list:
        return list(obj.steps.all())


class RuleIn(Schema):
    policy: Text = Field(description="The policy's slug.")
    page_p1: bool = True
    p2: Text = PagingRule.P2.AFTER_HOURS
    alert_severity: Text = PagingRule.Severity.CRITICAL
    version: int | None = Field(
        None,
        ge=1,
        description="The version of the rule you replace; 409 if it changed since.",
    )


class RuleOut(Schema):
    contract: str = Field(alias="contract.public_id")
    contract_name: str = Field(alias="contract.name")
    policy: str = Field(alias="policy.slug")
    page_p1: bool
    p2: str
    alert_severity: str
    version: int = Field(description="Send it back with a change: 409 if it moved on since.")


class StatusParams(Schema):
    status: Text | None = Field(None, description="active, acknowledged, exhausted, cancelled")


class PagesParams(Schema):
    mine: bool = False


# -- helpers -----------------------------------------------------------------------------------


def _agent(request: HttpRequest) -> User:
    user: User = request.user  # type: ignore[assignment]
    if not user.is_agent:
        raise NotAllowed("only agents may use paging")
    return user


def _method(user: User, public_id: str) -> ContactMethod:
    qs = ContactMethod.objects.all() if is_admin(user) else ContactMethod.objects.filter(user=user)
    return get_or_404(qs, f"no contact method {public_id!r}", public_id=public_id)


def _policy(slug: str) -> EscalationPolicy:
    return get_or_404(queries.policies(), f"no policy {slug!r}", slug=slug)


def _team(slug: str | None, field: str = "team") -> Team | None:
    if not slug:
        return None
    team = Team.objects.filter(slug=slug).first()
    if team is None:
        raise InvalidInput(f"no team {slug!r}", field=field)
    return team


def _steps(steps: list[StepIn]) -> list[StepSpec]:
    specs = []
    for i, s in enumerate(steps):
        schedule = user = None
        if s.schedule:
            schedule = Schedule.objects.filter(slug=s.schedule).first()
            if schedule is None:
                raise InvalidInput(f"no schedule {s.schedule!r}", field=f"steps.{i}.schedule")
        if s.user:
            user = User.objects.filter(email__iexact=s.user, kind=User.Kind.AGENT).first()
            if user is None:
                raise InvalidInput(f"no agent {s.user!r}", field=f"steps.{i}.user")
        specs.append(
            StepSpec(
                target=s.target,
                wait_minutes=s.wait_minutes,
                schedule=schedule,
                user=user,
                team=_team(s.team, f"steps.{i}.team"),
            )
        )
    return specs


def _contract(user: User, public_id: str) -> Contract:
    """A contract the agent may see (the SLA app's rule): others are 404."""
    return get_or_404(contracts_visible_to(user), f"no contract {public_id!r}", public_id=public_id)


# -- acknowledging and lists -------------------------------------------------------------------


@router.post(
    "/tickets/{number}/acknowledge", response=EscalationOut, summary="Acknowledge a page (agents)"
)
def acknowledge(request: HttpRequest, number: Text) -> Escalation:
    user = _agent(request)
    ticket = ticket_for(user, number, detail=f"no ticket {number!r}")
    escalation = services.acknowledge_ticket(actor=user, ticket=ticket, via=Escalation.Via.API)
    return queries.escalations_visible_to(user).get(pk=escalation.pk)


@router.get("/paging/escalations", response=PageOut[EscalationOut], summary="Escalations")
def list_escalations(
    request: HttpRequest, filters: Query[StatusParams], params: Query[PageParams]
) -> dict[str, object]:
    user = _agent(request)
    qs = queries.escalations_visible_to(user).order_by("-started_at", "-id")
    if filters.status is None:
        qs = qs.filter(status__in=queries.OPEN)
    elif filters.status in Escalation.Status.values:
        qs = qs.filter(status=filters.status)
    else:
        raise InvalidInput(
            "status must be active, acknowledged, exhausted or cancelled", field="status"
        )
    return page_out(paginate(request, qs, page=params.page, limit=params.limit))


@router.get("/paging/pages", response=PageOut[PageRowOut], summary="Pages")
def list_pages(
    request: HttpRequest, filters: Query[PagesParams], params: Query[PageParams]
) -> dict[str, object]:
    user = _agent(request)
    qs = queries.pages_visible_to(user, mine=filters.mine)
    return page_out(paginate(request, qs, page=params.page, limit=params.limit))


# -- contact methods ---------------------------------------------------------------------------


@router.get("/paging/contact-methods", response=list[ContactOut], summary="My contact methods")
def list_contacts(request: HttpRequest) -> list[ContactMethod]:
    return list(queries.contact_methods_of(_agent(request)))


@router.post("/paging/contact-methods", response={201: ContactOut}, summary="Add one")
def add_contact(request: HttpRequest, payload: ContactIn) -> Status[ContactMethod]:
    user = _agent(request)
    method = services.add_contact_method(
        actor=user, user=user, kind=payload.kind, address=payload.address, label=payload.label
    )
    return Status(201, method)


@router.patch("/paging/contact-methods/{public_id}", response=ContactOut, summary="Change one")
def update_contact(request: HttpRequest, public_id: Text, payload: ContactPatch) -> ContactMethod:
    user = _agent(request)
    method = _method(user, public_id)
    return services.update_contact_method(
        actor=user, method=method, **payload.model_dump(exclude_unset=True)
    )


@router.delete("/paging/contact-methods/{public_id}", response={204: None}, summary="Remove one")
def delete_contact(request: HttpRequest, public_id: Text) -> Status[None]:
    user = _agent(request)
    services.delete_contact_method(actor=user, method=_method(user, public_id))
    return Status(204, None)


class TestOut(Schema):
    delivered: bool
    detail: str


@router.post("/paging/contact-methods/{public_id}/test", response=TestOut, summary="Send a test")
def test_contact(request: HttpRequest, public_id: Text) -> dict[str, object]:
    user = _agent(request)
    method = _method(user, public_id)
    ratelimit.count_test_send(user, "contact method test")  # Limited: 429 with Retry-After
    try:
        send_test(method)
    except DeliveryFailed as exc:
        return {"delivered": False, "detail": str(exc)}
    return {"delivered": True, "detail": f"handed to {method.service}"}


# -- policies ----------------------------------------------------------------------------------


@router.get("/paging/policies", response=list[PolicyOut], summary="Escalation policies")
def list_policies(request: HttpRequest) -> list[EscalationPolicy]:
    _agent(request)
    return list(queries.policies())


@router.post("/paging/policies", response={201: PolicyOut}, summary="Create (admins)")
def create_policy(request: HttpRequest, payload: PolicyIn) -> Status[EscalationPolicy]:
    user = _agent(request)
    services.require_admin(user, "change escalation policies")
    policy = services.create_policy(
        actor=user,
        name=payload.name,
        slug=payload.slug,
        team=_team(payload.team),
        repeat=payload.repeat,
        notify_team_lead=payload.notify_team_lead,
        description=payload.description,
        steps=_steps(payload.steps),
    )
    return Status(201, _policy(policy.slug))


@router.get("/paging/policies/{slug}", response=PolicyOut, summary="One policy")
def get_policy(request: HttpRequest, slug: Text) -> EscalationPolicy:
    _agent(request)
    return _policy(slug)


@router.patch("/paging/policies/{slug}", response=PolicyOut, summary="Change (admins)")
def update_policy(request: HttpRequest, slug: Text, payload: PolicyPatch) -> EscalationPolicy:
    user = _agent(request)
    services.require_admin(user, "change escalation policies")
    policy = _policy(slug)
    changes = payload.model_dump(exclude_unset=True)
    if "team" in changes:
        changes["team"] = _team(changes["team"])
    if "steps" in changes:
        changes["steps"] = _steps(payload.steps or [])
    policy = services.update_policy(actor=user, policy=policy, **changes)
    return _policy(policy.slug)


@router.delete("/paging/policies/{slug}", response={204: None}, summary="Delete (admins)")
def delete_policy(request: HttpRequest, slug: Text) -> Status[None]:
    user = _agent(request)
    services.require_admin(user, "change escalation policies")
    services.delete_policy(actor=user, policy=_policy(slug))
    return Status(204, None)


# -- rules -------------------------------------------------------------------------------------


@router.get("/paging/rules", response=list[RuleOut], summary="Paging rules per contract")
def list_rules(request: HttpRequest) -> list[PagingRule]:
    user = _agent(request)
    return list(
        PagingRule.objects.filter(contract__in=contracts_visible_to(user))
        .select_related("contract", "policy")
        .order_by("contract__name")
    )


@router.put("/paging/rules/{contract}", response=RuleOut, summary="Set a rule (admins)")
def set_rule(request: HttpRequest, contract: Text, payload: RuleIn) -> PagingRule:
    user = _agent(request)
    services.require_admin(user, "change paging rules")
    target = _contract(user, contract)
    policy = EscalationPolicy.objects.filter(slug=payload.policy).first()
    if policy is None:
        raise InvalidInput(f"no policy {payload.policy!r}", field="policy")
    return services.set_rule(
        actor=user,
        contract=target,
        policy=policy,
        page_p1=payload.page_p1,
        p2=payload.p2,
        alert_severity=payload.alert_severity,
        version=payload.version,
    )


@router.delete("/paging/rules/{contract}", response={204: None}, summary="Remove (admins)")
def delete_rule(request: HttpRequest, contract: Text) -> Status[None]:
    user = _agent(request)
    services.require_admin(user, "change paging rules")
    rule = PagingRule.objects.filter(contract=_contract(user, contract)).first()
    if rule is None:
        raise Http404("this contract has no paging rule")
    services.delete_rule(actor=user, rule=rule)
    return Status(204, None)
