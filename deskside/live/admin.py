from django.contrib import admin

from deskside.core.admin import ReadOnlyAdmin
from deskside.live.models import Presence


@admin.register(Presence)
class PresenceAdmin(ReadOnlyAdmin):
    list_display = ("ticket", "user", "state", "seen_at")
    list_select_related = ("ticket", "user")
