"""The directory pages, mounted at /directory/ (namespace "directory"): contacts (list with
search and client filter, page with their tickets, create, edit, deactivate, reactivate,
CSV import with a preview), clients and their sites, agents and teams.

Who may do what is the services' (deskside.directory.services): these pages only hide the
buttons a user may not use, and answer 403 when one is used anyway. Contacts: every agent,
for the clients they serve. Clients and sites: administrators (new clients: administrators
who serve every client). Agents and teams: administrators read them; administrators who
serve every client change them. Customers never reach these pages (sent to the portal; 403
for a POST).
"""

import base64
import binascii
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from deskside.accounts.permissions import agent_required, is_admin
from deskside.accounts.queries import serves
from deskside.core.exceptions import DomainError
from deskside.core.views import page_number, paginate
from deskside.directory import imports, queries, services
from deskside.directory.forms import (
    AgentForm,
    ClientForm,
    ContactFilterForm,
    ContactForm,
    ImportApplyForm,
    ImportForm,
    SiteForm,
    TeamForm,
)

LIST_PAGE = 50
TICKET_PAGE = 25


def _admin_only(request: HttpRequest) -> None:
    if not is_admin(request.user):
        raise PermissionDenied("administrators only")


def _manager_only(request: HttpRequest) -> None:
    if not queries.may_manage_staff(request.user):
        raise PermissionDenied("administrators who serve every client only")


def _or_404(row: Any, what: str) -> Any:
    if row is None:
        raise Http404(f"no such {what}")
    return row


def _form(
    request: HttpRequest, template: str, context: dict[str, Any], *, status: int = 200
) -> HttpResponse:
    return render(request, f"directory/{template}", context, status=status)


# -- contacts ----------------------------------------------------------------------------------


@agent_required
@require_GET
def contacts(request: HttpRequest) -> HttpResponse:
    user = request.user
    clients = queries.clients_visible_to(user)
    filters = ContactFilterForm(request.GET or None, clients=clients)
    text, client, state = "", None, "active"
    if filters.is_valid():
        text = filters.cleaned_data["q"]
        client = filters.cleaned_data["client"]
        state = filters.cleaned_data["state"] or "active"
    active = {"active": True, "inactive": False}.get(state)
    qs = queries.search_contacts(
        queries.contacts_visible_to(user), text=text, client=client, active=active
    )
    page = paginate(qs, page_number(request.GET.get("page")), LIST_PAGE)
    query = request.GET.copy()
    query.pop("page", None)
    context = {"page": page, "filters": filters, "query": query.urlencode()}
    if request.htmx and not request.htmx.boosted:
        return render(request, "directory/_contact_rows.html", context)
    return render(request, "directory/contacts.html", context)


@agent_required
@require_http_methods(["GET", "POST"])
def contact_new(request: HttpRequest) -> HttpResponse:
    user = request.user
    clients = queries.clients_visible_to(user)
    if request.method != "POST":
        initial = {"organization": request.GET.get("client") or None}
        form = ContactForm(clients=clients, initial=initial)
        return _form(request, "contact_form.html", {"form": form})
    form = ContactForm(request.POST, clients=clients)
    if form.is_valid():
        try:
            contact = services.create_contact(actor=user, **form.values())
        except DomainError as error:
            form.add_service_error(error)
        else:
            messages.success(request, f"Contact {contact} added.")
            return redirect("directory:contact", contact.public_id)
    return _form(request, "contact_form.html", {"form": form}, status=422)


@agent_required
@require_GET
def site_options(request: HttpRequest) -> HttpResponse:
    """The <option>s of the contact form's site field for the client chosen (htmx)."""
    client = queries.client_for(request.user, request.GET.get("organization", ""))
    sites = queries.sites_of(request.user, client) if client is not None else []
    return render(request, "directory/_site_options.html", {"sites": sites})


@agent_required
@require_GET
def contact_detail(request: HttpRequest, public_id: str) -> HttpResponse:
    user = request.user
    contact = _or_404(queries.contact_for(user, public_id), "contact")
    tickets = paginate(
        queries.tickets_of(user, contact), page_number(request.GET.get("page")), TICKET_PAGE
    )
    return render(request, "directory/contact.html", {"contact": contact, "tickets": tickets})


@agent_required
@require_http_methods(["GET", "POST"])
def contact_edit(request: HttpRequest, public_id: str) -> HttpResponse:
    user = request.user
    contact = _or_404(queries.contact_for(user, public_id), "contact")
    clients = queries.clients_visible_to(user)
    if request.method != "POST":
        form = ContactForm(clients=clients, initial=ContactForm.initial_for(contact))
        return _form(request, "contact_form.html", {"form": form, "contact": contact})
    form = ContactForm(request.POST, clients=clients)
    if form.is_valid():
        try:
            services.update_contact(actor=user, contact=contact, **form.values())
        except DomainError as error:
            form.add_service_error(error)
        else:
            messages.success(request, f"Contact {contact} saved.")
            return redirect("directory:contact", contact.public_id)
    return _form(request, "contact_form.html", {"form": form, "contact": contact}, status=422)


