"""The customer portal pages. Thin: read through `tickets.queries`, write through
`tickets.services`, put service errors back on the form.

Guarantees:
- Customers only: anonymous visitors go to the login page, agents to their queue.
- Every ticket is looked up through `visible_tickets(user)`; a ticket the customer may not
  see answers 404 (never 403) for reads and for every action, so a number's existence does
  not leak across clients or, for a non-admin, across colleagues.
- The timeline is `visible_events(user, ticket)` (public events only, never the kinds that are
  internal by nature), with people named by `person_shown_to`: what the API shows the
  customer too (`tickets.queries`).
- Times are shown in the customer's own time zone (`user.timezone`, UTC when unknown).
"""

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import wraps
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.files.uploadedfile import UploadedFile
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from deskside.accounts.models import User
from deskside.accounts.queries import person_shown_to
from deskside.core.exceptions import DomainError
from deskside.core.pagination import clamp_page, fetch_page
from deskside.core.timezones import zone
from deskside.portal.forms import (
    AttachForm,
    ReasonForm,
    ReplyForm,
    RequestForm,
    priority_words,
    status_words,
)
from deskside.tickets import services
from deskside.tickets.exceptions import IdempotencyConflict
from deskside.tickets.models import (
    OPEN_STATUSES,
    Attachment,
    Channel,
    EventKind,
    Status,
    Ticket,
    TicketEvent,
)
from deskside.tickets.queries import (
    LIST_RELATED,
    requested_or_watched,
    search,
    ticket_for,
    visible_attachments,
    visible_events,
    visible_tickets,
)

PAGE_SIZE = 25
MAX_SEARCH = 200  # characters of a search: more words than anyone types, a bound on the query
STATUS_FILTERS = {"all": "All", "open": "Open", "resolved": "Resolved", "closed": "Closed"}
SCOPES = {"org": "Whole organisation", "mine": "Mine"}

EVENT_TITLES = {
    EventKind.CREATED: "opened the request",
    EventKind.REPLY: "replied",
    EventKind.REOPENED: "reopened the request",
    EventKind.RESOLVED: "resolved the request",
    EventKind.CLOSED: "closed the request",
    EventKind.MERGED: "merged this request into another",
    EventKind.MERGED_IN: "merged another request into this one",
    EventKind.ATTACHMENT: "added files",
    EventKind.VISIT: "reported on the on-site visit",
}

View = Callable[..., HttpResponse]


