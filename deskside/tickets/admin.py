"""Django admin for tickets: read-only browsing for support staff; the desk works in the agent
pages. Every ticket change must go through `tickets.services` (which writes the timeline event
and the search text), so nothing here adds, changes or deletes a ticket, event or file."""

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from deskside.tickets.models import Attachment, IdempotencyKey, Ticket, TicketEvent


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class EventInline(admin.TabularInline):
    model = TicketEvent
    fields = ["created_at", "kind", "actor", "is_public", "body"]
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Ticket)
class TicketAdmin(ReadOnlyAdmin):
    list_display = ["__str__", "organization", "priority", "status", "tier", "assignee"]
    list_filter = ["status", "priority", "tier", "type", "channel", "organization"]
    list_select_related = ["organization", "assignee"]
    search_fields = ["subject"]
    show_full_result_count = False  # no COUNT(*) over a million tickets
    inlines = [EventInline]


@admin.register(TicketEvent)
class TicketEventAdmin(ReadOnlyAdmin):
    list_display = ["ticket", "kind", "actor", "is_public", "created_at"]
    list_filter = ["kind", "is_public"]
    list_select_related = ["ticket", "actor"]
    show_full_result_count = False


@admin.register(Attachment)
class AttachmentAdmin(ReadOnlyAdmin):
    list_display = ["filename", "ticket", "content_type", "size", "is_public", "created_at"]
    list_select_related = ["ticket"]
    search_fields = ["filename", "public_id"]


@admin.register(IdempotencyKey)
class IdempotencyKeyAdmin(ReadOnlyAdmin):
    list_display = ["key", "user", "ticket", "created_at"]
    list_select_related = ["user", "ticket"]
