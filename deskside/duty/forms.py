"""Forms of the on-call pages. They parse and check the shape of input; the rules (who may,
periods, members on the schedule) are the services', whose errors land on the same form.

Times typed into a page are wall-clock times in the agent's own zone (the pages run under it),
except a layer's first hand-off, which is in the layer's zone (the zone its hand-off time and
restrictions are kept in). Restriction windows are typed one per line: "Mon-Fri 18:00-08:00",
"Sat,Sun 00:00-24:00", "Daily 08:00-16:00".
"""

import re
import zoneinfo
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django import forms
from django.utils import timezone

from deskside.accounts.models import Team, User
from deskside.core.forms import DomainErrors
from deskside.core.versioning import VersionFormField
from deskside.duty.models import Layer

DAY_NAMES = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_DAY_INDEX = {name.lower(): i for i, name in enumerate(DAY_NAMES)}
_WINDOW = re.compile(
    r"^\s*(?P<days>[A-Za-z ,\-]+?)\s+(?P<start>\d{1,2}:\d{2})\s*-\s*(?P<end>\d{1,2}:\d{2})\s*$"
)
DATETIME_INPUT = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
DATE_INPUT = forms.DateInput(attrs={"type": "date"})


def zone_choices() -> list[tuple[str, str]]:
    return [(name, name) for name in sorted(zoneinfo.available_timezones())]


def _day(token: str) -> int:
    index = _DAY_INDEX.get(token.strip().lower()[:3])
    if index is None:
        raise ValueError(f"{token.strip()!r} is not a weekday (Mon ... Sun)")
    return index


def parse_days(text: str) -> list[int]:
    """'Mon-Fri', 'Sat,Sun', 'Fri-Mon', 'Daily' -> weekday numbers (Monday = 0)."""
    text = text.strip().lower()
    if text in ("daily", "every day", "all"):
        return list(range(7))
    days: list[int] = []
    for part in text.split(","):
        if "-" in part:
            first, last = (_day(p) for p in part.split("-", 1))
            day = first
            days.append(day)
            while day != last:
                day = (day + 1) % 7
                days.append(day)
        elif part.strip():
            days.append(_day(part))
    return sorted(set(days))


def show_days(days: list[int]) -> str:
    days = sorted(set(days))
    if days == list(range(7)):
        return "Daily"
    runs: list[list[int]] = []
    for day in days:
        if runs and runs[-1][-1] == day - 1:
            runs[-1].append(day)
        else:
            runs.append([day])
    return ",".join(
        DAY_NAMES[r[0]] if len(r) == 1 else f"{DAY_NAMES[r[0]]}-{DAY_NAMES[r[-1]]}" for r in runs
    )


def _padded(text: str) -> str:
    hours, minutes = text.split(":")
    return f"{int(hours):02d}:{minutes}"


def parse_windows(text: str) -> list[dict]:
    windows = []
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        match = _WINDOW.match(line)
        if match is None:
            raise ValueError(f"line {number}: write e.g. 'Mon-Fri 18:00-08:00'")
        try:
            days = parse_days(match["days"])
        except ValueError as exc:
            raise ValueError(f"line {number}: {exc}") from exc
        start, end = (
            f"{int(t.split(':')[0]):02d}:{t.split(':')[1]}" for t in (match["start"], match["end"])
        )
        windows.append({"days": days, "start": start, "end": end})
    return windows


def show_windows(windows: list[dict]) -> str:
    return "\n".join(
        f"{show_days(w.get('days', list(range(7))))} {w['start']}-{w['end']}" for w in windows
    )


def field_for(service_field: str | None, fields: dict[str, Any]) -> str | None:
    if not service_field:
        return None
    head = re.split(r"[.\[]", service_field, maxsplit=1)[0]
    return head if head in fields else None


class ServiceErrors(DomainErrors):
    """A service error lands on the field its name starts with ("layers[0].start" -> "layers")."""

    def service_field(self, field: str | None) -> str | None:
        return field_for(field, self.fields)  # type: ignore[attr-defined]


class ScheduleForm(ServiceErrors, forms.Form):
    name = forms.CharField(max_length=100)
    slug = forms.SlugField(max_length=60, required=False, help_text="Empty: made from the name.")
    timezone = forms.ChoiceField(choices=zone_choices, initial="UTC")
    description = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}))
    team = forms.ModelChoiceField(queryset=Team.objects.all(), required=False)
    version = VersionFormField()


