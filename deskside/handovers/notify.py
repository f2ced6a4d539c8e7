"""Who a handover tells, and what: stakeholder tags and reminders become `Notice` outbox rows
(sent by `deskside.handovers.delivery`), written in the transaction that caused them.

- A tag (`@emailLocalPart`, parsed by `deskside.notifications.mentions`, the notes' parser)
  in the overall notes, a ticket note or feedback notifies that agent once per note (the
  unique (handover, source, person, channel) row: editing the overall notes again does not
  tell the same person twice). A ticket note's tag reaches only agents serving the ticket's
  client. The actor is never told of their own tag.
- A reminder goes to the incoming people (none named: the team's members who were not
  outgoing), or to the team's lead.

Each person is reached by mail at their account's address and through each of their active
paging contact methods (the paging app's: an email address or an Apprise URL), an email
method with the account's own address skipped (one mail, not two).
"""

from django.db.models import Exists, OuterRef
from django.urls import reverse

from deskside.accounts.models import User
from deskside.core.baseurl import base_url
from deskside.handovers.models import Handover, Notice, Reminder
from deskside.notifications import mentions
from deskside.paging.models import ContactMethod
from deskside.tickets.models import Ticket


def link(handover: Handover) -> str:
    return base_url() + reverse("handovers:detail", args=[handover.public_id])


def _channels(user_ids: list[int]) -> list[tuple[int, str]]:
    """(user id, channel) for each person: "account", then "cm:<id>" per active method."""
    users = dict(User.objects.filter(pk__in=user_ids).values_list("pk", "email"))
    out = [(pk, "account") for pk in sorted(users)]
    methods = ContactMethod.objects.filter(user_id__in=users, is_active=True).order_by(
        "user_id", "position", "id"
    )
    for method in methods:
        if method.kind == ContactMethod.Kind.EMAIL and method.address.lower() == (
            users[method.user_id].lower()
        ):
            continue
        out.append((method.user_id, f"cm:{method.pk}"))
    return out


def _queue(
    handover: Handover, user_ids: list[int], *, reason: str, source: str, subject: str, body: str
) -> int:
    rows = [
        Notice(
            handover=handover,
            recipient_id=pk,
            reason=reason,
            source=source,
            channel=channel,
            subject=subject[:250],
            body=body,
        )
        for pk, channel in _channels(user_ids)
    ]
    Notice.objects.bulk_create(rows, ignore_conflicts=True)
    return len(rows)


def tagged(
    handover: Handover, actor: User, text: str, *, source: str, ticket: Ticket | None = None
) -> int:
    """Queue the notices of the agents `text` tags (see the module docstring)."""
    ids = set(mentions.agents_named(mentions.names(text)).values()) - {actor.pk}
    if not ids:
        return 0
    if ticket is not None:
        served = User.served_organizations.through.objects.filter(user_id=OuterRef("pk"))
        ids = set(
            User.objects.filter(pk__in=ids)
            .filter(~Exists(served) | Exists(served.filter(organization_id=ticket.organization_id)))
            .values_list("pk", flat=True)
        )
    about = f" on {ticket.number}" if ticket is not None else ""
    subject = f"{actor.get_full_name()} tagged you in the {handover.team} handover{about}"
    body = (
        f"{subject} ({handover.ending} -> {handover.starting}, "
        f"{handover.at:%Y-%m-%d %H:%M} UTC):\n\n{text[:4000]}\n\n"
        f"Open the handover: {link(handover)}"
    )
    return _queue(
        handover,
        sorted(ids),
        reason=Notice.Reason.MENTION,
        source=source,
        subject=subject,
        body=body,
    )


def recipients(handover: Handover, stage: str) -> list[int]:
    """Who a reminder of `stage` goes to (see the module docstring)."""
    if stage == Reminder.Stage.LEAD:
        return [handover.team.lead_id] if handover.team.lead_id else []
    incoming = list(handover.incoming.filter(is_active=True).values_list("pk", flat=True))
    if incoming:
        return incoming
    outgoing = handover.outgoing.values("pk")
    return list(
        handover.team.members.filter(is_active=True, kind=User.Kind.AGENT)
        .exclude(pk__in=outgoing)
        .values_list("pk", flat=True)
    )


def remind(handover: Handover, stage: str) -> int:
    """Queue the notices of one reminder (in the claiming transaction)."""
    who = recipients(handover, stage)
    if not who:
        return 0
    state = "not signed off yet" if handover.is_open else "signed off, not acknowledged"
    if stage == Reminder.Stage.LEAD:
        reason = Notice.Reason.REMIND_LEAD
        subject = f"Handover of {handover.team} not acknowledged ({state})"
    else:
        reason = Notice.Reason.REMIND_INCOMING
        subject = f"Please acknowledge the {handover.team} handover ({state})"
    body = (
        f"The {handover.team} handover from {handover.ending} to {handover.starting} "
        f"({handover.at:%Y-%m-%d %H:%M} UTC) is {state}.\n\nOpen it: {link(handover)}"
    )
    return _queue(
        handover, who, reason=reason, source=f"reminder:{stage}", subject=subject, body=body
    )
