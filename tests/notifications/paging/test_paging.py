"""A page (the paging worker's PAGED event) tells the person paged, and only them."""

from deskside.notifications.models import Kind
from deskside.paging.worker import paging_pass
from deskside.tickets import services as tickets
from tests.notifications.conftest import kinds_of, told


def test_a_page_tells_the_person_paged(p1, alice, leo):
    ticket = p1
    paging_pass()
    [n] = told(alice, Kind.PAGED)
    assert n.ticket_id == ticket.pk and n.title == f"You were paged for {ticket.number}"
    assert told(leo, Kind.PAGED) == []
    tickets.add_note(actor=alice, ticket=ticket, body="looking")
    assert kinds_of(leo) == []
