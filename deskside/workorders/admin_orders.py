"""Admin registrations of running work orders: read-only (the work order page and the API
change them through the services, which write the ticket's timeline)."""

from django.contrib import admin

from deskside.core.admin import ReadOnlyAdmin, ReadOnlyInline
from deskside.workorders.models import WorkOrder, WorkOrderItem


class WorkOrderItemInline(ReadOnlyInline):
    model = WorkOrderItem
    extra = 0
    fields = ("section", "position", "text", "required", "evidence", "done_by", "done_at", "note")
    readonly_fields = fields


@admin.register(WorkOrder)
class WorkOrderAdmin(ReadOnlyAdmin):
    list_display = ("public_id", "ticket", "organization", "template_version", "qc_signed_at")
    list_select_related = ("ticket", "organization", "template_version__template")
    list_filter = ("organization",)
    search_fields = ("public_id",)
    inlines = (WorkOrderItemInline,)
