"""Who may see which mail: the one definition the mail pages, the API and the download of a
message's original all use.

- Received messages (`messages_visible_to`): an agent sees the messages of the tickets of the
  clients they serve (every client's when not limited to some) and every message that made
  no ticket (held in quarantine, automatic mail), so that quarantine can be worked.
- Outgoing mail (`outbox_visible_to`): an agent sees the mail of those tickets.
- The original of a message (`original_for`): an agent for a message they can see that has a
  ticket; an administrator for a message without one; a customer for a message of their own
  (sent from their address) that became, or joined, a ticket they can see.

Customers see no list of mail; a user who is not active sees nothing.
"""

from django.db.models import BooleanField, ExpressionWrapper, Q, QuerySet

from deskside.accounts.models import User
from deskside.accounts.permissions import is_admin, is_agent
from deskside.accounts.queries import served_organization_ids
from deskside.mail.models import InboundMessage, OutboundMail, Outcome
from deskside.tickets.queries import visible_tickets

# What a customer may download: the messages that became their ticket or a reply on it.
CUSTOMER_OUTCOMES = (Outcome.CREATED, Outcome.APPENDED, Outcome.FOLLOW_UP)


def _served(user: User, qs: QuerySet, *, ticketless: bool) -> QuerySet:
    """Rows of `qs` about tickets of the clients the agent `user` serves (and, with
    `ticketless`, the rows without a ticket). A join on the ticket, not a subquery of
    `visible_tickets`: the same rows for an agent, and the lists stay one simple query."""
    ids = served_organization_ids(user)
    if ids is None:
        return qs
    served = Q(ticket__organization_id__in=ids)
    return qs.filter(served | Q(ticket__isnull=True) if ticketless else served)


def messages_visible_to(user: User) -> QuerySet[InboundMessage]:
    """The received messages `user` may list (see the module docstring); none for a customer."""
    if not is_agent(user):
        return InboundMessage.objects.none()
    return _served(user, InboundMessage.objects.all(), ticketless=True)


def message_rows(user: User) -> QuerySet[InboundMessage]:
    """`messages_visible_to(user)` as the lists show them: newest first, with their mailbox,
    ticket and handler, without the HTML (only whether there is some, as `has_html`)."""
    return (
        messages_visible_to(user)
        .select_related("mailbox", "ticket", "handled_by")
        .defer("html")
        .annotate(has_html=ExpressionWrapper(~Q(html=""), output_field=BooleanField()))
        .order_by("-id")
    )


def outbox_visible_to(user: User) -> QuerySet[OutboundMail]:
    """The outgoing mail `user` may list: that of the tickets of the clients an agent serves;
    none for a customer."""
    if not is_agent(user):
        return OutboundMail.objects.none()
    return _served(user, OutboundMail.objects.all(), ticketless=False)


def original_for(user: User, public_id: str) -> InboundMessage | None:
    """The received message `public_id` if `user` may read its original (its raw .eml, its
    HTML), else None: the caller answers 404 either way, so that a message's existence does
    not leak."""
    if not (user.is_authenticated and user.is_active):
        return None
    if user.is_agent:
        message = (
            messages_visible_to(user).select_related("ticket").filter(public_id=public_id).first()
        )
        if message is None or (message.ticket_id is None and not is_admin(user)):
            return None
        return message
    if not user.email:
        return None
    message = (
        InboundMessage.objects.select_related("ticket")
        .filter(
            public_id=public_id,
            outcome__in=CUSTOMER_OUTCOMES,
            ticket__in=visible_tickets(user).values("pk"),
        )
        .first()
    )
    # Compared here, not with `iexact`: SQLite folds the case of ASCII letters only.
    if message is None or message.sender.lower() != user.email.lower():
        return None
    return message
