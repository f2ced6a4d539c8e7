"""Django admin for paging: read-only. Policies with their steps, paging rules and contact
methods are changed on the paging pages and through the API, whose services check the actor's
role, validate and encrypt contact addresses (Apprise URLs hold tokens) and write the audit
entry; escalations and pages are records of what happened, like the timeline. Contact methods
show their service only: the address is encrypted."""

from django.contrib import admin

from deskside.core.admin import ReadOnlyAdmin, ReadOnlyInline
from deskside.paging.models import (
    ContactMethod,
    Escalation,
    EscalationPolicy,
    EscalationStep,
    Page,
    PagingRule,
)


class StepInline(ReadOnlyInline):
    model = EscalationStep


@admin.register(EscalationPolicy)
class PolicyAdmin(ReadOnlyAdmin):
    list_display = ["name", "team", "repeat", "notify_team_lead"]
    inlines = [StepInline]


@admin.register(PagingRule)
class RuleAdmin(ReadOnlyAdmin):
    list_display = ["contract", "policy", "page_p1", "p2", "alert_severity"]


@admin.register(ContactMethod)
class ContactMethodAdmin(ReadOnlyAdmin):
    list_display = ["user", "kind", "scheme", "label", "position", "is_active"]
    fields = ["user", "kind", "scheme", "label", "position", "is_active"]


@admin.register(Escalation)
class EscalationAdmin(ReadOnlyAdmin):
    list_display = ["ticket", "policy", "status", "step", "cycle", "next_at", "started_at"]
    list_filter = ["status"]


@admin.register(Page)
class PageAdmin(ReadOnlyAdmin):
    list_display = ["ticket", "user", "service", "step", "cycle", "status", "sent_at"]
    list_filter = ["status"]
