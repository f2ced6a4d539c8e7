"""The problem pages, mounted at /problems/ (namespace "problems"): the recurring clusters
and the problems (one page, two lists), a cluster's tickets with "open a problem" and "not a
problem", a problem's page (its fields, status, linked tickets, history), and the ticket
page's panel (`templatetags/problems.py`) whose form links the ticket to a problem.

Agents only (`agent_required`); every read goes through `queries`. Every form works as a
plain POST + redirect.
"""

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from deskside.accounts.models import User
from deskside.accounts.permissions import agent_required, is_admin
from deskside.core.exceptions import DomainError
from deskside.core.views import page_number, paginate
from deskside.problems import detection, queries, services
from deskside.problems.forms import LinkForm, ProblemForm, TicketLinkForm
from deskside.problems.models import ACTIVE_STATUSES, Cluster, Problem, ProblemStatus
from deskside.tickets.models import Ticket, parse_number
from deskside.tickets.queries import ticket_for, visible_tickets

PAGE = 50


def _problem_or_404(user: User, number: str) -> Problem:
    problem = queries.problem_for(user, number)
    if problem is None:
        raise Http404("no such problem")
    return problem


def _cluster_or_404(user: User, public_id: str) -> Cluster:
    cluster = queries.clusters_visible_to(user).filter(public_id=public_id).first()
    if cluster is None:
        raise Http404("no such cluster")
    return cluster


@agent_required
@require_GET
def index(request: HttpRequest) -> HttpResponse:
    """Recurring clusters first (largest first), then the problems (?status=, default the
    active ones)."""
    user = request.user
    status = request.GET.get("status", "")
    problems = queries.problems_visible_to(user).order_by("-id")
    if status in ProblemStatus.values:
        problems = problems.filter(status=status)
    elif status != "all":
        problems = problems.filter(status__in=ACTIVE_STATUSES)
    page = paginate(problems, page_number(request.GET.get("page")), PAGE)
    return render(
        request,
        "problems/index.html",
        {
            "clusters": queries.clusters_visible_to(user).order_by("-size", "id")[:PAGE],
            "page": page,
            "status": status,
            "statuses": ProblemStatus.choices,
            "state": detection.state(),
            "may_detect": is_admin(user),
        },
    )


@agent_required
@require_POST
def detect_now(request: HttpRequest) -> HttpResponse:
    try:
        outcome = detection.detect(actor=request.user)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request,
            f"Detection done: {outcome.tickets} tickets read, {outcome.clusters} clusters "
            f"({outcome.seconds:.1f} s).",
        )
    return redirect("problems:index")


@agent_required
@require_GET
def cluster_detail(request: HttpRequest, public_id: str) -> HttpResponse:
    user = request.user
    cluster = _cluster_or_404(user, public_id)
    return render(
        request,
        "problems/cluster.html",
        {"cluster": cluster, "tickets": queries.cluster_tickets(user, cluster)},
    )


@agent_required
@require_POST
def cluster_dismiss(request: HttpRequest, public_id: str) -> HttpResponse:
    cluster = _cluster_or_404(request.user, public_id)
    services.dismiss_cluster(actor=request.user, cluster=cluster)
    messages.success(request, f"Dismissed {cluster.label!r}: these tickets will not come back.")
    return redirect("problems:index")


@agent_required
@require_POST
def cluster_problem(request: HttpRequest, public_id: str) -> HttpResponse:
    cluster = _cluster_or_404(request.user, public_id)
    try:
        problem = services.problem_from_cluster(actor=request.user, cluster=cluster)
    except DomainError as error:
        messages.error(request, error.message)
        return redirect("problems:index")
    messages.success(request, f"{problem.number} opened with {cluster.size} tickets linked.")
    return redirect(problem)


def _form_page(
    request: HttpRequest, form: ProblemForm, problem: Problem | None, status: int = 200
) -> HttpResponse:
    return render(request, "problems/form.html", {"form": form, "problem": problem}, status=status)


