"""Admin of vendor cases: read-only (the ticket panel and the API write them through
`assets.services.rma`, with their timeline events)."""

from django.contrib import admin

from deskside.assets.models import VendorCase, VendorCaseEntry
from deskside.core.admin import ReadOnlyAdmin, ReadOnlyInline


class VendorCaseEntryInline(ReadOnlyInline):
    model = VendorCaseEntry
    fields = ("kind", "what", "tracking", "happened_at", "recorded_by")


@admin.register(VendorCase)
class VendorCaseAdmin(ReadOnlyAdmin):
    list_display = (
        "vendor",
        "case_number",
        "organization",
        "ticket",
        "asset",
        "status",
        "last_contact_at",
        "remind_at",
    )
    list_filter = ("status", "vendor")
    search_fields = ("vendor", "case_number", "asset__asset_tag")
    list_select_related = ("organization", "ticket", "asset")
    inlines = [VendorCaseEntryInline]
