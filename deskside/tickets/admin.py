"""Django admin for tickets: read-only browsing for support staff; the desk works in the agent
pages. Every ticket change must go through `tickets.services` (which writes the timeline event
and the search text), so nothing here adds, changes or deletes a ticket, event or file."""

from django.contrib import admin

from deskside.core.admin import ReadOnlyAdmin, ReadOnlyInline
from deskside.tickets.models import Attachment, IdempotencyKey, Ticket, TicketEvent


class EventInline(ReadOnlyInline):
    model = TicketEvent
    fields = ["created_at", "kind", "actor", "is_public", "body"]
    readonly_fields = fields


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