def customer_view(view: View) -> View:
    """Let customers in, in their own time zone; send agents to their queue."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        user: User = request.user  # type: ignore[assignment]
        if not user.is_customer:
            return redirect("tickets:queue")
        with timezone.override(zone(user.timezone)):
            return view(request, *args, **kwargs)

    return login_required(wrapper)


def _ticket(user: User, number: str) -> Ticket:
    """The ticket numbered `number` if `user` may see it; 404 otherwise."""
    return ticket_for(user, number, related=LIST_RELATED, detail="No such ticket")


# -- list --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Row:
    ticket: Ticket
    status: str
    priority: str


@customer_view
@require_http_methods(["GET", "HEAD"])
def ticket_list(request: HttpRequest) -> HttpResponse:
    """The customer's tickets, newest first; an organisation admin chooses between their own
    and the whole organisation's. Paged without a COUNT: one row more than a page is fetched
    to know whether there is a next page.

    `q` searches these tickets (the same list, narrowed): words in the subject, the
    description and the public conversation (never internal notes: `tickets.queries.search`
    searches only public text for a customer), the organisation's name, or a ticket number
    (`T-10423`, which finds only a ticket this list would show). The status and scope filters
    and the pages keep the search."""
    user: User = request.user  # type: ignore[assignment]
    status = request.GET.get("status", "all")
    if status not in STATUS_FILTERS:
        status = "all"
    scope = request.GET.get("scope", "org") if user.is_org_admin else "mine"
    if scope not in SCOPES:
        scope = "org"
    try:
        page = clamp_page(int(request.GET.get("page", "1")))
    except ValueError:
        page = 1

    text = request.GET.get("q", "").strip()[:MAX_SEARCH]

    qs = visible_tickets(user)
    if user.is_org_admin and scope == "mine":
        qs = qs.filter(requested_or_watched(user))
    if status == "open":
        qs = qs.filter(status__in=OPEN_STATUSES)
    elif status != "all":
        qs = qs.filter(status=status)
    if text:
        qs = search(user, text, qs)
    tickets, has_next = fetch_page(
        qs.select_related(*LIST_RELATED).order_by("-id"), page=page, limit=PAGE_SIZE
    )
    rows = [Row(t, status_words(t.status), priority_words(t.priority)) for t in tickets]
    return render(
        request,
        "portal/list.html",
        {
            "rows": rows,
            "q": text,
            "status": status,
            "status_filters": STATUS_FILTERS,
            "scope": scope,
            "scopes": SCOPES if user.is_org_admin else {},
            "page": page,
            "previous_page": page - 1 if page > 1 else None,
            "next_page": page + 1 if has_next else None,
        },
    )


# -- new request -------------------------------------------------------------------------------


@customer_view
@require_http_methods(["GET", "HEAD", "POST"])
def new_request(request: HttpRequest) -> HttpResponse:
    """Submit a request by web form. Invalid input re-renders the form with what was typed
    (files cannot be kept by a browser; the page says to attach them again)."""
    user: User = request.user  # type: ignore[assignment]
    if request.method != "POST":
        return render(request, "portal/new.html", {"form": RequestForm(user=user)})
    form = RequestForm(request.POST, request.FILES, user=user)
    if form.is_valid():
        data = form.cleaned_data
        new = services.NewTicket(
            channel=Channel.WEB,
            subject=data["subject"],
            description=data["description"],
            type=data["type"],
            priority=data["priority"],
            site=data["site"],
        )
        files = data["attachments"] or []
        key = data["request_key"] or None
        try:
            try:
                result = services.create_ticket(
                    actor=user, ticket=new, attachments=files, idempotency_key=key
                )
            except IdempotencyConflict:
                # The form's key already opened a ticket with other words: the customer went
                # back after sending, changed the text and sent it again, meaning a new request.
                # Its key is the form's key and what it says, so sending *that* twice still
                # opens one ticket.
                key = _edited_key(key, new, files)
                result = services.create_ticket(
                    actor=user, ticket=new, attachments=files, idempotency_key=key
                )
        except DomainError as error:
            form.add_service_error(error)
        else:
            ticket = result.ticket
            if result.created:
                messages.success(
                    request, f"Thank you: your request is {ticket.number}. We will be in touch."
                )
            else:
                messages.info(request, f"We already had this request as {ticket.number}.")
            return redirect("portal:detail", ticket.number)
    return render(
        request,
        "portal/new.html",
        {"form": form, "files_dropped": bool(request.FILES)},
        status=422,
    )


def _edited_key(key: str, new: services.NewTicket, files: list[UploadedFile]) -> str:
    """The key of a form sent again with other content: the form's key and a digest of what
    the form says (files by name and size), within the 200 characters a key may have."""
    said = [str(getattr(new, name)) for name in ("subject", "description", "type", "priority")]
    said += [str(new.site)] + [f"{f.name}:{f.size}" for f in files]
    digest = hashlib.sha256("\x00".join(said).encode()).hexdigest()[:32]
    return f"{key[:160]}/{digest}"


# -- one ticket --------------------------------------------------------------------------------


@dataclass
class Entry:
    """One line of the customer's timeline."""

    event: TicketEvent
    who: str
    title: str
    attachments: list[Attachment] = field(default_factory=list)


def _who(event: TicketEvent, viewer: User) -> str:
    actor = event.actor
    if actor is None:
        return "Deskside"
    if actor.pk == viewer.pk:
        return "You"
    name = person_shown_to(viewer, actor)  # the API names people by the same rule
    return f"{name} (service desk)" if actor.is_agent else name


def _title(event: TicketEvent) -> str:
    if event.kind == EventKind.STATUS:
        target = event.data.get("to")
        return f"set the status to “{status_words(target)}”" if target else "changed the status"
    return EVENT_TITLES.get(event.kind, event.get_kind_display().lower())


