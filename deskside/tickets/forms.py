"""Forms of the agent pages. They parse and check input; the services do the writes.

Every action form takes the acting `user` and the `ticket` so that its pickers only offer what
that agent may choose (the ticket client's sites and contacts, the active agents who serve that
client). Model pickers address rows by their public id or slug, never by a raw key.
"""

from typing import Any

from django import forms
from django.core.files.uploadedfile import UploadedFile
from django.db.models import Q, QuerySet
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe

from deskside.accounts.models import Organization, Site, Team, Tier, User
from deskside.accounts.queries import (
    agents,
    agents_serving,
    organizations_visible_to,
    users_visible_to,
)
from deskside.tickets.models import Channel, Priority, Status, Ticket, TicketType, parse_number
from deskside.tickets.queries import QUEUES, REPORT_FLAGS, SLA_FILTERS, SORTS, visible_tickets

MAX_CALL_MINUTES = 24 * 60
WORKING_STATUSES = (Status.OPEN, Status.PENDING_CUSTOMER, Status.PENDING_VENDOR, Status.ON_HOLD)
ESCALATION_TIERS = [(Tier.L2, Tier.L2.label), (Tier.L3, Tier.L3.label)]
PRIORITY_CHOICES = [(p.label, p.label) for p in Priority]
SORT_LABELS = {"due": "Time left"}


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Any number of uploaded files (Django's documented multi-upload pattern); cleans to a list
    without the blank entries some browsers send. Optional unless `required=True` is given."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultipleFileInput())
        kwargs.setdefault("required", False)
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> list[UploadedFile]:
        files = [f for f in data if f] if isinstance(data, list | tuple) else [data] if data else []
        if not files:
            if self.required:
                raise forms.ValidationError(self.error_messages["required"], code="required")
            return []
        return [super(MultipleFileField, self).clean(f, initial) for f in files]


class AgentChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: User) -> str:
        return f"{obj.get_full_name()} ({obj.tier})" if obj.tier else obj.get_full_name()


class ContactChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: User) -> str:
        site = f" · {obj.site.name}" if obj.site_id else ""
        phone = f" · {obj.phone}" if obj.phone else ""
        return f"{obj.get_full_name()}{site}{phone}"


class SiteChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Site) -> str:
        return obj.name


def _textarea(rows: int = 3) -> forms.Textarea:
    return forms.Textarea(attrs={"rows": rows})


# -- queue filters -----------------------------------------------------------------------------


class QuickSelect(forms.Select):
    """A single select rendered in Python: the same HTML as Django's Select, without one
    template render per option (the queue's filters have a few hundred options with every
    client listed, and rendered on each queue page; about 7 ms of it that way)."""

    def render(
        self, name: str, value: Any, attrs: dict[str, Any] | None = None, renderer: Any = None
    ) -> str:
        chosen = {str(v) for v in self.format_value(value)}
        options = format_html_join(
            "",
            '<option value="{}"{}>{}</option>',
            (
                (key, mark_safe(" selected") if str(key) in chosen else "", label)
                for key, label in self.choices
            ),
        )
        final = {"name": name, **self.build_attrs(self.attrs, attrs)}
        # In the order given (flatatt sorts them), as Django's widget template writes them.
        markup = format_html_join(
            "",
            "{}",
            (
                (format_html(' {}="{}"', k, v) if v is not True else format_html(" {}", k),)
                for k, v in final.items()
                if v is not False and v is not None
            ),
        )
        return format_html("<select{}>{}</select>", markup, options)


# The queue table's columns, in the order they are offered; `cols=` picks some (a saved view
# stores its choice). The ticket number always comes first: its link opens the ticket.
QUEUE_COLUMNS = {
    "number": "Ticket",
    "priority": "Prio",
    "subject": "Subject",
    "client": "Client",
    "site": "Site",
    "requester": "Requester",
    "status": "Status",
    "sla": "Time left",
    "tier": "Tier",
    "team": "Team",
    "assignee": "Assignee",
    "updated": "Updated",
}
DEFAULT_COLUMNS = (
    "number",
    "priority",
    "subject",
    "client",
    "site",
    "requester",
    "status",
    "sla",
    "tier",
    "assignee",
    "updated",
)


