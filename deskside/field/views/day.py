"""The technician's day on a phone (issue 17 item 3): `/field/day/` lists the signed-in
technician's visits of the day in route order, one card each, with the address and map links,
access notes, the contact, the ticket's triage notes, the checklist, parts, the start / arrive
/ finish buttons and the customer's signature.

Every action is a POST that calls one service (`field.services.visits`). htmx posts it and
swaps the card with the answer (the updated card, or the card with the error, status 422:
day.js lets htmx swap that); without script the POST redirects back to the day (or shows the
day with the error on the card). Who sees and who acts: `field.queries_day`.
"""

from collections.abc import Callable
from datetime import date
from typing import Any
from urllib.parse import quote, urlencode

from django.core.exceptions import PermissionDenied
from django.forms import Form
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from deskside.accounts.models import User
from deskside.accounts.permissions import agent_required
from deskside.core import clock
from deskside.core.forms import add_domain_error
from deskside.field.dates import parse_day
from deskside.field.exceptions import FieldError
from deskside.field.forms.day import (
    ChecklistItemForm,
    FinishForm,
    NoAccessForm,
    PartForm,
    SignForm,
)
from deskside.field.models import Visit, VisitStatus
from deskside.field.queries.day import (
    day_visit,
    day_visits,
    is_on_visit,
    may_view_day_of,
    today_of,
    triage_of,
)
from deskside.field.services import visits as services

FORMS = {
    "finish": FinishForm,
    "no_access": NoAccessForm,
    "part": PartForm,
    "sign": SignForm,
    "item": ChecklistItemForm,
}


def _coordinate(value: Any) -> str:
    """A coordinate as a short decimal (51.5010 -> "51.501")."""
    return f"{float(value):.6f}".rstrip("0").rstrip(".")


def map_links(site: Any) -> dict[str, str]:
    """A `geo:` URI (the phone's map app) and an OpenStreetMap link for the site: at its
    coordinates, or by its address when it has none (an empty dict when it has neither)."""
    if site.latitude is not None and site.longitude is not None:
        lat, lon = _coordinate(site.latitude), _coordinate(site.longitude)
        return {
            "geo": f"geo:{lat},{lon}",
            "osm": f"https://www.openstreetmap.org/?mlat={lat}&mlon={lon}#map=17/{lat}/{lon}",
        }
    address = " ".join((site.address or "").split())
    if not address:
        return {}
    return {
        "geo": f"geo:0,0?q={quote(address)}",
        "osm": f"https://www.openstreetmap.org/search?{urlencode({'query': address})}",
    }


def _card(
    request: HttpRequest, visit: Visit, *, error: str = "", forms: dict[str, Form] | None = None
) -> dict[str, Any]:
    forms = forms or {}
    return {
        "visit": visit,
        "triage": triage_of(visit),
        "maps": map_links(visit.site),
        "requester": visit.ticket.requester,
        "may_act": is_on_visit(request.user, visit),
        "checklist": list(visit.checklist.all()),
        "parts": list(visit.parts.all()),
        "error": error,
        "forms": {
            name: forms.get(name) or form_class(prefix=f"{name}-{visit.public_id}")
            for name, form_class in FORMS.items()
        },
        "statuses": VisitStatus,
    }


def _parse_day(value: str | None, technician: User) -> date:
    # Far-off years would overflow the day's bounds and its previous / next links.
    return parse_day(value, "date", status=400) or today_of(technician, clock.now())


@agent_required
@require_GET
def day(request: HttpRequest) -> HttpResponse:
    """The day of the signed-in technician (or of `?tech=`, for staff and team leads)."""
    technician = request.user
    if tech := request.GET.get("tech"):
        technician = get_object_or_404(User, public_id=tech, kind=User.Kind.AGENT)
        if not may_view_day_of(request.user, technician):
            raise PermissionDenied("only staff and team leads open another technician's day")
    try:
        the_day = _parse_day(request.GET.get("date"), technician)
    except FieldError as error:
        return _page(request, technician, today_of(technician, clock.now()), error, status=400)
    return _page(request, technician, the_day)


def _page(
    request: HttpRequest,
    technician: User,
    the_day: date,
    date_error: FieldError | None = None,
    *,
    status: int = 200,
    failed: tuple[Visit, str, dict[str, Form]] | None = None,
) -> HttpResponse:
    cards = []
    for visit in day_visits(request.user, technician, the_day):
        if failed is not None and failed[0].pk == visit.pk:
            cards.append(_card(request, visit, error=failed[1], forms=failed[2]))
        else:
            cards.append(_card(request, visit))
    own = technician.pk == request.user.pk
    query = {} if own else {"tech": technician.public_id}
    today = today_of(technician, clock.now())
    context = {
        "technician": technician,
        "own": own,
        "day": the_day,
        "is_today": the_day == today,
        "cards": cards,
        "date_error": date_error.message if date_error else "",
        "prev_url": _day_url(the_day.fromordinal(the_day.toordinal() - 1), query),
        "next_url": _day_url(the_day.fromordinal(the_day.toordinal() + 1), query),
        "today_url": _day_url(today, query),
        "tech_query": query.get("tech", ""),
    }
    return render(request, "field/day.html", context, status=status)


def _day_url(the_day: date, query: dict[str, str]) -> str:
    return f"{reverse('field:day')}?{urlencode({**query, 'date': the_day.isoformat()})}"


