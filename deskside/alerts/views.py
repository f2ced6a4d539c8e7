"""The alert pages for agents, mounted at /alerts/ (namespace "alerts"):

    /alerts/                                  open and recent alerts, filters, counts per severity
    /alerts/a/<public_id>/                    one alert
    /alerts/integrations/                     integrations; new (admins)
    /alerts/integrations/<public_id>/         settings (admins change), set-up snippets, token,
                                              the alerts it sent that were refused (intake errors)
    /alerts/integrations/<public_id>/intake-errors/clear/   clear them (admins; POST)
    /alerts/maintenance/                      maintenance windows per client; plan, end early
    /alerts/ticket/<number>/panel/            the ticket page's fragment (htmx): its alerts

Every agent may read; setting up integrations needs the admin role (`is_staff`); any agent
serving a client may plan and end its maintenance windows. Customers are sent to the portal
(403 for a POST), as on every agent page. An integration's raw token is shown on the page
answering its creation or regeneration, never again.
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import F, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from deskside.accounts.models import User
from deskside.accounts.permissions import agent_required, is_admin
from deskside.accounts.queries import organizations_visible_to
from deskside.alerts import queries
from deskside.alerts import setup as alert_setup
from deskside.alerts.forms import AlertFilterForm, IntegrationForm, WindowForm
from deskside.alerts.models import DEFAULT_SEVERITY_MAP, Alert, Integration, MaintenanceWindow
from deskside.core import clock, versioning
from deskside.core.baseurl import base_url
from deskside.core.exceptions import DomainError
from deskside.core.views import page_number, paginate
from deskside.tickets.models import Ticket
from deskside.tickets.queries import visible_tickets

ALERT_PAGE = 50
WINDOW_PAGE = 50
INTAKE_ERRORS_SHOWN = 50  # the latest; the API pages through all of them


def _require_admin(user: User) -> None:
    if not is_admin(user):
        raise PermissionDenied("only administrators may set up alert integrations")


# -- alerts ------------------------------------------------------------------------------------


@agent_required
@require_GET
def index(request: HttpRequest) -> HttpResponse:
    """Open alerts first, then the recent resolved ones; filters; open alerts per severity."""
    user = request.user
    integrations = list(queries.integrations_visible_to(user).order_by("name"))
    form = AlertFilterForm(request.GET, user=user, integrations=integrations)
    visible = queries.alerts_visible_to(user)
    filters = form.filters()
    qs = queries.filter_alerts(visible, **filters)
    if not filters.get("status"):
        qs = qs.filter(
            Q(last_seen__gte=clock.now() - queries.recent_cutoff())
            | Q(status__in=["firing", "acknowledged", "suppressed"])
        )
    # Open alerts (no resolved_at) first, then the most recently seen.
    qs = qs.order_by(F("resolved_at").asc(nulls_first=True), "-last_seen", "-pk")
    page = paginate(qs, page_number(request.GET.get("page")), ALERT_PAGE)
    counts = queries.severity_counts(
        queries.filter_alerts(
            visible,
            integration=filters.get("integration"),
            organization=filters.get("organization"),
        )
    )
    top = max((n for _, n in counts), default=0)
    bars = [(severity, n, round(100 * n / top) if top else 0) for severity, n in counts]
    return render(
        request,
        "alerts/index.html",
        {"page": page, "form": form, "bars": bars, "open_total": sum(n for _, n in counts)},
    )


@agent_required
@require_GET
def alert_detail(request: HttpRequest, public_id: str) -> HttpResponse:
    alert = queries.alerts_visible_to(request.user).filter(public_id=public_id).first()
    if alert is None:
        raise Http404("no such alert")
    return render(request, "alerts/alert.html", {"alert": alert})


@agent_required
@require_GET
def ticket_panel(request: HttpRequest, number: str) -> HttpResponse:
    """The alerts of one ticket (its own, or those grouped into it as a storm), as an HTML
    fragment for the ticket page (no base.html). The ticket must be visible to the agent."""
    try:
        ticket = visible_tickets(request.user).by_number(number)
    except Ticket.DoesNotExist:
        raise Http404("no such ticket") from None
    alerts = list(
        Alert.objects.filter(ticket=ticket).select_related("integration").order_by("-first_seen")
    )
    grouped = Alert.objects.filter(storm_ticket=ticket)
    return render(
        request,
        "alerts/_ticket_panel.html",
        {
            "ticket": ticket,
            "alerts": alerts,
            "grouped": list(grouped.select_related("organization").order_by("-first_seen")[:50]),
            "grouped_total": grouped.count(),
        },
    )


# -- integrations ------------------------------------------------------------------------------


@agent_required
@require_GET
def integrations_view(request: HttpRequest) -> HttpResponse:
    rows = queries.with_intake_error_counts(queries.integrations_visible_to(request.user))
    rows = rows.order_by("name")
    return render(
        request,
        "alerts/integrations.html",
        {"integrations": rows, "can_edit": is_admin(request.user)},
    )


def _integration_or_404(user: User, public_id: str) -> Integration:
    found = queries.integrations_visible_to(user).filter(public_id=public_id).first()
    if found is None:
        raise Http404("no such integration")
    return found


def _integration_page(
    request: HttpRequest,
    form: IntegrationForm,
    integration: Integration | None,
    *,
    token: str | None = None,
    status: int = 200,
) -> HttpResponse:
    base = base_url(request)
    errors = queries.intake_errors_visible_to(request.user, integration) if integration else None
    return render(
        request,
        "alerts/integration.html",
        {
            "form": form,
            "integration": integration,
            "token": token,
            "shown_token": token or "<the integration's token>",
            "endpoint": f"{base}/api/v1/integrations/{integration.kind}" if integration else "",
            "can_edit": is_admin(request.user),
            "intake_errors": list(errors[:INTAKE_ERRORS_SHOWN]) if errors is not None else [],
            "intake_errors_total": errors.count() if errors is not None else 0,
            "intake_errors_hidden": integration is not None
            and not queries.may_see_intake_errors(request.user, integration),
        },
        status=status,
    )


def _alert_details(data: dict) -> dict[str, str]:
    """The alert-details setting when the form sent one (a form posted without it keeps the
    integration's, or the default for a new one: internal)."""
    return {"alert_details": data["alert_details"]} if data.get("alert_details") else {}


@agent_required
@require_http_methods(["GET", "POST"])
def integration_new(request: HttpRequest) -> HttpResponse:
    _require_admin(request.user)
    if request.method != "POST":
        initial = {"severity_map": "\n".join(f"{k}={v}" for k, v in DEFAULT_SEVERITY_MAP.items())}
        return _integration_page(request, IntegrationForm(initial=initial, user=request.user), None)
    form = IntegrationForm(request.POST, user=request.user)
    if form.is_valid():
        data = form.cleaned_data
        try:
            integration, raw = alert_setup.create_integration(
                actor=request.user,
                name=data["name"],
                kind=data["kind"],
                organization=data["organization"],
                organization_label=data["organization_label"],
                severity_map=data["severity_map"],
                resolve_rule=data["resolve_rule"],
                **_alert_details(data),
                team=data["team"],
                flood_threshold=data["flood_threshold"],
                flood_window_minutes=data["flood_window_minutes"],
            )
        except DomainError as error:
            form.add_service_error(error)
        else:
            messages.success(
                request, f"Integration {integration.name} created. Copy its token now."
            )
            edit = IntegrationForm(
                initial=IntegrationForm.initial_for(integration), user=request.user, editing=True
            )
            return _integration_page(request, edit, integration, token=raw, status=201)
    return _integration_page(request, form, None, status=422)


@agent_required
@require_http_methods(["GET", "POST"])
def integration_detail(request: HttpRequest, public_id: str) -> HttpResponse:
    integration = _integration_or_404(request.user, public_id)
    initial = IntegrationForm.initial_for(integration)
    if request.method != "POST":
        form = IntegrationForm(initial=initial, user=request.user, editing=True)
        if not is_admin(request.user):
            for field in form.fields.values():
                field.disabled = True
        return _integration_page(request, form, integration)
    _require_admin(request.user)
    form = IntegrationForm(request.POST, initial=initial, user=request.user, editing=True)
    if form.is_valid():
        data = form.cleaned_data
        try:
            alert_setup.update_integration(
                actor=request.user,
                integration=integration,
                name=data["name"],
                organization_label=data["organization_label"],
                severity_map=data["severity_map"],
                resolve_rule=data["resolve_rule"],
                **_alert_details(data),
                team=data["team"],
                flood_threshold=data["flood_threshold"],
                flood_window_minutes=data["flood_window_minutes"],
                is_active=data["is_active"],
                version=data["version"],
            )
        except versioning.VersionConflict as error:
            integration = _integration_or_404(request.user, public_id)
            versioning.form_conflict(form, error, IntegrationForm.initial_for(integration))
            return _integration_page(request, form, integration, status=409)
        except DomainError as error:
            form.add_service_error(error)
        else:
            messages.success(request, f"Integration {integration.name} saved.")
            return redirect("alerts:integration", integration.public_id)
    return _integration_page(request, form, integration, status=422)


@agent_required
@require_POST
def integration_token(request: HttpRequest, public_id: str) -> HttpResponse:
    """A new token; the page answering shows it once."""
    _require_admin(request.user)
    integration = _integration_or_404(request.user, public_id)
    raw = alert_setup.regenerate_token(actor=request.user, integration=integration)
    messages.success(request, "New token made; the old one no longer works. Copy it now.")
    form = IntegrationForm(
        initial=IntegrationForm.initial_for(integration), user=request.user, editing=True
    )
    return _integration_page(request, form, integration, token=raw)


@agent_required
@require_POST
def intake_errors_clear(request: HttpRequest, public_id: str) -> HttpResponse:
    """Clear the integration's intake errors (all, or the one named by `error`)."""
    _require_admin(request.user)
    integration = _integration_or_404(request.user, public_id)
    one = request.POST.get("error") or None
    try:
        cleared = alert_setup.clear_intake_errors(
            actor=request.user, integration=integration, public_id=one
        )
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, f"{cleared} intake error{'s' if cleared != 1 else ''} cleared.")
    return redirect("alerts:integration", integration.public_id)


