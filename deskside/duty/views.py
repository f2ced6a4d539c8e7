"""The on-call pages for agents, mounted at /oncall/ (namespace "duty"): the schedules with who
is on call now, a schedule's calendar, layers, overrides and swaps, the report of gaps and
hours per person, and the iCalendar feeds (the only URLs here without a login: their token is
the secret).

Every agent reads every schedule; administrators (`is_staff`) change schedules and layers;
any agent may add an override for themselves and propose a swap of their own shifts; the swap
partner accepts or declines. Customers are sent to the portal (403 for a POST), as on every
agent page. A service error becomes a form error on the same page.
"""

import hmac
from datetime import date, datetime, timedelta

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import (
    require_GET,
    require_http_methods,
    require_POST,
    require_safe,
)

from deskside.accounts.models import User
from deskside.accounts.permissions import agent_required
from deskside.core import clock, versioning
from deskside.core.baseurl import base_url
from deskside.core.timezones import zone
from deskside.duty import feeds, services
from deskside.duty.exceptions import DutyError
from deskside.duty.forms import (
    DAY_NAMES,
    AtForm,
    LayerForm,
    OverrideForm,
    PeriodForm,
    ScheduleForm,
    SwapForm,
    show_days,
)
from deskside.duty.models import Layer, Override, PersonFeed, Schedule, Swap
from deskside.duty.oncall import on_call_at
from deskside.duty.queries import (
    active_agents,
    calendar_days,
    can_edit,
    colour_class,
    member_choices,
    on_call_now,
    report,
    schedules_visible_to,
    swaps_awaiting,
)

CALENDAR_WEEKS = (1, 2, 4)
SWAP_ACTIONS = {
    "accept": (services.accept_swap, "Swap accepted."),
    "decline": (services.decline_swap, "Swap declined."),
    "cancel": (services.cancel_swap, "Swap cancelled."),
}


def rotation_text(layer: Layer) -> str:
    """ "every week", "every 2 days", "every 12 hours"."""
    unit = layer.shift_unit.rstrip("s")
    if layer.shift_length == 1:
        return f"every {unit}"
    return f"every {layer.shift_length} {unit}s"


def _require_admin(request: HttpRequest) -> None:
    if not can_edit(request.user):
        raise PermissionDenied("only administrators change schedules")


def _schedule_or_404(request: HttpRequest, slug: str) -> Schedule:
    schedule = schedules_visible_to(request.user).filter(slug=slug).first()
    if schedule is None:
        raise Http404("no such schedule")
    return schedule


def feed_urls(schedule: Schedule, request: HttpRequest | None = None) -> dict[str, str]:
    path = reverse("duty:schedule_feed", args=[schedule.public_id, schedule.feed_token])
    url = base_url(request) + path
    return {"https": url, "webcal": "webcal://" + url.split("://", 1)[-1]}


def person_feed_urls(feed: PersonFeed, request: HttpRequest | None = None) -> dict[str, str]:
    url = base_url(request) + reverse("duty:person_feed", args=[feed.token])
    return {"https": url, "webcal": "webcal://" + url.split("://", 1)[-1]}


# -- index -------------------------------------------------------------------------------------


@agent_required
@require_GET
def index(request: HttpRequest) -> HttpResponse:
    schedules = list(schedules_visible_to(request.user))
    feed = PersonFeed.objects.filter(user=request.user).first()
    return render(
        request,
        "duty/index.html",
        {
            "rows": on_call_now(schedules),
            "awaiting": list(swaps_awaiting(request.user)),
            "strip_days": [clock.now() + timedelta(days=i) for i in range(7)],
            "feed": feed,
            "feed_urls": person_feed_urls(feed, request) if feed else None,
            "can_edit": can_edit(request.user),
            "now": clock.now(),
        },
    )


@agent_required
@require_POST
def my_feed(request: HttpRequest) -> HttpResponse:
    if request.POST.get("regenerate"):
        services.regenerate_person_feed(actor=request.user)
        messages.success(request, "Your feed has a new address; the old one no longer works.")
    else:
        services.person_feed(actor=request.user)
        messages.success(request, "Your on-call feed is ready: subscribe to it in your calendar.")
    return redirect("duty:index")


