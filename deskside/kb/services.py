"""The knowledge base's domain operations. Each is one transaction, takes the acting user, and
keeps the invariants: every save of an article writes a revision (who, when, title, body) and
rewrites its search text; the next review is due `review_every_days` after the last review
(or the creation).

Who may do what: any agent writes articles and publishes internal ones; publishing a PUBLIC
article (customers read it) needs the admin role, as does changing one that is published
already. Customers write nothing but deflections ("this solved it"). An agent limited to some
clients (`User.served_organizations`) acts only on the articles they may read
(`kb.queries.visible_articles`: global ones and their clients' runbooks; any other is "no such
article", 404), writes or moves an article only to a client they serve (InvalidInput on
`organization`, 422), and links "solved with" only an article they may read.
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction

from deskside.accounts.models import Organization, User
from deskside.accounts.permissions import is_admin, is_agent, is_customer
from deskside.accounts.queries import serves
from deskside.core import clock
from deskside.core.files import removed_on_error
from deskside.kb.exceptions import InvalidInput, InvalidState, NotAllowed
from deskside.kb.models import (
    Article,
    ArticleAttachment,
    ArticleSearch,
    ArticleStatus,
    Category,
    Deflection,
    Revision,
    SolvedWith,
    Tag,
    Visibility,
)
from deskside.kb.queries import visible_articles
from deskside.tickets.models import EventKind, Status, Ticket
from deskside.tickets.queries import visible_tickets
from deskside.tickets.services import add_note

MAX_TITLE = 200
MAX_BODY = 100_000
MAX_TAGS = 20
MAX_DEFLECTION_TEXT = 2000


@dataclass
class ArticleInput:
    """What a writer sets on an article (the form and the API build one)."""

    title: str
    body: str = ""
    visibility: str = Visibility.INTERNAL
    status: str = ArticleStatus.DRAFT
    organization: Organization | None = None
    category: Category | None = None
    tags: Sequence[str] = field(default_factory=list)
    review_every_days: int = 180


def _require_agent(actor: User, what: str) -> None:
    if not is_agent(actor):
        raise NotAllowed(f"only agents may {what}")


def _clean(data: ArticleInput) -> ArticleInput:
    title = " ".join((data.title or "").split())
    if not title:
        raise InvalidInput("an article needs a title", field="title")
    if len(title) > MAX_TITLE:
        raise InvalidInput(f"the title is longer than {MAX_TITLE} characters", field="title")
    if len(data.body or "") > MAX_BODY:
        raise InvalidInput(f"the body is longer than {MAX_BODY} characters", field="body")
    if data.visibility not in Visibility.values:
        raise InvalidInput(f"unknown visibility {data.visibility!r}", field="visibility")
    if data.status not in ArticleStatus.values:
        raise InvalidInput(f"unknown status {data.status!r}", field="status")
    if not 0 <= data.review_every_days <= 3650:
        raise InvalidInput("review every 0 (never) to 3650 days", field="review_every_days")
    tags = sorted({" ".join(t.split())[:50] for t in data.tags if t and t.strip()})
    if len(tags) > MAX_TAGS:
        raise InvalidInput(f"at most {MAX_TAGS} tags", field="tags")
    data.title, data.body, data.tags = title, data.body or "", tags
    return data


def _require_visible(actor: User, article: Article) -> None:
    if not visible_articles(actor).filter(pk=article.pk).exists():
        raise InvalidInput("no such article", field="article", status=404)


def _require_serves(actor: User, data: ArticleInput) -> None:
    org = data.organization
    if org is not None and not serves(actor, org.pk):
        raise InvalidInput(
            f"you do not serve {org.name}: write its runbooks for a client you serve",
            field="organization",
        )


def _require_may_publish(actor: User, data: ArticleInput, before: Article | None) -> None:
    public_live = data.status == ArticleStatus.PUBLISHED and data.visibility == Visibility.PUBLIC
    was_public_live = (
        before is not None
        and before.status == ArticleStatus.PUBLISHED
        and before.visibility == Visibility.PUBLIC
    )
    if (public_live or was_public_live) and not is_admin(actor):
        raise NotAllowed(
            "only an administrator may publish a public article or change a published one",
            field="status",
        )


def _apply(article: Article, data: ArticleInput) -> None:
    article.title = data.title
    article.body = data.body
    article.visibility = data.visibility
    article.status = data.status
    article.organization = data.organization
    article.category = data.category
    article.review_every_days = data.review_every_days
    _set_due(article)


def _set_due(article: Article) -> None:
    """Recompute the due date; a changed one arms its reminder (`kb.worker`), an unchanged
    one keeps the reminder's state (an edit does not remind the owner twice for one date)."""
    due = _due(article)
    if due != article.review_due_at or article.pk is None:
        article.review_remind_at = due
    article.review_due_at = due


