"""Django admin for on-call schedules: read-only views of schedules with their layers and
members, overrides, swaps and personal feeds. They are changed on the pages under /oncall/
and through the API, whose services check who may do what, validate time zones, shift
lengths, restriction windows and hand-offs, and write the audit entry; the admin only shows
them."""

from django.contrib import admin

from deskside.core.admin import ReadOnlyAdmin, ReadOnlyInline
from deskside.duty.models import Layer, LayerMember, Override, PersonFeed, Schedule, Swap


class LayerInline(ReadOnlyInline):
    model = Layer
    fields = ["name", "position", "timezone", "starts_at", "ends_at", "shift_length", "shift_unit"]


class LayerMemberInline(ReadOnlyInline):
    model = LayerMember
    show_change_link = False


@admin.register(Schedule)
class ScheduleAdmin(ReadOnlyAdmin):
    list_display = ["name", "slug", "timezone", "team", "created_at"]
    search_fields = ["name", "slug"]
    inlines = [LayerInline]


@admin.register(Layer)
class LayerAdmin(ReadOnlyAdmin):
    list_display = ["name", "schedule", "position", "shift_length", "shift_unit", "starts_at"]
    list_filter = ["schedule"]
    inlines = [LayerMemberInline]


@admin.register(Override)
class OverrideAdmin(ReadOnlyAdmin):
    list_display = ["schedule", "user", "starts_at", "ends_at", "reason", "created_by"]
    list_filter = ["schedule"]
    date_hierarchy = "starts_at"


@admin.register(Swap)
class SwapAdmin(ReadOnlyAdmin):
    list_display = ["schedule", "requester", "partner", "starts_at", "ends_at", "status"]
    list_filter = ["status", "schedule"]


@admin.register(PersonFeed)
class PersonFeedAdmin(ReadOnlyAdmin):
    list_display = ["user", "created_at"]
    exclude = ["token"]
