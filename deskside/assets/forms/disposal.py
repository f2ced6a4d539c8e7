"""The disposal pages' forms: the filters of the retired assets, the new batch, the report's
period."""

from __future__ import annotations

from django import forms

from deskside.assets.models import AssetKind, WipeMethod


class RetiredFilterForm(forms.Form):
    """Which retired assets the new-batch page offers (GET)."""

    kind = forms.ChoiceField(choices=[("", "Any kind"), *AssetKind.choices], required=False)
    site = forms.ChoiceField(choices=[("", "Any site")], required=False)
    q = forms.CharField(label="Tag, serial, name or model", required=False, max_length=100)

    def __init__(self, *args: object, sites: list[tuple[str, str]], **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["site"].choices = [("", "Any site"), *sites]  # type: ignore[attr-defined]


class BatchForm(forms.Form):
    company = forms.CharField(label="Disposal company", max_length=200)
    certificate_number = forms.CharField(label="Certificate number", max_length=100)
    method = forms.ChoiceField(
        label="Data-wiping method",
        choices=WipeMethod.choices,
        help_text="NIST SP 800-88: clear (overwrite), purge (crypto-erase, degauss), destroy "
        "(shred, pulverise).",
    )
    handed_over_on = forms.DateField(
        label="Handed over on", widget=forms.DateInput(attrs={"type": "date"})
    )
    certificate = forms.FileField(
        label="Certificate",
        help_text="The company's certificate: a PDF or an image (PNG, JPEG, WebP).",
        widget=forms.ClearableFileInput(attrs={"accept": ".pdf,application/pdf,image/*"}),
    )
    notes = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False)


class ReportForm(forms.Form):
    """The report's period (hand-over dates, both included) and its format."""

    start = forms.DateField(
        label="From", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    end = forms.DateField(
        label="To", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    format = forms.ChoiceField(
        choices=[("html", "Page"), ("csv", "CSV"), ("pdf", "PDF")], required=False
    )

    def clean(self) -> dict[str, object]:
        data = super().clean() or {}
        start, end = data.get("start"), data.get("end")
        if start and end and end < start:
            self.add_error("end", "the end is before the start")
        return data
