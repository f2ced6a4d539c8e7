"""The forms of the asset pages: they check the shape of what was typed; the services decide
the rest (their errors come back on these forms, `core.forms.DomainErrors`). No form saves a
model: the views call `assets.services.assets`."""

from django import forms

from deskside.accounts.models import Organization, Site, User
from deskside.assets.models import AssetKind, Lifecycle
from deskside.core.forms import DomainErrors

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class NoNul:
    """Refuse NUL characters in every text field (PostgreSQL text cannot hold them)."""

    def clean(self):
        data = super().clean()  # type: ignore[misc]
        for name, value in list(data.items()):
            if isinstance(value, str) and "\x00" in value:
                self.add_error(name, "must not contain NUL characters")  # type: ignore[attr-defined]
        return data


class FilterForm(NoNul, forms.Form):
    """The list's filters (GET). `client` is a slug of a client the viewer may see."""

    client = forms.ModelChoiceField(
        queryset=Organization.objects.none(),
        to_field_name="slug",
        required=False,
        empty_label="All my clients",
    )
    status = forms.ChoiceField(choices=[("", "Any status"), *Lifecycle.choices], required=False)
    kind = forms.ChoiceField(choices=[("", "Any kind"), *AssetKind.choices], required=False)
    site = forms.ModelChoiceField(
        queryset=Site.objects.none(),
        to_field_name="public_id",
        required=False,
        empty_label="Any site",
    )
    q = forms.CharField(label="Search", max_length=100, required=False)

    def __init__(self, *args, clients, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["client"].queryset = clients
        self.fields["site"].queryset = Site.objects.filter(organization__in=clients).order_by(
            "organization__name", "name"
        )


class AssetForm(DomainErrors, NoNul, forms.Form):
    """New asset and edit: every field of the registry (the status has its own form)."""

    kind = forms.ChoiceField(choices=AssetKind.choices)
    asset_tag = forms.CharField(label="Asset tag", max_length=60, required=False)
    name = forms.CharField(max_length=200, required=False, help_text="Host name or a short label.")
    make = forms.CharField(max_length=100, required=False)
    model = forms.CharField(max_length=100, required=False)
    serial = forms.CharField(label="Serial number", max_length=100, required=False)
    assigned_to = forms.ModelChoiceField(
        label="Assigned to",
        queryset=User.objects.none(),
        to_field_name="public_id",
        required=False,
        empty_label="Nobody",
    )
    site = forms.ModelChoiceField(
        queryset=Site.objects.none(),
        to_field_name="public_id",
        required=False,
        empty_label="No site",
    )
    purchase_date = forms.DateField(required=False, widget=DATE_INPUT)
    warranty_end = forms.DateField(label="Warranty ends", required=False, widget=DATE_INPUT)
    vendor = forms.CharField(max_length=200, required=False)
    notes = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}), required=False, max_length=10000
    )
    rmm_id = forms.CharField(label="RMM device id", max_length=200, required=False)
    meshcentral_id = forms.CharField(label="MeshCentral node id", max_length=200, required=False)
    rustdesk_id = forms.CharField(label="RustDesk id", max_length=200, required=False)
    teamviewer_id = forms.CharField(label="TeamViewer id", max_length=200, required=False)

    def __init__(self, *args, organization: Organization, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["site"].queryset = Site.objects.filter(organization=organization).order_by(
            "name"
        )
        self.fields["assigned_to"].queryset = User.objects.filter(
            organization=organization, kind=User.Kind.CUSTOMER, is_active=True
        ).order_by("full_name", "email")


class NewAssetForm(AssetForm):
    """A new asset: its client and first status too."""

    status = forms.ChoiceField(
        choices=[
            (s.value, s.label)
            for s in (
                Lifecycle.ORDERED,
                Lifecycle.IN_STOCK,
                Lifecycle.DEPLOYED,
                Lifecycle.IN_REPAIR,
            )
        ],
        initial=Lifecycle.IN_STOCK,
    )

    field_order = ["status", "kind"]


class StatusForm(DomainErrors, NoNul, forms.Form):
    status = forms.ChoiceField(label="New status", choices=[])
    note = forms.CharField(max_length=1000, required=False)

    def __init__(self, *args, allowed: list[str], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["status"].choices = [(s, Lifecycle(s).label) for s in allowed]


class LinkTicketForm(DomainErrors, NoNul, forms.Form):
    """Link a ticket by its number (the asset page)."""

    ticket = forms.CharField(label="Ticket number", max_length=20)


class LinkAssetForm(DomainErrors, NoNul, forms.Form):
    """Link an asset (its public id, picked from the search) to a ticket (the ticket panel)."""

    asset = forms.CharField(max_length=16)


class ClientForm(forms.Form):
    """The client of a report (GET)."""

    client = forms.ModelChoiceField(
        queryset=Organization.objects.none(), to_field_name="slug", empty_label=None
    )

    def __init__(self, *args, clients, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["client"].queryset = clients
