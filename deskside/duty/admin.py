"""Django admin for on-call schedules: schedules with their layers and members inline,
overrides, swaps and personal feeds. The pages under /oncall/ are the everyday tools; these
are for inspection and repair. The admin forms run the services' validators (time zones,
shift lengths, restriction windows, a first hand-off that exists in the layer's zone), so a
typo here cannot break every on-call computation; who-may-do-what is the admin's own."""

from django import forms
from django.contrib import admin

from deskside.duty.exceptions import DutyError
from deskside.duty.models import Layer, LayerMember, Override, PersonFeed, Schedule, Swap
from deskside.duty.oncall import loadable_zone
from deskside.duty.services import (
    validate_local_time,
    validate_restrictions,
    validate_shift,
    validate_timezone,
)


def _error(exc: DutyError) -> forms.ValidationError:
    if exc.field and "[" in exc.field:  # a part of a restriction window
        return forms.ValidationError(f"{exc.field}: {exc.message}")
    return forms.ValidationError(exc.message)


class ScheduleAdminForm(forms.ModelForm):
    class Meta:
        model = Schedule
        fields = ["name", "slug", "timezone", "description", "team", "feed_token", "created_at"]

    def clean_timezone(self) -> str:
        try:
            return validate_timezone(self.cleaned_data.get("timezone") or "")
        except DutyError as exc:
            raise _error(exc) from exc


class LayerAdminForm(forms.ModelForm):
    class Meta:
        model = Layer
        fields = [
            "schedule",
            "name",
            "position",
            "timezone",
            "starts_at",
            "ends_at",
            "shift_length",
            "shift_unit",
            "restrictions",
        ]

    def clean_timezone(self) -> str:
        value = (self.cleaned_data.get("timezone") or "").strip()
        if not value:
            return ""  # the schedule's
        try:
            return validate_timezone(value)
        except DutyError as exc:
            raise _error(exc) from exc

    def clean_restrictions(self) -> list:
        try:
            return validate_restrictions(self.cleaned_data["restrictions"])
        except DutyError as exc:
            raise _error(exc) from exc

    def _schedule_zone(self) -> str:
        schedule = self.cleaned_data.get("schedule")
        if schedule is None and self.instance.schedule_id:
            schedule = self.instance.schedule
        return schedule.timezone if schedule is not None else "UTC"

    def clean(self) -> dict:
        cleaned = super().clean()
        length, unit = cleaned.get("shift_length"), cleaned.get("shift_unit")
        if length is not None and unit:
            try:
                validate_shift(length, unit)
            except DutyError as exc:
                self.add_error(exc.field, _error(exc))
        if "timezone" in cleaned:
            zone = loadable_zone(cleaned["timezone"], self._schedule_zone())
            for key in ("starts_at", "ends_at"):
                if cleaned.get(key) is not None:
                    try:
                        validate_local_time(cleaned[key], zone, key)
                    except DutyError as exc:
                        self.add_error(key, _error(exc))
        return cleaned


class LayerInline(admin.TabularInline):
    model = Layer
    form = LayerAdminForm
    extra = 0
    fields = ["name", "position", "timezone", "starts_at", "ends_at", "shift_length", "shift_unit"]
    show_change_link = True


class LayerMemberInline(admin.TabularInline):
    model = LayerMember
    extra = 0
    autocomplete_fields = ["user"]


@admin.register(Schedule)
class ScheduleAdmin(admin.ModelAdmin):
    form = ScheduleAdminForm
    list_display = ["name", "slug", "timezone", "team", "created_at"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}
    readonly_fields = ["public_id"]
    inlines = [LayerInline]


@admin.register(Layer)
class LayerAdmin(admin.ModelAdmin):
    form = LayerAdminForm
    list_display = ["name", "schedule", "position", "shift_length", "shift_unit", "starts_at"]
    list_filter = ["schedule"]
    inlines = [LayerMemberInline]


@admin.register(Override)
class OverrideAdmin(admin.ModelAdmin):
    list_display = ["schedule", "user", "starts_at", "ends_at", "reason", "created_by"]
    list_filter = ["schedule"]
    autocomplete_fields = ["user"]
    raw_id_fields = ["created_by"]
    date_hierarchy = "starts_at"


@admin.register(Swap)
class SwapAdmin(admin.ModelAdmin):
    list_display = ["schedule", "requester", "partner", "starts_at", "ends_at", "status"]
    list_filter = ["status", "schedule"]
    raw_id_fields = ["requester", "partner", "decided_by"]


@admin.register(PersonFeed)
class PersonFeedAdmin(admin.ModelAdmin):
    list_display = ["user", "created_at"]
    raw_id_fields = ["user"]
    exclude = ["token"]
