"""The agent pages: queues, the ticket page with its actions, phone/walk-up intake, search.

Views parse input with the forms in `forms.py`, read through `queries.py` (visibility) and
write through `services.py`; a service error becomes a form error on the same page, with
everything the agent typed kept. Every form works as a plain POST + redirect; htmx, where the
page loads it, swaps the ticket's content in place instead of reloading.

Lists never count the table: a page fetches one row more than it shows to know whether there
is a next page, so a queue stays fast at a million tickets.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_POST
from django_htmx.http import HttpResponseClientRedirect

from deskside.accounts.models import User
from deskside.accounts.permissions import agent_required
from deskside.core.exceptions import DomainError
from deskside.core.forms import add_domain_error
from deskside.core.views import download, page_number, paginate
from deskside.tickets import services
from deskside.tickets.forms import (
    QUEUE_COLUMNS,
    AssignForm,
    BulkForm,
    CallForm,
    EditForm,
    EscalateForm,
    MergeForm,
    NoteForm,
    QueueFilterForm,
    ReasonForm,
    ReplyForm,
    ResolveForm,
    StatusForm,
    TicketActionForm,
    WatchersForm,
    parse_columns,
    queue_name,
)
from deskside.tickets.models import Attachment, Status, Ticket, parse_number
from deskside.tickets.queries import (
    QUEUES,
    attachment_for,
    latest_escalation,
    open_workload,
    queue,
    queue_with_window,
    ticket_for,
    visible_events,
    visible_tickets,
)

DETAIL_RELATED = (
    "organization",
    "requester",
    "site",
    "team",
    "assignee",
    "parent",
    "merged_into",
    "created_by",
)


# -- lists -------------------------------------------------------------------------------------


@agent_required
@require_GET
def queue_view(request: HttpRequest) -> HttpResponse:
    """The queues (mine, my teams, unassigned, all open, all) with filters, a text search,
    sorting and the chosen columns (`cols=`), and the bulk actions over ticked rows or every
    ticket matching. A saved view (deskside.workspace) is such a URL with a name."""
    name = queue_name(request.GET.get("queue"))
    filters = QueueFilterForm(request.GET, user=request.user)
    qs, first_try = queue_with_window(request.user, name, **filters.queue_filters())
    page = paginate(qs, page_number(request.GET.get("page")), first_try=first_try)
    return render(
        request,
        "tickets/queue.html",
        {
            "queue": name,
            "queue_label": QUEUES[name],
            "queues": QUEUES,
            "filters": filters,
            "page": page,
            **_table_context(request, query=request.GET.copy()),
        },
    )


def _table_context(request: HttpRequest, *, query: QueryDict) -> dict[str, Any]:
    """What _ticket_table.html needs besides the page: the columns and the bulk form, whose
    "all matching" takes the page's own filter (`query`, without its page number)."""
    query.pop("page", None)
    columns = parse_columns(request.GET.get("cols"))
    return {
        "columns": columns,
        "column_labels": [(c, QUEUE_COLUMNS[c]) for c in columns],
        "bulk_form": BulkForm(
            user=request.user, initial={"query": query.urlencode()}, auto_id="bulk-%s"
        ),
        "back": request.get_full_path(),
    }


@agent_required
@require_POST
def bulk_view(request: HttpRequest) -> HttpResponse:
    """Run a bulk action (`services.bulk_apply`) on the ticked tickets or on every ticket the
    page's filter matches, then back to that page with the summary: what was done, and each
    refused ticket with its reason. Plain POST + redirect; the page's messages show it."""
    back = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(back, {request.get_host()}):
        back = reverse("tickets:queue")
    form = BulkForm(request.POST, user=request.user)
    if not form.is_valid():
        for field, errors in form.errors.items():
            label = f"{form[field].label}: " if field in form.fields else ""
            messages.error(request, label + " ".join(errors))
        return redirect(back)
    data = form.cleaned_data
    if data["all_matching"]:
        params = QueryDict(data["query"] or "")
        filters = QueueFilterForm(params, user=request.user)
        tickets: Any = queue(
            request.user, queue_name(params.get("queue")), **filters.queue_filters()
        )
    else:
        tickets = data["ticket"]
    try:
        result = services.bulk_apply(
            actor=request.user, tickets=tickets, action=data["action"], **form.service_args()
        )
    except DomainError as error:
        messages.error(request, error.message)
    else:
        level = messages.WARNING if result.refused else messages.SUCCESS
        messages.add_message(request, level, result.summary())
    return redirect(back)


@agent_required
@require_GET
def workload_view(request: HttpRequest) -> HttpResponse:
    """A chart of the open tickets by status and priority; each bar segment opens that queue.
    Loaded by the queue page after it renders, so the table never waits for the counts."""
    rows = open_workload(request.user)
    widest = max((row.total for row in rows), default=0) or 1
    return render(request, "tickets/_workload.html", {"rows": rows, "widest": widest})