def parse_columns(value: str | list[str] | None) -> list[str]:
    """The columns named by `value` ("number,subject,status" or a list), known ones only, in
    the order given, the number first; DEFAULT_COLUMNS when none is known."""
    names = value.split(",") if isinstance(value, str) else list(value or ())
    chosen = [n for n in dict.fromkeys(n.strip() for n in names) if n in QUEUE_COLUMNS]
    if not chosen:
        return list(DEFAULT_COLUMNS)
    return ["number", *(n for n in chosen if n != "number")]


class QueueFilterForm(forms.Form):
    """The queue's GET parameters. Invalid values are dropped (the queue shows unfiltered)."""

    organization = forms.ModelChoiceField(
        queryset=Organization.objects.none(),
        to_field_name="slug",
        required=False,
        empty_label="All clients",
        widget=QuickSelect,
        label="Client",
    )
    priority = forms.ChoiceField(
        choices=[("", "Any priority"), *PRIORITY_CHOICES], required=False, widget=QuickSelect
    )
    status = forms.ChoiceField(
        choices=[("", "Any status"), *Status.choices], required=False, widget=QuickSelect
    )
    tier = forms.ChoiceField(
        choices=[("", "Any tier"), *Tier.choices], required=False, widget=QuickSelect
    )
    team = forms.ModelChoiceField(
        queryset=Team.objects.all(),
        to_field_name="slug",
        required=False,
        empty_label="Any team",
        widget=QuickSelect,
    )
    assignee = AgentChoiceField(
        queryset=User.objects.none(),
        to_field_name="public_id",
        required=False,
        empty_label="Anyone",
        widget=QuickSelect,
    )
    sla = forms.ChoiceField(
        choices=[("", "Any SLA"), *SLA_FILTERS.items()],
        required=False,
        label="SLA",
        widget=QuickSelect,
    )
    q = forms.CharField(required=False, max_length=200, label="Text")
    # Hidden: set by the links of the reports (a count opens the tickets it counted).
    channel = forms.ChoiceField(choices=Channel.choices, required=False, widget=forms.HiddenInput)
    type = forms.ChoiceField(choices=TicketType.choices, required=False, widget=forms.HiddenInput)
    created_after = forms.DateTimeField(required=False, widget=forms.HiddenInput)
    created_before = forms.DateTimeField(required=False, widget=forms.HiddenInput)
    flag = forms.ChoiceField(
        choices=[(key, key) for key in REPORT_FLAGS], required=False, widget=forms.HiddenInput
    )
    sort = forms.ChoiceField(
        choices=[(key, SORT_LABELS.get(key, key.capitalize())) for key in SORTS],
        required=False,
        initial="newest",
        widget=QuickSelect,
    )

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["organization"].queryset = organizations_visible_to(user)
        self.fields["assignee"].queryset = agents().order_by("full_name", "id")

    def queue_filters(self) -> dict[str, Any]:
        """Keyword arguments for `queries.queue` from the valid parameters."""
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        org = data.get("organization")
        team = data.get("team")
        priority = data.get("priority")
        assignee = data.get("assignee")
        return {
            "organization": org.slug if org else None,
            "priority": int(Priority.from_label(priority)) if priority else None,
            "status": data.get("status") or None,
            "tier": data.get("tier") or None,
            "team": team.pk if team else None,
            "assignee": assignee.public_id if assignee else None,
            "text": (data.get("q") or "").strip() or None,
            "sla": data.get("sla") or None,
            "sort": data.get("sort") or "newest",
            "channel": data.get("channel") or None,
            "type": data.get("type") or None,
            "created_after": data.get("created_after"),
            "created_before": data.get("created_before"),
            "flag": data.get("flag") or None,
        }


def queue_name(value: str | None) -> str:
    return value if value in QUEUES else "open"


# -- bulk actions ------------------------------------------------------------------------------

BULK_ACTIONS = [
    ("assign", "Assign to"),
    ("status", "Set status"),
    ("priority", "Set priority"),
    ("team", "Move to team"),
    ("escalate", "Escalate (tier)"),
    ("watch", "Add a watcher"),
    ("merge", "Merge into one"),
    ("close", "Close"),
]


class NumberList(forms.Field):
    """The ticket numbers of the ticked rows (`ticket=T-1&ticket=T-2`), as strings."""

    widget = forms.MultipleHiddenInput

    def to_python(self, value: Any) -> list[str]:
        if not value:
            return []
        items = value if isinstance(value, list | tuple) else [value]
        return [str(v).strip() for v in items if str(v).strip()]


