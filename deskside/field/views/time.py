"""The time pages (agents only), under /field/:

    /field/time/                         my time: the running timer, start and log forms, the
                                         week's entries by day (?week=YYYY-MM-DD)
    /field/time/<id>/edit/               change or delete an entry of an open week
    /field/time/tickets/<number>/        the ticket page's time panel (htmx, one hx-get line)
    /field/timesheets/                   my weeks, and for leads the weeks to decide
    /field/timesheets/<agent>/<day>/     one week by day: submit, approve, return
    /field/billing/                      the billable report (+ CSV) and, for administrators,
                                         the billing rule of each contract
    /field/billing/rules/<contract>/     set or remove a contract's billing rule (admins)

Every form is a plain POST + redirect; the ticket panel's forms swap the panel in place with
htmx and redirect to the ticket without it. Reads go through `field.queries_time`, writes
through `field.services.time`; a service's refusal is shown as a form error or a message.
"""

import csv
import functools
from collections.abc import Callable
from datetime import date, timedelta

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from deskside.accounts.models import User
from deskside.accounts.permissions import agent_required, is_admin
from deskside.accounts.queries import organizations_visible_to
from deskside.core import clock
from deskside.core.exceptions import DomainError
from deskside.core.timezones import zone
from deskside.field.exceptions import InvalidInput
from deskside.field.forms.time import (
    EntryForm,
    LogForm,
    ReportForm,
    ReturnForm,
    RuleForm,
    TimerForm,
)
from deskside.field.models import BillingRule, TimeEntry, Timesheet, TimesheetStatus, Visit
from deskside.field.queries import time as tq
from deskside.field.queries import visits_visible_to
from deskside.field.services import time as services
from deskside.sla.queries import contracts_visible_to
from deskside.tickets.models import Ticket, parse_number
from deskside.tickets.queries import ticket_for, visible_tickets


def _today(user: User) -> date:
    return services.local_day(user, clock.now())


class FarOffDate(InvalidInput):
    """A week's date out of 1900 to 9000 in the address: answered 400 naming the field."""

    status_code = 400


