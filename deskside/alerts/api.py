"""Monitoring alert intake and its set-up under /api/v1/.

Intake, for monitoring tools, authenticated by the integration's own token
(`Authorization: Bearer dsa_…`), never a user's:

    POST /integrations/alertmanager             Prometheus Alertmanager's webhook (JSON version 4)
    POST /integrations/events                   the events API (PagerDuty Events v2 shaped)
    POST /integrations/events/v2/enqueue        the same at PagerDuty's path, answered as
                                                PagerDuty answers (202, or 400 for any refusal)

The events API also takes the token as `routing_key` in the body, as PagerDuty senders send
it. All answer 202 with the outcome of each alert (created ticket, appended occurrence,
suppressed, grouped, acknowledged, resolved, ignored, rejected); 400/422 naming the field for a
bad document; 401 for an unknown, regenerated or deactivated token. One bad alert of an
Alertmanager group (malformed, an unknown client slug, another client's label: 403/422 on
its own) is answered "rejected" in the 202 and the rest of the group is taken, so Alertmanager
does not re-post the group forever; a lone event so refused is answered 403/422. Every refusal
after the token is known is kept as an intake error of the integration (its reason, count,
first and last seen, a sample), listed on its page and under /intake-errors.

For agents (user bearer tokens; customers get 403):

    GET    /alerts                               ?integration=&organization=&status=&severity=
    GET    /alerts/{public_id}
    GET    /integrations                          list
    POST   /integrations                          create (admins); the token is in the answer once
    GET    /integrations/{public_id}
    PATCH  /integrations/{public_id}              change settings, deactivate (admins)
    DELETE /integrations/{public_id}              one that never raised an alert (admins; 409)
    POST   /integrations/{public_id}/token        a new token (admins); the old one stops working
    GET    /integrations/{public_id}/intake-errors        what it sent that was refused
                                                          (an MSP-wide one's: agents serving
                                                          every client)
    DELETE /integrations/{public_id}/intake-errors        clear them (admins)
    DELETE /integrations/{public_id}/intake-errors/{id}   clear one (admins)
    GET    /maintenance-windows                   ?organization=&state=active|scheduled|ended
    POST   /maintenance-windows                   plan one (agents serving the client)
    POST   /maintenance-windows/{public_id}/end   end it now
"""

import json
from datetime import datetime
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from ninja import Field, Query, Router, Schema, Status

from deskside.accounts.models import Organization, Team, User
from deskside.accounts.permissions import is_admin
from deskside.accounts.queries import organizations_visible_to
from deskside.accounts.schemas import OrganizationRef, TeamRef
from deskside.alerts import payloads, queries, services
from deskside.alerts import setup as alert_setup
from deskside.alerts.exceptions import AlertError, InvalidPayload, NotAllowed, Unauthorized
from deskside.alerts.models import Alert, Integration, MaintenanceWindow
from deskside.core import clock
from deskside.core.api import PageOut, PageParams, Text, get_or_404, page_out
from deskside.core.pagination import paginate

router = Router(tags=["alerts"])

BEARER = "bearer "


# -- intake ------------------------------------------------------------------------------------


def _json(body: dict[str, Any], status: int) -> HttpResponse:
    return HttpResponse(json.dumps(body), status=status, content_type="application/json")


def _error(exc: AlertError, *, pagerduty: bool = False) -> HttpResponse:
    return _refused(exc.message, exc.field, exc.status_code, pagerduty=pagerduty)


def _refused(detail: str, field: str | None, status: int, *, pagerduty: bool) -> HttpResponse:
    """Deskside's error body {"detail", "field"} with the error's status; on the PagerDuty
    Events v2 path PagerDuty's own shape and status (400 for every refused event: the only
    client error that API documents), with "detail" and "field" as well."""
    body: dict[str, Any] = {"detail": detail, "field": field}
    if not pagerduty:
        return _json(body, status)
    return _json(
        {"status": "invalid event", "message": "Event object is invalid", "errors": [detail]}
        | body,
        400,
    )


def _bearer(request: HttpRequest) -> str:
    header = request.META.get("HTTP_AUTHORIZATION", "")  # not request.headers: hot path
    return header[len(BEARER) :].strip() if header[: len(BEARER)].lower() == BEARER else ""