class PersonChoiceField(forms.ChoiceField):
    """A person among `people` (read once and shared by several pickers of one form), chosen
    by public id; cleans to the User or None."""

    def __init__(self, *, empty_label: str, **kwargs: Any) -> None:
        super().__init__(choices=[("", empty_label)], required=False, widget=QuickSelect, **kwargs)
        self.empty_label = empty_label
        self.people: dict[str, User] = {}

    def set_people(self, people: list[User]) -> None:
        self.people = {p.public_id: p for p in people}
        label = AgentChoiceField.label_from_instance
        self.choices = [("", self.empty_label), *((p.public_id, label(self, p)) for p in people)]

    def clean(self, value: Any) -> User | None:  # type: ignore[override]
        value = super().clean(value)
        return self.people.get(value) if value else None


class BulkForm(forms.Form):
    """A bulk action of the queue or search page: the ticked rows (`ticket`) or every ticket
    matching the page's filter (`all_matching` with `query`, the page's query string), the
    action and its arguments (those the action does not use are ignored)."""

    action = forms.ChoiceField(choices=BULK_ACTIONS, widget=QuickSelect)
    ticket = NumberList(required=False)
    all_matching = forms.BooleanField(required=False)
    query = forms.CharField(required=False, widget=forms.HiddenInput)
    assignee = PersonChoiceField(empty_label="Nobody (unassigned)")
    team = forms.ModelChoiceField(
        queryset=Team.objects.all(),
        to_field_name="slug",
        required=False,
        empty_label="Keep team",
        widget=QuickSelect,
    )
    status = forms.ChoiceField(
        choices=[("", "—"), *((s.value, s.label) for s in WORKING_STATUSES)],
        required=False,
        widget=QuickSelect,
    )
    priority = forms.ChoiceField(
        choices=[("", "—"), *PRIORITY_CHOICES], required=False, widget=QuickSelect
    )
    tier = forms.ChoiceField(
        choices=[("", "—"), *ESCALATION_TIERS], required=False, widget=QuickSelect
    )
    symptoms = forms.CharField(required=False, widget=_textarea(2))
    steps_tried = forms.CharField(required=False, widget=_textarea(2), label="Steps tried")
    impact = forms.CharField(required=False, widget=_textarea(2))
    watcher = PersonChoiceField(empty_label="—")
    into = forms.CharField(required=False, max_length=20, label="Merge into (ticket number)")
    reason = forms.CharField(required=False, max_length=1000)

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        people = list(agents().order_by("full_name", "id"))  # one query for both pickers
        self.fields["assignee"].set_people(people)
        self.fields["watcher"].set_people(people)

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if not data.get("all_matching") and not data.get("ticket"):
            raise forms.ValidationError("Tick some tickets first, or all matching.")
        return data

    def service_args(self) -> dict[str, Any]:
        """The keyword arguments of `services.bulk_apply` for the chosen action."""
        data = self.cleaned_data
        return {
            key: data.get(key)
            for key in (
                "assignee",
                "team",
                "status",
                "priority",
                "tier",
                "symptoms",
                "steps_tried",
                "impact",
                "watcher",
                "into",
                "reason",
            )
        }


# -- intake ------------------------------------------------------------------------------------


