"""The ticket page loads the panels of the apps that build on tickets (paging, alerts) from
their own views, which answer agents who see the ticket and nobody else."""

from django.urls import reverse

from deskside.tickets.models import Channel, Priority


def test_a_p1_page_loads_the_paging_panel_and_a_p3_does_not(client, alice, make_ticket, carol):
    p1 = make_ticket(carol, priority=Priority.P1)
    p3 = make_ticket(carol)
    client.force_login(alice)
    panel = reverse("paging:ticket_panel", args=[p1.number])
    assert panel in client.get(reverse("tickets:detail", args=[p1.number])).content.decode()
    assert client.get(panel).status_code == 200
    page = client.get(reverse("tickets:detail", args=[p3.number])).content.decode()
    assert "paging/ticket" not in page and "alerts/ticket" not in page


def test_an_alert_ticket_loads_the_alert_panel(client, alice, make_ticket, carol):
    ticket = make_ticket(carol, channel=Channel.ALERT)
    client.force_login(alice)
    panel = reverse("alerts:ticket_panel", args=[ticket.number])
    assert panel in client.get(reverse("tickets:detail", args=[ticket.number])).content.decode()
    assert client.get(panel).status_code == 200


def test_the_panels_answer_no_customer(client, carol, dave, make_ticket):
    ticket = make_ticket(carol, priority=Priority.P1, channel=Channel.ALERT)
    for customer in (carol, dave):  # its requester, and another client's customer
        client.force_login(customer)
        for name in ("paging:ticket_panel", "alerts:ticket_panel"):
            answer = client.get(reverse(name, args=[ticket.number]))
            assert answer.status_code in (302, 403, 404), (name, customer)
            assert ticket.subject not in answer.content.decode()
