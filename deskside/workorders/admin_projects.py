"""Projects in the Django admin: read-only (a project and its children are made by
`services.projects`, in one transaction with their tickets; the admin is for looking)."""

from django.contrib import admin

from deskside.core.admin import ReadOnlyAdmin
from deskside.workorders.models import Project


@admin.register(Project)
class ProjectAdmin(ReadOnlyAdmin):
    list_display = ("title", "organization", "ticket", "template_version", "created_at")
    list_filter = ("organization",)
    search_fields = ("title", "public_id")
    list_select_related = ("organization", "ticket", "template_version__template")