class IntakeForm(forms.Form):
    """One form for a phone call or a walk-up: the ticket, the call, and (optionally) the fix.

    The requester and site pickers hold the contacts and sites of the chosen client only.
    """

    organization = forms.ModelChoiceField(
        queryset=Organization.objects.none(), to_field_name="slug", label="Client"
    )
    requester = ContactChoiceField(queryset=User.objects.none(), to_field_name="public_id")
    site = SiteChoiceField(
        queryset=Site.objects.none(),
        to_field_name="public_id",
        required=False,
        empty_label="The requester's site",
    )
    channel = forms.ChoiceField(
        choices=[(Channel.PHONE, Channel.PHONE.label), (Channel.WALK_UP, Channel.WALK_UP.label)],
        initial=Channel.PHONE,
        widget=forms.RadioSelect,
    )
    subject = forms.CharField(max_length=250)
    description = forms.CharField(required=False, widget=_textarea(4))
    priority = forms.ChoiceField(choices=PRIORITY_CHOICES, initial=Priority.P3.label)
    type = forms.ChoiceField(choices=TicketType.choices, initial=TicketType.INCIDENT)
    minutes = forms.IntegerField(
        min_value=0, max_value=MAX_CALL_MINUTES, initial=5, label="Call minutes"
    )
    resolution = forms.CharField(
        required=False,
        widget=_textarea(2),
        label="Resolved on this call",
        help_text="Fill in to resolve now (first-contact resolution).",
    )

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["organization"].queryset = organizations_visible_to(user)
        organization = self.selected_organization()
        if organization is not None:
            self.fields["requester"].queryset = contacts_of(user, organization)
            self.fields["site"].queryset = Site.objects.filter(organization=organization)

    def selected_organization(self) -> Organization | None:
        """The client named by the submitted (or initial) data, if this agent serves it."""
        slug = self.data.get("organization") if self.is_bound else self.initial.get("organization")
        if not slug:
            return None
        return organizations_visible_to(self.user).filter(slug=slug).first()


def contacts_of(user: User, organization: Organization) -> QuerySet[User]:
    """The people of `organization` that `user` may pick as requester."""
    return (
        users_visible_to(user)
        .filter(organization=organization)
        .select_related("site")
        .order_by("full_name", "email")
    )


# -- ticket actions ----------------------------------------------------------------------------