def _dated(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Answer a far-off date in the address (`?week=`, a timesheet's day) with 400 naming it,
    instead of letting the week's days or its previous / next links overflow."""

    @functools.wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        try:
            return view(request, *args, **kwargs)
        except FarOffDate as exc:
            return HttpResponse(
                f"{exc.field}: {exc.message}", status=400, content_type="text/plain; charset=utf-8"
            )

    return wrapper


def _in_range(day: date, field: str) -> date:
    try:
        return services.check_day(day, field)
    except InvalidInput as exc:
        raise FarOffDate(exc.message, field=field) from None


def _week_param(request: HttpRequest, user: User) -> date:
    try:
        day = date.fromisoformat((request.GET.get("week") or "")[:10])
    except ValueError:
        day = _today(user)
    return services.week_start(_in_range(day, "week"))


def _ticket_from_form(user: User, number: str) -> Ticket | None:
    number = (number or "").strip()
    if not number:
        return None
    pk = parse_number(number)
    ticket = visible_tickets(user).filter(pk=pk).first() if pk else None
    if ticket is None:
        raise InvalidInput(f"no ticket {number}", field="ticket")
    return ticket


def _visit_from_form(user: User, ticket: Ticket | None, public_id: str) -> Visit | None:
    if not public_id:
        return None
    visit = visits_visible_to(user).filter(public_id=public_id).first()
    if visit is None or (ticket is not None and visit.ticket_id != ticket.pk):
        raise InvalidInput("no such visit of this ticket", field="visit")
    return visit


def _ticket_visits(user: User, ticket: Ticket) -> list[Visit]:
    return list(
        visits_visible_to(user).filter(ticket=ticket).select_related("site").order_by("-id")[:20]
    )


# -- my time ----------------------------------------------------------------------------------


def _home(
    request: HttpRequest,
    *,
    timer_form: TimerForm | None = None,
    log_form: LogForm | None = None,
    status: int = 200,
) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    monday = _week_param(request, user)
    context = {
        "week": tq.week(user, user, monday),
        "running": services.running_entry(user),
        "timer_form": timer_form or TimerForm(),
        "log_form": log_form or LogForm(initial={"date": _today(user)}),
        "previous_week": monday - timedelta(days=7),
        "next_week": monday + timedelta(days=7),
        "this_week": services.week_start(_today(user)),
    }
    return render(request, "field/time.html", context, status=status)


@require_safe
@agent_required
@_dated
def time_home(request: HttpRequest) -> HttpResponse:
    """My time: the running timer, start and log forms, and the week's entries by day."""
    return _home(request)


@require_POST
@agent_required
@_dated
def time_start(request: HttpRequest) -> HttpResponse:
    form = TimerForm(request.POST)
    if form.is_valid():
        try:
            ticket = _ticket_from_form(request.user, form.cleaned_data["ticket"])
            services.start_timer(
                request.user,
                ticket=ticket,
                kind=form.cleaned_data["kind"],
                note=form.cleaned_data["note"],
            )
        except DomainError as exc:
            form.add_service_error(exc)
        else:
            messages.success(request, "Timer started.")
            return redirect("field:time")
    return _home(request, timer_form=form, status=400)


@require_POST
@agent_required
@_dated
def time_stop(request: HttpRequest) -> HttpResponse:
    try:
        entry = services.stop_timer(request.user)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, f"Timer stopped: {entry.minutes} min.")
    return redirect("field:time")


@require_POST
@agent_required
@_dated
def time_log(request: HttpRequest) -> HttpResponse:
    form = LogForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.log_time(
                request.user,
                ticket=_ticket_from_form(request.user, data["ticket"]),
                kind=data["kind"],
                day=data["date"],
                start=data["start"],
                minutes=data["minutes"],
                note=data["note"],
            )
        except DomainError as exc:
            form.add_service_error(exc)
        else:
            messages.success(request, f"{data['minutes']} min logged.")
            return redirect(f"{reverse('field:time')}?week={data['date'].isoformat()}")
    return _home(request, log_form=form, status=400)


def _own_entry(request: HttpRequest, public_id: str) -> TimeEntry:
    entry = tq.entry_for(request.user, public_id)
    if entry is None or entry.agent_id != request.user.pk:
        raise Http404("no such entry of yours")
    return entry


@require_http_methods(["GET", "HEAD", "POST"])
@agent_required
def entry_edit(request: HttpRequest, public_id: str) -> HttpResponse:
    """Change (or delete) one of my entries while its week is open or returned."""
    entry = _own_entry(request, public_id)
    user: User = request.user  # type: ignore[assignment]
    local = entry.started_at.astimezone(zone(user.timezone))
    initial = {
        "kind": entry.kind,
        "date": local.date(),
        "start": local.time().replace(second=0, microsecond=0),
        "minutes": entry.minutes,
        "note": entry.note,
    }
    form = EntryForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.update_entry(
                user,
                entry,
                kind=data["kind"],
                day=data["date"],
                start=data["start"],
                minutes=data["minutes"],
                note=data["note"],
            )
        except DomainError as exc:
            form.add_service_error(exc)
        else:
            messages.success(request, "Entry changed.")
            return redirect(f"{reverse('field:time')}?week={data['date'].isoformat()}")
    editable = entry.timesheet is None or entry.timesheet.status in services.EDITABLE
    return render(
        request, "field/time_entry.html", {"entry": entry, "form": form, "editable": editable}
    )


@require_POST
@agent_required
def entry_delete(request: HttpRequest, public_id: str) -> HttpResponse:
    entry = _own_entry(request, public_id)
    week = services.local_day(request.user, entry.started_at)
    try:
        services.delete_entry(request.user, entry)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, "Entry deleted.")
    return redirect(f"{reverse('field:time')}?week={week.isoformat()}")


# -- the ticket panel -------------------------------------------------------------------------


def _panel(request: HttpRequest, ticket: Ticket, *, form: LogForm | None = None) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    visits = _ticket_visits(user, ticket)
    running = services.running_entry(user)
    context = {
        "ticket": ticket,
        "totals": tq.ticket_minutes(user, ticket.pk),
        "running": running,
        "running_here": running is not None and running.ticket_id == ticket.pk,
        "timer_form": TimerForm(visits=visits, fixed_ticket=True),
        "log_form": form
        or LogForm(visits=visits, fixed_ticket=True, initial={"date": _today(user)}),
    }
    return render(request, "field/time_ticket_panel.html", context)


def _after_panel_post(request: HttpRequest, ticket: Ticket) -> HttpResponse:
    if request.htmx:  # type: ignore[attr-defined]
        return _panel(request, ticket)
    return redirect(ticket)


