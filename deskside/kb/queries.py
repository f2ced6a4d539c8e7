"""Read-side of the knowledge base. `visible_articles(user)` is the one visibility rule; every
page, API endpoint, search, suggestion, attachment download and deflection goes through it:

- an agent sees drafts, archived and internal articles, global ones and the runbooks of the
  clients they serve (`User.served_organizations`; an agent limited to none serves every
  client, as for tickets): an agent limited to Globex never reads Acme's runbook, in the list,
  search, suggestions and their snippets, the article page, files, history, the solved-with
  panel or the API (issue 16 follow-up: a client's runbook is that client's data);
- a customer sees only PUBLISHED PUBLIC articles that are global or of their own organisation;
  never an internal one, a draft, or another client's;
- anyone else (anonymous, deactivated) sees none.
"""

import re
from dataclasses import dataclass
from datetime import datetime

from django.db.models import Count, Q, QuerySet

from deskside.accounts.models import User
from deskside.accounts.queries import served_organization_ids
from deskside.core.search import terms
from deskside.kb.models import (
    ARTICLE_SEARCH,
    Article,
    ArticleAttachment,
    ArticleStatus,
    Revision,
    SolvedWith,
    Visibility,
)
from deskside.kb.render import plain_text
from deskside.tickets.models import Ticket
from deskside.tickets.queries import visible_tickets

SUGGESTIONS = 5
SNIPPET_CHARS = 160
# A title match counts this many times a body match in the suggestions' ranking.
TITLE_WEIGHT = 4.0
FILTERS = ("q", "category", "tag", "status", "visibility", "organization")


def visible_articles(user: User | None) -> QuerySet[Article]:
    """The articles `user` may read (see the module docstring)."""
    qs = Article.objects.all()
    if user is None or not user.is_authenticated or not user.is_active:
        return qs.none()
    if user.is_agent:
        served = served_organization_ids(user)
        if served is None:
            return qs
        return qs.filter(Q(organization__isnull=True) | Q(organization_id__in=served))
    if user.organization_id is None:
        return qs.none()
    return qs.filter(
        Q(organization__isnull=True) | Q(organization_id=user.organization_id),
        status=ArticleStatus.PUBLISHED,
        visibility=Visibility.PUBLIC,
    )


def article_for(user: User, public_id: str) -> Article:
    """One article `user` may read; Article.DoesNotExist otherwise (answered as 404)."""
    return (
        visible_articles(user)
        .select_related("category", "organization", "created_by")
        .get(public_id=public_id)
    )


def articles(
    user: User,
    *,
    q: str = "",
    category: str = "",
    tag: str = "",
    status: str = "",
    visibility: str = "",
    organization: str = "",
) -> QuerySet[Article]:
    """The list page's and the API's list: `visible_articles` narrowed by the filters (a
    category slug, a tag name, a status, a visibility, an organisation slug or "global") and a
    full-text search (every word must match, as in ticket search)."""
    qs = visible_articles(user).select_related("category", "organization")
    if category:
        qs = qs.filter(category__slug=category)
    if tag:
        qs = qs.filter(tags__name=tag)
    if status:
        qs = qs.filter(status=status)
    if visibility:
        qs = qs.filter(visibility=visibility)
    if organization == "global":
        qs = qs.filter(organization__isnull=True)
    elif organization:
        qs = qs.filter(organization__slug=organization)
    if q.strip():
        qs = ARTICLE_SEARCH.filter(qs, q, include_internal=True)
    return qs.order_by("title", "pk")


@dataclass(frozen=True)
class Suggestion:
    article: Article
    snippet: str


def suggest(
    user: User, text: str, *, limit: int = SUGGESTIONS, organization_id: int | None = None
) -> list[Suggestion]:
    """The best matching articles `user` may read for `text` (any of its words; title matches
    first), each with a snippet of its body around the first matching word. Agents get only
    published articles here too (a draft is no answer to give a caller). With
    `organization_id` (a ticket's client), only global articles and that client's runbooks:
    another client's runbook is no answer for this ticket."""
    qs = visible_articles(user).filter(status=ArticleStatus.PUBLISHED)
    if organization_id is not None:
        qs = qs.filter(Q(organization__isnull=True) | Q(organization_id=organization_id))
    ranked = ARTICLE_SEARCH.ranked(
        qs.only("public_id", "title", "body", "visibility", "organization_id"),
        text,
        include_internal=True,
        public_weight=TITLE_WEIGHT,
    )
    words = terms(text)
    return [Suggestion(a, snippet(a.body, words)) for a in ranked[:limit]]


def snippet(body: str, words: list[str], size: int = SNIPPET_CHARS) -> str:
    """About `size` characters of the body's plain text around the first of `words` found (a
    word's start matches: "print" finds "printer"), or its beginning."""
    text = plain_text(body)
    if len(text) <= size:
        return text
    start = 0
    for word in words:
        found = re.search(rf"\b{re.escape(word)}", text, re.IGNORECASE)
        if found:
            start = max(0, found.start() - size // 4)
            break
    cut = text[start : start + size]
    return ("…" if start else "") + cut + ("…" if start + size < len(text) else "")


def due_for_review(user: User, now: datetime) -> QuerySet[Article]:
    """Published articles `user` may read whose review is due at `now`, the longest overdue
    first (agents)."""
    if not (user.is_authenticated and user.is_agent):
        return Article.objects.none()
    return (
        visible_articles(user)
        .filter(status=ArticleStatus.PUBLISHED, review_due_at__lte=now)
        .select_related("created_by", "organization")
        .order_by("review_due_at", "pk")
    )


def attachment_for(user: User, public_id: str) -> ArticleAttachment:
    """A file of an article `user` may read; ArticleAttachment.DoesNotExist otherwise."""
    return ArticleAttachment.objects.select_related("article").get(
        public_id=public_id, article__in=visible_articles(user)
    )


def revisions(article: Article) -> QuerySet[Revision]:
    return article.revisions.select_related("author")


def solved_tickets(user: User, article: Article) -> QuerySet[Ticket]:
    """The tickets this article solved that `user` may see (agents; customers none)."""
    if not user.is_agent:
        return Ticket.objects.none()
    return visible_tickets(user).filter(kb_solved_with__article=article).order_by("-pk")


def solved_with(user: User, ticket: Ticket) -> QuerySet[SolvedWith]:
    """The articles linked as having solved `ticket`, that `user` may read."""
    return SolvedWith.objects.filter(
        ticket=ticket, article__in=visible_articles(user)
    ).select_related("article", "linked_by")


def counts(article: Article) -> dict[str, int]:
    """How many tickets the article solved and how many requests it deflected."""
    return Article.objects.filter(pk=article.pk).aggregate(
        solved=Count("solved", distinct=True), deflected=Count("deflections", distinct=True)
    )