@agent_required
@require_POST
def contact_active(request: HttpRequest, public_id: str) -> HttpResponse:
    user = request.user
    contact = _or_404(queries.contact_for(user, public_id), "contact")
    active = request.POST.get("active") == "1"
    services.set_contact_active(actor=user, contact=contact, active=active)
    messages.success(
        request,
        f"{contact} reactivated."
        if active
        else f"{contact} deactivated: they cannot sign in and are no longer offered to callers.",
    )
    return redirect("directory:contact", contact.public_id)


# -- the CSV import ----------------------------------------------------------------------------


def _plan_page(
    request: HttpRequest, plan: Any, data: bytes, name: str, *, status: int = 200
) -> HttpResponse:
    apply = ImportApplyForm(initial={"data": base64.b64encode(data).decode(), "name": name})
    return _form(
        request, "import_preview.html", {"plan": plan, "apply": apply, "name": name}, status=status
    )


@agent_required
@require_http_methods(["GET", "POST"])
def import_contacts(request: HttpRequest) -> HttpResponse:
    """Upload a CSV file: the preview (a dry run) of what each row will do."""
    if request.method != "POST":
        return _form(request, "import.html", {"form": ImportForm()})
    form = ImportForm(request.POST, request.FILES)
    if form.is_valid():
        upload = form.cleaned_data["file"]
        # Not read into memory past the limit: one byte more is enough to refuse it.
        data = upload.read(imports.MAX_BYTES + 1)
        try:
            plan = services.import_contacts(actor=request.user, data=data, dry_run=True)
        except DomainError as error:
            form.add_error("file", error.message)
        else:
            return _plan_page(request, plan, data, upload.name)
    return _form(request, "import.html", {"form": form}, status=422)


@agent_required
@require_POST
def import_apply(request: HttpRequest) -> HttpResponse:
    """Import the valid rows of the previewed file, in one transaction; report the counts."""
    form = ImportApplyForm(request.POST)
    try:
        if not form.is_valid():
            raise ValueError
        data = base64.b64decode(form.cleaned_data["data"], validate=True)
    except (ValueError, binascii.Error):
        messages.error(request, "The file was not sent back: upload it again.")
        return redirect("directory:import")
    try:
        plan = services.import_contacts(actor=request.user, data=data)
    except DomainError as error:
        messages.error(request, error.message)
        return redirect("directory:import")
    return _form(request, "import_preview.html", {"plan": plan, "name": form.cleaned_data["name"]})


# -- clients and sites -------------------------------------------------------------------------


@agent_required
@require_GET
def clients(request: HttpRequest) -> HttpResponse:
    page = paginate(
        queries.clients_visible_to(request.user), page_number(request.GET.get("page")), LIST_PAGE
    )
    return render(
        request,
        "directory/clients.html",
        {"page": page, "can_create": queries.may_manage_staff(request.user)},
    )


@agent_required
@require_http_methods(["GET", "POST"])
def client_new(request: HttpRequest) -> HttpResponse:
    _manager_only(request)
    if request.method != "POST":
        return _form(request, "client_form.html", {"form": ClientForm()})
    form = ClientForm(request.POST)
    if form.is_valid():
        try:
            client = services.create_organization(actor=request.user, **form.cleaned_data)
        except DomainError as error:
            form.add_service_error(error)
        else:
            messages.success(request, f"Client {client} created.")
            return redirect("directory:client", client.slug)
    return _form(request, "client_form.html", {"form": form}, status=422)


@agent_required
@require_GET
def client_detail(request: HttpRequest, slug: str) -> HttpResponse:
    user = request.user
    client = _or_404(queries.client_for(user, slug), "client")
    return render(
        request,
        "directory/client.html",
        {
            "client": client,
            "sites": queries.sites_of(user, client)[:200],
            "can_edit": is_admin(user) and serves(user, client.id),
        },
    )


@agent_required
@require_http_methods(["GET", "POST"])
def client_edit(request: HttpRequest, slug: str) -> HttpResponse:
    _admin_only(request)
    user = request.user
    client = _or_404(queries.client_for(user, slug), "client")
    if request.method != "POST":
        form = ClientForm(initial=ClientForm.initial_for(client))
        return _form(request, "client_form.html", {"form": form, "client": client})
    form = ClientForm(request.POST)
    if form.is_valid():
        try:
            services.update_organization(actor=user, organization=client, **form.cleaned_data)
        except DomainError as error:
            form.add_service_error(error)
        else:
            messages.success(request, f"Client {client} saved.")
            return redirect("directory:client", client.slug)
    return _form(request, "client_form.html", {"form": form, "client": client}, status=422)


@agent_required
@require_http_methods(["GET", "POST"])
def site_new(request: HttpRequest, slug: str) -> HttpResponse:
    _admin_only(request)
    user = request.user
    client = _or_404(queries.client_for(user, slug), "client")
    if request.method != "POST":
        return _form(request, "site_form.html", {"form": SiteForm(), "client": client})
    form = SiteForm(request.POST)
    if form.is_valid():
        try:
            site = services.create_site(actor=user, organization=client, **form.cleaned_data)
        except DomainError as error:
            form.add_service_error(error)
        else:
            messages.success(request, f"Site {site.name} added.")
            return redirect("directory:client", client.slug)
    return _form(request, "site_form.html", {"form": form, "client": client}, status=422)


