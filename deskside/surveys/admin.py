"""Surveys in the Django admin: read-only (the resolution hook writes surveys, answers come
through the signed link, the portal or the API, follow-ups are done on their page)."""

from django.contrib import admin

from deskside.core.admin import ReadOnlyAdmin
from deskside.surveys.models import FollowUp, Survey


@admin.register(Survey)
class SurveyAdmin(ReadOnlyAdmin):
    list_display = ("public_id", "ticket", "organization", "agent", "resolved_at", "rating")
    list_filter = ("rating", "via")
    raw_id_fields = ("ticket", "organization", "requester", "agent", "team")


@admin.register(FollowUp)
class FollowUpAdmin(ReadOnlyAdmin):
    list_display = ("public_id", "ticket", "organization", "lead", "created_at", "done_at")
    raw_id_fields = ("survey", "ticket", "organization", "team", "lead", "done_by")
