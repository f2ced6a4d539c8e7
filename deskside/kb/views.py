"""The knowledge-base pages, mounted at /kb/ (namespace "kb").

Agents: the list with filters and search, an article, create and edit, the history with a
diff between any two revisions, "mark reviewed", files, the "due for review" list, the
suggestions beside "Log a call" and on the ticket page (with "solved with" and "draft article
from this ticket"). Every page reads through `queries.visible_articles` (an agent limited to
some clients sees global articles and their clients' runbooks only). Customers: the articles
they may read, the suggestions on the portal's new-request page and "this solved it". Every
form works as a plain POST + redirect; htmx swaps the suggestion boxes in place.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from deskside.accounts.permissions import agent_required
from deskside.accounts.queries import organizations_visible_to
from deskside.core import clock
from deskside.core.exceptions import DomainError
from deskside.core.views import download as download_file
from deskside.core.views import page_number, paginate
from deskside.kb import queries, services
from deskside.kb.forms import ArticleForm, AttachmentForm
from deskside.kb.history import unified_diff
from deskside.kb.models import Article, ArticleAttachment, ArticleStatus, Category, Visibility
from deskside.tickets.models import Status
from deskside.tickets.queries import ticket_for

LIST_PAGE = 30
SUGGEST_TEXT = 500  # characters of the typed text a suggestion query reads


def _article_or_404(request: HttpRequest, public_id: str) -> Article:
    try:
        return queries.article_for(request.user, public_id)
    except Article.DoesNotExist:
        raise Http404("no such article") from None


@login_required
@require_GET
def index(request: HttpRequest) -> HttpResponse:
    """Articles the viewer may read, filtered and searched."""
    f = {k: (request.GET.get(k) or "").strip()[:200] for k in queries.FILTERS}
    qs = queries.articles(request.user, **f)
    page = paginate(qs, page_number(request.GET.get("page")), LIST_PAGE)
    context = {
        "page": page,
        "filters": f,
        "categories": Category.objects.all(),
        "statuses": ArticleStatus.choices,
        "visibilities": Visibility.choices,
        "organizations": organizations_visible_to(request.user)
        .filter(is_msp=False)
        .order_by("name"),
    }
    return render(request, "kb/index.html", context)


@login_required
@require_GET
def detail(request: HttpRequest, public_id: str) -> HttpResponse:
    article = _article_or_404(request, public_id)
    context = {
        "article": article,
        "tags": article.tags.all(),
        "files": article.attachments.all(),
        "counts": queries.counts(article),
        "attach_form": AttachmentForm(),
    }
    if request.user.is_agent:
        context["solved"] = queries.solved_tickets(request.user, article)[:50]
    return render(request, "kb/detail.html", context)


def _form_page(request: HttpRequest, article: Article | None) -> HttpResponse:
    if request.method == "POST":
        form = ArticleForm(request.POST, user=request.user)
        if form.is_valid():
            try:
                if article is None:
                    article = services.create_article(actor=request.user, data=form.to_input())
                else:
                    article = services.update_article(
                        actor=request.user, article=article, data=form.to_input()
                    )
            except DomainError as exc:
                form.add_service_error(exc)
            else:
                messages.success(request, f"Saved “{article.title}”.")
                return redirect("kb:detail", article.public_id)
        status = 422
    else:
        initial = {"visibility": Visibility.INTERNAL, "status": ArticleStatus.DRAFT}
        if article is not None:
            initial = {
                "title": article.title,
                "body": article.body,
                "visibility": article.visibility,
                "status": article.status,
                "organization": article.organization.slug if article.organization else None,
                "category": article.category.slug if article.category else None,
                "tags": ", ".join(article.tags.values_list("name", flat=True)),
                "review_every_days": article.review_every_days,
            }
        form = ArticleForm(initial=initial, user=request.user)
        status = 200
    return render(request, "kb/form.html", {"form": form, "article": article}, status=status)


@agent_required
@require_http_methods(["GET", "POST"])
def new(request: HttpRequest) -> HttpResponse:
    return _form_page(request, None)


@agent_required
@require_http_methods(["GET", "POST"])
def edit(request: HttpRequest, public_id: str) -> HttpResponse:
    return _form_page(request, _article_or_404(request, public_id))


@agent_required
@require_GET
def history(request: HttpRequest, public_id: str) -> HttpResponse:
    """The revisions, and the diff between two of them (`?a=1&b=3`; default: the last two)."""
    article = _article_or_404(request, public_id)
    revisions = list(queries.revisions(article))
    by_number = {r.number: r for r in revisions}
    newest = revisions[0].number if revisions else 0

    def number(key: str, default: int) -> int:
        try:
            return int(request.GET.get(key) or default)
        except ValueError:
            return default

    a, b = number("a", max(newest - 1, 1)), number("b", newest)
    diff = None
    if a in by_number and b in by_number:
        diff = unified_diff(by_number[a], by_number[b])
    context = {"article": article, "revisions": revisions, "a": a, "b": b, "diff": diff}
    return render(request, "kb/history.html", context)


@agent_required
@require_POST
def reviewed(request: HttpRequest, public_id: str) -> HttpResponse:
    article = _article_or_404(request, public_id)
    services.mark_reviewed(actor=request.user, article=article)
    messages.success(request, "Marked reviewed.")
    return redirect("kb:detail", article.public_id)


@agent_required
@require_POST
def attach(request: HttpRequest, public_id: str) -> HttpResponse:
    article = _article_or_404(request, public_id)
    form = AttachmentForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            services.add_attachments(
                actor=request.user, article=article, files=request.FILES.getlist("file")
            )
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, "File attached.")
    else:
        messages.error(request, "Choose a file to attach.")
    return redirect("kb:detail", article.public_id)


@login_required
@require_GET
def download(request: HttpRequest, public_id: str) -> HttpResponse:
    """A file of an article the viewer may read, always as a download (`nosniff`, sandboxed),
    as ticket attachments are served."""
    try:
        item = queries.attachment_for(request.user, public_id)
    except ArticleAttachment.DoesNotExist:
        raise Http404("no such file") from None
    return download_file(item.file, item.filename, item.content_type)


@agent_required
@require_GET
def due(request: HttpRequest) -> HttpResponse:
    """Published articles due for review, the longest overdue first."""
    qs = queries.due_for_review(request.user, clock.now())
    page = paginate(qs, page_number(request.GET.get("page")), LIST_PAGE)
    return render(request, "kb/due.html", {"page": page})


@agent_required
@require_GET
def due_count(request: HttpRequest) -> HttpResponse:
    """The navigation's count of articles due for review (loaded after the page, as the
    notification count is, so no page pays for it): empty when none."""
    count = queries.due_for_review(request.user, clock.now()).count()
    return HttpResponse(str(count) if count else "", content_type="text/plain; charset=utf-8")


# -- suggestions, deflection, solved with ---------------------------------------------------


def _typed(request: HttpRequest) -> str:
    parts = (request.GET.get(k, "") for k in ("q", "subject", "description"))
    return " ".join(p for p in parts if p)[:SUGGEST_TEXT]


@login_required
@require_GET
def suggest(request: HttpRequest) -> HttpResponse:
    """The htmx partial of suggestions for the typed text (`q`, `subject`, `description`)."""
    text = _typed(request)
    context = {
        "suggestions": queries.suggest(request.user, text) if text.strip() else [],
        "typed": text,
        "ticket": None,
    }
    return render(request, "kb/_suggestions.html", context)


@login_required
@require_POST
def deflect(request: HttpRequest, public_id: str) -> HttpResponse:
    """ "This solved it": count a request not sent, and tell the customer they need not send it."""
    article = _article_or_404(request, public_id)
    text = " ".join(request.POST.get(k, "") for k in ("subject", "description")).strip()
    try:
        services.record_deflection(actor=request.user, article=article, text=text)
    except DomainError as exc:
        raise Http404(exc.message) from exc
    if request.htmx:
        return render(request, "kb/_deflected.html", {"article": article})
    messages.success(request, "Glad it helped: you need not send a request.")
    return redirect("kb:detail", article.public_id)


@agent_required
@require_GET
def ticket_panel(request: HttpRequest, number: str) -> HttpResponse:
    """The ticket page's knowledge panel: the articles that solved it, suggestions from its
    subject with "solved with this", and "draft article from this ticket" once resolved."""
    ticket = ticket_for(request.user, number)
    linked = list(queries.solved_with(request.user, ticket))
    linked_ids = {link.article_id for link in linked}
    suggestions = [
        s
        for s in queries.suggest(
            request.user,
            f"{ticket.subject} {ticket.description[:300]}",
            organization_id=ticket.organization_id,
        )
        if s.article.pk not in linked_ids
    ]
    context = {
        "ticket": ticket,
        "linked": linked,
        "suggestions": suggestions,
        "resolved": ticket.status in (Status.RESOLVED, Status.CLOSED),
    }
    return render(request, "kb/_ticket_panel.html", context)


@agent_required
@require_POST
def solved(request: HttpRequest, number: str, public_id: str) -> HttpResponse:
    ticket = ticket_for(request.user, number)
    article = _article_or_404(request, public_id)
    try:
        services.link_solved(actor=request.user, article=article, ticket=ticket)
    except DomainError as exc:  # another client's runbook
        messages.error(request, exc.message)
        return redirect(ticket)
    messages.success(request, f"Linked “{article.title}” as the solution.")
    return redirect(ticket)


@agent_required
@require_POST
def draft(request: HttpRequest, number: str) -> HttpResponse:
    ticket = ticket_for(request.user, number)
    try:
        article = services.draft_from_ticket(actor=request.user, ticket=ticket)
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect(ticket)
    messages.success(request, "A draft article was made from the ticket: edit it and publish.")
    return redirect("kb:edit", article.public_id)
