"""Forms of the SLA pages. They parse what an agent typed into the shapes the services take
(a calendar's JSON definition, a contract's targets); the services check it again and do the
writes. A service error naming a field lands on the form field of that input."""

import re
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django import forms
from django.core.files.uploadedfile import UploadedFile

from deskside.accounts.models import Organization, Team, User
from deskside.accounts.queries import organizations_visible_to
from deskside.core.forms import DomainErrors
from deskside.core.versioning import VersionFormField
from deskside.sla.calendar import WEEKDAYS, CalendarError, CalendarSpec
from deskside.sla.exceptions import SlaError
from deskside.sla.models import Calendar, Contract
from deskside.sla.services import (
    MAX_IMPORT_BYTES,
    MAX_TARGET_MINUTES,
    TARGET_KINDS,
    TargetTerms,
    calendar_error_field,
)
from deskside.tickets.models import Priority

WEEKDAY_LABELS = dict(
    zip(
        WEEKDAYS,
        ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"),
        strict=True,
    )
)
KIND_LABELS = {
    "first_response": "First response",
    "next_response": "Next response",
    "resolution": "Resolution",
}
_PERIOD = re.compile(r"^(\d{1,2}:\d{2})\s*(?:-|–|to)\s*(\d{1,2}:\d{2})$")
_EXTRA_LINE = re.compile(r"^(\S+)\s*(.*)$")
PERIODS_HELP = 'Working periods, e.g. "08:00-12:00, 13:00-17:00"; empty = closed.'


def parse_periods(text: str) -> list[list[str]]:
    """ "08:00-12:00, 13:00-17:00" -> [["08:00", "12:00"], ["13:00", "17:00"]]."""
    periods = []
    for part in re.split(r"[,;]", text):
        part = part.strip()
        if not part:
            continue
        match = _PERIOD.match(part)
        if match is None:
            raise forms.ValidationError(
                f"{part!r} is not a period; write periods as 08:00-12:00, 13:00-17:00"
            )
        periods.append([match.group(1), match.group(2)])
    return periods


def show_periods(periods: list[list[str]]) -> str:
    return ", ".join(f"{a}-{b}" for a, b in periods)


def _lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


def form_field_for(service_field: str | None, fields: dict[str, Any]) -> str | None:
    """The calendar form field a service's field name is about (None: the whole form)."""
    if not service_field:
        return None
    path = service_field.removeprefix("definition.")
    if path.startswith("weekly."):
        day = path[len("weekly.") :][:3]
        return day if day in WEEKDAYS else None
    head = re.match(r"[a-z_]+", path)
    name = head.group(0) if head else ""
    if name == "timezone":
        return "timezone"
    return name if name in fields and name != "definition" else None