# -- schedules ---------------------------------------------------------------------------------


def _schedule_kwargs(form: ScheduleForm) -> dict:
    data = form.cleaned_data
    return {
        "name": data["name"],
        "slug": data["slug"],
        "timezone": data["timezone"],
        "description": data["description"],
        "team": data["team"],
    }


@agent_required
@require_http_methods(["GET", "POST"])
def schedule_new(request: HttpRequest) -> HttpResponse:
    _require_admin(request)
    if request.method != "POST":
        form = ScheduleForm(initial={"timezone": request.user.timezone or "UTC"})
        return render(request, "duty/schedule_form.html", {"form": form, "schedule": None})
    form = ScheduleForm(request.POST)
    if form.is_valid():
        try:
            schedule = services.create_schedule(actor=request.user, **_schedule_kwargs(form))
        except DutyError as error:
            form.add_service_error(error)
        else:
            messages.success(request, f"Schedule {schedule.name} created; now add a layer.")
            return redirect("duty:layer_new", schedule.slug)
    return render(request, "duty/schedule_form.html", {"form": form, "schedule": None}, status=422)


@agent_required
@require_http_methods(["GET", "POST"])
def schedule_edit(request: HttpRequest, slug: str) -> HttpResponse:
    schedule = _schedule_or_404(request, slug)
    _require_admin(request)
    if request.method != "POST":
        form = ScheduleForm(
            initial={
                "name": schedule.name,
                "slug": schedule.slug,
                "timezone": schedule.timezone,
                "description": schedule.description,
                "team": schedule.team,
                "version": schedule.version,
            }
        )
        return render(request, "duty/schedule_form.html", {"form": form, "schedule": schedule})
    form = ScheduleForm(request.POST)
    if form.is_valid():
        try:
            services.update_schedule(
                actor=request.user,
                schedule=schedule,
                version=form.cleaned_data["version"],
                **_schedule_kwargs(form),
            )
        except versioning.VersionConflict as error:
            current = _schedule_or_404(request, slug)
            shown = {
                "name": current.name,
                "slug": current.slug,
                "timezone": current.timezone,
                "description": current.description,
                "team": current.team,
            }
            versioning.form_conflict(form, error, shown)
            return render(
                request,
                "duty/schedule_form.html",
                {"form": form, "schedule": current},
                status=409,
            )
        except DutyError as error:
            form.add_service_error(error)
        else:
            messages.success(request, "Schedule saved.")
            return redirect("duty:schedule", schedule.slug)
    return render(
        request, "duty/schedule_form.html", {"form": form, "schedule": schedule}, status=422
    )


@agent_required
@require_POST
def schedule_delete(request: HttpRequest, slug: str) -> HttpResponse:
    schedule = _schedule_or_404(request, slug)
    _require_admin(request)
    try:
        services.delete_schedule(actor=request.user, schedule=schedule)
    except DutyError as error:
        messages.error(request, error.message)
        return redirect("duty:schedule_edit", schedule.slug)
    messages.success(request, f"Schedule {schedule.name} deleted.")
    return redirect("duty:index")


@agent_required
@require_POST
def schedule_feed_reset(request: HttpRequest, slug: str) -> HttpResponse:
    schedule = _schedule_or_404(request, slug)
    _require_admin(request)
    services.regenerate_schedule_feed(actor=request.user, schedule=schedule)
    messages.success(request, "The feed has a new address; the old one no longer works.")
    return redirect("duty:schedule", schedule.slug)


def _first_day(request: HttpRequest, today: date) -> date:
    try:
        return date.fromisoformat(request.GET.get("start", ""))
    except ValueError:
        return today - timedelta(days=today.weekday())


def _weeks(request: HttpRequest) -> int:
    try:
        weeks = int(request.GET.get("weeks", 2))
    except ValueError:
        return 2
    return weeks if weeks in CALENDAR_WEEKS else 2


