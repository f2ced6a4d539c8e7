"""The text of outgoing mail: built-in defaults, an admin's edited version (`MailTemplate`)
when there is one, rendered with Django's template language without HTML escaping (the mails
are plain text). Saving and resetting a text are services (deskside.mail.services).

The variables (`VARIABLES`) are plain values, never model objects: a template cannot reach a
ticket's internal notes or a user's fields.
"""

from dataclasses import dataclass
from typing import Any

from django.template import Context, Engine

from deskside.mail.models import MailKind, MailTemplate

VARIABLES: list[tuple[str, str]] = [
    ("ticket.number", "the ticket number, e.g. T-10423"),
    ("ticket.subject", "the ticket's subject"),
    ("ticket.priority_label", "P1, P2, P3 or OPS"),
    ("ticket.status", "the status, e.g. Resolved"),
    ("ticket.organization", "the client's name"),
    ("ticket.site", "the site's name, or empty"),
    ("requester_name", "who asked"),
    ("agent_name", "who wrote the reply or resolved the ticket"),
    ("body", "the reply or the resolution text"),
    ("ticket_url", "the ticket in the customer portal"),
    ("desk_name", "DESKSIDE_DESK_NAME"),
    ("reopen_days", "days a reply to a resolved ticket still reopens it"),
    ("survey", "resolution notice: the satisfaction survey's links, or empty"),
]
ENGINE = Engine(autoescape=False, builtins=["django.template.defaulttags"])


@dataclass(frozen=True)
class Text:
    subject: str
    body: str


DEFAULTS: dict[str, Text] = {
    MailKind.ACKNOWLEDGEMENT: Text(
        subject="[{{ ticket.number }}] {{ ticket.subject }}",
        body=(
            "Hello {{ requester_name }},\n\n"
            "we have received your request and opened ticket {{ ticket.number }} for it "
            "(priority {{ ticket.priority_label }}). A technician will answer you here.\n\n"
            "To add information, reply to this mail and keep [{{ ticket.number }}] in the "
            "subject. You can also follow the ticket in the portal:\n{{ ticket_url }}\n\n"
            "-- \n{{ desk_name }}\n"
        ),
    ),
    MailKind.REPLY: Text(
        subject="Re: [{{ ticket.number }}] {{ ticket.subject }}",
        body=(
            "{{ body }}\n\n"
            "-- \n{{ agent_name }}, {{ desk_name }}\n"
            "Ticket {{ ticket.number }}: {{ ticket_url }}\n"
        ),
    ),
    MailKind.RESOLUTION: Text(
        subject="Re: [{{ ticket.number }}] {{ ticket.subject }} (resolved)",
        body=(
            "Hello {{ requester_name }},\n\n"
            "{{ agent_name }} has resolved ticket {{ ticket.number }}:\n\n"
            "{{ body }}\n\n"
            "If the problem is not solved, reply to this mail within {{ reopen_days }} days "
            "and the ticket reopens.\n\n"
            "{% if survey %}{{ survey }}\n\n{% endif %}"
            "-- \n{{ desk_name }}\n{{ ticket_url }}\n"
        ),
    ),
}

SAMPLE: dict[str, Any] = {
    "ticket": {
        "number": "T-10423",
        "subject": "Printer on floor 2 jams",
        "priority_label": "P3",
        "status": "Resolved",
        "organization": "Acme Corp",
        "site": "HQ",
    },
    "requester_name": "Dana Customer",
    "agent_name": "Sam Agent",
    "body": "We replaced the fuser unit; please try again.",
    "ticket_url": "https://desk.example.com/portal/tickets/T-10423/",
    "desk_name": "IT Service Desk",
    "reopen_days": 14,
    "survey": "How did we do? Good: https://desk.example.com/surveys/answer/x/good/",
}


def current(kind: str) -> Text:
    """The text in force for `kind`: the admin's version, else the default."""
    row = MailTemplate.objects.filter(kind=kind).first()
    return Text(row.subject, row.body) if row else DEFAULTS[kind]


def version_of(kind: str) -> int:
    """The version of the text in force: the edited one's, 0 for the built-in text."""
    return MailTemplate.objects.filter(kind=kind).values_list("version", flat=True).first() or 0


def render(text: Text, context: dict[str, Any]) -> Text:
    ctx = Context(context)
    subject = " ".join(ENGINE.from_string(text.subject).render(ctx).split())
    return Text(subject[:250], ENGINE.from_string(text.body).render(ctx))


def check(subject: str, body: str) -> str:
    """The error that keeps the two texts from rendering with sample values, or ""."""
    try:
        render(Text(subject, body), SAMPLE)
    except Exception as exc:  # a syntax error, an unknown tag or filter, an {% include %} ...
        return str(exc) or type(exc).__name__
    return ""
