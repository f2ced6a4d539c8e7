"""The asset CSV import's forms: the upload (client and file) and the file sent back by the
preview's Import button."""

from __future__ import annotations

from django import forms

from deskside.accounts.models import Organization
from deskside.assets.imports import MAX_ROWS


class ImportForm(forms.Form):
    client = forms.ModelChoiceField(
        queryset=Organization.objects.none(),
        to_field_name="slug",
        empty_label="Choose a client",
        help_text="Every row of the file is an asset of this client.",
    )
    file = forms.FileField(
        label="CSV file",
        help_text=f"UTF-8, with a header row; at most {MAX_ROWS:,} rows.",
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,text/csv"}),
    )

    def __init__(self, *args: object, clients: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["client"].queryset = clients  # type: ignore[attr-defined]


class ImportApplyForm(forms.Form):
    """The file checked on the preview, sent back (base64) to be imported: it is checked again
    inside the import's transaction, so what the preview said is what happens unless the
    client's assets changed in between."""

    client = forms.CharField(widget=forms.HiddenInput)
    data = forms.CharField(widget=forms.HiddenInput)
    name = forms.CharField(widget=forms.HiddenInput, required=False)