def _detail_context(
    request: HttpRequest,
    schedule: Schedule,
    override_form: OverrideForm | None = None,
    swap_form: SwapForm | None = None,
) -> dict:
    tz = zone(schedule.timezone)
    now = clock.now()
    today = now.astimezone(tz).date()
    first_day = _first_day(request, today)
    weeks = _weeks(request)
    days, users = calendar_days(schedule, first_day, weeks * 7, tz)
    at_form = AtForm(request.GET or None)
    at_result = None
    if request.GET.get("at") and at_form.is_valid() and at_form.cleaned_data["at"]:
        at = at_form.cleaned_data["at"]
        at_result = {"at": at, "user": on_call_at(schedule, at)}
    members = member_choices(schedule)
    agents = (
        active_agents() if can_edit(request.user) else active_agents().filter(pk=request.user.pk)
    )
    layers = list(schedule.layers.prefetch_related("members__user"))
    for layer in layers:
        layer.rotation = rotation_text(layer)
        layer.windows = [
            f"{show_days(w.get('days', list(range(7))))} {w['start']}-{w['end']}"
            for w in layer.restrictions
        ]
    swaps = list(
        schedule.swaps.select_related("requester", "partner", "decided_by")
        .filter(ends_at__gte=now - timedelta(days=30))
        .order_by("starts_at", "id")
    )
    for swap in swaps:
        proposed = swap.status == Swap.Status.PROPOSED
        swap.can_decide = proposed and (
            request.user.pk == swap.partner_id or can_edit(request.user)
        )
        swap.can_cancel = swap.status in (Swap.Status.PROPOSED, Swap.Status.ACCEPTED) and (
            request.user.pk == swap.requester_id or can_edit(request.user)
        )
    overrides = list(
        schedule.overrides.select_related("user", "created_by")
        .filter(ends_at__gte=now - timedelta(days=7))
        .order_by("starts_at", "id")
    )
    for override in overrides:
        override.can_delete = can_edit(request.user) or request.user.pk in (
            override.user_id,
            override.created_by_id,
        )
    current = on_call_now([schedule], now)[0]
    return {
        "schedule": schedule,
        "current": current,
        "days": days,
        "legend": [(u, colour_class(u.pk)) for u in sorted(users.values(), key=str)],
        "first_day": first_day,
        "last_day": first_day + timedelta(days=weeks * 7 - 1),
        "prev_day": first_day - timedelta(days=weeks * 7),
        "next_day": first_day + timedelta(days=weeks * 7),
        "this_week": today - timedelta(days=today.weekday()),
        "weeks": weeks,
        "week_choices": CALENDAR_WEEKS,
        "hours": list(range(0, 24, 3)),
        "at_form": at_form,
        "at_result": at_result,
        "layers": layers,
        "overrides": overrides,
        "swaps": swaps,
        "override_form": override_form or OverrideForm(agents=agents),
        "swap_form": swap_form or SwapForm(members=_others(members, request.user)),
        "can_edit": can_edit(request.user),
        "is_member": request.user.pk in {m.pk for m in members},
        "feed_urls": feed_urls(schedule, request),
        "day_names": DAY_NAMES,
        "zone_name": schedule.timezone,
        "agent_zone": timezone.get_current_timezone_name(),
    }


def _others(members: list[User], user: User) -> QuerySet[User]:
    return User.objects.filter(pk__in=[m.pk for m in members if m.pk != user.pk])


@agent_required
@require_GET
def schedule_detail(request: HttpRequest, slug: str) -> HttpResponse:
    schedule = _schedule_or_404(request, slug)
    return render(request, "duty/schedule.html", _detail_context(request, schedule))


# -- layers ------------------------------------------------------------------------------------


def _layer_kwargs(form: LayerForm) -> dict:
    data = form.cleaned_data
    return {
        "name": data["name"],
        "position": data["position"],
        "timezone": data.get("timezone") or "",
        "starts_at": data["starts_at"],
        "ends_at": data.get("ends_at"),
        "shift_length": data["shift_length"],
        "shift_unit": data["shift_unit"],
        "restrictions": data["windows"],
        "members": data["member_users"],
    }


