"""The forms of the clearance and backfill pages. They parse the input's shape; the rules
(who may, which transition, the shadow visits) are the services', whose errors land on the
same form (`add_service_error`)."""

from django import forms

from deskside.core.forms import DomainErrors
from deskside.field.services.clearance import MAX_NOTE, MAX_SHADOW_VISITS


class ShadowingForm(DomainErrors, forms.Form):
    regular_technician = forms.ModelChoiceField(
        queryset=None,
        required=False,
        label="Regular technician",
        help_text="Cleared at this client: takes the newcomer along on real visits.",
    )
    shadow_visits_required = forms.IntegerField(
        min_value=0, max_value=MAX_SHADOW_VISITS, initial=2, label="Shadow visits required"
    )
    note = forms.CharField(
        required=False, max_length=MAX_NOTE, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, regulars=None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["regular_technician"].queryset = regulars


class SignOffForm(DomainErrors, forms.Form):
    override = forms.BooleanField(
        required=False,
        label="Override: clear before the shadow visits are done (leads only; say why)",
    )
    note = forms.CharField(
        required=False, max_length=MAX_NOTE, widget=forms.Textarea(attrs={"rows": 2})
    )


class RevokeForm(DomainErrors, forms.Form):
    reason = forms.CharField(max_length=MAX_NOTE, widget=forms.Textarea(attrs={"rows": 2}))


class PeriodForm(DomainErrors, forms.Form):
    start = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text="Default: 14 days from the start.",
    )


class ReassignForm(DomainErrors, forms.Form):
    visit = forms.CharField(max_length=16)
    technician = forms.CharField(max_length=16)
    start = forms.DateField(required=False)
    end = forms.DateField(required=False)