class LayerForm(ServiceErrors, forms.Form):
    version = VersionFormField()
    name = forms.CharField(max_length=100)
    position = forms.IntegerField(
        min_value=0, max_value=1000, initial=0, help_text="Where layers overlap, the highest wins."
    )
    timezone = forms.ChoiceField(
        choices=lambda: [("", "The schedule's zone"), *zone_choices()], required=False
    )
    starts_at = forms.DateTimeField(
        label="First hand-off",
        widget=DATETIME_INPUT,
        help_text="In the layer's zone; later hand-offs keep this wall-clock time.",
    )
    ends_at = forms.DateTimeField(
        label="Ends", required=False, widget=DATETIME_INPUT, help_text="In the layer's zone."
    )
    shift_length = forms.IntegerField(min_value=1, initial=1)
    shift_unit = forms.ChoiceField(choices=Layer.Unit.choices, initial=Layer.Unit.WEEKS)
    members = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Email addresses of agents, one a line, in rotation order.",
    )
    restrictions = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="One window a line, e.g. 'Mon-Fri 18:00-08:00' or 'Sat,Sun 00:00-24:00' "
        "(an end at or before the start is the next day). Empty: around the clock.",
    )

    def __init__(self, *args: Any, schedule_zone: str = "UTC", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.schedule_zone = schedule_zone

    @staticmethod
    def initial_for(layer: Layer) -> dict[str, Any]:
        zone = ZoneInfo(layer.zone)
        return {
            "name": layer.name,
            "position": layer.position,
            "timezone": layer.timezone,
            "starts_at": layer.starts_at.astimezone(zone).replace(tzinfo=None),
            "ends_at": layer.ends_at.astimezone(zone).replace(tzinfo=None)
            if layer.ends_at
            else None,
            "shift_length": layer.shift_length,
            "shift_unit": layer.shift_unit,
            "members": "\n".join(m.user.email for m in layer.members.select_related("user")),
            "restrictions": show_windows(layer.restrictions),
            "version": layer.version,
        }

    def _in_zone(self, value: datetime | None, zone: ZoneInfo) -> datetime | None:
        """The form read the value in the agent's zone; re-read the same wall time in `zone`."""
        if value is None:
            return None
        wall = timezone.localtime(value).replace(tzinfo=None) if value.tzinfo else value
        return wall.replace(tzinfo=zone, fold=0)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        zone = ZoneInfo(cleaned.get("timezone") or self.schedule_zone)
        cleaned["starts_at"] = self._in_zone(cleaned.get("starts_at"), zone)
        cleaned["ends_at"] = self._in_zone(cleaned.get("ends_at"), zone)
        if "members" in cleaned:
            emails = [e.strip().lower() for e in cleaned["members"].split() if e.strip()]
            found = {
                u.email.lower(): u
                for u in User.objects.filter(email__in=emails, kind=User.Kind.AGENT)
            }
            missing = [e for e in emails if e not in found]
            if missing:
                self.add_error("members", f"no agent with the address {', '.join(missing)}")
            cleaned["member_users"] = [found[e] for e in emails if e in found]
        if "restrictions" in cleaned:
            try:
                cleaned["windows"] = parse_windows(cleaned["restrictions"])
            except ValueError as exc:
                self.add_error("restrictions", str(exc))
        return cleaned


class AgentField(forms.ModelChoiceField):
    def label_from_instance(self, obj: User) -> str:
        return str(obj)


class OverrideForm(ServiceErrors, forms.Form):
    user = AgentField(queryset=User.objects.none(), label="Person")
    starts_at = forms.DateTimeField(label="From", widget=DATETIME_INPUT)
    ends_at = forms.DateTimeField(label="Until", widget=DATETIME_INPUT)
    reason = forms.CharField(max_length=200, required=False)

    def __init__(self, *args: Any, agents: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["user"].queryset = agents if agents is not None else User.objects.none()


class SwapForm(ServiceErrors, forms.Form):
    partner = AgentField(queryset=User.objects.none(), help_text="Takes your shifts.")
    starts_at = forms.DateTimeField(label="From", widget=DATETIME_INPUT)
    ends_at = forms.DateTimeField(label="Until", widget=DATETIME_INPUT)
    return_starts_at = forms.DateTimeField(
        label="In return from", required=False, widget=DATETIME_INPUT
    )
    return_ends_at = forms.DateTimeField(
        label="In return until",
        required=False,
        widget=DATETIME_INPUT,
        help_text="Optional: you take the partner's shifts in this period.",
    )
    note = forms.CharField(max_length=200, required=False)

    def __init__(self, *args: Any, members: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["partner"].queryset = members if members is not None else User.objects.none()


class AtForm(forms.Form):
    at = forms.DateTimeField(label="Who is on call at", widget=DATETIME_INPUT, required=False)


class PeriodForm(forms.Form):
    """A report's period: dates in the schedule's zone, both inclusive (at most a year)."""

    start = forms.DateField(required=False, widget=DATE_INPUT, label="From")
    end = forms.DateField(required=False, widget=DATE_INPUT, label="To")

    DEFAULT_DAYS = 28

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        start, end = cleaned.get("start"), cleaned.get("end")
        if start and end:
            if start > end:
                self.add_error("end", "the period ends before it starts")
            elif (end - start).days >= 366:
                self.add_error("end", "the period may be at most a year")
        return cleaned

    def period(self, zone: ZoneInfo, today: date) -> tuple[datetime, datetime]:
        data = self.cleaned_data if self.is_valid() else {}
        end_day = data.get("end") or today
        start_day = data.get("start") or end_day - timedelta(days=self.DEFAULT_DAYS - 1)
        if start_day > end_day or (end_day - start_day).days >= 366:
            start_day, end_day = today - timedelta(days=self.DEFAULT_DAYS - 1), today
        return (
            datetime.combine(start_day, time(), tzinfo=zone),
            datetime.combine(end_day + timedelta(days=1), time(), tzinfo=zone),
        )
