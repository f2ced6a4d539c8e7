"""The triage pages: /triage/ (administrators: the model's accuracy against the baseline, its
runs, the auto-apply per field, "train now"), the suggestion panel beside the intake form (an
htmx fragment) and "Accept" on a new ticket's page.

Agents only (customers go to the portal; 403 for a POST); the /triage/ page and its POSTs are
for administrators. No business logic: services decide, forms parse.
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST
from django_htmx.http import trigger_client_event

from deskside.accounts.models import Organization, User
from deskside.accounts.permissions import agent_required, is_admin
from deskside.accounts.queries import served_organization_ids
from deskside.core.exceptions import DomainError
from deskside.tickets.models import Ticket, parse_number
from deskside.triage import queries, services, suggestions
from deskside.triage.forms import AcceptForm, SettingForm, SuggestForm
from deskside.triage.models import FIELDS, MIN_HISTORY

MIN_TEXT = 3  # characters typed before the panel asks the model


def _require_admin(user: User) -> None:
    if not is_admin(user):
        raise PermissionDenied("administrators only")


@agent_required
@require_GET
def index(request: HttpRequest) -> HttpResponse:
    _require_admin(request.user)
    ready = queries.ready_models().defer("blob").first()
    figures = (ready.metrics if ready else {}) or {}
    settings_ = queries.field_settings()
    rows = [
        {
            "field": name,
            "figures": figures.get(name),
            "setting": settings_[name],
            "form": SettingForm(
                initial={
                    "auto_apply": settings_[name].auto_apply,
                    "threshold": settings_[name].threshold,
                },
                prefix=name,
            ),
        }
        for name in FIELDS
    ]
    context = {
        "ready": ready,
        "rows": rows,
        "runs": queries.runs()[:5],
        "schedule": services.schedule(),
        "min_history": MIN_HISTORY,
    }
    return render(request, "triage/index.html", context)


@agent_required
@require_POST
def set_field(request: HttpRequest, field: str) -> HttpResponse:
    _require_admin(request.user)
    if field not in FIELDS:
        raise Http404("no such field")
    form = SettingForm(request.POST, prefix=field)
    if form.is_valid():
        try:
            services.set_field(
                actor=request.user,
                field=field,
                auto_apply=form.cleaned_data["auto_apply"],
                threshold=form.cleaned_data["threshold"],
            )
        except DomainError as error:
            messages.error(request, f"{field}: {error.message}")
        else:
            messages.success(request, f"Auto-apply of the {field} saved.")
    else:
        for errors in form.errors.values():
            messages.error(request, f"{field}: {' '.join(errors)}")
    return redirect("triage:index")


@agent_required
@require_POST
def train(request: HttpRequest) -> HttpResponse:
    _require_admin(request.user)
    services.request_training(actor=request.user)
    messages.success(request, "Training requested: the worker starts it within a minute.")
    return redirect("triage:index")


def _organization(user: User, slug: str) -> Organization | None:
    """The client of that slug, if `user` serves it."""
    organization = Organization.objects.filter(slug=slug).first() if slug else None
    ids = served_organization_ids(user)
    if organization is None or (ids is not None and organization.pk not in ids):
        return None
    return organization


@agent_required
@require_GET
def suggest(request: HttpRequest) -> HttpResponse:
    """The suggestion panel for what the intake form holds (htmx GET on typing)."""
    form = SuggestForm(request.GET)
    found = None
    organization = None
    if form.is_valid():
        data = form.cleaned_data
        organization = _organization(request.user, data["organization"])
        text = f"{data['subject']} {data['description']}".strip()
        if organization is not None and len(text) >= MIN_TEXT:
            found = suggestions.suggest(
                organization=organization,
                subject=data["subject"],
                description=data["description"],
            )
    context = {"found": found, "organization": organization, "asked": form.is_valid()}
    return render(request, "triage/_intake_panel.html", context)


def _ticket(user: User, number: str) -> Ticket:
    pk = parse_number(number)
    ticket = queries.triageable(user).filter(pk=pk).first() if pk is not None else None
    if ticket is None:
        raise Http404("no such ticket")
    return ticket


@agent_required
@require_POST
def accept(request: HttpRequest, number: str) -> HttpResponse:
    """Accept one suggestion on a ticket; back to the ticket (htmx: it reloads in place)."""
    ticket = _ticket(request.user, number)
    form = AcceptForm(request.POST)
    if not form.is_valid():
        messages.error(request, "That suggestion could not be read; nothing was changed.")
    else:
        field, value = form.cleaned_data["field"], form.cleaned_data["value"]
        try:
            services.accept(actor=request.user, ticket=ticket, field=field, value=value)
        except DomainError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, f"Triage suggestion accepted: {field} {value}.")
    response = redirect(ticket.get_absolute_url())
    if request.htmx:
        response = HttpResponse(status=204)
        trigger_client_event(response, "ticket-changed")
    return response
