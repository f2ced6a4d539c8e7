"""The dispatch board at /field/board/ (agents only): a day view (rows = technicians, columns =
hours) or a week view (columns = days), previous / next / today, the team filter; the queue of
unscheduled visits (SLA due first); the schedule form (a visit, a technician and a start; an
optional second technician, maybe shadowing), which the drag-and-drop script fills and posts,
so the page works without JavaScript; move (the same form, prefilled) and unschedule.

The views parse, call `field.services.scheduling` and map its errors: a refusal (not cleared,
outside the window, a technician who does not serve the client) is a form error naming the
field; a viewer who may not schedule gets 403. The reads are `field.board`.
"""

import contextlib
from datetime import date, datetime
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_POST

from deskside.accounts.models import Team, User
from deskside.accounts.permissions import agent_required
from deskside.core import clock
from deskside.field import board as board_reads
from deskside.field.dates import check_day
from deskside.field.exceptions import FieldError
from deskside.field.forms.board import ScheduleForm, schedulable
from deskside.field.queries import visits_visible_to
from deskside.field.services import scheduling

FORM_TEMPLATE = "field/_board_form.html"


def _today() -> date:
    return timezone.localdate(clock.now())


def _params(query: QueryDict) -> tuple[str, date, Team | None]:
    """The board's view, day and team from the query string (bad values: the defaults; a
    far-off day, which would overflow: InvalidInput naming `day`, status 400)."""
    view = query.get("view", "day")
    if view not in board_reads.VIEWS:
        view = "day"
    try:
        day = date.fromisoformat(query.get("day", ""))
    except ValueError:
        day = _today()
    check_day(day, "day", status=400)
    slug = query.get("team", "")
    team = board_reads.board_teams().filter(slug=slug).first() if slug else None
    return view, day, team


def board_url(view: str, day: date, team: Team | None) -> str:
    query = {"view": view, "day": day.isoformat()}
    if team is not None:
        query["team"] = team.slug
    return f"{reverse('field:board')}?{urlencode(query)}"


def _lead_choices(viewer: User):
    return User.objects.filter(technician__in=board_reads.technicians_for(viewer)).order_by(
        "full_name", "pk"
    )


def _offered(request: HttpRequest, chosen: str = "", queue: list | None = None) -> list:
    """The visits the form's menu offers: the queue's first ones and the chosen one."""
    if queue is None:
        queue = list(board_reads.unscheduled(request.user)[: board_reads.QUEUE_LIMIT])
    found = list(queue)
    if chosen and all(v.public_id != chosen for v in found):
        found += list(schedulable(request.user).filter(public_id=chosen))
    return found


def _form(request: HttpRequest, data=None, initial=None, queue=None) -> ScheduleForm:
    chosen = (data or {}).get("visit") or (initial or {}).get("visit") or ""
    return ScheduleForm(
        data,
        initial=initial,
        viewer=request.user,
        technicians=_lead_choices(request.user),
        offered=_offered(request, chosen, queue),
    )


def _initial(request: HttpRequest, back: str) -> dict:
    """The form prefilled from ?visit= (and ?technician=, ?start= for a move)."""
    initial: dict = {"next": back}
    public_id = request.GET.get("visit", "")
    visit = schedulable(request.user).filter(public_id=public_id).first() if public_id else None
    if visit is not None:
        initial["visit"] = visit.public_id
        tech = visit.technician
        initial["technician"] = tech.public_id if tech is not None else ""
        second = visit.second_technician
        initial["second"] = second.public_id if second is not None else ""
        initial["shadowing"] = visit.second_is_shadowing
        initial["start"] = timezone.localtime(visit.scheduled_start or visit.window_start)
    if request.GET.get("technician"):
        initial["technician"] = request.GET["technician"]
    if request.GET.get("start"):
        with contextlib.suppress(ValueError):
            initial["start"] = datetime.fromisoformat(request.GET["start"])
    return initial