class CalendarForm(DomainErrors, forms.Form):
    """A business calendar as a person writes it; `definition` is its JSON form once valid."""

    version = VersionFormField()
    name = forms.CharField(max_length=100)
    timezone = forms.CharField(
        max_length=64, initial="UTC", help_text="An IANA time zone, e.g. Europe/Berlin."
    )
    always_open = forms.BooleanField(
        required=False, label="Open 24x7", help_text="Every hour of every day is working time."
    )
    mon = forms.CharField(required=False, label="Monday", help_text=PERIODS_HELP)
    tue = forms.CharField(required=False, label="Tuesday")
    wed = forms.CharField(required=False, label="Wednesday")
    thu = forms.CharField(required=False, label="Thursday")
    fri = forms.CharField(required=False, label="Friday")
    sat = forms.CharField(required=False, label="Saturday")
    sun = forms.CharField(required=False, label="Sunday")
    holiday_country = forms.CharField(
        required=False,
        max_length=3,
        label="Public holidays of",
        help_text='Country code, e.g. "US", "DE", "AU"; empty = none.',
    )
    holiday_subdivision = forms.CharField(
        required=False,
        max_length=10,
        label="Region",
        help_text='State or region code, e.g. "HH" for Hamburg, "NSW".',
    )
    holidays = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        label="Other closed days",
        help_text="One date per line, YYYY-MM-DD.",
    )
    extra_working_days = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        label="Extra working days",
        help_text='One date per line, optionally with its periods: "2026-12-24 08:00-12:00".',
    )

    definition: dict[str, Any]

    @classmethod
    def initial_for(cls, calendar: Calendar) -> dict[str, Any]:
        """The form's values for a stored calendar."""
        data = calendar.spec.to_json()
        initial: dict[str, Any] = {
            "version": calendar.version,
            "name": calendar.name,
            "timezone": data["timezone"],
            "always_open": bool(data.get("24x7")),
            "holiday_country": data.get("holiday_country", ""),
            "holiday_subdivision": data.get("holiday_subdivision", ""),
            "holidays": "\n".join(data["holidays"]),  # type: ignore[arg-type]
        }
        for day in WEEKDAYS:
            initial[day] = show_periods(data["weekly"][day])  # type: ignore[index]
        extra = data.get("extra_working_days", {})
        initial["extra_working_days"] = "\n".join(
            f"{d} {show_periods(p)}".strip()
            for d, p in extra.items()  # type: ignore[union-attr]
        )
        return initial

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        if self.errors:
            return cleaned
        weekly: dict[str, list[list[str]]] = {}
        for day in WEEKDAYS:
            try:
                weekly[day] = parse_periods(cleaned.get(day, ""))
            except forms.ValidationError as error:
                self.add_error(day, error)
        extra: dict[str, list[list[str]]] = {}
        with_periods = False
        for line in _lines(cleaned.get("extra_working_days", "")):
            match = _EXTRA_LINE.match(line)
            day, rest = (match.group(1), match.group(2)) if match else (line, "")
            try:
                extra[day] = parse_periods(rest)
            except forms.ValidationError as error:
                self.add_error("extra_working_days", error)
            with_periods = with_periods or bool(extra.get(day))
        if self.errors:
            return cleaned
        definition: dict[str, Any] = {
            "timezone": cleaned["timezone"].strip(),
            "weekly": weekly,
            "holidays": _lines(cleaned.get("holidays", "")),
        }
        if cleaned.get("always_open"):
            definition["24x7"] = True
        if cleaned.get("holiday_country"):
            definition["holiday_country"] = cleaned["holiday_country"].strip()
        if cleaned.get("holiday_subdivision"):
            definition["holiday_subdivision"] = cleaned["holiday_subdivision"].strip()
        if extra:
            if with_periods:
                # A date without periods works the hours of the first working weekday.
                default = next((p for p in weekly.values() if p), [["09:00", "17:00"]])
                definition["extra_working_days"] = {d: p or default for d, p in extra.items()}
            else:
                definition["extra_working_days"] = list(extra)
        try:
            CalendarSpec.from_json(definition)
        except CalendarError as error:
            self.add_service_error(SlaError(str(error), calendar_error_field(str(error))))
            return cleaned
        self.definition = definition
        return cleaned

    def service_field(self, field: str | None) -> str | None:
        return form_field_for(field, self.fields)


class CalendarImportForm(DomainErrors, forms.Form):
    """A calendar's JSON, uploaded as a file or pasted."""

    name = forms.CharField(
        required=False,
        max_length=100,
        help_text='Empty: the file\'s own "name", if it has one.',
    )
    file = forms.FileField(required=False, label="JSON file")
    text = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 10, "spellcheck": "false"}),
        label="… or paste the JSON",
    )
    replace = forms.BooleanField(
        required=False, label="Replace the calendar of the same name if there is one"
    )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        upload: UploadedFile | None = cleaned.get("file")
        if upload is not None:
            if upload.size and upload.size > MAX_IMPORT_BYTES:
                self.add_error("file", f"the file is larger than {MAX_IMPORT_BYTES // 1024} KB")
                return cleaned
            cleaned["json"] = upload.read()
        elif cleaned.get("text", "").strip():
            cleaned["json"] = cleaned["text"]
        elif not self.errors:
            self.add_error("file", "choose a JSON file or paste the calendar's JSON")
        return cleaned

    def service_field(self, field: str | None) -> str | None:
        if field == "name":
            return "name"
        return "file" if self.cleaned_data.get("file") is not None else "text"


class TeamChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Team) -> str:
        return f"{obj.name} ({obj.tier})"


def target_field(priority: Priority, kind: str) -> str:
    return f"{priority.label}_{kind}_minutes"


