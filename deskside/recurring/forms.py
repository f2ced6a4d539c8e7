"""The forms of the schedule pages. They parse the input's shape; the rules (the rule's
validity, who may be the requester, a site of the client ...) are the services', whose errors
land on the same form (`add_service_error`)."""

from datetime import datetime

from django import forms

from deskside.accounts.models import Team, User
from deskside.accounts.queries import agents, organizations_visible_to, sites_visible_to
from deskside.core.forms import DomainErrors
from deskside.recurring import queries
from deskside.recurring.models import MissedPolicy, Schedule
from deskside.recurring.rules import wall_clock
from deskside.recurring.services import MAX_NAME, MAX_SUBJECT
from deskside.tickets.models import Priority

LOCAL_FORMATS = ("%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S")


def parse_local(text: str) -> datetime | None:
    """A local date and time as typed (naive: it is a wall-clock time in the schedule's zone,
    never read in the viewer's zone), or None when it is not one."""
    for fmt in LOCAL_FORMATS:
        try:
            return datetime.strptime(text.strip(), fmt)  # noqa: DTZ007 - a wall-clock time
        except ValueError:
            continue
    return None


class LocalDateTimeField(forms.CharField):
    widget = forms.TextInput(attrs={"type": "datetime-local"})

    def clean(self, value: str) -> datetime | None:  # type: ignore[override]
        text = super().clean(value)
        if not text:
            return None
        parsed = parse_local(text)
        if parsed is None:
            raise forms.ValidationError("Enter a date and time (YYYY-MM-DD HH:MM).")
        return parsed


class PreviewForm(DomainErrors, forms.Form):
    """The timing fields alone: what the preview needs."""

    organization = forms.ModelChoiceField(queryset=None, label="Client")
    rule = forms.CharField(
        max_length=500,
        label="Recurrence rule (RRULE)",
        help_text="E.g. FREQ=MONTHLY;BYDAY=+2TU;BYHOUR=22;BYMINUTE=0 (second Tuesday, 22:00); "
        "FREQ=MONTHLY;INTERVAL=3 (quarterly). At most hourly.",
    )
    starts_at_local = LocalDateTimeField(
        label="First occurrence (local date and time)",
        help_text="In the schedule's time zone; later occurrences keep its wall-clock time.",
    )
    timezone = forms.CharField(
        required=False, max_length=64, label="Time zone", help_text="Default: the client's."
    )

    def __init__(self, *args, user: User, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["organization"].queryset = organizations_visible_to(user).order_by("name")


class ScheduleForm(PreviewForm):
    name = forms.CharField(max_length=MAX_NAME)
    missed_policy = forms.ChoiceField(
        choices=MissedPolicy.choices,
        initial=MissedPolicy.CATCH_UP_ONCE,
        label="Occurrences missed while no worker ran",
        help_text="Catch up once: the latest opens a ticket, the earlier are skipped. Skip: an "
        "occurrence more than an hour late is skipped.",
    )
    subject = forms.CharField(max_length=MAX_SUBJECT, label="Ticket subject")
    description = forms.CharField(
        required=False, widget=forms.Textarea(attrs={"rows": 3}), label="Ticket description"
    )
    priority = forms.TypedChoiceField(
        choices=Priority.choices, coerce=int, initial=Priority.OPS, label="Priority"
    )
    requester = forms.CharField(
        max_length=254,
        label="Requester (e-mail)",
        help_text="A contact of the client, or an agent.",
    )
    site = forms.ModelChoiceField(queryset=None, required=False)
    team = forms.ModelChoiceField(queryset=Team.objects.order_by("name"), required=False)
    assignee = forms.ModelChoiceField(queryset=None, required=False)
    checklist = forms.ModelChoiceField(
        queryset=None,
        required=False,
        label="Checklist (work order template)",
        help_text="Each ticket then carries the template's checklist and its QC gate.",
    )

    field_order = ["organization", "name", "rule", "starts_at_local", "timezone"]

    def __init__(self, *args, user: User, schedule: Schedule | None = None, **kwargs) -> None:
        super().__init__(*args, user=user, **kwargs)
        self.fields["site"].queryset = sites_visible_to(user).order_by("organization__name", "name")
        self.fields["site"].label_from_instance = lambda s: f"{s.organization.name} · {s.name}"
        self.fields["assignee"].queryset = agents().order_by("full_name")
        self.fields["checklist"].queryset = queries.checklists()
        if schedule is not None:  # the client of a schedule never changes
            self.fields["organization"].disabled = True

    def clean_requester(self) -> User:
        text = self.cleaned_data["requester"]
        person = queries.person_for(text)
        if person is None:
            raise forms.ValidationError(f"No person with the address {text}.")
        return person

    def schedule_fields(self) -> dict:
        """The cleaned values as `ScheduleData` fields (without the client)."""
        data = dict(self.cleaned_data)
        data.pop("organization", None)
        data["timezone"] = data.get("timezone") or self.cleaned_data["organization"].timezone
        return data


def initial_of(schedule: Schedule) -> dict:
    """A schedule's values as the form's initial data."""
    return {
        "organization": schedule.organization,
        "name": schedule.name,
        "rule": schedule.rule,
        "starts_at_local": wall_clock(schedule.starts_at_local).strftime("%Y-%m-%dT%H:%M"),
        "timezone": schedule.timezone,
        "missed_policy": schedule.missed_policy,
        "subject": schedule.subject,
        "description": schedule.description,
        "priority": schedule.priority,
        "requester": schedule.requester.email,
        "site": schedule.site,
        "team": schedule.team,
        "assignee": schedule.assignee,
        "checklist": schedule.checklist,
    }
