"""The knowledge base: articles in Markdown that agents (internal) or customers too (public)
read, global or for one client (a client's runbook), in categories and with tags.

Invariants kept by `kb.services`: `body` is Markdown as written (rendered and sanitised on
display, never stored as HTML); an article for one client (`organization` set) is read only by
agents and by that client's customers when public; a public article is read by customers only
once published. Every edit writes a revision; nothing edits articles in the admin.
`review_remind_at` is armed with `review_due_at` whenever the due date changes, and disarmed
(NULL) by the worker that sends its reminder: one reminder per due date.
"""

from django.conf import settings
from django.db import models

from deskside.accounts.models import Organization
from deskside.core import clock
from deskside.core.ids import new_public_id
from deskside.core.search import SearchIndex
from deskside.tickets.models import Ticket


class Visibility(models.TextChoices):
    INTERNAL = "internal", "Internal (agents only)"
    PUBLIC = "public", "Public (customers too)"


class ArticleStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    PUBLISHED = "published", "Published"
    ARCHIVED = "archived", "Archived"


class Category(models.Model):
    name = models.CharField(max_length=100, unique=True)
    slug = models.SlugField(max_length=100, unique=True)

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "categories"

    def __str__(self) -> str:
        return self.name


class Tag(models.Model):
    name = models.CharField(max_length=50, unique=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Article(models.Model):
    """An article, addressed by `public_id`."""

    public_id = models.CharField(max_length=16, unique=True, default=new_public_id, editable=False)
    title = models.CharField(max_length=200)
    body = models.TextField(blank=True, help_text="Markdown.")
    visibility = models.CharField(
        max_length=10, choices=Visibility.choices, default=Visibility.INTERNAL
    )
    status = models.CharField(
        max_length=10, choices=ArticleStatus.choices, default=ArticleStatus.DRAFT
    )
    organization = models.ForeignKey(
        Organization,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="kb_articles",
        help_text="Null: a global article; set: a runbook of this client.",
    )
    category = models.ForeignKey(
        Category, null=True, blank=True, on_delete=models.SET_NULL, related_name="articles"
    )
    tags = models.ManyToManyField(Tag, blank=True, related_name="articles")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=clock.now)
    updated_at = models.DateTimeField(default=clock.now)
    last_reviewed_at = models.DateTimeField(null=True, blank=True)
    review_every_days = models.PositiveSmallIntegerField(
        default=180, help_text="A review is due this many days after the last one (0: never)."
    )
    last_reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    review_due_at = models.DateTimeField(
        null=True,
        blank=True,
        db_index=True,
        help_text="When the next review is due (last review, or creation, + review_every_days).",
    )
    review_remind_at = models.DateTimeField(
        null=True,
        blank=True,
        db_index=True,
        help_text="When the worker reminds the owner of the review: the due date until the "
        "reminder is sent, then empty until the next due date (kb.worker).",
    )
    source_ticket = models.ForeignKey(
        Ticket,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="The ticket this article was drafted from.",
    )

    class Meta:
        ordering = ["title"]
        indexes = [models.Index(fields=["status", "visibility"], name="kb_article_state")]

    def __str__(self) -> str:
        return self.title


class Revision(models.Model):
    """One saved state of an article: who saved it, when, its title and body. Written by every
    save (`kb.services`), never edited."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="revisions")
    number = models.PositiveIntegerField()
    title = models.CharField(max_length=200)
    body = models.TextField(blank=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=clock.now)

    class Meta:
        ordering = ["-number"]
        constraints = [
            models.UniqueConstraint(fields=["article", "number"], name="kb_revision_number")
        ]

    def __str__(self) -> str:
        return f"{self.article_id} r{self.number}"


def attachment_path(instance: "ArticleAttachment", filename: str) -> str:
    now = clock.now()
    return f"kb/{now:%Y/%m}/{instance.public_id}"


class ArticleAttachment(models.Model):
    """A file on an article, stored in the data directory like ticket attachments and served
    only through a view that checks the article's visibility."""

    public_id = models.CharField(max_length=16, unique=True, default=new_public_id, editable=False)
    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(upload_to=attachment_path, max_length=200)
    filename = models.CharField(max_length=255)
    content_type = models.CharField(max_length=100, default="application/octet-stream")
    size = models.PositiveBigIntegerField()
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=clock.now)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return self.filename


class Deflection(models.Model):
    """A customer said a suggested article solved their problem before submitting a request:
    a ticket that was not opened."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="deflections")
    organization = models.ForeignKey(
        Organization, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    text = models.TextField(blank=True, help_text="What the customer had typed.")
    created_at = models.DateTimeField(default=clock.now)

    class Meta:
        ordering = ["-id"]

    def __str__(self) -> str:
        return f"deflection by {self.article_id}"


class SolvedWith(models.Model):
    """An agent said this article solved this ticket. One row per ticket and article."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="solved")
    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="kb_solved_with")
    linked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=clock.now)

    class Meta:
        ordering = ["-id"]
        constraints = [models.UniqueConstraint(fields=["article", "ticket"], name="kb_solved_once")]

    def __str__(self) -> str:
        return f"{self.ticket_id} solved with {self.article_id}"


class ArticleSearch(models.Model):
    """The text an article is found by: `title_text` (weighted higher in suggestions) and
    `body_text` (body, category and tags). Who may see which article is decided by
    `kb.queries.visible_articles`, never by these columns."""

    article = models.OneToOneField(
        Article, primary_key=True, on_delete=models.CASCADE, related_name="search"
    )
    title_text = models.TextField(blank=True)
    body_text = models.TextField(blank=True)

    def __str__(self) -> str:
        return f"search text of {self.article_id}"


ARTICLE_SEARCH = SearchIndex(
    table="kb_articlesearch",
    key="article_id",
    public_column="title_text",
    internal_column="body_text",
)
