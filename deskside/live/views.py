"""The live pages' endpoints, polled by the queue and ticket pages (htmx, every 10 s; see
deskside/static/deskside/live.js) and answered from one or two indexed queries.

When nothing changed since the page's last answer they answer 204 No Content, rendering no
template: htmx leaves the page as it is. Otherwise they answer the small fragment that
replaces the poller (a link "3 new tickets · show them"; "Ana added a note · show", "Ben is
replying"). The page sends what it currently shows (`shown`, `sig`) so the server can tell.

Agents only: a customer gets 403 (as does anyone signed out: a poll never answers with the
login page).
"""

import hashlib
from collections.abc import Callable
from functools import wraps
from typing import Any
from urllib.parse import urlencode

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from deskside.accounts.permissions import is_agent
from deskside.core.exceptions import DomainError
from deskside.live import queries, services
from deskside.live.models import Presence
from deskside.tickets.forms import QueueFilterForm, queue_name

# Parameters of the queue page that are not its filters.
NOT_FILTERS = ("after", "shown", "page")
FILTERS = tuple(QueueFilterForm.base_fields)


def _agents_only(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not is_agent(request.user):
            raise PermissionDenied("agents only")
        return view(request, *args, **kwargs)

    return wrapper


def _int(value: str | None) -> int:
    """A non-negative id or count from a parameter; 0 when missing or malformed (capped to
    what the databases store, so a forged huge number is no error)."""
    try:
        return min(max(0, int(value or 0)), 2**63 - 1)
    except ValueError:
        return 0


def no_change() -> HttpResponse:
    return HttpResponse(status=204)


# -- the queue ---------------------------------------------------------------------------------


@_agents_only
@require_GET
def queue_poll(request: HttpRequest) -> HttpResponse:
    """How many tickets of the queue (with the page's filters) are newer than `after`, the
    highest ticket id when the page was rendered. 204 when that is still `shown`."""
    name = queue_name(request.GET.get("queue"))
    filters = {}
    if any(request.GET.get(key) for key in FILTERS if key != "sort"):  # the order is no filter
        # The form (its choices copied per instance) only when a filter is set: most polls
        # are of a plain queue, and every millisecond counts 20 times a second.
        filters = QueueFilterForm(request.GET, user=request.user).queue_filters()
    after = _int(request.GET.get("after"))
    count = queries.new_ticket_count(request.user, name, after, **filters)
    if count == _int(request.GET.get("shown")):
        return no_change()
    params = [(k, v) for k, v in request.GET.items() if k not in NOT_FILTERS and v]
    return render(
        request,
        "live/_queue_watch.html",
        {
            "after": after,
            "count": count,
            "capped": count >= queries.NEW_CAP,
            "polled": True,
            "show_url": f"{reverse('tickets:queue')}?{urlencode(params)}"
            if params
            else reverse("tickets:queue"),
        },
    )


# -- the ticket page ---------------------------------------------------------------------------


def _signature(changes: queries.Changes, others: list[Presence]) -> str:
    """What the ticket poller shows, in a few characters: the latest change and who is there."""
    if not changes.count and not others:
        return ""  # what the page shows when it is rendered: nothing
    seen = ",".join(f"{p.user_id}{p.state[0]}" for p in others)
    text = f"{changes.key}:{changes.count}:{seen}"
    return hashlib.blake2s(text.encode(), digest_size=6).hexdigest()


@_agents_only
@require_POST
def ticket_poll(request: HttpRequest, number: str) -> HttpResponse:
    """The ticket page's heartbeat and change check in one request: records that the agent
    has the ticket open (`state`: viewing or replying), then answers what happened after the
    page's version `since` and who else has the ticket open; 204 when that is what the page
    shows already (`sig`)."""
    user = request.user
    ticket = queries.ticket_to_watch(user, number)
    state = request.POST.get("state") or Presence.State.VIEWING
    try:
        services.heartbeat(actor=user, ticket=ticket, state=state)
    except DomainError as error:
        return HttpResponse(error.message, status=error.status_code, content_type="text/plain")
    since = _int(request.POST.get("since"))
    changes = queries.changes_since(user, ticket, since)
    others = queries.present_on(ticket, besides=user)
    signature = _signature(changes, others)
    if signature == request.POST.get("sig", ""):
        return no_change()
    return render(
        request,
        "live/_ticket_watch.html",
        {
            "ticket": ticket,
            "version": since,
            "changes": changes,
            "latest": queries.latest_change(changes),
            "others": others,
            "sig": signature,
            "polled": True,
        },
    )


@_agents_only
@require_POST
def ticket_leave(request: HttpRequest, number: str) -> HttpResponse:
    """The page is closing (navigator.sendBeacon): the agent no longer shows as present."""
    ticket = queries.ticket_to_watch(request.user, number)
    services.leave(actor=request.user, ticket=ticket)
    return no_change()
