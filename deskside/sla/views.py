"""The SLA pages for agents, mounted at /sla/ (namespace "sla"): business calendars (list,
create, edit, import, export as JSON), contracts with their targets per priority, and the SLA
report of one client.

Every agent may read these pages; only agents with the admin role (`is_staff`) may change
anything: their POSTs (and the pages that only exist to write, new and import) answer 403 to
other agents. Customers are sent to the portal (403 for a POST), as on every agent page.
Views parse with `forms.py`, read through `queries.py` and write through `services.py`; a
service error becomes a form error on the same page, with everything typed kept.
"""

import json
import zoneinfo
from datetime import timedelta

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Prefetch, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.text import slugify
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from deskside.accounts.models import Organization, User
from deskside.accounts.permissions import agent_required, is_admin
from deskside.accounts.queries import organizations_visible_to
from deskside.core import clock, timezones, versioning
from deskside.core.views import page_number, paginate
from deskside.sla import retiming, services
from deskside.sla.exceptions import SlaError
from deskside.sla.forms import (
    WEEKDAY_LABELS,
    CalendarForm,
    CalendarImportForm,
    ContractForm,
    ReportPeriodForm,
    show_periods,
)
from deskside.sla.models import Calendar, Contract, Retiming, SLATarget
from deskside.sla.queries import (
    calendars_visible_to,
    contract_for,
    contracts_visible_to,
    sla_report,
)

CALENDAR_PAGE = 100
CONTRACT_PAGE = 100
RETIMED = "Due times of {n} open ticket{s} recomputed."


def _require_admin(user: User) -> None:
    if not is_admin(user):
        raise PermissionDenied("only administrators may change calendars and contracts")


def _retimed(request: HttpRequest, saved: str, count: int, pending: Retiming | None = None) -> None:
    note = f" {RETIMED.format(n=count, s='' if count == 1 else 's')}" if count else ""
    if pending is not None:
        note += (
            f" {pending.total - pending.done} more open tickets are being recomputed in the"
            " background (progress below)."
        )
    messages.success(request, f"{saved}.{note}")


def _readonly(form: CalendarForm | ContractForm) -> None:
    for field in form.fields.values():
        field.disabled = True


def _zone_names() -> list[str]:
    return sorted(zoneinfo.available_timezones())


def weekly_summary(calendar: Calendar) -> str:
    """ "Mon–Fri 08:00-17:00" style text of a calendar's week (consecutive equal days merged)."""
    data = calendar.spec.to_json()
    if data.get("24x7"):
        return "24x7"
    runs: list[tuple[str, str, str]] = []
    for day, label in WEEKDAY_LABELS.items():
        hours = show_periods(data["weekly"][day])  # type: ignore[index]
        if runs and runs[-1][2] == hours:
            runs[-1] = (runs[-1][0], label[:3], hours)
        else:
            runs.append((label[:3], label[:3], hours))
    parts = [
        f"{first}{'–' + last if last != first else ''} {hours}"
        for first, last, hours in runs
        if hours
    ]
    return "; ".join(parts) or "closed"


# -- calendars ---------------------------------------------------------------------------------


def _calendar_or_404(user: User, public_id: str) -> Calendar:
    calendar = calendars_visible_to(user).filter(public_id=public_id).first()
    if calendar is None:
        raise Http404("no such calendar")
    return calendar


@agent_required
@require_GET
def calendars_view(request: HttpRequest) -> HttpResponse:
    qs = calendars_visible_to(request.user).annotate(contract_count=Count("contracts"))
    page = paginate(qs, page_number(request.GET.get("page")), CALENDAR_PAGE)
    rows = [(c, weekly_summary(c)) for c in page.rows]
    return render(request, "sla/calendars.html", {"page": page, "rows": rows})


@agent_required
@require_http_methods(["GET", "POST"])
def calendar_new(request: HttpRequest) -> HttpResponse:
    _require_admin(request.user)
    if request.method != "POST":
        form = CalendarForm(initial={"timezone": request.user.timezone or "UTC"})
        return _calendar_page(request, form, None)
    form = CalendarForm(request.POST)
    if form.is_valid():
        try:
            calendar = services.create_calendar(
                actor=request.user, name=form.cleaned_data["name"], definition=form.definition
            )
        except SlaError as error:
            form.add_service_error(error)
        else:
            messages.success(request, f"Calendar {calendar.name} created.")
            return redirect("sla:calendar", calendar.public_id)
    return _calendar_page(request, form, None, status=422)


