"""Forms of the assignment pages: they parse input; the services do the writes."""

from typing import Any

from django import forms

from deskside.accounts.models import Skill
from deskside.assignment.models import MAX_CAP, Mode
from deskside.core.forms import DomainErrors


class RuleForm(DomainErrors, forms.Form):
    """A team's rule: the mode and the cap of open tickets per agent (empty: no cap)."""

    mode = forms.ChoiceField(choices=Mode.choices, label="Rule")
    cap = forms.IntegerField(
        required=False,
        min_value=1,
        max_value=MAX_CAP,
        label="Cap (open tickets per agent)",
        help_text="Empty: no cap.",
    )


class SkillsForm(DomainErrors, forms.Form):
    """The skills a ticket needs."""

    skills = forms.ModelMultipleChoiceField(
        queryset=Skill.objects.order_by("name"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label="Required skills",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["skills"].queryset = Skill.objects.order_by("name")
