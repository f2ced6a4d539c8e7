"""Forms of the directory pages. They parse what an agent typed into the arguments the
services take; the services check everything again (tenancy included) and their errors land
on the field they name (`DomainErrors`). No form saves a model."""

from typing import Any

from django import forms
from django.urls import reverse

from deskside.accounts.models import Organization, Site, Team, Tier, User
from deskside.accounts.queries import agents
from deskside.core.forms import DomainErrors
from deskside.directory.imports import MAX_ROWS


class ClientForm(DomainErrors, forms.Form):
    name = forms.CharField(max_length=200)
    slug = forms.SlugField(
        max_length=60, required=False, help_text="Its address in links; made from the name."
    )
    timezone = forms.CharField(
        max_length=64, label="Time zone", initial="UTC", help_text="e.g. America/New_York."
    )
    email_domains = forms.CharField(
        max_length=500,
        required=False,
        label="Mail domains",
        help_text="Comma-separated, e.g. acme.example, acme.co.uk: mail from them is this "
        "client's.",
    )
    notes = forms.CharField(widget=forms.Textarea(attrs={"rows": 4}), required=False)

    @staticmethod
    def initial_for(client: Organization) -> dict[str, Any]:
        return {
            "name": client.name,
            "slug": client.slug,
            "timezone": client.timezone,
            "email_domains": client.email_domains,
            "notes": client.notes,
        }


class SiteForm(DomainErrors, forms.Form):
    name = forms.CharField(max_length=200)
    address = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False)
    timezone = forms.CharField(
        max_length=64, label="Time zone", required=False, help_text="Empty: the client's."
    )
    latitude = forms.DecimalField(max_digits=9, decimal_places=6, required=False)
    longitude = forms.DecimalField(max_digits=9, decimal_places=6, required=False)
    access_notes = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        help_text="Parking, badges, who opens the door.",
    )

    @staticmethod
    def initial_for(site: Site) -> dict[str, Any]:
        return {
            f: getattr(site, f)
            for f in ("name", "address", "timezone", "latitude", "longitude", "access_notes")
        }


class ContactForm(DomainErrors, forms.Form):
    full_name = forms.CharField(max_length=200, label="Name", required=False)
    email = forms.EmailField(max_length=254)
    phone = forms.CharField(max_length=50, required=False, help_text="Any format.")
    mobile = forms.CharField(max_length=50, required=False)
    organization = forms.ModelChoiceField(
        queryset=Organization.objects.none(), to_field_name="slug", label="Client"
    )
    site = forms.ModelChoiceField(
        queryset=Site.objects.none(), to_field_name="public_id", required=False
    )
    is_org_admin = forms.BooleanField(
        required=False,
        label="Organisation admin",
        help_text="Sees every ticket of their organisation in the portal.",
    )
    is_vip = forms.BooleanField(required=False, label="VIP", help_text="Calls treated first.")

    def __init__(self, *args: Any, clients: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        served = clients.filter(is_msp=False)
        self.fields["organization"].queryset = served
        # The sites offered are the chosen client's (all served clients' before one is chosen);
        # choosing another client fetches its sites (htmx, `site_options`).
        self.fields["organization"].widget.attrs.update(
            {
                "hx-get": reverse("directory:site_options"),
                "hx-target": "#id_site",
                "hx-trigger": "change",
            }
        )
        chosen = (
            self.data.get("organization") if self.is_bound else self.initial.get("organization")
        )
        sites = Site.objects.filter(organization__in=served).select_related("organization")
        if chosen:
            sites = sites.filter(organization__slug=chosen)
        self.fields["site"].queryset = sites.order_by("organization__name", "name")

    def service_field(self, field: str | None) -> str | None:
        return "organization" if field == "organization" else field

    @staticmethod
    def initial_for(contact: User) -> dict[str, Any]:
        return {
            "full_name": contact.full_name,
            "email": contact.email,
            "phone": contact.phone,
            "mobile": contact.mobile,
            "organization": contact.organization.slug if contact.organization_id else None,
            "site": contact.site.public_id if contact.site_id else None,
            "is_org_admin": contact.is_org_admin,
            "is_vip": contact.is_vip,
        }

    def values(self) -> dict[str, Any]:
        return dict(self.cleaned_data)


class ContactFilterForm(forms.Form):
    q = forms.CharField(max_length=200, required=False, label="Search")
    client = forms.ModelChoiceField(
        queryset=Organization.objects.none(),
        to_field_name="slug",
        required=False,
        empty_label="Every client",
    )
    state = forms.ChoiceField(
        choices=[("active", "Active"), ("inactive", "Deactivated"), ("all", "All")],
        required=False,
    )

    def __init__(self, *args: Any, clients: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["client"].queryset = clients.filter(is_msp=False)


class AgentForm(DomainErrors, forms.Form):
    full_name = forms.CharField(max_length=200, label="Name")
    email = forms.EmailField(max_length=254)
    phone = forms.CharField(max_length=50, required=False)
    mobile = forms.CharField(max_length=50, required=False)
    tier = forms.ChoiceField(choices=Tier.choices)
    teams = forms.ModelMultipleChoiceField(
        queryset=Team.objects.all(),
        to_field_name="slug",
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    served_organizations = forms.ModelMultipleChoiceField(
        queryset=Organization.objects.filter(is_msp=False),
        to_field_name="slug",
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label="Serves",
        help_text="None ticked: every client.",
    )
    is_staff = forms.BooleanField(
        required=False, label="Administrator", help_text="Changes the desk's set-up."
    )

    @staticmethod
    def initial_for(agent: User) -> dict[str, Any]:
        return {
            "full_name": agent.full_name,
            "email": agent.email,
            "phone": agent.phone,
            "mobile": agent.mobile,
            "tier": agent.tier,
            "teams": [t.slug for t in agent.teams.all()],
            "served_organizations": [o.slug for o in agent.served_organizations.all()],
            "is_staff": agent.is_staff,
        }

    def values(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        data["teams"] = list(data["teams"])
        data["served_organizations"] = list(data["served_organizations"])
        return data


class TeamForm(DomainErrors, forms.Form):
    name = forms.CharField(max_length=100)
    tier = forms.ChoiceField(choices=Tier.choices)
    lead = forms.ModelChoiceField(
        queryset=User.objects.none(), to_field_name="public_id", required=False
    )
    members = forms.ModelMultipleChoiceField(
        queryset=User.objects.none(),
        to_field_name="public_id",
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["lead"].queryset = agents().order_by("full_name", "email")
        self.fields["members"].queryset = agents().order_by("full_name", "email")

    @staticmethod
    def initial_for(team: Team) -> dict[str, Any]:
        return {
            "name": team.name,
            "tier": team.tier,
            "lead": team.lead.public_id if team.lead_id else None,
            "members": [m.public_id for m in team.members.all()],
        }

    def values(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        data["members"] = list(data["members"])
        return data


class ImportForm(forms.Form):
    file = forms.FileField(
        label="CSV file",
        help_text=f"UTF-8, with a header row; at most {MAX_ROWS:,} rows.",
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,text/csv"}),
    )


class ImportApplyForm(forms.Form):
    """The file checked on the preview, sent back (base64) to be imported: it is checked
    again inside the import's transaction, so what the preview said is what happens unless
    the directory changed in between."""

    data = forms.CharField(widget=forms.HiddenInput)
    name = forms.CharField(widget=forms.HiddenInput, required=False)