@agent_required
@require_http_methods(["GET", "POST"])
def calendar_detail(request: HttpRequest, public_id: str) -> HttpResponse:
    calendar = _calendar_or_404(request.user, public_id)
    if request.method != "POST":
        form = CalendarForm(initial=CalendarForm.initial_for(calendar))
        if not is_admin(request.user):
            _readonly(form)
        return _calendar_page(request, form, calendar)
    _require_admin(request.user)
    form = CalendarForm(request.POST)
    if form.is_valid():
        try:
            saved = services.update_calendar(
                actor=request.user,
                calendar=calendar,
                name=form.cleaned_data["name"],
                definition=form.definition,
                version=form.cleaned_data["version"],
            )
        except versioning.VersionConflict as error:
            current = _calendar_or_404(request.user, public_id)
            shown = CalendarForm.initial_for(current)
            versioning.form_conflict(form, error, shown)
            return _calendar_page(request, form, current, status=409)
        except SlaError as error:
            form.add_service_error(error)
        else:
            _retimed(
                request, f"Calendar {saved.calendar.name} saved", saved.retimed, saved.retiming
            )
            return redirect("sla:calendar", calendar.public_id)
    return _calendar_page(request, form, calendar, status=422)


def _calendar_page(
    request: HttpRequest, form: CalendarForm, calendar: Calendar | None, *, status: int = 200
) -> HttpResponse:
    used_by = (
        list(
            Contract.objects.filter(Q(calendar=calendar) | Q(targets__calendar=calendar))
            .distinct()
            .order_by("name")
        )
        if calendar
        else []
    )
    return render(
        request,
        "sla/calendar.html",
        {
            "form": form,
            "calendar": calendar,
            "retimings": retiming.pending_for(calendar=calendar) if calendar else [],
            "weekdays": [form[day] for day in WEEKDAY_LABELS],
            "zones": _zone_names(),
            "used_by": used_by,
            "can_edit": is_admin(request.user),
        },
        status=status,
    )


@agent_required
@require_POST
def calendar_delete(request: HttpRequest, public_id: str) -> HttpResponse:
    _require_admin(request.user)
    calendar = _calendar_or_404(request.user, public_id)
    try:
        services.delete_calendar(actor=request.user, calendar=calendar)
    except SlaError as error:
        messages.error(request, error.message)
        return redirect("sla:calendar", calendar.public_id)
    messages.success(request, f"Calendar {calendar.name} deleted.")
    return redirect("sla:calendars")


@agent_required
@require_GET
def calendar_export(request: HttpRequest, public_id: str) -> HttpResponse:
    """The calendar's JSON (the public corpus' layout) as a file download."""
    calendar = _calendar_or_404(request.user, public_id)
    body = json.dumps(calendar.spec.to_json(), indent=2, ensure_ascii=False) + "\n"
    response = HttpResponse(body, content_type="application/json; charset=utf-8")
    filename = f"{slugify(calendar.name) or calendar.public_id}.json"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@agent_required
@require_http_methods(["GET", "POST"])
def calendar_import(request: HttpRequest) -> HttpResponse:
    _require_admin(request.user)
    if request.method != "POST":
        return render(request, "sla/import.html", {"form": CalendarImportForm()})
    form = CalendarImportForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            saved = services.import_calendar(
                actor=request.user,
                text=form.cleaned_data["json"],
                name=form.cleaned_data["name"],
                replace=form.cleaned_data["replace"],
            )
        except SlaError as error:
            form.add_service_error(error)
        else:
            _retimed(
                request, f"Calendar {saved.calendar.name} imported", saved.retimed, saved.retiming
            )
            return redirect("sla:calendar", saved.calendar.public_id)
    return render(request, "sla/import.html", {"form": form}, status=422)


# -- contracts ---------------------------------------------------------------------------------


def _contract_or_404(user: User, public_id: str) -> Contract:
    contract = contracts_visible_to(user).filter(public_id=public_id).first()
    if contract is None:
        raise Http404("no such contract")
    return contract


