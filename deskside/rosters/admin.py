"""Django admin for rosters: read-only views of rosters with their shifts and rota lines,
leave, cover and support duty. They are changed on the pages under /rosters/ and
/support-duty/ and through the API, whose services check who may (administrators, the team
lead, the person for their own leave), keep the rest rule and the weekly cap, and write the
audit entry; the admin only shows them."""

from django.contrib import admin

from deskside.core.admin import ReadOnlyAdmin, ReadOnlyInline
from deskside.rosters.models import (
    Cover,
    Leave,
    Roster,
    RotaLine,
    ShiftDefinition,
    SupportDuty,
    SupportDutyMember,
)


class ShiftDefinitionInline(ReadOnlyInline):
    model = ShiftDefinition
    show_change_link = False


class RotaLineInline(ReadOnlyInline):
    model = RotaLine
    show_change_link = False


@admin.register(Roster)
class RosterAdmin(ReadOnlyAdmin):
    list_display = ["team", "timezone", "cycle_start", "cycle_days", "rest_hours"]
    inlines = [ShiftDefinitionInline, RotaLineInline]


@admin.register(Leave)
class LeaveAdmin(ReadOnlyAdmin):
    list_display = ["user", "kind", "starts_at", "ends_at", "reason"]
    list_filter = ["kind"]
    date_hierarchy = "starts_at"


@admin.register(Cover)
class CoverAdmin(ReadOnlyAdmin):
    list_display = ["user", "roster", "code", "starts_at", "covers_for"]


class SupportDutyMemberInline(ReadOnlyInline):
    model = SupportDutyMember
    show_change_link = False


@admin.register(SupportDuty)
class SupportDutyAdmin(ReadOnlyAdmin):
    list_display = ["team", "mode", "period", "handoff_time", "timezone"]
    inlines = [SupportDutyMemberInline]
