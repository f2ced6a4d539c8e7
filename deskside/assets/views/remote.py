"""The remote-control pages (agents only; customers are sent to the portal, 403 for a POST):

- `/assets/remote/templates/`: the per-client "Connect" URL templates; administrators add,
  change and remove them (POST `.../templates/`, `.../templates/<client>/<tool>/`,
  `.../templates/<client>/<tool>/delete/`); other agents read them;
- `/assets/remote/tickets/<number>/`: the ticket page's panel (an htmx fragment): per asset a
  "Connect" button per tool, the ticket's sessions with "End session";
- POST `/assets/remote/tickets/<number>/connect/`: start a session (the form opens a new
  tab), answered with a 303 to the session's page `/assets/remote/sessions/<public id>/`,
  which opens the link built from the client's template and the asset's stored id (a
  `Refresh` header, and an "Open" link), nothing taken from the request but which asset and
  which tool;
- POST `/assets/remote/sessions/<public id>/end/`: end it, with an optional summary.

A ticket, client or session the viewer may not see is a 404. No business logic here.
"""

from datetime import timedelta

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from deskside.accounts.models import Organization, User
from deskside.accounts.permissions import agent_required, is_admin
from deskside.accounts.queries import served_organization_ids
from deskside.assets.exceptions import AssetError
from deskside.assets.forms.remote import ConnectForm, EndForm, TemplateEditForm, TemplateForm
from deskside.assets.models import Asset, RemoteAccessTemplate
from deskside.assets.queries import remote as reads
from deskside.assets.services import remote as svc
from deskside.core import clock
from deskside.tickets.models import Ticket
from deskside.tickets.queries import ticket_for

OPEN_WITHIN = timedelta(minutes=2)  # the session page opens the tool only when just started


def _clients(user: User):
    ids = served_organization_ids(user)
    qs = Organization.objects.filter(is_msp=False).order_by("name")
    return qs if ids is None else qs.filter(pk__in=ids)


def _template(user: User, slug: str, tool: str) -> RemoteAccessTemplate:
    found = reads.templates_visible_to(user).filter(organization__slug=slug, tool=tool).first()
    if found is None:
        raise Http404("no such template")
    return found


def _templates_page(
    request: HttpRequest, form: TemplateForm | None = None, *, status: int = 200, errors=None
) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    admin = is_admin(user)
    rows = list(reads.templates_visible_to(user).order_by("organization__name", "tool"))
    if form is None and admin:
        form = TemplateForm(clients=_clients(user), auto_id="tpl-%s")
    return render(
        request,
        "assets/remote_templates.html",
        {
            "rows": [
                (
                    row,
                    (errors or {}).get(row.pk)
                    or TemplateEditForm(
                        initial={"url_template": row.url_template, "label": row.label},
                        auto_id=f"tpl{row.pk}-%s",
                    ),
                )
                for row in rows
            ],
            "form": form,
            "is_admin": admin,
            "schemes": svc.ALLOWED_SCHEMES,
        },
        status=status,
    )


@agent_required
@require_http_methods(["GET", "POST"])
def templates(request: HttpRequest) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    if request.method == "GET":
        return _templates_page(request)
    form = TemplateForm(request.POST, clients=_clients(user), auto_id="tpl-%s")
    if not form.is_valid():
        return _templates_page(request, form, status=400)
    data = form.cleaned_data
    try:
        row = svc.create_template(
            actor=user,
            organization=data["organization"],
            tool=data["tool"],
            url_template=data["url_template"],
            label=data["label"],
        )
    except AssetError as exc:
        form.add_service_error(exc)
        return _templates_page(request, form, status=exc.status_code)
    messages.success(request, f"Template for {row} saved.")
    return redirect("assets:remote_templates")


@agent_required
@require_POST
def template_edit(request: HttpRequest, slug: str, tool: str) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    row = _template(user, slug, tool)
    form = TemplateEditForm(request.POST, auto_id=f"tpl{row.pk}-%s")
    if form.is_valid():
        try:
            svc.update_template(
                actor=user,
                template=row,
                url_template=form.cleaned_data["url_template"],
                label=form.cleaned_data["label"],
            )
        except AssetError as exc:
            form.add_service_error(exc)
            return _templates_page(request, status=exc.status_code, errors={row.pk: form})
        messages.success(request, f"Template for {row} changed.")
        return redirect("assets:remote_templates")
    return _templates_page(request, status=400, errors={row.pk: form})


@agent_required
@require_POST
def template_delete(request: HttpRequest, slug: str, tool: str) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    row = _template(user, slug, tool)
    try:
        svc.delete_template(actor=user, template=row)
    except AssetError as exc:
        messages.error(request, exc.message)
        return _templates_page(request, status=exc.status_code)
    messages.success(request, f"Template for {row} removed.")
    return redirect("assets:remote_templates")