def _timeline(user: User, ticket: Ticket) -> list[Entry]:
    events = visible_events(user, ticket)
    return [Entry(e, _who(e, user), _title(e), list(e.attachments.all())) for e in events]


def _render_detail(
    request: HttpRequest,
    ticket: Ticket,
    *,
    reply_form: ReplyForm | None = None,
    attach_form: AttachForm | None = None,
    action_error: str = "",
    status: int = 200,
) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    return render(
        request,
        "portal/detail.html",
        {
            "ticket": ticket,
            "status_text": status_words(ticket.status),
            "priority_text": priority_words(ticket.priority),
            "worker": ticket.assignee.get_short_name() if ticket.assignee else "",
            "timeline": _timeline(user, ticket),
            "attachments": list(visible_attachments(user, ticket)),
            "reply_form": reply_form or ReplyForm(),
            "attach_form": attach_form or AttachForm(),
            "reason_form": ReasonForm(),
            "can_write": ticket.status != Status.CLOSED,
            "can_reopen": ticket.status == Status.RESOLVED,
            "can_close": ticket.status != Status.CLOSED and ticket.requester_id == user.pk,
            "action_error": action_error,
            "files_dropped": bool(request.FILES),
        },
        status=status,
    )


@customer_view
@require_http_methods(["GET", "HEAD"])
def ticket_detail(request: HttpRequest, number: str) -> HttpResponse:
    """The ticket page: facts, the public timeline, files, and the customer's actions."""
    return _render_detail(request, _ticket(request.user, number))  # type: ignore[arg-type]


@customer_view
@require_POST
def reply(request: HttpRequest, number: str) -> HttpResponse:
    """A public reply with optional files; it puts a ticket waiting on the customer (or a
    resolved one) back to open."""
    ticket = _ticket(request.user, number)  # type: ignore[arg-type]
    form = ReplyForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            services.add_reply(
                actor=request.user,  # type: ignore[arg-type]
                ticket=ticket,
                body=form.cleaned_data["body"],
                attachments=form.cleaned_data["attachments"],
            )
        except DomainError as error:
            form.add_service_error(error)
            ticket.refresh_from_db()
            return _render_detail(request, ticket, reply_form=form, status=error.status_code)
        messages.success(request, "Your reply was added.")
        return redirect("portal:detail", ticket.number)
    return _render_detail(request, ticket, reply_form=form, status=422)


@customer_view
@require_POST
def attach(request: HttpRequest, number: str) -> HttpResponse:
    """Add files to the ticket without writing a reply."""
    ticket = _ticket(request.user, number)  # type: ignore[arg-type]
    form = AttachForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            services.add_attachments(
                actor=request.user,  # type: ignore[arg-type]
                ticket=ticket,
                files=form.cleaned_data["attachments"],
            )
        except DomainError as error:
            form.add_service_error(error)
            ticket.refresh_from_db()
            return _render_detail(request, ticket, attach_form=form, status=error.status_code)
        messages.success(request, "Your files were added.")
        return redirect("portal:detail", ticket.number)
    return _render_detail(request, ticket, attach_form=form, status=422)


def _status_action(
    request: HttpRequest, number: str, action: Callable[..., TicketEvent], done: str
) -> HttpResponse:
    ticket = _ticket(request.user, number)  # type: ignore[arg-type]
    form = ReasonForm(request.POST)
    if not form.is_valid():
        return _render_detail(request, ticket, action_error="The reason is too long.", status=422)
    try:
        action(actor=request.user, ticket=ticket, reason=form.cleaned_data["reason"])
    except DomainError as error:
        ticket.refresh_from_db()
        return _render_detail(request, ticket, action_error=error.message, status=error.status_code)
    messages.success(request, done)
    return redirect("portal:detail", ticket.number)


@customer_view
@require_POST
def reopen(request: HttpRequest, number: str) -> HttpResponse:
    """Reopen a resolved ticket (the fix did not hold)."""
    return _status_action(request, number, services.reopen_ticket, "The request was reopened.")


@customer_view
@require_POST
def close(request: HttpRequest, number: str) -> HttpResponse:
    """Close the request for good (the requester only; the service enforces it)."""
    return _status_action(request, number, services.close_ticket, "The request was closed.")
