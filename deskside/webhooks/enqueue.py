"""Queueing deliveries: the outbox half of outbound webhooks.

`event_written` (a handler on the tickets' event hook for the kinds of
payloads.EVENT_FOR_KIND, registered in WebhooksConfig.ready, as the mail outbox is) writes one
`Delivery` per active webhook that subscribes to the event and whose scope covers the ticket,
in the event's own transaction: a delivery exists exactly when its
event committed, and a rolled-back change sends nothing. It never sends: the worker does, so
the request that caused the event never waits for a receiver.

Cheap on the hot path: the active webhooks are kept in memory (`registry`) and an event kind
nobody subscribes to returns before any query. The list is dropped whenever a Webhook is
saved or deleted in this process and re-read at most REFRESH_SECONDS later in the others (a
web server runs several processes; a webhook created in one reaches the others within that
time). The setting DESKSIDE_WEBHOOKS_REFRESH_SECONDS changes that time; None turns the timed
re-read off (one process, as in the tests, where saves alone keep the list right).

SLA warnings and breaches reach webhooks too (`ticket.sla_warning`, `ticket.sla_breached`):
the SLA worker writes them with one raw INSERT and hands them to the hook without ids, so
their deliveries have no `ticket_event` link (the payload carries everything). `wants` lets
the worker skip building them when no webhook subscribes.
"""

import time
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import transaction

from deskside.tickets.timeline import Happened
from deskside.webhooks import payloads
from deskside.webhooks.models import Delivery, Webhook

REFRESH_SECONDS = 15.0


@dataclass(frozen=True)
class Subscription:
    pk: int
    organization_id: int | None
    team_id: int | None
    events: frozenset[str]

    @property
    def internal(self) -> bool:
        return self.organization_id is None

    def covers(self, event: str, organization_id: int, team_id: int | None) -> bool:
        return (
            event in self.events
            and self.organization_id in (None, organization_id)
            and (self.team_id is None or self.team_id == team_id)
        )


class _Registry:
    """The active webhooks of the site, in memory (see the module docstring)."""

    def __init__(self) -> None:
        # One attribute holding (subscriptions, events) so that a reader never pairs one
        # load's list with another's events; None when it must be read again.
        self._loaded: tuple[list[Subscription], frozenset[str]] | None = None
        self._loaded_at = 0.0

    def forget(self, *args: object, **kwargs: object) -> None:
        self._loaded = None
        # A change inside a transaction is read again once it committed, not before.
        if transaction.get_connection().in_atomic_block:
            transaction.on_commit(self._drop)

    def _drop(self) -> None:
        self._loaded = None

    def subscriptions(self) -> tuple[list[Subscription], frozenset[str]]:
        """The active webhooks and the union of their events. Safe with threads: another
        thread may drop the list at any moment, so this returns what it read or loaded into
        local variables, never the attribute read again."""
        refresh = getattr(settings, "DESKSIDE_WEBHOOKS_REFRESH_SECONDS", REFRESH_SECONDS)
        loaded = self._loaded
        stale = refresh is not None and time.monotonic() - self._loaded_at > refresh
        if loaded is None or stale:
            rows = Webhook.objects.filter(is_active=True, deleted_at__isnull=True).values_list(
                "pk", "organization_id", "team_id", "events"
            )
            subs = [
                Subscription(pk, org, team, frozenset(events)) for pk, org, team, events in rows
            ]
            events = frozenset().union(*(s.events for s in subs)) if subs else frozenset()
            loaded = (subs, events)
            self._loaded = loaded
            self._loaded_at = time.monotonic()
        return loaded


registry = _Registry()


def wants(kind: str) -> bool:
    """Whether any active webhook subscribes to events of `kind` now (a cheap check the bulk
    paths ask once per batch)."""
    name = payloads.EVENT_FOR_KIND.get(kind)
    return name is not None and name in registry.subscriptions()[1]


def event_written(happened: Happened) -> None:
    """Queue a delivery of the event to every webhook that wants it (module docstring)."""
    instance = happened.event
    name = payloads.EVENT_FOR_KIND.get(happened.kind)
    if name is None:
        return
    subscriptions, wanted = registry.subscriptions()
    if name not in wanted:
        return
    ticket = instance.ticket
    matching = [s for s in subscriptions if s.covers(name, ticket.organization_id, ticket.team_id)]
    if not matching:
        return
    bodies: dict[bool, dict[str, Any]] = {}
    rows = []
    for sub in matching:
        if sub.internal not in bodies:
            bodies[sub.internal] = payloads.for_event(instance, internal=sub.internal)
        delivery = Delivery(
            webhook_id=sub.pk,
            ticket_event_id=instance.pk,  # None for an event a raw-SQL bulk path wrote
            event=name,
            organization_id=ticket.organization_id,
            internal=sub.internal,
            next_attempt_at=instance.created_at,
        )
        delivery.payload = {"id": delivery.public_id, **bodies[sub.internal]}
        rows.append(delivery)
    Delivery.objects.bulk_create(rows)
