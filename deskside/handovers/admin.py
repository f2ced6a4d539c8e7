"""Handovers in the Django admin: the set-up (settings, checklist items) is edited through the
services' rules elsewhere, so every model is read-only here; the outbox shows stuck notices."""

from django.contrib import admin

from deskside.core.admin import ReadOnlyAdmin
from deskside.handovers.models import (
    ChecklistItem,
    Feedback,
    Handover,
    HandoverSettings,
    Notice,
    Reminder,
    TicketNote,
)


@admin.register(Handover)
class HandoverAdmin(ReadOnlyAdmin):
    list_display = (
        "team",
        "ending",
        "starting",
        "at",
        "status",
        "signed_off_by",
        "acknowledged_by",
    )
    list_filter = ("status", "team")
    search_fields = ("notes", "public_id")
    date_hierarchy = "at"


@admin.register(ChecklistItem)
class ChecklistItemAdmin(ReadOnlyAdmin):
    list_display = ("team", "phase", "text", "required", "is_active")
    list_filter = ("team", "phase")


@admin.register(HandoverSettings)
class HandoverSettingsAdmin(ReadOnlyAdmin):
    list_display = ("team", "remind_incoming_after", "remind_lead_after")


@admin.register(Reminder)
class ReminderAdmin(ReadOnlyAdmin):
    list_display = ("handover", "stage", "due_at", "state", "sent_at")
    list_filter = ("state", "stage")


@admin.register(Notice)
class NoticeAdmin(ReadOnlyAdmin):
    list_display = ("handover", "recipient", "reason", "channel", "state", "created_at", "sent_at")
    list_filter = ("state", "reason")


@admin.register(TicketNote)
class TicketNoteAdmin(ReadOnlyAdmin):
    list_display = ("handover", "ticket", "author", "created_at")


@admin.register(Feedback)
class FeedbackAdmin(ReadOnlyAdmin):
    list_display = ("handover", "author", "created_at")
