"""The saved-view pages: the counts beside the queue (htmx), the page that lists and manages
one's views, and the plain POST + redirect actions (save the current filter, rename or share,
delete). No business logic: the services decide who may change what."""

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_POST

from deskside.accounts.models import User
from deskside.accounts.permissions import agent_required
from deskside.core.exceptions import DomainError
from deskside.workspace import services
from deskside.workspace.forms import SaveViewForm, ViewForm, teams_to_share_with
from deskside.workspace.models import SavedView
from deskside.workspace.queries import (
    shown_count,
    view_counts,
    view_url,
    views_listed_for,
    views_visible_to,
)


def _view_or_404(user: User, public_id: str) -> SavedView:
    view = views_listed_for(user).filter(public_id=public_id).first()
    if view is None:
        raise Http404("no such view")
    return view


def _back(request: HttpRequest) -> str:
    back = request.POST.get("next", "")
    if url_has_allowed_host_and_scheme(back, {request.get_host()}):
        return back
    return reverse("workspace:views")


def _rows(user: User, *, listed: bool = False) -> list[tuple[SavedView, str, str]]:
    views = list(views_listed_for(user) if listed else views_visible_to(user))
    counts = view_counts(user, views)
    return [(view, view_url(view), shown_count(counts[view.pk])) for view in views]


@agent_required
@require_GET
def counts(request: HttpRequest) -> HttpResponse:
    """htmx fragment: the sidebar's list of views with each one's count of tickets (capped:
    "99+"), counted for this agent through tickets.queries.queue (their clients only)."""
    context = {"rows": _rows(request.user), "current": request.GET.get("view")}
    return render(request, "workspace/_view_list.html", context)


@agent_required
@require_GET
def index(request: HttpRequest) -> HttpResponse:
    """The agent's views with their counts, and the forms to rename, share or delete those
    they manage."""
    user = request.user
    teams = list(teams_to_share_with(user))
    rows = [
        (
            view,
            url,
            count,
            ViewForm(
                user=user,
                teams=teams,
                initial={"name": view.name, "team": view.team.slug if view.team else ""},
                prefix=view.public_id,
            ),
        )
        if services.can_manage(user, view)
        else (view, url, count, None)
        for view, url, count in _rows(user, listed=True)
    ]
    return render(request, "workspace/views.html", {"rows": rows})


@agent_required
@require_POST
def create(request: HttpRequest) -> HttpResponse:
    """Save the queue page's current filter, sort and columns as a view; then open it."""
    form = SaveViewForm(request.POST, user=request.user)
    if not form.is_valid():
        messages.error(request, "Give the view a name (and a team of yours to share it with).")
        return redirect(_back(request))
    try:
        view = services.create_view(
            actor=request.user,
            name=form.cleaned_data["name"],
            team=form.cleaned_data["team"],
            **form.view_fields(),
        )
    except DomainError as error:
        messages.error(request, error.message)
        return redirect(_back(request))
    messages.success(request, f"View “{view.name}” saved.")
    return redirect(view_url(view))


@agent_required
@require_POST
def edit(request: HttpRequest, public_id: str) -> HttpResponse:
    """Rename a view and share it with a team or keep it to oneself."""
    view = _view_or_404(request.user, public_id)
    form = ViewForm(request.POST, user=request.user, prefix=view.public_id)
    if not form.is_valid():
        messages.error(request, "Give the view a name (and a team of yours to share it with).")
        return redirect(_back(request))
    try:
        services.update_view(
            actor=request.user,
            view=view,
            name=form.cleaned_data["name"],
            team=form.cleaned_data["team"],
        )
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, "View updated.")
    return redirect(_back(request))


@agent_required
@require_POST
def delete(request: HttpRequest, public_id: str) -> HttpResponse:
    view = _view_or_404(request.user, public_id)
    try:
        services.delete_view(actor=request.user, view=view)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, f"View “{view.name}” deleted.")
    return redirect(_back(request))