@agent_required
@require_GET
def search_view(request: HttpRequest) -> HttpResponse:
    """Full-text search over the tickets the agent may see; a ticket number opens the ticket."""
    text = request.GET.get("q", "").strip()
    page = None
    if text:
        results, first_try = queue_with_window(request.user, "all", text=text)  # newest first
        if text.upper().startswith("T-") and parse_number(text) is not None:
            ticket = results.first()
            if ticket is not None:
                return redirect(ticket)
        page = paginate(results, page_number(request.GET.get("page")), first_try=first_try)
    # The bulk actions' "all matching" is the same search: the queue of all tickets, by text.
    query = QueryDict(mutable=True)
    query.update({"queue": "all", "q": text})
    context = {"q": text, "page": page, **_table_context(request, query=query)}
    return render(request, "tickets/search.html", context)


# -- intake (Log a call, caller look-up, screen-pop): tickets/intake_views.py --------------


# -- the ticket page ---------------------------------------------------------------------------


def _ticket_or_404(user: User, number: str) -> Ticket:
    return ticket_for(
        user, number, related=DETAIL_RELATED, prefetch=("watchers",), detail="no such ticket"
    )


RunResult = tuple[str, Ticket]


def _reply(user: User, ticket: Ticket, form: ReplyForm) -> RunResult:
    data = form.cleaned_data
    services.add_reply(
        actor=user,
        ticket=ticket,
        body=data["body"],
        attachments=data["attachments"],
        expected_version=data["version"],
    )
    return "Reply sent.", ticket


def _note(user: User, ticket: Ticket, form: NoteForm) -> RunResult:
    data = form.cleaned_data
    services.add_note(actor=user, ticket=ticket, body=data["body"], attachments=data["attachments"])
    return "Internal note added.", ticket


def _call(user: User, ticket: Ticket, form: CallForm) -> RunResult:
    data = form.cleaned_data
    services.log_call(
        actor=user,
        ticket=ticket,
        minutes=data["minutes"],
        body=data["body"],
        inbound=data["inbound"],
    )
    return "Call logged.", ticket


def _assign(user: User, ticket: Ticket, form: AssignForm) -> RunResult:
    data = form.cleaned_data
    services.assign_ticket(
        actor=user,
        ticket=ticket,
        assignee=data["assignee"],
        team=data["team"],
        expected_version=data["version"],
    )
    who = data["assignee"].get_full_name() if data["assignee"] else "nobody"
    return f"Assigned to {who}.", ticket


def _escalate(user: User, ticket: Ticket, form: EscalateForm) -> RunResult:
    data = form.cleaned_data
    services.escalate_ticket(
        actor=user,
        ticket=ticket,
        tier=data["tier"],
        team=data["team"],
        assignee=data["assignee"],
        symptoms=data["symptoms"],
        steps_tried=data["steps_tried"],
        impact=data["impact"],
        expected_version=data["version"],
    )
    return f"Escalated to {data['tier']}.", ticket


def _status(user: User, ticket: Ticket, form: StatusForm) -> RunResult:
    data = form.cleaned_data
    services.set_status(
        actor=user,
        ticket=ticket,
        status=data["status"],
        reason=data["reason"],
        expected_version=data["version"],
    )
    return f"Status set to {Status(data['status']).label.lower()}.", ticket


def _resolve(user: User, ticket: Ticket, form: ResolveForm) -> RunResult:
    services.resolve_ticket(
        actor=user,
        ticket=ticket,
        resolution=form.cleaned_data["resolution"],
        expected_version=form.cleaned_data["version"],
    )
    return "Ticket resolved.", ticket


def _reopen(user: User, ticket: Ticket, form: ReasonForm) -> RunResult:
    services.reopen_ticket(
        actor=user,
        ticket=ticket,
        reason=form.cleaned_data["reason"],
        expected_version=form.cleaned_data["version"],
    )
    return "Ticket reopened.", ticket


def _close(user: User, ticket: Ticket, form: ReasonForm) -> RunResult:
    services.close_ticket(
        actor=user,
        ticket=ticket,
        reason=form.cleaned_data["reason"],
        expected_version=form.cleaned_data["version"],
    )
    return "Ticket closed.", ticket


def _merge(user: User, ticket: Ticket, form: MergeForm) -> RunResult:
    target = form.cleaned_data["target"]
    services.merge_tickets(
        actor=user, source=ticket, target=target, expected_version=form.cleaned_data["version"]
    )
    return f"{ticket.number} merged into {target.number}.", target


def _edit(user: User, ticket: Ticket, form: EditForm) -> RunResult:
    event = services.update_ticket(
        actor=user, ticket=ticket, expected_version=form.cleaned_data["version"], **form.changes()
    )
    return ("Ticket updated." if event else "Nothing changed."), ticket


def _watchers(user: User, ticket: Ticket, form: WatchersForm) -> RunResult:
    event = services.set_watchers(
        actor=user,
        ticket=ticket,
        watchers=list(form.cleaned_data["watchers"]),
        expected_version=form.cleaned_data["version"],
    )
    return ("Watchers updated." if event else "Nothing changed."), ticket


