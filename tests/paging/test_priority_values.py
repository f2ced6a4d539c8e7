"""Paging decides a priority change from the CHANGED event's raw values
(`data["values"]["priority"]`), never from its display labels (`data["changes"]`)."""

from deskside.paging.models import Escalation
from deskside.tickets import services as tickets
from deskside.tickets.models import EventKind, Priority
from deskside.tickets.timeline import write_event
from tests.paging.conftest import T0


def _p3(at, make_ticket, carol):
    at(T0.replace(hour=10))  # 11:00 in Berlin: business hours
    return make_ticket(carol, priority=Priority.P3)


def test_raising_the_priority_pages_from_the_values(rule, at, make_ticket, carol, alice):
    ticket = _p3(at, make_ticket, carol)
    event = tickets.update_ticket(actor=alice, ticket=ticket, priority=Priority.P1)
    assert event.data["values"]["priority"] == {"old": 3, "new": 1}
    assert Escalation.objects.get(ticket=ticket).reason == "P1"


def test_the_labels_alone_decide_nothing(rule, at, make_ticket, carol):
    ticket = _p3(at, make_ticket, carol)
    ticket.priority = Priority.P1
    ticket.save(update_fields=["priority"])
    # Labels that say "more urgent" without values: no page.
    write_event(ticket, EventKind.CHANGED, None, data={"changes": {"priority": ["P3", "P1"]}})
    assert not Escalation.objects.filter(ticket=ticket).exists()
    # Values that say "more urgent", whatever the labels say: a page.
    write_event(
        ticket,
        EventKind.CHANGED,
        None,
        data={
            "changes": {"priority": ["?", "?"]},
            "values": {"priority": {"old": 3, "new": 1}},
        },
    )
    assert Escalation.objects.get(ticket=ticket).reason == "P1"


def test_lowering_the_priority_stops_paging_with_the_labels_in_the_note(p1, at, alice):
    tickets.update_ticket(actor=alice, ticket=p1, priority=Priority.P3)
    note = p1.events.get(kind=EventKind.PAGE_FAILED)
    assert (note.data["old"], note.data["new"]) == ("P1", "P3")
