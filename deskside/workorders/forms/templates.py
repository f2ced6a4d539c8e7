"""The template pages' forms: the template's settings and its items as rows (a formset; a row
with no text is left out). The rules (an item's length, a QC item for a second pair of eyes)
are `services.templates`', whose errors land on the same form."""

from typing import Any

from django import forms

from deskside.accounts.models import Team
from deskside.core.forms import DomainErrors
from deskside.tickets.models import Priority, TicketType
from deskside.workorders.models import Evidence, Section, TemplateKind
from deskside.workorders.services.templates import MAX_ITEMS, ItemSpec, VersionSpec

EXTRA_ROWS = 5


class TemplateForm(DomainErrors, forms.Form):
    name = forms.CharField(max_length=200)
    kind = forms.ChoiceField(choices=TemplateKind.choices)
    subject = forms.CharField(max_length=250, help_text="The work order ticket's subject.")
    description = forms.CharField(
        required=False, max_length=10000, widget=forms.Textarea(attrs={"rows": 3})
    )
    priority = forms.TypedChoiceField(choices=Priority.choices, coerce=int, initial=Priority.P3)
    ticket_type = forms.ChoiceField(choices=TicketType.choices, initial=TicketType.SERVICE_REQUEST)
    team = forms.ModelChoiceField(queryset=Team.objects.order_by("name"), required=False)
    second_pair_of_eyes = forms.BooleanField(
        required=False,
        help_text="QC is ticked and signed by someone who did none of the work.",
    )
    confirm_with_user = forms.BooleanField(
        required=False, initial=True, label="Confirm with the user"
    )
    change_note = forms.CharField(
        required=False, max_length=300, help_text="What changed, for the version history."
    )

    def __init__(self, *args: Any, editing: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if editing:  # the name and kind belong to the template, not to a version
            del self.fields["name"]
            del self.fields["kind"]


class ItemForm(forms.Form):
    text = forms.CharField(max_length=300, required=False)
    section = forms.ChoiceField(choices=Section.choices, initial=Section.WORK)
    required = forms.BooleanField(required=False, initial=True)
    evidence = forms.ChoiceField(choices=Evidence.choices, initial=Evidence.NONE)


ItemFormSet = forms.formset_factory(
    ItemForm, extra=EXTRA_ROWS, max_num=MAX_ITEMS, absolute_max=MAX_ITEMS + EXTRA_ROWS
)


def item_specs(formset: Any) -> list[ItemSpec]:
    """The rows with text, in the order shown."""
    return [
        ItemSpec(
            text=row["text"],
            section=row["section"],
            required=row["required"],
            evidence=row["evidence"],
        )
        for row in (f.cleaned_data for f in formset.forms)
        if row.get("text", "").strip()
    ]


def version_spec(form: TemplateForm, formset: Any) -> VersionSpec:
    data = form.cleaned_data
    return VersionSpec(
        subject=data["subject"],
        items=item_specs(formset),
        description=data["description"],
        priority=data["priority"],
        ticket_type=data["ticket_type"],
        team=data["team"],
        second_pair_of_eyes=data["second_pair_of_eyes"],
        confirm_with_user=data["confirm_with_user"],
        change_note=data["change_note"],
    )


def initial_of(spec: VersionSpec) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """The forms' initial values from a version's content."""
    form = {
        "subject": spec.subject,
        "description": spec.description,
        "priority": spec.priority,
        "ticket_type": spec.ticket_type,
        "team": spec.team,
        "second_pair_of_eyes": spec.second_pair_of_eyes,
        "confirm_with_user": spec.confirm_with_user,
    }
    rows = [
        {"text": i.text, "section": i.section, "required": i.required, "evidence": i.evidence}
        for i in spec.items
    ]
    return form, rows
