"""The roster pages for agents, mounted at /rosters/ (namespace "rosters"): the teams with who
is on the desk now and next, a team's week grid (coverage per shift, at minimum / below),
the roster's set-up (shifts, rota lines, the rotating-cycle generator), leave with the gaps
it opens and the cover candidates of each gap (loaded with htmx), each agent's own schedule
and their iCalendar feed (the only URL here without a login: its token is the secret).

Every agent reads every roster; administrators and the team's lead edit it and put people on
cover; leave is recorded by the person, their lead or an administrator. Customers are sent to
the portal (403 for a POST). A service error becomes a form error or a message on the page.
"""

from datetime import date, timedelta

from django.contrib import messages
from django.core.exceptions import PermissionDenied
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

from deskside.accounts.models import Team, User
from deskside.accounts.permissions import agent_required, is_admin
from deskside.core import clock
from deskside.core.baseurl import base_url
from deskside.core.timezones import zone
from deskside.duty import services as duty_services
from deskside.duty.models import PersonFeed
from deskside.rosters import feeds, queries, rules, services
from deskside.rosters.exceptions import RosterError
from deskside.rosters.forms import (
    CoverForm,
    GenerateForm,
    LeaveForm,
    LineForm,
    RosterForm,
    ShiftForm,
    show_codes,
)
from deskside.rosters.models import Cover, Leave, Roster, RotaLine, ShiftDefinition

MY_DAYS = 14
LEAVE_SHOWN = timedelta(days=30)


def _roster(request: HttpRequest, slug: str) -> Roster:
    roster = queries.rosters_visible_to(request.user).filter(team__slug=slug).first()
    if roster is None:
        raise Http404("no such roster")
    return roster


def _require_editor(request: HttpRequest, roster: Roster) -> None:
    if not services.can_edit(request.user, roster.team):
        raise PermissionDenied("only administrators and the team lead edit this roster")


def _agents():
    return User.objects.filter(kind=User.Kind.AGENT, is_active=True)


def _fail(request: HttpRequest, error: RosterError) -> None:
    if error.status_code == 403:
        raise PermissionDenied(error.message) from error
    messages.error(request, error.message)


def feed_urls(feed: PersonFeed, request: HttpRequest | None = None) -> dict[str, str]:
    url = base_url(request) + reverse("rosters:feed", args=[feed.token])
    return {"https": url, "webcal": "webcal://" + url.split("://", 1)[-1]}


# -- index and the desk now --------------------------------------------------------------------


@agent_required
@require_GET
def index(request: HttpRequest) -> HttpResponse:
    teams = list(queries.roster_teams())
    editable = [
        t for t in Team.objects.filter(roster__isnull=True) if services.can_edit(request.user, t)
    ]
    return render(
        request,
        "rosters/index.html",
        {"rows": queries.desk_now(teams), "can_create": bool(editable), "now": clock.now()},
    )


@agent_required
@require_http_methods(["GET", "POST"])
def roster_new(request: HttpRequest) -> HttpResponse:
    teams = Team.objects.filter(roster__isnull=True)
    if not is_admin(request.user):
        teams = teams.filter(lead=request.user)
    if not teams.exists() and request.method == "GET" and not is_admin(request.user):
        raise PermissionDenied("only administrators and team leads create rosters")
    if request.method != "POST":
        tz = zone(request.user.timezone or "UTC")
        today = clock.now().astimezone(tz).date()
        form = RosterForm(
            teams=teams,
            initial={
                "timezone": request.user.timezone or "UTC",
                "cycle_start": today - timedelta(days=today.weekday()),
            },
        )
        return render(request, "rosters/roster_form.html", {"form": form, "roster": None})
    form = RosterForm(request.POST, teams=teams)
    if form.is_valid():
        data = form.cleaned_data
        try:
            roster = services.create_roster(actor=request.user, **data)
        except RosterError as error:
            form.add_service_error(error)
        else:
            messages.success(request, f"Roster of {roster.team} created; now put people on it.")
            return redirect("rosters:setup", roster.team.slug)
    return render(request, "rosters/roster_form.html", {"form": form, "roster": None}, status=422)


# -- the week ----------------------------------------------------------------------------------


def _first_day(request: HttpRequest, today: date) -> date:
    try:
        day = date.fromisoformat(request.GET.get("start", ""))
    except ValueError:
        day = today
    return queries.monday_of(day)


