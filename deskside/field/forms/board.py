"""The dispatch board's schedule form: a visit, a technician (and an optional second, maybe
shadowing) and a start in the viewer's zone. The drag-and-drop script fills and posts the same
form, so the board schedules without JavaScript too."""

from django import forms
from django.db.models import QuerySet

from deskside.accounts.models import User
from deskside.accounts.queries import agents
from deskside.field.models import Visit, VisitStatus
from deskside.field.queries import visits_visible_to

START_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M"]


class PersonChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj: User) -> str:
        return obj.get_full_name() or obj.email


class VisitChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj: Visit) -> str:
        return f"{obj.ticket.number} · {obj.site.name} ({obj.organization.name})"


def schedulable(viewer: User) -> QuerySet[Visit]:
    """Visits the viewer may put on (or move on) a technician's day."""
    return (
        visits_visible_to(viewer)
        .filter(status__in=(VisitStatus.UNSCHEDULED, VisitStatus.SCHEDULED))
        .select_related("ticket", "site", "organization")
    )


class ScheduleForm(forms.Form):
    visit = VisitChoice(queryset=Visit.objects.none(), to_field_name="public_id")
    technician = PersonChoice(queryset=User.objects.none(), to_field_name="public_id")
    start = forms.DateTimeField(
        input_formats=START_FORMATS,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        help_text="In your time zone, inside the customer's window.",
    )
    second = PersonChoice(
        queryset=User.objects.none(),
        to_field_name="public_id",
        required=False,
        label="Second technician",
        empty_label="(none)",
    )
    shadowing = forms.BooleanField(
        required=False, label="The second technician is shadowing (learning this client)"
    )
    next = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(
        self,
        *args,
        viewer: User,
        technicians: QuerySet[User],
        offered: list[Visit] | None = None,
        **kwargs,
    ) -> None:
        super().__init__(*args, **kwargs)
        visit = self.fields["visit"]
        visit.queryset = schedulable(viewer)
        if offered is not None:
            # The menu offers the queue's visits (and the one being moved), not every visit the
            # viewer may schedule: a week of 50 technicians is thousands. Any of those is still
            # accepted (the drag-and-drop script sends the moved card's).
            label = visit.label_from_instance
            visit.widget.choices = [("", visit.empty_label)] + [
                (v.public_id, label(v)) for v in offered
            ]
        self.fields["technician"].queryset = technicians
        self.fields["second"].queryset = agents().order_by("full_name")

    def clean(self) -> dict:
        data = super().clean()
        lead, second = data.get("technician"), data.get("second")
        if lead is not None and second is not None and lead.pk == second.pk:
            self.add_error("second", "the second technician is the same person")
        return data
