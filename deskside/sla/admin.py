"""Django admin for SLA contracts, their targets and business calendars.

Contracts and calendars are configuration, edited here by the MSP's administrators. A change
applies to tickets from their next clock event (creation, priority change, pause, resume);
due times already on tickets are not rewritten in bulk. A calendar's definition is validated
with `CalendarSpec.from_json`, so a broken calendar cannot be saved.
"""

from django import forms
from django.contrib import admin
from django.http import HttpRequest

from deskside.core import clock
from deskside.sla.calendar import CalendarError, CalendarSpec
from deskside.sla.models import Calendar, Contract, SLATarget


class CalendarForm(forms.ModelForm):
    class Meta:
        model = Calendar
        fields = ["name", "definition"]

    def clean_definition(self) -> object:
        definition = self.cleaned_data["definition"]
        try:
            CalendarSpec.from_json(definition)
        except CalendarError as exc:
            raise forms.ValidationError(str(exc)) from exc
        return definition


@admin.register(Calendar)
class CalendarAdmin(admin.ModelAdmin):
    form = CalendarForm
    list_display = ["name", "timezone", "updated_at"]
    search_fields = ["name"]

    def save_model(
        self, request: HttpRequest, obj: Calendar, form: forms.Form, change: bool
    ) -> None:
        obj.updated_at = clock.now()
        super().save_model(request, obj, form, change)


class TargetInline(admin.TabularInline):
    model = SLATarget
    fields = [
        "priority",
        "first_response_minutes",
        "next_response_minutes",
        "resolution_minutes",
        "calendar",
    ]
    extra = 0


@admin.register(Contract)
class ContractAdmin(admin.ModelAdmin):
    list_display = [
        "name",
        "organization",
        "is_default",
        "calendar",
        "warning_percent",
        "on_breach",
    ]
    list_filter = ["is_default", "on_breach"]
    search_fields = ["name", "organization__name"]
    inlines = [TargetInline]
