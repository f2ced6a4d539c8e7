"""The forms of the project pages: the project and its file (checked by the services, whose
errors come back as field errors), the file sent back from the preview, the bulk scheduling
form and "Resolve project". Times typed here are in the agent's own time zone, as on every
agent page; the daily hours are each site's local hours."""

import secrets

from django import forms

from deskside.accounts.models import Organization, User
from deskside.workorders import project_csv
from deskside.workorders.models import WorkOrderTemplate
from deskside.workorders.services.project_visits import MAX_DAYS

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
TIME_INPUT = forms.TimeInput(attrs={"type": "time"}, format="%H:%M")
DATETIME_INPUT = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


class ProjectForm(forms.Form):
    """The project: client, template, title, the requesting contact, an optional default site
    and description, and (on the first page) the CSV file."""

    organization = forms.ModelChoiceField(
        label="Client", queryset=Organization.objects.none(), empty_label=None
    )
    template = forms.ModelChoiceField(
        queryset=WorkOrderTemplate.objects.none(),
        empty_label=None,
        help_text="Its current version is pinned for every work order of the project.",
    )
    title = forms.CharField(max_length=250, help_text="E.g. “Move 40 desks to floor 4”.")
    requester = forms.EmailField(
        label="Requester's email",
        help_text="A contact of the client: the project ticket's requester, and each row's "
        "when its user cell is empty.",
    )
    site = forms.CharField(
        label="Default site",
        max_length=200,
        required=False,
        help_text="A site name of the client, for rows without a site and a user without one.",
    )
    description = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False)
    file = forms.FileField(
        label="CSV file",
        required=False,
        help_text=f"UTF-8, with a header row; at most {project_csv.MAX_ROWS:,} rows.",
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,text/csv"}),
    )

    def __init__(self, *args, clients, templates, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["organization"].queryset = clients
        self.fields["template"].queryset = templates


class ApplyForm(forms.Form):
    """The checked file sent back (base64) with its name and the submit's idempotency key: a
    second press of "Create project" finds the first project."""

    data = forms.CharField(widget=forms.HiddenInput)
    name = forms.CharField(widget=forms.HiddenInput, required=False, max_length=255)
    key = forms.CharField(widget=forms.HiddenInput, max_length=64)

    @staticmethod
    def new_key() -> str:
        return secrets.token_urlsafe(24)


class ScheduleForm(forms.Form):
    """ "Schedule as visits": the children chosen (none: every open child without a visit),
    the window, the duration, and a technician (none: the dispatch queue)."""

    first_day = forms.DateField(widget=DATE_INPUT)
    last_day = forms.DateField(widget=DATE_INPUT, help_text=f"At most {MAX_DAYS} days.")
    day_start = forms.TimeField(label="Daily from", widget=TIME_INPUT, initial="09:00")
    day_end = forms.TimeField(label="Daily to", widget=TIME_INPUT, initial="17:00")
    duration_minutes = forms.IntegerField(
        label="Minutes per visit", min_value=1, max_value=720, initial=60
    )
    technician = forms.ModelChoiceField(
        queryset=User.objects.none(),
        required=False,
        empty_label="Nobody: leave them in the dispatch queue",
    )
    start = forms.DateTimeField(
        label="First visit at",
        widget=DATETIME_INPUT,
        required=False,
        help_text="With a technician: back to back from here (default: the first day's start).",
    )
    work_orders = forms.MultipleChoiceField(required=False, widget=forms.MultipleHiddenInput)

    def __init__(self, *args, technicians, children, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["technician"].queryset = technicians
        self.fields["work_orders"].choices = [(c, c) for c in children]


class ResolveForm(forms.Form):
    resolution = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}), max_length=10000, label="Resolution"
    )
