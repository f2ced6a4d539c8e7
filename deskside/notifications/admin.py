"""Notifications in the Django admin: read-only (the fanout writes them; people mark their
own read in the notification centre)."""

from django.contrib import admin

from deskside.core.admin import ReadOnlyAdmin
from deskside.notifications.models import Notification, NotificationMail, NotificationPreference


@admin.register(Notification)
class NotificationAdmin(ReadOnlyAdmin):
    list_display = ("id", "recipient", "kind", "title", "created_at", "read_at")
    list_filter = ("kind",)
    raw_id_fields = ("recipient", "ticket", "event", "actor")


@admin.register(NotificationPreference)
class NotificationPreferenceAdmin(ReadOnlyAdmin):
    list_display = ("user", "kind", "channel", "updated_at")
    raw_id_fields = ("user",)


@admin.register(NotificationMail)
class NotificationMailAdmin(ReadOnlyAdmin):
    list_display = ("id", "recipient", "kind", "subject", "state", "created_at", "sent_at")
    list_filter = ("state", "kind")
    raw_id_fields = ("recipient", "ticket")
