"""The knowledge base under /api/v1/kb:

    GET   /kb/articles                         articles you may read (filters, q: full text)
    POST  /kb/articles                         create (agents)
    GET   /kb/articles/{id}                    one article (its body as Markdown and as HTML)
    PATCH /kb/articles/{id}                    change the fields sent (agents); a revision
    GET   /kb/articles/{id}/revisions          its revisions, newest first (agents)
    POST  /kb/articles/{id}/reviewed           mark reviewed (agents)
    POST  /kb/articles/{id}/deflections        "this solved it": a request not sent
    POST  /kb/articles/{id}/solved             link a ticket it solved (agents)
    POST  /kb/tickets/{number}/draft           a draft article from a resolved ticket (agents)
    GET   /kb/suggest?q=...                    the best matching articles you may read

What a caller reads is `kb.queries.visible_articles`: a customer's token sees only published
public articles, global or of their own organisation; any other article is 404, as if it did
not exist. Writes other than deflections are for agents (403 for a customer).
"""

from datetime import datetime

from django.http import HttpRequest
from django.urls import reverse
from ninja import Field, Query, Router, Schema, Status

from deskside.accounts.models import Organization, User
from deskside.accounts.queries import organizations_visible_to
from deskside.accounts.schemas import OrganizationRef
from deskside.core.api import PageOut, PageParams, Text, get_or_404, page_out
from deskside.core.pagination import paginate
from deskside.kb import queries, services
from deskside.kb.exceptions import InvalidInput, NotAllowed
from deskside.kb.models import Article, ArticleStatus, Category, Visibility
from deskside.kb.render import render_markdown
from deskside.tickets.queries import ticket_for

router = Router(tags=["knowledge base"])


class ArticleRow(Schema):
    id: str = Field(alias="public_id")
    title: str
    visibility: str
    status: str
    organization: OrganizationRef | None = Field(description="Null: a global article.")
    category: str | None = Field(description="The category's slug.")
    updated_at: datetime
    url: str

    @staticmethod
    def resolve_category(obj: Article) -> str | None:
        return obj.category.slug if obj.category_id else None

    @staticmethod
    def resolve_url(obj: Article) -> str:
        return reverse("kb:detail", args=[obj.public_id])


class ArticleOut(ArticleRow):
    body: str = Field(description="Markdown, as written.")
    html: str = Field(description="The body rendered and sanitised.")
    tags: list[str]
    last_reviewed_at: datetime | None
    review_every_days: int
    review_due_at: datetime | None
    created_at: datetime

    @staticmethod
    def resolve_html(obj: Article) -> str:
        return str(render_markdown(obj.body))

    @staticmethod
    def resolve_tags(obj: Article) -> list[str]:
        return [t.name for t in obj.tags.all()]


class ArticleFilters(PageParams):
    q: Text = Field("", max_length=200, description="Full text: every word must match.")
    category: Text = Field("", max_length=100)
    tag: Text = Field("", max_length=50)
    status: Text = Field("", max_length=10)
    visibility: Text = Field("", max_length=10)
    organization: Text = Field("", max_length=60, description='A client\'s slug, or "global".')


class ArticleIn(Schema):
    title: Text = Field(max_length=services.MAX_TITLE)
    body: Text = Field("", max_length=services.MAX_BODY)
    visibility: Visibility = Visibility.INTERNAL
    status: ArticleStatus = ArticleStatus.DRAFT
    organization: Text | None = Field(None, description="A client's slug; null: global.")
    category: Text | None = Field(None, description="A category's slug.")
    tags: list[Text] = Field(default_factory=list, max_length=services.MAX_TAGS)
    review_every_days: int = Field(180, ge=0, le=3650)


class ArticlePatch(Schema):
    title: Text | None = Field(None, max_length=services.MAX_TITLE)
    body: Text | None = Field(None, max_length=services.MAX_BODY)
    visibility: Visibility | None = None
    status: ArticleStatus | None = None
    organization: Text | None = None
    category: Text | None = None
    tags: list[Text] | None = Field(None, max_length=services.MAX_TAGS)
    review_every_days: int | None = Field(None, ge=0, le=3650)


class RevisionOut(Schema):
    number: int
    title: str
    body: str
    author: str | None
    created_at: datetime

    @staticmethod
    def resolve_author(obj: object) -> str | None:
        author = obj.author  # type: ignore[attr-defined]
        return author.get_full_name() if author else None


class ArticleSuggestionOut(Schema):
    id: str
    title: str
    snippet: str
    url: str


class SuggestParams(Schema):
    q: Text = Field(max_length=500, description="What was typed (subject, description).")


class DeflectionIn(Schema):
    text: Text = Field("", max_length=services.MAX_DEFLECTION_TEXT)


class DeflectionOut(Schema):
    article: str
    deflected: int = Field(description="Requests this article has deflected in all.")


class SolvedIn(Schema):
    ticket: Text = Field(description="The ticket's number, T-10423.")


class SolvedOut(Schema):
    article: str
    ticket: str
    solved: int = Field(description="Tickets this article has solved in all.")


def _agent(request: HttpRequest, what: str) -> User:
    user: User = request.user  # type: ignore[assignment]
    if not user.is_agent:
        raise NotAllowed(f"only agents may {what}")
    return user


def _article(request: HttpRequest, public_id: str) -> Article:
    qs = queries.visible_articles(request.user).select_related("category", "organization")
    return get_or_404(qs.prefetch_related("tags"), f"no article {public_id!r}", public_id=public_id)


