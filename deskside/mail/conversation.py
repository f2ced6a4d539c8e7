"""Who is in a ticket's conversation by mail (docs/email.md, "Who may join a ticket by
mail"): the people a customer's mail may join a ticket as. The mail pipeline asks
`in_conversation` before it lets a customer's message into a ticket it names, and records the
To/Cc addresses of each verified message (`record_participants`)."""

from deskside.accounts.models import User
from deskside.mail.addresses import directory
from deskside.mail.models import MailParticipant, OutboundMail
from deskside.mail.parse import ParsedMail
from deskside.tickets.models import EventKind, Ticket


def record_participants(ticket: Ticket, parsed: ParsedMail) -> None:
    """The To/Cc addresses of a verified message join its ticket's conversation (the desk's
    own addresses aside)."""
    own = directory.own_addresses()
    known = set(MailParticipant.objects.filter(ticket=ticket).values_list("address", flat=True))
    for address in dict.fromkeys(a.lower() for a in parsed.recipients):
        if address and address not in own and address not in known:
            MailParticipant.objects.create(ticket=ticket, address=address)


def in_conversation(user: User, ticket: Ticket) -> bool:
    """Whether a customer is in a ticket's conversation, so may join it by mail: a contact of
    its client who is its requester, a watcher or an organisation admin, or whose address the
    desk wrote to about it (`OutboundMail`) or was in To/Cc of a message on it
    (`MailParticipant`); for a ticket others were merged into, theirs count too."""
    if not user.is_customer or user.organization_id != ticket.organization_id:
        return False
    if ticket.requester_id == user.pk or user.is_org_admin:
        return True
    if ticket.watchers.filter(pk=user.pk).exists():
        return True
    if removed_by_agent(user, ticket):
        return False
    address = (user.email or "").strip().lower()
    if not address:
        return False
    pks = [ticket.pk, *Ticket.objects.filter(merged_into=ticket).values_list("pk", flat=True)]
    if MailParticipant.objects.filter(ticket_id__in=pks, address=address).exists():
        return True
    sent = OutboundMail.objects.filter(ticket_id__in=pks).values_list("recipients", flat=True)
    return any(address in {a.strip().lower() for a in to.split(",")} for to in sent)


def removed_by_agent(user: User, ticket: Ticket) -> bool:
    """Whether an agent's last change of the ticket's watchers that named `user` removed them:
    then mail the desk once sent them, or a reply token of theirs, no longer lets them back in
    (the agent decided they should not follow it)."""
    changes = ticket.events.filter(kind=EventKind.WATCHERS, actor__isnull=False).order_by("-pk")
    for data in changes.values_list("data", flat=True).iterator():
        if user.pk in (data or {}).get("removed_ids", ()):
            return True
        if user.pk in (data or {}).get("added_ids", ()):
            return False
    return False