def _integration(raw: str, kind: str) -> Integration:
    """The active integration of the token, for this endpoint's kind (Unauthorized, 401;
    NotAllowed, 403, for a token of the other kind)."""
    integration = queries.integration_for_token(raw)
    if integration is None:
        raise Unauthorized(
            "a valid integration token is required (Authorization: Bearer <token>"
            + (", or routing_key in the body)" if kind == Integration.Kind.EVENTS else ")"),
            field="Authorization",
        )
    if integration.kind != kind:
        raise NotAllowed(
            f"this token is for the {integration.get_kind_display()} "
            f"endpoint: post to /api/v1/integrations/{integration.kind}",
            field="Authorization",
        )
    return integration


def _record(integration: Integration, exc: AlertError, sample: Any, token: str) -> None:
    """Keep a refused request as an intake error of its integration (without its token)."""
    if isinstance(sample, bytes) and token:
        sample = sample.replace(token.encode(), b"[token]")
    services.record_rejection(
        integration=integration,
        rejection=payloads.Rejection(
            reason=exc.message,
            field=exc.field or "",
            status_code=exc.status_code,
            sample=sample,
        ),
    )


@router.post(
    "/integrations/alertmanager",
    auth=None,
    summary="Alertmanager webhook receiver (integration token)",
    response={202: dict, 400: dict, 401: dict, 403: dict, 422: dict},
)
def alertmanager_webhook(request: HttpRequest) -> HttpResponse:
    """Point an Alertmanager `webhook_configs` receiver here, with the integration's token in
    `http_config.authorization.credentials`. Firing alerts open (or count on) a ticket per
    fingerprint; resolved ones follow the integration's resolve rule. A bad alert in the
    group is answered "rejected" (and kept as an intake error) while the others are taken:
    the answer is 202 unless the document itself is bad."""
    token = _bearer(request)
    try:
        integration = _integration(token, Integration.Kind.ALERTMANAGER)
    except AlertError as exc:
        return _error(exc)
    try:
        data = payloads.load_json(request.body, checked=False)  # each alert checked alone
        events = payloads.parse_alertmanager(data, integration.organization_label)
    except AlertError as exc:
        _record(integration, exc, request.body, token)
        return _error(exc)
    try:
        outcomes = services.receive(integration=integration, events=events)
    except AlertError as exc:
        return _error(exc)
    rejected = sum(o.outcome == "rejected" for o in outcomes)
    return _json(
        {
            "status": "partial" if rejected else "success",
            "rejected": rejected,
            "alerts": [o.as_json() for o in outcomes],
        },
        202,
    )


def _events(request: HttpRequest, *, pagerduty: bool) -> HttpResponse:
    token = _bearer(request)
    data: dict[str, Any] | None = None
    if not token:  # PagerDuty's way: the routing key in the body
        try:
            data = payloads.load_json(request.body)
        except AlertError:
            data = None
        token = payloads.routing_key(data) if data is not None else ""
    try:
        integration = _integration(token, Integration.Kind.EVENTS)
    except AlertError as exc:
        return _error(exc, pagerduty=pagerduty)
    try:
        if data is None:
            data = payloads.load_json(request.body)
        event = payloads.parse_event(data)
    except AlertError as exc:
        _record(integration, exc, request.body if data is None else data, token)
        return _error(exc, pagerduty=pagerduty)
    try:
        (outcome,) = services.receive(integration=integration, events=[event], index=False)
    except AlertError as exc:
        return _error(exc, pagerduty=pagerduty)
    if outcome.outcome == "rejected":  # the intake recorded it
        return _refused(
            outcome.detail or "refused",
            outcome.field,
            outcome.status_code or 422,
            pagerduty=pagerduty,
        )
    return _json({"status": "success", "message": "Event processed", **outcome.as_json()}, 202)


@router.post(
    "/integrations/events",
    auth=None,
    summary="Events API: trigger, acknowledge, resolve (integration token)",
    response={202: dict, 400: dict, 401: dict, 403: dict, 422: dict},
)
def events_api(request: HttpRequest) -> HttpResponse:
    """PagerDuty Events v2 shaped: `{"event_action": "trigger", "dedup_key": "...",
    "payload": {"summary", "source", "severity", "custom_details", "timestamp"},
    "organization": "client-slug"}`, the token as a bearer header or as `routing_key` in the
    body. A trigger without a dedup_key gets one (in the answer)."""
    return _events(request, pagerduty=False)


