"""The text of outgoing mail: built-in defaults, an admin's edited version (`MailTemplate`)
when there is one, rendered with Django's template language without HTML escaping (the mails
are plain text).

The variables (`VARIABLES`) are plain values, never model objects: a template cannot reach a
ticket's internal notes or a user's fields.
"""

from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import F
from django.template import Context, Engine

from deskside.core import clock, versioning
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
}


def current(kind: str) -> Text:
    """The text in force for `kind`: the admin's version, else the default."""
    row = MailTemplate.objects.filter(kind=kind).first()
    return Text(row.subject, row.body) if row else DEFAULTS[kind]


def version_of(kind: str) -> int:
    """The version of the text in force: the edited one's, 0 for the built-in text."""
    return MailTemplate.objects.filter(kind=kind).values_list("version", flat=True).first() or 0


def save(*, kind: str, subject: str, body: str, actor: Any, version: int | None) -> None:
    """Store the text of `kind` (the default text deletes the edited one), if the text in
    force is still the one the editor saw: `version` is its version, 0 for the built-in
    text, None not to check. Raises VersionConflict (with the version now in force, 0 for
    the built-in text) otherwise, so two admins editing at once never silently undo each
    other, and a text reset meanwhile is not brought back unseen."""
    default = DEFAULTS[kind]
    with transaction.atomic():
        row = MailTemplate.objects.select_for_update().filter(kind=kind).first()
        now_at = row.version if row else 0
        if version is not None and version != now_at:
            raise versioning.VersionConflict(now_at, "this text")
        if (subject, body) == (default.subject, default.body):
            MailTemplate.objects.filter(kind=kind).delete()  # the default, kept up to date
            return
        values = {"subject": subject, "body": body, "updated_at": clock.now(), "updated_by": actor}
        if row is not None:
            MailTemplate.objects.filter(pk=row.pk).update(**values, version=F("version") + 1)
            return
        try:
            with transaction.atomic():
                MailTemplate.objects.create(kind=kind, **values)
        except IntegrityError:  # another admin's first edit won (PostgreSQL, unlocked gap)
            raise versioning.VersionConflict(version_of(kind), "this text") from None


def reset(*, kind: str, version: int | None = None) -> bool:
    """Back to the built-in text (True if an edited one was deleted). With `version`, only
    the edited text the admin saw is deleted (VersionConflict if it changed since)."""
    with transaction.atomic():
        rows = MailTemplate.objects.select_for_update().filter(kind=kind)
        row = rows.first()
        if row is None:
            return False
        if version is not None and version != row.version:
            raise versioning.VersionConflict(row.version, "this text")
        rows.delete()
        return True


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
