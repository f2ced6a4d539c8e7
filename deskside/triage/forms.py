"""Forms of the triage pages: they parse input; the services do the writes."""

from django import forms

from deskside.core.forms import DomainErrors
from deskside.triage.models import FIELDS
from deskside.triage.services import MAX_THRESHOLD, MIN_THRESHOLD


class SettingForm(DomainErrors, forms.Form):
    """A field's auto-apply: on or off, and the confidence it needs."""

    auto_apply = forms.BooleanField(required=False, label="Apply automatically")
    threshold = forms.FloatField(
        min_value=MIN_THRESHOLD,
        max_value=MAX_THRESHOLD,
        initial=0.9,
        label="Confidence at least",
        help_text=f"From {MIN_THRESHOLD} to {MAX_THRESHOLD}.",
        widget=forms.NumberInput(attrs={"step": "0.01"}),
    )


class AcceptForm(forms.Form):
    """One suggestion accepted on a ticket."""

    field = forms.ChoiceField(choices=[(f, f) for f in FIELDS])
    value = forms.CharField(max_length=100)


class SuggestForm(forms.Form):
    """What the intake form holds so far (the suggestion panel's GET)."""

    organization = forms.SlugField(required=False)  # the intake form sends the slug
    subject = forms.CharField(required=False, max_length=250)
    description = forms.CharField(required=False, max_length=20_000)
