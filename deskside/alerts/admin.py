"""Django admin for the alerts app: read-only views of integrations, alerts and maintenance
windows. Integrations and windows are created and changed on the alert pages or through the
API, whose services check the actor's role and scope and write the audit entry (a token is
made and shown once there); alerts are written only by the intake, never by hand."""

from django.contrib import admin

from deskside.alerts.models import Alert, Integration, MaintenanceWindow
from deskside.core.admin import ReadOnlyAdmin


@admin.register(Integration)
class IntegrationAdmin(ReadOnlyAdmin):
    list_display = ["name", "kind", "organization", "token_prefix", "is_active", "last_event_at"]
    list_filter = ["kind", "is_active"]
    search_fields = ["name", "public_id"]


@admin.register(Alert)
class AlertAdmin(ReadOnlyAdmin):
    list_display = ["summary", "organization", "integration", "status", "severity", "occurrences"]
    list_filter = ["status", "severity"]
    search_fields = ["summary", "dedup_key", "public_id"]
    raw_id_fields = ["ticket", "storm_ticket", "maintenance_window"]


@admin.register(MaintenanceWindow)
class MaintenanceWindowAdmin(ReadOnlyAdmin):
    list_display = ["organization", "starts_at", "ends_at", "reason"]
    search_fields = ["reason", "organization__name"]