@agent_required
@require_http_methods(["GET", "POST"])
def layer_new(request: HttpRequest, slug: str) -> HttpResponse:
    schedule = _schedule_or_404(request, slug)
    _require_admin(request)
    context = {"schedule": schedule, "layer": None, "agents": active_agents()}
    if request.method != "POST":
        tz = zone(schedule.timezone)
        today = clock.now().astimezone(tz).date()
        monday = today - timedelta(days=today.weekday())
        form = LayerForm(
            initial={
                "starts_at": datetime.combine(monday, datetime.min.time()).replace(hour=9),
                "position": schedule.layers.count(),
            },
            schedule_zone=schedule.timezone,
        )
        return render(request, "duty/layer_form.html", {**context, "form": form})
    form = LayerForm(request.POST, schedule_zone=schedule.timezone)
    if form.is_valid():
        try:
            services.create_layer(actor=request.user, schedule=schedule, **_layer_kwargs(form))
        except DutyError as error:
            form.add_service_error(error)
        else:
            messages.success(request, "Layer added.")
            return redirect("duty:schedule", schedule.slug)
    return render(request, "duty/layer_form.html", {**context, "form": form}, status=422)


@agent_required
@require_http_methods(["GET", "POST"])
def layer_edit(request: HttpRequest, slug: str, layer_id: int) -> HttpResponse:
    schedule = _schedule_or_404(request, slug)
    layer = get_object_or_404(Layer, pk=layer_id, schedule=schedule)
    _require_admin(request)
    context = {"schedule": schedule, "layer": layer, "agents": active_agents()}
    if request.method != "POST":
        form = LayerForm(initial=LayerForm.initial_for(layer), schedule_zone=schedule.timezone)
        return render(request, "duty/layer_form.html", {**context, "form": form})
    if request.POST.get("delete"):
        try:
            services.delete_layer(
                actor=request.user,
                layer=layer,
                version=versioning.posted_version(request.POST),
            )
        except versioning.VersionConflict as error:
            messages.error(request, f"Not deleted: {error.message}")
            return redirect("duty:layer_edit", schedule.slug, layer.pk)
        messages.success(request, f"Layer {layer.name} deleted.")
        return redirect("duty:schedule", schedule.slug)
    form = LayerForm(request.POST, schedule_zone=schedule.timezone)
    if form.is_valid():
        try:
            services.update_layer(
                actor=request.user,
                layer=layer,
                version=form.cleaned_data["version"],
                **_layer_kwargs(form),
            )
        except versioning.VersionConflict as error:
            current = get_object_or_404(Layer, pk=layer_id, schedule=schedule)
            versioning.form_conflict(form, error, LayerForm.initial_for(current))
            return render(request, "duty/layer_form.html", {**context, "form": form}, status=409)
        except DutyError as error:
            form.add_service_error(error)
        else:
            messages.success(request, "Layer saved.")
            return redirect("duty:schedule", schedule.slug)
    return render(request, "duty/layer_form.html", {**context, "form": form}, status=422)


# -- overrides and swaps -----------------------------------------------------------------------


@agent_required
@require_POST
def override_add(request: HttpRequest, slug: str) -> HttpResponse:
    schedule = _schedule_or_404(request, slug)
    agents = active_agents()
    form = OverrideForm(request.POST, agents=agents)
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.create_override(
                actor=request.user,
                schedule=schedule,
                user=data["user"],
                starts_at=data["starts_at"],
                ends_at=data["ends_at"],
                reason=data["reason"],
            )
        except DutyError as error:
            form.add_service_error(error)
        else:
            messages.success(request, f"{data['user']} is on call for that period.")
            return redirect("duty:schedule", schedule.slug)
    context = _detail_context(request, schedule, override_form=form)
    return render(request, "duty/schedule.html", context, status=422)


