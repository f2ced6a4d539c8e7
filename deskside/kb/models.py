"""The knowledge base: articles in Markdown that agents (internal) or customers too (public)
read, global or for one client (a client's runbook), in categories and with tags.

Invariants kept by `kb.services`: `body` is Markdown as written (rendered and sanitised on
display, never stored as HTML); an article for one client (`organization` set) is read only by
agents and by that client's customers when public; a public article is read by customers only
once published. Every edit writes a revision; nothing edits articles in the admin.
"""

from django.conf import settings
from django.db import models

from deskside.accounts.models import Organization
from deskside.core import clock
from deskside.core.ids import new_public_id


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

    class Meta:
        ordering = ["title"]
        indexes = [models.Index(fields=["status", "visibility"], name="kb_article_state")]

    def __str__(self) -> str:
        return self.title
