"""Forms of the roster pages. They parse the shape of input; the rules (who may, cycles,
codes, rest and weekly cap) are the services', whose errors land on the same form.

Times typed on a page are in the agent's own zone (the pages run under it); shift times are
local times of the roster's zone. A rota pattern is typed as codes separated by spaces or
commas, "-" (or nothing between two commas) for a day off: "E E E E E - -".
"""

import re
from typing import Any

from django import forms

from deskside.accounts.models import Team, User
from deskside.core.forms import DomainErrors
from deskside.duty.forms import DATE_INPUT, DATETIME_INPUT, DAY_NAMES, zone_choices
from deskside.rosters.models import Leave
from deskside.rosters.services import PRESET_LABELS

OFF = "-"


def parse_codes(text: str) -> list[str]:
    """ "E E L - N" or "E,E,L,,N" -> ["E", "E", "L", "", "N"]."""
    text = (text or "").strip()
    if not text:
        return []
    parts = text.split(",") if "," in text else re.split(r"\s+", text)
    return ["" if p.strip() in ("", OFF) else p.strip().upper() for p in parts]


def show_codes(pattern: list[str]) -> str:
    return " ".join(code or OFF for code in pattern)


class AgentChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj: User) -> str:
        return str(obj)


class RosterForm(DomainErrors, forms.Form):
    team = forms.ModelChoiceField(queryset=Team.objects.none())
    timezone = forms.ChoiceField(choices=zone_choices, initial="UTC", label="Time zone")
    cycle_start = forms.DateField(
        widget=DATE_INPUT, label="First day of the cycle", help_text="Usually a Monday."
    )
    cycle_days = forms.IntegerField(
        min_value=1,
        max_value=84,
        initial=7,
        label="Cycle length (days)",
        help_text="7: the same every week; 28: a four-week rotating cycle.",
    )
    rest_hours = forms.IntegerField(
        min_value=0, max_value=24, initial=11, label="Rest between shifts (hours)"
    )
    weekly_hours_cap = forms.IntegerField(
        min_value=1, max_value=168, initial=48, label="Weekly hours cap"
    )
    preset = forms.ChoiceField(choices=list(PRESET_LABELS.items()), initial="three", label="Shifts")
    min_staff = forms.IntegerField(
        min_value=0, max_value=100, initial=1, label="Minimum staff per shift"
    )

    def __init__(self, *args: Any, teams: Any = None, editing: bool = False, **kwargs: Any):
        super().__init__(*args, **kwargs)
        if editing:
            for name in ("team", "preset", "min_staff"):
                del self.fields[name]
        else:
            self.fields["team"].queryset = teams if teams is not None else Team.objects.none()


class ShiftForm(DomainErrors, forms.Form):
    code = forms.CharField(max_length=4, help_text="E, L, N ...")
    name = forms.CharField(max_length=60)
    start = forms.CharField(max_length=5, help_text="HH:MM, the roster's zone")
    end = forms.CharField(max_length=5, help_text="At or before the start: ends the next day")
    min_staff = forms.IntegerField(min_value=0, max_value=100, initial=1, label="Minimum staff")
    days = forms.TypedMultipleChoiceField(
        choices=list(enumerate(DAY_NAMES)),
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label="Starts on",
        help_text="None ticked: every day.",
    )


class LineForm(DomainErrors, forms.Form):
    user = AgentChoice(queryset=User.objects.none(), label="Agent")
    pattern = forms.CharField(
        max_length=1000,
        help_text='One code per day of the cycle from its first day, "-" for off: E E E E E - -',
    )

    def __init__(self, *args: Any, agents: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["user"].queryset = agents if agents is not None else User.objects.none()

    def clean_pattern(self) -> list[str]:
        return parse_codes(self.cleaned_data["pattern"])


class GenerateForm(DomainErrors, forms.Form):
    users = forms.ModelMultipleChoiceField(
        queryset=User.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        label="People",
        help_text="In order of name: the first starts on the cycle's first step.",
    )
    cycle = forms.CharField(
        max_length=200, initial="E L N -", help_text='One code per step, "-" for off'
    )
    unit = forms.ChoiceField(choices=[("weeks", "weeks"), ("days", "days")], initial="weeks")
    offset = forms.IntegerField(
        min_value=0, max_value=84, initial=1, help_text="Steps between one person and the next"
    )
    workdays = forms.TypedMultipleChoiceField(
        choices=list(enumerate(DAY_NAMES)),
        coerce=int,
        initial=list(range(7)),
        widget=forms.CheckboxSelectMultiple,
        label="Days worked",
    )

    def __init__(self, *args: Any, agents: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["users"].queryset = agents if agents is not None else User.objects.none()

    def clean_cycle(self) -> list[str]:
        return parse_codes(self.cleaned_data["cycle"])


class LeaveForm(DomainErrors, forms.Form):
    user = AgentChoice(queryset=User.objects.none(), label="Person")
    kind = forms.ChoiceField(choices=Leave.Kind.choices)
    starts_at = forms.DateTimeField(label="From", widget=DATETIME_INPUT)
    ends_at = forms.DateTimeField(label="Until", widget=DATETIME_INPUT)
    reason = forms.CharField(max_length=200)

    def __init__(self, *args: Any, agents: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["user"].queryset = agents if agents is not None else User.objects.none()


class CoverForm(DomainErrors, forms.Form):
    user = AgentChoice(queryset=User.objects.none(), label="Person")
    code = forms.CharField(max_length=4, widget=forms.HiddenInput)
    starts_at = forms.DateTimeField(widget=forms.HiddenInput)
    covers_for = AgentChoice(queryset=User.objects.none(), required=False)
    reason = forms.CharField(max_length=200, required=False)

    def __init__(self, *args: Any, agents: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        agents = agents if agents is not None else User.objects.none()
        self.fields["user"].queryset = agents
        self.fields["covers_for"].queryset = agents


class WeekForm(forms.Form):
    start = forms.DateField(required=False, widget=DATE_INPUT)
