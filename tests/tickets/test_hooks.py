"""The tickets' event hook (deskside.tickets.hooks): the whole wiring of cross-app reactions in
one table, handlers in the event's transaction, bulk paths declaring their kinds. The bulk
paths themselves: tests/sla/test_hook_paths.py; paging from raw values:
tests/paging/test_priority_values.py."""

import pytest

from deskside.tickets import hooks
from deskside.tickets import services as tickets
from deskside.tickets.models import EventKind, TicketEvent
from deskside.tickets.timeline import ALL, Happened, events_written, on_event
from deskside.webhooks.enqueue import registry

K = EventKind

# Every handler on the hook, in the order they run, and the kinds each hears. A new reaction
# to ticket events is added here, next to its registration in its app's ready().
EXPECTED = {
    "mail.outbox": (
        "deskside.mail.outbound.event_written",
        {K.CREATED, K.REPLY, K.RESOLVED},
    ),
    "paging.start_stop": (
        "deskside.paging.triggers.event_written",
        {K.CREATED, K.CHANGED, K.ESCALATED, K.ALERT, K.RESOLVED, K.CLOSED, K.MERGED},
    ),
    "webhooks.outbox": (
        "deskside.webhooks.enqueue.event_written",
        {
            K.CREATED,
            K.ESCALATED,
            K.PAGED,
            K.ACKNOWLEDGED,
            K.RESOLVED,
            K.SLA_WARNING,
            K.SLA_BREACH,
        },
    ),
    "notifications.fanout": (
        "deskside.notifications.fanout.event_written",
        {K.ASSIGNED, K.ESCALATED, K.REPLY, K.NOTE, K.SLA_WARNING, K.SLA_BREACH, K.PAGED},
    ),
    "assignment.auto": (
        "deskside.assignment.services.event_written",
        {K.CREATED, K.ASSIGNED, K.ESCALATED},
    ),
    "reports.figures": (
        "deskside.reports.figures.event_written",
        set(K) - {K.SLA_WARNING, K.SLA_BREACH, K.MAIL_SENT, K.MAIL_FAILED, K.PAGED, K.PAGE_FAILED},
    ),
    "surveys.resolved": ("deskside.surveys.services.resolved", {K.RESOLVED}),
    "triage.auto": ("deskside.triage.services.event_written", {K.CREATED}),
    "problems.known_errors": ("deskside.problems.matching.event_written", {K.CREATED}),
    "workorders.qc_gate": ("deskside.workorders.gate.check", {K.RESOLVED, K.CLOSED, K.MERGED}),
}


def test_every_handler_and_the_kinds_it_hears():
    registered = {
        r.name: (f"{r.handler.__module__}.{r.handler.__qualname__}", set(r.kinds))
        for r in hooks.registrations()
    }
    assert registered == EXPECTED
    assert list(registered) == list(EXPECTED)  # the order they are called in


@pytest.fixture
def heard():
    """A handler on every kind that records what it heard (removed after the test)."""
    seen: list[Happened] = []
    on_event(ALL, seen.append, name="test.heard")
    yield seen
    hooks.remove("test.heard")


def test_write_event_calls_the_handlers_with_the_row(acme_ticket, alice, heard):
    event = tickets.add_note(actor=alice, ticket=acme_ticket, body="Checked the cable")
    assert [(h.kind, h.event) for h in heard] == [(K.NOTE, event)]
    assert heard[0].saved and heard[0].ticket == acme_ticket


def test_a_handler_that_raises_rolls_the_event_back(acme_ticket, alice):
    """Decision: handlers run in the event's transaction and their errors propagate, so a
    reaction that cannot be queued (its outbox row) takes the change with it; nothing is
    half-done."""

    def boom(happened: Happened) -> None:
        raise RuntimeError("the outbox is broken")

    on_event([K.NOTE], boom, name="test.boom")
    try:
        with pytest.raises(RuntimeError):
            tickets.add_note(actor=alice, ticket=acme_ticket, body="Never kept")
    finally:
        hooks.remove("test.boom")
    assert not acme_ticket.events.filter(kind=K.NOTE).exists()
    tickets.add_note(actor=alice, ticket=acme_ticket, body="Kept")  # the hook works again
    assert acme_ticket.events.filter(kind=K.NOTE).count() == 1


def test_a_changed_event_carries_raw_values(acme_ticket, alice, heard):
    tickets.update_ticket(actor=alice, ticket=acme_ticket, priority="P1")
    (happened,) = heard
    assert happened.values("priority") == (3, 1)
    assert happened.values("subject") is None
    assert happened.data["changes"]["priority"] == ["P3", "P1"]  # the display diff stays


def test_a_bulk_path_emits_only_the_kinds_it_declared(acme_ticket, heard):
    stray = TicketEvent(ticket=acme_ticket, kind=K.NOTE, data={})
    with pytest.raises(ValueError, match="note"):
        events_written([stray], kinds=[K.SLA_WARNING, K.SLA_BREACH])
    sla = TicketEvent(ticket=acme_ticket, kind=K.SLA_BREACH, data={"kind": "resolution"})
    events_written([sla], kinds=[K.SLA_WARNING, K.SLA_BREACH])
    assert [(h.kind, h.saved) for h in heard] == [(K.SLA_BREACH, False)]


def test_a_bulk_path_builds_nothing_when_nobody_hears(db):
    """No handler hears MAIL_SENT, and webhooks hear SLA kinds only while a webhook subscribes:
    the events are never built (the generator is not consumed)."""

    def never():
        raise AssertionError("built events nobody hears")
        yield

    registry.forget()  # the active webhooks cached by an earlier test
    events_written(never(), kinds=[K.MAIL_SENT])
    # Notifications always hear SLA kinds (the assignee is told): without them, webhooks'
    # `wants` alone decides. The registrations are put back in their order afterwards.
    saved = hooks.registrations()
    hooks.remove("notifications.fanout")
    try:
        events_written(never(), kinds=[K.SLA_WARNING, K.SLA_BREACH])
    finally:
        for r in saved:
            hooks.remove(r.name)
        for r in saved:
            on_event(r.kinds, r.handler, name=r.name, wants=r.wants)
