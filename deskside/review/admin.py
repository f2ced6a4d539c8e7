"""Admin: review marks are written by the review service (read-only here); the setting is
changed on the review page or the API, which write an audit entry (read-only here too)."""

from django.contrib import admin

from deskside.core.admin import ReadOnlyAdmin
from deskside.review.models import ReviewMark, ReviewSettings


@admin.register(ReviewMark)
class ReviewMarkAdmin(ReadOnlyAdmin):
    list_display = ["ticket", "day", "reviewer", "at", "note"]
    list_filter = ["day"]
    search_fields = ["note", "reviewer__email"]
    list_select_related = ["ticket", "reviewer"]
    date_hierarchy = "day"


@admin.register(ReviewSettings)
class ReviewSettingsAdmin(ReadOnlyAdmin):
    list_display = ["open_days", "updated_at"]
