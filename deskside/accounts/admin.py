"""Django admin for the directory. Organisations, sites, teams, skills, users and API tokens
are managed here (with `deskside createuser` and `deskside token`) until their own pages exist.
The sign-in security policy is changed on its page (/account/security/), whose service checks
the actor's role and writes the audit entry: read-only here."""

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from deskside.accounts import mfa
from deskside.accounts.models import (
    ApiToken,
    Organization,
    SecurityPolicy,
    Site,
    Skill,
    Team,
    User,
)
from deskside.core.admin import ReadOnlyAdmin


@admin.register(Organization)
class OrganizationAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "timezone", "is_msp"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(Site)
class SiteAdmin(admin.ModelAdmin):
    list_display = ["name", "organization", "timezone"]
    list_filter = ["organization"]
    search_fields = ["name", "address"]


@admin.register(Team)
class TeamAdmin(admin.ModelAdmin):
    list_display = ["name", "tier", "lead"]
    prepopulated_fields = {"slug": ["name"]}


admin.site.register(Skill)


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    ordering = ["email"]
    list_display = ["email", "full_name", "kind", "tier", "organization", "is_active"]
    list_filter = ["kind", "tier", "organization", "is_active"]
    search_fields = ["email", "full_name"]
    fieldsets = [
        (None, {"fields": ["email", "password", "full_name", "phone", "timezone"]}),
        (
            "Role",
            {
                "fields": [
                    "kind",
                    "tier",
                    "organization",
                    "site",
                    "is_org_admin",
                    "teams",
                    "skills",
                    "served_organizations",
                ]
            },
        ),
        ("Permissions", {"fields": ["is_active", "is_staff", "is_superuser"]}),
    ]
    add_fieldsets = [(None, {"fields": ["email", "password1", "password2", "kind"]})]
    filter_horizontal = ["teams", "skills", "served_organizations"]
    actions = ["reset_second_factor"]

    @admin.action(description="Reset two-factor sign-in (lost device)")
    def reset_second_factor(self, request, queryset):
        for user in queryset:
            mfa.reset_devices(user)
        self.message_user(request, f"Two-factor sign-in reset for {queryset.count()} user(s).")


@admin.register(SecurityPolicy)
class SecurityPolicyAdmin(ReadOnlyAdmin):
    list_display = ["__str__", "require_agent_mfa", "updated_at", "updated_by"]


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ["prefix", "user", "name", "created_at", "last_used_at", "revoked_at"]
    readonly_fields = ["prefix", "token_hash"]
