"""The form of a team's support-duty page. It parses the input's shape; the rules (who may,
members of the team, at least one member) are the service's (`supportduty.set_support_duty`),
whose errors land on the same form."""

import zoneinfo
from typing import Any

from django import forms

from deskside.accounts.models import User
from deskside.core.forms import DomainErrors
from deskside.core.versioning import VersionFormField
from deskside.rosters.models import SupportDuty
from deskside.rosters.supportduty_queries import members_of

MODE_CHOICES = [
    ("everyone", "Everyone: no duty, the whole team answers"),
    ("fixed", "Fixed service desk: the people named below"),
    ("rotational", "Rotational duty: one of the people below at a time, in turns"),
]
PERIOD_CHOICES = [("daily", "Daily"), ("weekly", "Weekly")]


def zone_choices() -> list[tuple[str, str]]:
    return [(name, name) for name in sorted(zoneinfo.available_timezones())]


class SupportDutyForm(DomainErrors, forms.Form):
    version = VersionFormField()
    mode = forms.ChoiceField(choices=MODE_CHOICES, widget=forms.RadioSelect, initial="everyone")
    members = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="E-mail addresses of the team's agents, one a line, in rotation order.",
    )
    period = forms.ChoiceField(
        choices=PERIOD_CHOICES, initial="weekly", help_text="How long one turn lasts."
    )
    handoff_time = forms.CharField(
        label="Hand-off time",
        initial="09:00",
        max_length=5,
        widget=forms.TimeInput(attrs={"type": "time"}),
        help_text="Local time in the duty's zone; it stays this wall-clock time across DST.",
    )
    timezone = forms.ChoiceField(choices=zone_choices)
    starts_on = forms.DateField(
        label="First hand-off on",
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text="Turns count from this day: the first member takes the first turn.",
    )

    @staticmethod
    def initial_for(duty: SupportDuty | None, *, timezone: str, today: object) -> dict[str, Any]:
        if duty is None:
            return {"timezone": timezone, "starts_on": today}
        return {
            "mode": duty.mode,
            "members": "\n".join(u.email for u in members_of(duty)),
            "period": duty.period,
            "handoff_time": duty.handoff_time,
            "timezone": duty.timezone,
            "starts_on": duty.starts_on,
            "version": duty.version,
        }

    def clean_handoff_time(self) -> str:
        return self.cleaned_data["handoff_time"].strip()[:5]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        if "members" in cleaned:
            emails = [e.strip().lower() for e in cleaned["members"].split() if e.strip()]
            found = {
                u.email.lower(): u
                for u in User.objects.filter(email__in=emails, kind=User.Kind.AGENT)
            }
            missing = [e for e in emails if e not in found]
            if missing:
                self.add_error("members", f"no agent with the address {', '.join(missing)}")
            cleaned["member_users"] = [found[e] for e in emails if e in found]
        return cleaned
