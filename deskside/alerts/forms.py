"""Forms of the alert pages: what an agent types, parsed into the shapes the services take (a
severity map from "critical=P1" lines, label matchers from "name=value" lines). The services
check everything again; a service error naming a field lands on that form field."""

from typing import Any

from django import forms

from deskside.accounts.models import Organization, Team, User
from deskside.accounts.queries import organizations_visible_to
from deskside.alerts.models import AlertStatus, Integration
from deskside.core.forms import DomainErrors
from deskside.core.versioning import VersionFormField
from deskside.tickets.models import Priority

DATETIME_INPUT = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


def parse_pairs(text: str, what: str) -> dict[str, str]:
    """ "a=b" per line (or comma-separated) -> {"a": "b"}."""
    pairs: dict[str, str] = {}
    for part in text.replace(",", "\n").splitlines():
        part = part.strip()
        if not part:
            continue
        name, sep, value = part.partition("=")
        if not sep or not name.strip() or not value.strip():
            raise forms.ValidationError(f"{part!r} is not {what}; write one name=value a line")
        pairs[name.strip()] = value.strip()
    return pairs


def show_pairs(pairs: dict[str, Any]) -> str:
    return "\n".join(f"{k}={v}" for k, v in pairs.items())


class IntegrationForm(DomainErrors, forms.Form):
    name = forms.CharField(max_length=100)
    kind = forms.ChoiceField(choices=Integration.Kind.choices)
    organization = forms.ModelChoiceField(
        queryset=Organization.objects.none(),
        required=False,
        to_field_name="slug",
        empty_label="Every client (MSP-wide: the client comes from a label)",
        label="Client",
    )
    organization_label = forms.CharField(
        max_length=100,
        initial="client",
        label="Client label",
        help_text="MSP-wide only: the label (Alertmanager) naming the client's slug.",
    )
    severity_map = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 8}),
        label="Severity → priority",
        help_text="One severity=priority a line (P1, P2, P3 or OPS). Others count as P3.",
    )
    resolve_rule = forms.ChoiceField(
        choices=Integration.ResolveRule.choices, label="When the alert resolves"
    )
    alert_details = forms.ChoiceField(
        choices=Integration.Details.choices,
        initial=Integration.Details.INTERNAL,
        required=False,
        label="Alert details",
        help_text="Source host, key, labels, annotations and payload fields. Internal: the "
        "customer sees only the alert's summary.",
    )
    team = forms.ModelChoiceField(
        queryset=Team.objects.all(), required=False, to_field_name="slug", label="Team"
    )
    flood_threshold = forms.IntegerField(
        min_value=0,
        max_value=100_000,
        initial=20,
        label="Storm threshold",
        help_text="More new alerts than this within the window are grouped (0: never).",
    )
    flood_window_minutes = forms.IntegerField(
        min_value=1, max_value=1440, initial=5, label="Storm window (minutes)"
    )
    is_active = forms.BooleanField(required=False, initial=True, label="Active")
    version = VersionFormField()

    def __init__(self, *args: Any, user: User, editing: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["organization"].queryset = organizations_visible_to(user).order_by("name")
        if editing:
            # Kind and client are what the token is for: make a new integration to change them.
            self.fields["kind"].disabled = True
            self.fields["organization"].disabled = True
        else:
            del self.fields["is_active"]

    def clean_severity_map(self) -> dict[str, str]:
        pairs = parse_pairs(self.cleaned_data["severity_map"], "a severity mapping")
        for severity, label in pairs.items():
            if label.upper() not in Priority.labels:
                raise forms.ValidationError(f"{severity}={label}: use P1, P2, P3 or OPS")
        return pairs

    @staticmethod
    def initial_for(integration: Integration) -> dict[str, Any]:
        return {
            "name": integration.name,
            "kind": integration.kind,
            "organization": integration.organization.slug if integration.organization else None,
            "organization_label": integration.organization_label,
            "severity_map": show_pairs(integration.severity_map),
            "resolve_rule": integration.resolve_rule,
            "alert_details": integration.alert_details,
            "team": integration.team.slug if integration.team else None,
            "flood_threshold": integration.flood_threshold,
            "flood_window_minutes": integration.flood_window_minutes,
            "is_active": integration.is_active,
            "version": integration.version,
        }


class WindowForm(DomainErrors, forms.Form):
    organization = forms.ModelChoiceField(
        queryset=Organization.objects.none(), to_field_name="slug", label="Client"
    )
    starts_at = forms.DateTimeField(widget=DATETIME_INPUT, required=False, label="Starts")
    ends_at = forms.DateTimeField(widget=DATETIME_INPUT, label="Ends")
    reason = forms.CharField(max_length=500)
    matchers = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        label="Only alerts with these labels",
        help_text="Optional: one label=value a line (e.g. instance=fileserver-1:9100).",
    )

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["organization"].queryset = organizations_visible_to(user).order_by("name")

    def clean_matchers(self) -> dict[str, str]:
        return parse_pairs(self.cleaned_data.get("matchers") or "", "a label matcher")


class AlertFilterForm(forms.Form):
    """The index page's filters; invalid values are ignored (a filter page never errors)."""

    integration = forms.ChoiceField(required=False)
    organization = forms.ChoiceField(required=False, label="Client")
    status = forms.ChoiceField(
        required=False,
        choices=[("", "Any status"), ("open", "Open"), *AlertStatus.choices],
    )

    def __init__(self, *args: Any, user: User, integrations: list[Integration], **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["integration"].choices = [("", "Any integration")] + [
            (i.public_id, i.name) for i in integrations
        ]
        self.fields["organization"].choices = [("", "Any client")] + [
            (o.slug, o.name) for o in organizations_visible_to(user).order_by("name")
        ]

    def filters(self) -> dict[str, str | None]:
        if not self.is_valid():
            return {}
        return {k: v or None for k, v in self.cleaned_data.items()}
