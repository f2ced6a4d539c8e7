"""The forms of remote control: the templates page and the ticket panel. They parse the
input's shape; the rules (who may, the URL checks, which asset) are the services'
(`assets.services.remote`), whose errors land on the same form."""

from django import forms

from deskside.assets.models import RemoteTool
from deskside.assets.services.remote import SUMMARY_MAX, TEMPLATE_MAX
from deskside.core.forms import DomainErrors


class TemplateForm(DomainErrors, forms.Form):
    organization = forms.ModelChoiceField(queryset=None, label="Client", to_field_name="slug")
    tool = forms.ChoiceField(choices=RemoteTool.choices)
    url_template = forms.CharField(
        label="URL template",
        max_length=TEMPLATE_MAX,
        help_text="With {id} once, where the asset's id goes: https://mesh.example.net/"
        "?gotonode={id} or rustdesk://{id}",
    )
    label = forms.CharField(required=False, max_length=100, help_text="Shown on the button.")

    def __init__(self, *args, clients=None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["organization"].queryset = clients

    def service_field(self, field: str | None) -> str | None:
        return "organization" if field == "organization" else field


class TemplateEditForm(DomainErrors, forms.Form):
    url_template = forms.CharField(label="URL template", max_length=TEMPLATE_MAX)
    label = forms.CharField(required=False, max_length=100)


class ConnectForm(forms.Form):
    asset = forms.CharField(max_length=16)
    tool = forms.ChoiceField(choices=RemoteTool.choices)


class EndForm(DomainErrors, forms.Form):
    summary = forms.CharField(
        required=False,
        max_length=SUMMARY_MAX,
        label="What was done (optional)",
        widget=forms.Textarea(attrs={"rows": 2}),
    )
