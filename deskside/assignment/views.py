"""The assignment pages: /assignment/ (each managed team's rule, cap and who would get the
next ticket now, and why) and the ticket page's "required skills" panel (an htmx fragment
that the ticket page loads, and its POST).

Agents only (customers go to the portal; 403 for a POST). The rules page is for
administrators and team leads (their own teams); any other agent gets 403. No business
logic: services decide, forms parse.
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_htmx.http import trigger_client_event

from deskside.accounts.models import User
from deskside.accounts.permissions import agent_required
from deskside.assignment import services
from deskside.assignment.forms import RuleForm, SkillsForm
from deskside.assignment.models import AssignmentRule, Mode
from deskside.assignment.queries import teams_managed_by, tickets_for
from deskside.core.exceptions import DomainError
from deskside.tickets.models import Ticket, parse_number


def _rows(user: User) -> list[dict[str, object]]:
    rows = []
    for team in teams_managed_by(user):
        rule = getattr(team, "assignment_rule", None) or AssignmentRule(team=team, mode=Mode.OFF)
        rows.append(
            {
                "team": team,
                "rule": rule,
                "form": RuleForm(initial={"mode": rule.mode, "cap": rule.cap}, prefix=team.slug),
                "preview": services.preview(team=team),
            }
        )
    return rows


@agent_required
@require_GET
def index(request: HttpRequest) -> HttpResponse:
    rows = _rows(request.user)
    if not rows:
        raise PermissionDenied("administrators and team leads only")
    return render(request, "assignment/index.html", {"rows": rows})


@agent_required
@require_POST
def set_rule(request: HttpRequest, slug: str) -> HttpResponse:
    team = teams_managed_by(request.user).filter(slug=slug).first()
    if team is None:
        raise PermissionDenied("administrators and the team's lead only")
    form = RuleForm(request.POST, prefix=team.slug)
    if form.is_valid():
        try:
            services.set_rule(
                actor=request.user,
                team=team,
                mode=form.cleaned_data["mode"],
                cap=form.cleaned_data["cap"],
            )
        except DomainError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, f"{team.name}: assignment rule saved.")
    else:
        for errors in form.errors.values():
            messages.error(request, f"{team.name}: {' '.join(errors)}")
    return redirect("assignment:index")


def _ticket(user: User, number: str) -> Ticket:
    pk = parse_number(number)
    ticket = tickets_for(user).filter(pk=pk).first() if pk is not None else None
    if ticket is None:
        raise Http404("no such ticket")
    return ticket


@agent_required
@require_http_methods(["GET", "POST"])
def ticket_skills(request: HttpRequest, number: str) -> HttpResponse:
    """The ticket's required skills as an HTML fragment (no base.html) for the ticket page;
    its POST sets them and answers with the fragment again (or the ticket page, without
    htmx)."""
    ticket = _ticket(request.user, number)
    have = list(ticket.required_skills.values_list("skill", flat=True))
    form = SkillsForm(initial={"skills": have})
    saved = False
    if request.method == "POST":
        form = SkillsForm(request.POST)
        if form.is_valid():
            try:
                services.set_required_skills(
                    actor=request.user, ticket=ticket, skills=form.cleaned_data["skills"]
                )
                saved = True
            except DomainError as error:
                form.add_service_error(error)
        if saved and not request.htmx:
            return redirect(ticket.get_absolute_url())
    context = {
        "ticket": ticket,
        "form": form,
        "saved": saved,
        "names": services.required_skill_names(ticket),
    }
    response = render(request, "assignment/_ticket_skills.html", context)
    if saved:  # the rest of the ticket page reloads (its timeline has the change now)
        trigger_client_event(response, "ticket-changed")
    return response