@agent_required
@require_GET
def week(request: HttpRequest, slug: str) -> HttpResponse:
    roster = _roster(request, slug)
    tz = zone(roster.timezone)
    today = clock.now().astimezone(tz).date()
    first = _first_day(request, today)
    grid = queries.week(roster, first)
    return render(
        request,
        "rosters/week.html",
        {
            "roster": roster,
            "grid": grid,
            "desk": queries.desk_now([roster.team])[0],
            "prev_day": first - timedelta(days=7),
            "next_day": first + timedelta(days=7),
            "this_week": queries.monday_of(today),
            "today": today,
            "can_edit": services.can_edit(request.user, roster.team),
            "covers": list(queries.covers_of(roster, grid_start(grid), grid_end(grid))),
        },
    )


def grid_start(grid: queries.Week):
    return queries.local_midnight(grid.days[0], zone(grid.roster.timezone))


def grid_end(grid: queries.Week):
    return queries.local_midnight(grid.days[-1] + timedelta(days=1), zone(grid.roster.timezone))


# -- set-up ------------------------------------------------------------------------------------


def _setup_context(request: HttpRequest, roster: Roster, **forms) -> dict:
    lines = list(roster.lines.select_related("user").order_by("position", "id"))
    for line in lines:
        line.shown = show_codes(list(line.pattern))
    agents = rules.pool(roster) or list(_agents())
    pool = User.objects.filter(pk__in=[u.pk for u in agents])
    return {
        "roster": roster,
        "settings_form": forms.get("settings_form")
        or RosterForm(
            editing=True,
            initial={
                "timezone": roster.timezone,
                "cycle_start": roster.cycle_start,
                "cycle_days": roster.cycle_days,
                "rest_hours": roster.rest_hours,
                "weekly_hours_cap": roster.weekly_hours_cap,
            },
        ),
        "shifts": list(roster.shift_definitions.order_by("position", "start")),
        "shift_form": forms.get("shift_form") or ShiftForm(),
        "lines": lines,
        "line_form": forms.get("line_form") or LineForm(agents=_agents()),
        "generate_form": forms.get("generate_form") or GenerateForm(agents=pool),
        "presets": services.PRESET_LABELS,
        "cycle_end": roster.cycle_start + timedelta(days=roster.cycle_days - 1),
    }


@agent_required
@require_http_methods(["GET", "POST"])
def setup(request: HttpRequest, slug: str) -> HttpResponse:
    roster = _roster(request, slug)
    _require_editor(request, roster)
    if request.method != "POST":
        return render(request, "rosters/setup.html", _setup_context(request, roster))
    form = RosterForm(request.POST, editing=True)
    if form.is_valid():
        try:
            services.update_roster(actor=request.user, roster=roster, **form.cleaned_data)
        except RosterError as error:
            form.add_service_error(error)
        else:
            messages.success(request, "Roster saved.")
            return redirect("rosters:setup", slug)
    context = _setup_context(request, roster, settings_form=form)
    return render(request, "rosters/setup.html", context, status=422)


@agent_required
@require_POST
def shift_add(request: HttpRequest, slug: str) -> HttpResponse:
    roster = _roster(request, slug)
    _require_editor(request, roster)
    if request.POST.get("preset"):
        try:
            services.add_preset(actor=request.user, roster=roster, preset=request.POST["preset"])
        except RosterError as error:
            _fail(request, error)
        else:
            messages.success(request, "Shifts added.")
        return redirect("rosters:setup", slug)
    form = ShiftForm(request.POST)
    if form.is_valid():
        try:
            services.add_shift(actor=request.user, roster=roster, **form.cleaned_data)
        except RosterError as error:
            form.add_service_error(error)
        else:
            messages.success(request, "Shift added.")
            return redirect("rosters:setup", slug)
    context = _setup_context(request, roster, shift_form=form)
    return render(request, "rosters/setup.html", context, status=422)


@agent_required
@require_http_methods(["GET", "POST"])
def shift_edit(request: HttpRequest, slug: str, shift_id: int) -> HttpResponse:
    roster = _roster(request, slug)
    shift = get_object_or_404(ShiftDefinition, pk=shift_id, roster=roster)
    _require_editor(request, roster)
    if request.method != "POST":
        form = ShiftForm(
            initial={
                "code": shift.code,
                "name": shift.name,
                "start": shift.start,
                "end": shift.end,
                "min_staff": shift.min_staff,
                "days": shift.days,
            }
        )
        form.fields["code"].disabled = True
        context = {"roster": roster, "shift": shift, "form": form}
        return render(request, "rosters/shift_form.html", context)
    form = ShiftForm(request.POST, initial={"code": shift.code})
    form.fields["code"].disabled = True  # the rota lines use it
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.update_shift(
                actor=request.user,
                shift=shift,
                name=data["name"],
                start=data["start"],
                end=data["end"],
                min_staff=data["min_staff"],
                days=data["days"],
            )
        except RosterError as error:
            form.add_service_error(error)
        else:
            messages.success(request, f"Shift {shift.code} saved.")
            return redirect("rosters:setup", slug)
    context = {"roster": roster, "shift": shift, "form": form}
    return render(request, "rosters/shift_form.html", context, status=422)


