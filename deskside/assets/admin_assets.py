"""The asset registry in the Django admin (imported by `deskside.assets.admin`): read-only.
Assets change through `assets.services.assets` (tenancy, the lifecycle, the asset's timeline
in the same transaction); the admin is for looking."""

from django.contrib import admin

from deskside.assets.models import Asset, AssetEvent, AssetTicket
from deskside.core.admin import ReadOnlyAdmin, ReadOnlyInline


class AssetEventInline(ReadOnlyInline):
    model = AssetEvent
    fields = ("created_at", "kind", "actor", "body", "data")


class AssetTicketInline(ReadOnlyInline):
    model = AssetTicket
    fields = ("ticket", "linked_by", "linked_at")


@admin.register(Asset)
class AssetAdmin(ReadOnlyAdmin):
    list_display = ("asset_tag", "organization", "kind", "make", "model", "serial", "status")
    list_filter = ("status", "kind", "organization")
    search_fields = ("asset_tag", "serial", "name", "public_id")
    list_select_related = ("organization",)
    inlines = (AssetTicketInline, AssetEventInline)


@admin.register(AssetEvent)
class AssetEventAdmin(ReadOnlyAdmin):
    list_display = ("asset", "kind", "actor", "created_at")
    list_filter = ("kind",)
    list_select_related = ("asset", "actor")
