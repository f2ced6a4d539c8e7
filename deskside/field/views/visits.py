"""The agent pages of visits: the ticket page's visits panel with "Request a visit", and the
visit page `/field/visits/<public id>/` (details, checklist, parts, schedule, the status
buttons, the signature, "mail sign-off link").

Agents only, and only the visits of the clients they serve (`field.queries.visits_visible_to`;
anything else is a 404, its existence not confirmed). Every form is a plain POST that calls
one service and redirects back; a refusal (bad input, a transition the status does not allow,
the clearance rule's NotCleared reason) comes back as an error on the form that was sent,
with status 400, the rest of the page as it was. No business logic here.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django import forms
from django.contrib import messages
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST
from django_htmx.http import trigger_client_event

from deskside.accounts.models import Tier, User
from deskside.accounts.permissions import agent_required
from deskside.accounts.queries import agents_serving
from deskside.core.exceptions import DomainError
from deskside.core.forms import add_domain_error
from deskside.field.forms.visits import (
    CancelForm,
    ChecklistItemForm,
    CheckOutForm,
    PartForm,
    RequestVisitForm,
    ScheduleForm,
)
from deskside.field.models import FINAL_STATUSES, Visit, VisitChecklistItem, VisitStatus
from deskside.field.queries import visits_visible_to
from deskside.field.services import scheduling, signoff, visits
from deskside.tickets.models import Ticket
from deskside.tickets.queries import ticket_for

TICKET_CHANGED = "ticket-changed"  # tickets/detail.html reloads the page on it
PANEL_VISITS = 20


def _visit_or_404(user: User, public_id: str) -> Visit:
    visit = (
        visits_visible_to(user)
        .select_related(
            "ticket__requester",
            "organization",
            "site",
            "technician",
            "second_technician",
            "signature",
            "follow_up",
        )
        .prefetch_related("required_skills", "checklist", "parts")
        .filter(public_id=public_id)
        .first()
    )
    if visit is None:
        raise Http404("no such visit")
    return visit


# -- the ticket page's panel -------------------------------------------------------------------


def _panel(
    request: HttpRequest, ticket: Ticket, form: RequestVisitForm | None = None, status: int = 200
) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    rows = (
        visits_visible_to(user)
        .filter(ticket=ticket)
        .select_related("site", "technician", "second_technician")
        .order_by("-created_at", "-id")[:PANEL_VISITS]
    )
    if form is None:
        form = RequestVisitForm(
            organization_id=ticket.organization_id,
            initial={"site": ticket.site_id, "duration_minutes": 60},
            prefix="visit",
        )
    context = {
        "ticket": ticket,
        "visits": list(rows),
        "form": form,
        "open": ticket.tier == Tier.L2 or form.is_bound,
    }
    return render(request, "field/_ticket_panel.html", context, status=status)


@require_GET
@agent_required
def ticket_panel(request: HttpRequest, number: str) -> HttpResponse:
    """The ticket's visits as an HTML fragment (no base.html), for the ticket page."""
    return _panel(request, ticket_for(request.user, number, related=("site",)))


@require_POST
@agent_required
def request_visit(request: HttpRequest, number: str) -> HttpResponse:
    """ "Request a visit": `scheduling.create_visit`, then the new visit's page (htmx: the
    panel again, and the ticket page reloads for the timeline)."""
    user: User = request.user  # type: ignore[assignment]
    ticket = ticket_for(user, number, related=("site",))
    form = RequestVisitForm(request.POST, organization_id=ticket.organization_id, prefix="visit")
    if form.is_valid():
        data = form.cleaned_data
        try:
            visit = scheduling.create_visit(
                user,
                ticket,
                site=data["site"],
                window_start=data["window_start"],
                window_end=data["window_end"],
                duration_minutes=data["duration_minutes"],
                skills=data["skills"],
                instructions=data["instructions"],
            )
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            if request.htmx:  # type: ignore[attr-defined]
                return trigger_client_event(_panel(request, ticket), TICKET_CHANGED)
            messages.success(request, "Visit requested: schedule it here or on the board.")
            return redirect("field:visit", visit.public_id)
    if request.htmx:  # type: ignore[attr-defined]
        return _panel(request, ticket, form)  # htmx swaps 2xx answers only
    return render(
        request,
        "field/visit_request.html",
        {"ticket": ticket, "form": form, "visits": [], "open": True},
        status=400,
    )


# -- the visit page ----------------------------------------------------------------------------


def _technicians(visit: Visit) -> QuerySet[User]:
    return agents_serving(visit.organization).order_by("full_name")


@dataclass
class Action:
    """One form of the visit page: its form class, and the service call it makes."""

    form: type[forms.Form] | None
    run: Callable[[User, Visit, dict[str, Any]], Any]
    done: str
    when: frozenset[str]  # the statuses in which the page offers it


def _schedule(user: User, visit: Visit, data: dict[str, Any]) -> Any:
    return scheduling.schedule(
        user,
        visit,
        data["technician"],
        data["start"],
        second=data.get("second"),
        second_is_shadowing=bool(data.get("shadowing")),
    )


def _tick(user: User, visit: Visit, data: dict[str, Any]) -> Any:
    item = VisitChecklistItem.objects.filter(visit=visit, pk=data["item"]).first()
    if item is None:
        raise Http404("no such checklist item")
    return visits.tick(user, item, done=data["done"])


