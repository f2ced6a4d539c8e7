"""Forms of the webhook pages. They parse what an administrator typed into the arguments the
services take; the services check them again (the URL, the events, the scope) and their
errors land on the form field they name."""

from typing import Any

from django import forms

from deskside.accounts.models import Organization, Team, User
from deskside.accounts.queries import organizations_visible_to
from deskside.core.forms import DomainErrors
from deskside.core.versioning import VersionFormField
from deskside.webhooks.models import Delivery, Event, Webhook
from deskside.webhooks.services import MAX_NAME, MAX_URL


class WebhookForm(DomainErrors, forms.Form):
    name = forms.CharField(max_length=MAX_NAME, help_text="What the receiving system is.")
    url = forms.CharField(
        max_length=MAX_URL,
        label="URL",
        help_text="http:// or https://. Each event is POSTed here as signed JSON.",
    )
    organization = forms.ModelChoiceField(
        queryset=Organization.objects.none(),
        required=False,
        to_field_name="slug",
        label="Client",
        empty_label="Every client (MSP-wide)",
        help_text="A client's system gets that client's tickets only, never internal text.",
    )
    team = forms.ModelChoiceField(
        queryset=Team.objects.all(),
        required=False,
        to_field_name="slug",
        empty_label="Any team",
        help_text="Only the tickets of this team (at the time of the event).",
    )
    events = forms.MultipleChoiceField(
        choices=Event.choices, widget=forms.CheckboxSelectMultiple, required=True
    )
    is_active = forms.BooleanField(required=False, initial=True, label="Active")
    version = VersionFormField()

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["organization"].queryset = organizations_visible_to(user).filter(is_msp=False)

    @staticmethod
    def initial_for(webhook: Webhook) -> dict[str, Any]:
        return {
            "name": webhook.name,
            "url": webhook.url,
            "organization": webhook.organization.slug if webhook.organization_id else None,
            "team": webhook.team.slug if webhook.team_id else None,
            "events": list(webhook.events),
            "is_active": webhook.is_active,
            "version": webhook.version,
        }

    def values(self) -> dict[str, Any]:
        return {
            key: self.cleaned_data[key]
            for key in ("name", "url", "organization", "team", "events", "is_active")
        }


class DeliveryFilterForm(forms.Form):
    status = forms.ChoiceField(
        choices=[("", "Any status"), *Delivery.Status.choices], required=False
    )