def _organization(user: User, slug: str | None) -> Organization | None:
    """The client `slug` among those `user` serves: one they do not serve is "no client" as an
    unknown slug is, so the answer does not reveal which clients exist."""
    if not slug:
        return None
    org = organizations_visible_to(user).filter(slug=slug, is_msp=False).first()
    if org is None:
        raise InvalidInput(f"no client {slug!r}", field="organization")
    return org


def _category(slug: str | None) -> Category | None:
    if not slug:
        return None
    category = Category.objects.filter(slug=slug).first()
    if category is None:
        raise InvalidInput(f"no category {slug!r}", field="category")
    return category


@router.get("/kb/articles", response=PageOut[ArticleRow], summary="Articles you may read")
def list_articles(request: HttpRequest, filters: Query[ArticleFilters]) -> dict[str, object]:
    values = filters.model_dump(exclude={"page", "limit"})
    qs = queries.articles(request.user, **values)
    return page_out(paginate(request, qs, page=filters.page, limit=filters.limit))


@router.post("/kb/articles", response={201: ArticleOut}, summary="Write an article (agents)")
def create_article(request: HttpRequest, payload: ArticleIn) -> Status[Article]:
    user = _agent(request, "write articles")
    data = services.ArticleInput(
        title=payload.title,
        body=payload.body,
        visibility=payload.visibility,
        status=payload.status,
        organization=_organization(user, payload.organization),
        category=_category(payload.category),
        tags=payload.tags,
        review_every_days=payload.review_every_days,
    )
    article = services.create_article(actor=user, data=data)
    return Status(201, _article(request, article.public_id))


@router.get("/kb/articles/{public_id}", response=ArticleOut, summary="One article")
def get_article(request: HttpRequest, public_id: Text) -> Article:
    return _article(request, public_id)


@router.patch("/kb/articles/{public_id}", response=ArticleOut, summary="Change an article")
def update_article(request: HttpRequest, public_id: Text, payload: ArticlePatch) -> Article:
    """Only the fields sent change; `organization` and `category` may be null (global; none).
    Every change writes a revision."""
    user = _agent(request, "edit articles")
    article = _article(request, public_id)
    changes = payload.model_dump(exclude_unset=True)
    for name in ("title", "body", "visibility", "status", "tags", "review_every_days"):
        if name in changes and changes[name] is None:
            raise InvalidInput(f"{name} cannot be null", field=name)
    data = services.ArticleInput(
        title=changes.get("title", article.title),
        body=changes.get("body", article.body),
        visibility=changes.get("visibility", article.visibility),
        status=changes.get("status", article.status),
        organization=(
            _organization(user, changes["organization"])
            if "organization" in changes
            else article.organization
        ),
        category=_category(changes["category"]) if "category" in changes else article.category,
        tags=changes.get("tags", [t.name for t in article.tags.all()]),
        review_every_days=changes.get("review_every_days", article.review_every_days),
    )
    services.update_article(actor=user, article=article, data=data)
    return _article(request, public_id)


@router.get(
    "/kb/articles/{public_id}/revisions",
    response=list[RevisionOut],
    summary="Revisions of an article (agents)",
)
def list_revisions(request: HttpRequest, public_id: Text) -> list[object]:
    _agent(request, "read revisions")
    return list(queries.revisions(_article(request, public_id))[:200])


@router.post(
    "/kb/articles/{public_id}/reviewed", response=ArticleOut, summary="Mark reviewed (agents)"
)
def mark_reviewed(request: HttpRequest, public_id: Text) -> Article:
    user = _agent(request, "review articles")
    services.mark_reviewed(actor=user, article=_article(request, public_id))
    return _article(request, public_id)


@router.post(
    "/kb/articles/{public_id}/deflections",
    response={201: DeflectionOut},
    summary='"This solved it": a request not sent',
)
def deflect(request: HttpRequest, public_id: Text, payload: DeflectionIn) -> Status[dict]:
    article = _article(request, public_id)
    services.record_deflection(actor=request.user, article=article, text=payload.text)
    return Status(
        201, {"article": article.public_id, "deflected": queries.counts(article)["deflected"]}
    )


@router.post(
    "/kb/articles/{public_id}/solved",
    response={201: SolvedOut},
    summary="Link a ticket this article solved (agents)",
)
def link_solved(request: HttpRequest, public_id: Text, payload: SolvedIn) -> Status[dict]:
    user = _agent(request, "link articles to tickets")
    article = _article(request, public_id)
    ticket = ticket_for(user, payload.ticket)
    services.link_solved(actor=user, article=article, ticket=ticket)
    solved = queries.counts(article)["solved"]
    return Status(201, {"article": article.public_id, "ticket": ticket.number, "solved": solved})


@router.post(
    "/kb/tickets/{number}/draft",
    response={201: ArticleOut},
    summary="A draft article from a resolved ticket (agents)",
)
def draft_from_ticket(request: HttpRequest, number: Text) -> Status[Article]:
    user = _agent(request, "write articles")
    article = services.draft_from_ticket(actor=user, ticket=ticket_for(user, number))
    return Status(201, _article(request, article.public_id))


@router.get("/kb/suggest", response=list[ArticleSuggestionOut], summary="Suggested articles")
def suggest(request: HttpRequest, params: Query[SuggestParams]) -> list[dict]:
    """The best matching articles you may read for the typed text (any of its words, title
    matches first), at most five."""
    q = params.q
    if not q.strip():
        raise InvalidInput("type some words to get suggestions", field="q")
    return [
        {
            "id": s.article.public_id,
            "title": s.article.title,
            "snippet": s.snippet,
            "url": reverse("kb:detail", args=[s.article.public_id]),
        }
        for s in queries.suggest(request.user, q)
    ]
