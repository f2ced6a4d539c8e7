"""The knowledge base in the Django admin: read-only. Articles, revisions, files, deflections
and solved-with links are written by `kb.services` (which keep a revision of every save and
the search text), through the pages and the API."""

from django.contrib import admin

from deskside.core.admin import ReadOnlyAdmin
from deskside.kb.models import (
    Article,
    ArticleAttachment,
    Category,
    Deflection,
    Revision,
    SolvedWith,
    Tag,
)


@admin.register(Article)
class ArticleAdmin(ReadOnlyAdmin):
    list_display = ("title", "status", "visibility", "organization", "category", "updated_at")
    list_filter = ("status", "visibility", "category")
    search_fields = ("title", "public_id")


@admin.register(Revision)
class RevisionAdmin(ReadOnlyAdmin):
    list_display = ("article", "number", "author", "created_at")
    search_fields = ("article__title", "article__public_id")


@admin.register(ArticleAttachment)
class ArticleAttachmentAdmin(ReadOnlyAdmin):
    list_display = ("filename", "article", "size", "created_at")


@admin.register(Deflection)
class DeflectionAdmin(ReadOnlyAdmin):
    list_display = ("article", "organization", "user", "created_at")


@admin.register(SolvedWith)
class SolvedWithAdmin(ReadOnlyAdmin):
    list_display = ("article", "ticket", "linked_by", "created_at")


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ("name", "slug")
    prepopulated_fields = {"slug": ("name",)}


@admin.register(Tag)
class TagAdmin(admin.ModelAdmin):
    list_display = ("name",)
