"""The surveys pages' input: the report's filters, an answer, a follow-up's note."""

from datetime import date, timedelta
from typing import Any

from django import forms

from deskside.accounts.models import Organization, Team, User
from deskside.accounts.queries import organizations_visible_to
from deskside.core import clock
from deskside.surveys.models import MAX_COMMENT, Rating
from deskside.surveys.report import GROUPS

MAX_DAYS = 3 * 366


class ReportForm(forms.Form):
    """The report's filters (a GET form): period in the viewer's days, grouping, narrowing."""

    start = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))
    by = forms.ChoiceField(
        label="Per", choices=[(g, g.capitalize()) for g in GROUPS], initial="client"
    )
    client = forms.ModelChoiceField(
        queryset=Organization.objects.none(),
        required=False,
        to_field_name="slug",
        empty_label="All clients",
    )
    team = forms.ModelChoiceField(
        queryset=Team.objects.all(), required=False, to_field_name="slug", empty_label="All teams"
    )
    agent = forms.ModelChoiceField(
        queryset=User.objects.filter(kind=User.Kind.AGENT),
        required=False,
        to_field_name="public_id",
        empty_label="All agents",
    )
    rating = forms.ChoiceField(choices=[("", "Any"), *Rating.choices], required=False)

    def __init__(self, data: Any, user: User, today: date) -> None:
        values = data.copy()
        values.setdefault("end", today.isoformat())
        values.setdefault("start", (today - timedelta(days=29)).isoformat())
        values.setdefault("by", "client")
        # "none": the report's row of surveys without a team or agent (the counts' links)
        self.none_of = {name for name in ("client", "team", "agent") if values.get(name) == "none"}
        for name in self.none_of:
            values.pop(name)
        super().__init__(values)
        self.fields["client"].queryset = organizations_visible_to(user)  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("start"), data.get("end")
        if start and end:
            if end < start:
                self.add_error("end", "The end is before the start.")
            elif (end - start).days > MAX_DAYS:
                self.add_error("start", "Choose at most three years.")
        return data


def local_today(tz: Any) -> date:
    return clock.now().astimezone(tz).date()


class AnswerForm(forms.Form):
    rating = forms.ChoiceField(choices=Rating.choices, widget=forms.RadioSelect)
    comment = forms.CharField(
        label="Anything to add? (optional)",
        required=False,
        max_length=MAX_COMMENT,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class FollowUpForm(forms.Form):
    note = forms.CharField(
        label="What was done",
        max_length=MAX_COMMENT,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