# -- maintenance windows -----------------------------------------------------------------------


@agent_required
@require_http_methods(["GET", "POST"])
def windows_view(request: HttpRequest) -> HttpResponse:
    user = request.user
    form = WindowForm(user=user)
    status = 200
    if request.method == "POST":
        form = WindowForm(request.POST, user=user)
        if form.is_valid():
            data = form.cleaned_data
            try:
                window = alert_setup.create_maintenance_window(
                    actor=user,
                    organization=data["organization"],
                    starts_at=data["starts_at"],
                    ends_at=data["ends_at"],
                    reason=data["reason"],
                    matchers=data["matchers"],
                )
            except DomainError as error:
                form.add_service_error(error)
            else:
                messages.success(
                    request, f"Maintenance window for {window.organization.name} planned."
                )
                return redirect("alerts:windows")
        status = 422
    qs = queries.with_suppressed_counts(queries.windows_visible_to(user)).order_by(
        "-ends_at", "-pk"
    )
    organization = request.GET.get("organization")
    if organization:
        qs = qs.filter(organization__slug=organization)
    page = paginate(qs, page_number(request.GET.get("page")), WINDOW_PAGE)
    clients = organizations_visible_to(user).order_by("name").values_list("slug", "name")
    return render(
        request,
        "alerts/windows.html",
        {"page": page, "form": form, "clients": clients, "chosen": organization or ""},
        status=status,
    )


@agent_required
@require_POST
def window_end(request: HttpRequest, public_id: str) -> HttpResponse:
    window: MaintenanceWindow | None = (
        queries.windows_visible_to(request.user).filter(public_id=public_id).first()
    )
    if window is None:
        raise Http404("no such maintenance window")
    try:
        alert_setup.end_maintenance_window(actor=request.user, window=window)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, f"Maintenance window for {window.organization.name} ended.")
    return redirect("alerts:windows")