@router.post(
    "/integrations/events/v2/enqueue",
    auth=None,
    summary="PagerDuty Events v2 compatible: point a PagerDuty sender here (routing key)",
    response={202: dict, 400: dict},
)
def pagerduty_enqueue(request: HttpRequest) -> HttpResponse:
    """The events API at PagerDuty's own path shape: a tool configured for PagerDuty works
    with its events URL set to `<deskside>/api/v1/integrations/events/v2/enqueue` (or its
    base URL to `<deskside>/api/v1/integrations/events`) and the integration's token as its
    routing (integration) key. Answers as PagerDuty does: 202 `{"status": "success",
    "message": "Event processed", "dedup_key"}`, or 400 `{"status": "invalid event",
    "message", "errors"}` (with "detail" and "field") for anything refused."""
    return _events(request, pagerduty=True)


# -- agents: schemas ---------------------------------------------------------------------------


class IntegrationRef(Schema):
    public_id: str
    name: str


class TicketRef(Schema):
    number: str
    subject: str
    status: str


class AlertOut(Schema):
    public_id: str
    integration: IntegrationRef
    organization: OrganizationRef
    dedup_key: str
    status: str
    severity: str
    source: str
    summary: str
    details: dict[str, Any]
    labels: dict[str, Any]
    ticket: TicketRef | None
    storm_ticket: TicketRef | None
    occurrences: int
    first_seen: datetime
    last_seen: datetime
    acknowledged_at: datetime | None
    resolved_at: datetime | None


class IntegrationOut(Schema):
    public_id: str
    name: str
    kind: str
    organization: OrganizationRef | None
    organization_label: str
    token_prefix: str
    severity_map: dict[str, str]
    resolve_rule: str
    alert_details: str = Field(
        description="internal: an alert's details go to an internal note and the customer "
        "sees its summary; public: they are the ticket's description."
    )
    team: TeamRef | None
    flood_threshold: int
    flood_window_minutes: int
    is_active: bool
    last_event_at: datetime | None
    created_at: datetime
    endpoint: str
    version: int = Field(description="Send it back with a change: 409 if it moved on since.")

    @staticmethod
    def resolve_endpoint(obj: Integration) -> str:
        return f"/api/v1/integrations/{obj.kind}"


class IntegrationCreatedOut(IntegrationOut):
    token: str = Field(description="The raw token: shown this once, only its hash is kept.")


class TokenOut(Schema):
    token: str
    token_prefix: str


class IntegrationIn(Schema):
    name: Text
    kind: Text = Field(description="alertmanager or events")
    organization: Text | None = Field(
        None, description="Client slug; empty: MSP-wide (the client comes from a label/field)."
    )
    organization_label: Text = "client"
    severity_map: dict[str, str] | None = None
    resolve_rule: Text = "resolve"
    alert_details: Text = Field("internal", description="internal (default) or public")
    team: Text | None = Field(None, description="Team slug the tickets go to.")
    flood_threshold: int = 20
    flood_window_minutes: int = 5


class IntegrationPatch(Schema):
    version: int | None = Field(
        None, ge=1, description="The version you read; 409 if the integration changed since."
    )
    name: Text | None = None
    organization_label: Text | None = None
    severity_map: dict[str, str] | None = None
    resolve_rule: Text | None = None
    alert_details: Text | None = None
    team: Text | None = None
    flood_threshold: int | None = None
    flood_window_minutes: int | None = None
    is_active: bool | None = None


class IntakeErrorOut(Schema):
    public_id: str
    reason: str
    field: str
    dedup_key: str
    status_code: int
    count: int
    first_seen: datetime
    last_seen: datetime
    sample: str


class WindowOut(Schema):
    public_id: str
    organization: OrganizationRef
    starts_at: datetime
    ends_at: datetime
    reason: str
    matchers: dict[str, str]
    state: str
    suppressed: int = 0

    @staticmethod
    def resolve_state(obj: MaintenanceWindow) -> str:
        return obj.state()

    @staticmethod
    def resolve_suppressed(obj: MaintenanceWindow) -> int:
        return getattr(obj, "suppressed_count", 0)