def _due(article: Article) -> datetime | None:
    if not article.review_every_days:
        return None
    since = article.last_reviewed_at or article.created_at
    return since + timedelta(days=article.review_every_days)


def _save(actor: User, article: Article, tags: Sequence[str]) -> None:
    """Save the article, its tags, a new revision and its search text."""
    article.updated_at = clock.now()
    article.save()
    article.tags.set([Tag.objects.get_or_create(name=name)[0] for name in tags])
    last = article.revisions.order_by("-number").values_list("number", flat=True).first() or 0
    Revision.objects.create(
        article=article,
        number=last + 1,
        title=article.title,
        body=article.body,
        author=actor,
        created_at=article.updated_at,
    )
    reindex(article, tags)


def reindex(article: Article, tags: Iterable[str] | None = None) -> None:
    """Rewrite the article's search text from its title, body, category and tags."""
    if tags is None:
        tags = article.tags.values_list("name", flat=True)
    extra = [article.category.name if article.category else "", *tags]
    texts = {"title_text": article.title, "body_text": "\n".join([article.body, *extra])}
    if not ArticleSearch.objects.filter(article=article).update(**texts):
        ArticleSearch.objects.create(article=article, **texts)


@transaction.atomic
def create_article(
    *, actor: User, data: ArticleInput, source_ticket: Ticket | None = None
) -> Article:
    """A new article with its first revision. Raises NotAllowed (a customer; publishing a public
    article without the admin role) and InvalidInput (naming the field; `organization` for a
    client the actor does not serve)."""
    _require_agent(actor, "write articles")
    data = _clean(data)
    _require_serves(actor, data)
    _require_may_publish(actor, data, None)
    article = Article(created_by=actor, created_at=clock.now(), source_ticket=source_ticket)
    _apply(article, data)
    _save(actor, article, data.tags)
    return article


@transaction.atomic
def update_article(*, actor: User, article: Article, data: ArticleInput) -> Article:
    """Change the article; writes a revision. Same errors as `create_article`, and
    InvalidInput (404) for an article the actor may not read."""
    _require_agent(actor, "edit articles")
    _require_visible(actor, article)
    article = Article.objects.select_for_update().get(pk=article.pk)
    data = _clean(data)
    _require_serves(actor, data)
    _require_may_publish(actor, data, article)
    _apply(article, data)
    _save(actor, article, data.tags)
    return article


@transaction.atomic
def mark_reviewed(*, actor: User, article: Article) -> Article:
    """The article was read and is still right: the next review is due `review_every_days`
    from now, and its reminder is armed for that date."""
    _require_agent(actor, "review articles")
    _require_visible(actor, article)
    article = Article.objects.select_for_update().get(pk=article.pk)
    article.last_reviewed_at = clock.now()
    article.last_reviewed_by = actor
    article.review_due_at = article.review_remind_at = _due(article)
    article.save(
        update_fields=["last_reviewed_at", "last_reviewed_by", "review_due_at", "review_remind_at"]
    )
    return article


