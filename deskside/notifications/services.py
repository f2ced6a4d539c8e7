"""Notification verbs: mark one read, mark all read, set one's preferences. Keyword-only
arguments, the actor first, one transaction each. A person acts only on their own
notifications: someone else's is NotFound, as if it did not exist."""

from django.db import transaction

from deskside.accounts.models import User
from deskside.core import audit, clock
from deskside.notifications.exceptions import InvalidInput, NotAllowed, NotFound
from deskside.notifications.models import (
    UNREAD,
    Channel,
    Kind,
    Notification,
    NotificationPreference,
)
from deskside.notifications.queries import notification_for, preferences_of


def _require_agent(actor: User) -> None:
    if not actor.is_agent or not actor.is_active:
        raise NotAllowed("notifications are for agents")


@transaction.atomic
def mark_read(*, actor: User, notification_id: int) -> Notification:
    """Mark one of the actor's notifications read (already read: unchanged, no error).
    Raises NotAllowed (not an agent), NotFound (no such notification of theirs)."""
    _require_agent(actor)
    notification = notification_for(actor, notification_id)
    if notification is None:
        raise NotFound(f"no notification {notification_id}")
    if notification.read_at is None:
        now = clock.now()
        # Conditional: two tabs marking the same row keep the first time.
        Notification.objects.filter(UNREAD, pk=notification.pk).update(read_at=now)
        notification.read_at = now
    return notification


@transaction.atomic
def mark_all_read(*, actor: User) -> int:
    """Mark every unread notification of the actor read; returns how many."""
    _require_agent(actor)
    return Notification.objects.filter(UNREAD, recipient=actor).update(read_at=clock.now())


@transaction.atomic
def set_preferences(*, actor: User, channels: dict[str, str]) -> dict[str, str]:
    """Set how the actor hears of each kind named in `channels` ({kind: channel}); the kinds
    not named keep theirs. Writes an audit entry of what changed. Returns every kind's
    channel. Raises InvalidInput (an unknown kind or channel, naming it), NotAllowed."""
    _require_agent(actor)
    for kind, channel in channels.items():
        if kind not in Kind.values:
            raise InvalidInput(f"no notification kind {kind!r}", field="kind")
        if channel not in Channel.values:
            raise InvalidInput(f"no channel {channel!r} (page, mail, both, none)", field=kind)
    before = preferences_of(actor)
    now = clock.now()
    for kind, channel in channels.items():
        if before[kind] != channel:
            NotificationPreference.objects.update_or_create(
                user=actor, kind=kind, defaults={"channel": channel, "updated_at": now}
            )
    after = {**before, **channels}
    audit.record_update(
        actor,
        "notification_preferences",
        actor.public_id,
        label=f"Notification preferences of {actor.get_full_name()}",
        before=before,
        after=after,
    )
    return after