@require_safe
@agent_required
def ticket_panel(request: HttpRequest, number: str) -> HttpResponse:
    """The ticket page's time panel: the ticket's total, start/stop, log a duration."""
    return _panel(request, ticket_for(request.user, number))


@require_POST
@agent_required
def ticket_start(request: HttpRequest, number: str) -> HttpResponse:
    ticket = ticket_for(request.user, number)
    form = TimerForm(request.POST, visits=_ticket_visits(request.user, ticket), fixed_ticket=True)
    if form.is_valid():
        try:
            services.start_timer(
                request.user,
                ticket=ticket,
                visit=_visit_from_form(request.user, ticket, form.cleaned_data.get("visit", "")),
                kind=form.cleaned_data["kind"],
                note=form.cleaned_data["note"],
            )
        except DomainError as exc:
            messages.error(request, exc.message)
    else:
        messages.error(request, "Choose a kind of time to start the timer.")
    return _after_panel_post(request, ticket)


@require_POST
@agent_required
def ticket_stop(request: HttpRequest, number: str) -> HttpResponse:
    ticket = ticket_for(request.user, number)
    try:
        services.stop_timer(request.user)
    except DomainError as exc:
        messages.error(request, exc.message)
    return _after_panel_post(request, ticket)


@require_POST
@agent_required
def ticket_log(request: HttpRequest, number: str) -> HttpResponse:
    ticket = ticket_for(request.user, number)
    form = LogForm(request.POST, visits=_ticket_visits(request.user, ticket), fixed_ticket=True)
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.log_time(
                request.user,
                ticket=ticket,
                visit=_visit_from_form(request.user, ticket, data.get("visit", "")),
                kind=data["kind"],
                day=data["date"],
                start=data["start"],
                minutes=data["minutes"],
                note=data["note"],
            )
        except DomainError as exc:
            form.add_service_error(exc)
        else:
            return _after_panel_post(request, ticket)
    if request.htmx:  # type: ignore[attr-defined]
        return _panel(request, ticket, form=form)
    messages.error(request, "; ".join(e for errs in form.errors.values() for e in errs))
    return redirect(ticket)


# -- timesheets -------------------------------------------------------------------------------


@require_safe
@agent_required
def timesheets(request: HttpRequest) -> HttpResponse:
    """My weeks (this one first), and the submitted weeks I may decide."""
    user: User = request.user  # type: ignore[assignment]
    this_week = services.week_start(_today(user))
    context = {
        "current": tq.week(user, user, this_week),
        "recent": tq.recent_timesheets(user),
        "pending": tq.timesheets_to_decide(user),
        "is_lead": tq.is_lead(user),
    }
    return render(request, "field/timesheets.html", context)


def _week_of(request: HttpRequest, agent_id: str, day: str) -> tuple[User, date]:
    try:
        parsed = date.fromisoformat(day)
    except ValueError:
        raise Http404("no such week") from None
    monday = services.week_start(_in_range(parsed, "day"))
    person = User.objects.filter(public_id=agent_id, kind=User.Kind.AGENT).first()
    if person is None or not tq.may_view_week(request.user, person):
        raise Http404("no such timesheet")
    return person, monday


@require_safe
@agent_required
@_dated
def timesheet(request: HttpRequest, agent_id: str, day: str) -> HttpResponse:
    person, monday = _week_of(request, agent_id, day)
    return _timesheet_page(request, person, monday)


def _timesheet_page(
    request: HttpRequest, person: User, monday: date, *, form: ReturnForm | None = None
) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    week = tq.week(user, person, monday)
    context = {
        "week": week,
        "person": person,
        "mine": person.pk == user.pk,
        "may_decide": services.may_approve(user, person)
        and week.status == TimesheetStatus.SUBMITTED,
        "return_form": form or ReturnForm(),
        "previous_week": monday - timedelta(days=7),
        "next_week": monday + timedelta(days=7),
    }
    return render(request, "field/timesheet.html", context, status=400 if form else 200)


def _sheet(person: User, monday: date) -> Timesheet:
    return services.timesheet_for(person, monday)


@require_POST
@agent_required
@_dated
def timesheet_submit(request: HttpRequest, agent_id: str, day: str) -> HttpResponse:
    person, monday = _week_of(request, agent_id, day)
    try:
        services.submit_timesheet(request.user, _sheet(person, monday))
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, "Week submitted for approval.")
    return redirect("field:timesheet", person.public_id, monday.isoformat())


