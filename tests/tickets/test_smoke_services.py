from deskside.tickets import services
from deskside.tickets.models import EventKind, Status, Ticket
from deskside.tickets.queries import search, visible_tickets


def test_create_and_search(acme_ticket, alice, carol, dave):
    assert acme_ticket.number.startswith("T-")
    assert Ticket.objects.by_number(acme_ticket.number) == acme_ticket
    assert list(search(alice, "printer floor")) == [acme_ticket]
    assert list(search(carol, "printer")) == [acme_ticket]
    assert list(search(dave, "printer")) == []
    services.add_note(actor=alice, ticket=acme_ticket, body="secret toner codeword")
    assert list(search(alice, "codeword")) == [acme_ticket]
    assert list(search(carol, "codeword")) == []
    assert list(visible_tickets(dave)) == []
    ev = services.resolve_ticket(actor=alice, ticket=acme_ticket, resolution="Power cycled")
    acme_ticket.refresh_from_db()
    assert acme_ticket.status == Status.RESOLVED
    assert ev.kind == EventKind.RESOLVED
