"""The forms of the visit pages: parse and check the shape of what was typed; the services
decide the rest (their errors come back on these forms as field errors,
`core.forms.add_domain_error`).

Times typed on the agent pages are in the agent's own time zone (the pages run under it, as
every agent page does) and stored in UTC.
"""

from django import forms

from deskside.accounts.models import Site, Skill, User
from deskside.field.exceptions import InvalidInput
from deskside.field.models import VisitStatus
from deskside.field.services.scheduling import MAX_DURATION_MINUTES
from deskside.field.services.visits import signature_png

DATETIME_INPUT = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


class RequestVisitForm(forms.Form):
    """ "Request a visit" on the ticket page."""

    site = forms.ModelChoiceField(queryset=Site.objects.none(), empty_label=None)
    window_start = forms.DateTimeField(label="Window from", widget=DATETIME_INPUT)
    window_end = forms.DateTimeField(label="Window to", widget=DATETIME_INPUT)
    duration_minutes = forms.IntegerField(
        label="Duration (minutes)", min_value=1, max_value=MAX_DURATION_MINUTES, initial=60
    )
    skills = forms.ModelMultipleChoiceField(
        queryset=Skill.objects.all(), required=False, widget=forms.CheckboxSelectMultiple
    )
    instructions = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False)

    def __init__(self, *args, organization_id: int, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["site"].queryset = Site.objects.filter(organization_id=organization_id)

    def clean(self):
        data = super().clean()
        start, end = data.get("window_start"), data.get("window_end")
        if start and end and end < start:
            self.add_error("window_end", "the window ends before it starts")
        return data


class ScheduleForm(forms.Form):
    technician = forms.ModelChoiceField(queryset=User.objects.none())
    second = forms.ModelChoiceField(
        label="Second technician", queryset=User.objects.none(), required=False
    )
    shadowing = forms.BooleanField(label="The second is shadowing", required=False)
    start = forms.DateTimeField(widget=DATETIME_INPUT)

    def __init__(self, *args, technicians, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["technician"].queryset = technicians
        self.fields["second"].queryset = technicians


class ChecklistItemForm(forms.Form):
    text = forms.CharField(label="Checklist item", max_length=300)
    required = forms.BooleanField(required=False, initial=True)


class PartForm(forms.Form):
    description = forms.CharField(label="Part", max_length=200)
    part_number = forms.CharField(max_length=100, required=False)
    serial = forms.CharField(max_length=100, required=False)
    quantity = forms.IntegerField(min_value=1, max_value=999, initial=1)


class CheckOutForm(forms.Form):
    outcome = forms.ChoiceField(
        choices=[
            (VisitStatus.DONE.value, VisitStatus.DONE.label),
            (VisitStatus.NO_ACCESS.value, VisitStatus.NO_ACCESS.label),
            (VisitStatus.NEEDS_ANOTHER.value, VisitStatus.NEEDS_ANOTHER.label),
        ]
    )
    summary = forms.CharField(
        label="Work summary (the customer reads it)",
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
    )
    note = forms.CharField(
        label="Note (why no access; what is left)",
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
    )
    # A checklist error from the service names `checklist`: shown on the form.
    checklist = forms.CharField(required=False, widget=forms.HiddenInput)


class CancelForm(forms.Form):
    reason = forms.CharField(max_length=500)


class SignatureForm(forms.Form):
    """A typed name and a drawn signature (a PNG data URL written by field/signature.js)."""

    name = forms.CharField(label="Your name", max_length=200)
    signature = forms.CharField(widget=forms.HiddenInput, required=False)

    def clean_signature(self) -> bytes:
        try:
            return signature_png(self.cleaned_data.get("signature", ""))
        except InvalidInput as exc:
            raise forms.ValidationError(exc.message) from None