# -- the ticket page's panel -------------------------------------------------------------------


def _panel(
    request: HttpRequest,
    ticket: Ticket,
    *,
    error: str = "",
    end_forms: dict | None = None,
    status: int = 200,
) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    if request.htmx and status >= 400:  # type: ignore[attr-defined]
        status = 200  # htmx swaps 2xx answers only: the panel shows the error itself
    sessions = list(reads.ticket_sessions(user, ticket)[: reads.PANEL_SESSIONS])
    forms = end_forms or {}
    return render(
        request,
        "assets/remote_panel.html",
        {
            "ticket": ticket,
            "assets": reads.connect_options(ticket),
            "sessions": [
                (s, forms.get(s.pk) or EndForm(auto_id=f"end-{s.public_id}-%s")) for s in sessions
            ],
            "error": error,
            "running": any(s.ended_at is None for s in sessions),
        },
        status=status,
    )


@agent_required
@require_GET
def ticket_panel(request: HttpRequest, number: str) -> HttpResponse:
    """The ticket's remote-control panel as an HTML fragment (no base.html)."""
    return _panel(request, ticket_for(request.user, number))  # type: ignore[arg-type]


@agent_required
@require_POST
def connect(request: HttpRequest, number: str) -> HttpResponse:
    """ "Connect": `remote.start_session`, then a 303 to the built link."""
    user: User = request.user  # type: ignore[assignment]
    ticket = ticket_for(user, number)
    form = ConnectForm(request.POST)
    if not form.is_valid():
        return _refused(request, ticket, "choose an asset and a tool", 400)
    asset = Asset.objects.filter(
        public_id=form.cleaned_data["asset"], organization_id=ticket.organization_id
    ).first()
    if asset is None:
        return _refused(request, ticket, "no such asset at this client", 404)
    try:
        session = svc.start_session(
            actor=user, ticket=ticket, asset=asset, tool=form.cleaned_data["tool"]
        )
    except AssetError as exc:
        return _refused(request, ticket, exc.message, exc.status_code)
    return HttpResponseSeeOther(reverse("assets:remote_session", args=[session.public_id]))


def _refused(request: HttpRequest, ticket: Ticket, message: str, status: int) -> HttpResponse:
    """A refused Connect, as a page of its own (the form opened a new tab for the link)."""
    return render(
        request,
        "assets/remote_refused.html",
        {"ticket": ticket, "message": message},
        status=status,
    )


@agent_required
@require_POST
def end(request: HttpRequest, public_id: str) -> HttpResponse:
    """ "End session": `remote.end_session`; the panel again (htmx) or the ticket page."""
    user: User = request.user  # type: ignore[assignment]
    session = reads.sessions_visible_to(user).filter(public_id=public_id).first()
    if session is None:
        raise Http404("no such session")
    form = EndForm(request.POST, auto_id=f"end-{public_id}-%s")
    if form.is_valid():
        try:
            svc.end_session(actor=user, session=session, summary=form.cleaned_data["summary"])
        except AssetError as exc:
            form.add_service_error(exc)
            return _end_refused(request, session, form, exc.status_code)
    else:
        return _end_refused(request, session, form, 400)
    if request.htmx:  # type: ignore[attr-defined]
        return _panel(request, session.ticket)
    messages.success(request, "Remote session ended.")
    return redirect("tickets:detail", session.ticket.number)


def _end_refused(request: HttpRequest, session, form: EndForm, status: int) -> HttpResponse:
    if request.htmx:  # type: ignore[attr-defined]
        return _panel(request, session.ticket, end_forms={session.pk: form}, status=status)
    message = "; ".join(e for errors in form.errors.values() for e in errors)
    return _refused(request, session.ticket, message, status)


class HttpResponseSeeOther(HttpResponseRedirect):
    status_code = 303


@agent_required
@require_GET
def session_page(request: HttpRequest, public_id: str) -> HttpResponse:
    """The page a Connect opens in its new tab: the session, an "Open <tool>" link to the
    built URL and, just after the start, a `Refresh` header that follows it (the ticket
    page's Content-Security-Policy, form-action 'self', forbids a form's redirect to another
    address, so the POST lands here first)."""
    user: User = request.user  # type: ignore[assignment]
    session = reads.sessions_visible_to(user).filter(public_id=public_id).first()
    if session is None:
        raise Http404("no such session")
    fresh = session.ended_at is None and clock.now() - session.started_at <= OPEN_WITHIN
    response = render(
        request,
        "assets/remote_session.html",
        {"session": session, "form": EndForm(auto_id="end-%s"), "fresh": fresh},
    )
    if fresh:
        response["Refresh"] = f"0;url={session.url}"
    return response
