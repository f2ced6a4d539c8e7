"""The recurring schedule pages (agents only; customers are sent to the portal, 403 for a
POST), mounted under /recurring/ (namespace "recurring"):

- `/recurring/`: the schedules of the clients the viewer serves, per client: the rule, the
  next run in the schedule's (the client's) time, the last ticket, paused or running;
- `/recurring/new/`: create, with the preview of the next occurrences (htmx: POST
  `/recurring/preview/` on each change; without JavaScript, the form's "Preview" button);
- `/recurring/<id>/`: one schedule: its template, the next occurrences, the history of its
  occurrences with links to their tickets, pause or resume (POST `pause/`, `resume/`), and
  why the system paused it when it did;
- `/recurring/<id>/edit/`: change it (same form and preview).

A schedule of a client the viewer does not serve is a 404. A service error is a form error on
the same page (status 400, 403 or 409 as the error says).
"""

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from deskside.accounts.models import User
from deskside.accounts.permissions import agent_required
from deskside.core import clock
from deskside.core.views import page_number, paginate
from deskside.recurring import queries, rules, services
from deskside.recurring.exceptions import RecurringError
from deskside.recurring.forms import PreviewForm, ScheduleForm, initial_of
from deskside.recurring.models import Schedule
from deskside.recurring.services import ScheduleData
from deskside.tickets.models import format_number

PREVIEW_COUNT = 5


def _schedule(request: HttpRequest, public_id: str) -> Schedule:
    found = queries.schedule_for(request.user, public_id)  # type: ignore[arg-type]
    if found is None:
        raise Http404("no such schedule")
    return found


def _preview(form: PreviewForm) -> dict:
    """The next occurrences of a bound form's timing, or the error that prevents them."""
    if not form.is_valid():
        return {"preview_error": "Fill in the client, the rule and the first occurrence."}
    data = form.cleaned_data
    zone_name = data.get("timezone") or data["organization"].timezone
    try:
        rule = rules.validate(data["rule"], data["starts_at_local"], zone_name)
    except RecurringError as exc:
        return {"preview_error": exc.message, "preview_field": exc.field}
    tz = rules.parse_zone(zone_name)
    after = max(clock.now(), rules.localise(data["starts_at_local"], tz) - rules.SECOND)
    return {
        "preview": rules.upcoming(rule, tz, after, PREVIEW_COUNT),
        "preview_zone": tz.key,
        "preview_text": rules.describe(data["rule"]),
    }


@agent_required
@require_GET
def index(request: HttpRequest) -> HttpResponse:
    viewer: User = request.user  # type: ignore[assignment]
    client = request.GET.get("client") or None
    page = paginate(
        queries.schedule_list(viewer, client=client).select_related("checklist"),
        page_number(request.GET.get("page")),
    )
    rows = [
        {
            "schedule": s,
            "rule_text": rules.describe(s.rule),
            "last_ticket": format_number(s.last_ticket_id) if s.last_ticket_id else "",
        }
        for s in page.rows
    ]
    return render(
        request,
        "recurring/index.html",
        {"page": page, "rows": rows, "client": client},
    )


def _form_page(
    request: HttpRequest, form: ScheduleForm, schedule: Schedule | None, extra: dict, status: int
) -> HttpResponse:
    return render(
        request, "recurring/form.html", {"form": form, "schedule": schedule, **extra}, status=status
    )


def _save(request: HttpRequest, schedule: Schedule | None) -> HttpResponse:
    actor: User = request.user  # type: ignore[assignment]
    form = ScheduleForm(request.POST, user=actor, schedule=schedule, initial=_initial(schedule))
    if request.POST.get("action") == "preview":
        return _form_page(request, form, schedule, _preview(form), 200)
    if not form.is_valid():
        return _form_page(request, form, schedule, {}, 400)
    fields = form.schedule_fields()
    try:
        if schedule is None:
            org = form.cleaned_data["organization"]
            schedule = services.create_schedule(
                actor=actor, data=ScheduleData(organization=org, **fields)
            )
            done = f"Schedule “{schedule.name}” created."
        else:
            schedule = services.update_schedule(actor=actor, schedule=schedule, **fields)
            done = f"Schedule “{schedule.name}” saved."
    except RecurringError as exc:
        form.add_service_error(exc)
        return _form_page(request, form, schedule, {}, exc.status_code)
    messages.success(request, done)
    return redirect("recurring:schedule", schedule.public_id)


def _initial(schedule: Schedule | None) -> dict:
    return initial_of(schedule) if schedule is not None else {}


@agent_required
@require_http_methods(["GET", "POST"])
def new(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        return _save(request, None)
    initial = {}
    if client := queries.client_for(request.user, request.GET.get("client", "")):  # type: ignore[arg-type]
        initial = {"organization": client, "timezone": client.timezone}
    form = ScheduleForm(user=request.user, initial=initial)  # type: ignore[arg-type]
    return _form_page(request, form, None, {}, 200)


@agent_required
@require_http_methods(["GET", "POST"])
def edit(request: HttpRequest, public_id: str) -> HttpResponse:
    schedule = _schedule(request, public_id)
    if request.method == "POST":
        return _save(request, schedule)
    form = ScheduleForm(user=request.user, schedule=schedule, initial=initial_of(schedule))  # type: ignore[arg-type]
    return _form_page(request, form, schedule, {}, 200)


@agent_required
@require_POST
def preview(request: HttpRequest) -> HttpResponse:
    """The htmx fragment: the next occurrences of the form's timing as typed so far."""
    form = PreviewForm(request.POST, user=request.user)  # type: ignore[arg-type]
    return render(request, "recurring/_preview.html", _preview(form))


@agent_required
@require_GET
def schedule_page(request: HttpRequest, public_id: str) -> HttpResponse:
    schedule = _schedule(request, public_id)
    return _detail(request, schedule, "", 200)


def _detail(request: HttpRequest, schedule: Schedule, error: str, status: int) -> HttpResponse:
    tz = rules.parse_zone(schedule.timezone)
    upcoming = (
        rules.upcoming(services.parsed(schedule), tz, clock.now(), PREVIEW_COUNT)
        if schedule.is_active
        else []
    )
    history = paginate(queries.occurrences(schedule), page_number(request.GET.get("page")))
    return render(
        request,
        "recurring/schedule.html",
        {
            "schedule": schedule,
            "zone": tz.key,
            "rule_text": rules.describe(schedule.rule),
            "starts_local": rules.wall_clock(schedule.starts_at_local),
            "upcoming": upcoming,
            "history": history,
            "paused_reason": services.pause_reason(schedule),
            "owner_problem": services.can_open(schedule.created_by, schedule.organization)
            if schedule.is_active
            else "",
            "error": error,
        },
        status=status,
    )


@agent_required
@require_POST
def change(request: HttpRequest, public_id: str, action: str) -> HttpResponse:
    schedule = _schedule(request, public_id)
    actor: User = request.user  # type: ignore[assignment]
    step = {"pause": services.pause_schedule, "resume": services.resume_schedule}.get(action)
    if step is None:
        raise Http404("no such change")
    try:
        schedule = step(actor=actor, schedule=schedule)
    except RecurringError as exc:
        return _detail(request, _schedule(request, public_id), exc.message, exc.status_code)
    messages.success(
        request, f"Schedule “{schedule.name}” {'paused' if action == 'pause' else 'resumed'}."
    )
    return redirect("recurring:schedule", schedule.public_id)
