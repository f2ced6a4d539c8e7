from django.contrib import admin

from deskside.rosters.models import (
    Cover,
    Leave,
    Roster,
    RotaLine,
    ShiftDefinition,
    SupportDuty,
    SupportDutyMember,
)


class ShiftDefinitionInline(admin.TabularInline):
    model = ShiftDefinition
    extra = 0


class RotaLineInline(admin.TabularInline):
    model = RotaLine
    extra = 0
    raw_id_fields = ["user"]


@admin.register(Roster)
class RosterAdmin(admin.ModelAdmin):
    list_display = ["team", "timezone", "cycle_start", "cycle_days", "rest_hours"]
    inlines = [ShiftDefinitionInline, RotaLineInline]


@admin.register(Leave)
class LeaveAdmin(admin.ModelAdmin):
    list_display = ["user", "kind", "starts_at", "ends_at", "reason"]
    list_filter = ["kind"]
    raw_id_fields = ["user", "created_by"]


@admin.register(Cover)
class CoverAdmin(admin.ModelAdmin):
    list_display = ["user", "roster", "code", "starts_at", "covers_for"]
    raw_id_fields = ["user", "covers_for", "created_by"]


class SupportDutyMemberInline(admin.TabularInline):
    model = SupportDutyMember
    extra = 0
    raw_id_fields = ["user"]


@admin.register(SupportDuty)
class SupportDutyAdmin(admin.ModelAdmin):
    list_display = ["team", "mode", "period", "handoff_time", "timezone"]
    inlines = [SupportDutyMemberInline]