@agent_required
@require_POST
def shift_delete(request: HttpRequest, slug: str, shift_id: int) -> HttpResponse:
    roster = _roster(request, slug)
    shift = get_object_or_404(ShiftDefinition, pk=shift_id, roster=roster)
    _require_editor(request, roster)
    try:
        services.delete_shift(actor=request.user, shift=shift)
    except RosterError as error:
        _fail(request, error)
    else:
        messages.success(request, f"Shift {shift.code} removed.")
    return redirect("rosters:setup", slug)


@agent_required
@require_POST
def line_set(request: HttpRequest, slug: str) -> HttpResponse:
    roster = _roster(request, slug)
    _require_editor(request, roster)
    form = LineForm(request.POST, agents=_agents())
    if form.is_valid():
        try:
            services.set_line(
                actor=request.user,
                roster=roster,
                user=form.cleaned_data["user"],
                pattern=form.cleaned_data["pattern"],
            )
        except RosterError as error:
            form.add_service_error(error)
        else:
            messages.success(request, f"{form.cleaned_data['user']} is on the rota.")
            return redirect("rosters:setup", slug)
    context = _setup_context(request, roster, line_form=form)
    return render(request, "rosters/setup.html", context, status=422)


@agent_required
@require_POST
def line_delete(request: HttpRequest, slug: str, line_id: int) -> HttpResponse:
    roster = _roster(request, slug)
    line = get_object_or_404(RotaLine, pk=line_id, roster=roster)
    _require_editor(request, roster)
    services.remove_line(actor=request.user, line=line)
    messages.success(request, f"{line.user} is off the rota.")
    return redirect("rosters:setup", slug)


@agent_required
@require_POST
def generate(request: HttpRequest, slug: str) -> HttpResponse:
    roster = _roster(request, slug)
    _require_editor(request, roster)
    form = GenerateForm(request.POST, agents=_agents())
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.generate_rota(
                actor=request.user,
                roster=roster,
                users=list(data["users"]),
                cycle=data["cycle"],
                unit=data["unit"],
                offset=data["offset"],
                workdays=data["workdays"],
            )
        except RosterError as error:
            form.add_service_error(error)
        else:
            messages.success(request, "Rota generated.")
            return redirect("rosters:week", slug)
    context = _setup_context(request, roster, generate_form=form)
    return render(request, "rosters/setup.html", context, status=422)


# -- cover -------------------------------------------------------------------------------------


@agent_required
@require_GET
def candidates(request: HttpRequest, slug: str) -> HttpResponse:
    """The cover candidates of one shift instance (`code`, `start` ISO 8601), a fragment for
    htmx (or a page of its own without it)."""
    roster = _roster(request, slug)
    form = CoverForm(request.GET, agents=_agents())
    form.is_valid()
    code, start = form.cleaned_data.get("code"), form.cleaned_data.get("starts_at")
    if not code or start is None:
        raise Http404("no such shift")
    try:
        slot = services.find_slot(roster, code.upper(), start)
    except RosterError as error:
        raise Http404(error.message) from error
    found = rules.candidates(roster, slot)
    context = {
        "roster": roster,
        "slot": queries.slot_state(slot),
        "candidates": found,
        "can_edit": services.can_edit(request.user, roster.team),
        "covers_for": request.GET.get("covers_for", ""),
        "back": request.GET.get("back", ""),
    }
    template = "rosters/_candidates.html" if request.htmx else "rosters/candidates.html"
    return render(request, template, context)


@agent_required
@require_POST
def cover_add(request: HttpRequest, slug: str) -> HttpResponse:
    roster = _roster(request, slug)
    _require_editor(request, roster)
    form = CoverForm(request.POST, agents=_agents())
    back = request.POST.get("back") or reverse("rosters:week", args=[slug])
    if not back.startswith("/rosters/"):
        back = reverse("rosters:week", args=[slug])
    if not form.is_valid():
        messages.error(request, "Choose who covers which shift.")
        return redirect(back)
    data = form.cleaned_data
    try:
        services.add_cover(
            actor=request.user,
            roster=roster,
            user=data["user"],
            code=data["code"],
            starts_at=data["starts_at"],
            covers_for=data.get("covers_for"),
            reason=data.get("reason", ""),
        )
    except RosterError as error:
        _fail(request, error)
    else:
        messages.success(request, f"{data['user']} covers that shift.")
    return redirect(back)


