"""The forms of the ticket's vendor-case panel. They parse the input's shape; the rules (who
may, a closed case, the dates) are the services' (`assets.services.rma`), whose errors land
on the same form."""

from django import forms

from deskside.assets.models import VendorEntryKind
from deskside.assets.services.rma import MAX_QUIET_DAYS, WHAT_MAX
from deskside.core.forms import DomainErrors


class CaseForm(DomainErrors, forms.Form):
    vendor = forms.CharField(max_length=200, help_text="Dell, Lenovo, HP ...")
    case_number = forms.CharField(max_length=100, label="Vendor's case number")
    asset = forms.ChoiceField(required=False, label="Asset")
    asset_tag = forms.CharField(
        required=False, max_length=60, label="Or another asset of the client (its tag)"
    )
    quiet_days = forms.IntegerField(
        min_value=1, max_value=MAX_QUIET_DAYS, label="Remind after quiet days"
    )

    def __init__(self, *args, assets=(), **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["asset"].choices = [("", "No asset")] + [(a.public_id, str(a)) for a in assets]

    def service_field(self, field: str | None) -> str | None:
        return field


class EntryForm(DomainErrors, forms.Form):
    kind = forms.ChoiceField(choices=VendorEntryKind.choices)
    what = forms.CharField(
        max_length=WHAT_MAX,
        label="What was shipped or received; what the vendor said",
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    tracking = forms.CharField(required=False, max_length=200, label="Tracking number")
    happened_at = forms.DateTimeField(
        required=False,
        label="When (your time; empty: now)",
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S"],
    )


class CloseForm(DomainErrors, forms.Form):
    note = forms.CharField(
        required=False,
        max_length=WHAT_MAX,
        label="Outcome (optional)",
        widget=forms.Textarea(attrs={"rows": 2}),
    )
