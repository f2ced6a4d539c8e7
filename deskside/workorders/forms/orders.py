"""The forms of the work-order pages. They parse the input's shape; the rules (who may, the
evidence, the second pair of eyes, the ticket's status) are the services', whose errors land
on the same form (`add_service_error`)."""

from typing import Any

from django import forms

from deskside.accounts.models import Organization, User
from deskside.accounts.queries import (
    agents,
    contacts_served_by,
    organizations_visible_to,
    sites_visible_to,
)
from deskside.core.forms import DomainErrors
from deskside.workorders.models import WorkOrderTemplate
from deskside.workorders.queries.orders import STATES
from deskside.workorders.services.steps import CONFIRM_HOW, MAX_NOTE


def _active_templates() -> Any:
    return WorkOrderTemplate.objects.filter(is_active=True).order_by("name")


class NewWorkOrderForm(DomainErrors, forms.Form):
    template = forms.ModelChoiceField(queryset=None, to_field_name="public_id")
    client = forms.ModelChoiceField(queryset=None, to_field_name="slug")
    requester = forms.EmailField(
        label="Requester's email", help_text="A contact of the client (the person it is for)."
    )
    site = forms.ModelChoiceField(queryset=None, required=False, to_field_name="public_id")
    assignee = forms.ModelChoiceField(queryset=None, required=False, to_field_name="public_id")
    description = forms.CharField(
        required=False, max_length=10000, widget=forms.Textarea(attrs={"rows": 4})
    )

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["template"].queryset = _active_templates()
        self.fields["client"].queryset = organizations_visible_to(user).filter(is_msp=False)
        self.fields["site"].queryset = sites_visible_to(user).order_by("organization__name", "name")
        self.fields["assignee"].queryset = agents().order_by("full_name")

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        client: Organization | None = data.get("client")
        if client is None:
            return data
        email = data.get("requester")
        if email:
            person = (
                contacts_served_by(self.user)
                .filter(organization=client, email__iexact=email)
                .first()
            )
            if person is None:
                self.add_error("requester", f"{email} is no contact of {client.name}")
            else:
                data["requester_user"] = person
        site = data.get("site")
        if site is not None and site.organization_id != client.pk:
            self.add_error("site", f"that site is not one of {client.name}'s")
        return data

    def service_field(self, field: str | None) -> str | None:
        return {"organization": "client"}.get(field or "", field)


class StartForm(DomainErrors, forms.Form):
    """Make this ticket a work order."""

    template = forms.ModelChoiceField(queryset=None, to_field_name="public_id")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["template"].queryset = _active_templates()


class TickForm(DomainErrors, forms.Form):
    note = forms.CharField(
        required=False, max_length=MAX_NOTE, widget=forms.Textarea(attrs={"rows": 2})
    )
    file = forms.FileField(required=False, label="Evidence file")


class SignForm(DomainErrors, forms.Form):
    note = forms.CharField(
        required=False, max_length=MAX_NOTE, widget=forms.Textarea(attrs={"rows": 2})
    )


class ConfirmForm(DomainErrors, forms.Form):
    who = forms.CharField(max_length=200, label="Confirmed with (name)")
    how = forms.ChoiceField(choices=list(CONFIRM_HOW.items()), label="How")
    note = forms.CharField(
        required=False,
        max_length=MAX_NOTE,
        label="What they said",
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class CancelForm(DomainErrors, forms.Form):
    reason = forms.CharField(max_length=MAX_NOTE, widget=forms.Textarea(attrs={"rows": 2}))


class ListFilterForm(forms.Form):
    client = forms.ModelChoiceField(queryset=None, required=False, to_field_name="slug")
    template = forms.ModelChoiceField(queryset=None, required=False, to_field_name="public_id")
    state = forms.ChoiceField(
        choices=list(STATES.items()), required=False, initial="open", label="State"
    )

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["client"].queryset = organizations_visible_to(user).filter(is_msp=False)
        self.fields["template"].queryset = WorkOrderTemplate.objects.order_by("name")
