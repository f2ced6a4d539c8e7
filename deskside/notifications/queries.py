"""Read side of notifications: a person reads only their own (agents only; a customer has
none), and only those about what they can still see: an agent limited to some clients
(`served_organizations`) who no longer serves a ticket's client does not see its
notifications any more (the subject is the client's data), nor those without a ticket that
are about a client's data (`Notification.organization`: a client's runbook due for review);
those about nobody's data (a global article) stay. Each read is one query over one index
range (see `models.Notification`). For an agent who serves every client that is all, and the
unread count can be an index-only count of the partial index. For a limited agent it is one
query more (which clients they serve), and each row in the range is checked against its
ticket's client (a primary-key look-up of the ticket) or its own `organization`, read from
the row: the page reads rows until it has its 50 visible ones, the unread count every unread
one (few: read ones leave the partial index).
"""

from django.db.models import Q, QuerySet

from deskside.accounts.models import User
from deskside.accounts.queries import served_organization_ids
from deskside.notifications.models import (
    DEFAULT_CHANNEL,
    UNREAD,
    Kind,
    Notification,
    NotificationPreference,
)
from deskside.tickets.models import Ticket


def notifications_of(user: User, *, unread: bool = False) -> QuerySet[Notification]:
    """`user`'s notifications, newest first (only the unread ones with `unread`)."""
    if not user.is_authenticated or not user.is_agent:
        return Notification.objects.none()
    qs = _still_visible(user, Notification.objects.filter(recipient=user))
    if unread:
        qs = qs.filter(UNREAD)
    return qs.select_related("actor").order_by("-id")


def _still_visible(user: User, qs: QuerySet[Notification]) -> QuerySet[Notification]:
    ids = served_organization_ids(user)
    if ids is None:
        return qs
    # Not about a ticket (an article's review): visible while about nobody's data (a global
    # article) or about a client the agent still serves.
    return qs.filter(
        Q(ticket__organization_id__in=ids)
        | Q(ticket__isnull=True) & (Q(organization__isnull=True) | Q(organization_id__in=ids))
    )


def notification_for(user: User, pk: int) -> Notification | None:
    """One of `user`'s notifications by id, or None (also for someone else's)."""
    return notifications_of(user).filter(pk=pk).first()


def unread_count(user: User) -> int:
    """How many of `user`'s notifications are unread (those `notifications_of` shows): a count
    over the partial index's range (see the module docstring)."""
    if not user.is_authenticated or not user.is_agent:
        return 0
    return _still_visible(user, Notification.objects.filter(UNREAD, recipient=user)).count()


def mentions_of(user: User, ticket: Ticket) -> QuerySet[Notification]:
    """The notes of `ticket` that mention `user` (through their mention notifications), oldest
    first. Served by the ticket's index: a ticket has few notifications."""
    if not user.is_authenticated or not user.is_agent:
        return Notification.objects.none()
    return (
        Notification.objects.filter(ticket=ticket, recipient=user, kind=Kind.MENTIONED)
        .select_related("actor")
        .order_by("id")
    )


def preferences_of(user: User) -> dict[str, str]:
    """{kind: channel} for every kind: the person's choice, or the default."""
    chosen = dict(NotificationPreference.objects.filter(user=user).values_list("kind", "channel"))
    return {kind: chosen.get(kind, DEFAULT_CHANNEL[kind]) for kind in Kind.values}
