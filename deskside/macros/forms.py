"""Forms of the macro pages. They parse what a manager typed into the arguments the services
take; the services check them again (placeholders, scope, statuses) and their errors land on
the field they name."""

from typing import Any

from django import forms

from deskside.accounts.models import Team, User
from deskside.core.forms import DomainErrors
from deskside.macros.models import MACRO_STATUSES, Macro, ReplyKind
from deskside.macros.placeholders import PLACEHOLDERS
from deskside.macros.queries import managed_team_ids
from deskside.macros.services import MAX_BODY, MAX_NAME
from deskside.tickets.models import Priority

PLACEHOLDER_HELP = "Placeholders: " + ", ".join("{{" + name + "}}" for name in PLACEHOLDERS)


class MacroForm(DomainErrors, forms.Form):
    name = forms.CharField(max_length=MAX_NAME)
    team = forms.ModelChoiceField(
        queryset=Team.objects.all(),
        required=False,
        to_field_name="slug",
        empty_label="Global (every agent)",
        help_text="Who may use it: every agent, or the members of one team.",
    )
    body = forms.CharField(
        max_length=MAX_BODY,
        label="Text",
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=PLACEHOLDER_HELP,
    )
    reply_kind = forms.ChoiceField(choices=ReplyKind.choices, label="Posted as")
    set_status = forms.ChoiceField(
        choices=[("", "Leave the status"), *((s.value, s.label) for s in MACRO_STATUSES)],
        required=False,
        label="Also set status",
        help_text="Resolved: the text is the resolution the customer reads.",
    )
    set_priority = forms.TypedChoiceField(
        choices=[("", "Leave the priority"), *Priority.choices],
        coerce=int,
        empty_value=None,
        required=False,
        label="Also set priority",
    )
    set_team = forms.ModelChoiceField(
        queryset=Team.objects.all(),
        required=False,
        to_field_name="slug",
        empty_label="Leave the team",
        label="Also hand to team",
        help_text="A team of the ticket's tier or below (a higher tier is an escalation).",
    )
    add_watcher = forms.ModelChoiceField(
        queryset=User.objects.none(),
        required=False,
        to_field_name="public_id",
        empty_label="Nobody",
        label="Also add watcher",
    )
    is_active = forms.BooleanField(required=False, initial=True, label="Active")

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        teams = managed_team_ids(user)
        if teams is not None:  # a team lead: their teams only, no global macros
            field = self.fields["team"]
            field.queryset = Team.objects.filter(pk__in=teams)
            field.required = True
            field.empty_label = None
        self.fields["add_watcher"].queryset = User.objects.filter(
            kind=User.Kind.AGENT, is_active=True
        )

    @staticmethod
    def initial_for(macro: Macro) -> dict[str, Any]:
        return {
            "name": macro.name,
            "team": macro.team.slug if macro.team_id else None,
            "body": macro.body,
            "reply_kind": macro.reply_kind,
            "set_status": macro.set_status,
            "set_priority": macro.set_priority,
            "set_team": macro.set_team.slug if macro.set_team_id else None,
            "add_watcher": macro.add_watcher.public_id if macro.add_watcher_id else None,
            "is_active": macro.is_active,
        }

    def values(self) -> dict[str, Any]:
        return dict(self.cleaned_data)


class ApplyForm(forms.Form):
    """The text to post (as the agent edited it after the preview)."""

    body = forms.CharField(
        label="Text",
        max_length=MAX_BODY,
        widget=forms.Textarea(attrs={"rows": 8}),
        strip=True,
    )
