"""Validation of the review pages' input: the filters, a mark's note, the setting."""

from django import forms

from deskside.core.forms import DomainErrors
from deskside.review.models import MAX_NOTE
from deskside.review.services import MAX_OPEN_DAYS


class MarkForm(DomainErrors, forms.Form):
    note = forms.CharField(required=False, max_length=MAX_NOTE, strip=True, label="Note (optional)")


class SettingsForm(DomainErrors, forms.Form):
    open_days = forms.IntegerField(
        min_value=1, max_value=MAX_OPEN_DAYS, label="List open tickets older than (days)"
    )


class HistoryForm(forms.Form):
    reviewer = forms.CharField(required=False, max_length=16)