def _page(
    request: HttpRequest, view: str, day: date, team: Team | None, form: ScheduleForm | None
) -> dict:
    """The board page's context (the form prefilled from the query string unless given)."""
    found = board_reads.board(request.user, day=day, view=view, team=team)
    shown = list(board_reads.unscheduled(request.user)[: board_reads.QUEUE_LIMIT + 1])
    here = board_url(view, found.day, team)
    return {
        "board": found,
        "queue": shown[: board_reads.QUEUE_LIMIT],
        "queue_more": len(shown) > board_reads.QUEUE_LIMIT,
        "teams": board_reads.board_teams(),
        "form": form
        or _form(request, initial=_initial(request, here), queue=shown[: board_reads.QUEUE_LIMIT]),
        "here": here,
        "today": _today(),
        "prev_url": board_url(view, found.previous_day, team),
        "next_url": board_url(view, found.next_day, team),
        "today_url": board_url(view, _today(), team),
        "day_url": board_url("day", found.day, team),
        "week_url": board_url("week", found.day, team),
    }


@require_GET
@agent_required
def board(request: HttpRequest) -> HttpResponse:
    try:
        view, day, team = _params(request.GET)
    except FieldError as error:  # a far-off day: today's board, the error by the day field
        context = _page(request, "day", _today(), None, None)
        context["day_error"] = error.message
        return render(request, "field/board.html", context, status=error.status_code)
    return render(request, "field/board.html", _page(request, view, day, team, None))


@require_GET
@agent_required
def schedule_form(request: HttpRequest) -> HttpResponse:
    """The schedule form alone, prefilled (the queue's "Schedule" and a block's "Move")."""
    back = request.GET.get("next", "")
    if not url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}):
        back = reverse("field:board")
    return render(request, FORM_TEMPLATE, {"form": _form(request, initial=_initial(request, back))})


def _back(request: HttpRequest, form: ScheduleForm) -> str:
    back = form.cleaned_data.get("next") or ""
    if back and url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}):
        return back
    return reverse("field:board")


def _done(request: HttpRequest, url: str) -> HttpResponse:
    if request.htmx:
        response = HttpResponse(status=204)
        response["HX-Redirect"] = url
        return response
    return redirect(url)


@require_POST
@agent_required
def schedule(request: HttpRequest) -> HttpResponse:
    form = _form(request, data=request.POST)
    if form.is_valid():
        data = form.cleaned_data
        visit = data["visit"]
        try:
            scheduling.schedule(
                request.user,
                visit,
                data["technician"],
                data["start"],
                second=data.get("second"),
                second_is_shadowing=bool(data.get("shadowing")),
            )
        except FieldError as error:
            if error.status_code == 403:
                raise PermissionDenied(error.message) from error
            name = error.field if error.field in form.fields else None
            form.add_error(name, error.message)
        else:
            messages.success(request, f"{visit.ticket.number}: visit scheduled.")
            return _done(request, _back(request, form))
    if request.htmx:
        return render(request, FORM_TEMPLATE, {"form": form})
    # Without JavaScript: the whole board again, the form with its errors.
    try:
        view, day, team = _params(QueryDict(urlencode(_next_query(form))))
    except FieldError:  # a far-off day in the page to go back to: today's board
        view, day, team = "day", _today(), None
    context = _page(request, view, day, team, form)
    return render(request, "field/board.html", context, status=422)


def _next_query(form: ScheduleForm) -> dict:
    back = form.data.get("next", "")
    if "?" not in back:
        return {}
    return dict(QueryDict(back.split("?", 1)[1]).items())


@require_POST
@agent_required
def unschedule(request: HttpRequest, public_id: str) -> HttpResponse:
    visit = visits_visible_to(request.user).filter(public_id=public_id).first()
    if visit is None:
        raise Http404("no such visit")
    back = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}):
        back = reverse("field:board")
    try:
        scheduling.unschedule(request.user, visit)
    except FieldError as error:
        if error.status_code == 403:
            raise PermissionDenied(error.message) from error
        messages.error(request, error.message)
    else:
        messages.success(request, f"{visit.ticket.number}: visit back in the queue.")
    return _done(request, back)
