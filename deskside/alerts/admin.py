"""Django admin for the alerts app: read-mostly views of integrations, alerts and maintenance
windows. Integrations and windows are created on the alert pages or through the API (a token
is made and shown there); alerts are written only by the intake, never by hand."""

from django.contrib import admin
from django.http import HttpRequest

from deskside.alerts.models import Alert, Integration, MaintenanceWindow


@admin.register(Integration)
class IntegrationAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "organization", "token_prefix", "is_active", "last_event_at"]
    list_filter = ["kind", "is_active"]
    search_fields = ["name", "public_id"]
    readonly_fields = ["public_id", "token_hash", "token_prefix", "service_user", "created_by"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # the token is made and shown once on the alert pages


@admin.register(Alert)
class AlertAdmin(admin.ModelAdmin):
    list_display = ["summary", "organization", "integration", "status", "severity", "occurrences"]
    list_filter = ["status", "severity"]
    search_fields = ["summary", "dedup_key", "public_id"]
    raw_id_fields = ["ticket", "storm_ticket", "maintenance_window"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(MaintenanceWindow)
class MaintenanceWindowAdmin(admin.ModelAdmin):
    list_display = ["organization", "starts_at", "ends_at", "reason"]
    search_fields = ["reason", "organization__name"]