class TickForm(forms.Form):
    item = forms.IntegerField()
    done = forms.BooleanField(required=False)


class EmptyForm(forms.Form):
    pass


ALL = frozenset(VisitStatus.values)
OPEN = ALL - FINAL_STATUSES
ACTIONS: dict[str, Action] = {
    "schedule": Action(
        ScheduleForm,
        _schedule,
        "Visit scheduled.",
        frozenset({VisitStatus.UNSCHEDULED, VisitStatus.SCHEDULED}),
    ),
    "unschedule": Action(
        EmptyForm,
        lambda u, v, d: scheduling.unschedule(u, v),
        "Visit back in the queue.",
        frozenset({VisitStatus.SCHEDULED}),
    ),
    "set-out": Action(
        EmptyForm,
        lambda u, v, d: visits.set_out(u, v),
        "On the way.",
        frozenset({VisitStatus.SCHEDULED}),
    ),
    "check-in": Action(
        EmptyForm,
        lambda u, v, d: visits.check_in(u, v),
        "Checked in.",
        frozenset({VisitStatus.SCHEDULED, VisitStatus.EN_ROUTE}),
    ),
    "checklist": Action(
        ChecklistItemForm,
        lambda u, v, d: visits.add_checklist_item(u, v, d["text"], required=d["required"]),
        "Checklist item added.",
        OPEN,
    ),
    "tick": Action(TickForm, _tick, "Checklist updated.", frozenset({VisitStatus.ON_SITE})),
    "part": Action(
        PartForm,
        lambda u, v, d: visits.add_part(
            u,
            v,
            d["description"],
            part_number=d["part_number"],
            serial=d["serial"],
            quantity=d["quantity"],
        ),
        "Part recorded.",
        frozenset({VisitStatus.EN_ROUTE, VisitStatus.ON_SITE}),
    ),
    "check-out": Action(
        CheckOutForm,
        lambda u, v, d: visits.check_out(u, v, d["outcome"], summary=d["summary"], note=d["note"]),
        "Checked out.",
        frozenset({VisitStatus.SCHEDULED, VisitStatus.EN_ROUTE, VisitStatus.ON_SITE}),
    ),
    "cancel": Action(
        CancelForm,
        lambda u, v, d: visits.cancel(u, v, d["reason"]),
        "Visit cancelled.",
        frozenset({VisitStatus.UNSCHEDULED, VisitStatus.SCHEDULED}),
    ),
    "signoff-link": Action(
        EmptyForm,
        lambda u, v, d: signoff.send_link(u, v),
        "Sign-off link queued to the requester.",
        frozenset(signoff.SIGNABLE),
    ),
}


def _form(name: str, visit: Visit, data: Any = None) -> forms.Form:
    form_class = ACTIONS[name].form or EmptyForm
    if form_class is ScheduleForm:
        initial = {
            "technician": visit.technician_id,
            "second": visit.second_technician_id,
            "shadowing": visit.second_is_shadowing,
            "start": visit.scheduled_start or visit.window_start,
        }
        return ScheduleForm(data, technicians=_technicians(visit), initial=initial)
    return form_class(data) if data is not None else form_class()


def _page(
    request: HttpRequest, visit: Visit, failed: tuple[str, forms.Form] | None = None
) -> HttpResponse:
    forms_by_name = {name: _form(name, visit) for name in ACTIONS}
    failed_errors: list[str] = []
    if failed is not None:
        forms_by_name[failed[0]] = failed[1]
        form = failed[1]
        for name, errors in form.errors.items():
            field = form.fields.get(name)
            shown = "" if field is None else field.label or name.replace("_", " ").capitalize()
            label = f"{shown}: " if shown else ""
            failed_errors += [f"{label}{e}" for e in errors]
    offered = {name for name, action in ACTIONS.items() if visit.status in action.when}
    if visit.signed_at is not None:
        offered.discard("signoff-link")
    context = {
        "visit": visit,
        "ticket": visit.ticket,
        "checklist": list(visit.checklist.all()),
        "parts": list(visit.parts.all()),
        "skills": list(visit.required_skills.all()),
        # the template's names: "check_out" for the form of "check-out"
        "forms": {name.replace("-", "_"): form for name, form in forms_by_name.items()},
        "failed_errors": failed_errors,
        "offered": offered,
        "failed": failed[0] if failed else "",
        "requester_email": signoff.requester_address(visit),
    }
    return render(request, "field/visit.html", context, status=400 if failed else 200)


@require_GET
@agent_required
def visit_page(request: HttpRequest, public_id: str) -> HttpResponse:
    return _page(request, _visit_or_404(request.user, public_id))


@require_POST
@agent_required
def visit_action(request: HttpRequest, public_id: str, action: str) -> HttpResponse:
    """One form of the visit page (ACTIONS): its service call, then the page again."""
    if action not in ACTIONS:
        raise Http404("no such action")
    user: User = request.user  # type: ignore[assignment]
    visit = _visit_or_404(user, public_id)
    form = _form(action, visit, request.POST)
    if form.is_valid():
        try:
            ACTIONS[action].run(user, visit, form.cleaned_data)
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            messages.success(request, ACTIONS[action].done)
            return redirect(reverse("field:visit", args=[visit.public_id]))
    return _page(request, _visit_or_404(user, public_id), (action, form))
