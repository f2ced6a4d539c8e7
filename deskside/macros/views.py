"""The macro pages, mounted at /macros/ (namespace "macros"): the list with usage counts,
create, edit, deactivate (or activate again), and applying a macro to a ticket: the picker on
the ticket page (`templatetags/deskside_macros.py`) asks for a preview (the text rendered for
this ticket, editable, and what else will change), whose form posts the text back to be
applied.

Every agent sees the macros they may use; managers (administrators, a team's lead for that
team) change them (`queries.can_manage`). Every form works as a plain POST + redirect; with
htmx the picker swaps the preview in place and the apply answers with a client redirect to
the ticket, whose timeline then shows what was written.
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_htmx.http import HttpResponseClientRedirect

from deskside.accounts.models import User
from deskside.accounts.permissions import agent_required
from deskside.core.exceptions import DomainError
from deskside.core.views import page_number, paginate
from deskside.macros import services
from deskside.macros.forms import ApplyForm, MacroForm
from deskside.macros.models import Macro
from deskside.macros.placeholders import PLACEHOLDERS
from deskside.macros.queries import (
    can_manage,
    macro_for,
    macros_usable_by,
    macros_visible_to,
    managed_team_ids,
)
from deskside.tickets.models import Ticket
from deskside.tickets.queries import ticket_for

MACRO_PAGE = 50
TICKET_RELATED = ("organization", "requester", "site", "team", "assignee")


def _macro_or_404(user: User, public_id: str) -> Macro:
    macro = macro_for(user, public_id)
    if macro is None:
        raise Http404("no such macro")
    return macro


def _managed_or_403(user: User, public_id: str) -> Macro:
    macro = _macro_or_404(user, public_id)
    if not can_manage(user, macro.team):
        raise PermissionDenied("only administrators and the team's lead may change this macro")
    return macro


def _may_create(user: User) -> bool:
    teams = managed_team_ids(user)
    return teams is None or bool(teams)


@agent_required
@require_GET
def index(request: HttpRequest) -> HttpResponse:
    """The macros the agent sees, active first, with how often each was used."""
    user = request.user
    qs = macros_visible_to(user).order_by("-is_active", "name", "id")
    page = paginate(qs, page_number(request.GET.get("page")), MACRO_PAGE)
    managed = managed_team_ids(user)
    rows = [
        (macro, managed is None or (macro.team_id is not None and macro.team_id in managed))
        for macro in page.rows
    ]
    return render(
        request,
        "macros/index.html",
        {"page": page, "rows": rows, "may_create": _may_create(user)},
    )


def _form_page(
    request: HttpRequest, form: MacroForm, macro: Macro | None, status: int = 200
) -> HttpResponse:
    return render(
        request,
        "macros/form.html",
        {"form": form, "macro": macro, "placeholders": PLACEHOLDERS.items()},
        status=status,
    )


@agent_required
@require_http_methods(["GET", "POST"])
def macro_new(request: HttpRequest) -> HttpResponse:
    user = request.user
    if not _may_create(user):
        raise PermissionDenied("only administrators and team leads may create macros")
    if request.method != "POST":
        return _form_page(request, MacroForm(user=user), None)
    form = MacroForm(request.POST, user=user)
    if form.is_valid():
        try:
            macro = services.create_macro(actor=user, **form.values())
        except DomainError as error:
            form.add_service_error(error)
        else:
            messages.success(request, f"Macro {macro.name!r} created.")
            return redirect("macros:index")
    return _form_page(request, form, None, status=422)


@agent_required
@require_http_methods(["GET", "POST"])
def macro_edit(request: HttpRequest, public_id: str) -> HttpResponse:
    user = request.user
    macro = _managed_or_403(user, public_id)
    if request.method != "POST":
        return _form_page(
            request, MacroForm(initial=MacroForm.initial_for(macro), user=user), macro
        )
    form = MacroForm(request.POST, user=user)
    if form.is_valid():
        try:
            macro = services.update_macro(actor=user, macro=macro, **form.values())
        except DomainError as error:
            form.add_service_error(error)
        else:
            messages.success(request, f"Macro {macro.name!r} saved.")
            return redirect("macros:index")
    return _form_page(request, form, macro, status=422)


@agent_required
@require_POST
def macro_active(request: HttpRequest, public_id: str) -> HttpResponse:
    """Deactivate (`active=0`) or activate again (`active=1`)."""
    user = request.user
    macro = _managed_or_403(user, public_id)
    active = request.POST.get("active") == "1"
    services.update_macro(actor=user, macro=macro, is_active=active)
    done = "activated" if active else "deactivated"
    messages.success(request, f"Macro {macro.name!r} {done}.")
    return redirect("macros:index")


# -- on a ticket -------------------------------------------------------------------------------


def _ticket_or_404(user: User, number: str) -> Ticket:
    return ticket_for(user, number, related=TICKET_RELATED, detail="no such ticket")


def _usable_or_404(user: User, public_id: str) -> Macro:
    macro = macros_usable_by(user).filter(public_id=public_id).first()
    if macro is None:
        raise Http404("no such macro")
    return macro


def _preview_page(
    request: HttpRequest,
    ticket: Ticket,
    macro: Macro | None,
    *,
    form: ApplyForm | None = None,
    error: str = "",
    status: int = 200,
) -> HttpResponse:
    """The preview: the fragment for htmx, else a page of its own around it."""
    preview = None
    if macro is not None:
        preview = services.preview_macro(actor=request.user, ticket=ticket, macro=macro)
        if form is None:
            form = ApplyForm(initial={"body": preview.text}, auto_id="macro-%s")
    context = {
        "ticket": ticket,
        "macro": macro,
        "preview": preview,
        "form": form,
        "error": error,
        "macros": macros_usable_by(request.user).select_related("team"),
    }
    template = "macros/_preview.html" if request.htmx else "macros/apply.html"
    return render(request, template, context, status=status)


@agent_required
@require_GET
def pick(request: HttpRequest, number: str) -> HttpResponse:
    """The preview of `?macro=<id>` on this ticket (no macro chosen: nothing to preview)."""
    user = request.user
    ticket = _ticket_or_404(user, number)
    chosen = request.GET.get("macro", "")
    macro = _usable_or_404(user, chosen) if chosen else None
    return _preview_page(request, ticket, macro)


@agent_required
@require_POST
def apply(request: HttpRequest, number: str, public_id: str) -> HttpResponse:
    """Apply the macro with the posted text; back to the ticket, or the preview with the
    refusal (nothing was done)."""
    user = request.user
    ticket = _ticket_or_404(user, number)
    macro = _usable_or_404(user, public_id)
    form = ApplyForm(request.POST, auto_id="macro-%s")
    error = ""
    if form.is_valid():
        try:
            events = services.apply_macro(
                actor=user, ticket=ticket, macro=macro, body=form.cleaned_data["body"]
            )
        except DomainError as exc:
            error = exc.message
        else:
            steps = len(events)
            messages.success(
                request, f"Macro {macro.name!r} applied ({steps} step{'s' if steps != 1 else ''})."
            )
            if request.htmx:
                return HttpResponseClientRedirect(ticket.get_absolute_url())
            return redirect(ticket)
    ticket = _ticket_or_404(user, number)  # the stored one: a refused step changed nothing
    # htmx only swaps 2xx answers, so it gets the refusal with 200; a plain POST gets 422.
    return _preview_page(
        request, ticket, macro, form=form, error=error, status=200 if request.htmx else 422
    )
