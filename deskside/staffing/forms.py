"""The calculator's form (a GET form: the page, the heat map and the CSV read the same query)."""

from __future__ import annotations

from datetime import date, timedelta

from django import forms
from django.http import QueryDict

from deskside.accounts.models import Team, User
from deskside.core import clock
from deskside.staffing.calculator import MAX_RANGE_DAYS, Request
from deskside.staffing.queries import teams_for
from deskside.tickets.models import Channel

DEFAULT_WEEKS = 12


def default_range(today: date) -> tuple[date, date]:
    """The twelve weeks up to yesterday: 84 whole days, each weekday twelve times."""
    end = today - timedelta(days=1)
    return end - timedelta(weeks=DEFAULT_WEEKS) + timedelta(days=1), end


class StaffingForm(forms.Form):
    """Team, date range, channels and targets. An administrator may leave the team empty (the
    whole desk); a team lead chooses one of the teams they lead."""

    team = forms.ModelChoiceField(
        queryset=Team.objects.none(), required=False, to_field_name="slug", empty_label="Whole desk"
    )
    start = forms.DateField(label="From", widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(label="To", widget=forms.DateInput(attrs={"type": "date"}))
    channels = forms.MultipleChoiceField(
        choices=Channel.choices, required=False, widget=forms.CheckboxSelectMultiple
    )
    service_level = forms.IntegerField(
        label="Service level (%)", min_value=1, max_value=99, initial=80
    )
    target_seconds = forms.IntegerField(
        label="answered within (s)", min_value=0, max_value=86_400, initial=20
    )
    max_occupancy = forms.IntegerField(
        label="Max occupancy (%)", min_value=1, max_value=100, initial=85
    )
    shrinkage = forms.IntegerField(label="Shrinkage (%)", min_value=0, max_value=90, initial=25)

    def __init__(self, data: dict | None, *, user: User) -> None:
        start, end = default_range(clock.now().date())
        initial = {"start": start, "end": end, "channels": list(Channel.values)}
        super().__init__(data, initial=initial)
        field = self.fields["team"]
        field.queryset = teams_for(user)  # type: ignore[attr-defined]
        if not user.is_staff:
            field.required = True
            field.empty_label = None  # type: ignore[attr-defined]

    def clean(self) -> dict:
        data = super().clean()
        start, end = data.get("start"), data.get("end")
        if start and end:
            if end < start:
                self.add_error("end", "The range ends before it starts.")
            elif (end - start).days + 1 > MAX_RANGE_DAYS:
                self.add_error("end", f"At most {MAX_RANGE_DAYS} days.")
        return data

    def to_request(self) -> Request:
        data = self.cleaned_data
        return Request(
            team=data["team"],
            start=data["start"],
            end=data["end"],
            channels=tuple(data["channels"] or Channel.values),
            target_seconds=float(data["target_seconds"]),
            service_level=data["service_level"] / 100,
            max_occupancy=data["max_occupancy"] / 100,
            shrinkage=data["shrinkage"] / 100,
        )


def bound(query: QueryDict, user: User) -> StaffingForm:
    """The form of a request's query over the defaults, so the page opens with a result (the
    whole desk or the lead's first team, the twelve weeks up to yesterday, every channel,
    80/20, 85 % occupancy, 25 % shrinkage). No channel ticked means every channel."""
    start, end = default_range(clock.now().date())
    first = teams_for(user).first()
    merged = QueryDict(mutable=True)
    merged.update(
        {
            "team": "" if user.is_staff or first is None else first.slug,
            "start": start.isoformat(),
            "end": end.isoformat(),
            "service_level": "80",
            "target_seconds": "20",
            "max_occupancy": "85",
            "shrinkage": "25",
        }
    )
    for key in query:
        merged.setlist(key, query.getlist(key))
    return StaffingForm(merged, user=user)