class ContractForm(DomainErrors, forms.Form):
    """A contract and its targets per priority; `targets()` gives them to the services."""

    version = VersionFormField()
    name = forms.CharField(max_length=200)
    organization = forms.ModelChoiceField(
        queryset=Organization.objects.none(),
        to_field_name="slug",
        required=False,
        label="Client",
        empty_label="— none (the default contract) —",
    )
    is_default = forms.BooleanField(
        required=False,
        label="Default contract",
        help_text="Serves every client without a contract of its own.",
    )
    calendar = forms.ModelChoiceField(
        queryset=Calendar.objects.order_by("name"),
        to_field_name="public_id",
        help_text="The working time the targets count in.",
    )
    warning_percent = forms.IntegerField(
        min_value=1,
        max_value=99,
        initial=75,
        label="Warn at (% of a target used)",
    )
    on_breach = forms.ChoiceField(choices=Contract.OnBreach.choices, label="On breach")
    breach_team = TeamChoiceField(
        queryset=Team.objects.order_by("tier", "name"),
        to_field_name="slug",
        required=False,
        label="Breach team",
        help_text="Where breached tickets go when the rule is to reassign.",
    )

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["organization"].queryset = organizations_visible_to(user).order_by("name")
        calendars = Calendar.objects.order_by("name")
        for priority in Priority:
            for kind in TARGET_KINDS:
                self.fields[target_field(priority, kind)] = forms.IntegerField(
                    required=False,
                    min_value=1,
                    max_value=MAX_TARGET_MINUTES,
                    label=f"{priority.label} {KIND_LABELS[kind].lower()} (minutes)",
                    widget=forms.NumberInput(attrs={"class": "minutes"}),
                )
            self.fields[f"{priority.label}_calendar"] = forms.ModelChoiceField(
                queryset=calendars,
                to_field_name="public_id",
                required=False,
                label=f"{priority.label} calendar",
                empty_label="contract's calendar",
            )

    @classmethod
    def initial_for(cls, contract: Contract) -> dict[str, Any]:
        initial: dict[str, Any] = {
            "version": contract.version,
            "name": contract.name,
            "organization": contract.organization.slug if contract.organization else "",
            "is_default": contract.is_default,
            "calendar": contract.calendar.public_id,
            "warning_percent": contract.warning_percent,
            "on_breach": contract.on_breach,
            "breach_team": contract.breach_team.slug if contract.breach_team else "",
        }
        for target in contract.targets.select_related("calendar"):
            priority = Priority(target.priority)
            for kind in TARGET_KINDS:
                initial[target_field(priority, kind)] = getattr(target, f"{kind}_minutes")
            initial[f"{priority.label}_calendar"] = (
                target.calendar.public_id if target.calendar else ""
            )
        return initial

    def target_rows(self) -> list[tuple[str, list[forms.BoundField], forms.BoundField]]:
        """For the template: per priority, its minute fields and its calendar field."""
        return [
            (
                p.label,
                [self[target_field(p, kind)] for kind in TARGET_KINDS],
                self[f"{p.label}_calendar"],
            )
            for p in Priority
        ]

    def targets(self) -> list[TargetTerms]:
        """The targets filled in; a priority left blank has none (no SLA for that priority)."""
        data = self.cleaned_data
        terms = []
        for priority in Priority:
            minutes = [data.get(target_field(priority, kind)) for kind in TARGET_KINDS]
            calendar = data.get(f"{priority.label}_calendar")
            if any(m is not None for m in minutes) or calendar is not None:
                terms.append(TargetTerms(priority, *minutes, calendar=calendar))
        return terms

    def values(self) -> dict[str, Any]:
        """The contract's own fields, as the services take them."""
        data = self.cleaned_data
        return {
            "name": data["name"],
            "organization": data["organization"],
            "is_default": data["is_default"],
            "calendar": data["calendar"],
            "warning_percent": data["warning_percent"],
            "on_breach": data["on_breach"],
            "breach_team": data["breach_team"],
        }

    def service_field(self, field: str | None) -> str | None:
        field = field or ""
        if field.startswith("targets."):
            parts = field.split(".")
            if len(parts) >= 3 and parts[2] == "calendar":
                field = f"{parts[1]}_calendar"
            elif len(parts) >= 3:
                field = f"{parts[1]}_{parts[2]}"
            elif len(parts) == 2 and parts[1] != "priority":
                field = f"{parts[1]}_first_response_minutes"
        return field


class ReportPeriodForm(forms.Form):
    """The report's period: dates in the client's time zone, both inclusive."""

    since = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))
    until = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))

    DEFAULT_DAYS = 30

    def period(self, zone: ZoneInfo, now: datetime) -> tuple[datetime, datetime]:
        """[since, until) as instants: from the first date's midnight to the end of the last;
        without dates, the last 30 days up to now."""
        data = self.cleaned_data if self.is_valid() else {}
        until_day: date | None = data.get("until")
        since_day: date | None = data.get("since")
        until = (
            datetime.combine(until_day + timedelta(days=1), time(), tzinfo=zone)
            if until_day
            else now
        )
        since = (
            datetime.combine(since_day, time(), tzinfo=zone)
            if since_day
            else until - timedelta(days=self.DEFAULT_DAYS)
        )
        return since, until

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        since, until = cleaned.get("since"), cleaned.get("until")
        if since and until and since > until:
            self.add_error("since", "the period starts after it ends")
        return cleaned