@agent_required
@require_http_methods(["GET", "POST"])
def site_edit(request: HttpRequest, public_id: str) -> HttpResponse:
    _admin_only(request)
    user = request.user
    site = _or_404(queries.site_for(user, public_id), "site")
    context = {"client": site.organization, "site": site}
    if request.method != "POST":
        form = SiteForm(initial=SiteForm.initial_for(site))
        return _form(request, "site_form.html", {**context, "form": form})
    form = SiteForm(request.POST)
    if form.is_valid():
        try:
            services.update_site(actor=user, site=site, **form.cleaned_data)
        except DomainError as error:
            form.add_service_error(error)
        else:
            messages.success(request, f"Site {site.name} saved.")
            return redirect("directory:client", site.organization.slug)
    return _form(request, "site_form.html", {**context, "form": form}, status=422)


# -- agents and teams --------------------------------------------------------------------------


@agent_required
@require_GET
def agents(request: HttpRequest) -> HttpResponse:
    _admin_only(request)
    page = paginate(
        queries.agents_listed(request.user), page_number(request.GET.get("page")), LIST_PAGE
    )
    return render(
        request,
        "directory/agents.html",
        {"page": page, "can_edit": queries.may_manage_staff(request.user)},
    )


@agent_required
@require_http_methods(["GET", "POST"])
def agent_new(request: HttpRequest) -> HttpResponse:
    _manager_only(request)
    if request.method != "POST":
        return _form(request, "agent_form.html", {"form": AgentForm(initial={"tier": "L1"})})
    form = AgentForm(request.POST)
    if form.is_valid():
        try:
            agent = services.create_agent(actor=request.user, **form.values())
        except DomainError as error:
            form.add_service_error(error)
        else:
            messages.success(
                request, f"Agent {agent} added: they set a password with “Forgot password”."
            )
            return redirect("directory:agents")
    return _form(request, "agent_form.html", {"form": form}, status=422)


@agent_required
@require_http_methods(["GET", "POST"])
def agent_edit(request: HttpRequest, public_id: str) -> HttpResponse:
    _manager_only(request)
    user = request.user
    agent = _or_404(queries.agent_for(user, public_id), "agent")
    if request.method != "POST":
        form = AgentForm(initial=AgentForm.initial_for(agent))
        return _form(request, "agent_form.html", {"form": form, "agent": agent})
    form = AgentForm(request.POST)
    if form.is_valid():
        try:
            services.update_agent(actor=user, agent=agent, **form.values())
        except DomainError as error:
            form.add_service_error(error)
        else:
            messages.success(request, f"Agent {agent} saved.")
            return redirect("directory:agents")
    return _form(request, "agent_form.html", {"form": form, "agent": agent}, status=422)


@agent_required
@require_POST
def agent_active(request: HttpRequest, public_id: str) -> HttpResponse:
    _manager_only(request)
    user = request.user
    agent = _or_404(queries.agent_for(user, public_id), "agent")
    active = request.POST.get("active") == "1"
    try:
        services.set_agent_active(actor=user, agent=agent, active=active)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, f"{agent} {'reactivated' if active else 'deactivated'}.")
    return redirect("directory:agent_edit", agent.public_id)


@agent_required
@require_GET
def teams(request: HttpRequest) -> HttpResponse:
    _admin_only(request)
    rows = queries.teams_listed(request.user)[:500]
    return render(
        request,
        "directory/teams.html",
        {"teams": rows, "can_edit": queries.may_manage_staff(request.user)},
    )


@agent_required
@require_http_methods(["GET", "POST"])
def team_new(request: HttpRequest) -> HttpResponse:
    _manager_only(request)
    if request.method != "POST":
        return _form(request, "team_form.html", {"form": TeamForm(initial={"tier": "L1"})})
    form = TeamForm(request.POST)
    if form.is_valid():
        try:
            team = services.create_team(actor=request.user, **form.values())
        except DomainError as error:
            form.add_service_error(error)
        else:
            messages.success(request, f"Team {team} created.")
            return redirect("directory:teams")
    return _form(request, "team_form.html", {"form": form}, status=422)


@agent_required
@require_http_methods(["GET", "POST"])
def team_edit(request: HttpRequest, slug: str) -> HttpResponse:
    _manager_only(request)
    user = request.user
    team = _or_404(queries.team_for(user, slug), "team")
    if request.method != "POST":
        form = TeamForm(initial=TeamForm.initial_for(team))
        return _form(request, "team_form.html", {"form": form, "team": team})
    form = TeamForm(request.POST)
    if form.is_valid():
        try:
            services.update_team(actor=user, team=team, **form.values())
        except DomainError as error:
            form.add_service_error(error)
        else:
            messages.success(request, f"Team {team.name} saved.")
            return redirect("directory:teams")
    return _form(request, "team_form.html", {"form": form, "team": team}, status=422)
