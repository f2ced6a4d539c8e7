"""The one hook other apps use to react to what happens on a ticket (DESIGN.md, "Cross-app
reactions"). Re-exported by `deskside.tickets.timeline`; import it from there.

The rule: when something must happen in another app because of a ticket event (a reply ->
mail the customer, a ticket became P1 -> page someone, any event -> webhooks), that app
registers a handler here in its `AppConfig.ready()` with `on_event(kinds, handler, name=...)`.
No Django signals for domain logic: `tests/tickets/test_hooks.py` lists every handler and the
kinds it hears, so the wiring is visible in one place.

Who calls the handlers:

- `write_event` (timeline), for every event it writes, right after the row is created;
- every bulk path that writes events, through `events_written(events, kinds=...)`, declaring
  the kinds it may emit (an event of an undeclared kind is a programming error: ValueError).
  The SLA worker writes its warning and breach events with one raw INSERT and has no ids: it
  passes unsaved `TicketEvent` objects (pk None) carrying what the row holds.

Handlers run synchronously, in the caller's transaction, in the order they registered. They
write outbox rows (a mail, a webhook delivery, an escalation) that exist exactly when the event
commits; they never talk to the outside world. A handler that raises rolls the whole change
back, the event with it: the exception propagates to the service that wrote the event (as a
failing `post_save` receiver did before). Handlers must therefore only fail on real errors
(a broken database), never on "nothing to do" -- or, deliberately, as a guard: a handler that
raises a `DomainError` refuses the change (the work orders' QC gate refuses a RESOLVED event
of an incomplete work order), and every caller already shows a DomainError to the user.

Structured data: handlers decide from values, not display labels. A CHANGED event carries
`data["changes"]` (display labels, for people: {"priority": ["P3", "P1"]}) and
`data["values"]` (raw values: {"priority": {"old": 3, "new": 1}}, a related object as its pk);
`Happened.values(field)` reads the latter.
"""

from collections import defaultdict
from collections.abc import Callable, Collection, Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Final

from django.db import models

from deskside.tickets.models import EventKind, Ticket, TicketEvent


class _All:
    def __repr__(self) -> str:
        return "ALL"


ALL: Final = _All()
"""Every event kind (for `on_event`)."""


@dataclass(frozen=True, slots=True)
class Happened:
    """One event written on a ticket's timeline, as a handler receives it.

    `event` is the row. Written by a raw-SQL bulk path it is unsaved (`saved` is False, pk
    None) but carries everything the row holds (ticket id, kind, time, body, data)."""

    event: TicketEvent
    kind: EventKind

    @property
    def ticket(self) -> Ticket:
        return self.event.ticket

    @property
    def data(self) -> Mapping[str, Any]:
        data = self.event.data
        return data if isinstance(data, dict) else {}

    @property
    def saved(self) -> bool:
        return self.event.pk is not None

    def values(self, field: str) -> tuple[Any, Any] | None:
        """(old, new) raw values of `field` of a CHANGED event; None when it did not change."""
        value = (self.data.get("values") or {}).get(field)
        if not isinstance(value, dict):
            return None
        return value.get("old"), value.get("new")


Handler = Callable[[Happened], None]


@dataclass(frozen=True)
class Registration:
    name: str
    kinds: frozenset[EventKind]
    handler: Handler
    wants: Callable[[EventKind], bool] | None = None


_registrations: dict[str, Registration] = {}
_by_kind: dict[EventKind, tuple[Registration, ...]] = {}


def on_event(
    kinds: Iterable[EventKind | str] | _All,
    handler: Handler,
    *,
    name: str,
    wants: Callable[[EventKind], bool] | None = None,
) -> None:
    """Call `handler` for every event of `kinds` (or ALL) written from now on.

    `name` identifies the registration: registering the same name again replaces it (ready()
    may run more than once in tests). `wants(kind)` is an optional cheap check a bulk path asks
    once per batch before building anything ("does anyone subscribe to this kind right now?");
    the handler itself must still ignore what it does not want."""
    chosen = frozenset(EventKind) if isinstance(kinds, _All) else frozenset(map(EventKind, kinds))
    _registrations[name] = Registration(name, chosen, handler, wants)
    _rebuild()


def remove(name: str) -> None:
    """Drop a registration (tests)."""
    _registrations.pop(name, None)
    _rebuild()


def _rebuild() -> None:
    by_kind: dict[EventKind, list[Registration]] = defaultdict(list)
    for registration in _registrations.values():
        for kind in registration.kinds:
            by_kind[kind].append(registration)
    _by_kind.clear()
    _by_kind.update({kind: tuple(regs) for kind, regs in by_kind.items()})


def registrations() -> list[Registration]:
    """Every registered handler, in the order they are called."""
    return list(_registrations.values())


def event_written(event: TicketEvent) -> None:
    """Call the handlers of `event.kind` (write_event calls this after creating the row)."""
    kind = EventKind(event.kind)
    registered = _by_kind.get(kind)
    if not registered:
        return
    happened = Happened(event, kind)
    for registration in registered:
        registration.handler(happened)


def events_written(events: Iterable[TicketEvent], *, kinds: Collection[EventKind | str]) -> None:
    """Call the handlers of each of `events`, written by a bulk path that emits only `kinds`.

    Inside the transaction that wrote them. `events` may be a generator: it is not consumed
    when no handler hears (and wants) any of `kinds`, so a bulk path pays nothing for events
    nobody listens to."""
    declared = frozenset(map(EventKind, kinds))
    if not any(_wanted(kind) for kind in declared):
        return
    for event in events:
        kind = EventKind(event.kind)
        if kind not in declared:
            raise ValueError(f"a bulk path declared {sorted(declared)} and wrote {kind}")
        registered = _by_kind.get(kind)
        if not registered:
            continue
        happened = Happened(event, kind)
        for registration in registered:
            registration.handler(happened)


def _wanted(kind: EventKind) -> bool:
    return any(r.wants is None or r.wants(kind) for r in _by_kind.get(kind, ()))


def raw_value(value: Any) -> Any:
    """A field's value as stored in `data["values"]`: a related object as its pk."""
    return value.pk if isinstance(value, models.Model) else value


def changed(old: Any, new: Any) -> dict[str, Any]:
    """One field's entry of a CHANGED event's `data["values"]`."""
    return {"old": raw_value(old), "new": raw_value(new)}