@agent_required
@require_GET
def contracts_view(request: HttpRequest) -> HttpResponse:
    """The contracts with their targets, and the clients that fall back on the default."""
    qs = contracts_visible_to(request.user).prefetch_related(
        Prefetch("targets", queryset=SLATarget.objects.select_related("calendar"))
    )
    page = paginate(qs, page_number(request.GET.get("page")), CONTRACT_PAGE)
    uncovered = (
        organizations_visible_to(request.user)
        .filter(contract__isnull=True, is_msp=False)
        .order_by("name")
    )
    return render(
        request,
        "sla/contracts.html",
        {
            "page": page,
            "uncovered": uncovered[:200],
            "can_edit": is_admin(request.user),
        },
    )


@agent_required
@require_http_methods(["GET", "POST"])
def contract_new(request: HttpRequest) -> HttpResponse:
    _require_admin(request.user)
    user = request.user
    if request.method != "POST":
        initial = {"organization": request.GET.get("organization", ""), "warning_percent": 75}
        form = ContractForm(initial=initial, user=user)
        return _contract_page(request, form, None)
    form = ContractForm(request.POST, user=user)
    if form.is_valid():
        try:
            saved = services.create_contract(actor=user, **form.values(), targets=form.targets())
        except SlaError as error:
            form.add_service_error(error)
        else:
            _retimed(
                request, f"Contract {saved.contract.name} created", saved.retimed, saved.retiming
            )
            return redirect("sla:contract", saved.contract.public_id)
    return _contract_page(request, form, None, status=422)


@agent_required
@require_http_methods(["GET", "POST"])
def contract_detail(request: HttpRequest, public_id: str) -> HttpResponse:
    user = request.user
    contract = _contract_or_404(user, public_id)
    if request.method != "POST":
        form = ContractForm(initial=ContractForm.initial_for(contract), user=user)
        if not is_admin(user):
            _readonly(form)
        return _contract_page(request, form, contract)
    _require_admin(user)
    form = ContractForm(request.POST, user=user)
    if form.is_valid():
        try:
            saved = services.update_contract(
                actor=user,
                contract=contract,
                version=form.cleaned_data["version"],
                **form.values(),
                targets=form.targets(),
            )
        except versioning.VersionConflict as error:
            current = _contract_or_404(user, public_id)
            versioning.form_conflict(form, error, ContractForm.initial_for(current))
            return _contract_page(request, form, current, status=409)
        except SlaError as error:
            form.add_service_error(error)
        else:
            _retimed(
                request, f"Contract {saved.contract.name} saved", saved.retimed, saved.retiming
            )
            return redirect("sla:contract", contract.public_id)
    return _contract_page(request, form, contract, status=422)


def _contract_page(
    request: HttpRequest, form: ContractForm, contract: Contract | None, *, status: int = 200
) -> HttpResponse:
    clients: list[Organization] = []
    if contract is not None and contract.is_default:
        clients = list(
            organizations_visible_to(request.user)
            .filter(contract__isnull=True, is_msp=False)
            .order_by("name")[:200]
        )
    return render(
        request,
        "sla/contract.html",
        {
            "form": form,
            "contract": contract,
            "retimings": retiming.pending_for(contract=contract) if contract else [],
            "clients": clients,
            "can_edit": is_admin(request.user),
        },
        status=status,
    )


# -- the per-client report ---------------------------------------------------------------------


@agent_required
@require_GET
def client_report(request: HttpRequest, slug: str) -> HttpResponse:
    """Met and breached targets per priority of one client's tickets created in a period
    (default: the last 30 days)."""
    organization = organizations_visible_to(request.user).filter(slug=slug).first()
    if organization is None:
        raise Http404("no such client")
    zone = timezones.zone(organization.timezone)
    form = ReportPeriodForm(request.GET or None)
    since, until = form.period(zone, clock.now())
    report = sla_report(organization, since=since, until=until)
    return render(
        request,
        "sla/report.html",
        {
            "organization": organization,
            "form": form,
            "report": report,
            "contract": contract_for(organization),
            "zone": zone,
            "last_day": (until - _TICK).astimezone(zone),
        },
        status=422 if form.errors else 200,
    )


_TICK = timedelta(microseconds=1)  # the instant before `until`, for "to <date>" text
