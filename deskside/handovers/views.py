"""The handover pages (agents only): the current handover of each team, one handover (its
sections filtered to the clients the viewer serves, notes, checklist, sign-off,
acknowledgement, feedback), and the searchable history. The forms are plain POST + redirect;
htmx posts them and swaps the changed part of the page back in (hx-select), so the page works
without script too. No business logic: each POST calls one service."""

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from deskside.accounts.models import Team
from deskside.accounts.permissions import agent_required
from deskside.core.views import page_number, paginate
from deskside.handovers import services
from deskside.handovers.exceptions import HandoverError
from deskside.handovers.forms import FeedbackForm, HistoryForm, NotesForm, TicketNoteForm
from deskside.handovers.models import Handover, Reminder
from deskside.handovers.queries import (
    HistoryFilter,
    checklist_of,
    current_per_team,
    handover_for,
    sections_for,
    ticket_notes_for,
)
from deskside.handovers.queries import (
    history as history_of,
)

PAGE_SIZE = 30


@agent_required
@require_GET
def index(request: HttpRequest) -> HttpResponse:
    return render(request, "handovers/index.html", {"handovers": current_per_team(request.user)})


@agent_required
@require_GET
def history(request: HttpRequest) -> HttpResponse:
    form = HistoryForm(request.GET or None)
    found = HistoryFilter()
    if form.is_valid():
        data = form.cleaned_data
        found = HistoryFilter(
            text=data["q"] or "",
            team=data["team"] or "",
            day=data["day"],
            person=data["person"] or "",
        )
    page = paginate(
        history_of(request.user, found), page_number(request.GET.get("page")), PAGE_SIZE
    )
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "handovers/history.html",
        {
            "form": form,
            "page": page,
            "query": query.urlencode(),
            "teams": Team.objects.order_by("name"),
        },
    )


def _get(request: HttpRequest, public_id: str) -> Handover:
    handover = handover_for(request.user, public_id)
    if handover is None:
        raise Http404("no such handover")
    return handover


@agent_required
@require_GET
def detail(request: HttpRequest, public_id: str) -> HttpResponse:
    handover = _get(request, public_id)
    return _render(request, handover)


def _render(request: HttpRequest, handover: Handover, **forms: Any) -> HttpResponse:
    checklist = checklist_of(handover)
    context = {
        "handover": handover,
        "sections": sections_for(handover, request.user),
        "ticket_notes": ticket_notes_for(handover, request.user),
        "checklist": checklist,
        "checklist_phases": [
            ("Pre-flight", [c for c in checklist if c.phase == "pre"]),
            ("Post-flight", [c for c in checklist if c.phase == "post"]),
        ],
        "missing": [c for c in checklist if c.required and not c.done],
        "feedback": list(handover.feedback.select_related("author")),
        "outgoing": list(handover.outgoing.order_by("full_name")),
        "incoming": list(handover.incoming.order_by("full_name")),
        "reminders": list(handover.reminders.order_by("due_at")),
        "may_act": services.may_act(request.user, handover),
        "may_acknowledge": (
            handover.status == Handover.Status.SIGNED_OFF
            and services.may_acknowledge(request.user, handover)
        ),
        "notes_form": forms.get("notes_form") or NotesForm(initial={"notes": handover.notes}),
        "ticket_note_form": forms.get("ticket_note_form") or TicketNoteForm(prefix="tn"),
        "feedback_form": forms.get("feedback_form") or FeedbackForm(prefix="fb"),
        "Reminder": Reminder,
    }
    status = 422 if forms else 200
    return render(request, "handovers/detail.html", context, status=status)


def _act(
    request: HttpRequest, public_id: str, action: Callable[[Handover], object], done: str
) -> HttpResponse:
    handover = _get(request, public_id)
    try:
        action(handover)
    except HandoverError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, done)
    return redirect("handovers:detail", public_id)


@agent_required
@require_POST
def notes(request: HttpRequest, public_id: str) -> HttpResponse:
    form = NotesForm(request.POST)
    if not form.is_valid():
        return _render(request, _get(request, public_id), notes_form=form)
    text = form.cleaned_data["notes"]
    return _act(
        request,
        public_id,
        lambda h: services.set_notes(actor=request.user, handover=h, notes=text),
        "Notes saved.",
    )


@agent_required
@require_POST
def ticket_note(request: HttpRequest, public_id: str) -> HttpResponse:
    form = TicketNoteForm(request.POST, prefix="tn")
    if not form.is_valid():
        return _render(request, _get(request, public_id), ticket_note_form=form)
    data = form.cleaned_data
    return _act(
        request,
        public_id,
        lambda h: services.add_ticket_note(
            actor=request.user, handover=h, number=data["ticket"], body=data["body"]
        ),
        "Note added.",
    )


@agent_required
@require_POST
def check(request: HttpRequest, public_id: str, item: str) -> HttpResponse:
    done = request.POST.get("done") == "1"
    return _act(
        request,
        public_id,
        lambda h: services.check_item(
            actor=request.user, handover=h, item_public_id=item, done=done
        ),
        "Checklist saved.",
    )


@agent_required
@require_POST
def sign_off(request: HttpRequest, public_id: str) -> HttpResponse:
    return _act(
        request,
        public_id,
        lambda h: services.sign_off(actor=request.user, handover=h),
        "Signed off: the handover is frozen for the next shift.",
    )


@agent_required
@require_POST
def acknowledge(request: HttpRequest, public_id: str) -> HttpResponse:
    return _act(
        request,
        public_id,
        lambda h: services.acknowledge(actor=request.user, handover=h),
        "Acknowledged.",
    )


@agent_required
@require_POST
def feedback(request: HttpRequest, public_id: str) -> HttpResponse:
    form = FeedbackForm(request.POST, prefix="fb")
    if not form.is_valid():
        return _render(request, _get(request, public_id), feedback_form=form)
    body = form.cleaned_data["body"]
    return _act(
        request,
        public_id,
        lambda h: services.add_feedback(actor=request.user, handover=h, body=body),
        "Feedback sent.",
    )