def _visit_for_action(request: HttpRequest, public_id: str) -> Visit:
    visit = day_visit(request.user, public_id)
    if visit is None:
        raise Http404("no such visit")
    if not is_on_visit(request.user, visit):
        raise PermissionDenied("this is not your visit: its technicians act on it")
    return visit


def _answer(
    request: HttpRequest,
    visit: Visit,
    *,
    error: str = "",
    forms: dict[str, Form] | None = None,
) -> HttpResponse:
    """The updated card (htmx), or back to the day: redirected after success, the day with the
    error on the card (422) after a refusal."""
    fresh = day_visit(request.user, visit.public_id) or visit
    failed = bool(error or forms)
    status = 422 if failed else 200
    if request.htmx:
        context = {"card": _card(request, fresh, error=error, forms=forms)}
        return render(request, "field/day_card.html", context, status=status)
    the_day = today_of(request.user, fresh.scheduled_start or clock.now())
    if failed:
        return _page(request, request.user, the_day, status=422, failed=(fresh, error, forms or {}))
    url = _day_url(the_day, {})
    return redirect(f"{url}#visit-{fresh.public_id}")


def _run(
    request: HttpRequest,
    visit: Visit,
    action: Callable[[], object],
    form: Form | None = None,
    name: str = "",
) -> HttpResponse:
    """Call the service; its refusal goes on the form (when there is one) or the card."""
    try:
        action()
    except FieldError as error:
        if form is not None and error.field in form.fields:
            add_domain_error(form, error)
            return _answer(request, visit, forms={name: form})
        # A refusal about the visit as a whole (its status, the open checklist): on the card,
        # with what was typed kept in the form.
        return _answer(request, visit, error=error.message, forms={name: form} if form else None)
    return _answer(request, visit)


def _bound(name: str, request: HttpRequest, visit: Visit) -> Form:
    return FORMS[name](request.POST, prefix=f"{name}-{visit.public_id}")


@agent_required
@require_POST
def start(request: HttpRequest, public_id: str) -> HttpResponse:
    """Set out for the site (scheduled -> en route)."""
    visit = _visit_for_action(request, public_id)
    return _run(request, visit, lambda: services.set_out(request.user, visit))


@agent_required
@require_POST
def arrive(request: HttpRequest, public_id: str) -> HttpResponse:
    """Check in on site."""
    visit = _visit_for_action(request, public_id)
    return _run(request, visit, lambda: services.check_in(request.user, visit))


@agent_required
@require_POST
def tick(request: HttpRequest, public_id: str, item: int) -> HttpResponse:
    """Tick (or untick: `done` absent) one checklist item."""
    visit = _visit_for_action(request, public_id)
    row = get_object_or_404(visit.checklist.all(), pk=item)
    done = request.POST.get("done") == "1"
    return _run(request, visit, lambda: services.tick(request.user, row, done=done))


@agent_required
@require_POST
def add_item(request: HttpRequest, public_id: str) -> HttpResponse:
    """Add a step to the visit's checklist."""
    visit = _visit_for_action(request, public_id)
    form = _bound("item", request, visit)
    if not form.is_valid():
        return _answer(request, visit, forms={"item": form})
    text = form.cleaned_data["text"]
    return _run(
        request,
        visit,
        lambda: services.add_checklist_item(request.user, visit, text),
        form,
        "item",
    )


@agent_required
@require_POST
def add_part(request: HttpRequest, public_id: str) -> HttpResponse:
    visit = _visit_for_action(request, public_id)
    form = _bound("part", request, visit)
    if not form.is_valid():
        return _answer(request, visit, forms={"part": form})
    data = form.cleaned_data
    return _run(
        request,
        visit,
        lambda: services.add_part(
            request.user,
            visit,
            data["description"],
            part_number=data["part_number"],
            serial=data["serial"],
            quantity=data["quantity"],
        ),
        form,
        "part",
    )


@agent_required
@require_POST
def sign(request: HttpRequest, public_id: str) -> HttpResponse:
    """The customer's typed name and drawn signature (a PNG data URL from the canvas)."""
    visit = _visit_for_action(request, public_id)
    form = _bound("sign", request, visit)
    if not form.is_valid():
        return _answer(request, visit, forms={"sign": form})
    data = form.cleaned_data
    return _run(
        request,
        visit,
        lambda: services.sign_on_phone(request.user, visit, data["name"], data["signature"]),
        form,
        "sign",
    )


@agent_required
@require_POST
def finish(request: HttpRequest, public_id: str) -> HttpResponse:
    """Check out: done, needs another visit or no access, with the summary and a note."""
    visit = _visit_for_action(request, public_id)
    form = _bound("finish", request, visit)
    if not form.is_valid():
        return _answer(request, visit, forms={"finish": form})
    data = form.cleaned_data
    return _run(
        request,
        visit,
        lambda: services.check_out(
            request.user, visit, data["outcome"], summary=data["summary"], note=data["note"]
        ),
        form,
        "finish",
    )


@agent_required
@require_POST
def no_access(request: HttpRequest, public_id: str) -> HttpResponse:
    """Nobody opened the door (before check-in): the visit ends as no access, with why."""
    visit = _visit_for_action(request, public_id)
    form = _bound("no_access", request, visit)
    if not form.is_valid():
        return _answer(request, visit, forms={"no_access": form})
    note = form.cleaned_data["note"]
    return _run(
        request,
        visit,
        lambda: services.check_out(request.user, visit, VisitStatus.NO_ACCESS, note=note),
        form,
        "no_access",
    )
