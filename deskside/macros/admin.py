"""Macros in the Django admin: read-only. Changes go through the macro pages and the API,
whose services check who manages which macro and write the audit entry."""

from django.contrib import admin

from deskside.core.admin import ReadOnlyAdmin
from deskside.macros.models import Macro


@admin.register(Macro)
class MacroAdmin(ReadOnlyAdmin):
    list_display = ("name", "team", "reply_kind", "is_active", "usage_count", "last_used_at")
    list_filter = ("is_active", "reply_kind")
    search_fields = ("name", "public_id")