@dataclass(frozen=True)
class Action:
    form: type[TicketActionForm]
    run: Callable[[User, Ticket, Any], RunResult]


ACTIONS: dict[str, Action] = {
    "reply": Action(ReplyForm, _reply),
    "note": Action(NoteForm, _note),
    "call": Action(CallForm, _call),
    "assign": Action(AssignForm, _assign),
    "escalate": Action(EscalateForm, _escalate),
    "status": Action(StatusForm, _status),
    "resolve": Action(ResolveForm, _resolve),
    "reopen": Action(ReasonForm, _reopen),
    "close": Action(ReasonForm, _close),
    "merge": Action(MergeForm, _merge),
    "edit": Action(EditForm, _edit),
    "watchers": Action(WatchersForm, _watchers),
}


ACTION_TITLES = {
    "reply": "The reply",
    "note": "The note",
    "call": "The call log",
    "assign": "The assignment",
    "escalate": "The escalation",
    "status": "The status change",
    "resolve": "Resolving",
    "reopen": "Reopening",
    "close": "Closing",
    "merge": "The merge",
    "edit": "The edit",
    "watchers": "The watchers change",
}


def _error_lines(form: TicketActionForm) -> list[str]:
    """Each error of `form` as one line naming its field's label, for the alert at the top."""
    lines = []
    for field, errors in form.errors.items():
        shown = field in form.fields and not form[field].is_hidden  # not "Version: ..."
        prefix = f"{form[field].label}: " if shown else ""
        lines.extend(prefix + str(error) for error in errors)
    return lines


def _render_ticket(
    request: HttpRequest,
    ticket: Ticket,
    *,
    bound: TicketActionForm | None = None,
    action: str | None = None,
    status: int = 200,
) -> HttpResponse:
    user = request.user
    watchers = list(ticket.watchers.all())  # prefetched: the watchers form reads them too
    events = list(visible_events(user, ticket))
    # The version every action form carries (services.versions): the page's last event.
    version = events[-1].pk if events else 0
    if bound is not None and bound.is_bound:
        # The page now shows the stored ticket: a deliberate retry of this form is based on it.
        bound.data = bound.data.copy()
        bound.data["version"] = str(version)
    forms = {
        name: bound
        if name == action and bound is not None
        else spec.form(ticket=ticket, user=user, auto_id=f"{name}-%s", initial={"version": version})
        for name, spec in ACTIONS.items()
    }
    context = {
        "ticket": ticket,
        "version": version,
        "events": events,
        "escalation": latest_escalation(ticket),
        "watchers": watchers,
        "children": list(visible_tickets(user).filter(parent=ticket).order_by("id")),
        "merged_tickets": list(visible_tickets(user).filter(merged_into=ticket).order_by("id")),
        "forms": forms,
        "open_action": action,
        "failed": _error_lines(bound) if bound is not None else [],
        "failed_title": ACTION_TITLES.get(action or "", ""),
        "statuses": Status,
    }
    return render(request, "tickets/detail.html", context, status=status)


@agent_required
@require_GET
def detail(request: HttpRequest, number: str) -> HttpResponse:
    """The ticket page: triage notes first, then the timeline, the facts and every action."""
    ticket = _ticket_or_404(request.user, number)
    if number != ticket.number:
        return redirect(ticket)
    return _render_ticket(request, ticket)


@agent_required
@require_POST
def act(request: HttpRequest, number: str, action: str) -> HttpResponse:
    """Run one action of the ticket page. On success: redirect to the ticket with a message.
    On a form or service error: the page again, the form open with its errors and input."""
    spec = ACTIONS.get(action)
    if spec is None:
        raise Http404("no such action")
    ticket = _ticket_or_404(request.user, number)
    form = spec.form(
        request.POST, request.FILES, ticket=ticket, user=request.user, auto_id=f"{action}-%s"
    )
    if form.is_valid():
        try:
            message, landing = spec.run(request.user, ticket, form)
        except DomainError as error:
            add_domain_error(form, error)
        else:
            messages.success(request, message)
            if request.htmx and landing.pk != ticket.pk:
                return HttpResponseClientRedirect(landing.get_absolute_url())
            return redirect(landing)
    if request.FILES:
        form.add_error(None, "Choose the files again: a browser does not keep them.")
    # The service may have changed the in-memory ticket before refusing; show the stored one.
    ticket = _ticket_or_404(request.user, number)
    # htmx only swaps 2xx answers, so it gets the errors with 200; a plain POST gets 422.
    status = 200 if request.htmx else 422
    return _render_ticket(request, ticket, bound=form, action=action, status=status)


# -- files -------------------------------------------------------------------------------------


@login_required
@require_GET
def attachment(request: HttpRequest, public_id: str) -> HttpResponse:
    """Download an attachment the user may see (customers too: the portal links here).

    Always served as a download with `nosniff`, so an uploaded HTML or SVG file can never run
    as a page of this site.
    """
    try:
        item = attachment_for(request.user, public_id)
    except Attachment.DoesNotExist:
        raise Http404("no such attachment") from None
    return download(item.file, item.filename, item.content_type)