@require_POST
@agent_required
@_dated
def timesheet_approve(request: HttpRequest, agent_id: str, day: str) -> HttpResponse:
    person, monday = _week_of(request, agent_id, day)
    try:
        services.approve_timesheet(request.user, _sheet(person, monday))
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, f"Week of {person} approved.")
    return redirect("field:timesheet", person.public_id, monday.isoformat())


@require_POST
@agent_required
@_dated
def timesheet_return(request: HttpRequest, agent_id: str, day: str) -> HttpResponse:
    person, monday = _week_of(request, agent_id, day)
    form = ReturnForm(request.POST)
    if form.is_valid():
        try:
            services.return_timesheet(
                request.user, _sheet(person, monday), note=form.cleaned_data["note"]
            )
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, f"Week of {person} returned.")
        return redirect("field:timesheet", person.public_id, monday.isoformat())
    return _timesheet_page(request, person, monday, form=form)


# -- billing ----------------------------------------------------------------------------------


def _report_form(request: HttpRequest) -> ReportForm:
    user: User = request.user  # type: ignore[assignment]
    clients = organizations_visible_to(user).filter(is_msp=False).order_by("name")
    data = request.GET if "start" in request.GET else ReportForm.defaults(_today(user))
    return ReportForm(data, clients=clients)


def _report(request: HttpRequest, form: ReportForm) -> tq.Report:
    data = form.cleaned_data
    org = None
    if data.get("client"):
        org = organizations_visible_to(request.user).filter(slug=data["client"]).first()
    return tq.billable_report(
        request.user,
        start=data["start"],
        end=data["end"],
        organization_id=org.pk if org else None,
        approved_only=data.get("scope") != "all",
    )


@require_safe
@agent_required
def billing(request: HttpRequest) -> HttpResponse:
    """The billable report (per client, ticket and agent; CSV) and the billing rules."""
    user: User = request.user  # type: ignore[assignment]
    form = _report_form(request)
    report = _report(request, form) if form.is_valid() else None
    context = {
        "form": form,
        "report": report,
        "csv_query": request.GET.urlencode() if "start" in request.GET else "",
        "is_admin": is_admin(user),
        "rules": tq.contracts_with_rules(user),
    }
    return render(request, "field/time_billing.html", context, status=200 if report else 400)


@require_safe
@agent_required
def billing_csv(request: HttpRequest) -> HttpResponse:
    """The report's lines for invoicing, as CSV."""
    form = _report_form(request)
    if not form.is_valid():
        text = "; ".join(f"{k}: {', '.join(v)}" for k, v in form.errors.items())
        return HttpResponse(text, status=400, content_type="text/plain; charset=utf-8")
    report = _report(request, form)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = (
        f'attachment; filename="billable-{report.start:%Y%m%d}-{report.end:%Y%m%d}.csv"'
    )
    csv.writer(response).writerows(tq.csv_rows(report))
    return response


@require_http_methods(["GET", "HEAD", "POST"])
@agent_required
def billing_rule(request: HttpRequest, public_id: str) -> HttpResponse:
    """Set (or remove) a contract's billing rule: administrators who serve its client."""
    user: User = request.user  # type: ignore[assignment]
    contract = contracts_visible_to(user).filter(public_id=public_id).first()
    if contract is None:
        raise Http404("no such contract")
    if not is_admin(user):
        messages.error(request, "Only administrators change billing rules.")
        return redirect("field:billing")
    rule = BillingRule.objects.filter(contract=contract).first()
    initial = (
        {
            "hourly_rate": rule.hourly_rate,
            "currency": rule.currency,
            "bill_travel": rule.bill_travel,
            "round_up_to_minutes": rule.round_up_to_minutes,
        }
        if rule
        else None
    )
    form = RuleForm(request.POST or None, initial=initial)
    if request.method == "POST":
        try:
            if request.POST.get("action") == "delete":
                services.delete_billing_rule(user, contract)
                messages.success(request, f"The billing rule of {contract.name} was removed.")
                return redirect("field:billing")
            if form.is_valid():
                services.set_billing_rule(user, contract, **form.cleaned_data)
                messages.success(request, f"The billing rule of {contract.name} was saved.")
                return redirect("field:billing")
        except DomainError as exc:
            form.add_service_error(exc)
    return render(
        request,
        "field/time_rule.html",
        {"contract": contract, "rule": rule, "form": form},
        status=400 if request.method == "POST" else 200,
    )
