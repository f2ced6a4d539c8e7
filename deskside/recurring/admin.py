"""Recurring schedules in the Django admin: read-only. Schedules change through their services
(validation of the rule, the audit entry, the next run recomputed) and occurrences are the
worker pass's record: the admin is for looking."""

from django.contrib import admin

from deskside.core.admin import ReadOnlyAdmin, ReadOnlyInline
from deskside.recurring.models import Occurrence, Schedule


class OccurrenceInline(ReadOnlyInline):
    model = Occurrence
    fields = ("occurs_at", "status", "ticket", "created_at")
    readonly_fields = fields
    ordering = ("-occurs_at",)
    show_change_link = False


@admin.register(Schedule)
class ScheduleAdmin(ReadOnlyAdmin):
    list_display = ("name", "organization", "rule", "timezone", "is_active", "next_run_at")
    list_filter = ("is_active", "missed_policy", "organization")
    search_fields = ("name", "subject", "public_id")
    list_select_related = ("organization",)
    inlines = [OccurrenceInline]


@admin.register(Occurrence)
class OccurrenceAdmin(ReadOnlyAdmin):
    list_display = ("schedule", "occurs_at", "status", "ticket")
    list_filter = ("status",)
    list_select_related = ("schedule", "ticket")
    raw_id_fields = ("schedule", "ticket")
