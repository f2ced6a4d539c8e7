"""Field service in the Django admin: read-only. Visits, clearances, plans and time change
through their services (the clearance rule, the ticket's timeline, audit entries); the admin
is for looking, not for writing past those rules."""

from django.contrib import admin

from deskside.core.admin import ReadOnlyAdmin, ReadOnlyInline
from deskside.field.models import (
    BillingRule,
    Clearance,
    ClearanceEvent,
    RoutePlan,
    RouteStop,
    Technician,
    TimeEntry,
    Timesheet,
    Visit,
    VisitChecklistItem,
    VisitPart,
)


@admin.register(Technician)
class TechnicianAdmin(ReadOnlyAdmin):
    list_display = ("user", "base_label", "day_start", "day_end", "is_active")
    list_filter = ("is_active",)


class ChecklistInline(ReadOnlyInline):
    model = VisitChecklistItem


class PartInline(ReadOnlyInline):
    model = VisitPart


@admin.register(Visit)
class VisitAdmin(ReadOnlyAdmin):
    list_display = ("public_id", "ticket", "organization", "status", "technician")
    list_filter = ("status",)
    search_fields = ("public_id", "ticket__subject")
    inlines = [ChecklistInline, PartInline]


class ClearanceEventInline(ReadOnlyInline):
    model = ClearanceEvent


@admin.register(Clearance)
class ClearanceAdmin(ReadOnlyAdmin):
    list_display = ("technician", "organization", "status", "signed_off_by", "signed_off_at")
    list_filter = ("status",)
    inlines = [ClearanceEventInline]


class RouteStopInline(ReadOnlyInline):
    model = RouteStop


@admin.register(RoutePlan)
class RoutePlanAdmin(ReadOnlyAdmin):
    list_display = ("public_id", "day", "status", "total_travel_minutes", "created_by")
    list_filter = ("status",)
    inlines = [RouteStopInline]


@admin.register(BillingRule)
class BillingRuleAdmin(ReadOnlyAdmin):
    list_display = ("contract", "hourly_rate", "currency", "bill_travel", "round_up_to_minutes")


@admin.register(Timesheet)
class TimesheetAdmin(ReadOnlyAdmin):
    list_display = ("agent", "week_start", "status", "decided_by")
    list_filter = ("status",)


@admin.register(TimeEntry)
class TimeEntryAdmin(ReadOnlyAdmin):
    list_display = (
        "agent",
        "kind",
        "ticket",
        "started_at",
        "minutes",
        "billable",
        "rate",
        "currency",
    )
    list_filter = ("kind", "billable")
