"""The forms of the technician's day (`views.day`): each checks the shape of its input; the
services check the rest and their refusals land on the same form
(`deskside.core.forms.add_domain_error`)."""

from django import forms

from deskside.field.exceptions import InvalidInput
from deskside.field.models import VisitStatus
from deskside.field.services.visits import MAX_DATA_URL_CHARS, signature_png


class FinishForm(forms.Form):
    """Check out: the outcome, what was done (public on the ticket), a note (why no access;
    what the next visit is to do)."""

    outcome = forms.ChoiceField(
        choices=[
            (VisitStatus.DONE.value, "Done"),
            (VisitStatus.NEEDS_ANOTHER.value, "Needs another visit"),
            (VisitStatus.NO_ACCESS.value, "No access"),
        ],
        initial=VisitStatus.DONE.value,
    )
    summary = forms.CharField(
        required=False,
        max_length=5000,
        label="Work summary",
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="The customer reads it on their ticket.",
    )
    note = forms.CharField(
        required=False,
        max_length=5000,
        label="Note",
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Why there was no access, or what the next visit is to do.",
    )


class NoAccessForm(forms.Form):
    """Nobody opened the door (before check-in)."""

    note = forms.CharField(
        max_length=5000, label="Why no access", widget=forms.Textarea(attrs={"rows": 2})
    )


class PartForm(forms.Form):
    description = forms.CharField(max_length=200, label="Part")
    part_number = forms.CharField(max_length=100, required=False, label="Part number")
    serial = forms.CharField(max_length=100, required=False, label="Serial")
    quantity = forms.IntegerField(min_value=1, max_value=999, initial=1, label="Quantity")


class SignForm(forms.Form):
    """The customer's typed name and the signature drawn on the canvas (day.js puts the
    canvas's PNG data URL in `signature`)."""

    name = forms.CharField(max_length=200, label="Customer's name")
    signature = forms.CharField(
        max_length=MAX_DATA_URL_CHARS,
        widget=forms.HiddenInput,
        error_messages={"required": "draw the signature in the box"},
    )

    def clean_signature(self) -> bytes:
        try:
            return signature_png(self.cleaned_data["signature"])
        except InvalidInput as exc:
            raise forms.ValidationError(exc.message) from None


class ChecklistItemForm(forms.Form):
    text = forms.CharField(max_length=300, label="New step")
