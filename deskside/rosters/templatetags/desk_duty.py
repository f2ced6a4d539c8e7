"""Who is on support duty, where agents look: `{% duty_nav %}` in the navigation (base.html)
and `{% queue_duty %}` above the queue's tickets (tickets/_ticket_table.html, inside the part
that the queue's filters re-draw, so choosing a team shows its duty).

The navigation shows "On duty: Ana" for each team of the signed-in agent that runs a fixed or
rotational duty (a link to the team's duty page), else a plain "Support duty" link. The page
itself draws the plain link without a query; htmx then loads the names from
`/support-duty/nav/` (`supportduty_views.nav`) and refreshes them every five minutes, so a
queue left open shows the hand-off, and no page pays for the look-up in its own response.

`my_duties` reads them once per request (the agent's duty teams in one query, who is on duty
from `deskside.rosters.working`, the names in one more) and keeps them on the request: the
queue's badge of "My teams" reuses them.
"""

from typing import Any

from django import template

from deskside.accounts.models import Team
from deskside.accounts.permissions import is_agent
from deskside.rosters.supportduty_queries import mode_of, my_duties, on_duty_for

register = template.Library()


@register.inclusion_tag("rosters/_supportduty_nav.html")
def duty_nav() -> dict[str, Any]:
    """The navigation's placeholder: the plain link, which htmx replaces with the names."""
    return {"duties": []}


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
        return {"duties": on_duty_for([team])}
    if request.GET.get("queue") == "team":
        return {"duties": my_duties(request)}
    return {"duties": []}
