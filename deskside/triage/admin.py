"""Triage in the Django admin: read-only; the /triage/ page and the API change the settings
(audited) and the worker writes the models and jobs."""

from django.contrib import admin

from deskside.core.admin import ReadOnlyAdmin
from deskside.triage.models import FieldSetting, Job, Schedule, TriageModel


@admin.register(TriageModel)
class TriageModelAdmin(ReadOnlyAdmin):
    list_display = ("version", "state", "trained_at", "history", "size", "seconds")
    list_filter = ("state",)
    exclude = ("blob",)


@admin.register(FieldSetting)
class FieldSettingAdmin(ReadOnlyAdmin):
    list_display = ("field", "auto_apply", "threshold", "updated_at")


@admin.register(Schedule)
class ScheduleAdmin(ReadOnlyAdmin):
    list_display = ("next_run_at", "requested_by", "requested_at")


@admin.register(Job)
class JobAdmin(ReadOnlyAdmin):
    list_display = ("ticket", "created_at", "done_at")
