"""The forms of the time pages (deskside/field/views/time.py): they parse and check the shape of
the input; the rules are the services' (`field.services.time`), whose refusals the views put
back on the form (`DomainErrors`)."""

from datetime import date, timedelta

from django import forms

from deskside.core.forms import DomainErrors
from deskside.field.models import TimeKind
from deskside.field.services import time as services

KIND_CHOICES = TimeKind.choices


class TimerForm(DomainErrors, forms.Form):
    """Start a timer: on a ticket (by number) and maybe one of its visits."""

    ticket = forms.CharField(
        max_length=20, required=False, help_text="T-10423; leave empty for training."
    )
    visit = forms.ChoiceField(required=False, choices=[("", "No visit")])
    kind = forms.ChoiceField(choices=KIND_CHOICES, initial=TimeKind.WORK)
    note = forms.CharField(max_length=services.MAX_NOTE, required=False)

    def __init__(self, *args, visits=(), fixed_ticket: bool = False, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["visit"].choices = [("", "No visit")] + [
            (v.public_id, f"{v.scheduled_start or v.window_start:%d %b %H:%M} {v.site.name}")
            for v in visits
        ]
        if fixed_ticket:
            del self.fields["ticket"]
        if not visits:
            del self.fields["visit"]


class LogForm(TimerForm):
    """Log a duration on a date."""

    date = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))
    start = forms.TimeField(
        required=False,
        widget=forms.TimeInput(attrs={"type": "time"}),
        help_text="Optional; 09:00 when empty.",
    )
    minutes = forms.IntegerField(min_value=1, max_value=services.MAX_MINUTES)


class EntryForm(DomainErrors, forms.Form):
    """Change a finished entry."""

    kind = forms.ChoiceField(choices=KIND_CHOICES)
    date = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))
    start = forms.TimeField(widget=forms.TimeInput(attrs={"type": "time"}))
    minutes = forms.IntegerField(min_value=1, max_value=services.MAX_MINUTES)
    note = forms.CharField(max_length=services.MAX_NOTE, required=False)


class ReturnForm(DomainErrors, forms.Form):
    note = forms.CharField(
        max_length=services.MAX_RETURN_NOTE,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="What the agent is to change.",
    )


class ReportForm(forms.Form):
    """The billable report's filters: a date range (default: last month), a client, and
    whether weeks not approved yet count (default: approved only)."""

    start = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))
    client = forms.ChoiceField(required=False)
    scope = forms.ChoiceField(
        choices=[("approved", "Approved weeks only"), ("all", "All weeks")],
        required=False,
        initial="approved",
    )

    def __init__(self, *args, clients=(), **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["client"].choices = [("", "All clients")] + [(c.slug, c.name) for c in clients]

    def clean(self) -> dict:
        data = super().clean()
        start, end = data.get("start"), data.get("end")
        for name, value in (("start", start), ("end", end)):
            if value and not date(1900, 1, 1) <= value <= date(9000, 12, 31):
                self.add_error(name, "Give a date from 1900 to 9000.")
                return data
        if start and end:
            if end < start:
                self.add_error("end", "The end is before the start.")
            elif (end - start).days >= 366:
                self.add_error("end", "A report covers at most 366 days.")
        return data

    @staticmethod
    def defaults(today: date) -> dict[str, str]:
        """Last month, whole."""
        first = today.replace(day=1)
        last_month_end = first - timedelta(days=1)
        return {
            "start": last_month_end.replace(day=1).isoformat(),
            "end": last_month_end.isoformat(),
            "scope": "approved",
        }


class RuleForm(DomainErrors, forms.Form):
    hourly_rate = forms.DecimalField(min_value=0, max_digits=10, decimal_places=2)
    currency = forms.CharField(min_length=3, max_length=3, initial="USD")
    bill_travel = forms.BooleanField(required=False, help_text="Bill travel time too.")
    round_up_to_minutes = forms.IntegerField(
        min_value=1,
        max_value=240,
        initial=15,
        help_text="Each billable entry is rounded up to a multiple of this (1: none).",
    )