class WindowIn(Schema):
    organization: Text
    starts_at: datetime | None = None
    ends_at: datetime
    reason: Text
    matchers: dict[str, str] | None = None


class AlertFilters(PageParams):
    integration: Text | None = None
    organization: Text | None = None
    status: Text | None = Field(None, description="open, firing, acknowledged, ...")
    severity: Text | None = None


class WindowFilters(PageParams):
    organization: Text | None = None
    state: Text | None = Field(None, description="active, scheduled or ended")


# -- agents: helpers ---------------------------------------------------------------------------


def _agent(request: HttpRequest) -> User:
    user = request.user
    if not user.is_agent:
        raise NotAllowed("alerts are for agents")
    return user


def _org(user: User, slug: str | None, field: str = "organization") -> Organization | None:
    if not slug:
        return None
    org = organizations_visible_to(user).filter(slug=slug).first()
    if org is None:
        raise InvalidPayload(f"no client {slug!r}", field=field)
    return org


def _team(slug: str | None) -> Team | None:
    if not slug:
        return None
    team = Team.objects.filter(slug=slug).first()
    if team is None:
        raise InvalidPayload(f"no team {slug!r}", field="team")
    return team


def _integration_or_404(user: User, public_id: str) -> Integration:
    return get_or_404(
        queries.integrations_visible_to(user), "no such integration", public_id=public_id
    )


# -- agents: alerts ----------------------------------------------------------------------------


@router.get("/alerts", response=PageOut[AlertOut], summary="Alerts (agents)")
def list_alerts(request: HttpRequest, filters: Query[AlertFilters]) -> dict[str, object]:
    qs = queries.filter_alerts(
        queries.alerts_visible_to(_agent(request)),
        integration=filters.integration,
        organization=filters.organization,
        status=filters.status,
        severity=filters.severity,
    ).order_by("-last_seen", "-pk")
    return page_out(paginate(request, qs, page=filters.page, limit=filters.limit))


@router.get("/alerts/{public_id}", response=AlertOut, summary="One alert (agents)")
def get_alert(request: HttpRequest, public_id: str) -> Alert:
    return get_or_404(
        queries.alerts_visible_to(_agent(request)), "no such alert", public_id=public_id
    )


# -- agents: integrations ----------------------------------------------------------------------


@router.get("/integrations", response=PageOut[IntegrationOut], summary="Integrations (agents)")
def list_integrations(request: HttpRequest, params: Query[PageParams]) -> dict[str, object]:
    qs = queries.integrations_visible_to(_agent(request)).order_by("name", "pk")
    return page_out(paginate(request, qs, page=params.page, limit=params.limit))


@router.post(
    "/integrations", response={201: IntegrationCreatedOut}, summary="Create an integration"
)
def create_integration(request: HttpRequest, payload: IntegrationIn) -> Status[Integration]:
    user = _agent(request)
    if not is_admin(user):
        raise NotAllowed("only administrators may set up alert integrations")
    integration, raw = alert_setup.create_integration(
        actor=user,
        name=payload.name,
        kind=payload.kind,
        organization=_org(user, payload.organization),
        organization_label=payload.organization_label,
        severity_map=payload.severity_map,
        resolve_rule=payload.resolve_rule,
        alert_details=payload.alert_details,
        team=_team(payload.team),
        flood_threshold=payload.flood_threshold,
        flood_window_minutes=payload.flood_window_minutes,
    )
    integration.token = raw  # type: ignore[attr-defined] - answered this once
    return Status(201, integration)


@router.get("/integrations/{public_id}", response=IntegrationOut, summary="One integration")
def get_integration(request: HttpRequest, public_id: str) -> Integration:
    return _integration_or_404(_agent(request), public_id)


@router.patch("/integrations/{public_id}", response=IntegrationOut, summary="Change an integration")
def update_integration(request: HttpRequest, public_id: str, payload: IntegrationPatch) -> Any:
    user = _agent(request)
    integration = _integration_or_404(user, public_id)
    changes = payload.dict(exclude_unset=True)
    if "team" in changes:
        changes["team"] = _team(changes["team"])
    return alert_setup.update_integration(actor=user, integration=integration, **changes)


