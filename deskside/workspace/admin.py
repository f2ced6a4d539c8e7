"""Saved views in the Django admin: read-only; the pages and the API change them through the
services (who may manage which view, the audit of shared ones)."""

from django.contrib import admin

from deskside.core.admin import ReadOnlyAdmin
from deskside.workspace.models import SavedView


@admin.register(SavedView)
class SavedViewAdmin(ReadOnlyAdmin):
    list_display = ("name", "owner", "team", "is_default", "position")
    list_filter = ("is_default",)
    search_fields = ("name", "public_id")
