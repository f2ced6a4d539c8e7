"""Disposal batches in the Django admin: read-only (a batch is immutable once recorded, and it
is recorded only through `assets.services.disposal`, which disposes of its assets with it)."""

from django.contrib import admin

from deskside.assets.models import DisposalBatch
from deskside.core.admin import ReadOnlyAdmin


@admin.register(DisposalBatch)
class DisposalBatchAdmin(ReadOnlyAdmin):
    list_display = (
        "handed_over_on",
        "organization",
        "company",
        "certificate_number",
        "method",
        "created_by",
    )
    list_filter = ("method", "organization")
    search_fields = ("company", "certificate_number", "public_id")
    date_hierarchy = "handed_over_on"
