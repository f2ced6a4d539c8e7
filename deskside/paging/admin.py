"""Django admin for paging: policies with their steps and rules are editable (the paging
pages are the usual place); escalations and pages are read-only records, like the timeline.
Contact methods show their service only: the address is encrypted and holds tokens."""

from django.contrib import admin
from django.http import HttpRequest

from deskside.paging.models import (
    ContactMethod,
    Escalation,
    EscalationPolicy,
    EscalationStep,
    Page,
    PagingRule,
)


class StepInline(admin.TabularInline):
    model = EscalationStep
    extra = 1


@admin.register(EscalationPolicy)
class PolicyAdmin(admin.ModelAdmin):
    list_display = ["name", "team", "repeat", "notify_team_lead"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [StepInline]


@admin.register(PagingRule)
class RuleAdmin(admin.ModelAdmin):
    list_display = ["contract", "policy", "page_p1", "p2", "alert_severity"]


@admin.register(ContactMethod)
class ContactMethodAdmin(admin.ModelAdmin):
    list_display = ["user", "kind", "scheme", "label", "position", "is_active"]
    fields = ["user", "kind", "scheme", "label", "position", "is_active"]
    readonly_fields = ["user", "kind", "scheme"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # the address is validated and encrypted by the paging pages and API


class ReadOnly(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(Escalation)
class EscalationAdmin(ReadOnly):
    list_display = ["ticket", "policy", "status", "step", "cycle", "next_at", "started_at"]
    list_filter = ["status"]


@admin.register(Page)
class PageAdmin(ReadOnly):
    list_display = ["ticket", "user", "service", "step", "cycle", "status", "sent_at"]
    list_filter = ["status"]
