"""Admin of remote access: read-only (templates are changed on /assets/remote/templates/ and
the API, through the audited services; sessions are written by starting and ending them)."""

from django.contrib import admin

from deskside.assets.models import RemoteAccessTemplate, RemoteSession
from deskside.core.admin import ReadOnlyAdmin


@admin.register(RemoteAccessTemplate)
class RemoteAccessTemplateAdmin(ReadOnlyAdmin):
    list_display = ("organization", "tool", "url_template", "label", "updated_at")
    list_filter = ("tool",)
    search_fields = ("organization__name", "url_template")


@admin.register(RemoteSession)
class RemoteSessionAdmin(ReadOnlyAdmin):
    list_display = ("public_id", "ticket", "asset", "tool", "agent", "started_at", "ended_at")
    list_filter = ("tool",)
    search_fields = ("public_id", "asset__asset_tag", "agent__email")
    list_select_related = ("ticket", "asset", "agent")
