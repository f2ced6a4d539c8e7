"""Webhooks in the Django admin: read-only. Changes go through the webhook pages and the API,
whose services check the actor's role and scope, cancel queued deliveries when the scope
changes and keep the delivery log (a webhook is archived, never deleted)."""

from django.contrib import admin
from django.db import models
from django.http import HttpRequest

from deskside.webhooks.models import Delivery, Webhook


class ReadOnlyAdmin(admin.ModelAdmin):
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


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
