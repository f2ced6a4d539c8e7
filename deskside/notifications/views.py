"""The notification pages, mounted at /notifications/ (namespace "notifications"): the
notification centre (newest first, unread marked, each linking to its ticket or, for one not
about a ticket such as a knowledge-base review, to its own page; mark one or all read), the
preferences page, and the tiny unread count the navigation polls.

Opening a notification (`open/`) marks it read and goes to its ticket, at the event, or to
its `link` when it has no ticket: only a path on this site (a stored link that is anything
else, "//host/..." or "https://...", leads to the notification centre instead: never an open
redirect). The forms are plain POST + redirect and answer htmx with the changed part. Agents
only.
"""

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from deskside.accounts.permissions import agent_required, is_agent
from deskside.core.forms import add_domain_error
from deskside.core.views import page_number, paginate
from deskside.notifications import services
from deskside.notifications.exceptions import NotificationError
from deskside.notifications.forms import PreferencesForm
from deskside.notifications.models import Notification
from deskside.notifications.queries import notifications_of, preferences_of, unread_count

PAGE_SIZE = 50


@agent_required
@require_GET
def index(request: HttpRequest) -> HttpResponse:
    unread = request.GET.get("unread") == "1"
    page = paginate(
        notifications_of(request.user, unread=unread),
        page_number(request.GET.get("page")),
        PAGE_SIZE,
    )
    return render(
        request,
        "notifications/index.html",
        {"page": page, "unread": unread, "unread_count": unread_count(request.user)},
    )


@require_GET
def count(request: HttpRequest) -> HttpResponse:
    """The unread count for the navigation (polled by htmx): 204 for anyone not an agent
    (a signed-out tab), so the poll swaps nothing in."""
    if not is_agent(request.user):
        return HttpResponse(status=204)
    response = render(request, "notifications/_count.html", {"count": unread_count(request.user)})
    response["Cache-Control"] = "no-store"
    return response


def _mark(request: HttpRequest, pk: int) -> Notification:
    try:
        return services.mark_read(actor=request.user, notification_id=pk)
    except NotificationError as error:
        raise Http404(error.message) from None


def _local(link: str) -> str:
    """`link` when it is a path on this site ("/kb/...", not "//host" nor "/\\host"), else ""."""
    if link.startswith("/") and url_has_allowed_host_and_scheme(link, allowed_hosts=None):
        return link
    return ""


@agent_required
@require_GET
def open_one(request: HttpRequest, pk: int) -> HttpResponse:
    """Mark the notification read and open its ticket at the event, or its link when it is
    not about a ticket (a link, so a GET: marking one's own notification read is idempotent
    and harmless)."""
    notification = _mark(request, pk)
    if notification.ticket_id is None:  # about something else: its own link, if local
        return redirect(_local(notification.link) or "notifications:index")
    url = notification.ticket.get_absolute_url()
    if notification.event_id:
        url += f"#event-{notification.event_id}"
    return redirect(url)


@agent_required
@require_POST
def read_one(request: HttpRequest, pk: int) -> HttpResponse:
    notification = _mark(request, pk)
    if request.htmx:
        return render(request, "notifications/_item.html", {"n": notification})
    return redirect("notifications:index")


@agent_required
@require_POST
def read_all(request: HttpRequest) -> HttpResponse:
    marked = services.mark_all_read(actor=request.user)
    messages.success(request, f"{marked} notification{'s' if marked != 1 else ''} marked read.")
    return redirect("notifications:index")


@agent_required
@require_http_methods(["GET", "POST"])
def preferences(request: HttpRequest) -> HttpResponse:
    current = preferences_of(request.user)
    form = PreferencesForm(request.POST or None, initial_channels=current)
    if request.method == "POST" and form.is_valid():
        try:
            services.set_preferences(actor=request.user, channels=form.channels())
        except NotificationError as error:
            add_domain_error(form, error)
        else:
            messages.success(request, "Notification preferences saved.")
            return redirect("notifications:preferences")
    status = 422 if form.errors else 200
    return render(request, "notifications/preferences.html", {"form": form}, status=status)
