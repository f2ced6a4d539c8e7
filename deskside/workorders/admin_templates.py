"""Admin registrations of work-order templates: read-only (templates are edited on
/workorders/templates/, which makes versions and audits every change)."""

from django.contrib import admin

from deskside.core.admin import ReadOnlyAdmin, ReadOnlyInline
from deskside.workorders.models import TemplateItem, TemplateVersion, WorkOrderTemplate


@admin.register(WorkOrderTemplate)
class WorkOrderTemplateAdmin(ReadOnlyAdmin):
    list_display = ("name", "kind", "is_active", "created_at")
    list_filter = ("kind", "is_active")
    search_fields = ("name",)


class TemplateItemInline(ReadOnlyInline):
    model = TemplateItem
    extra = 0
    fields = ("section", "position", "text", "required", "evidence")
    readonly_fields = fields


@admin.register(TemplateVersion)
class TemplateVersionAdmin(ReadOnlyAdmin):
    list_display = ("template", "number", "created_by", "created_at", "change_note")
    list_select_related = ("template", "created_by")
    inlines = (TemplateItemInline,)
