"""Django admin for SLA contracts, their targets and business calendars: read-only.

Contracts and calendars are changed on the SLA pages (/sla/) and through the API, whose
services check the actor's role, validate a calendar's definition, re-time the clocks of the
open tickets a change affects and write the audit entry in the same transaction. Saving the
rows here would skip all of that (a contract edited in the admin would not re-time the
clocks), so the admin only shows them.
"""

from django.contrib import admin

from deskside.core.admin import ReadOnlyAdmin, ReadOnlyInline
from deskside.sla.models import Calendar, Contract, SLATarget


@admin.register(Calendar)
class CalendarAdmin(ReadOnlyAdmin):
    list_display = ["name", "timezone", "updated_at"]
    search_fields = ["name"]


class TargetInline(ReadOnlyInline):
    model = SLATarget
    fields = [
        "priority",
        "first_response_minutes",
        "next_response_minutes",
        "resolution_minutes",
        "calendar",
    ]
    show_change_link = False


@admin.register(Contract)
class ContractAdmin(ReadOnlyAdmin):
    list_display = [
        "name",
        "organization",
        "is_default",
        "calendar",
        "warning_percent",
        "on_breach",
    ]
    list_filter = ["is_default", "on_breach"]
    search_fields = ["name", "organization__name"]
    inlines = [TargetInline]
