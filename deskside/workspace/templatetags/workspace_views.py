"""`{% views_sidebar %}`: the saved views beside the queue (tickets/queue.html), their counts
loaded after the page by htmx (workspace:counts), and the form that saves the current filter."""

from typing import Any

from django import template

from deskside.workspace.forms import SaveViewForm
from deskside.workspace.models import SavedView
from deskside.workspace.queries import view_url, views_visible_to

register = template.Library()

FILTER_PARAMS = ("organization", "priority", "status", "tier", "team", "assignee", "q", "sla")


def current_view(views: list[SavedView], params: Any) -> str | None:
    """The public id of the view the page shows: `view=`, or the default view of `queue=`
    when no other filter is set (the old `?queue=` URLs)."""
    if params.get("view"):
        return params["view"]
    if any(params.get(k) for k in FILTER_PARAMS):
        return None
    queue = params.get("queue") or "open"
    for view in views:
        if view.is_default and view.filters.get("queue") == queue:
            return view.public_id
    return None


@register.inclusion_tag("workspace/_sidebar.html", takes_context=True)
def views_sidebar(context: template.Context) -> dict[str, Any]:
    request = context["request"]
    views = list(views_visible_to(request.user))
    query = request.GET.copy()
    for key in ("page", "view"):
        query.pop(key, None)
    current = current_view(views, request.GET)
    return {
        "request": request,
        "csrf_token": context.get("csrf_token"),
        "rows": [(view, view_url(view), None) for view in views],
        "current": current,
        "form": SaveViewForm(
            user=request.user, initial={"query": query.urlencode()}, auto_id="view-%s"
        ),
    }
