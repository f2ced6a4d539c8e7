"""Assignment in the Django admin: read-only; the pages and the API change the rules and the
tickets' skills through the services (who may, the audit entry, the timeline event)."""

from django.contrib import admin

from deskside.assignment.models import AssignmentRule, HandoffMark, RequiredSkill
from deskside.core.admin import ReadOnlyAdmin


@admin.register(AssignmentRule)
class AssignmentRuleAdmin(ReadOnlyAdmin):
    list_display = ("team", "mode", "cap", "last_user", "last_assigned_at")
    list_filter = ("mode",)


@admin.register(RequiredSkill)
class RequiredSkillAdmin(ReadOnlyAdmin):
    list_display = ("ticket", "skill")


@admin.register(HandoffMark)
class HandoffMarkAdmin(ReadOnlyAdmin):
    list_display = ("team", "done_until")
