"""Recurring clusters and problems in the Django admin: read-only. Clusters are the
detection pass's, problems change through their services (history, ticket timelines)."""

from django.contrib import admin

from deskside.core.admin import ReadOnlyAdmin
from deskside.problems.models import (
    Cluster,
    DetectionState,
    Dismissal,
    KnownErrorMatch,
    Problem,
    ProblemChange,
)


@admin.register(Problem)
class ProblemAdmin(ReadOnlyAdmin):
    list_display = ("__str__", "organization", "status", "owner", "updated_at")
    list_filter = ("status",)
    search_fields = ("title",)


@admin.register(ProblemChange)
class ProblemChangeAdmin(ReadOnlyAdmin):
    list_display = ("problem", "action", "actor", "at")


@admin.register(Cluster)
class ClusterAdmin(ReadOnlyAdmin):
    list_display = ("label", "organization", "ticket_type", "size", "detected_at")


@admin.register(Dismissal)
class DismissalAdmin(ReadOnlyAdmin):
    list_display = ("label", "organization", "dismissed_by", "dismissed_at")


@admin.register(KnownErrorMatch)
class KnownErrorMatchAdmin(ReadOnlyAdmin):
    list_display = ("ticket", "problem", "score", "created_at")


@admin.register(DetectionState)
class DetectionStateAdmin(ReadOnlyAdmin):
    list_display = ("__str__", "window_days", "min_size", "threshold", "last_finished_at")