class TicketActionForm(forms.Form):
    """Base of the forms on the ticket page; `ticket` and `user` narrow the choices.

    `version` (hidden) is the ticket's version the page was rendered from: the services refuse
    an action based on a stale copy (`services.versions`). Absent (an old page, a script), no
    check is made."""

    version = forms.IntegerField(
        required=False, min_value=0, max_value=2**63 - 1, widget=forms.HiddenInput
    )

    def __init__(self, *args: Any, ticket: Ticket, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.ticket = ticket
        self.user = user


class ReplyForm(TicketActionForm):
    body = forms.CharField(widget=_textarea(4), label="Reply to the customer")
    attachments = MultipleFileField(label="Files")


class NoteForm(TicketActionForm):
    body = forms.CharField(widget=_textarea(4), label="Internal note")
    attachments = MultipleFileField(label="Files")


class CallForm(TicketActionForm):
    minutes = forms.IntegerField(min_value=0, max_value=MAX_CALL_MINUTES, initial=5)
    body = forms.CharField(widget=_textarea(3), label="Summary")
    inbound = forms.BooleanField(required=False, initial=True, label="The customer called us")


class AssignForm(TicketActionForm):
    assignee = AgentChoiceField(
        queryset=User.objects.none(),
        to_field_name="public_id",
        required=False,
        empty_label="Nobody (unassigned)",
    )
    team = forms.ModelChoiceField(
        queryset=Team.objects.all(), to_field_name="slug", required=False, empty_label="Keep team"
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["assignee"].queryset = agents_serving(self.ticket.organization)
        if not self.is_bound:
            self.initial.setdefault(
                "assignee", self.ticket.assignee.public_id if self.ticket.assignee_id else None
            )


class EscalateForm(TicketActionForm):
    tier = forms.ChoiceField(choices=ESCALATION_TIERS)
    team = forms.ModelChoiceField(
        queryset=Team.objects.exclude(tier=Tier.L1),
        to_field_name="slug",
        required=False,
        empty_label="No team",
    )
    assignee = AgentChoiceField(
        queryset=User.objects.none(),
        to_field_name="public_id",
        required=False,
        empty_label="Nobody yet",
    )
    symptoms = forms.CharField(widget=_textarea(2))
    steps_tried = forms.CharField(widget=_textarea(2), label="Steps already tried")
    impact = forms.CharField(widget=_textarea(2))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["assignee"].queryset = agents_serving(self.ticket.organization).exclude(
            tier=Tier.L1
        )


def _message_to_customer() -> forms.CharField:
    """The reason of a status change, reopen or close: written on the timeline as a public
    event, so the label says plainly who reads it."""
    return forms.CharField(
        required=False,
        max_length=500,
        label="Message to the customer (optional)",
        help_text="The customer sees this in the portal.",
    )


class StatusForm(TicketActionForm):
    status = forms.ChoiceField(choices=[(s, s.label) for s in WORKING_STATUSES])
    reason = _message_to_customer()


class ResolveForm(TicketActionForm):
    resolution = forms.CharField(widget=_textarea(3), help_text="The customer sees this.")


class ReasonForm(TicketActionForm):
    """Reopen and close: the reason is a public message."""

    reason = _message_to_customer()


class MergeForm(TicketActionForm):
    target = forms.CharField(max_length=20, label="Merge into ticket number")

    def clean_target(self) -> Ticket:
        number = self.cleaned_data["target"]
        pk = parse_number(number)
        target = visible_tickets(self.user).filter(pk=pk).first() if pk else None
        if target is None:
            raise forms.ValidationError(f"There is no ticket {number}.")
        return target


class EditForm(TicketActionForm):
    subject = forms.CharField(max_length=250)
    priority = forms.ChoiceField(choices=PRIORITY_CHOICES)
    type = forms.ChoiceField(choices=TicketType.choices)
    site = SiteChoiceField(
        queryset=Site.objects.none(), to_field_name="public_id", required=False, empty_label="None"
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        ticket = self.ticket
        self.fields["site"].queryset = Site.objects.filter(organization_id=ticket.organization_id)
        if not self.is_bound:
            self.initial.update(
                subject=ticket.subject,
                priority=ticket.priority_label,
                type=ticket.type,
                site=ticket.site.public_id if ticket.site_id else None,
            )

    def changes(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "subject": data["subject"],
            "priority": int(Priority.from_label(data["priority"])),
            "type": data["type"],
            "site": data["site"],
        }


class WatcherChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: User) -> str:
        who = "agent" if obj.is_agent else "contact"
        return f"{obj.get_full_name()} ({who})"


class WatchersForm(TicketActionForm):
    """Replace the watchers: agents who serve the ticket's client and its contacts (and whoever
    watches already, so saving the form never drops them unasked)."""

    watchers = WatcherChoiceField(
        queryset=User.objects.none(),
        to_field_name="public_id",
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 6}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        ticket = self.ticket
        self.fields["watchers"].queryset = users_visible_to(self.user).filter(
            Q(pk__in=agents_serving(ticket.organization).values("pk"))
            | Q(kind=User.Kind.CUSTOMER, organization_id=ticket.organization_id)
            | Q(pk__in=[u.pk for u in ticket.watchers.all()])
        )
        if not self.is_bound:
            self.initial["watchers"] = [u.public_id for u in self.ticket.watchers.all()]


class CallIntakeForm(IntakeForm):
    """Log a call with caller look-up: the requester is a known contact, or, when nobody
    matched, a new contact taken down on the call (name, email, phone; the client and site
    fields above are theirs). `q` is the look-up box, kept so an error page shows it again."""

    q = forms.CharField(required=False, max_length=100, label="Find the caller")
    contact_name = forms.CharField(required=False, max_length=200, label="Contact name")
    contact_email = forms.CharField(required=False, max_length=254, label="Contact email")
    contact_phone = forms.CharField(required=False, max_length=50, label="Contact phone")

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, user=user, **kwargs)
        self.fields["requester"].required = False
        self.fields["requester"].empty_label = "A new contact (below)"
        self.fields["contact_email"].widget.input_type = "email"
        self.fields["contact_phone"].widget.input_type = "tel"
        # The only client an agent serves needs no choosing.
        clients = self.fields["organization"].queryset
        if not self.is_bound and not self.initial.get("organization"):
            only = list(clients[:2])
            if len(only) == 1:
                self.initial["organization"] = only[0].slug
                self.fields["requester"].queryset = contacts_of(user, only[0])
                self.fields["site"].queryset = Site.objects.filter(organization=only[0])

    def is_new_contact(self) -> bool:
        """Whether the caller is to be added (no requester chosen, some contact detail given)."""
        data = self.cleaned_data if hasattr(self, "cleaned_data") else {}
        return not data.get("requester") and any(
            data.get(name) for name in ("contact_name", "contact_email", "contact_phone")
        )

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if not data.get("requester") and not self.has_error("requester"):
            if not self.is_new_contact():
                self.add_error("requester", "Choose the caller, or take down a new contact below.")
            else:
                for name, what in (("contact_name", "a name"), ("contact_email", "an email")):
                    if not data.get(name, "").strip():
                        self.add_error(name, f"A new contact needs {what}.")
        return data
