"""The reports' filters (the page's GET form, also parsed by the API): date range in the
viewer's zone, client, team, priority; for the volume report the bucket and the dimension."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django import forms

from deskside.accounts.models import Organization, Team, User
from deskside.accounts.queries import organizations_visible_to
from deskside.core import clock
from deskside.reports.scope import BUCKETS, Scope
from deskside.tickets.models import Priority

MAX_DAYS = 3 * 366
DIMENSION_CHOICES = [
    ("channel", "Channel"),
    ("priority", "Priority"),
    ("type", "Type"),
    ("client", "Client"),
]


def default_range(zone: ZoneInfo) -> tuple[date, date]:
    """The last 30 local days, today included."""
    today = clock.now().astimezone(zone).date()
    return today - timedelta(days=29), today


class ReportFilterForm(forms.Form):
    from_ = forms.DateField(
        label="From", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    to = forms.DateField(label="To", required=False, widget=forms.DateInput(attrs={"type": "date"}))
    client = forms.ModelChoiceField(
        queryset=Organization.objects.none(),
        to_field_name="slug",
        required=False,
        empty_label="All clients",
    )
    team = forms.ModelChoiceField(
        queryset=Team.objects.all(), to_field_name="slug", required=False, empty_label="Any team"
    )
    priority = forms.ChoiceField(
        choices=[("", "Any priority"), *[(p.label, p.label) for p in Priority]], required=False
    )
    bucket = forms.ChoiceField(
        choices=[(b, b.capitalize()) for b in BUCKETS], required=False, label="Per"
    )
    by = forms.ChoiceField(choices=DIMENSION_CHOICES, required=False, label="Split by")

    def __init__(self, data: Any, *, user: User, zone: ZoneInfo) -> None:
        data = data.copy()
        if "from" in data:  # the URL says from=, a Python name cannot
            data["from_"] = data.get("from")
        super().__init__(data)
        self.zone = zone
        self.fields["client"].queryset = organizations_visible_to(user)
        start, end = default_range(zone)
        self.fields["from_"].initial, self.fields["to"].initial = start, end

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = default_range(self.zone)
        data["from_"] = data.get("from_") or start
        data["to"] = data.get("to") or end
        if data["from_"] > data["to"]:
            self.add_error("to", "The last day is before the first.")
        elif (data["to"] - data["from_"]).days > MAX_DAYS:
            self.add_error("from_", f"A range is at most {MAX_DAYS} days.")
        return data

    def scope(self) -> Scope:
        """The valid filters as a Scope (call after is_valid())."""
        d = self.cleaned_data
        return Scope(
            start=d["from_"],
            end=d["to"],
            zone=self.zone,
            organization=d.get("client"),
            team=d.get("team"),
            priority=int(Priority.from_label(d["priority"])) if d.get("priority") else None,
            bucket=d.get("bucket") or "week",
            by=d.get("by") or "channel",
        )

    def errors_text(self) -> str:
        return "; ".join(
            f"{'from' if name == 'from_' else name}: {' '.join(errs)}"
            for name, errs in self.errors.items()
        )

    def error_field(self) -> str | None:
        name = next(iter(self.errors), None)
        return "from" if name == "from_" else name


class MonthlySettingForm(forms.Form):
    enabled = forms.BooleanField(required=False, label="Mail the monthly report")
    day_of_month = forms.IntegerField(min_value=1, max_value=28, initial=1, label="On day")