@agent_required
@require_POST
def override_delete(request: HttpRequest, slug: str, override_id: int) -> HttpResponse:
    schedule = _schedule_or_404(request, slug)
    override = get_object_or_404(Override, pk=override_id, schedule=schedule)
    try:
        services.delete_override(actor=request.user, override=override)
    except DutyError as error:
        raise PermissionDenied(error.message) from error
    messages.success(request, "Override removed.")
    return redirect("duty:schedule", schedule.slug)


@agent_required
@require_POST
def swap_propose(request: HttpRequest, slug: str) -> HttpResponse:
    schedule = _schedule_or_404(request, slug)
    members = member_choices(schedule)
    form = SwapForm(request.POST, members=_others(members, request.user))
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.propose_swap(
                actor=request.user,
                schedule=schedule,
                partner=data["partner"],
                starts_at=data["starts_at"],
                ends_at=data["ends_at"],
                return_starts_at=data.get("return_starts_at"),
                return_ends_at=data.get("return_ends_at"),
                note=data["note"],
            )
        except DutyError as error:
            form.add_service_error(error)
        else:
            messages.success(request, f"Swap proposed to {data['partner']}.")
            return redirect("duty:schedule", schedule.slug)
    context = _detail_context(request, schedule, swap_form=form)
    return render(request, "duty/schedule.html", context, status=422)


@agent_required
@require_POST
def swap_decide(request: HttpRequest, slug: str, swap_id: int, action: str) -> HttpResponse:
    schedule = _schedule_or_404(request, slug)
    swap = get_object_or_404(Swap, pk=swap_id, schedule=schedule)
    if action not in SWAP_ACTIONS:
        raise Http404("no such action")
    service, done = SWAP_ACTIONS[action]
    try:
        service(actor=request.user, swap=swap)
    except DutyError as error:
        if error.status_code == 403:
            raise PermissionDenied(error.message) from error
        messages.error(request, error.message)
    else:
        messages.success(request, done)
    return redirect("duty:schedule", schedule.slug)


# -- report ------------------------------------------------------------------------------------


@agent_required
@require_GET
def schedule_report(request: HttpRequest, slug: str) -> HttpResponse:
    schedule = _schedule_or_404(request, slug)
    tz = zone(schedule.timezone)
    form = PeriodForm(request.GET or None)
    start, end = form.period(tz, clock.now().astimezone(tz).date())
    result = report(schedule, start, end)
    top = max((row.hours for row in result.rows), default=0) or 1
    for row in result.rows:
        row.bar = round(row.hours / top * 100, 1)
    fair = result.covered_hours / len(result.rows) if result.rows else 0
    return render(
        request,
        "duty/report.html",
        {
            "schedule": schedule,
            "form": form,
            "report": result,
            "start_day": start.date(),
            "end_day": (end - timedelta(days=1)).date(),
            "fair_share": round(fair, 1),
            "fair_left": round(fair / top * 100, 1) if top else 0,
            "gaps": [(a, b, round((b - a).total_seconds() / 3600, 2)) for a, b in result.gaps],
        },
    )


# -- feeds (no login: the token is the secret) -------------------------------------------------


def _ics(body: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    response["Cache-Control"] = "private, max-age=300"
    return response


@require_safe  # GET, and HEAD (calendar apps and monitors probe with it): same headers, no body
def schedule_feed(request: HttpRequest, public_id: str, token: str) -> HttpResponse:
    schedule = Schedule.objects.filter(public_id=public_id).first()
    if schedule is None or not _same(schedule.feed_token, token):
        raise Http404("no such feed")
    return _ics(feeds.schedule_feed(schedule), f"oncall-{schedule.slug}.ics")


@require_safe
def person_feed(request: HttpRequest, token: str) -> HttpResponse:
    feed = PersonFeed.objects.select_related("user").filter(token=token).first()
    if feed is None or not feed.user.is_active or not feed.user.is_agent:
        raise Http404("no such feed")
    return _ics(feeds.person_feed(feed.user), "oncall.ics")


def _same(expected: str, given: str) -> bool:
    return hmac.compare_digest(expected.encode(), given.encode())
