"""The portal's forms and the plain words customers see for statuses and priorities.

Forms only parse and bound the input (a customer can pick only the priorities and sites the
services accept from them); the rules themselves stay in `tickets.services`, whose errors the
views put back on these forms.
"""

import uuid
from typing import Any

from django import forms

from deskside.accounts.models import Site, User
from deskside.accounts.queries import sites_visible_to
from deskside.core.forms import DomainErrors
from deskside.tickets.forms import MultipleFileField, SiteChoiceField
from deskside.tickets.models import Priority, Status, TicketType
from deskside.tickets.services import CUSTOMER_PRIORITIES, MAX_SUBJECT

STATUS_WORDS: dict[str, str] = {
    Status.NEW: "Received",
    Status.OPEN: "In progress",
    Status.PENDING_CUSTOMER: "Waiting for you",
    Status.PENDING_VENDOR: "Waiting on a supplier",
    Status.ON_HOLD: "On hold",
    Status.RESOLVED: "Resolved",
    Status.CLOSED: "Closed",
}

PRIORITY_WORDS: dict[int, str] = {
    Priority.P1: "Critical",
    Priority.P2: "High",
    Priority.P3: "Normal",
    Priority.OPS: "Routine",
}

TYPE_CHOICES = [
    (TicketType.INCIDENT.value, "Something is broken (incident)"),
    (TicketType.SERVICE_REQUEST.value, "I need something (service request)"),
]


def status_words(status: str) -> str:
    """The status as a customer reads it ("Waiting for you" rather than "pending_customer")."""
    return STATUS_WORDS.get(status, Status(status).label)


def priority_words(priority: int) -> str:
    """The priority with its code, e.g. "High (P2)"."""
    return f"{PRIORITY_WORDS[priority]} ({Priority(priority).label})"


class RequestForm(DomainErrors, forms.Form):
    """A new request from a customer. Only their organisation's sites and the priorities a
    customer may choose are offered, so a forged value fails as an invalid choice.

    `request_key` is a random key made when the form is first shown and sent back with it: it
    is the idempotency key of the create, so a double-click or a resent POST opens one ticket.
    """

    subject = forms.CharField(max_length=MAX_SUBJECT, strip=True)
    description = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 6}),
        required=False,
        help_text="What happened, since when, and who is affected.",
    )
    type = forms.ChoiceField(choices=TYPE_CHOICES, initial=TicketType.INCIDENT)
    priority = forms.TypedChoiceField(
        coerce=int,
        choices=[(int(p), priority_words(p)) for p in CUSTOMER_PRIORITIES],
        initial=int(Priority.P3),
        help_text="The desk sets Critical (P1) after a call: phone the desk for an outage.",
    )
    site = SiteChoiceField(
        queryset=Site.objects.none(), to_field_name="public_id", required=False, empty_label="—"
    )
    attachments = MultipleFileField(required=False)
    request_key = forms.CharField(widget=forms.HiddenInput, max_length=64, required=False)

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        kwargs.setdefault(
            "initial",
            {"site": user.site.public_id if user.site else None, "request_key": uuid.uuid4().hex},
        )
        super().__init__(*args, **kwargs)
        self.fields["site"].queryset = sites_visible_to(user).order_by("name")  # type: ignore[attr-defined]


class ReplyForm(DomainErrors, forms.Form):
    body = forms.CharField(widget=forms.Textarea(attrs={"rows": 4}), label="Your reply")
    attachments = MultipleFileField(required=False)


class AttachForm(DomainErrors, forms.Form):
    attachments = MultipleFileField(label="Files", required=True)


class ReasonForm(DomainErrors, forms.Form):
    reason = forms.CharField(max_length=2000, required=False, label="Why (optional)")
