"""The support-duty pages, mounted at /support-duty/ (namespace "supportduty"):

- `/support-duty/`: every team, its duty mode, who is on duty now and the next hand-off;
- `/support-duty/nav/`: the navigation's "On duty: Ana" links (loaded by htmx);
- `/support-duty/<team slug>/`: one team's duty: who is on duty now, today's hand-off and the
  next few (who hands over to whom, in the viewer's zone), and, for an administrator or the
  team's lead, the form that changes it (POST to the same address).

Every agent reads; customers are sent to the portal (403 for a POST), as on every agent page.
A service error becomes a form error on the same page, with what was typed kept.
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from deskside.accounts.models import Team
from deskside.accounts.permissions import agent_required, is_agent
from deskside.core import clock, versioning
from deskside.core.timezones import zone
from deskside.rosters import supportduty
from deskside.rosters.exceptions import RosterError
from deskside.rosters.supportduty_forms import SupportDutyForm
from deskside.rosters.supportduty_queries import mode_of, my_duties, on_duty_for, overview, teams


@require_GET
def nav(request: HttpRequest) -> HttpResponse:
    """The navigation's "On duty: Ana" links (htmx swaps them in after the page loads, then
    every five minutes). Agents only: anyone else gets 403, which htmx does not swap in."""
    if not is_agent(request.user):
        raise PermissionDenied("agents only")
    return render(request, "rosters/_supportduty_navlinks.html", {"duties": my_duties(request)})


def _team_or_404(slug: str) -> Team:
    team = teams().filter(slug=slug).first()
    if team is None:
        raise Http404("no such team")
    return team


@agent_required
@require_GET
def index(request: HttpRequest) -> HttpResponse:
    team_list = list(teams())
    on_duty = {row.team.pk: row.people for row in on_duty_for(team_list)}
    rows = [
        {
            "team": team,
            "mode": mode_of(team),
            "on_duty": on_duty.get(team.pk),
            "can_edit": supportduty.can_edit(request.user, team),
        }
        for team in team_list
    ]
    return render(request, "rosters/supportduty_index.html", {"rows": rows, "now": clock.now()})


@agent_required
@require_http_methods(["GET", "HEAD", "POST"])
def team_duty(request: HttpRequest, slug: str) -> HttpResponse:
    team = _team_or_404(slug)
    can_edit = supportduty.can_edit(request.user, team)
    view = overview(team)
    form = None
    status = 400 if request.method == "POST" else 200
    if can_edit:
        initial = SupportDutyForm.initial_for(
            view.duty,
            timezone=supportduty.default_timezone(team, request.user),
            today=clock.now().astimezone(zone(request.user.timezone)).date(),
        )
        form = SupportDutyForm(request.POST or None, initial=initial, auto_id="duty-%s")
    if request.method == "POST":
        if form is None:
            raise PermissionDenied("only an administrator or the team's lead changes its duty")
        if form.is_valid():
            data = form.cleaned_data
            try:
                supportduty.set_support_duty(
                    actor=request.user,
                    team=team,
                    mode=data["mode"],
                    members=data["member_users"],
                    period=data["period"],
                    handoff_time=data["handoff_time"],
                    timezone=data["timezone"],
                    starts_on=data["starts_on"],
                    version=data["version"],
                )
            except versioning.VersionConflict as exc:
                current = overview(_team_or_404(slug))
                shown = SupportDutyForm.initial_for(current.duty, timezone="", today=None)
                shown.pop("version", None)
                versioning.form_conflict(form, exc, shown)
                view = current
                status = 409
            except RosterError as exc:
                form.add_service_error(exc)
            else:
                messages.success(request, f"Support duty of {team.name} saved.")
                return redirect("supportduty:team", team.slug)
    return render(
        request,
        "rosters/supportduty_team.html",
        {
            "team": team,
            "view": view,
            "form": form,
            "can_edit": can_edit,
            "team_members": list(team.members.filter(kind="agent", is_active=True)),
            "now": clock.now(),
        },
        status=status,
    )
