"""Webhooks in the Django admin: read-only. Changes go through the webhook pages and the API,
whose services check the actor's role and scope, cancel queued deliveries when the scope
changes and keep the delivery log (a webhook is archived, never deleted)."""

from django.contrib import admin

from deskside.core.admin import ReadOnlyAdmin
from deskside.webhooks.models import Delivery, Webhook


@admin.register(Webhook)
class WebhookAdmin(ReadOnlyAdmin):
    list_display = ("name", "url", "organization", "team", "is_active", "deleted_at")
    list_filter = ("is_active",)
    search_fields = ("name", "url", "public_id")
    exclude = ("secret_encrypted",)


@admin.register(Delivery)
class DeliveryAdmin(ReadOnlyAdmin):
    list_display = ("public_id", "webhook", "event", "status", "attempts", "last_status_code")
    list_filter = ("status", "event")
    search_fields = ("public_id",)
    raw_id_fields = ("webhook", "ticket_event", "redelivery_of")