@transaction.atomic
def add_attachments(
    *, actor: User, article: Article, files: Sequence[UploadedFile]
) -> list[ArticleAttachment]:
    """Store `files` on the article (agents). Raises InvalidInput for no file or one over
    DESKSIDE_MAX_ATTACHMENT_MB (nothing stored then); an OSError (a full disk) leaves no file
    behind either."""
    _require_agent(actor, "attach files")
    _require_visible(actor, article)
    if not files:
        raise InvalidInput("no file was sent", field="file")
    limit = settings.DESKSIDE_MAX_ATTACHMENT_BYTES
    for upload in files:
        if upload.size > limit:
            raise InvalidInput(
                f"{upload.name} is {upload.size / 2**20:.1f} MB; the limit is "
                f"{limit / 2**20:.0f} MB",
                field="file",
            )
    saved = []
    with removed_on_error():
        for upload in files:
            name = (upload.name or "attachment").replace("/", "_").replace("\\", "_")[-255:]
            item = ArticleAttachment(
                article=article,
                filename=name,
                size=upload.size,
                content_type=(getattr(upload, "content_type", None) or "application/octet-stream")[
                    :100
                ],
                uploaded_by=actor,
            )
            item.file.save(name, upload, save=False)
            item.save()
            saved.append(item)
    return saved


@transaction.atomic
def record_deflection(*, actor: User, article: Article, text: str = "") -> Deflection:
    """A customer (or an agent trying the portal) says `article` solved what they were about
    to ask: counted as a ticket not opened. The article must be one the actor may read."""
    if not (is_customer(actor) or is_agent(actor)):
        raise NotAllowed("sign in to say an article helped")
    if not visible_articles(actor).filter(pk=article.pk, status=ArticleStatus.PUBLISHED).exists():
        raise InvalidInput("no such article", field="article", status=404)
    return Deflection.objects.create(
        article=article,
        organization_id=actor.organization_id,
        user=actor,
        text=(text or "")[:MAX_DEFLECTION_TEXT],
    )


@transaction.atomic
def link_solved(*, actor: User, article: Article, ticket: Ticket) -> SolvedWith:
    """Record that `article` solved `ticket` and say so on the ticket's timeline (an internal
    note naming the article). Linking the same article again changes nothing. Raises
    InvalidInput (404) for a ticket or an article the actor may not see, and (422) for another
    client's runbook: the note would show its title to the agents of the ticket's client."""
    _require_agent(actor, "link articles to tickets")
    _require_visible(actor, article)
    if not visible_tickets(actor).filter(pk=ticket.pk).exists():
        raise InvalidInput(f"no ticket {ticket.number}", field="ticket", status=404)
    if article.organization_id not in (None, ticket.organization_id):
        raise InvalidInput(
            f"{article.public_id} is another client's article: it cannot solve {ticket.number}",
            field="article",
        )
    link, created = SolvedWith.objects.get_or_create(
        article=article, ticket=ticket, defaults={"linked_by": actor}
    )
    if created:
        add_note(
            actor=actor,
            ticket=ticket,
            body=f"Solved with knowledge-base article {article.public_id}: {article.title}",
        )
    return link


@transaction.atomic
def draft_from_ticket(*, actor: User, ticket: Ticket) -> Article:
    """A draft internal article from a resolved (or closed) ticket: its subject as the title;
    the description, the resolution and the public replies as the body; linked back to the
    ticket, as the ticket's client's article (its runbook: it holds that client's text; a
    writer may make it global). Raises InvalidState for a ticket that is not resolved."""
    _require_agent(actor, "write articles")
    if not visible_tickets(actor).filter(pk=ticket.pk).exists():
        raise InvalidInput(f"no ticket {ticket.number}", field="ticket", status=404)
    if ticket.status not in (Status.RESOLVED, Status.CLOSED):
        raise InvalidState(f"{ticket.number} is not resolved yet", field="ticket")
    events = ticket.events.filter(kind__in=[EventKind.REPLY, EventKind.RESOLVED], is_public=True)
    replies = [e.body for e in events.order_by("pk") if e.kind == EventKind.REPLY and e.body]
    resolutions = [e.body for e in events.order_by("pk") if e.kind == EventKind.RESOLVED]
    parts = [f"Drafted from ticket {ticket.number}.", "## Problem", ticket.description or "-"]
    if resolutions:
        parts += ["## Resolution", resolutions[-1]]
    if replies:
        parts += ["## Replies to the customer", *replies]
    # The draft holds the ticket's text: it is that client's article (a runbook) until a writer
    # makes it global, so agents of other clients never read it.
    data = ArticleInput(
        title=ticket.subject[:MAX_TITLE],
        body="\n\n".join(parts),
        organization=ticket.organization,
    )
    return create_article(actor=actor, data=data, source_ticket=ticket)
