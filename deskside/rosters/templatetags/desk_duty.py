"""Who is on support duty, where agents look: `{% duty_nav %}` in the navigation (base.html)
and `{% queue_duty %}` above the queue (tickets/queue.html).

The navigation shows "On duty: Ana" for each team of the signed-in agent that runs a fixed or
rotational duty (a link to the team's duty page), else a plain "Support duty" link. It costs
one query for the agent's duty teams, the core's reads of who is on duty and one query for the
names, once per request: the result is kept on the request, and the queue's badge reuses it.
"""

from typing import Any

from django import template
from django.http import HttpRequest

from deskside.accounts.models import Team
from deskside.accounts.permissions import is_agent
from deskside.rosters.supportduty_queries import OnDuty, duty_teams_of, mode_of, on_duty_for

register = template.Library()
_CACHE = "_deskside_duty_nav"


def my_duties(request: HttpRequest) -> list[OnDuty]:
    """Who is on duty now in the duty teams of the request's agent; computed once a request."""
    cached = getattr(request, _CACHE, None)
    if cached is None:
        user = request.user
        cached = on_duty_for(duty_teams_of(user)) if is_agent(user) else []
        setattr(request, _CACHE, cached)
    return cached


@register.inclusion_tag("rosters/_supportduty_nav.html", takes_context=True)
def duty_nav(context: template.Context) -> dict[str, Any]:
    request = context.get("request")
    return {"duties": my_duties(request) if request is not None else []}


@register.inclusion_tag("rosters/_supportduty_queue.html", takes_context=True)
def queue_duty(context: template.Context) -> dict[str, Any]:
    """The team filtered on (`?team=slug`) if it runs a duty; on "My teams" (`?queue=team`),
    each of the agent's duty teams; else nothing."""
    request = context.get("request")
    if request is None or not is_agent(request.user):
        return {"duties": []}
    slug = request.GET.get("team")
    if slug:
        team = Team.objects.select_related("support_duty").filter(slug=slug).first()
        if team is None or mode_of(team) == "everyone":
            return {"duties": []}
        mine = [d for d in my_duties(request) if d.team.pk == team.pk]
        return {"duties": mine or on_duty_for([team])}
    if request.GET.get("queue") == "team":
        return {"duties": my_duties(request)}
    return {"duties": []}