@agent_required
@require_POST
def cover_delete(request: HttpRequest, slug: str, cover_id: int) -> HttpResponse:
    roster = _roster(request, slug)
    cover = get_object_or_404(Cover, pk=cover_id, roster=roster)
    _require_editor(request, roster)
    services.remove_cover(actor=request.user, cover=cover)
    messages.success(request, "Cover removed.")
    return redirect("rosters:week", slug)


# -- leave -------------------------------------------------------------------------------------


def _leave_people(user: User):
    if is_admin(user):
        return _agents()
    led = Team.objects.filter(lead=user)
    return _agents().filter(
        pk__in=[user.pk, *User.objects.filter(teams__in=led).values_list("pk", flat=True)]
    )


@agent_required
@require_http_methods(["GET", "POST"])
def leave(request: HttpRequest) -> HttpResponse:
    people = _leave_people(request.user)
    if request.method == "POST":
        form = LeaveForm(request.POST, agents=people)
        if form.is_valid():
            try:
                created = services.record_leave(actor=request.user, **form.cleaned_data)
            except RosterError as error:
                form.add_service_error(error)
            else:
                messages.success(request, "Leave recorded.")
                return redirect("rosters:leave_detail", created.pk)
    else:
        form = LeaveForm(agents=people, initial={"user": request.user.pk})
    rows = list(
        queries.leave_visible_to(request.user).filter(ends_at__gt=clock.now() - LEAVE_SHOWN)
    )
    for row in rows:
        row.can_cancel = services.can_manage_leave(request.user, row.user)
    status = 422 if form.is_bound else 200
    return render(request, "rosters/leave.html", {"form": form, "rows": rows}, status=status)


@agent_required
@require_GET
def leave_detail(request: HttpRequest, leave_id: int) -> HttpResponse:
    item = get_object_or_404(queries.leave_visible_to(request.user), pk=leave_id)
    gaps = queries.leave_gaps(item)
    for gap in gaps:
        gap.can_edit = services.can_edit(request.user, gap.roster.team)
    return render(
        request,
        "rosters/leave_detail.html",
        {
            "leave": item,
            "gaps": gaps,
            "can_cancel": services.can_manage_leave(request.user, item.user),
        },
    )


@agent_required
@require_POST
def leave_cancel(request: HttpRequest, leave_id: int) -> HttpResponse:
    item = get_object_or_404(queries.leave_visible_to(request.user), pk=leave_id)
    try:
        services.cancel_leave(actor=request.user, leave=item)
    except RosterError as error:
        _fail(request, error)
    messages.success(request, "Leave cancelled.")
    return redirect("rosters:leave")


# -- my schedule and feed ----------------------------------------------------------------------


@agent_required
@require_GET
def me(request: HttpRequest) -> HttpResponse:
    now = clock.now()
    tz = timezone.get_current_timezone()
    start = queries.local_midnight(now.astimezone(tz).date(), tz)
    shifts = queries.my_shifts(request.user, start, start + timedelta(days=MY_DAYS))
    feed = PersonFeed.objects.filter(user=request.user).first()
    mine = Leave.objects.filter(user=request.user, ends_at__gt=now).order_by("starts_at")
    return render(
        request,
        "rosters/me.html",
        {
            "shifts": shifts,
            "days": MY_DAYS,
            "leave": list(mine),
            "feed": feed,
            "feed_urls": feed_urls(feed, request) if feed else None,
            "now": now,
        },
    )


@agent_required
@require_POST
def my_feed(request: HttpRequest) -> HttpResponse:
    if request.POST.get("regenerate"):
        duty_services.regenerate_person_feed(actor=request.user)
        messages.success(request, "Your feeds have a new address; the old ones no longer work.")
    else:
        duty_services.person_feed(actor=request.user)
        messages.success(request, "Your shift feed is ready: subscribe to it in your calendar.")
    return redirect("rosters:me")


@require_safe
def feed(request: HttpRequest, token: str) -> HttpResponse:
    found = PersonFeed.objects.select_related("user").filter(token=token).first()
    if found is None or not found.user.is_active or not found.user.is_agent:
        raise Http404("no such feed")
    response = HttpResponse(
        feeds.person_feed(found.user), content_type="text/calendar; charset=utf-8"
    )
    response["Content-Disposition"] = 'inline; filename="shifts.ics"'
    response["Cache-Control"] = "private, max-age=300"
    return response