@agent_required
@require_http_methods(["GET", "POST"])
def problem_new(request: HttpRequest) -> HttpResponse:
    """A problem across clients (agents who serve every client) or, with ?ticket=T-n, of
    that ticket's client with the ticket linked."""
    user = request.user
    ticket = _ticket_param(user, request.GET.get("ticket", ""))
    if request.method != "POST":
        initial = {"status": ProblemStatus.OPEN}
        if ticket is not None:
            initial["title"] = ticket.subject
        return _form_page(request, ProblemForm(initial=initial, user=user), None)
    form = ProblemForm(request.POST, user=user)
    if form.is_valid():
        try:
            problem = services.create_problem(
                actor=user,
                organization_id=ticket.organization_id if ticket else None,
                tickets=[ticket] if ticket else [],
                **form.cleaned_data,
            )
        except DomainError as error:
            form.add_service_error(error)
        else:
            messages.success(request, f"{problem.number} opened.")
            return redirect(problem)
    return _form_page(request, form, None, status=422)


def _ticket_param(user: User, number: str) -> Ticket | None:
    if not number:
        return None
    pk = parse_number(number)
    ticket = visible_tickets(user).filter(pk=pk).first() if pk else None
    if ticket is None:
        raise Http404("no such ticket")
    return ticket


@agent_required
@require_GET
def detail(request: HttpRequest, number: str) -> HttpResponse:
    user = request.user
    problem = _problem_or_404(user, number)
    if number != problem.number:
        return redirect(problem)
    return render(
        request,
        "problems/detail.html",
        {
            "problem": problem,
            "tickets": queries.linked_tickets(user, problem)[:200],
            "history": queries.history(problem)[:100],
            "link_form": LinkForm(),
        },
    )


@agent_required
@require_http_methods(["GET", "POST"])
def edit(request: HttpRequest, number: str) -> HttpResponse:
    user = request.user
    problem = _problem_or_404(user, number)
    if request.method != "POST":
        form = ProblemForm(initial=ProblemForm.initial_for(problem), user=user)
        return _form_page(request, form, problem)
    form = ProblemForm(request.POST, user=user)
    if form.is_valid():
        try:
            services.update_problem(actor=user, problem=problem, **form.cleaned_data)
        except DomainError as error:
            form.add_service_error(error)
        else:
            messages.success(request, f"{problem.number} saved.")
            return redirect(problem)
    return _form_page(request, form, problem, status=422)


@agent_required
@require_POST
def link(request: HttpRequest, number: str) -> HttpResponse:
    user = request.user
    problem = _problem_or_404(user, number)
    form = LinkForm(request.POST)
    if form.is_valid():
        try:
            tickets = [_ticket_param(user, n) for n in form.numbers()]
            linked = services.link_tickets(actor=user, problem=problem, tickets=tickets)
        except Http404:
            messages.error(request, "No such ticket among those you may see: nothing linked.")
        except DomainError as error:
            messages.error(request, f"Nothing linked: {error.message}")
        else:
            messages.success(request, f"{linked} ticket{'s' if linked != 1 else ''} linked.")
    else:
        messages.error(request, "Give the ticket numbers to link.")
    return redirect(problem)


@agent_required
@require_POST
def unlink(request: HttpRequest, number: str, ticket: str) -> HttpResponse:
    user = request.user
    problem = _problem_or_404(user, number)
    found = ticket_for(user, ticket, detail="no such ticket")
    services.unlink_ticket(actor=user, problem=problem, ticket=found)
    messages.success(request, f"{found.number} unlinked.")
    if request.POST.get("next") == "ticket":  # the ticket page's panel
        return redirect(found)
    return redirect(problem)


@agent_required
@require_POST
def ticket_link(request: HttpRequest, number: str) -> HttpResponse:
    """The ticket page's panel: link this ticket to the chosen problem."""
    user = request.user
    ticket = ticket_for(user, number, detail="no such ticket")
    form = TicketLinkForm(request.POST)
    problem = queries.problem_for(user, form.data.get("problem", "")) if form.is_valid() else None
    if problem is None:
        messages.error(request, "Choose a problem to link to.")
        return redirect(ticket)
    try:
        services.link_tickets(actor=user, problem=problem, tickets=[ticket])
    except DomainError as error:
        messages.error(request, f"Not linked: {error.message}")
    else:
        messages.success(request, f"Linked to {problem.number}.")
    return redirect(ticket)