@router.delete(
    "/integrations/{public_id}", response={204: None}, summary="Delete an unused integration"
)
def delete_integration(request: HttpRequest, public_id: str) -> Status[None]:
    user = _agent(request)
    integration = _integration_or_404(user, public_id)
    alert_setup.delete_integration(actor=user, integration=integration)
    return Status(204, None)


@router.post("/integrations/{public_id}/token", response=TokenOut, summary="Regenerate the token")
def regenerate_token(request: HttpRequest, public_id: str) -> dict[str, str]:
    user = _agent(request)
    integration = _integration_or_404(user, public_id)
    raw = alert_setup.regenerate_token(actor=user, integration=integration)
    return {"token": raw, "token_prefix": integration.token_prefix}


@router.get(
    "/integrations/{public_id}/intake-errors",
    response=PageOut[IntakeErrorOut],
    summary="What the integration sent that was refused (agents)",
)
def list_intake_errors(
    request: HttpRequest, public_id: str, params: Query[PageParams]
) -> dict[str, object]:
    user = _agent(request)
    integration = _integration_or_404(user, public_id)
    qs = queries.intake_errors_visible_to(user, integration)
    return page_out(paginate(request, qs, page=params.page, limit=params.limit))


@router.delete(
    "/integrations/{public_id}/intake-errors",
    response={204: None},
    summary="Clear the integration's intake errors (admins)",
)
def clear_intake_errors(request: HttpRequest, public_id: str) -> Status[None]:
    user = _agent(request)
    integration = _integration_or_404(user, public_id)
    alert_setup.clear_intake_errors(actor=user, integration=integration)
    return Status(204, None)


@router.delete(
    "/integrations/{public_id}/intake-errors/{error_id}",
    response={204: None},
    summary="Clear one intake error (admins)",
)
def clear_intake_error(request: HttpRequest, public_id: str, error_id: str) -> Status[None]:
    user = _agent(request)
    integration = _integration_or_404(user, public_id)
    if not queries.intake_errors_visible_to(user, integration).filter(public_id=error_id).exists():
        raise Http404("no such intake error")
    alert_setup.clear_intake_errors(actor=user, integration=integration, public_id=error_id)
    return Status(204, None)


# -- agents: maintenance windows ---------------------------------------------------------------


@router.get(
    "/maintenance-windows", response=PageOut[WindowOut], summary="Maintenance windows (agents)"
)
def list_windows(request: HttpRequest, filters: Query[WindowFilters]) -> dict[str, object]:
    qs = queries.windows_visible_to(_agent(request))
    if filters.organization:
        qs = qs.filter(organization__slug=filters.organization)
    now = clock.now()
    if filters.state == "active":
        qs = qs.filter(starts_at__lte=now, ends_at__gt=now)
    elif filters.state == "scheduled":
        qs = qs.filter(starts_at__gt=now)
    elif filters.state == "ended":
        qs = qs.filter(ends_at__lte=now)
    elif filters.state:
        raise InvalidPayload("state must be active, scheduled or ended", field="state")
    qs = queries.with_suppressed_counts(qs).order_by("-starts_at", "-pk")
    return page_out(paginate(request, qs, page=filters.page, limit=filters.limit))


@router.post("/maintenance-windows", response={201: WindowOut}, summary="Plan a maintenance window")
def create_window(request: HttpRequest, payload: WindowIn) -> Status[MaintenanceWindow]:
    user = _agent(request)
    window = alert_setup.create_maintenance_window(
        actor=user,
        organization=_org(user, payload.organization),
        starts_at=payload.starts_at,
        ends_at=payload.ends_at,
        reason=payload.reason,
        matchers=payload.matchers,
    )
    return Status(201, window)


@router.post("/maintenance-windows/{public_id}/end", response=WindowOut, summary="End a window now")
def end_window(request: HttpRequest, public_id: str) -> MaintenanceWindow:
    user = _agent(request)
    window = get_or_404(
        queries.windows_visible_to(user), "no such maintenance window", public_id=public_id
    )
    return alert_setup.end_maintenance_window(actor=user, window=window)
